/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fpath.c - the core's frame path: rate limits, capture and frames of the
 *	     core's own, between the caller's read/write and the backend's
 *
 * Theory of operation
 *
 * iface.c checks the caller's arguments and hands every read and write to
 * sqn_fp_read() and sqn_fp_write(); they call the backend through its
 * table and count what the caller got (rx_frames, tx_frames), so a backend
 * never knows any of this exists and every mode has it.
 *
 * - Counting and capture are one step (rx_done(), and the tx loop in
 *   tx_backend()): a capture holds exactly the frames the counters count.
 *
 * - TX limit. Before the backend's write, the tx limiter (ratelimit.c,
 *   Firecracker's buckets) is asked frame by frame; the frames it allows
 *   are passed on and the call returns how many the caller may forget.
 *   The rest stay with the caller, as a VMM leaves descriptors in its
 *   virtqueue (Firecracker undoes the pop). A cut-short write arms
 *   @tx_timer for the limiter's deadline: sqn_iface_tx_fd() for a TX
 *   thread, sqn_iface_tx_wait_ms() and sqn_iface_timeout_ms() for a loop.
 *
 * - RX limit. A frame's size is known only once it is read, so the core
 *   reads from the backend as many frames as the tokens in hand surely
 *   cover (sqn_rl_sure(), with the caller's buffer size as the bound), or
 *   one at a time near the bucket's end; a frame read but refused is held
 *   in the queue's one-frame slot (allocated when the limit is set) and
 *   goes first next time. Nothing is dropped: while the limiter is blocked
 *   the core takes nothing from the backend, whose bounded queue keeps
 *   arriving frames (and counts its drops, as without a limit).
 *
 * - Readiness. Without frame-path features that need it, the caller polls
 *   the backend's own fd: no extra hop. With an rx limit at start, or
 *   params.live_controls, every queue's readiness fd is a poller of the
 *   core's (epoll, kqueue) holding the backend's fd, a waker (set while
 *   the core holds frames of that queue: a held frame, frames of the
 *   core's own) and the rx timer. While rx is blocked the backend fds and
 *   wakers are taken out of the pollers and the timer armed for the
 *   deadline (rx_pause()), so the caller's poll sleeps instead of waking
 *   for frames it may not have; the first read after the deadline puts
 *   them back (rx_resume()). A multi-queue TAP has one poller per queue and
 *   one limiter, one timer for all.
 *   An egress policy alone (no rx limit, no live_controls) needs only
 *   the wakers, for its replies: a backend whose readiness fd is a set
 *   of its own (slirp's epoll) takes each queue's waker into it
 *   (ops->ready_add), and the caller keeps polling the backend's fd, one
 *   epoll hop less per wake-up; @rx_own is then false and rx is never
 *   paused (a run-time rx limit is refused, as without a policy).
 *
 * - Frames of the core's own (sqn_fp_inject()): a bounded ring the writer
 *   thread (or any) fills with frames for the guest; read returns them
 *   first, on queue 0, and the queue's waker wakes the reader's poll.
 *
 * - Locks: @rx_lock covers the rx side (limiter, pause, held frames, the
 *   ring, the wakers) and is held across the backend's read while rx is
 *   on its slow path; @tx_lock covers the tx limiter, never across the
 *   backend's write. Without rx work (@rx_slow false) and without a tx
 *   limit (@tx_on false) read and write take neither: one relaxed load
 *   each.
 *
 * How to add a frame-path feature (an egress policy, say):
 * 1. Its state goes in struct sqn_fp (fpath.h), set up in sqn_fp_start()
 *    from struct sqn_params (checked, with no side effect, in
 *    sqn_fp_check()) and released in sqn_fp_stop(); memory is taken there
 *    or when the feature is configured, never per frame.
 * 2. A feature that looks at what the guest sends hooks sqn_fp_write()
 *    before the tx limiter: decide per frame, pass a frame on, or consume
 *    it (count it) without passing it on; tx_backend() passes runs of
 *    frames, so build the runs around the consumed ones.
 * 3. A feature that answers the guest (a TCP RST, an ICMP error, a DNS
 *    answer) writes the frame with sqn_fp_inject() from the writer thread:
 *    it needs the core's readiness (fp_wants_rx_ready() true for its
 *    params) and the ring (sqn_fp_inject_init() in sqn_fp_start()). The
 *    frame is returned by the next read before anything else, charged to
 *    the rx limiter, counted in rx_frames and captured like any other.
 * 4. Its counters go in struct sqn_fp, and out through
 *    sqn_iface_stats_ext() (append members to struct sqn_stats_ext, never
 *    to struct sqn_stats, which has no size field).
 * 5. A test over loopback in tests/t_fpath.c: exact frame counts, and poll
 *    wake-ups counted, never time.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iface_policy.h"
#include "internal.h"

/**
 * now_ns() - CLOCK_MONOTONIC in nanoseconds, the limiters' clock
 *
 * Return: nanoseconds
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * realtime_ns() - CLOCK_REALTIME in nanoseconds, a capture's timestamps
 *
 * Return: nanoseconds since the epoch
 */
static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/**
 * fp_wants_rx_ready() - whether the readiness fds must wake for frames of
 *			 the core's own
 * @p:	parameters
 *
 * Return: true with an rx limit or an egress policy (its replies are
 * frames of the core's own) at start, or params.live_controls
 */
static bool fp_wants_rx_ready(const struct sqn_params *p)
{
	return p->live_controls == SQN_ON || p->n_policy_rules ||
	       sqn_rl_limits_any(&p->rx_rate_limiter);
}

/**
 * fp_wants_pollers() - whether the core's readiness needs pollers of its
 *			own around the backend's fds
 * @iface:	the interface (its backend's table)
 * @p:		parameters, fp_wants_rx_ready() true
 *
 * Return: true for an rx limit or live_controls (rx may pause: the
 * backend's fd comes out of the poller), or a backend that cannot take the
 * core's wakers into its own readiness fd
 */
static bool fp_wants_pollers(const struct sqn_iface *iface,
			     const struct sqn_params *p)
{
	return p->live_controls == SQN_ON ||
	       sqn_rl_limits_any(&p->rx_rate_limiter) || !iface->ops->ready_add;
}

/**
 * fp_wants_tx_ready() - whether the tx timer must exist
 * @p:	parameters
 *
 * Return: true with a tx limit at start, or params.live_controls
 */
static bool fp_wants_tx_ready(const struct sqn_params *p)
{
	return p->live_controls == SQN_ON ||
	       sqn_rl_limits_any(&p->tx_rate_limiter);
}

/**
 * sqn_fp_init() - a frame path with nothing on, at the interface's
 *		   allocation
 * @iface:	the interface
 */
void sqn_fp_init(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned i;

	memset(fp, 0, sizeof(*fp));
	pthread_mutex_init(&fp->rx_lock, NULL);
	pthread_mutex_init(&fp->tx_lock, NULL);
	fp->rx_timer.fd = -1;
	fp->tx_timer.fd = -1;
	for (i = 0; i < SQN_MAX_QUEUES; i++) {
		fp->q[i].poller.fd = -1;
		fp->q[i].be_fd = -1;
		fp->q[i].waker.rfd = fp->q[i].waker.wfd = -1;
	}
	sqn_cap_init(&fp->cap);
}

/**
 * sqn_fp_destroy() - release what sqn_fp_init() set up, at free
 * @iface:	the interface, stopped
 */
void sqn_fp_destroy(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;

	sqn_cap_destroy(&fp->cap);
	pthread_mutex_destroy(&fp->rx_lock);
	pthread_mutex_destroy(&fp->tx_lock);
}

/**
 * sqn_fp_check() - check the frame path's parameters, with no side effect
 * @iface:	for the message
 * @p:		parameters
 *
 * Return: 0, or -EINVAL with the message set
 */
int sqn_fp_check(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_rl_config c;
	char err[SQN_MSG_LEN];
	int rc;

	if (p->live_controls != 0 && p->live_controls != SQN_ON &&
	    p->live_controls != SQN_OFF)
		return sqn_seterr(iface, -EINVAL,
				  "live_controls is %d: use SQN_ON (1), "
				  "SQN_OFF (-1) or 0",
				  p->live_controls);
	sqn_rl_config_from(&p->rx_rate_limiter, &c);
	rc = sqn_rl_config_check(&c, "rx_rate_limiter", err, sizeof(err));
	if (!rc) {
		sqn_rl_config_from(&p->tx_rate_limiter, &c);
		rc = sqn_rl_config_check(&c, "tx_rate_limiter", err,
					 sizeof(err));
	}
	return rc ? sqn_seterr(iface, rc, "%s", err) : 0;
}

/**
 * held_alloc() - the one-frame slots of the rx limiter, for every queue
 * @iface:	the interface
 * @bufs:	gets @n buffers of max_frame bytes
 * @n:		the interface's queues
 *
 * Return: 0, or -ENOMEM with the message set (nothing allocated)
 */
static int held_alloc(struct sqn_iface *iface, uint8_t **bufs, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		bufs[i] = malloc(iface->max_frame);
		if (!bufs[i]) {
			while (i--) {
				free(bufs[i]);
				bufs[i] = NULL;
			}
			(void)sqn_seterr(iface, -ENOMEM,
					 "%s: no memory to hold back a frame "
					 "of %u bytes per queue for the rx "
					 "rate limiter",
					 iface->id, iface->max_frame);
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * held_install() - give each queue its slot (rx_lock held, or at start)
 * @iface:	the interface
 * @bufs:	from held_alloc(); the ones not taken are freed
 * @n:		their number (the interface's queues)
 */
static void held_install(struct sqn_iface *iface, uint8_t **bufs, unsigned n)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (fp->q[i].held) {
			free(bufs[i]);
			continue;
		}
		fp->q[i].held = bufs[i];
		fp->q[i].held_cap = iface->max_frame;
	}
}

/**
 * rx_slow_update() - whether read must take the slow path (rx_lock held)
 * @fp:	the frame path
 */
static void rx_slow_update(struct sqn_fp *fp)
{
	bool slow = sqn_rl_enabled(&fp->rx) || fp->rx.blocked ||
		    fp->rx_paused || fp->nheld || !sqn_ring_empty(&fp->inj);

	atomic_store_explicit(&fp->rx_slow, slow, memory_order_release);
}

/**
 * tx_on_update() - whether write must ask the tx limiter (tx_lock held)
 * @fp:	the frame path
 */
static void tx_on_update(struct sqn_fp *fp)
{
	atomic_store_explicit(&fp->tx_on,
			      sqn_rl_enabled(&fp->tx) || fp->tx.blocked,
			      memory_order_release);
}

/**
 * queue_ready_open() - a queue's poller, holding the backend's fd, the
 *			queue's waker and the rx timer
 * @iface:	the interface
 * @q:		the queue
 *
 * Return: 0, or a negative errno with the message set (the caller closes
 * what was opened)
 */
static int queue_ready_open(struct sqn_iface *iface, unsigned q)
{
	struct sqn_fp_queue *fq = &iface->fp.q[q];
	int rc;

	fq->be_fd = iface->qfd[q];
	rc = sqn_poller_open(&fq->poller);
	if (!rc)
		rc = sqn_waker_open(&fq->waker);
	if (!rc)
		rc = sqn_poller_add(&fq->poller, fq->be_fd, SQN_POLL_IN, 0);
	if (!rc)
		rc = sqn_poller_add(&fq->poller, fq->waker.rfd, SQN_POLL_IN, 1);
	if (!rc)
		rc = sqn_poller_add(&fq->poller, iface->fp.rx_timer.fd,
				    SQN_POLL_IN, 2);
	if (rc)
		return sqn_seterr(iface, rc,
				  "%s: cannot set up the readiness fd of "
				  "queue %u: %s",
				  iface->id, q, strerror(-rc));
	return 0;
}

/**
 * queue_waker_add() - a queue's waker, in the backend's own readiness fd
 * @iface:	the interface, its backend started
 * @q:		the queue
 *
 * Return: 0, or a negative errno with the message set (the caller closes
 * what was opened)
 */
static int queue_waker_add(struct sqn_iface *iface, unsigned q)
{
	struct sqn_fp_queue *fq = &iface->fp.q[q];
	int rc;

	rc = sqn_waker_open(&fq->waker);
	if (!rc)
		rc = iface->ops->ready_add(iface, q, fq->waker.rfd);
	if (rc)
		return sqn_seterr(iface, rc,
				  "%s: cannot add the library's waker to the "
				  "readiness fd of queue %u: %s",
				  iface->id, q, strerror(-rc));
	return 0;
}

/**
 * fp_close() - close the frame path's fds and free its memory
 * @iface:	the interface
 */
static void fp_close(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned i;

	for (i = 0; i < SQN_MAX_QUEUES; i++) {
		sqn_poller_close(&fp->q[i].poller);
		sqn_waker_close(&fp->q[i].waker);
		free(fp->q[i].held);
		fp->q[i].held = NULL;
		fp->q[i].held_len = 0;
		fp->q[i].be_fd = -1;
	}
	sqn_timer_close(&fp->rx_timer);
	sqn_timer_close(&fp->tx_timer);
	sqn_ring_free(&fp->inj);
	fp->nheld = 0;
	fp->rx_ready = fp->rx_own = fp->tx_ready = false;
}

/**
 * rx_wakers_add() - the core's readiness as wakers in the backend's own
 *		     readiness fds, which the caller goes on polling
 * @iface:	the interface, its backend started (ops->ready_add set)
 *
 * Return: 0, or a negative errno with the message set (the caller closes
 * what was opened)
 */
static int rx_wakers_add(struct sqn_iface *iface)
{
	unsigned i;
	int rc = 0;

	for (i = 0; i < iface->nqueues && !rc; i++)
		rc = queue_waker_add(iface, i);
	if (!rc)
		iface->fp.rx_ready = true;
	return rc;
}

/**
 * rx_pollers_open() - the core's readiness as pollers of its own around
 *		       the backend's fds (rx may pause), and the held-frame
 *		       slots of an rx limit
 * @iface:	the interface, its backend started
 *
 * Return: 0, or a negative errno with the message set (the caller closes
 * what was opened)
 */
static int rx_pollers_open(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;
	uint8_t *bufs[SQN_MAX_QUEUES] = {NULL};
	unsigned i;
	int rc;

	rc = sqn_timer_open(&fp->rx_timer);
	if (rc)
		return sqn_seterr(iface, rc,
				  "%s: cannot create the rx rate limiter's "
				  "timer: %s",
				  iface->id, strerror(-rc));
	for (i = 0; i < iface->nqueues && !rc; i++)
		rc = queue_ready_open(iface, i);
	if (rc)
		return rc;
	if (sqn_rl_enabled(&fp->rx)) {
		rc = held_alloc(iface, bufs, iface->nqueues);
		if (rc)
			return rc;
		held_install(iface, bufs, iface->nqueues);
	}
	fp->rx_ready = fp->rx_own = true;
	/* the caller polls the core's pollers from now on */
	for (i = 0; i < iface->nqueues; i++)
		iface->qfd[i] = fp->q[i].poller.fd;
	iface->fd = iface->qfd[0];
	return 0;
}

/**
 * sqn_fp_start() - set the frame path up once the backend runs
 * @iface:	the interface, its backend started (fd, qfd[], max_frame set)
 * @p:		parameters, checked by sqn_fp_check()
 *
 * Return: 0, or a negative errno with the message set; nothing is left
 * open on failure
 */
int sqn_fp_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_fp *fp = &iface->fp;
	struct sqn_rl_config c;
	uint64_t now = now_ns();
	int rc = 0;

	fp->nq = iface->nqueues;
	sqn_rl_config_from(&p->rx_rate_limiter, &c);
	sqn_rl_init(&fp->rx, &c, now);
	sqn_rl_config_from(&p->tx_rate_limiter, &c);
	sqn_rl_init(&fp->tx, &c, now);

	if (fp_wants_tx_ready(p)) {
		rc = sqn_timer_open(&fp->tx_timer);
		if (rc) {
			sqn_seterr(iface, rc,
				   "%s: cannot create the tx rate limiter's "
				   "timer: %s",
				   iface->id, strerror(-rc));
			goto out_close;
		}
		fp->tx_ready = true;
	}
	if (fp_wants_rx_ready(p)) {
		rc = fp_wants_pollers(iface, p) ? rx_pollers_open(iface)
						: rx_wakers_add(iface);
		if (rc)
			goto out_close;
	}
	rx_slow_update(fp);
	tx_on_update(fp);
	return 0;

out_close:
	fp_close(iface);
	return rc;
}

/**
 * sqn_fp_stop() - stop the capture, close the frame path's fds, at stop
 * @iface:	the interface; its backend already stopped
 */
void sqn_fp_stop(struct sqn_iface *iface)
{
	fp_close(iface);
}

/* ---- rx ---- */

/**
 * rx_done() - count the frames a read returns, and capture them
 * @iface:	the interface
 * @f:		the frames
 * @n:		how many
 */
static void rx_done(struct sqn_iface *iface, const struct sqn_frame *f, int n)
{
	uint64_t bytes = 0, ts = 0;
	bool cap = sqn_cap_on(&iface->fp.cap);
	int i;

	if (cap)
		ts = realtime_ns();
	for (i = 0; i < n; i++) {
		bytes += f[i].len;
		if (cap)
			sqn_cap_add(&iface->fp.cap, SQN_CAP_RX, f[i].data,
				    f[i].len, ts);
	}
	SQN_STAT_ADD(iface, rx_frames, n);
	SQN_STAT_ADD(iface, rx_bytes, bytes);
}

/**
 * waker_sync() - set a queue's waker while the core holds frames of it
 *		  (rx_lock held)
 * @fp:	the frame path
 * @q:	the queue
 */
static void waker_sync(struct sqn_fp *fp, unsigned q)
{
	struct sqn_fp_queue *fq = &fp->q[q];
	bool want = fq->held_len || (q == 0 && !sqn_ring_empty(&fp->inj));

	if (want == fq->waker_set || fq->waker.rfd < 0)
		return;
	if (want)
		sqn_waker_wake(&fq->waker);
	else
		sqn_waker_clear(&fq->waker);
	fq->waker_set = want;
}

/**
 * rx_pause() - the rx limiter blocks: keep the caller's poll asleep until
 *		its deadline (rx_lock held)
 * @fp:		the frame path
 * @now:	the clock
 */
static void rx_pause(struct sqn_fp *fp, uint64_t now)
{
	unsigned i;

	if (!fp->rx_own)
		return;
	if (!fp->rx_paused) {
		for (i = 0; i < fp->nq; i++) {
			sqn_poller_del(&fp->q[i].poller, fp->q[i].be_fd);
			sqn_poller_del(&fp->q[i].poller, fp->q[i].waker.rfd);
		}
		fp->rx_paused = true;
	}
	if (fp->rx_until != fp->rx.until_ns) {
		fp->rx_until = fp->rx.until_ns;
		sqn_timer_arm(&fp->rx_timer, sqn_rl_wait_ns(&fp->rx, now));
	}
}

/**
 * rx_resume() - the rx limiter lets frames through again (rx_lock held)
 * @fp:	the frame path
 */
static void rx_resume(struct sqn_fp *fp)
{
	unsigned i;

	sqn_timer_disarm(&fp->rx_timer);
	fp->rx_until = 0;
	for (i = 0; i < fp->nq; i++) {
		sqn_poller_add(&fp->q[i].poller, fp->q[i].be_fd, SQN_POLL_IN,
			       0);
		sqn_poller_add(&fp->q[i].poller, fp->q[i].waker.rfd,
			       SQN_POLL_IN, 1);
	}
	fp->rx_paused = false;
}

/**
 * too_big() - the first frame waiting does not fit the caller's buffer
 * @iface:	the interface
 * @f:		the caller's first frame: gets the length needed
 * @len:	the frame's length
 *
 * Return: -EMSGSIZE
 */
static int too_big(struct sqn_iface *iface, struct sqn_frame *f, uint32_t len)
{
	f->len = len;
	return sqn_seterr(iface, -EMSGSIZE,
			  "%s: read: the next frame is %u bytes, the buffer "
			  "holds %u",
			  iface->id, len, f->cap);
}

/**
 * rx_allow() - whether the rx limiter lets a frame through (rx_lock held)
 * @fp:		the frame path
 * @len:	its length
 * @now:	the clock
 *
 * Return: true if it passes; a refusal is counted once per read
 */
static bool rx_allow(struct sqn_fp *fp, uint32_t len, uint64_t now)
{
	if (!sqn_rl_enabled(&fp->rx) && !fp->rx.blocked)
		return true;
	if (sqn_rl_frame(&fp->rx, len, now))
		return true;
	atomic_fetch_add_explicit(&fp->rx_throttled, 1, memory_order_relaxed);
	return false;
}

/**
 * rx_injected() - frames of the core's own first (queue 0, rx_lock held)
 * @iface:	the interface
 * @f:		caller buffers
 * @n:		how many
 * @now:	the clock
 * @k:		frames filled so far, advanced
 *
 * Return: 0, 1 when the limiter refused one (stop), or -EMSGSIZE
 */
static int rx_injected(struct sqn_iface *iface, struct sqn_frame *f, unsigned n,
		       uint64_t now, unsigned *k)
{
	struct sqn_fp *fp = &iface->fp;
	const uint8_t *src;
	struct sqn_vnet_hdr vnet;
	uint32_t len;

	while (*k < n && (src = sqn_ring_peek(&fp->inj, &len, &vnet))) {
		if (!f[*k].data || len > f[*k].cap)
			return *k ? 1 : too_big(iface, &f[0], len);
		if (!rx_allow(fp, len, now))
			return 1;
		memcpy(f[*k].data, src, len);
		f[*k].len = len;
		f[*k].vnet = vnet;
		sqn_ring_pop(&fp->inj);
		(*k)++;
	}
	return 0;
}

/**
 * rx_held() - the frame held back last time, next (rx_lock held)
 * @iface:	the interface
 * @q:		the queue
 * @f:		caller buffers
 * @now:	the clock
 * @k:		frames filled so far, advanced
 *
 * Return: 0 (the slot is empty now), 1 when it still holds its frame, or
 * -EMSGSIZE
 */
static int rx_held(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		   uint64_t now, unsigned *k)
{
	struct sqn_fp *fp = &iface->fp;
	struct sqn_fp_queue *fq = &fp->q[q];
	struct sqn_frame *d = &f[*k];

	if (!fq->held_len)
		return 0;
	if (!d->data || fq->held_len > d->cap)
		return *k ? 1 : too_big(iface, &f[0], fq->held_len);
	if (!rx_allow(fp, fq->held_len, now))
		return 1;
	memcpy(d->data, fq->held, fq->held_len);
	d->len = fq->held_len;
	d->vnet = fq->held_vnet;
	fq->held_len = 0;
	fp->nheld--;
	(*k)++;
	return 0;
}

/**
 * rx_hold() - keep a frame the limiter refused (rx_lock held)
 * @fp:	the frame path
 * @fq:	its queue
 * @f:	the frame, in a caller's buffer about to be handed back unused
 *
 * Return: true if held; false when it cannot be (no slot, or a frame
 * longer than the slot): it is then let through rather than lost
 */
static bool rx_hold(struct sqn_fp *fp, struct sqn_fp_queue *fq,
		    const struct sqn_frame *f)
{
	if (!fq->held || f->len > fq->held_cap || fq->held_len)
		return false;
	memcpy(fq->held, f->data, f->len);
	fq->held_len = f->len;
	fq->held_vnet = f->vnet;
	fp->nheld++;
	return true;
}

/**
 * max_cap() - the largest of the caller's buffers: no frame read is larger
 * @f:	caller buffers
 * @n:	how many
 *
 * Return: bytes
 */
static uint32_t max_cap(const struct sqn_frame *f, unsigned n)
{
	uint32_t m = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (f[i].data && f[i].cap > m)
			m = f[i].cap;
	return m;
}

/**
 * be_read() - the backend's read, its frames through the egress policy
 * @iface:	the interface
 * @q:		the queue
 * @f:		caller buffers
 * @n:		how many
 *
 * Return: frames filled (the policy may have dropped some the backend
 * filled), or the backend's negative errno
 */
static int be_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		   unsigned n)
{
	int rc = iface->ops->read(iface, q, f, n);

	return rc > 0 ? sqn_ipol_rx(iface, f, rc) : rc;
}

/**
 * rx_charge() - charge the rx limiter for frames just read (rx_lock held)
 * @fp:		the frame path
 * @fq:		their queue
 * @f:		the frames
 * @n:		how many
 * @now:	the clock
 *
 * Only a read of one can be refused (sqn_rl_sure()): that frame is held
 * for the next read, or passes if it cannot be held rather than be lost.
 *
 * Return: the frames that pass, from the first
 */
static unsigned rx_charge(struct sqn_fp *fp, struct sqn_fp_queue *fq,
			  struct sqn_frame *f, unsigned n, uint64_t now)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (rx_allow(fp, f[i].len, now))
			continue;
		if (i + 1 == n && rx_hold(fp, fq, &f[i]))
			break;
	}
	return i;
}

