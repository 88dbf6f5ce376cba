/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_port.c - one port of squib-net serve: its socket, its bounded queue
 *
 * Theory of operation: every frame the switch sends to a port is copied,
 * framed as the port's socket wants it (a u32-BE length first on a
 * stream), into the port's own bounded queue (ring.c: at most
 * SERVE_QUEUE_FRAMES frames and 4 MiB, allocated when the port opens).
 * serve flushes the queues of the ports that have frames once per turn of
 * its loop: many frames leave a stream in one writev(); datagrams and
 * seqpacket messages one per call. A socket that takes no more (its peer
 * stopped reading) leaves the rest queued until it is writable again; a
 * full queue drops the new frame and counts it on that port alone. So a VM
 * that stops reading loses its own frames and holds up nobody, and serve's
 * memory stays bounded whatever is sent to it.
 *
 * Offloads: a stream port's first record decides how it speaks. The
 * offload hello (vnet.h) makes it an offload port: serve answers with the
 * same record, and from then on every record either way carries the
 * 12-byte virtio-net header before the frame. A frame makes it a plain
 * port, as QEMU and passt are. Until then nothing is sent to it: frames for
 * it wait in its queue as plain records and are re-framed if it turns out
 * to speak offload (serve_port_vnet_on()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "serve.h"
#include "vnet.h"

/* records per writev() on a stream: a whole queue at once */
#define SERVE_FLUSH_IOV SERVE_QUEUE_FRAMES

/**
 * hdr_len() - framing bytes before each frame on a port's socket
 * @p:	the port
 *
 * Return: 4 on a stream, else 0
 */
static uint32_t hdr_len(const struct serve_port *p)
{
	return p->l->opt->kind == SQN_URL_UNIX ? 4 : 0;
}

/**
 * serve_port_open() - set up a port on a new connection or datagram peer
 * @p:		the port (its id set, not used)
 * @l:		the listener
 * @fd:		stream, seqpacket: the accepted socket (owned from now on,
 *		closed on failure too); datagrams: the listener's
 * @peer:	datagrams: the peer's address, else NULL
 * @peerlen:	its length
 *
 * Return: 0 or -ENOMEM
 */
int serve_port_open(struct serve_port *p, struct serve_listener *l, int fd,
		    const struct sockaddr_un *peer, socklen_t peerlen)
{
	unsigned id = p->id;
	/* an offload port's record holds a virtio-net header too */
	uint32_t cap =
		SERVE_READ_SIZE + 4 + SQN_VNET_HDR_LEN + SQN_FRAME_MAX + 1;

	memset(p, 0, sizeof(*p));
	p->id = id;
	p->l = l;
	p->fd = fd;
	if (peer) {
		memcpy(&p->peer, peer, peerlen);
		p->peerlen = peerlen;
	}
	if (l->opt->kind == SQN_URL_UNIX) {
		p->rxbuf = malloc(cap);
		if (!p->rxbuf ||
		    sqn_wire_dec_init(&p->dec, SQN_WIRE_U32BE,
				      SQN_FRAME_MAX + SQN_VNET_HDR_LEN,
				      p->rxbuf, cap))
			goto out_free;
	}
	if (sqn_ring_init(&p->txq, SERVE_QUEUE_FRAMES,
			  SQN_FRAME_MAX + hdr_len(p) +
				  (hdr_len(p) ? SQN_VNET_HDR_LEN : 0)))
		goto out_free;
	/* datagrams and messages carry plain frames from the start */
	p->heard = l->opt->kind != SQN_URL_UNIX;
	if (l->opt->kind != SQN_URL_UNIXGRAM)
		p->pid = serve_os_peer_pid(fd);
	p->used = true;
	return 0;

out_free:
	free(p->rxbuf);
	p->rxbuf = NULL;
	if (l->opt->kind != SQN_URL_UNIXGRAM)
		close(fd);
	return -ENOMEM;
}

/**
 * serve_port_close() - release a port (its socket, unless a listener's)
 * @p:	the port
 */
void serve_port_close(struct serve_port *p)
{
	if (!p->used)
		return;
	if (p->l->opt->kind != SQN_URL_UNIXGRAM && p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->rxbuf);
	p->rxbuf = NULL;
	free(p->held);
	p->held = NULL;
	if (p->cap) {
		sqn_cap_stop(p->cap, NULL);
		sqn_cap_destroy(p->cap);
		free(p->cap);
		p->cap = NULL;
	}
	sqn_ring_free(&p->txq);
	p->used = false;
	p->dirty = false;
}

/**
 * serve_port_queue() - copy a frame into the port's queue
 * @p:		the port
 * @frame:	the frame
 * @len:	its length, at most SQN_FRAME_MAX
 * @vh:		its virtio-net header for an offload port (NULL: none, a
 *		zero header goes with it); not used on a plain port, which
 *		must be given frames that need no offload work
 *
 * Return: true if queued, false if the queue was full (dropped, counted)
 */
bool serve_port_queue(struct serve_port *p, const uint8_t *frame, uint32_t len,
		      const struct sqn_vnet_hdr *vh)
{
	static const struct sqn_vnet_hdr none;
	uint32_t v = p->vnet ? SQN_VNET_HDR_LEN : 0, h = hdr_len(p) + v;
	uint8_t *dst;

	dst = sqn_ring_reserve(&p->txq, h + len);
	if (!dst) {
		p->st.drop_queue++;
		return false;
	}
	sqn_wire_put_hdr(hdr_len(p) ? SQN_WIRE_U32BE : SQN_WIRE_DGRAM, v + len,
			 dst);
	if (v)
		sqn_vnet_to_wire(vh ? vh : &none, dst + h - v);
	memcpy(dst + h, frame, len);
	sqn_ring_commit(&p->txq, h + len, NULL);
	return true;
}

/**
 * serve_port_vnet_on() - a stream port sent the offload hello: answer it,
 *			  and re-frame what waits in its queue
 * @p:		the port (a stream, nothing ever sent to it)
 * @scratch:	SQN_FRAME_MAX + 4 bytes to copy a record through
 *
 * The answer is written at once: nothing was ever sent on this connection,
 * so its socket buffer is empty and takes 16 bytes. Each queued frame gets
 * a zero virtio-net header; one the queue has no room for now is dropped
 * and counted (drop_queue).
 *
 * Return: 0, or a negative errno: the answer could not be sent (close the
 * port)
 */
int serve_port_vnet_on(struct serve_port *p, uint8_t *scratch)
{
	uint8_t hello[SQN_VNET_HELLO_LEN];
	unsigned n = p->txq.count;
	const uint8_t *r;
	uint32_t len;
	ssize_t w;

	sqn_vnet_hello(hello);
	do
		w = send(p->fd, hello, sizeof(hello), MSG_DONTWAIT);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if (w != (ssize_t)sizeof(hello))
		return -EIO;
	p->vnet = true;
	p->heard = true;
	while (n--) {
		r = sqn_ring_peek(&p->txq, &len, NULL);
		memcpy(scratch, r + 4, len - 4);
		sqn_ring_pop(&p->txq);
		serve_port_queue(p, scratch, len - 4, NULL);
	}
	return 0;
}

/**
 * sent_one() - a record has left: count it, capture it, take it off the
 *		queue
 * @p:		the port
 * @rec:	the record (its framing first)
 * @len:	its length on the wire
 */
static void sent_one(struct serve_port *p, const uint8_t *rec, uint32_t len)
{
	uint32_t h = hdr_len(p) + (p->vnet ? SQN_VNET_HDR_LEN : 0);

	p->st.out_frames++;
	p->st.out_bytes += len - h;
	if (p->cap)
		serve_capture_frame(p->cap, SQN_CAP_RX, rec + h, len - h);
	if (p->rx_allowed)
		p->rx_allowed--;
	sqn_ring_pop(&p->txq);
}

/**
 * gather() - the records a stream port sends in one writev()
 * @p:		the port
 * @iov:	gets them (the first from where a short write left it)
 * @rec:	gets each record
 * @len:	gets each record's length
 * @max:	most records
 *
 * Return: how many, at most SERVE_FLUSH_IOV
 */
static unsigned gather(struct serve_port *p, struct iovec *iov,
		       const uint8_t **rec, uint32_t *len, unsigned max)
{
	unsigned n;

	for (n = 0; n < SERVE_FLUSH_IOV && n < max; n++) {
		const uint8_t *r = sqn_ring_peek_at(&p->txq, n, &len[n]);

		if (!r)
			break;
		rec[n] = r;
		iov[n].iov_base = (void *)(r + (n ? 0 : p->tx_off));
		iov[n].iov_len = len[n] - (n ? 0 : p->tx_off);
	}
	return n;
}

/**
 * flush_stream() - send what a stream port's queue holds, many per writev()
 * @p:		the port
 * @max:	most records to send
 *
 * Return: 0 (sent, or the socket is full), or a negative errno: the
 * connection failed
 */
static int flush_stream(struct serve_port *p, unsigned max)
{
	struct iovec iov[SERVE_FLUSH_IOV];
	const uint8_t *rec[SERVE_FLUSH_IOV];
	uint32_t len[SERVE_FLUSH_IOV];
	unsigned n, i;
	ssize_t w;

	while (!sqn_ring_empty(&p->txq) && max) {
		n = gather(p, iov, rec, len, max);
		do
			w = writev(p->fd, iov, (int)n);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno == EAGAIN) {
			p->blocked = true;
			return 0;
		}
		if (w < 0)
			return -errno;
		for (i = 0; i < n && (size_t)w >= iov[i].iov_len; i++) {
			w -= (ssize_t)iov[i].iov_len;
			p->tx_off = 0;
			sent_one(p, rec[i], len[i]);
			max--;
		}
		if (i < n) {
			p->tx_off += (uint32_t)w;
			p->blocked = true; /* short: the socket is full */
			return 0;
		}
	}
	return 0;
}

