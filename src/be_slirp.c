/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_slirp.c - slirp backend: libslirp's userspace TCP/IP stack in process
 *
 * Theory of operation
 *
 * libslirp owns no thread and no event loop: the embedder feeds it guest
 * frames (slirp_input), tells it which of its host sockets are ready
 * (slirp_pollfds_fill / slirp_pollfds_poll), runs its timers, and receives
 * frames for the guest through the send_packet callback. This file is that
 * embedder, driven entirely by the caller's sqn_iface_read() and
 * sqn_iface_write(), with no thread of its own:
 *
 * - Readiness. The interface's fd is an epoll (kqueue) set holding every
 *   socket libslirp currently wants polled, plus a waker that is set while
 *   frames wait in the RX ring (or when a write moved libslirp's next
 *   deadline earlier than the one the caller was given); once set, it is
 *   cleared only by a read that finds nothing, so steady traffic costs no
 *   eventfd system calls (waker_update()). After every call into libslirp
 *   the set is made to match what libslirp asks for, touching only the fds
 *   whose wishes changed (slirp_poll.c says how).
 *
 * - Servicing. sqn_iface_read() first hands over frames already queued;
 *   with room left it collects the ready sockets with a zero-timeout wait on
 *   the set and passes their events to slirp_pollfds_poll(), runs the
 *   timers that are due (slirp_poll.c too), and resynchronises the set.
 *   sqn_iface_timeout_ms() returns the earlier of the next timer and
 *   libslirp's own poll timeout (its TCP fast and slow timers).
 *
 * - RX, one copy. While a read is in progress, send_packet copies the frame
 *   straight into the caller's next free buffer. Frames produced outside a
 *   read (a reply to slirp_input on the writer thread), past the caller's
 *   last buffer, or larger than the next buffer go to a bounded ring
 *   (params.rx_queue_len, default 256) that drops its oldest frame when
 *   full, counted in rx_dropped. Once anything is in the ring, later frames
 *   queue behind it, so order is kept; a frame is never cut. With
 *   offloads on, a TCP data segment that continues the one just placed
 *   (same flow, next sequence number, room left) is appended to it in the
 *   caller's buffer (sqn_tcp_run_*(): libslirp's output is trusted, so
 *   nothing is checksummed but the new IP header); the run leaves as one GSO
 *   frame with a partial checksum. Frames that went to the ring (libslirp's
 *   output too) are merged the same way when they are drained.
 *
 * - TX. sqn_iface_write() hands the guest's frames to slirp_input() at
 *   once (merging runs of TCP segments first, tcp_coalesce.c), except pure
 *   ACKs: what libslirp sends on an ACK is the data it let into the
 *   window, and made during a write that could only be queued in the ring
 *   and copied again. So a pure ACK is held (a few, 128 bytes each) and
 *   input at the start of the next read, which the waker asks for; its
 *   answer then goes straight into the caller's buffers. A frame that is
 *   not a pure ACK is input only after the ACKs held before it.
 *
 * - Threads. One reader and one writer may run at once: one mutex per
 *   interface covers libslirp and everything its callbacks touch. libslirp
 *   itself keeps a few process-wide variables (its clock copy, the host DNS
 *   cache): two interfaces serviced on two threads race on them.
 *
 * - SIGPIPE. libslirp writes to host sockets with plain send(), which
 *   raises SIGPIPE on a connection the peer has closed. The caller's signal
 *   dispositions are never changed: if SIGPIPE is ignored (or handled) at
 *   start, nothing is done; if it is at its default (which would kill the
 *   process), every call into libslirp runs with SIGPIPE blocked in the
 *   calling thread and a SIGPIPE it raised is consumed before unblocking.
 *   That costs a few system calls per read or write call (not per frame);
 *   a program that ignores SIGPIPE, as servers usually do, skips it. An
 *   info message at start says which case applies.
 *
 * - Host MAC. libslirp answers ARP for its virtual hosts with 52:55 followed
 *   by the IPv4 address asked for, and sends every frame from 52:55 plus the
 *   gateway address: 52:55:0a:00:02:02 with the default network.
 *
 * libslirp itself prints some warnings to stderr through GLib's default log
 * handler; this library leaves the process-wide GLib handlers alone.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libslirp.h>

#include "internal.h"
#include "netopt.h"
#include "policy.h"
#include "ring.h"
#include "slirp_poll.h"
#include "csum.h"
#include "pkt.h"
#include "tcp_coalesce.h"
#include "waker.h"

/* The SlirpConfig version this file fills: 4 adds timer_new_opaque and
 * disable_dhcp, and needs libslirp 4.7. */
#define SLIRP_CFG_VERSION 4
#define SLIRP_NEED_MAJOR 4
#define SLIRP_NEED_MINOR 7
_Static_assert(SLIRP_CONFIG_VERSION_MAX >= SLIRP_CFG_VERSION,
	       "libslirp headers older than 4.7: SlirpConfig version 4 needed");

/* IF_MTU_MAX in libslirp 4.7 */
#define SLIRP_MTU_MAX 65521
/* the largest frame merged from a guest's TCP segments (tcp_coalesce.c) */
#define SLIRP_GRO_MAX (SLIRP_MTU_MAX + 14)
/* a guest's pure ACKs held for the next read: how many, how large */
#define SLIRP_HOLD_MAX 32
#define SLIRP_HOLD_LEN 128
#define SLIRP_TCP_URG 0x20