/**
 * rx_backend() - read from the backend as the rx limiter allows (rx_lock
 *		  held, no frame held on @q)
 * @iface:	the interface
 * @q:		the queue
 * @f:		caller buffers
 * @n:		how many
 * @now:	the clock
 * @k:		frames filled so far, advanced
 *
 * Return: 0, or the backend's negative errno when nothing was filled
 */
static int rx_backend(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		      unsigned n, uint64_t now, unsigned *k)
{
	struct sqn_fp *fp = &iface->fp;
	bool limited = sqn_rl_enabled(&fp->rx) || fp->rx.blocked;
	uint64_t bound = max_cap(f + *k, n - *k);
	unsigned m, i;
	int rc;

	while (*k < n) {
		m = n - *k;
		if (limited) {
			if (sqn_rl_blocked(&fp->rx, now))
				return 0;
			/* frames the tokens in hand surely cover, else one:
			 * a refused frame then fits the one-frame slot */
			m = (unsigned)sqn_rl_sure(&fp->rx, bound, m, now);
			if (!m)
				m = 1;
		}
		rc = be_read(iface, q, f + *k, m);
		if (rc <= 0)
			return *k || rc == 0 ? 0 : rc;
		i = rx_charge(fp, &fp->q[q], f + *k, (unsigned)rc, now);
		*k += i;
		if (i < (unsigned)rc || (unsigned)rc < m)
			return 0;
	}
	return 0;
}