/**
 * block_msgs() - a datagram or message did not fit: whose buffer is full?
 * @p:		the port
 * @dgram:	a datagram port
 *
 * A seqpacket connection is the port's own: wait for POLLOUT. A datagram
 * sent from the listener's socket is charged to that socket's send buffer
 * until its peer reads it; a peer that is not connected to us (QEMU
 * -netdev dgram) also takes at most net.unix.max_dgram_qlen of them. With
 * the listener's buffer far from full, the peer's queue is what is full:
 * that port alone waits (a short retry timer: no POLLOUT would say when).
 * Otherwise the listener's buffer is: every datagram port of it waits for
 * POLLOUT.
 */
static void block_msgs(struct serve_port *p, bool dgram)
{
	long q;

	if (!dgram) {
		p->blocked = true;
		return;
	}
	q = serve_os_outq(p->fd);
	if (q >= 0 && p->l->sndbuf > 0 && q < p->l->sndbuf / 2) {
		p->blocked = true;
		p->peer_full = true;
		return;
	}
	p->l->blocked = true;
}

/**
 * flush_msgs() - send what a datagram or seqpacket port's queue holds
 * @p:		the port
 * @max:	most records to send
 *
 * Return: 0 (sent, or the socket is full: l->blocked for datagrams), or a
 * negative errno: the peer is gone
 */