/**
 * struct slirp_be - backend state
 * @iface:	the interface, for logs and counters
 * @lock:	guards everything below and every libslirp call
 * @slirp:	the stack
 * @set:	the readiness set (the interface's fd) and libslirp's
 *		sockets in it
 * @waker:	set while @ring holds frames, or to make the caller re-read
 *		the timeout
 * @waker_set:	whether @waker is set (saves a system call per read)
 * @ring:	frames for the guest that no read was there to take
 * @max_frame:	largest frame either way
 * @rx_f:	while a read runs: the caller's buffers, else NULL
 * @rx_k:	next free buffer in @rx_f
 * @rx_n:	number of @rx_f
 * @in_read:	a read is servicing libslirp (the waker is settled at its end)
 * @run:	offloads on: the TCP run growing in @rx_f[@rx_k - 1]
 * @run_open:	@run is open
 * @slirp_deadline: when libslirp wants to be polled at the latest (ms)
 * @told_deadline: the deadline the caller was last given (ms)
 * @timers:	libslirp's timers
 * @guard_sigpipe: SIGPIPE is at its default: block it around libslirp
 * @guest_errors: guest errors libslirp reported, for rate-limited logs
 * @gro_buf:	a guest frame merged from segments, or completed
 * @offload:	offloads on (GSO frames and partial checksums both ways)
 * @hold:	the guest's pure ACKs, input at the next read (hold_flush())
 * @hold_len:	their lengths
 * @nhold:	how many
 * @opt:	the network's options, kept for forwards added at run time
 *		(slirp_forward()); its search list is cleared at start (it
 *		borrowed the params' strings)
 * @env:	its DNS and gateway, for the egress policy (slirp_policy_env())
 */
struct slirp_be {
	struct sqn_iface *iface;
	pthread_mutex_t lock;
	Slirp *slirp;
	struct sqn_slirp_set set;
	struct sqn_waker waker;
	bool waker_set;
	struct sqn_ring ring;
	uint32_t max_frame;

	struct sqn_frame *rx_f;
	unsigned rx_k;
	unsigned rx_n;
	bool in_read;
	struct sqn_tcp_run run;
	bool run_open;

	int64_t slirp_deadline;
	int64_t told_deadline;

	struct sqn_slirp_timers timers;

	bool guard_sigpipe;
	uint64_t guest_errors;

	uint8_t *gro_buf;
	bool offload;

	uint8_t hold[SLIRP_HOLD_MAX][SLIRP_HOLD_LEN];
	uint16_t hold_len[SLIRP_HOLD_MAX];
	unsigned nhold;
	struct sqn_netopt *opt;
	struct sqn_policy_env env;
};

/**
 * now_ns() - CLOCK_MONOTONIC in nanoseconds
 *
 * Return: nanoseconds
 */
static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/**
 * now_ms() - CLOCK_MONOTONIC in milliseconds, libslirp's timer scale
 *
 * Return: milliseconds
 */
static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/* ---- SIGPIPE guard ---- */

/**
 * struct pipe_guard - state of one guarded stretch of libslirp calls
 * @active:	the guard blocked SIGPIPE
 * @was_pending: SIGPIPE was pending before (not ours to consume)
 * @old:	the thread's signal mask before
 */
struct pipe_guard {
	bool active;
	bool was_pending;
	sigset_t old;
};

/**
 * guard_enter() - block SIGPIPE in this thread if the process would die of it
 * @be:	backend state
 * @g:	guard state
 */
static void guard_enter(const struct slirp_be *be, struct pipe_guard *g)
{
	sigset_t set, pend;

	g->active = be->guard_sigpipe;
	if (!g->active)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, &g->old);
	sigpending(&pend);
	g->was_pending = sigismember(&pend, SIGPIPE) == 1;
}

/**
 * guard_leave() - consume a SIGPIPE libslirp raised, restore the mask
 * @g:	guard state
 */