/**
 * rx_slow_read() - a read with rx work to do (rx_lock held)
 * @iface:	the interface
 * @q:		the queue
 * @f:		caller buffers
 * @n:		how many, at least 1
 *
 * Return: frames filled, or a negative errno
 */
static int rx_slow_read(struct sqn_iface *iface, unsigned q,
			struct sqn_frame *f, unsigned n)
{
	struct sqn_fp *fp = &iface->fp;
	uint64_t now = now_ns();
	unsigned k = 0;
	int rc = 0;

	if (sqn_rl_blocked(&fp->rx, now)) {
		rx_pause(fp, now);
		goto out;
	}
	if (fp->rx_paused)
		rx_resume(fp);
	if (q == 0)
		rc = rx_injected(iface, f, n, now, &k);
	if (!rc)
		rc = rx_held(iface, q, f, now, &k);
	if (!rc)
		rc = rx_backend(iface, q, f, n, now, &k);
	if (sqn_rl_blocked(&fp->rx, now))
		rx_pause(fp, now);
out:
	waker_sync(fp, q);
	rx_slow_update(fp);
	return rc < 0 ? rc : (int)k;
}

/**
 * sqn_fp_read() - a read through the frame path
 * @iface:	the interface, running
 * @q:		the queue, checked
 * @f:		caller buffers
 * @n:		how many, at most SQN_BATCH
 *
 * Return: as sqn_iface_read()
 */