static int flush_msgs(struct serve_port *p, unsigned max)
{
	bool dgram = p->l->opt->kind == SQN_URL_UNIXGRAM;
	const uint8_t *r;
	uint32_t len;
	ssize_t w;

	while (max && (r = sqn_ring_peek(&p->txq, &len, NULL))) {
		max--;
		do
			w = dgram ? sendto(p->fd, r, len, MSG_DONTWAIT,
					   (const struct sockaddr *)&p->peer,
					   p->peerlen)
				  : send(p->fd, r, len, MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w >= 0) {
			sent_one(p, r, len);
			continue;
		}
		if (errno == EAGAIN || errno == ENOBUFS) {
			block_msgs(p, dgram);
			return 0;
		}
		if (errno == ECONNREFUSED || errno == ENOENT ||
		    errno == ENOTCONN || errno == EPIPE ||
		    errno == ECONNRESET || errno == EPERM)
			return -errno;
		/* this frame alone (EMSGSIZE): drop it, count it */
		p->st.drop_error++;
		if (p->rx_allowed)
			p->rx_allowed--;
		sqn_ring_pop(&p->txq);
	}
	return 0;
}

/**
 * serve_port_flush() - send what the port's queue holds, as far as its
 *			socket takes it
 * @p:		the port
 * @max:	most records to send (what its rx limiter allows; UINT_MAX:
 *		all)
 *
 * Return: 0, or a negative errno when the peer is gone (close the port)
 */