static void guard_leave(struct pipe_guard *g)
{
	static const struct timespec zero;
	sigset_t set, pend;

	if (!g->active)
		return;
	if (!g->was_pending && !sigpending(&pend) &&
	    sigismember(&pend, SIGPIPE) == 1) {
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		while (sigtimedwait(&set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* ---- RX: frames from libslirp ---- */

/**
 * waker_update() - make the waker match the ring (set while frames wait)
 * @be:		backend state, locked
 * @idle:	the caller is about to sleep (a read found nothing): only then
 *		is a set waker cleared
 *
 * While traffic flows, frames libslirp makes during a write (the ACKs for
 * what the guest sent, data on the guest's ACKs) would set and clear the
 * waker once per write: two system calls per round trip. Leaving it set
 * until a read comes back empty costs a caller that stops reading early one
 * extra empty read instead, and the fd still never sleeps while frames wait.
 */
static void waker_update(struct slirp_be *be, bool idle)
{
	bool want = !sqn_ring_empty(&be->ring);

	if (want && !be->waker_set) {
		sqn_waker_wake(&be->waker);
		be->waker_set = true;
	} else if (!want && idle && be->waker_set) {
		sqn_waker_clear(&be->waker);
		be->waker_set = false;
	}
}

/**
 * ring_push() - queue a frame, dropping the oldest ones while it is full
 * @be:		backend state, locked
 * @buf:	the frame
 * @len:	its length, at most max_frame
 */
static void ring_push(struct slirp_be *be, const void *buf, uint32_t len)
{
	unsigned dropped = 0;
	uint8_t *dst;

	while (!(dst = sqn_ring_reserve(&be->ring, len))) {
		if (sqn_ring_empty(&be->ring))
			break;
		sqn_ring_drop_oldest(&be->ring);
		dropped++;
	}
	if (dst) {
		memcpy(dst, buf, len);
		sqn_ring_commit(&be->ring, len, NULL);
	} else {
		dropped++;
	}
	if (dropped) {
		uint64_t total =
			SQN_STAT_ADD(be->iface, rx_dropped, dropped) + dropped;

		if (sqn_log_every(total))
			sqn_log(be->iface, SQN_LOG_WARN,
				"%s: slirp: RX queue full, oldest frames "
				"dropped (%llu so far): read faster or raise "
				"rx_queue_len",
				be->iface->id, (unsigned long long)total);
	}
	/* inside a read, the waker is settled when the read ends */
	if (!be->in_read && !be->waker_set)
		waker_update(be, false);
}

/**
 * rx_vnet() - the virtio-net header of a frame libslirp made, as it is
 * @be:		backend state
 * @h:		gets it
 *
 * libslirp fills in every checksum it sends, so with offloads on the guest
 * is told not to verify them again (VIRTIO_NET_HDR_F_DATA_VALID); a Linux
 * guest then skips a pass over every payload.
 */
static void rx_vnet(const struct slirp_be *be, struct sqn_vnet_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (be->offload)
		h->flags = SQN_VNET_HDR_F_DATA_VALID;
}

/**
 * run_close() - finish the TCP run in the caller's last buffer
 * @be:	backend state, locked, with a run open
 */
static void run_close(struct slirp_be *be)
{
	struct sqn_frame *d = &be->rx_f[be->rx_k - 1];

	d->len = sqn_tcp_run_finish(&be->run, d->data, &d->vnet);
	if (!d->vnet.flags)
		rx_vnet(be, &d->vnet);
	be->run_open = false;
}

/**
 * cb_send_packet() - SlirpCb.send_packet: a frame for the guest
 * @buf:	the frame
 * @len:	its length
 * @opaque:	backend state, locked (called from inside libslirp)
 *
 * Return: @len: the frame is taken, delivered, queued or dropped and
 * counted
 */
static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirp_be *be = opaque;
	struct sqn_frame *d;

	if (len < SQN_FRAME_MIN || len > be->max_frame) {
		uint64_t n = SQN_STAT_ADD(be->iface, rx_errors, 1) + 1;

		if (sqn_log_every(n))
			sqn_log(be->iface, SQN_LOG_WARN,
				"%s: slirp: dropped a %zu-byte frame from "
				"libslirp: frames are %d to %u bytes",
				be->iface->id, len, SQN_FRAME_MIN,
				be->max_frame);
		return (ssize_t)len;
	}
	if (be->run_open) {
		d = &be->rx_f[be->rx_k - 1];
		if (sqn_tcp_run_append(&be->run, d->data, d->cap, buf,
				       (uint32_t)len))
			return (ssize_t)len;
		run_close(be);
	}
	if (be->rx_f && be->rx_k < be->rx_n && sqn_ring_empty(&be->ring)) {
		d = &be->rx_f[be->rx_k];
		if (d->data && len <= d->cap) {
			memcpy(d->data, buf, len);
			d->len = (uint32_t)len;
			rx_vnet(be, &d->vnet);
			be->rx_k++;
			if (be->offload)
				be->run_open = sqn_tcp_run_start(
					&be->run, d->data, (uint32_t)len);
			return (ssize_t)len;
		}
	}
	ring_push(be, buf, (uint32_t)len);
	return (ssize_t)len;
}

/* ---- libslirp's sockets and timers (slirp_poll.c) ---- */

/**
 * sync_set() - make the readiness set match what libslirp asks for, and
 *		record libslirp's poll deadline
 * @be:	backend state, locked
 */
static void sync_set(struct slirp_be *be)
{
	uint32_t timeout = sqn_slirp_set_sync(&be->set, be->slirp);

	be->slirp_deadline = timeout == UINT32_MAX ? SQN_SLIRP_NO_DEADLINE
						   : now_ms() + timeout;
}

/**
 * cb_timer_new_opaque() - SlirpCb.timer_new_opaque
 * @id:		timer id for slirp_handle_timer()
 * @cb_opaque:	its argument
 * @opaque:	backend state
 *
 * Return: the timer, or NULL
 */
static void *cb_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct slirp_be *be = opaque;

	return sqn_slirp_timer_new(&be->timers, NULL, id, cb_opaque);
}

/**
 * cb_timer_new() - SlirpCb.timer_new (libslirp before config version 4)
 * @cb:		called when the timer fires
 * @cb_opaque:	its argument
 * @opaque:	backend state
 *
 * Return: the timer, or NULL
 */
static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_be *be = opaque;

	return sqn_slirp_timer_new(&be->timers, cb, 0, cb_opaque);
}

/**
 * cb_timer_free() - SlirpCb.timer_free
 * @timer:	the timer, may be NULL
 * @opaque:	backend state
 */
static void cb_timer_free(void *timer, void *opaque)
{
	struct slirp_be *be = opaque;

	sqn_slirp_timer_free(&be->timers, timer);
}

/**
 * cb_timer_mod() - SlirpCb.timer_mod: arm @timer for @expire_ms
 * @timer:	the timer, may be NULL
 * @expire_ms:	when, on the clock_get_ns() scale in milliseconds
 * @opaque:	backend state
 */
static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct slirp_be *be = opaque;

	sqn_slirp_timer_mod(&be->timers, timer, expire_ms);
}

/* ---- the other callbacks ---- */