int sqn_fp_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		unsigned n)
{
	struct sqn_fp *fp = &iface->fp;
	int rc;

	if (n == 0 ||
	    !atomic_load_explicit(&fp->rx_slow, memory_order_acquire)) {
		rc = be_read(iface, q, f, n);
	} else {
		pthread_mutex_lock(&fp->rx_lock);
		rc = rx_slow_read(iface, q, f, n);
		pthread_mutex_unlock(&fp->rx_lock);
	}
	if (rc > 0)
		rx_done(iface, f, rc);
	return rc;
}

/* ---- frames of the core's own ---- */

/**
 * sqn_fp_inject_init() - the ring of frames of the core's own (at start,
 *			  or when the feature that injects is configured)
 * @iface:	the interface, with the core's readiness (rx_ready)
 *
 * Return: 0, -EOPNOTSUPP without the core's readiness (nothing could wake
 * the reader), or -ENOMEM; the message set
 */
int sqn_fp_inject_init(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;
	struct sqn_ring r;
	int rc;

	if (!fp->rx_ready)
		return sqn_seterr(iface, -EOPNOTSUPP,
				  "%s: frames of the library's own need its "
				  "readiness fds (params.live_controls)",
				  iface->id);
	if (fp->inj.arena)
		return 0;
	rc = sqn_ring_init(&r, SQN_FP_INJECT_SLOTS,
			   SQN_MIN(iface->max_frame, SQN_FP_INJECT_MAX));
	if (rc)
		return sqn_seterr(iface, rc,
				  "%s: no memory for %u frames of the "
				  "library's own",
				  iface->id, SQN_FP_INJECT_SLOTS);
	pthread_mutex_lock(&fp->rx_lock);
	fp->inj = r;
	pthread_mutex_unlock(&fp->rx_lock);
	return 0;
}