int serve_port_flush(struct serve_port *p, unsigned max)
{
	if (!p->heard)
		return 0; /* its first record says how it speaks */
	return p->l->opt->kind == SQN_URL_UNIX ? flush_stream(p, max)
					       : flush_msgs(p, max);
}

/**
 * serve_port_set_limits() - set a port's rate limits, as Firecracker's
 *			     PATCH: the buckets @which names are replaced
 * @p:		the port
 * @which:	SQN_LIMIT_* bits
 * @rx:		the rx buckets (toward the VM), read where named
 * @tx:		the tx buckets (from the VM)
 * @now_ns:	the limiters' clock
 *
 * A tx limit on a seqpacket or datagram port takes a held-frame slot of
 * SQN_FRAME_MAX bytes, once.
 *
 * Return: 0, or -ENOMEM (nothing changed)
 */
int serve_port_set_limits(struct serve_port *p, unsigned which,
			  const struct sqn_rate_limiter *rx,
			  const struct sqn_rate_limiter *tx, uint64_t now_ns)
{
	struct sqn_rl_update u;

	if ((which & SQN_LIMIT_TX) && !p->held &&
	    p->l->opt->kind != SQN_URL_UNIX) {
		p->held = malloc(SQN_FRAME_MAX);
		if (!p->held)
			return -ENOMEM;
	}
	sqn_rl_update_from(rx, which, SQN_LIMIT_RX_BANDWIDTH, SQN_LIMIT_RX_OPS,
			   &u);
	sqn_rl_update(&p->rxl, &u, now_ns);
	sqn_rl_update_from(tx, which, SQN_LIMIT_TX_BANDWIDTH, SQN_LIMIT_TX_OPS,
			   &u);
	sqn_rl_update(&p->txl, &u, now_ns);
	return 0;
}

/**
 * serve_port_tx_waits() - whether frames from the VM wait for its tx
 *			   limiter (a stream or seqpacket port is then not
 *			   read)
 * @p:	the port
 *
 * Return: true while a frame is held back
 */
bool serve_port_tx_waits(const struct serve_port *p)
{
	return p->pend || p->held_len;
}

/**
 * serve_port_id_name() - the name the control socket knows a port by
 * @p:		the port
 * @buf:	gets "unix:///path#N": its listener and how many ports came
 *		before it (never reused)
 * @len:	size of @buf
 */
void serve_port_id_name(const struct serve_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s#%llu", p->l->opt->url,
		 (unsigned long long)p->serial);
}

/**
 * serve_port_is_peer() - whether a datagram came from this port's peer
 * @p:		the port
 * @a:		the sender's address
 * @alen:	its length
 *
 * Return: true if so
 */
bool serve_port_is_peer(const struct serve_port *p, const struct sockaddr_un *a,
			socklen_t alen)
{
	return p->peerlen == alen && !memcmp(&p->peer, a, alen);
}

/**
 * serve_port_peer() - who is at a port's other end, where known
 * @p:		the port
 * @buf:	gets "pid N", "peer PATH", "peer @NAME" (abstract), or ""
 * @len:	size of @buf
 */
void serve_port_peer(const struct serve_port *p, char *buf, size_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (!len)
		return;
	buf[0] = '\0';
	if (p->pid > 0) {
		snprintf(buf, len, "pid %d", (int)p->pid);
	} else if (p->peerlen > off && p->peer.sun_path[0]) {
		snprintf(buf, len, "peer %.*s", (int)(p->peerlen - off),
			 p->peer.sun_path);
	} else if (p->peerlen > off + 1) {
		/* abstract: printable part of the name after the NUL */
		snprintf(buf, len, "peer @%.*s", (int)(p->peerlen - off - 1),
			 p->peer.sun_path + 1);
	}
}

/**
 * serve_port_name() - how messages and statistics name a port
 * @p:		the port
 * @buf:	gets "unix:///path#N" (the Nth port since start) and, where
 *		known, the peer's pid or address
 * @len:	size of @buf
 */
void serve_port_name(const struct serve_port *p, char *buf, size_t len)
{
	char peer[SQN_URL_PATH_MAX + 16];
	size_t n;

	serve_port_id_name(p, buf, len);
	serve_port_peer(p, peer, sizeof(peer));
	n = strlen(buf);
	if (peer[0] && n < len)
		snprintf(buf + n, len - n, " %s", peer);
}