/**
 * cb_clock_get_ns() - SlirpCb.clock_get_ns
 * @opaque:	backend state
 *
 * Return: CLOCK_MONOTONIC in nanoseconds
 */
static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

/**
 * cb_guest_error() - SlirpCb.guest_error: the guest sent something bad
 * @msg:	libslirp's message
 * @opaque:	backend state
 */
static void cb_guest_error(const char *msg, void *opaque)
{
	struct slirp_be *be = opaque;

	if (sqn_log_every(++be->guest_errors))
		sqn_log(be->iface, SQN_LOG_WARN,
			"%s: slirp: guest error: %s (%llu so far)",
			be->iface->id, msg,
			(unsigned long long)be->guest_errors);
}

/**
 * cb_register_poll_fd() - SlirpCb.register_poll_fd: nothing to do, fds
 *			   are added by the next fill
 * @fd:		the socket
 * @opaque:	backend state
 */
static void cb_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque;
}

/**
 * cb_unregister_poll_fd() - SlirpCb.unregister_poll_fd: @fd is closing
 * @fd:		the socket
 * @opaque:	backend state
 */
static void cb_unregister_poll_fd(int fd, void *opaque)
{
	struct slirp_be *be = opaque;

	sqn_slirp_set_drop(&be->set, fd);
}

/**
 * cb_notify() - SlirpCb.notify: libslirp has more to do; wake the reader
 * @opaque:	backend state
 */
static void cb_notify(void *opaque)
{
	struct slirp_be *be = opaque;

	if (!be->in_read && !be->waker_set) {
		sqn_waker_wake(&be->waker);
		be->waker_set = true;
	}
}

/**
 * cb_init_completed() - SlirpCb.init_completed
 * @slirp:	the new stack
 * @opaque:	backend state
 */
static void cb_init_completed(Slirp *slirp, void *opaque)
{
	struct slirp_be *be = opaque;

	be->slirp = slirp;
}

static const SlirpCb slirp_callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_register_poll_fd,
	.unregister_poll_fd = cb_unregister_poll_fd,
	.notify = cb_notify,
	.init_completed = cb_init_completed,
	.timer_new_opaque = cb_timer_new_opaque,
};

/* ---- backend operations ---- */

/**
 * check_version() - whether the installed libslirp takes our config version
 * @iface:	for the message
 *
 * Return: 0, or -ENOTSUP with the message set
 */
static int check_version(struct sqn_iface *iface)
{
	const char *v = slirp_version_string();
	int ok =
		sqn_netopt_slirp_version(v, SLIRP_NEED_MAJOR, SLIRP_NEED_MINOR);

	if (ok < 0)
		return sqn_seterr(iface, -ENOTSUP,
				  "slirp: libslirp reports version \"%s\", "
				  "which is not MAJOR.MINOR: cannot tell "
				  "whether it takes SlirpConfig version %d",
				  v ? v : "(null)", SLIRP_CFG_VERSION);
	if (!ok)
		return sqn_seterr(iface, -ENOTSUP,
				  "slirp: the installed libslirp is %s, but "
				  "this library fills SlirpConfig version %d, "
				  "which needs libslirp %d.%d or newer (it was "
				  "built against %s): install a newer libslirp",
				  v, SLIRP_CFG_VERSION, SLIRP_NEED_MAJOR,
				  SLIRP_NEED_MINOR, SLIRP_VERSION_STRING);
	return 0;
}

/**
 * slirp_validate() - check the slirp options before anything is opened
 * @iface:	for the message
 * @p:		parameters
 *
 * Return: 0 or -EINVAL
 */
static int slirp_validate(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_netopt *o;
	char err[SQN_MSG_LEN];
	uint32_t mtu = iface->mtu;
	int rc;

	if (mtu > SLIRP_MTU_MAX)
		return sqn_seterr(iface, -EINVAL,
				  "mtu %u is too large for slirp mode: "
				  "libslirp takes at most %d",
				  mtu, SLIRP_MTU_MAX);
	if (p->max_frame && p->max_frame < sqn_mtu_frame(mtu))
		return sqn_seterr(iface, -EINVAL,
				  "max_frame %u is smaller than mtu %u + %d "
				  "bytes of Ethernet header: leave it 0 in "
				  "slirp mode",
				  p->max_frame, mtu, SQN_FRAME_MIN);
	o = malloc(sizeof(*o));
	if (!o)
		return sqn_seterr(iface, -ENOMEM, "slirp: out of memory");
	rc = sqn_netopt_build(p, o, err, sizeof(err));
	free(o);
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	return 0;
}

/**
 * add_forwards() - open the host port forwards
 * @iface:	the interface
 * @be:		backend state
 * @o:		the options
 * @p:		parameters, for the messages
 *
 * Return: 0, or a negative errno with the message set
 */
static int add_forwards(struct sqn_iface *iface, struct slirp_be *be,
			const struct sqn_netopt *o, const struct sqn_params *p)
{
	char b[INET_ADDRSTRLEN];
	unsigned i;

	for (i = 0; i < o->n_fwd; i++) {
		const struct sqn_fwd *f = &o->fwd[i];
		int err;

		errno = 0;
		if (!slirp_add_hostfwd(be->slirp, f->udp, f->host, f->host_port,
				       f->guest, f->guest_port))
			continue;
		err = errno ? errno : EADDRINUSE;
		inet_ntop(AF_INET, &f->host, b, sizeof(b));
		return sqn_seterr(iface, -err,
				  "slirp: forward \"%s\": cannot listen on "
				  "%s %s:%u: %s",
				  p->forwards[i], f->udp ? "UDP" : "TCP", b,
				  f->host_port, strerror(err));
	}
	return 0;
}