/**
 * sqn_fp_inject() - put a frame into the guest's receive path
 * @iface:	the interface, sqn_fp_inject_init() done
 * @data:	the frame, from its Ethernet header
 * @len:	its length, SQN_FRAME_MIN..min(max_frame, SQN_FP_INJECT_MAX)
 * @vnet:	its virtio-net header (offloads on), or NULL: none (complete
 *		checksums, no GSO)
 *
 * From any thread (the writer's, typically: a reply to what the guest
 * sent). The next read on queue 0 returns it before anything else, and the
 * queue's readiness fd wakes the reader. A full ring refuses it, counted
 * in rx_dropped, as a full backend queue would.
 *
 * Return: 0, -ENOBUFS when the ring is full, -EINVAL for a bad length,
 * -EOPNOTSUPP without the ring
 */
int sqn_fp_inject(struct sqn_iface *iface, const void *data, uint32_t len,
		  const struct sqn_vnet_hdr *vnet)
{
	struct sqn_fp *fp = &iface->fp;
	uint8_t *dst;
	int rc = 0;

	if (len < SQN_FRAME_MIN ||
	    len > SQN_MIN(iface->max_frame, SQN_FP_INJECT_MAX))
		return -EINVAL;
	pthread_mutex_lock(&fp->rx_lock);
	if (!fp->inj.arena) {
		rc = -EOPNOTSUPP;
	} else if (fp->inj.count >= fp->inj.nslots ||
		   !(dst = sqn_ring_reserve(&fp->inj, len))) {
		SQN_STAT_ADD(iface, rx_dropped, 1);
		rc = -ENOBUFS;
	} else {
		memcpy(dst, data, len);
		sqn_ring_commit(&fp->inj, len, vnet);
		if (!fp->rx_paused)
			waker_sync(fp, 0);
		rx_slow_update(fp);
	}
	pthread_mutex_unlock(&fp->rx_lock);
	return rc;
}

/* ---- tx ---- */

/**
 * frame_fits() - whether a frame is within the lengths write accepts
 * @iface:	the interface
 * @f:		the frame
 *
 * Return: true if it is
 */
static bool frame_fits(const struct sqn_iface *iface, const struct sqn_frame *f)
{
	return f->data && f->len >= SQN_FRAME_MIN && f->len <= iface->max_frame;
}

/**
 * frame_ok() - whether the caller's frame may be passed on
 * @iface:	the interface
 * @f:		the frame
 *
 * A refused frame is counted in tx_errors and logged (rate-limited).
 *
 * Return: true if its length is within SQN_FRAME_MIN..max_frame
 */
static bool frame_ok(struct sqn_iface *iface, const struct sqn_frame *f)
{
	uint64_t nerr;

	if (frame_fits(iface, f))
		return true;
	nerr = SQN_STAT_ADD(iface, tx_errors, 1) + 1;
	if (sqn_log_every(nerr))
		sqn_log(iface, SQN_LOG_WARN,
			"%s: write: refused a %u-byte frame: frames are %d to "
			"%u bytes (%llu refused so far)",
			iface->id, f->len, SQN_FRAME_MIN, iface->max_frame,
			(unsigned long long)nerr);
	return false;
}

/**
 * tx_passed() - count the frames the backend took, and capture them
 * @iface:	the interface
 * @f:		the frames
 * @n:		how many
 */
static void tx_passed(struct sqn_iface *iface, const struct sqn_frame *f,
		      unsigned n)
{
	uint64_t bytes = 0, ts = 0;
	bool cap = sqn_cap_on(&iface->fp.cap);
	unsigned k;

	if (cap)
		ts = realtime_ns();
	for (k = 0; k < n; k++) {
		bytes += f[k].len;
		if (cap)
			sqn_cap_add(&iface->fp.cap, SQN_CAP_TX, f[k].data,
				    f[k].len, ts);
	}
	SQN_STAT_ADD(iface, tx_frames, n);
	SQN_STAT_ADD(iface, tx_bytes, bytes);
}

