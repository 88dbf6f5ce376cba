/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.c - one helper connection: framing, queues, readiness, restarts
 *
 * Theory of operation: the userspace backend (a helper child on a
 * socketpair) and the socket backend (a helper's listening socket) differ
 * only in how a connection is made and ended (struct sqn_tp_ops); this file
 * does everything else.
 *
 * Readiness: the interface's fd is a poller over the socket, the helper's
 * pidfd and stderr pipe, and a waker. It turns readable when the helper
 * sends, exits or writes a log line, when queued frames can leave, or when
 * whole frames wait in the receive buffer; sqn_iface_read() services all
 * of these. The waker is set and cleared only when that changes (a flag
 * says whether it is set), so a read costs no system call for it.
 *
 * RX (reader thread only): frames are decoded in place in one large receive
 * buffer and copied once, straight into the caller's buffers. A stream is
 * read ahead of the caller, up to SQN_TP_READ_AHEAD: frames it has no room
 * for wait in the receive buffer (where they never move: wire.c), then in
 * the socket, and the next read hands them over first, without a system
 * call. A read shorter than the room it had drained the socket: no second
 * read to learn that it is empty. A helper faster than the guest is thus
 * held back, once both are full, by its socket, as a VMM's stream netdev
 * holds it back, and nothing is dropped here. The read-ahead is for
 * helpers that do not take being held back: passt of 2023-03 drops the
 * frames a short send to its full socket leaves out, then goes back to
 * the first byte missing on two duplicate ACKs and sends the window again,
 * again and again; host to guest over a socket, where its send buffer is
 * its own 8 MiB, that stalled TCP at 0.1 Gbit/s within a few seconds of a
 * bulk transfer. (A
 * queue that drops its oldest frame instead cost most of the throughput
 * the same way.) Each read does a bounded amount of work (a few large
 * reads) so a flooding helper cannot starve the caller.
 * A stream length outside 14..max or a connection closed in the middle of a
 * frame resets the connection (rx_errors, conn_resets, a message); a bad
 * datagram is only dropped and counted, as message boundaries survive it.
 *
 * TX (writer thread, under tx_lock): with nothing queued, the caller's
 * frames go out in one sendmsg() (header and frame iovecs, no copy). What
 * the socket does not take now (EAGAIN, or the rest of a frame cut by a
 * short write) is copied, framed, into a bounded TX queue; once that is
 * full, further frames are dropped and the core counts them. Writability is
 * watched only while the queue is not empty, and the reader thread flushes
 * it when the poller says so. The writer never blocks.
 *
 * Failures: when the connection ends (helper exit seen on the pidfd, EOF,
 * a protocol violation, a send error), the socket is closed at once and
 * what the TX queue held is lost with it (those frames stay counted in
 * tx_frames, like frames lost in a socket buffer; the log says how many).
 * Nothing here waits for the helper: a helper that has exited is reaped
 * with WNOHANG; one that still runs is waited for through its pidfd (or a
 * short waitpid() timer) for at most 100 ms, while the link stays up and
 * writes are dropped and counted, then killed (SIGKILL) and reaped whenever
 * it goes. The link goes down with the reason (and how the helper ended,
 * once known), and, if restarts are on, a reconnection is scheduled with
 * exponential backoff (100 ms doubling to 5 s) that sqn_iface_timeout_ms()
 * reports and sqn_iface_read() carries out, once the old helper is reaped.
 *
 * Wake-ups: the writer thread stores tx_broken before it sets the waker;
 * the reader clears the waker and then looks at tx_broken again, so a
 * failure the writer saw is never lost between the two threads.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "transport.h"
#include "vnet.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket */
#endif

/* Reads per sqn_iface_read(): bounds the work of one call */
#define SQN_TP_READ_ROUNDS 4
/* Reads served from the receive buffer alone before the poller is asked */
#define SQN_TP_SERVICE_EVERY 64
/* Datagrams per sqn_iface_read() */
#define SQN_TP_DGRAM_ROUNDS 256
/* Records per flush sendmsg() */
#define SQN_TP_FLUSH_BATCH 64
/* How long a helper whose connection ended may take to exit */
#define SQN_TP_EXIT_WAIT_MS 100
/* waitpid() polling period without a pidfd; shorter while waiting for exit */
#define SQN_TP_WAITPOLL_MS 50
#define SQN_TP_WAITPOLL_END_MS 10

/**
 * sqn_tp_now_ms() - monotonic milliseconds
 *
 * Return: ms since an arbitrary point
 */
uint64_t sqn_tp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * sqn_tp_open() - allocate a transport with no connection yet
 * @iface:	the interface
 * @out:	gets the transport
 * @ops:	connect and teardown
 * @wire:	framing
 * @max:	largest frame
 * @p:		parameters (the TX queue's length)
 *
 * Return: 0 or a negative errno with the message set
 */
int sqn_tp_open(struct sqn_iface *iface, struct sqn_transport **out,
		const struct sqn_tp_ops *ops, enum sqn_wire_kind wire,
		uint32_t max, const struct sqn_params *p)
{
	uint32_t txlen =
		p->tx_queue_len ? p->tx_queue_len : SQN_DEFAULT_QUEUE_LEN;
	uint32_t hlen = sqn_wire_hdr_len(wire);
	uint32_t cap = (wire == SQN_WIRE_DGRAM ? SQN_TP_READ_SIZE
					       : SQN_TP_READ_AHEAD) +
		       hlen + max + 1;
	struct sqn_transport *t;
	int rc;

	t = calloc(1, sizeof(*t));
	if (!t)
		return sqn_seterr(iface, -ENOMEM, "%s: out of memory",
				  iface->id);
	t->iface = iface;
	t->ops = ops;
	t->wire = wire;
	t->max = max;
	t->sock = -1;
	t->poller.fd = -1;
	t->waker.rfd = t->waker.wfd = -1;
	t->backoff_ms = SQN_TP_BACKOFF_MIN_MS;
	t->tries_max = p->reconnect_max;
	sqn_helper_init(&t->helper);
	sqn_dgram_local_init(&t->local);
	pthread_mutex_init(&t->tx_lock, NULL);

	rc = -ENOMEM;
	t->rxbuf = malloc(cap);
	if (!t->rxbuf || sqn_ring_init(&t->txq, txlen, max + hlen)) {
		sqn_seterr(iface, rc, "%s: no memory for the frame queues",
			   iface->id);
		goto out_free;
	}
	sqn_wire_dec_init(&t->dec, wire, max, t->rxbuf, cap);

	rc = sqn_poller_open(&t->poller);
	if (rc) {
		sqn_seterr(iface, rc, "%s: cannot create a poller: %s",
			   iface->id, strerror(-rc));
		goto out_free;
	}
	rc = sqn_waker_open(&t->waker);
	if (rc) {
		sqn_seterr(iface, rc, "%s: cannot create a wake-up fd: %s",
			   iface->id, strerror(-rc));
		goto out_free;
	}
	rc = sqn_poller_add(&t->poller, t->waker.rfd, SQN_POLL_IN,
			    SQN_TP_TAG_WAKER);
	if (rc) {
		sqn_seterr(iface, rc, "%s: cannot watch the wake-up fd: %s",
			   iface->id, strerror(-rc));
		goto out_free;
	}
	*out = t;
	return 0;

out_free:
	sqn_tp_close(t);
	return rc;
}

/**
 * sqn_tp_close() - free a transport whose connection is down
 * @t:	the transport
 */
void sqn_tp_close(struct sqn_transport *t)
{
	sqn_waker_close(&t->waker);
	sqn_poller_close(&t->poller);
	sqn_ring_free(&t->txq);
	free(t->rxbuf);
	free(t->argstore);
	pthread_mutex_destroy(&t->tx_lock);
	free(t);
}

/**
 * helper_line() - log one stderr line of the helper, and keep it if it may
 *		   explain an exit (the first line, the last two)
 * @opaque:	the transport
 * @line:	the line
 */
static void helper_line(void *opaque, const char *line)
{
	struct sqn_transport *t = opaque;

	sqn_log(t->iface, SQN_LOG_INFO, "%s: %s: %s", t->iface->id,
		t->helper_name, line);
	if (t->err_n == 0)
		snprintf(t->err_first, sizeof(t->err_first), "%s", line);
	else
		snprintf(t->err_last[(t->err_n - 1) % 2],
			 sizeof(t->err_last[0]), "%s", line);
	t->err_n++;
}

/**
 * stderr_tail() - what the helper said on stderr, for a message
 * @t:		the transport
 * @buf:	gets "; its stderr: \"first\" ... \"last but one\" \"last\"",
 *		or "" when it said nothing
 * @len:	its size
 */
static void stderr_tail(const struct sqn_transport *t, char *buf, size_t len)
{
	unsigned n = t->err_n;

	buf[0] = '\0';
	if (!n)
		return;
	if (n == 1)
		snprintf(buf, len, "; its stderr: \"%s\"", t->err_first);
	else if (n == 2)
		snprintf(buf, len, "; its stderr: \"%s\" \"%s\"", t->err_first,
			 t->err_last[0]);
	else
		snprintf(buf, len, "; its stderr: \"%s\"%s \"%s\" \"%s\"",
			 t->err_first, n > 3 ? " ..." : "",
			 t->err_last[(n - 3) % 2], t->err_last[(n - 2) % 2]);
}

/**
 * drain_stderr() - log what the helper wrote; close the pipe at its end
 * @t:		the transport
 * @force:	close the pipe even if it has not ended
 */
static void drain_stderr(struct sqn_transport *t, bool force)
{
	if (t->helper.errfd < 0)
		return;
	if (sqn_helper_read_stderr(&t->helper, helper_line, t) || force) {
		sqn_poller_del(&t->poller, t->helper.errfd);
		close(t->helper.errfd);
		t->helper.errfd = -1;
	}
}

/**
 * sqn_tp_socket_buffers() - large buffers on our end of a connection; say
 *			     once when the kernel gave less
 * @t:	the transport
 * @fd:	our socket
 */
void sqn_tp_socket_buffers(struct sqn_transport *t, int fd)
{
	long got = sqn_socket_buffers(fd);

	if (t->wire == SQN_WIRE_U32BE) /* passt's reads: see sock.h */
		sqn_socket_sndbuf(fd, SQN_STREAM_SNDBUF);
	if (got < 0 || got >= SQN_HELPER_SOCKBUF || t->buf_warned)
		return;
	t->buf_warned = true;
	/* information, not a warning: every unprivileged run would show it,
	 * and nothing is wrong until a flood actually fills them */
	sqn_log(t->iface, SQN_LOG_INFO,
		"%s: socket buffers toward %s are %ld KiB, not the %d KiB "
		"asked for: the kernel caps them (net.core.wmem_max, "
		"net.core.rmem_max) without CAP_NET_ADMIN; frames may be "
		"dropped under load",
		t->iface->id, t->helper_name, got / 1024,
		SQN_HELPER_SOCKBUF / 1024);
}

/**
 * sqn_tp_watch_helper() - watch a helper just spawned: pidfd and stderr
 * @t:	the transport, with t->helper running
 *
 * Called before the socket is attached, so that the helper's exit is
 * noticed (and it is reaped) whatever happens to the connection. A pidfd
 * that cannot be watched is given up for waitpid() polling.
 */
void sqn_tp_watch_helper(struct sqn_transport *t)
{
	if (t->helper.pidfd >= 0 &&
	    sqn_poller_add(&t->poller, t->helper.pidfd, SQN_POLL_IN,
			   SQN_TP_TAG_PIDFD)) {
		close(t->helper.pidfd);
		t->helper.pidfd = -1;
	}
	if (t->helper.errfd >= 0 &&
	    sqn_poller_add(&t->poller, t->helper.errfd, SQN_POLL_IN,
			   SQN_TP_TAG_STDERR)) {
		close(t->helper.errfd);
		t->helper.errfd = -1;
	}
	t->next_waitpoll = 0;
	t->exit_known = false;
	t->err_n = 0;
}

/**
 * sqn_tp_attach() - make @sock the connection
 * @t:		the transport, down
 * @sock:	the connected socket, non-blocking
 *
 * Return: 0 or a negative errno (nothing registered)
 */
int sqn_tp_attach(struct sqn_transport *t, int sock)
{
	int rc;

	rc = sqn_poller_add(&t->poller, sock, SQN_POLL_IN, SQN_TP_TAG_SOCK);
	if (rc)
		return rc;
	sqn_wire_dec_reset(&t->dec);
	atomic_store(&t->tx_broken, 0);
	t->helper_gone = false;
	pthread_mutex_lock(&t->tx_lock);
	t->sock = sock;
	t->sock_out = false;
	t->tx_off = 0;
	pthread_mutex_unlock(&t->tx_lock);
	return 0;
}

/**
 * sqn_tp_first_connect() - connect at start; failure fails the start
 * @t:	the transport
 *
 * Return: 0 or a negative errno with the message set
 */
int sqn_tp_first_connect(struct sqn_transport *t)
{
	char err[SQN_MSG_LEN], tail[3 * SQN_TP_TAIL_LEN + 32];
	int rc;

	err[0] = '\0';
	rc = t->ops->connect(t, err, sizeof(err));
	if (rc) {
		/* start may wait: leave nothing running */
		if (t->helper.pidfd >= 0)
			sqn_poller_del(&t->poller, t->helper.pidfd);
		sqn_helper_kill(&t->helper, NULL);
		drain_stderr(t, true);
		stderr_tail(t, tail, sizeof(tail));
		return sqn_seterr(t->iface, rc, "%s: %s%s", t->iface->id, err,
				  tail);
	}
	return 0;
}

/**
 * tp_reap() - reap the helper if it has exited, without waiting
 * @t:		the transport
 * @record:	keep its wait status for the link-down message
 *
 * Return: true when no helper is left (reaped now or before)
 */
static bool tp_reap(struct sqn_transport *t)
{
	pid_t pid = t->helper.pid;
	int st = 0;

	if (!pid)
		return true;
	if (t->helper.pidfd >= 0) {
		struct pollfd pfd = {.fd = t->helper.pidfd, .events = POLLIN};

		/* readable once it is a zombie: only then stop watching */
		if (poll(&pfd, 1, 0) <= 0)
			return false;
		sqn_poller_del(&t->poller, t->helper.pidfd);
	}
	if (!sqn_helper_poll_exit(&t->helper, 0, &st))
		return false; /* cannot happen with a readable pidfd */
	t->exit_known = true;
	t->exit_pid = pid;
	t->exit_status = st;
	return true;
}

/**
 * tp_wake() - set the waker, unless it is set (reader thread)
 * @t:	the transport
 */
static void tp_wake(struct sqn_transport *t)
{
	if (!atomic_load(&t->waker_on)) {
		sqn_waker_wake(&t->waker);
		atomic_store(&t->waker_on, true);
	}
}

/**
 * tp_wake_writer() - set the waker from the writer thread
 * @t:	the transport
 *
 * Always a system call: the writer only wakes the reader on a failure.
 */
static void tp_wake_writer(struct sqn_transport *t)
{
	sqn_waker_wake(&t->waker);
	atomic_store(&t->waker_on, true);
}

/**
 * tp_unwake() - clear the waker if it was set (reader thread)
 * @t:	the transport
 *
 * A waker set after @t->waker_on was read stays set until the next read:
 * one spare wake-up, never a lost one (see sqn_tp_read()).
 */
static void tp_unwake(struct sqn_transport *t)
{
	if (atomic_exchange(&t->waker_on, false))
		sqn_waker_clear(&t->waker);
}

/**
 * tp_finish() - the connection has ended: link down, maybe reconnect
 * @t:		the transport, its socket closed
 * @why:	why it ended
 */
static void tp_finish(struct sqn_transport *t, const char *why)
{
	char how[SQN_MSG_LEN], st[64], tail[3 * SQN_TP_TAIL_LEN + 32];

	how[0] = '\0';
	drain_stderr(t, true);
	/* what it said comes last: the reason's start stays as it was */
	stderr_tail(t, tail, sizeof(tail));
	if (t->exit_known) {
		sqn_helper_describe_exit(t->exit_status, st, sizeof(st));
		snprintf(how, sizeof(how), "%s (pid %d) %s", t->helper_name,
			 (int)t->exit_pid, st);
	} else if (t->helper.pid) {
		/* killed, reaped once it is gone (pidfd or waitpid timer) */
		snprintf(how, sizeof(how),
			 "%s (pid %d) did not exit within %d ms: killed "
			 "(SIGKILL)",
			 t->helper_name, (int)t->helper.pid,
			 SQN_TP_EXIT_WAIT_MS);
	}
	t->exit_known = false;
	t->ending = false;

	if (t->restart && t->tries_max && t->tries >= t->tries_max) {
		t->restart_at = 0;
		sqn_set_link(t->iface, false,
			     "%s%s%s; gave up after %u reconnection attempts%s",
			     why, how[0] ? ", " : "", how, t->tries, tail);
	} else if (t->restart) {
		t->restart_at = sqn_tp_now_ms() + t->backoff_ms;
		sqn_set_link(t->iface, false, "%s%s%s; reconnecting in %u ms%s",
			     why, how[0] ? ", " : "", how, t->backoff_ms, tail);
	} else {
		t->restart_at = 0;
		sqn_set_link(t->iface, false, "%s%s%s%s", why,
			     how[0] ? ", " : "", how, tail);
	}
	tp_wake(t);
}

/**
 * tp_down() - end the connection: close it, then reap the helper and take
 *	       the link down, now or once the helper has exited
 * @t:		the transport, connected
 * @hard:	kill the helper at once (it broke the protocol)
 * @fmt:	printf format of the reason, then its arguments
 *
 * Never waits: a helper still running gets SQN_TP_EXIT_WAIT_MS to exit on
 * its own (it sees EOF), watched by service(), which then kills it.
 */
static void tp_down(struct sqn_transport *t, bool hard, const char *fmt, ...)
	SQN_PRINTF(3, 4);
static void tp_down(struct sqn_transport *t, bool hard, const char *fmt, ...)
{
	char why[SQN_MSG_LEN];
	uint32_t lost;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&t->tx_lock);
	if (t->sock >= 0) {
		sqn_poller_del(&t->poller, t->sock);
		close(t->sock);
	}
	t->sock = -1;
	t->sock_out = false;
	lost = t->txq.count;
	while (!sqn_ring_empty(&t->txq))
		sqn_ring_pop(&t->txq);
	t->tx_off = 0;
	pthread_mutex_unlock(&t->tx_lock);
	/* they were counted in tx_frames when written: not again */
	if (lost)
		sqn_log(t->iface, SQN_LOG_WARN,
			"%s: %u frames in the TX queue were lost with the "
			"connection to %s",
			t->iface->id, lost, t->helper_name);
	sqn_wire_dec_reset(&t->dec);
	t->helper_gone = false;

	if (t->helper.pid) {
		t->end_killed = hard;
		if (hard)
			sqn_helper_signal_kill(&t->helper);
		if (!tp_reap(t)) {
			snprintf(t->end_why, sizeof(t->end_why), "%s", why);
			t->end_at = sqn_tp_now_ms() + SQN_TP_EXIT_WAIT_MS;
			t->next_waitpoll = 0;
			t->ending = true;
			return;
		}
	}
	tp_finish(t, why);
}

/**
 * tp_ending() - wait for the helper of an ended connection, kill it late
 * @t:	the transport, t->ending
 */
static void tp_ending(struct sqn_transport *t)
{
	if (tp_reap(t)) {
		tp_finish(t, t->end_why);
		return;
	}
	if (sqn_tp_now_ms() < t->end_at)
		return;
	if (!t->end_killed)
		sqn_helper_signal_kill(&t->helper);
	tp_finish(t, t->end_why);
}

/**
 * tp_reconnect() - try to bring the connection back
 * @t:	the transport, down, its restart time reached, no helper left
 */
static void tp_reconnect(struct sqn_transport *t)
{
	char err[SQN_MSG_LEN];
	int rc;

	err[0] = '\0';
	t->tries++;
	rc = t->ops->connect(t, err, sizeof(err));
	if (rc && t->tries_max && t->tries >= t->tries_max) {
		t->restart_at = 0;
		sqn_set_link(t->iface, false,
			     "%s: gave up after %u reconnection attempts: %s",
			     t->helper_name, t->tries, err);
		return;
	}
	if (rc) {
		t->backoff_ms =
			SQN_MIN(t->backoff_ms * 2, SQN_TP_BACKOFF_MAX_MS);
		t->restart_at = sqn_tp_now_ms() + t->backoff_ms;
		/* a peer gone for good would warn every few seconds forever:
		 * the 1st, 2nd, 4th, 8th... failure only */
		if (sqn_log_every(t->tries))
			sqn_log(t->iface, SQN_LOG_WARN,
				"%s: reconnecting failed: %s; next try in %u "
				"ms (%u tries so far%s)",
				t->iface->id, err, t->backoff_ms, t->tries,
				t->tries_max ? "" : ", no bound");
		return;
	}
	t->restart_at = 0;
	/* back off further if this one dies before it delivers anything */
	t->backoff_ms = SQN_MIN(t->backoff_ms * 2, SQN_TP_BACKOFF_MAX_MS);
	if (t->helper.pid)
		SQN_STAT_ADD(t->iface, helper_restarts, 1);
	sqn_set_link(t->iface, true, "%s %s (pid %d)", t->helper_name,
		     t->helper.pid ? "restarted" : "reconnected",
		     (int)(t->helper.pid ? t->helper.pid : getpid()));
	tp_wake(t);
}

/**
 * struct rx_ctx - where a read puts frames
 * @f:		caller buffers
 * @n:		how many
 * @i:		filled so far
 * @full:	no more frames go to the caller (filled, or one did not fit)
 * @emsgsize:	the first frame did not fit frames[0]
 */
struct rx_ctx {
	struct sqn_frame *f;
	unsigned n;
	unsigned i;
	bool full;
	bool emsgsize;
};

/**
 * rx_give() - copy the whole frames received into the caller's buffers
 * @t:		the transport
 * @c:		the read
 * @bad:	gets the length a stream peer sent that is outside 14..max
 *
 * Takes frames while the caller has room; the rest stay where they are in
 * the receive buffer, as does a frame larger than the next buffer (the
 * read fails with -EMSGSIZE if it is the first).
 *
 * Return: 0, or -EPROTO for a bad length (the connection must be reset)
 */
static int rx_give(struct sqn_transport *t, struct rx_ctx *c, uint32_t *bad)
{
	const uint8_t *fr;
	uint32_t len;
	int rc;

	while (!c->full && (rc = sqn_wire_dec_peek(&t->dec, &len)) != 0) {
		struct sqn_frame *f = &c->f[c->i];

		if (rc < 0 || len < t->vnet + SQN_FRAME_MIN) {
			*bad = len;
			return -EPROTO;
		}
		if (!f->data || len - t->vnet > f->cap) {
			if (c->i == 0) {
				c->f[0].len = len - t->vnet;
				c->emsgsize = true;
			}
			c->full = true;
			break;
		}
		sqn_wire_dec_next(&t->dec, &fr, &len);
		memcpy(f->data, fr + t->vnet, len - t->vnet);
		f->len = len - t->vnet;
		if (t->vnet)
			sqn_vnet_from_wire(fr, &f->vnet);
		else
			memset(&f->vnet, 0, sizeof(f->vnet));
		if (++c->i == c->n)
			c->full = true;
		t->backoff_ms = SQN_TP_BACKOFF_MIN_MS;
		t->tries = 0;
	}
	return 0;
}

/**
 * rx_held() - whether a whole frame waits in the receive buffer
 * @t:	the transport
 *
 * Return: true if the next read can hand one over without a system call
 */
static bool rx_held(const struct sqn_transport *t)
{
	uint32_t len;

	return t->sock >= 0 && sqn_wire_dec_peek(&t->dec, &len) > 0;
}

/**
 * bad_length() - a stream peer sent a length outside 14..max: reset
 * @t:		the transport
 * @len:	the length it sent
 */
static void bad_length(struct sqn_transport *t, uint32_t len)
{
	SQN_STAT_ADD(t->iface, rx_errors, 1);
	SQN_STAT_ADD(t->iface, conn_resets, 1);
	sqn_log(t->iface, SQN_LOG_WARN,
		"%s: %s sent a frame length of %u on its %s socket (frames "
		"are %d to %u bytes): resetting the connection",
		t->iface->id, t->helper_name, len, sqn_wire_name(t->wire),
		SQN_FRAME_MIN, t->max);
	tp_down(t, true, "connection reset (%s sent a frame length of %u)",
		t->helper_name, len);
}

/**
 * rx_stream_end() - a stream read that brought nothing: drained, ended or
 *		     failed
 * @t:	the transport, connected
 * @r:	what recv() returned (0 or -1, errno set)
 *
 * A drained socket leaves the connection up (rx_idle set); an end of
 * stream or an error takes it down.
 */
static void rx_stream_end(struct sqn_transport *t, ssize_t r)
{
	uint32_t pend;

	/* the end of the stream waits until the caller has taken every
	 * whole frame read ahead of it */
	if ((r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ||
	    (r == 0 && rx_held(t))) {
		t->rx_idle = true;
		return;
	}
	pend = sqn_wire_dec_pending(&t->dec);
	if (r == 0 && pend) {
		SQN_STAT_ADD(t->iface, rx_errors, 1);
		SQN_STAT_ADD(t->iface, conn_resets, 1);
		sqn_log(t->iface, SQN_LOG_WARN,
			"%s: %s closed the connection in the middle of "
			"a frame (%u bytes of it received): resetting",
			t->iface->id, t->helper_name, pend);
		tp_down(t, false,
			"connection reset (%s closed it in the middle "
			"of a frame)",
			t->helper_name);
	} else if (r == 0) {
		tp_down(t, false, "%s closed the connection", t->helper_name);
	} else {
		tp_down(t, false, "reading from %s failed: %s", t->helper_name,
			strerror(errno));
	}
}

/**
 * rx_stream() - read and decode a stream socket
 * @t:	the transport, connected
 * @c:	the read
 */
static void rx_stream(struct sqn_transport *t, struct rx_ctx *c)
{
	uint32_t room, bad = 0;
	uint8_t *space;
	ssize_t r;
	int rounds = 0;

	for (;;) {
		if (rx_give(t, c, &bad)) {
			bad_length(t, bad);
			return;
		}
		/* read ahead of the caller (see the theory of operation);
		 * once the buffer is full, the rest waits in the socket */
		if (t->rx_idle || rounds++ >= SQN_TP_READ_ROUNDS)
			return;
		space = sqn_wire_dec_space(&t->dec, &room);
		if (!space)
			return;
		room = SQN_MIN(room, SQN_TP_READ_SIZE);
		r = recv(t->sock, space, room, MSG_DONTWAIT);
		if (r > 0) {
			sqn_wire_dec_commit(&t->dec, (uint32_t)r);
			/* a stream socket hands over all it holds, up to
			 * @room: less means it is drained (asking again would
			 * only say EAGAIN); of a helper that has exited, read
			 * on to its end of file, which says how it ended */
			t->rx_idle = (uint32_t)r < room && !t->helper_gone;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		rx_stream_end(t, r);
		return;
	}
}

/**
 * rx_dgram() - read a datagram or seqpacket socket
 * @t:	the transport, connected
 * @c:	the read
 */
static void rx_dgram(struct sqn_transport *t, struct rx_ctx *c)
{
	uint32_t room, bad = 0;
	uint8_t *buf;
	uint64_t nerr;
	ssize_t r;
	int rounds;

	for (rounds = 0; rounds < SQN_TP_DGRAM_ROUNDS; rounds++) {
		rx_give(t, c, &bad); /* a datagram held back first */
		if (c->full)
			return;
		sqn_wire_dec_reset(&t->dec);
		buf = sqn_wire_dec_space(&t->dec, &room);
		r = recv(t->sock, buf, t->max + 1, MSG_DONTWAIT | MSG_TRUNC);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			t->rx_idle = true;
			return;
		}
		if (r < 0) {
			tp_down(t, false, "reading from %s failed: %s",
				t->helper_name, strerror(errno));
			return;
		}
		if (r == 0 && t->url.kind == SQN_URL_UNIXPACKET) {
			tp_down(t, false, "%s closed the connection",
				t->helper_name);
			return;
		}
		if (sqn_wire_dgram_check((uint32_t)SQN_MIN(r, UINT32_MAX),
					 t->max)) {
			nerr = SQN_STAT_ADD(t->iface, rx_errors, 1) + 1;
			if (sqn_log_every(nerr))
				sqn_log(t->iface, SQN_LOG_WARN,
					"%s: %s sent a %zd-byte message "
					"(frames "
					"are %d to %u bytes): dropped (%llu so "
					"far)",
					t->iface->id, t->helper_name, r,
					SQN_FRAME_MIN, t->max,
					(unsigned long long)nerr);
			continue;
		}
		sqn_wire_dec_commit(&t->dec, (uint32_t)r);
	}
	rx_give(t, c, &bad);
}

/**
 * enc_send() - send an encoder's pending frames
 * @sock:	the socket
 * @e:		the encoder
 * @wire:	the framing: datagrams send only the first frame (one per
 *		message)
 *
 * u32-BE frames (passt's) go in messages that end where frames end, in
 * one system call where the platform has one: sqn_sock_send_frames() says
 * why. A u16-LE stream goes in one sendmsg().
 *
 * Return: bytes sent, -EAGAIN when the socket is full (EAGAIN, ENOBUFS),
 * or another negative errno when the connection is broken
 */
static inline ssize_t enc_send(int sock, struct sqn_wire_enc *e,
			       enum sqn_wire_kind wire)
{
	const uint16_t *ends;
	struct msghdr mh;
	unsigned n;
	ssize_t r;

	if (wire == SQN_WIRE_U32BE) {
		ends = sqn_wire_enc_ends(e, &n);
		r = sqn_sock_send_frames(sock, e->iov, e->first, ends, n);
	} else {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = sqn_wire_enc_iov(e, &n);
		mh.msg_iovlen = wire == SQN_WIRE_DGRAM ? 1 : n;
		do
			r = sendmsg(sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (r < 0 && errno == EINTR);
	}
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return -EAGAIN;
	return -errno;
}

/**
 * flush_fill() - load the queue's oldest records into an encoder
 * @t:	the transport, tx_lock held
 * @e:	the encoder, initialised
 */
static void flush_fill(struct sqn_transport *t, struct sqn_wire_enc *e)
{
	unsigned k;

	for (k = 0; k < t->txq.count && k < SQN_TP_FLUSH_BATCH; k++) {
		const struct sqn_ring_slot *s =
			&t->txq.slot[(t->txq.head + k) % t->txq.nslots];
		uint32_t skip = k ? 0 : t->tx_off;

		sqn_wire_enc_add_raw(e, t->txq.arena + s->off + skip,
				     s->len - skip);
		if (t->wire == SQN_WIRE_DGRAM)
			break; /* one message per send */
	}
}

/**
 * flush_locked() - send queued records while the socket takes them
 * @t:	the transport, tx_lock held, connected
 */
static void flush_locked(struct sqn_transport *t)
{
	struct iovec iov[SQN_TP_FLUSH_BATCH];
	uint8_t hdr[1][SQN_WIRE_HDR_MAX];
	uint16_t fend[SQN_TP_FLUSH_BATCH];
	struct sqn_wire_enc e;
	unsigned k, done;
	ssize_t r;

	while (!sqn_ring_empty(&t->txq)) {
		sqn_wire_enc_init(&e, t->wire, iov, hdr, fend,
				  SQN_TP_FLUSH_BATCH);
		flush_fill(t, &e);
		r = enc_send(t->sock, &e, t->wire);
		if (r < 0) {
			if (r != -EAGAIN) {
				/* store, then wake: see sqn_tp_read() */
				atomic_store(&t->tx_broken, (int)-r);
				tp_wake_writer(t);
			}
			break;
		}
		done = sqn_wire_enc_advance(&e, (size_t)r);
		for (k = 0; k < done; k++)
			sqn_ring_pop(&t->txq);
		t->tx_off =
			done ? (uint32_t)sqn_wire_enc_partial(&e)
			     : t->tx_off + (uint32_t)sqn_wire_enc_partial(&e);
		if (e.first < e.niov)
			break; /* short write: the socket is full */
	}
	if (sqn_ring_empty(&t->txq) && t->sock_out) {
		sqn_poller_mod(&t->poller, t->sock, SQN_POLL_IN,
			       SQN_TP_TAG_SOCK);
		t->sock_out = false;
	}
}

/**
 * txq_push() - queue a framed copy of a frame (or of its unsent rest)
 * @t:		the transport, tx_lock held
 * @f:		the frame (its virtio-net header too, with t->vnet)
 * @sent:	bytes of header and frame already sent
 *
 * Return: true if queued, false when the queue is full
 */
static bool txq_push(struct sqn_transport *t, const struct sqn_frame *f,
		     size_t sent)
{
	uint32_t hlen = sqn_wire_hdr_len(t->wire) + t->vnet, len = f->len;
	uint8_t *dst = sqn_ring_reserve(&t->txq, hlen + len);

	if (!dst)
		return false;
	sqn_wire_put_hdr(t->wire, t->vnet + len, dst);
	if (t->vnet)
		sqn_vnet_to_wire(&f->vnet, dst + hlen - t->vnet);
	memcpy(dst + hlen, f->data, len);
	sqn_ring_commit(&t->txq, hlen + len, NULL);
	if (sent) /* only ever the first record of an empty queue */
		t->tx_off = (uint32_t)sent;
	return true;
}

/**
 * send_direct() - send the caller's frames straight from its buffers
 * @t:		the transport, tx_lock held, its queue empty
 * @f:		frames
 * @n:		how many
 * @broken:	set when the connection broke (the reader tears down)
 *
 * A frame cut by a short write has its rest queued, since it must follow.
 *
 * Return: frames sent (or, the last one, queued)
 */
static unsigned send_direct(struct sqn_transport *t, const struct sqn_frame *f,
			    unsigned n, bool *broken)
{
	struct iovec iov[2 * SQN_BATCH];
	uint8_t hdr[SQN_BATCH][SQN_WIRE_HDR_MAX];
	uint8_t vh[SQN_BATCH][SQN_WIRE_HDR_MAX + SQN_VNET_HDR_LEN];
	uint16_t fend[SQN_BATCH];
	struct sqn_wire_enc e;
	unsigned k = 0, i;
	uint32_t h;
	ssize_t r;

	sqn_wire_enc_init(&e, t->wire, iov, hdr, fend, SQN_BATCH);
	for (i = 0; i < n; i++) {
		if (!t->vnet) {
			sqn_wire_enc_add(&e, f[i].data, f[i].len);
			continue;
		}
		/* length and virtio-net header, then the frame: one record */
		h = sqn_wire_put_hdr(t->wire, t->vnet + f[i].len, vh[i]);
		sqn_vnet_to_wire(&f[i].vnet, vh[i] + h);
		sqn_wire_enc_add_head(&e, vh[i], h + t->vnet, f[i].data,
				      f[i].len);
	}
	while (k < n) {
		/* datagrams: one frame per message */
		r = enc_send(t->sock, &e, t->wire);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			/* store, then wake: see sqn_tp_read() */
			atomic_store(&t->tx_broken, (int)-r);
			tp_wake_writer(t);
			*broken = true;
			return k;
		}
		k += sqn_wire_enc_advance(&e, (size_t)r);
		if (t->wire != SQN_WIRE_DGRAM && e.first < e.niov)
			break; /* short write */
	}
	if (k < n && sqn_wire_enc_partial(&e) &&
	    txq_push(t, &f[k], sqn_wire_enc_partial(&e)))
		k++;
	return k;
}

/**
 * log_tx_full() - say that the TX queue was full (rate-limited)
 * @iface:	the interface
 * @t:		the transport
 * @dropped:	frames dropped by this call (the core counts them)
 */
static void log_tx_full(struct sqn_iface *iface, const struct sqn_transport *t,
			unsigned dropped)
{
	uint64_t total = atomic_load(&iface->ctr.tx_dropped) + dropped;

	if (sqn_log_every(total))
		sqn_log(iface, SQN_LOG_WARN,
			"%s: TX queue full (%u frames): dropped %u new frames "
			"(%llu so far)",
			iface->id, t->txq.nslots, dropped,
			(unsigned long long)total);
}

/**
 * sqn_tp_write() - send frames, queueing what the socket does not take
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		frames, valid
 * @n:		how many, at most SQN_BATCH
 *
 * While the connection is failing but the link is still up (the reader has
 * not taken it down yet, or waits for the helper to exit), every frame is
 * dropped (and counted by the core): -ENETDOWN only once the link is down.
 *
 * Return: k: frames [0, k) sent or queued, [k, n) dropped; -ENETDOWN when
 * there is no connection and the link is down
 */
int sqn_tp_write(struct sqn_iface *iface, unsigned q, const struct sqn_frame *f,
		 unsigned n)
{
	struct sqn_transport *t = iface->be;
	bool broken = false;
	unsigned k = 0;

	(void)q;
	pthread_mutex_lock(&t->tx_lock);
	if (t->sock < 0 || atomic_load(&t->tx_broken)) {
		pthread_mutex_unlock(&t->tx_lock);
		return atomic_load(&iface->link_up) ? 0 : -ENETDOWN;
	}
	if (!sqn_ring_empty(&t->txq))
		flush_locked(t);
	if (sqn_ring_empty(&t->txq))
		k = send_direct(t, f, n, &broken);
	if (broken) {
		/* the reader tears down; the rest is lost with the
		 * connection */
		pthread_mutex_unlock(&t->tx_lock);
		return (int)k;
	}
	for (; k < n; k++)
		if (!txq_push(t, &f[k], 0))
			break;
	if (!sqn_ring_empty(&t->txq) && !t->sock_out) {
		sqn_poller_mod(&t->poller, t->sock, SQN_POLL_IN | SQN_POLL_OUT,
			       SQN_TP_TAG_SOCK);
		t->sock_out = true;
	}
	pthread_mutex_unlock(&t->tx_lock);
	if (k < n)
		log_tx_full(iface, t, n - k);
	return (int)k;
}

/**
 * helper_exit() - act on the helper's exit (pidfd, or the waitpid() timer)
 * @t:		the transport
 * @exited:	the pidfd turned readable
 *
 * Return: true when the connection was taken down
 */
static bool helper_exit(struct sqn_transport *t, bool exited)
{
	uint64_t now = sqn_tp_now_ms();

	/* without a pidfd, poll waitpid() on a timer */
	if (t->helper.pid && t->helper.pidfd < 0 && now >= t->next_waitpoll) {
		t->next_waitpoll = now + (t->ending ? SQN_TP_WAITPOLL_END_MS
						    : SQN_TP_WAITPOLL_MS);
		if (t->sock >= 0 && tp_reap(t)) {
			/* as with a pidfd: what it sent first is read first */
			t->helper_gone = true;
			return false;
		}
		if (t->sock < 0 && !t->ending && tp_reap(t))
			t->exit_known = false; /* killed earlier */
	}
	if (exited && t->sock >= 0) {
		/* read what it sent before it died first; see sqn_tp_read() */
		t->helper_gone = true;
	} else if (exited && !t->ending && tp_reap(t)) {
		t->exit_known = false; /* killed earlier: nothing to say */
	}
	return false;
}

/**
 * service() - handle what the poller reports: helper exit, stderr,
 *	       writability, timers
 * @t:	the transport
 */
static void service(struct sqn_transport *t)
{
	struct sqn_poll_event ev[8];
	bool exited = false;
	int n, i, e;

	n = sqn_poller_wait(&t->poller, ev, 8, 0);
	for (i = 0; i < n; i++) {
		switch (ev[i].tag) {
		case SQN_TP_TAG_STDERR:
			drain_stderr(t, false);
			break;
		case SQN_TP_TAG_PIDFD:
			exited = true;
			break;
		case SQN_TP_TAG_SOCK:
			if ((ev[i].events & SQN_POLL_OUT) && t->sock >= 0) {
				pthread_mutex_lock(&t->tx_lock);
				flush_locked(t);
				pthread_mutex_unlock(&t->tx_lock);
			}
			break;
		default:
			break;
		}
	}
	if (t->sock >= 0 && (e = atomic_load(&t->tx_broken))) {
		tp_down(t, false, "writing to %s failed: %s", t->helper_name,
			strerror(e));
		return;
	}
	if (helper_exit(t, exited))
		return;
	if (t->ending)
		tp_ending(t);
	if (t->sock < 0 && !t->ending && t->restart_at &&
	    sqn_tp_now_ms() >= t->restart_at) {
		if (tp_reap(t))
			tp_reconnect(t);
		else /* the old helper is not reaped yet: soon */
			t->restart_at =
				sqn_tp_now_ms() + SQN_TP_WAITPOLL_END_MS;
	}
}

/**
 * sqn_tp_read() - service the connection and hand frames to the caller
 * @iface:	the interface
 * @q:		queue (always 0)
 * @f:		caller buffers
 * @n:		how many
 *
 * Return: frames filled, or -EMSGSIZE when the first does not fit
 */
int sqn_tp_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		unsigned n)
{
	struct sqn_transport *t = iface->be;
	struct rx_ctx c = {.f = f, .n = n, .full = n == 0};
	bool serviced;

	(void)q;
	/*
	 * While reads bring frames, the readiness was the socket's (or the
	 * receive buffer's): what else the poller has to say (stderr, the
	 * pidfd, writability, the writer's wake-up) waits for a read that
	 * brings none, or SQN_TP_SERVICE_EVERY reads, or a TX queue waiting
	 * to be flushed. One epoll_wait() less per read while frames flow.
	 */
	serviced = t->sock < 0 || t->sock_out || !t->rx_got ||
		   ++t->service_skips >= SQN_TP_SERVICE_EVERY;
	if (serviced) {
		t->service_skips = 0;
		service(t);
	}
	if (t->sock >= 0) {
		t->rx_idle = false;
		if (t->wire == SQN_WIRE_DGRAM)
			rx_dgram(t, &c);
		else
			rx_stream(t, &c);
	}
	t->rx_got = c.i > 0;
	if (!serviced && !t->rx_got) /* the wake-up was not the socket's */
		service(t);
	/* the helper is gone and everything it sent is read */
	if (t->sock >= 0 && t->helper_gone && t->rx_idle && !rx_held(t))
		tp_down(t, false, "%s ended", t->helper_name);
	if (rx_held(t)) {
		tp_wake(t);
	} else {
		tp_unwake(t);
		/*
		 * The writer stores tx_broken, then wakes: if it did so after
		 * service() looked, the clear above may have eaten its wake-up
		 * (and a datagram socket does not turn readable on a send
		 * error), so look again now that the waker is clear.
		 */
		if (t->sock >= 0 && atomic_load(&t->tx_broken))
			tp_wake(t);
	}
	if (c.emsgsize && c.i == 0) {
		sqn_seterr(iface, -EMSGSIZE,
			   "%s: read: the next frame is %u bytes, the buffer "
			   "holds %u",
			   iface->id, f[0].len, f[0].cap);
		return -EMSGSIZE;
	}
	return (int)c.i;
}

/**
 * sqn_tp_timeout_ms() - when the next reconnection, helper kill or waitpid()
 *			 poll is due
 * @iface:	the interface
 *
 * Return: milliseconds, or -1 for none
 */
int sqn_tp_timeout_ms(struct sqn_iface *iface)
{
	struct sqn_transport *t = iface->be;
	uint64_t now = sqn_tp_now_ms(), at = 0;

	if (t->ending)
		at = t->end_at;
	else if (t->sock < 0 && t->restart_at)
		at = t->restart_at;
	if (t->helper.pid && t->helper.pidfd < 0)
		at = at ? SQN_MIN(at, t->next_waitpoll) : t->next_waitpoll;
	if (!at)
		return -1;
	return at <= now ? 0 : (int)SQN_MIN(at - now, (uint64_t)INT32_MAX);
}

/**
 * sqn_tp_stop() - close the connection, reap the helper, free everything
 * @iface:	the interface
 *
 * The one place that waits for the helper: it gets SQN_TP_EXIT_WAIT_MS to
 * exit on the EOF it sees, then it is killed and reaped.
 */
void sqn_tp_stop(struct sqn_iface *iface)
{
	struct sqn_transport *t = iface->be;

	if (t->sock >= 0) {
		sqn_poller_del(&t->poller, t->sock);
		close(t->sock);
		t->sock = -1;
	}
	if (t->helper.pid) {
		if (t->helper.pidfd >= 0)
			sqn_poller_del(&t->poller, t->helper.pidfd);
		if (!sqn_helper_poll_exit(&t->helper,
					  t->ending && t->end_killed
						  ? 0
						  : SQN_TP_EXIT_WAIT_MS,
					  NULL))
			sqn_helper_kill(&t->helper, NULL);
	}
	drain_stderr(t, true);
	sqn_tp_close(t);
	iface->be = NULL;
}