/**
 * fill_config() - the SlirpConfig for @o
 * @cfg:	gets it
 * @o:		the options
 * @mtu:	the MTU
 */
static void fill_config(SlirpConfig *cfg, const struct sqn_netopt *o,
			uint32_t mtu)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = SLIRP_CFG_VERSION;
	cfg->restricted = o->restrict_out;
	cfg->in_enabled = true;
	cfg->vnetwork = o->net;
	cfg->vnetmask = o->mask;
	cfg->vhost = o->host;
	cfg->in6_enabled = o->ipv6;
	cfg->vprefix_addr6 = o->prefix6;
	cfg->vprefix_len = o->prefix6_len;
	cfg->vhost6 = o->host6;
	cfg->vdhcp_start = o->dhcp_start;
	cfg->vnameserver = o->dns;
	cfg->vnameserver6 = o->dns6;
	/* libslirp copies the list (translate_dnssearch) in slirp_new() */
	cfg->vdnssearch = o->n_search ? (const char **)o->search : NULL;
	cfg->if_mtu = mtu;
	cfg->if_mru = mtu;
	cfg->disable_host_loopback = false;
	cfg->enable_emu = false;
	cfg->disable_dns = false;
	cfg->disable_dhcp = false;
}

/**
 * sigpipe_is_default() - whether SIGPIPE would kill this process
 *
 * Return: true if its disposition is SIG_DFL
 */
static bool sigpipe_is_default(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa))
		return true;
	return !(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL;
}

/**
 * set_policy_env() - libslirp's own DNS and gateway, for the egress policy
 * @env:	filled
 * @o:		the options
 */
static void set_policy_env(struct sqn_policy_env *env,
			   const struct sqn_netopt *o)
{
	memset(env, 0, sizeof(*env));
	env->dns[env->n_dns].family = 4;
	memcpy(env->dns[env->n_dns++].a, &o->dns, 4);
	env->gw[env->n_gw].family = 4;
	memcpy(env->gw[env->n_gw++].a, &o->host, 4);
	if (!o->ipv6)
		return;
	env->dns[env->n_dns].family = 6;
	memcpy(env->dns[env->n_dns++].a, &o->dns6, 16);
	env->gw[env->n_gw].family = 6;
	memcpy(env->gw[env->n_gw++].a, &o->host6, 16);
}

/**
 * slirp_policy_env() - the DNS and gateway addresses libslirp answers on
 * @iface:	the interface
 * @env:	filled
 */
static void slirp_policy_env(struct sqn_iface *iface,
			     struct sqn_policy_env *env)
{
	const struct slirp_be *be = iface->be;

	*env = be->env;
}

/**
 * slirp_start() - start libslirp and its readiness set
 * @iface:	the interface
 * @p:		parameters
 *
 * Return: 0, or a negative errno with the message set; nothing is left
 * open on failure
 */
static int slirp_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	uint32_t qlen =
		p->rx_queue_len ? p->rx_queue_len : SQN_DEFAULT_QUEUE_LEN;
	struct sqn_netopt *o;
	struct slirp_be *be;
	SlirpConfig cfg;
	char err[SQN_MSG_LEN];
	int rc;

	rc = check_version(iface);
	if (rc)
		return rc;
	o = malloc(sizeof(*o));
	if (!o)
		return sqn_seterr(iface, -ENOMEM, "slirp: out of memory");
	rc = sqn_netopt_build(p, o, err, sizeof(err));
	if (rc) {
		sqn_seterr(iface, rc, "%s", err);
		goto out_opt;
	}

	/* mtu, max_frame and offload come resolved from the core (with
	 * offloads the guest takes and sends GSO frames of up to 64 KiB) */
	iface->host_mac[0] = 0x52;
	iface->host_mac[1] = 0x55;
	memcpy(&iface->host_mac[2], &o->host.s_addr, 4);

	be = calloc(1, sizeof(*be));
	if (!be) {
		rc = sqn_seterr(iface, -ENOMEM, "slirp: out of memory");
		goto out_opt;
	}
	be->iface = iface;
	be->offload = iface->offload;
	be->max_frame = iface->max_frame;
	sqn_slirp_timers_init(&be->timers, iface);
	be->slirp_deadline = SQN_SLIRP_NO_DEADLINE;
	be->told_deadline = SQN_SLIRP_NO_DEADLINE;
	be->guard_sigpipe = sigpipe_is_default();

	be->gro_buf = malloc(SLIRP_GRO_MAX);
	rc = be->gro_buf ? sqn_ring_init(&be->ring, qlen, iface->max_frame)
			 : -ENOMEM;
	if (rc) {
		sqn_seterr(iface, rc,
			   "slirp: no memory for an RX queue of %u frames of "
			   "%u bytes",
			   qlen, iface->max_frame);
		goto out_be;
	}
	rc = sqn_waker_open(&be->waker);
	if (rc) {
		sqn_seterr(iface, rc, "slirp: cannot create a wake-up fd: %s",
			   strerror(-rc));
		goto out_ring;
	}
	rc = sqn_slirp_set_open(&be->set, iface);
	if (rc) {
		sqn_seterr(iface, rc, "slirp: cannot create a poll set: %s",
			   strerror(-rc));
		goto out_waker;
	}
	rc = sqn_poller_add(&be->set.poller, be->waker.rfd, SQN_POLL_IN,
			    SQN_SLIRP_TAG_WAKER);
	if (rc) {
		sqn_seterr(iface, rc, "slirp: cannot poll the wake-up fd: %s",
			   strerror(-rc));
		goto out_poller;
	}
	pthread_mutex_init(&be->lock, NULL);

	fill_config(&cfg, o, iface->mtu);
	be->slirp = slirp_new(&cfg, &slirp_callbacks, be);
	if (!be->slirp) {
		rc = sqn_seterr(iface, -EINVAL,
				"slirp: libslirp %s refused the configuration "
				"(SlirpConfig version %d, mtu %u)",
				slirp_version_string(), SLIRP_CFG_VERSION,
				iface->mtu);
		goto out_lock;
	}
	rc = add_forwards(iface, be, o, p);
	if (rc)
		goto out_slirp;
	sync_set(be);
	set_policy_env(&be->env, o);

	iface->be = be;
	iface->fd = be->set.poller.fd;
	if (be->guard_sigpipe)
		sqn_log(iface, SQN_LOG_INFO,
			"%s: slirp: SIGPIPE is at its default action, so it "
			"is blocked around each libslirp call; ignore SIGPIPE "
			"in the process to save those system calls",
			iface->id);
	sqn_set_link(iface, true, "libslirp %s started",
		     slirp_version_string());
	o->search[0] = NULL;
	o->n_search = 0;
	be->opt = o;
	return 0;