/* what a write does with each frame (struct tx_batch.kind) */
enum tx_kind {
	TX_UNSEEN = 0, /* not judged yet */
	TX_TAKE,       /* pass it to the backend */
	TX_REFUSED,    /* a bad length: counted in tx_errors */
	TX_DENIED,     /* the egress policy's: settled by sqn_ipol_denied() */
};

/**
 * struct tx_batch - one write's frames and what becomes of them
 * @frames:	the caller's frames
 * @kind:	enum tx_kind per frame: each frame is judged once, even when
 *		the backend makes tx_backend() go over it again
 * @pol:	the egress policy's state (the replies of the frame denied
 *		last)
 */
struct tx_batch {
	const struct sqn_frame *frames;
	uint8_t kind[SQN_BATCH];
	struct sqn_ipol_tx pol;
};

/**
 * tx_judge() - what becomes of frame @i, judged the first time it is asked
 * @iface:	the interface
 * @b:		the batch
 * @i:		the frame
 *
 * Return: enum tx_kind
 */
static enum tx_kind tx_judge(struct sqn_iface *iface, struct tx_batch *b,
			     unsigned i)
{
	if (b->kind[i] == TX_UNSEEN) {
		if (!frame_ok(iface, &b->frames[i]))
			b->kind[i] = TX_REFUSED;
		else if (b->pol.eng && !sqn_ipol_tx(&b->pol, &b->frames[i]))
			b->kind[i] = TX_DENIED;
		else
			b->kind[i] = TX_TAKE;
	}
	return (enum tx_kind)b->kind[i];
}

/**
 * tx_backend() - pass frames to the backend, run by run of frames to take
 * @iface:	the interface
 * @q:		the queue
 * @frames:	the frames
 * @n:		how many
 *
 * A frame of a bad length is refused, one the egress policy denies is
 * settled (counted, its replies sent); both are consumed. Judging stops at
 * the first frame not taken, which is settled before another is judged
 * (its replies wait in the batch until then).
 *
 * Return: frames consumed (passed on, or dropped, refused or denied and
 * counted), or the backend's negative errno when none was
 */
static int tx_backend(struct sqn_iface *iface, unsigned q,
		      const struct sqn_frame *frames, unsigned n)
{
	struct tx_batch b;
	unsigned i = 0, run;
	enum tx_kind kind;
	bool skip;
	int rc;

	b.frames = frames;
	memset(b.kind, TX_UNSEEN, n);
	sqn_ipol_tx_begin(iface, &b.pol);
	while (i < n) {
		kind = tx_judge(iface, &b, i);
		if (kind != TX_TAKE) {
			if (kind == TX_DENIED)
				sqn_ipol_denied(iface, q, &b.pol);
			i++;
			continue;
		}
		for (run = 1;
		     i + run < n && tx_judge(iface, &b, i + run) == TX_TAKE;
		     run++)
			;
		rc = iface->ops->write(iface, q, frames + i, run);
		if (rc < 0)
			return i ? (int)i : rc;
		skip = (rc & SQN_WRITE_SKIP) != 0;
		rc &= ~SQN_WRITE_SKIP;
		tx_passed(iface, frames + i, (unsigned)rc);
		if (skip && (unsigned)rc < run) {
			/* the backend dropped frame i + rc alone: go on after */
			SQN_STAT_ADD(iface, tx_dropped, 1);
			i += (unsigned)rc + 1;
			continue;
		}
		if ((unsigned)rc < run)
			SQN_STAT_ADD(iface, tx_dropped, run - (unsigned)rc);
		/* frame i + run, if any, is settled at the top of the loop */
		i += run;
	}
	return (int)n;
}

/**
 * tx_limit() - how many of the frames the tx limiter lets through
 *		(tx_lock held)
 * @iface:	the interface
 * @f:		the frames
 * @n:		how many, at least 1
 * @now:	the clock
 *
 * Frames write refuses anyway (bad lengths) are not charged. A cut-short
 * write is counted and arms the tx timer for the limiter's deadline.
 *
 * Return: the frames allowed, a prefix of @f
 */
static unsigned tx_limit(struct sqn_iface *iface, const struct sqn_frame *f,
			 unsigned n, uint64_t now)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned m;

	if (fp->tx_armed && !sqn_rl_blocked(&fp->tx, now)) {
		sqn_timer_disarm(&fp->tx_timer);
		fp->tx_armed = false;
	}
	for (m = 0; m < n; m++)
		if (frame_fits(iface, &f[m]) &&
		    !sqn_rl_frame(&fp->tx, f[m].len, now))
			break;
	if (m < n) {
		atomic_fetch_add_explicit(&fp->tx_throttled, 1,
					  memory_order_relaxed);
		if (fp->tx_ready && sqn_rl_blocked(&fp->tx, now)) {
			sqn_timer_arm(&fp->tx_timer,
				      sqn_rl_wait_ns(&fp->tx, now));
			fp->tx_armed = true;
		}
	}
	tx_on_update(fp);
	return m;
}

/**
 * tx_giveback() - return the tokens of frames allowed but not consumed
 * @iface:	the interface
 * @f:		the frames
 * @from:	first not consumed
 * @to:		end of the allowed ones
 */
static void tx_giveback(struct sqn_iface *iface, const struct sqn_frame *f,
			unsigned from, unsigned to)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned i;

	pthread_mutex_lock(&fp->tx_lock);
	for (i = from; i < to; i++) {
		if (!frame_fits(iface, &f[i]))
			continue;
		sqn_rl_replenish(&fp->tx, 1, SQN_RL_OPS);
		sqn_rl_replenish(&fp->tx, f[i].len, SQN_RL_BYTES);
	}
	pthread_mutex_unlock(&fp->tx_lock);
}

/**
 * sqn_fp_write() - a write through the frame path
 * @iface:	the interface, running
 * @q:		the queue, checked
 * @f:		the frames
 * @n:		how many, at most SQN_BATCH
 *
 * Return: as sqn_iface_write()
 */
int sqn_fp_write(struct sqn_iface *iface, unsigned q, const struct sqn_frame *f,
		 unsigned n)
{
	struct sqn_fp *fp = &iface->fp;
	unsigned m;
	int rc;

	if (n == 0 || !atomic_load_explicit(&fp->tx_on, memory_order_acquire))
		return tx_backend(iface, q, f, n);
	pthread_mutex_lock(&fp->tx_lock);
	m = tx_limit(iface, f, n, now_ns());
	pthread_mutex_unlock(&fp->tx_lock);
	if (!m)
		return 0;
	rc = tx_backend(iface, q, f, m);
	if (rc < (int)m)
		tx_giveback(iface, f, rc < 0 ? 0 : (unsigned)rc, m);
	return rc;
}

/* ---- timeouts ---- */

/**
 * min_timeout() - the earlier of two poll timeouts
 * @a:	milliseconds, -1 for none
 * @b:	the same
 *
 * Return: the earlier, -1 when neither
 */
