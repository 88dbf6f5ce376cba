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

#include "serve.h"

#define SERVE_TAG_SIG (1u << 24)
#define SERVE_TAG_UPLINK (2u << 24)
#define SERVE_TAG_LISTEN (3u << 24)
#define SERVE_TAG_PORT (4u << 24)
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
 * now_ms() - monotonic milliseconds
 *
 * Return: the time
 */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * dirty_add() - put a port with frames queued on the flush list
 * @s:	serve
 * @p:	the port
 */
static void dirty_add(struct serve *s, struct serve_port *p)
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
 * switch_frame() - one frame from port @in through the switch, to the
 *		    queues of the ports it goes to
 * @s:		serve
 * @in:		the port it came in on
 * @f:		the frame (stays valid until uplink_flush())
 * @len:	its length
 */
static void switch_frame(struct serve *s, unsigned in, const uint8_t *f,
			 uint32_t len)
{
	int n = sqn_sw_forward(&s->sw, in, f, len, s->now, &s->dest), i;

	for (i = 0; i < n; i++) {
		unsigned d = s->dest.port[i];

		if (d == SERVE_UPLINK) {
			s->up_tx[s->up_ntx++] = (struct sqn_frame){
				.data = (void *)f, .len = len};
			if (s->up_ntx == SQN_BATCH)
				uplink_flush(s);
		} else if (serve_port_queue(&s->port[d], f, len)) {
			dirty_add(s, &s->port[d]);
		}
	}
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
				     s->up_rx[i].len);
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
 * stream_read() - one large read of a stream port, every whole frame in it
 *		   through the switch
 * @s:	serve
 * @p:	the port
 */
static void stream_read(struct serve *s, struct serve_port *p)
{
	const uint8_t *f;
	uint32_t room, len;
	uint8_t *space;
	ssize_t n;
	int rc;

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
	while ((rc = sqn_wire_dec_next(&p->dec, &f, &len)) == 1) {
		p->st.in_frames++;
		p->st.in_bytes += len;
		switch_frame(s, p->id, f, len);
	}
	uplink_flush(s);
	if (rc == -EPROTO) {
		s->resets++;
		serve_close_port(s, p,
				 "reset: it sent a frame length of %u, not "
				 "14..%u",
				 len, SQN_FRAME_MAX);
	}
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
 *
 * Return: messages read, up to SQN_BATCH
 */
static unsigned msg_read(struct serve *s, int fd, uint32_t *len,
			 struct sockaddr_un *from, socklen_t *fromlen,
			 bool *eof)
{
	unsigned k;
	ssize_t n;

	*eof = false;
	for (k = 0; k < SQN_BATCH; k++) {
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
	p->st.in_frames++;
	p->st.in_bytes += len;
	switch_frame(s, p->id, b, len);
}

/**
 * seqpacket_read() - messages of a seqpacket port, one frame each
 * @s:	serve
 * @p:	the port
 */
static void seqpacket_read(struct serve *s, struct serve_port *p)
{
	uint32_t len[SQN_BATCH];
	unsigned r, k, n;
	bool eof;

	for (r = 0; r < SERVE_MSG_ROUNDS; r++) {
		n = msg_read(s, p->fd, len, NULL, NULL, &eof);
		for (k = 0; k < n; k++)
			take_msg(s, p,
				 s->msgbuf + (size_t)k * (SQN_FRAME_MAX + 1),
				 len[k]);
		uplink_flush(s);
		if (eof) {
			serve_close_port(s, p, "closed by the peer");
			return;
		}
		if (n < SQN_BATCH)
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
		n = msg_read(s, l->fd, len, from, fromlen, &eof);
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
			rc = serve_port_flush(p);
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

		if (p->used && p->l->opt->kind != SQN_URL_UNIXGRAM)
			poll_add(s, p->fd,
				 (short)(POLLIN | (p->blocked ? POLLOUT : 0)),
				 SERVE_TAG_PORT | i);
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
	s->next_age = s->now + SERVE_AGE_TICK_MS;
	s->retry_due = UINT64_MAX;
	while (!s->stop) {
		build_pollset(s);
		n = poll(s->pfd, s->npfd, poll_timeout(s, &up_due));
		if (n < 0 && errno != EINTR)
			return -errno;
		s->now = now_ms();
		for (i = 0; n > 0 && i < s->npfd; i++) {
			if (!s->pfd[i].revents)
				continue;
			if (SERVE_TAG_KIND(s->ptag[i]) == SERVE_TAG_UPLINK)
				up_due = 0;
			else
				on_ready(s, s->ptag[i], s->pfd[i].revents);
		}
		if (s->up && s->now >= up_due)
			uplink_read(s);
		flush_dirty(s);
		if (s->now >= s->next_age) {
			sqn_sw_age(&s->sw, s->now);
			s->next_age = s->now + SERVE_AGE_TICK_MS;
		}
	}
	return 0;
}
