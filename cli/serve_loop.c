/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_loop.c - squib-net serve's event loop: sockets in, switch, queues out
 *
 * Theory of operation: one thread polls everything (signals, the uplink's
 * readiness fd, the listeners, every stream and seqpacket port; datagram
 * ports share their listener's socket). Each turn does a bounded amount of
 * work per ready source, so no port can starve the others: one large read
 * of a stream (256 KiB), up to 256 datagrams or messages, up to 256 frames
 * from the uplink. Every frame read goes through the switch (switch.c) and
 * is copied into the queue of each port it goes to (serve_port.c), or, for
 * the uplink, handed to sqn_iface_write() in batches straight from the
 * buffer it was read into (before that buffer is read into again). At the
 * end of the turn every port with frames queued and a socket not known to
 * be full is flushed; a full socket waits for POLLOUT, so a stopped VM
 * costs no system call per turn. Nothing here allocates per frame: buffers
 * belong to the ports (made when they open) and to serve (made at start).
 *
 * Ports: a stream or seqpacket connection is a port from accept() to its
 * end (EOF, an error, or, on a stream, a length outside 14..65535, which
 * resets it and is counted); a datagram peer is a port from its first
 * datagram (vfkit's "VFKT" greeting or a frame) until a send to it fails
 * because it is gone, or it greets again (a new VM at the same address).
 * Beyond --max-ports a new peer is told so in one message and refused.
 *
 * Rate limits (--rx-rate, --tx-rate, the control socket's rate-limit): a
 * port's tx limiter (from its VM) is asked as each frame is taken; a
 * stream frame it refuses stays in the port's decoder and a seqpacket one
 * in the port's held slot, and the port's socket is not read until it
 * passed, so the VM's own socket backs up; a datagram peer shares the
 * listener's socket and cannot be made to wait: one frame is held, and
 * more are dropped and counted (drop_rate). A port's rx limiter (toward
 * its VM) is asked as its queue is flushed: frames it refuses stay queued
 * (and a full queue drops new ones, as without a limit). The poll timeout
 * wakes the loop at the earliest limiter's deadline. Captures: the whole
 * network's at the switch's entrance, a port's where its in_frames and
 * out_frames are counted. The control socket's fds are polled with the
 * rest (serve_ctl.c answers).
 *
 * Offloads: a stream port that sent the offload hello (serve_port.c) sends
 * and receives frames with a virtio-net header. Its GSO frames and partial
 * checksums go as they are to other offload ports; for every other port,
 * and for the uplink, the frame is cut once into plain segments with their
 * checksums complete (gso.c) and those are queued instead. Frames from
 * plain ports and the uplink reach offload ports with a zero header.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"
#include "serve.h"
#include "vnet.h"

#define SERVE_TAG_SIG (1u << 24)
#define SERVE_TAG_UPLINK (2u << 24)
#define SERVE_TAG_LISTEN (3u << 24)
#define SERVE_TAG_PORT (4u << 24)
#define SERVE_TAG_CTL (5u << 24)
#define SERVE_TAG_KIND(t) ((t)&0xff000000u)
#define SERVE_TAG_INDEX(t) ((t)&0x00ffffffu)

/* bounded work per ready source and turn */
#define SERVE_MSG_ROUNDS 8
#define SERVE_UPLINK_ROUNDS 8
#define SERVE_ACCEPTS 16
/* how often the table ages */
#define SERVE_AGE_TICK_MS 1000
/* a refused datagram peer is told again after this long at the earliest */
#define SERVE_REFUSE_AGAIN_MS 1000
/* a datagram peer whose queue was full is tried again after this long */
#define SERVE_PEER_RETRY_MS 10

static const char serve_refusal[] =
	"squib-net serve: refused: every port is taken (--max-ports); try "
	"again later\n";

/**
 * now_ns() - monotonic nanoseconds, the rate limiters' clock
 *
 * Return: the time
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * now_ms() - monotonic milliseconds
 *
 * Return: the time
 */
static uint64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/**
 * serve_dirty_add() - put a port with frames queued on the flush list
 * @s:	serve
 * @p:	the port
 */
void serve_dirty_add(struct serve *s, struct serve_port *p)
{
	if (p->dirty)
		return;
	p->dirty = true;
	p->dirty_idx = s->ndirty;
	s->dirty[s->ndirty++] = (uint16_t)p->id;
}

/**
 * dirty_del() - take a port off the flush list
 * @s:	serve
 * @p:	the port
 */
static void dirty_del(struct serve *s, struct serve_port *p)
{
	unsigned last;

	if (!p->dirty)
		return;
	last = s->dirty[--s->ndirty];
	s->dirty[p->dirty_idx] = (uint16_t)last;
	s->port[last].dirty_idx = p->dirty_idx;
	p->dirty = false;
}

/**
 * uplink_flush() - hand the frames gathered for the uplink to it
 * @s:	serve
 */
static void uplink_flush(struct serve *s)
{
	int rc;

	if (!s->up_ntx)
		return;
	rc = sqn_iface_write(s->up, s->up_tx, s->up_ntx);
	if (rc < 0)
		s->up_refused += s->up_ntx;
	else if ((unsigned)rc < s->up_ntx)
		s->up_refused += s->up_ntx - (unsigned)rc;
	s->up_ntx = 0;
}

/**
 * cut() - the plain segments of a frame from an offload port, made once
 *	   per frame for every port that needs them
 * @s:		serve
 * @f:		the frame
 * @len:	its length
 * @vh:		its virtio-net header
 * @n:		in: segments made so far for this frame (0: none yet, -1:
 *		refused); out: the same, after this call
 *
 * Return: segments in s->gso_seg, or 0 when the frame cannot be cut
 */
static unsigned cut(struct serve *s, const uint8_t *f, uint32_t len,
		    const struct sqn_vnet_hdr *vh, int *n)
{
	if (!*n) {
		*n = sqn_gso_segment(f, len, vh, s->gso_buf, SQN_GSO_OUT_MAX,
				     s->gso_seg, SQN_GSO_SEGS_MAX);
		if (*n < 0) {
			*n = -1;
			s->gso_refused++;
		}
	}
	return *n > 0 ? (unsigned)*n : 0;
}

/**
 * to_uplink() - a frame for the uplink, in the batch written at
 *		 uplink_flush()
 * @s:		serve
 * @f:		the frame (valid until uplink_flush())
 * @len:	its length
 */
static void to_uplink(struct serve *s, const uint8_t *f, uint32_t len)
{
	s->up_tx[s->up_ntx++] =
		(struct sqn_frame){.data = (void *)f, .len = len};
	if (s->up_ntx == SQN_BATCH)
		uplink_flush(s);
}

/**
 * to_port() - a frame for a VM port, into its queue: as it is, or cut
 *	       into plain segments for a port without offloads
 * @s:		serve
 * @p:		the port
 * @f:		the frame
 * @len:	its length
 * @vh:		its virtio-net header (NULL: a plain frame)
 * @need:	@vh asks for offload work (GSO, a partial checksum)
 * @n:		cut()'s state for this frame
 */
static void to_port(struct serve *s, struct serve_port *p, const uint8_t *f,
		    uint32_t len, const struct sqn_vnet_hdr *vh, bool need,
		    int *n)
{
	unsigned k, i, queued = 0;

	if (!need || p->vnet) {
		if (serve_port_queue(p, f, len, vh))
			serve_dirty_add(s, p);
		return;
	}
	k = cut(s, f, len, vh, n);
	if (!k) {
		p->st.drop_error++;
		return;
	}
	p->st.gso_cut++;
	p->st.gso_extra += k - 1;
	for (i = 0; i < k; i++)
		queued += serve_port_queue(p, s->gso_seg[i].data,
					   s->gso_seg[i].len, NULL);
	if (queued)
		serve_dirty_add(s, p);
}

/**
 * switch_out() - one frame through the switch, to the queues of the ports
 *		  it goes to
 * @s:		serve
 * @in:		the port it came in on
 * @f:		the frame (stays valid until uplink_flush())
 * @len:	its length
 * @vh:		its virtio-net header (from an offload port), or NULL
 */
static void switch_out(struct serve *s, unsigned in, const uint8_t *f,
		       uint32_t len, const struct sqn_vnet_hdr *vh)
{
	bool need = vh && sqn_gso_needed(vh), cut_up = false;
	int n, i, segs = 0;
	unsigned k, j;

	serve_capture_frame(
		&s->cap, in == SERVE_UPLINK ? SQN_CAP_RX : SQN_CAP_TX, f, len);
	if (in == SERVE_UPLINK && s->ctl)
		serve_policy_heard(s, f, len);
	n = sqn_sw_forward(&s->sw, in, f, len, s->now, &s->dest);
	for (i = 0; i < n; i++) {
		unsigned d = s->dest.port[i];

		if (d == SERVE_UPLINK && !need) {
			to_uplink(s, f, len);
		} else if (d == SERVE_UPLINK) {
			/* the uplink takes plain frames */
			k = cut(s, f, len, vh, &segs);
			for (j = 0; j < k; j++)
				to_uplink(s, s->gso_seg[j].data,
					  s->gso_seg[j].len);
			if (!k)
				s->up_refused++;
			cut_up = k > 0;
		} else if (in == SERVE_UPLINK &&
			   !serve_policy_rx(s, d, f, len)) {
			continue;
		} else {
			to_port(s, &s->port[d], f, len, vh, need, &segs);
		}
	}
	/* the segments live in s->gso_buf until the next frame is cut */
	if (cut_up)
		uplink_flush(s);
}

/**
 * switch_frame() - one frame from port @in: through its egress policy,
 *		    then the switch
 * @s:		serve
 * @in:		the port it came in on
 * @f:		the frame (stays valid until uplink_flush())
 * @len:	its length
 * @vh:		its virtio-net header (from an offload port), or NULL
 */
static void switch_frame(struct serve *s, unsigned in, const uint8_t *f,
			 uint32_t len, const struct sqn_vnet_hdr *vh)
{
	uint32_t net_len;

	if (in == SERVE_UPLINK || serve_policy_tx(s, in, f, len, &net_len)) {
		switch_out(s, in, f, len, vh);
		return;
	}
	if (!net_len)
		return;
	/* the policy's frame for the network, in the denied one's place:
	 * out before the buffer is reused */
	switch_out(s, in, s->pol_net, net_len, NULL);
	uplink_flush(s);
}

/**
 * tx_limited() - whether a port's tx limiter has anything to say
 * @p:	the port
 *
 * Return: true with a bucket on, or while blocked
 */
static bool tx_limited(const struct serve_port *p)
{
	return sqn_rl_enabled(&p->txl) || p->txl.blocked;
}

/**
 * tx_allow() - whether a port's tx limiter lets a frame from its VM pass
 * @s:		serve
 * @p:		the port
 * @len:	the frame's length
 *
 * Return: true if it passes; a refusal is counted
 */
static bool tx_allow(struct serve *s, struct serve_port *p, uint32_t len)
{
	if (!tx_limited(p) || sqn_rl_frame(&p->txl, len, s->now_ns))
		return true;
	p->st.tx_throttled++;
	return false;
}

/**
 * take_frame() - a frame from a port's VM: counted, captured, switched
 * @s:		serve
 * @p:		the port
 * @f:		the frame (an offload port's: its virtio-net header first)
 * @len:	its length (with that header)
 */
static void take_frame(struct serve *s, struct serve_port *p, const uint8_t *f,
		       uint32_t len)
{
	struct sqn_vnet_hdr vh;

	if (p->vnet) {
		sqn_vnet_from_wire(f, &vh);
		f += SQN_VNET_HDR_LEN;
		len -= SQN_VNET_HDR_LEN;
	}
	p->st.in_frames++;
	p->st.in_bytes += len;
	if (p->cap)
		serve_capture_frame(p->cap, SQN_CAP_TX, f, len);
	switch_frame(s, p->id, f, len, p->vnet ? &vh : NULL);
}

/**
 * uplink_read() - frames from the uplink (this also services it)
 * @s:	serve
 */
static void uplink_read(struct serve *s)
{
	unsigned r, i;
	int n;

	for (r = 0; r < SERVE_UPLINK_ROUNDS; r++) {
		for (i = 0; i < SQN_BATCH; i++) {
			s->up_rx[i].data = s->up_buf + (size_t)i * s->up_max;
			s->up_rx[i].cap = s->up_max;
		}
		n = sqn_iface_read(s->up, s->up_rx, SQN_BATCH);
		if (n <= 0)
			break;
		for (i = 0; i < (unsigned)n; i++)
			switch_frame(s, SERVE_UPLINK, s->up_rx[i].data,
				     s->up_rx[i].len, NULL);
		if (n < SQN_BATCH)
			break;
	}
}

/**
 * serve_close_port() - a port goes away: say why, keep its counters for
 *			the network's, forget its MACs
 * @s:		serve
 * @p:		the port
 * @fmt:	printf format of the reason, then its arguments
 */
void serve_close_port(struct serve *s, struct serve_port *p, const char *fmt,
		      ...)
{
	struct sqn_sw_port_stats sw;
	char name[192], why[256];
	va_list ap;

	if (!p->used)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	serve_port_name(p, name, sizeof(name));
	fprintf(stderr, "squib-net: serve: port %u (%s) down: %s\n", p->id,
		name, why);
	sqn_sw_port_stats(&s->sw, p->id, &sw);
	sw.macs = 0; /* forgotten with it */
	p->st.lost += p->txq.count;
	serve_stats_add(&s->gone_sw, &s->gone_io, &sw, &p->st);
	sqn_sw_port_del(&s->sw, p->id);
	dirty_del(s, p);
	p->l->nports--;
	serve_policy_port_close(s, p);
	serve_port_close(p);
	s->nports--;
	s->closed++;
}

/**
 * port_new() - a new port on listener @l
 * @s:		serve
 * @l:		the listener
 * @fd:		stream, seqpacket: the connection; datagrams: @l's socket
 * @peer:	datagrams: the peer's address
 * @peerlen:	its length
 * @why:	gets why not, when it returns NULL
 * @whylen:	its size
 *
 * Return: the port, or NULL (the port limit, a MAC pinned elsewhere, no
 * memory); a connection is not closed here
 */
static struct serve_port *port_new(struct serve *s, struct serve_listener *l,
				   int fd, const struct sockaddr_un *peer,
				   socklen_t peerlen, char *why, size_t whylen)
{
	const struct serve_listen_opt *lo = l->opt;
	struct sqn_sw_port_cfg cfg = {
		.isolate = lo->isolate, .pin = lo->pin, .cap = s->port_cap};
	unsigned max = s->o->max_ports, k, id = 0;
	struct serve_port *p;
	char name[192];
	int rc;

	if (s->nports >= max) {
		snprintf(why, whylen, "the port limit (%u) is reached", max);
		return NULL;
	}
	/* the next free number after the last one given: not reused at once */
	for (k = 0; k < max && !id; k++) {
		unsigned c = 1 + (s->next_id + k) % max;

		if (!s->port[c].used)
			id = c;
	}
	memcpy(cfg.mac, lo->mac, 6);
	rc = sqn_sw_port_add(&s->sw, id, &cfg);
	if (rc) {
		char m[18];

		snprintf(why, whylen,
			 rc == -EADDRINUSE
				 ? "its MAC %s is pinned to a port that is "
				   "up (mac= on --listen: one VM at a time)"
				 : "the switch refused it (%s)",
			 rc == -EADDRINUSE ? sqn_mac_format(lo->mac, m)
					   : strerror(-rc));
		return NULL;
	}
	p = &s->port[id];
	p->id = id;
	if (serve_port_open(p, l, fd, peer, peerlen)) {
		sqn_sw_port_del(&s->sw, id);
		snprintf(why, whylen, "no memory for its buffers");
		return NULL;
	}
	if (serve_policy_port_open(s, p, why, whylen)) {
		serve_port_close(p);
		sqn_sw_port_del(&s->sw, id);
		return NULL;
	}
	if (sqn_rl_limits_any(&lo->rx_rate) ||
	    sqn_rl_limits_any(&lo->tx_rate)) {
		if (serve_port_set_limits(p, SQN_LIMIT_RX | SQN_LIMIT_TX,
					  &lo->rx_rate, &lo->tx_rate,
					  s->now_ns)) {
			serve_policy_port_close(s, p);
			serve_port_close(p);
			sqn_sw_port_del(&s->sw, id);
			snprintf(why, whylen, "no memory for its buffers");
			return NULL;
		}
		s->limits = true;
	}
	s->next_id = id;
	p->serial = ++s->serial;
	l->nports++;
	if (++s->nports > s->peak)
		s->peak = s->nports;
	serve_port_name(p, name, sizeof(name));
	fprintf(stderr, "squib-net: serve: port %u (%s) up%s%s\n", id, name,
		lo->isolate ? ", isolated" : "",
		lo->pin == SQN_SW_PIN_NONE ? "" : ", MAC pinned");
	return p;
}

/**
 * accept_all() - new connections on a stream or seqpacket listener
 * @s:	serve
 * @l:	the listener
 */
static void accept_all(struct serve *s, struct serve_listener *l)
{
	char why[192];
	unsigned k;
	int fd;

	for (k = 0; k < SERVE_ACCEPTS; k++) {
		fd = serve_listen_accept(l);
		if (fd < 0) {
			if (fd != -EAGAIN && fd != -ECONNABORTED)
				fprintf(stderr,
					"squib-net: serve: %s: accept: %s\n",
					l->opt->url, strerror(-fd));
			return;
		}
		if (port_new(s, l, fd, NULL, 0, why, sizeof(why)))
			continue;
		s->refused++;
		fprintf(stderr,
			"squib-net: serve: %s: refused a connection (pid %d): "
			"%s\n",
			l->opt->url, (int)serve_os_peer_pid(fd), why);
		/* the client reads why, if it reads text at all */
		(void)!send(fd, serve_refusal, sizeof(serve_refusal) - 1,
			    MSG_DONTWAIT);
		close(fd);
	}
}

/**
 * hello() - a stream port's first record is 12 bytes long: the offload
 *	     hello, or a bad length
 * @s:	serve
 * @p:	the port, its first record's length read
 *
 * Waits for the whole record; the hello makes it an offload port (answered
 * at once); anything else resets it.
 *
 * Return: true when the port now speaks offload (frames after the hello
 * may wait in its decoder)
 */
static bool hello(struct serve *s, struct serve_port *p)
{
	const uint8_t *r = p->dec.buf + p->dec.start;
	int rc;

	if (sqn_wire_dec_pending(&p->dec) < SQN_VNET_HELLO_LEN)
		return false; /* the rest of it comes with the next read */
	if (!sqn_vnet_is_hello(r + 4, SQN_VNET_HELLO_PAYLOAD)) {
		s->resets++;
		serve_close_port(s, p,
				 "reset: it sent a 12-byte record that is not "
				 "the offload hello");
		return false;
	}
	/* its first record, at the start of a buffer that never wrapped:
	 * taken, and the frames after it scanned (wire.c stopped at it) */
	p->dec.start += SQN_VNET_HELLO_LEN;
	p->dec.scan = p->dec.start;
	sqn_wire_dec_commit(&p->dec, 0);
	rc = serve_port_vnet_on(p, s->msgbuf);
	if (rc) {
		serve_close_port(s, p, "cannot answer the offload hello: %s",
				 strerror(-rc));
		return false;
	}
	serve_dirty_add(s, p);
	return true;
}

/**
 * take_whole() - the whole frames in a stream port's decoder through the
 *		  switch, as its tx limiter allows
 * @s:		serve
 * @p:		the port
 * @len:	gets the length that stopped it, on -EPROTO
 *
 * Return: what sqn_wire_dec_next() said last (0: no whole frame left, 1:
 * held back by the limiter), or -EPROTO for a length outside the port's
 * range (a plain port's first record may be the offload hello)
 */
static int take_whole(struct serve *s, struct serve_port *p, uint32_t *len)
{
	uint32_t vh = p->vnet ? SQN_VNET_HDR_LEN : 0;
	const uint8_t *f;
	int rc;

	while ((rc = sqn_wire_dec_next(&p->dec, &f, len)) == 1) {
		/* a frame is 14..SQN_FRAME_MAX bytes; an offload port's
		 * record has its virtio-net header first */
		if (*len < vh + SQN_FRAME_MIN || *len > vh + SQN_FRAME_MAX)
			return -EPROTO;
		p->heard = true; /* a frame first: a plain port */
		if (!tx_allow(s, p, *len)) {
			/* stays in the decoder's buffer: the socket is not
			 * read until it passed */
			p->pend = f;
			p->pend_len = *len;
			break;
		}
		take_frame(s, p, f, *len);
	}
	return rc;
}

/**
 * stream_take() - every whole frame in a stream port's decoder (the one
 *		   its tx limiter held back first) through the switch, as the
 *		   limiter allows; a first record that is the offload hello
 *		   makes it an offload port
 * @s:	serve
 * @p:	the port
 */
static void stream_take(struct serve *s, struct serve_port *p)
{
	uint32_t vh, len = 0;
	const uint8_t *f;
	int rc;

	if (p->pend) {
		if (!tx_allow(s, p, p->pend_len))
			return;
		f = p->pend;
		p->pend = NULL;
		take_frame(s, p, f, p->pend_len);
	}
	rc = take_whole(s, p, &len);
	if (rc == -EPROTO && !p->heard && len == SQN_VNET_HELLO_PAYLOAD) {
		if (!hello(s, p))
			return;
		rc = take_whole(s, p, &len);
	}
	uplink_flush(s);
	if (rc == -EPROTO) {
		vh = p->vnet ? SQN_VNET_HDR_LEN : 0;
		s->resets++;
		serve_close_port(s, p,
				 "reset: it sent a frame length of %u, not "
				 "%u..%u",
				 len, vh + SQN_FRAME_MIN, vh + SQN_FRAME_MAX);
	}
}

/**
 * stream_read() - one large read of a stream port, every whole frame in it
 *		   through the switch
 * @s:	serve
 * @p:	the port
 */
static void stream_read(struct serve *s, struct serve_port *p)
{
	uint32_t room;
	uint8_t *space;
	ssize_t n;

	if (p->pend) /* what was read waits for the tx limiter */
		return;
	space = sqn_wire_dec_space(&p->dec, &room);
	do
		n = read(p->fd, space,
			 room < SERVE_READ_SIZE ? room : SERVE_READ_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return;
	if (n < 0) {
		serve_close_port(s, p, "read: %s", strerror(errno));
		return;
	}
	if (n == 0) {
		if (sqn_wire_dec_pending(&p->dec))
			serve_close_port(s, p,
					 "closed in the middle of a frame "
					 "(%u bytes of it came)",
					 sqn_wire_dec_pending(&p->dec));
		else
			serve_close_port(s, p, "closed by the peer");
		return;
	}
	sqn_wire_dec_commit(&p->dec, (uint32_t)n);
	stream_take(s, p);
}

/**
 * msg_read() - datagrams or seqpacket messages into serve's message
 *		buffers
 * @s:		serve
 * @fd:		the socket
 * @len:	gets each message's length (SQN_FRAME_MAX + 1: oversized)
 * @from:	datagrams: gets each sender's address, else NULL
 * @fromlen:	their lengths
 * @eof:	gets true when a seqpacket peer closed (or failed)
 * @max:	most messages to read, at most SQN_BATCH
 *
 * Return: messages read, up to @max
 */
static unsigned msg_read(struct serve *s, int fd, uint32_t *len,
			 struct sockaddr_un *from, socklen_t *fromlen,
			 bool *eof, unsigned max)
{
	unsigned k;
	ssize_t n;

	*eof = false;
	for (k = 0; k < max; k++) {
		uint8_t *b = s->msgbuf + (size_t)k * (SQN_FRAME_MAX + 1);

		if (from) {
			fromlen[k] = sizeof(from[k]);
			memset(&from[k], 0, sizeof(from[k]));
		}
		do
			n = from ? recvfrom(fd, b, SQN_FRAME_MAX + 1,
					    MSG_DONTWAIT,
					    (struct sockaddr *)&from[k],
					    &fromlen[k])
				 : recv(fd, b, SQN_FRAME_MAX + 1, MSG_DONTWAIT);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			if (errno != EAGAIN && !from)
				*eof = true;
			break;
		}
		if (n == 0 && !from) {
			*eof = true;
			break;
		}
		len[k] = (uint32_t)n;
	}
	return k;
}

/**
 * take_msg() - one message of a port: counted, through the switch unless
 *		it is no frame
 * @s:		serve
 * @p:		the port
 * @b:		the message
 * @len:	its length (SQN_FRAME_MAX + 1: it was longer)
 */
static void take_msg(struct serve *s, struct serve_port *p, const uint8_t *b,
		     uint32_t len)
{
	if (len < SQN_FRAME_MIN || len > SQN_FRAME_MAX) {
		p->st.bad_frames++;
		return;
	}
	if (tx_allow(s, p, len)) {
		take_frame(s, p, b, len);
		return;
	}
	/* held back: the message buffer is serve's, so copy it out */
	if (p->held && !p->held_len) {
		memcpy(p->held, b, len);
		p->held_len = len;
	} else {
		p->st.drop_rate++;
	}
}

/**
 * seqpacket_read() - messages of a seqpacket port, one frame each
 * @s:	serve
 * @p:	the port
 */
static void seqpacket_read(struct serve *s, struct serve_port *p)
{
	uint32_t len[SQN_BATCH];
	unsigned r, k, n, max = SQN_BATCH;
	bool eof;

	for (r = 0; r < SERVE_MSG_ROUNDS && !p->held_len; r++) {
		/* limited: what the tokens in hand surely cover, else one,
		 * which the held slot takes if refused */
		if (tx_limited(p)) {
			max = (unsigned)sqn_rl_sure(&p->txl, SQN_FRAME_MAX,
						    SQN_BATCH, s->now_ns);
			if (!max)
				max = 1;
		}
		n = msg_read(s, p->fd, len, NULL, NULL, &eof, max);
		for (k = 0; k < n; k++)
			take_msg(s, p,
				 s->msgbuf + (size_t)k * (SQN_FRAME_MAX + 1),
				 len[k]);
		uplink_flush(s);
		if (eof) {
			serve_close_port(s, p, "closed by the peer");
			return;
		}
		if (n < max)
			return;
	}
}

/**
 * dgram_refuse() - tell a datagram peer it is refused (not too often)
 * @s:		serve
 * @l:		the listener
 * @a:		the peer
 * @alen:	its address's length
 * @why:	the reason
 */
static void dgram_refuse(struct serve *s, struct serve_listener *l,
			 const struct sockaddr_un *a, socklen_t alen,
			 const char *why)
{
	s->refused++;
	if (alen == s->last_refused_len && !memcmp(a, &s->last_refused, alen) &&
	    s->now < s->last_refused_at + SERVE_REFUSE_AGAIN_MS)
		return;
	s->last_refused = *a;
	s->last_refused_len = alen;
	s->last_refused_at = s->now;
	fprintf(stderr, "squib-net: serve: %s: refused a datagram peer: %s\n",
		l->opt->url, why);
	(void)!sendto(l->fd, serve_refusal, sizeof(serve_refusal) - 1,
		      MSG_DONTWAIT, (const struct sockaddr *)a, alen);
}

/**
 * dgram_port() - the port of a datagram's sender: found, or made
 * @s:		serve
 * @l:		the listener
 * @a:		the sender
 * @alen:	its address's length
 * @hello:	the datagram is vfkit's greeting
 *
 * Return: the port, or NULL (the datagram is dropped, counted)
 */
static struct serve_port *dgram_port(struct serve *s, struct serve_listener *l,
				     const struct sockaddr_un *a,
				     socklen_t alen, bool hello)
{
	unsigned id;
	char why[192];
	struct serve_port *p;

	if (alen <= offsetof(struct sockaddr_un, sun_path)) {
		s->unnamed++; /* no address to answer: not a port */
		return NULL;
	}
	for (id = 1; id <= s->o->max_ports; id++) {
		p = &s->port[id];
		if (p->used && p->l == l && serve_port_is_peer(p, a, alen)) {
			if (!hello)
				return p;
			/* a new VM at the same address: a new port */
			serve_close_port(s, p,
					 "greeted again: a new peer at "
					 "its address");
			break;
		}
	}
	p = port_new(s, l, l->fd, a, alen, why, sizeof(why));
	if (!p)
		dgram_refuse(s, l, a, alen, why);
	return p;
}

/**
 * dgram_read() - datagrams on a listener: each sender is a port
 * @s:	serve
 * @l:	the listener
 */
static void dgram_read(struct serve *s, struct serve_listener *l)
{
	struct sockaddr_un from[SQN_BATCH];
	socklen_t fromlen[SQN_BATCH];
	uint32_t len[SQN_BATCH];
	unsigned r, k, n;
	bool eof;

	for (r = 0; r < SERVE_MSG_ROUNDS; r++) {
		n = msg_read(s, l->fd, len, from, fromlen, &eof, SQN_BATCH);
		for (k = 0; k < n; k++) {
			const uint8_t *b =
				s->msgbuf + (size_t)k * (SQN_FRAME_MAX + 1);
			bool hello = len[k] == 4 && !memcmp(b, "VFKT", 4);
			struct serve_port *p;

			p = dgram_port(s, l, &from[k], fromlen[k], hello);
			if (p && !hello)
				take_msg(s, p, b, len[k]);
		}
		uplink_flush(s);
		if (n < SQN_BATCH)
			return;
	}
}

/**
 * rx_allowed() - how many of a port's queued frames its rx limiter lets
 *		  leave now (each charged once, as it is first allowed)
 * @s:	serve
 * @p:	the port
 *
 * Return: records from the head of its queue, UINT32_MAX without a limit
 */
static unsigned rx_allowed(struct serve *s, struct serve_port *p)
{
	uint32_t h = (p->l->opt->kind == SQN_URL_UNIX ? 4 : 0) +
		     (p->vnet ? SQN_VNET_HDR_LEN : 0),
		 len;

	if (!sqn_rl_enabled(&p->rxl) && !p->rxl.blocked)
		return UINT32_MAX;
	if (sqn_rl_blocked(&p->rxl, s->now_ns))
		return p->rx_allowed;
	while (p->rx_allowed < p->txq.count &&
	       sqn_ring_peek_at(&p->txq, p->rx_allowed, &len)) {
		if (!sqn_rl_frame(&p->rxl, len - h, s->now_ns)) {
			p->st.rx_throttled++;
			break;
		}
		p->rx_allowed++;
	}
	return p->rx_allowed;
}

/**
 * rate_wait() - a port's limiter holds frames back: wake by its deadline
 * @s:	serve
 * @l:	the limiter
 */
static void rate_wait(struct serve *s, const struct sqn_rl *l)
{
	int ms = sqn_rl_wait_ms(l, s->now_ns);
	uint64_t due = s->now + (ms < 0 ? 0 : (uint64_t)ms);

	if (due < s->rate_due)
		s->rate_due = due;
	s->nthrottled++;
}

/**
 * tx_resume() - frames a port's tx limiter held back, as it now allows;
 *		 and the deadline of those it still holds
 * @s:	serve
 */
static void tx_resume(struct serve *s)
{
	unsigned i;

	if (!s->limits)
		return;
	for (i = 1; i <= s->o->max_ports; i++) {
		struct serve_port *p = &s->port[i];

		if (!p->used || !serve_port_tx_waits(p))
			continue;
		if (!sqn_rl_blocked(&p->txl, s->now_ns)) {
			if (p->pend) {
				stream_take(s, p);
			} else if (tx_allow(s, p, p->held_len)) {
				take_frame(s, p, p->held, p->held_len);
				p->held_len = 0;
				uplink_flush(s);
			}
		}
		if (p->used && serve_port_tx_waits(p))
			rate_wait(s, &p->txl);
	}
}

/**
 * flush_dirty() - send what the ports have queued, where sockets take it
 * @s:	serve
 *
 * Walks the list from its end, so a port taken off it (sent everything,
 * or gone) is replaced by one already seen.
 */
static void flush_dirty(struct serve *s)
{
	unsigned i = s->ndirty;

	s->retry_due = UINT64_MAX;
	while (i--) {
		struct serve_port *p = &s->port[s->dirty[i]];
		bool dgram = p->l->opt->kind == SQN_URL_UNIXGRAM;
		int rc;

		if (p->peer_full && s->now >= p->retry_at)
			p->blocked = p->peer_full = false;
		if (!p->blocked && !(dgram && p->l->blocked)) {
			rc = serve_port_flush(p, rx_allowed(s, p));
			if (rc < 0) {
				serve_close_port(s, p, "send: %s",
						 strerror(-rc));
				continue;
			}
			if (sqn_ring_empty(&p->txq)) {
				dirty_del(s, p);
				continue;
			}
			if (p->peer_full)
				p->retry_at = s->now + SERVE_PEER_RETRY_MS;
			/* frames the rx limiter holds back wait for it */
			if (p->rx_allowed < p->txq.count &&
			    sqn_rl_blocked(&p->rxl, s->now_ns))
				rate_wait(s, &p->rxl);
		}
		if (p->peer_full && p->retry_at < s->retry_due)
			s->retry_due = p->retry_at;
	}
}

/**
 * on_signals() - act on the signals queued
 * @s:	serve
 */
static void on_signals(struct serve *s)
{
	int sig;

	while ((sig = relay_sigq_next(&s->sigq)) > 0) {
		if (sig == SIGUSR1) {
			serve_print_stats(s, stderr);
			continue;
		}
		if (!s->stop)
			fprintf(stderr, "squib-net: serve: stopping (%s)\n",
				strsignal(sig));
		s->stop = true;
	}
}

/**
 * poll_add() - one entry of the poll set
 * @s:		serve
 * @fd:		the fd
 * @events:	what to wait for
 * @tag:	what it is
 */
static void poll_add(struct serve *s, int fd, short events, uint32_t tag)
{
	s->pfd[s->npfd] = (struct pollfd){.fd = fd, .events = events};
	s->ptag[s->npfd++] = tag;
}

/**
 * build_pollset() - everything to wait for this turn
 * @s:	serve
 */
static void build_pollset(struct serve *s)
{
	unsigned i;

	s->npfd = 0;
	poll_add(s, s->sigq.rfd, POLLIN, SERVE_TAG_SIG);
	if (s->up)
		poll_add(s, sqn_iface_fd(s->up), POLLIN, SERVE_TAG_UPLINK);
	for (i = 0; i < s->nlis; i++) {
		struct serve_listener *l = &s->lis[i];

		poll_add(s, l->fd, (short)(POLLIN | (l->blocked ? POLLOUT : 0)),
			 SERVE_TAG_LISTEN | i);
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		struct serve_port *p = &s->port[i];

		short ev;

		if (!p->used || p->l->opt->kind == SQN_URL_UNIXGRAM)
			continue;
		/* a frame held back by its tx limiter: the socket is not
		 * read (not even polled, or a hang-up would spin the loop)
		 * until tx_resume() took it */
		ev = (short)((serve_port_tx_waits(p) ? 0 : POLLIN) |
			     (p->blocked ? POLLOUT : 0));
		if (ev)
			poll_add(s, p->fd, ev, SERVE_TAG_PORT | i);
	}
	s->ctl_first = s->npfd;
	s->ctl_n = 0;
	if (s->ctl) {
		s->ctl_n = ctl_server_pollfds(s->ctl, s->pfd + s->npfd,
					      CTL_SERVER_MAX_FDS);
		for (i = 0; i < s->ctl_n; i++)
			s->ptag[s->npfd++] = SERVE_TAG_CTL;
	}
}

/**
 * on_ready() - act on one entry of the poll set that is ready
 * @s:		serve
 * @tag:	what it is
 * @rev:	its revents
 */
static void on_ready(struct serve *s, uint32_t tag, short rev)
{
	unsigned i = SERVE_TAG_INDEX(tag);
	struct serve_listener *l;
	struct serve_port *p;

	switch (SERVE_TAG_KIND(tag)) {
	case SERVE_TAG_SIG:
		on_signals(s);
		break;
	case SERVE_TAG_LISTEN:
		l = &s->lis[i];
		if (rev & POLLOUT)
			l->blocked = false;
		if (!(rev & POLLIN))
			break;
		if (l->opt->kind == SQN_URL_UNIXGRAM)
			dgram_read(s, l);
		else
			accept_all(s, l);
		break;
	case SERVE_TAG_PORT:
		p = &s->port[i];
		if (!p->used)
			break;
		if (rev & POLLOUT)
			p->blocked = false;
		if (!(rev & (POLLIN | POLLHUP | POLLERR)))
			break;
		if (p->l->opt->kind == SQN_URL_UNIX)
			stream_read(s, p);
		else
			seqpacket_read(s, p);
		break;
	default:
		break;
	}
}

/**
 * poll_timeout() - how long this turn's poll() may wait
 * @s:		serve
 * @up_due:	gets when the uplink must be read at the latest
 *		(UINT64_MAX: only when its fd is readable)
 *
 * Return: ms: until the next aging tick, datagram retry or uplink timer
 */
static int poll_timeout(struct serve *s, uint64_t *up_due)
{
	uint64_t t = s->next_age > s->now ? s->next_age - s->now : 0, d;
	int ut;

	if (s->retry_due != UINT64_MAX) {
		d = s->retry_due > s->now ? s->retry_due - s->now : 0;
		t = d < t ? d : t;
	}
	if (s->rate_due != UINT64_MAX) {
		d = s->rate_due > s->now ? s->rate_due - s->now : 0;
		t = d < t ? d : t;
	}
	t = (uint64_t)ctl_wait_ms((int)t, s->next_stats, s->now);
	if (s->ctl && ctl_server_timeout_ms(s->ctl) >= 0 &&
	    (uint64_t)ctl_server_timeout_ms(s->ctl) < t)
		t = (uint64_t)ctl_server_timeout_ms(s->ctl);
	*up_due = UINT64_MAX;
	if (s->up) {
		ut = sqn_iface_timeout_ms(s->up);
		if (ut >= 0) {
			*up_due = s->now + (uint64_t)ut;
			t = (uint64_t)ut < t ? (uint64_t)ut : t;
		}
	}
	return (int)t;
}

/**
 * serve_loop() - run until a terminating signal
 * @s:	serve, set up
 *
 * Return: 0, or a negative errno if poll() failed
 */
int serve_loop(struct serve *s)
{
	uint64_t up_due;
	unsigned i;
	int n;

	s->now = now_ms();
	s->now_ns = now_ns();
	s->next_age = s->now + SERVE_AGE_TICK_MS;
	s->retry_due = UINT64_MAX;
	s->rate_due = UINT64_MAX;
	if (s->o->m.stats_interval)
		s->next_stats =
			s->now + (uint64_t)s->o->m.stats_interval * 1000;
	while (!s->stop) {
		build_pollset(s);
		n = poll(s->pfd, s->npfd, poll_timeout(s, &up_due));
		if (n < 0 && errno != EINTR)
			return -errno;
		s->now = now_ms();
		s->now_ns = now_ns();
		for (i = 0; n > 0 && i < s->ctl_first; i++) {
			if (!s->pfd[i].revents)
				continue;
			if (SERVE_TAG_KIND(s->ptag[i]) == SERVE_TAG_UPLINK)
				up_due = 0;
			else
				on_ready(s, s->ptag[i], s->pfd[i].revents);
		}
		s->rate_due = UINT64_MAX;
		s->nthrottled = 0;
		tx_resume(s);
		if (s->up && s->now >= up_due)
			uplink_read(s);
		flush_dirty(s);
		if (s->ctl)
			ctl_server_dispatch(s->ctl, s->pfd + s->ctl_first,
					    s->ctl_n);
		if (ctl_stats_due(&s->next_stats, s->now,
				  (uint64_t)s->o->m.stats_interval * 1000))
			serve_stats_lines(s, stdout);
		if (s->now >= s->next_age) {
			sqn_sw_age(&s->sw, s->now);
			s->next_age = s->now + SERVE_AGE_TICK_MS;
		}
	}
	return 0;
}