out_slirp:
	slirp_cleanup(be->slirp);
out_lock:
	pthread_mutex_destroy(&be->lock);
out_poller:
	sqn_slirp_set_close(&be->set);
out_waker:
	sqn_waker_close(&be->waker);
out_ring:
	sqn_ring_free(&be->ring);
out_be:
	free(be->gro_buf);
	free(be);
out_opt:
	free(o);
	return rc;
}

/**
 * slirp_stop() - tear libslirp down and free everything
 * @iface:	the interface
 *
 * slirp_cleanup() closes every socket (unregistering each) and frees its
 * timers through the callbacks, so the set and the arrays outlive it.
 */
static void slirp_stop(struct sqn_iface *iface)
{
	struct slirp_be *be = iface->be;
	struct pipe_guard g;

	pthread_mutex_lock(&be->lock);
	guard_enter(be, &g);
	slirp_cleanup(be->slirp);
	guard_leave(&g);
	be->slirp = NULL;
	pthread_mutex_unlock(&be->lock);

	sqn_slirp_set_close(&be->set);
	sqn_waker_close(&be->waker);
	sqn_ring_free(&be->ring);
	free(be->gro_buf);
	free(be->opt);
	pthread_mutex_destroy(&be->lock);
	free(be);
	iface->be = NULL;
	iface->fd = -1;
}

/**
 * drain_merged() - with offloads on, append the queued segments that
 *		    continue the TCP run just copied into @f
 * @be:	backend state, locked
 * @f:	the caller's buffer, holding the ring's first frame (popped)
 *
 * The ring holds libslirp's own output, as trusted as what send_packet
 * places directly: the same run API merges it, with no checksum pass over
 * the payload (the run leaves as a GSO frame with a partial checksum).
 */
static void drain_merged(struct slirp_be *be, struct sqn_frame *f)
{
	struct sqn_tcp_run run;
	const uint8_t *src;
	uint32_t len;

	if (!sqn_tcp_run_start(&run, f->data, f->len))
		return;
	while ((src = sqn_ring_peek(&be->ring, &len, NULL)) &&
	       sqn_tcp_run_append(&run, f->data, f->cap, src, len))
		sqn_ring_pop(&be->ring);
	f->len = sqn_tcp_run_finish(&run, f->data, &f->vnet);
}

/**
 * drain_ring() - move queued frames into the caller's buffers
 * @be:	backend state, locked
 * @f:	caller buffers
 * @n:	how many
 *
 * Return: frames moved; stops at the first that does not fit
 */
static unsigned drain_ring(struct slirp_be *be, struct sqn_frame *f, unsigned n)
{
	const uint8_t *src;
	uint32_t len;
	unsigned i;

	for (i = 0; i < n; i++) {
		src = sqn_ring_peek(&be->ring, &len, NULL);
		if (!src)
			break;
		if (!f[i].data || len > f[i].cap) {
			if (i == 0)
				f[0].len = len;
			break;
		}
		memcpy(f[i].data, src, len);
		f[i].len = len;
		sqn_ring_pop(&be->ring);
		memset(&f[i].vnet, 0, sizeof(f[i].vnet));
		if (be->offload)
			drain_merged(be, &f[i]);
		if (!f[i].vnet.flags)
			rx_vnet(be, &f[i].vnet);
	}
	return i;
}

/**
 * copy_complete() - copy a guest frame, completing a checksum it left to us
 * @be:		backend state, locked
 * @f:		the frame
 * @dst:	where, room for @f->len bytes
 *
 * libslirp verifies checksums, so a partial one (offloads on) is completed
 * on the copy; a frame whose header puts it outside the frame is dropped
 * and counted.
 *
 * Return: true if @dst holds the frame, false if it was dropped
 */
static bool copy_complete(struct slirp_be *be, const struct sqn_frame *f,
			  uint8_t *dst)
{
	uint64_t e;

	memcpy(dst, f->data, f->len);
	if (!(f->vnet.flags & SQN_VNET_HDR_F_NEEDS_CSUM) ||
	    sqn_csum_complete(dst, f->len, &f->vnet) >= 0)
		return true;
	e = SQN_STAT_ADD(be->iface, tx_errors, 1) + 1;
	if (sqn_log_every(e))
		sqn_log(be->iface, SQN_LOG_WARN,
			"%s: slirp: dropped a frame whose virtio-net header "
			"puts its checksum outside it (start %u, offset %u, "
			"length %u)",
			be->iface->id, f->vnet.csum_start, f->vnet.csum_offset,
			f->len);
	return false;
}