static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

/**
 * sqn_fp_timeout_ms() - sqn_iface_timeout_ms(): the backend's timers and
 *			 the limiters' deadlines
 * @iface:	the interface, running
 *
 * Return: milliseconds, or -1
 */
int sqn_fp_timeout_ms(struct sqn_iface *iface)
{
	struct sqn_fp *fp = &iface->fp;
	bool paused = false;
	int t = -1;

	/* rx_paused implies rx_slow (rx_slow_update()): without rx work the
	 * loop's every call costs one load, not a lock round */
	if (fp->rx_ready &&
	    atomic_load_explicit(&fp->rx_slow, memory_order_acquire)) {
		pthread_mutex_lock(&fp->rx_lock);
		paused = fp->rx_paused;
		if (paused) {
			/* past the deadline: a read now resumes */
			t = sqn_rl_wait_ms(&fp->rx, now_ns());
			if (t < 0)
				t = 0;
		}
		pthread_mutex_unlock(&fp->rx_lock);
	}
	/* the backend's timers wait while rx is paused: they would make the
	 * caller read, and a read then takes nothing from the backend */
	if (!paused && iface->ops->timeout_ms)
		t = min_timeout(t, iface->ops->timeout_ms(iface));
	if (fp->tx_ready)
		t = min_timeout(t, sqn_iface_tx_wait_ms(iface));
	return t;
}

/* ---- the public calls of the frame path ---- */

SQN_API int sqn_iface_tx_wait_ms(struct sqn_iface *iface)
{
	struct sqn_fp *fp;
	int t;

	if (!iface || iface->stopped)
		return -1;
	fp = &iface->fp;
	if (!atomic_load_explicit(&fp->tx_on, memory_order_acquire))
		return -1;
	pthread_mutex_lock(&fp->tx_lock);
	t = sqn_rl_wait_ms(&fp->tx, now_ns());
	pthread_mutex_unlock(&fp->tx_lock);
	return t;
}

SQN_API int sqn_iface_tx_fd(const struct sqn_iface *iface)
{
	if (!iface)
		return -EINVAL;
	if (iface->stopped)
		return -ESHUTDOWN;
	return iface->fp.tx_ready ? iface->fp.tx_timer.fd : -EOPNOTSUPP;
}

/**
 * check_dir() - the buckets of one direction an update names, checked
 * @l:		the direction's new buckets
 * @which:	SQN_LIMIT_* bits
 * @bw_bit:	its bandwidth bit
 * @ops_bit:	its ops bit
 * @what:	its name for the message ("rx_rate_limiter")
 * @err:	gets the reason
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL
 */
static int check_dir(const struct sqn_rate_limiter *l, unsigned which,
		     unsigned bw_bit, unsigned ops_bit, const char *what,
		     char *err, size_t errlen)
{
	struct sqn_rl_config c;
	char name[48];
	int rc = 0;

	if (!(which & (bw_bit | ops_bit)))
		return 0;
	sqn_rl_config_from(l, &c);
	if (which & bw_bit) {
		snprintf(name, sizeof(name), "%s.bandwidth", what);
		rc = sqn_tb_config_check(&c.bandwidth, name, err, errlen);
	}
	if (!rc && (which & ops_bit)) {
		snprintf(name, sizeof(name), "%s.ops", what);
		rc = sqn_tb_config_check(&c.ops, name, err, errlen);
	}
	return rc;
}

/**
 * check_update() - the arguments of sqn_iface_set_rate_limit()
 * @iface:	the interface
 * @which:	SQN_LIMIT_* bits
 * @rx:		rx buckets
 * @tx:		tx buckets
 *
 * Return: 0, or a negative errno with the message set
 */