/**
 * input_partial() - pass on a frame whose checksum the guest left to us
 *		     (offloads on: GSO and checksum-offloaded frames)
 * @be:	backend state, locked
 * @f:	the frame (the caller's: copied before it is completed)
 */
static void input_partial(struct slirp_be *be, const struct sqn_frame *f)
{
	if (f->len > SLIRP_GRO_MAX) {
		SQN_STAT_ADD(be->iface, tx_errors, 1);
		return;
	}
	if (copy_complete(be, f, be->gro_buf))
		slirp_input(be->slirp, be->gro_buf, (int)f->len);
}

/**
 * hold_flush() - input the pure ACKs held since the last read
 * @be:	backend state, locked, SIGPIPE guarded
 */
static void hold_flush(struct slirp_be *be)
{
	unsigned i;

	for (i = 0; i < be->nhold; i++)
		slirp_input(be->slirp, be->hold[i], be->hold_len[i]);
	be->nhold = 0;
}

/**
 * hold_frame() - keep a guest's pure ACK for the next read
 * @be:	backend state, locked, SIGPIPE guarded
 * @f:	the frame
 *
 * What libslirp sends on an ACK (the data the ACK let into the window) is
 * made inside the call that inputs it: during a write it can only be
 * queued, then copied again by the read; input at the start of the read,
 * it goes straight into the caller's buffers.
 *
 * Return: true if @f was held (or dropped, its checksum unusable), false
 * if it is to be input now
 */
static bool hold_frame(struct slirp_be *be, const struct sqn_frame *f)
{
	struct sqn_pkt pk;

	/* a TCP segment that only acknowledges: no payload, no SYN, FIN,
	 * RST or URG */
	if (f->len > SLIRP_HOLD_LEN || f->vnet.gso_type ||
	    sqn_pkt_parse(&pk, f->data, f->len) || pk.proto != SQN_PKT_TCP ||
	    !sqn_pkt_has_ports(&pk) || pk.frag || pk.plen ||
	    (pk.tcp_flags &
	     (SQN_PKT_SYN | SQN_PKT_FIN | SQN_PKT_RST | SLIRP_TCP_URG)) ||
	    !(pk.tcp_flags & SQN_PKT_ACK))
		return false;
	if (be->nhold == SLIRP_HOLD_MAX)
		hold_flush(be);
	if (copy_complete(be, f, be->hold[be->nhold]))
		be->hold_len[be->nhold++] = (uint16_t)f->len;
	return true;
}

/**
 * slirp_read() - deliver frames, servicing libslirp's sockets and timers
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		caller buffers
 * @n:		how many, at most SQN_BATCH
 *
 * Return: frames filled, or -EMSGSIZE when the first waiting frame does not
 * fit f[0] (f[0].len is its size)
 */
static int slirp_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		      unsigned n)
{
	struct slirp_be *be = iface->be;
	struct pipe_guard g;
	unsigned k;
	int rc;

	(void)q;
	if (n == 0)
		return 0;
	pthread_mutex_lock(&be->lock);
	k = drain_ring(be, f, n);
	if (k < n && sqn_ring_empty(&be->ring)) {
		int64_t now;

		be->rx_f = f;
		be->rx_k = k;
		be->rx_n = n;
		/* what the service pass sends may continue the last frame the
		 * writer queued (libslirp sends on the guest's ACKs too) */
		if (be->offload && k && !f[k - 1].vnet.gso_type)
			be->run_open = sqn_tcp_run_start(
				&be->run, f[k - 1].data, f[k - 1].len);
		be->in_read = true;
		guard_enter(be, &g);
		hold_flush(be); /* its answer goes to the caller's buffers */
		sqn_slirp_set_poll(&be->set, be->slirp);
		now = now_ms();
		sqn_slirp_timers_run(&be->timers, be->slirp, now);
		sync_set(be);
		guard_leave(&g);
		if (be->run_open)
			run_close(be);
		k = be->rx_k;
		be->rx_f = NULL;
		be->in_read = false;
	} else if (be->nhold) { /* no room: what it answers is queued */
		guard_enter(be, &g);
		hold_flush(be);
		sync_set(be);
		guard_leave(&g);
	}
	rc = (k == 0 && !sqn_ring_empty(&be->ring)) ? -EMSGSIZE : (int)k;
	waker_update(be, k == 0);
	pthread_mutex_unlock(&be->lock);
	if (rc == -EMSGSIZE)
		sqn_seterr(iface, rc,
			   "%s: read: the next frame is %u bytes, the buffer "
			   "holds %u",
			   iface->id, f[0].len, f[0].cap);
	return rc;
}

/**
 * slirp_write() - hand guest frames to libslirp
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		frames, all valid
 * @n:		how many
 *
 * Replies libslirp makes at once (ARP, ICMP to the gateway, DHCP) go to the
 * RX ring and wake the reader. Pure TCP ACKs are held for the next read
 * (hold_frame()), which the waker calls for; what comes after one in the
 * same call is input only once it is, so the order holds. If the frames
 * made libslirp want an earlier poll than the caller was told, the reader
 * is woken to ask again.
 *
 * Return: @n
 */
static int slirp_write(struct sqn_iface *iface, unsigned q,
		       const struct sqn_frame *f, unsigned n)
{
	struct slirp_be *be = iface->be;
	struct pipe_guard g;
	bool input = false;
	unsigned i;

	(void)q;
	pthread_mutex_lock(&be->lock);
	guard_enter(be, &g);
	for (i = 0; i < n;) {
		uint32_t len;
		unsigned k;

		if (hold_frame(be, &f[i])) {
			i++;
			continue;
		}
		hold_flush(be); /* they came first */
		input = true;
		if (f[i].vnet.flags & SQN_VNET_HDR_F_NEEDS_CSUM) {
			input_partial(be, &f[i]);
			i++;
			continue;
		}
		k = sqn_tcp_coalesce(f + i, n - i, be->gro_buf, SLIRP_GRO_MAX,
				     &len, NULL);
		if (k > 1)
			slirp_input(be->slirp, be->gro_buf, (int)len);
		else
			slirp_input(be->slirp, f[i].data, (int)f[i].len);
		i += k;
	}
	if (input)
		sync_set(be);
	guard_leave(&g);
	if (be->nhold ||
	    SQN_MIN(be->slirp_deadline, be->timers.next) < be->told_deadline) {
		be->told_deadline = SQN_SLIRP_NO_DEADLINE;
		if (!be->waker_set) {
			sqn_waker_wake(&be->waker);
			be->waker_set = true;
		}
	}
	pthread_mutex_unlock(&be->lock);
	return (int)n;
}

/**
 * slirp_timeout_ms() - time until libslirp needs a read at the latest
 * @iface:	the interface
 *
 * Return: milliseconds, 0 if overdue; never -1: libslirp always has a
 * deadline (at most one second away)
 */
static int slirp_timeout_ms(struct sqn_iface *iface)
{
	struct slirp_be *be = iface->be;
	int64_t d, now;

	pthread_mutex_lock(&be->lock);
	d = SQN_MIN(be->slirp_deadline, be->timers.next);
	be->told_deadline = d;
	pthread_mutex_unlock(&be->lock);
	if (d == SQN_SLIRP_NO_DEADLINE)
		return -1;
	now = now_ms();
	if (d <= now)
		return 0;
	return d - now > INT32_MAX ? INT32_MAX : (int)(d - now);
}

/**
 * slirp_forward() - add or remove a host port forward at run time
 * @iface:	the interface
 * @spec:	"tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport"
 * @add:	add (listen now), else remove (stop listening; connections
 *		already forwarded go on)
 *
 * Return: 0, or a negative errno with the message set: -EINVAL for a bad
 * @spec, what listening failed with, -ENOENT for no such forward
 */
static int slirp_forward(struct sqn_iface *iface, const char *spec, bool add)
{
	struct slirp_be *be = iface->be;
	char err[SQN_MSG_LEN], b[INET_ADDRSTRLEN];
	struct pipe_guard g;
	struct sqn_fwd f;
	int rc;

	rc = sqn_netopt_fwd(be->opt, spec, &f, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s: slirp: %s", iface->id, err);
	inet_ntop(AF_INET, &f.host, b, sizeof(b));
	pthread_mutex_lock(&be->lock);
	guard_enter(be, &g);
	errno = 0;
	if (add)
		rc = slirp_add_hostfwd(be->slirp, f.udp, f.host, f.host_port,
				       f.guest, f.guest_port)
			     ? -(errno ? errno : EADDRINUSE)
			     : 0;
	else
		rc = slirp_remove_hostfwd(be->slirp, f.udp, f.host, f.host_port)
			     ? -ENOENT
			     : 0;
	/* the new listening socket joins the readiness set */
	sync_set(be);
	guard_leave(&g);
	pthread_mutex_unlock(&be->lock);
	if (rc == -ENOENT)
		return sqn_seterr(iface, rc,
				  "%s: slirp: forward \"%s\": no %s forward "
				  "listens on %s:%u",
				  iface->id, spec, f.udp ? "UDP" : "TCP", b,
				  f.host_port);
	if (rc)
		return sqn_seterr(iface, rc,
				  "%s: slirp: forward \"%s\": cannot listen on "
				  "%s %s:%u: %s",
				  iface->id, spec, f.udp ? "UDP" : "TCP", b,
				  f.host_port, strerror(-rc));
	sqn_log(iface, SQN_LOG_INFO, "%s: slirp: forward \"%s\" %s", iface->id,
		spec, add ? "added" : "removed");
	return 0;
}

/**
 * slirp_ready_add() - an fd of the core's in the interface's readiness set
 * @iface:	the interface, started
 * @q:		the queue (slirp has one)
 * @fd:		the fd: readable while the core holds frames for the guest
 *
 * Tagged as the waker, which sqn_slirp_set_poll() skips.
 *
 * Return: 0 or a negative errno
 */
static int slirp_ready_add(struct sqn_iface *iface, unsigned q, int fd)
{
	struct slirp_be *be = iface->be;

	(void)q;
	return sqn_poller_add(&be->set.poller, fd, SQN_POLL_IN,
			      SQN_SLIRP_TAG_WAKER);
}

const struct sqn_backend_ops sqn_be_slirp = {
	.name = "slirp",
	.validate = slirp_validate,
	.start = slirp_start,
	.stop = slirp_stop,
	.read = slirp_read,
	.write = slirp_write,
	.timeout_ms = slirp_timeout_ms,
	.policy_env = slirp_policy_env,
	.ready_add = slirp_ready_add,
	.forward = slirp_forward,
};