static int check_update(struct sqn_iface *iface, unsigned which,
			const struct sqn_rate_limiter *rx,
			const struct sqn_rate_limiter *tx)
{
	char err[SQN_MSG_LEN];
	int rc;

	if (which & ~(SQN_LIMIT_RX | SQN_LIMIT_TX))
		return sqn_seterr(iface, -EINVAL,
				  "%s: set_rate_limit: unknown bits 0x%x in "
				  "which (SQN_LIMIT_RX_BANDWIDTH, _RX_OPS, "
				  "_TX_BANDWIDTH, _TX_OPS)",
				  iface->id,
				  which & ~(SQN_LIMIT_RX | SQN_LIMIT_TX));
	if (((which & SQN_LIMIT_RX) && !rx) || ((which & SQN_LIMIT_TX) && !tx))
		return sqn_seterr(iface, -EINVAL,
				  "%s: set_rate_limit: which names %s buckets "
				  "but %s is NULL",
				  iface->id, rx ? "tx" : "rx",
				  rx ? "tx" : "rx");
	rc = check_dir(rx, which, SQN_LIMIT_RX_BANDWIDTH, SQN_LIMIT_RX_OPS,
		       "rx_rate_limiter", err, sizeof(err));
	if (!rc)
		rc = check_dir(tx, which, SQN_LIMIT_TX_BANDWIDTH,
			       SQN_LIMIT_TX_OPS, "tx_rate_limiter", err,
			       sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s: %s", iface->id, err);
	if (((which & SQN_LIMIT_RX) && !iface->fp.rx_own) ||
	    ((which & SQN_LIMIT_TX) && !iface->fp.tx_ready))
		return sqn_seterr(
			iface, -EOPNOTSUPP,
			"%s: %s rate limits at run time need the "
			"library's readiness fds: start the "
			"interface with a %s limit or "
			"live_controls on",
			iface->id,
			(which & SQN_LIMIT_RX) && !iface->fp.rx_own ? "rx"
								    : "tx",
			(which & SQN_LIMIT_RX) && !iface->fp.rx_own ? "rx"
								    : "tx");
	return 0;
}

/**
 * alloc_n() - how many held-frame slots a first rx limit needs
 * @iface:	the interface
 *
 * Return: its queues, or 0 when the slots exist already
 */
static unsigned alloc_n(const struct sqn_iface *iface)
{
	return iface->fp.q[0].held ? 0 : iface->nqueues;
}

SQN_API int sqn_iface_set_rate_limit(struct sqn_iface *iface, unsigned which,
				     const struct sqn_rate_limiter *rx,
				     const struct sqn_rate_limiter *tx)
{
	struct sqn_fp *fp;
	struct sqn_rl_update u;
	uint8_t *bufs[SQN_MAX_QUEUES] = {NULL};
	unsigned nq;
	int rc;

	if (!iface)
		return -EINVAL;
	if (iface->stopped)
		return sqn_seterr(iface, -ESHUTDOWN,
				  "%s: set_rate_limit after sqn_iface_stop(): "
				  "the interface is stopped",
				  iface->id);
	rc = check_update(iface, which, rx, tx);
	if (rc)
		return rc;
	fp = &iface->fp;
	if (which & SQN_LIMIT_RX) {
		/* the held-frame slots, before the lock: the first rx limit */
		nq = alloc_n(iface);
		if (nq) {
			rc = held_alloc(iface, bufs, nq);
			if (rc)
				return rc;
		}
		sqn_rl_update_from(rx, which, SQN_LIMIT_RX_BANDWIDTH,
				   SQN_LIMIT_RX_OPS, &u);
		pthread_mutex_lock(&fp->rx_lock);
		held_install(iface, bufs, nq);
		sqn_rl_update(&fp->rx, &u, now_ns());
		rx_slow_update(fp);
		pthread_mutex_unlock(&fp->rx_lock);
	}
	if (which & SQN_LIMIT_TX) {
		sqn_rl_update_from(tx, which, SQN_LIMIT_TX_BANDWIDTH,
				   SQN_LIMIT_TX_OPS, &u);
		pthread_mutex_lock(&fp->tx_lock);
		sqn_rl_update(&fp->tx, &u, now_ns());
		tx_on_update(fp);
		pthread_mutex_unlock(&fp->tx_lock);
	}
	sqn_log(iface, SQN_LOG_INFO, "%s: rate limits changed (0x%x)",
		iface->id, which);
	return 0;
}

/**
 * rl_public() - a limiter's configuration as the public struct
 * @l:		the limiter
 * @out:	gets it
 */
static void rl_public(const struct sqn_rl *l, struct sqn_rate_limiter *out)
{
	struct sqn_rl_config c;

	sqn_rl_config_get(l, &c);
	out->bandwidth = (struct sqn_bucket){
		.size = c.bandwidth.size,
		.one_time_burst = c.bandwidth.one_time_burst,
		.refill_time_ms = c.bandwidth.refill_time_ms};
	out->ops = (struct sqn_bucket){.size = c.ops.size,
				       .one_time_burst = c.ops.one_time_burst,
				       .refill_time_ms = c.ops.refill_time_ms};
}

SQN_API int sqn_iface_rate_limit(struct sqn_iface *iface,
				 struct sqn_rate_limiter *rx,
				 struct sqn_rate_limiter *tx)
{
	struct sqn_fp *fp;

	if (!iface)
		return -EINVAL;
	fp = &iface->fp;
	if (rx) {
		pthread_mutex_lock(&fp->rx_lock);
		rl_public(&fp->rx, rx);
		pthread_mutex_unlock(&fp->rx_lock);
	}
	if (tx) {
		pthread_mutex_lock(&fp->tx_lock);
		rl_public(&fp->tx, tx);
		pthread_mutex_unlock(&fp->tx_lock);
	}
	return 0;
}

SQN_API int sqn_iface_capture_start(struct sqn_iface *iface,
				    const struct sqn_capture *cap)
{
	struct sqn_capture c;
	struct sqn_cap_config k;
	char err[SQN_MSG_LEN];
	int rc;

	if (!iface)
		return -EINVAL;
	if (iface->stopped)
		return sqn_seterr(iface, -ESHUTDOWN,
				  "%s: capture_start after sqn_iface_stop(): "
				  "the interface is stopped",
				  iface->id);
	if (!cap || cap->size < sizeof(uint32_t) + sizeof(void *) ||
	    cap->size > sizeof(c))
		return sqn_seterr(iface, -EINVAL,
				  "%s: capture_start: %s: set size to "
				  "sizeof(struct sqn_capture)",
				  iface->id,
				  cap ? "size is not one this library knows"
				      : "cap is NULL");
	memset(&c, 0, sizeof(c));
	memcpy(&c, cap, cap->size);
	if (c.dirs & ~(SQN_CAPTURE_RX | SQN_CAPTURE_TX))
		return sqn_seterr(iface, -EINVAL,
				  "%s: capture_start: dirs 0x%x: use "
				  "SQN_CAPTURE_RX, SQN_CAPTURE_TX or both",
				  iface->id, c.dirs);
	k = (struct sqn_cap_config){
		.path = c.path,
		.snaplen = c.snaplen,
		.buf_bytes = c.buf_bytes,
		.dirs = (c.dirs & SQN_CAPTURE_RX ? SQN_CAP_RX : 0) |
			(c.dirs & SQN_CAPTURE_TX ? SQN_CAP_TX : 0),
		.nsec = c.nsec == SQN_ON};
	rc = sqn_cap_start(&iface->fp.cap, &k, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s: %s", iface->id, err);
	sqn_log(iface, SQN_LOG_INFO, "%s: capture to %s started", iface->id,
		c.path);
	return 0;
}

SQN_API int sqn_iface_capture_stop(struct sqn_iface *iface)
{
	int rc;

	if (!iface)
		return -EINVAL;
	rc = sqn_cap_stop(&iface->fp.cap, NULL);
	if (rc)
		return sqn_seterr(iface, rc, "%s: no capture runs", iface->id);
	return 0;
}

/**
 * sqn_fp_stats() - the frame path's counters, into the extended stats
 * @iface:	the interface
 * @s:		a full-size struct, the base counters already in it
 */
static void sqn_fp_stats(const struct sqn_iface *iface, struct sqn_stats_ext *s)
{
	struct sqn_fp *fp = (struct sqn_fp *)&iface->fp;
	struct sqn_cap_stats cs;

	s->rx_throttled =
		atomic_load_explicit(&fp->rx_throttled, memory_order_relaxed);
	s->tx_throttled =
		atomic_load_explicit(&fp->tx_throttled, memory_order_relaxed);
	sqn_cap_stats(&fp->cap, &cs);
	s->capturing = sqn_cap_running(&fp->cap) ? 1 : 0;
	s->capture_frames = cs.frames;
	s->capture_dropped = cs.dropped;
	s->capture_lost = cs.lost;
}

SQN_API int sqn_iface_stats_ext(const struct sqn_iface *iface,
				struct sqn_stats_ext *stats)
{
	struct sqn_stats_ext s;
	struct sqn_stats b;
	uint32_t size;

	if (!iface || !stats || stats->size < 8)
		return -EINVAL;
	size = stats->size;
	memset(&s, 0, sizeof(s));
	sqn_iface_stats(iface, &b);
	_Static_assert(
		offsetof(struct sqn_stats_ext, helper_restarts) -
				offsetof(struct sqn_stats_ext, rx_frames) +
				sizeof(uint64_t) ==
			sizeof(struct sqn_stats),
		"struct sqn_stats_ext starts with struct sqn_stats's "
		"counters, in order");
	memcpy(&s.rx_frames, &b, sizeof(b));
	sqn_fp_stats(iface, &s);
	s.policy_denied = sqn_ipol_denied_count(iface);
	s.size = size < sizeof(s) ? size : (uint32_t)sizeof(s);
	memcpy(stats, &s, s.size);
	return 0;
}
