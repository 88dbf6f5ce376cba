/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slirp_poll.c - libslirp's sockets in a readiness set, and its timers, for
 *		  the slirp backend
 *
 * Theory of operation: libslirp says which of its sockets it wants polled
 * through slirp_pollfds_fill(), one add_poll callback per fd and fill, and
 * reads the outcome back through slirp_pollfds_poll(), one get_revents
 * callback per index it was given. The set here is the interface's epoll
 * (kqueue) fd, so it is kept registered across fills: after every fill what
 * libslirp asked for is diffed against what the set holds, and an fd is
 * added, modified or deleted only when that changed, so a steady connection
 * costs no epoll_ctl at all. The fds of the last two fills are kept in two
 * arrays (the index libslirp got is the position in the current one), and
 * per-fd state carries the generation of the fill and of the collection it
 * belongs to, so nothing is cleared per fill. Readiness is collected with a
 * zero-timeout wait on the set: only ready fds come back, no scan of all of
 * them. libslirp calls unregister_poll_fd before it closes a socket; the
 * backend then drops its registration (sqn_slirp_set_drop()), so a reused
 * fd number is never mistaken for the old socket.
 *
 * Timers (libslirp 4.7 has one, the IPv6 router advertisement) live in a
 * small fixed array; the earliest deadline is cached, so a read only
 * compares one number unless a timer is due.
 *
 * The caller holds the backend's lock around every call, as around every
 * call into libslirp.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slirp_poll.h"

#define SLIRP_MAX_EVENTS 64
#define SLIRP_FD_REG 0x80u /* in sqn_slirp_fd.reg: the fd is in the set */

/**
 * sqn_slirp_set_open() - an empty set
 * @s:		the set
 * @iface:	the interface, for logs
 *
 * Return: 0 or a negative errno
 */
int sqn_slirp_set_open(struct sqn_slirp_set *s, struct sqn_iface *iface)
{
	memset(s, 0, sizeof(*s));
	s->iface = iface;
	return sqn_poller_open(&s->poller);
}

/**
 * sqn_slirp_set_close() - close the set and free its tables
 * @s:	the set, after slirp_cleanup() (which unregisters every socket)
 */
void sqn_slirp_set_close(struct sqn_slirp_set *s)
{
	sqn_poller_close(&s->poller);
	free(s->fds);
	free(s->round[0]);
	free(s->round[1]);
	s->fds = NULL;
	s->round[0] = s->round[1] = NULL;
	s->nfds = s->cround = 0;
}

/**
 * fd_slot() - the state of fd @fd, growing the table if needed
 * @s:	the set
 * @fd:	the fd
 *
 * Grows only when libslirp opens a higher fd number than ever before.
 *
 * Return: the slot, or NULL when out of memory
 */
static struct sqn_slirp_fd *fd_slot(struct sqn_slirp_set *s, int fd)
{
	struct sqn_slirp_fd *n;
	unsigned size;

	if (fd < 0)
		return NULL;
	if ((unsigned)fd < s->nfds)
		return &s->fds[fd];
	size = SQN_MAX(64u, s->nfds * 2);
	while (size <= (unsigned)fd)
		size *= 2;
	n = realloc(s->fds, size * sizeof(*n));
	if (!n)
		return NULL;
	memset(n + s->nfds, 0, (size - s->nfds) * sizeof(*n));
	s->fds = n;
	s->nfds = size;
	return &s->fds[fd];
}

/**
 * round_push() - append @fd to the current fill's list
 * @s:	the set
 * @fd:	the fd
 *
 * Return: its index, or -1 when out of memory
 */
static int round_push(struct sqn_slirp_set *s, int fd)
{
	unsigned c = s->cur;

	if (s->nround[c] == s->cround) {
		unsigned size = SQN_MAX(64u, s->cround * 2);
		int *a = realloc(s->round[0], size * sizeof(int));
		int *b;

		if (!a)
			return -1;
		s->round[0] = a;
		b = realloc(s->round[1], size * sizeof(int));
		if (!b)
			return -1;
		s->round[1] = b;
		s->cround = size;
	}
	s->round[c][s->nround[c]] = fd;
	return (int)s->nround[c]++;
}

/**
 * cb_add_poll() - SlirpAddPollCb: libslirp wants @fd polled for @events
 * @fd:		the socket
 * @events:	SLIRP_POLL_* bits
 * @opaque:	the set
 *
 * Return: the index libslirp passes back to cb_get_revents(), or -1
 */
static int cb_add_poll(int fd, int events, void *opaque)
{
	struct sqn_slirp_set *s = opaque;
	struct sqn_slirp_fd *f = fd_slot(s, fd);
	unsigned bits = 0;

	if (!f) {
		sqn_log(s->iface, SQN_LOG_ERROR,
			"%s: slirp: out of memory tracking fd %d: it is not "
			"polled",
			s->iface->id, fd);
		return -1;
	}
	if (events & (SLIRP_POLL_IN | SLIRP_POLL_PRI))
		bits |= SQN_POLL_IN;
	if (events & SLIRP_POLL_OUT)
		bits |= SQN_POLL_OUT;
	if (f->want_gen == s->gen) {
		f->want |= (uint8_t)bits;
		return f->idx;
	}
	f->idx = round_push(s, fd);
	if (f->idx < 0)
		return -1;
	f->want_gen = s->gen;
	f->want = (uint8_t)bits;
	return f->idx;
}

/**
 * cb_get_revents() - SlirpGetREventsCb: what happened on the fd at @idx
 * @idx:	index from cb_add_poll() in the last fill
 * @opaque:	the set
 *
 * Return: SLIRP_POLL_* bits
 */
static int cb_get_revents(int idx, void *opaque)
{
	struct sqn_slirp_set *s = opaque;
	const struct sqn_slirp_fd *f;
	int fd;

	if (idx < 0 || (unsigned)idx >= s->nround[s->cur])
		return 0;
	fd = s->round[s->cur][idx];
	f = &s->fds[fd];
	return f->rev_gen == s->rgen ? f->revents : 0;
}

/**
 * sqn_slirp_set_drop() - take @fd out of the set (libslirp is about to
 *			  close it)
 * @s:	the set
 * @fd:	the fd
 */
void sqn_slirp_set_drop(struct sqn_slirp_set *s, int fd)
{
	struct sqn_slirp_fd *f;

	if (fd < 0 || (unsigned)fd >= s->nfds)
		return;
	f = &s->fds[fd];
	if (f->reg)
		sqn_poller_del(&s->poller, fd);
	f->reg = 0;
	f->want_gen = s->gen - 1; /* not part of the current fill any more */
	f->rev_gen = s->rgen - 1; /* its events are the old socket's */
}

/**
 * sqn_slirp_set_sync() - ask libslirp what to poll and make the set match
 * @s:		the set
 * @slirp:	the stack
 *
 * Return: libslirp's poll timeout in milliseconds, UINT32_MAX for none
 */
uint32_t sqn_slirp_set_sync(struct sqn_slirp_set *s, Slirp *slirp)
{
	uint32_t timeout = UINT32_MAX;
	unsigned old, i;
	int rc;

	old = s->cur;
	s->cur ^= 1;
	s->nround[s->cur] = 0;
	s->gen++;
	slirp_pollfds_fill(slirp, &timeout, cb_add_poll, s);

	for (i = 0; i < s->nround[s->cur]; i++) {
		int fd = s->round[s->cur][i];
		struct sqn_slirp_fd *f = &s->fds[fd];
		uint8_t reg = f->want | SLIRP_FD_REG;

		if (f->reg == reg)
			continue;
		if (f->reg) {
			rc = sqn_poller_mod(&s->poller, fd, f->want, fd);
			if (rc == -ENOENT)
				rc = sqn_poller_add(&s->poller, fd, f->want,
						    fd);
		} else {
			rc = sqn_poller_add(&s->poller, fd, f->want, fd);
			if (rc == -EEXIST)
				rc = sqn_poller_mod(&s->poller, fd, f->want,
						    fd);
		}
		if (rc) {
			sqn_log(s->iface, SQN_LOG_ERROR,
				"%s: slirp: cannot poll fd %d: %s",
				s->iface->id, fd, strerror(-rc));
			f->reg = 0;
			continue;
		}
		f->reg = reg;
	}
	for (i = 0; i < s->nround[old]; i++) {
		int fd = s->round[old][i];
		struct sqn_slirp_fd *f = &s->fds[fd];

		if (f->want_gen != s->gen && f->reg) {
			sqn_poller_del(&s->poller, fd);
			f->reg = 0;
		}
	}
	return timeout;
}

/**
 * sqn_slirp_set_poll() - collect what the ready sockets have, by a
 *			  zero-timeout wait, and pass it to libslirp
 * @s:		the set
 * @slirp:	the stack
 */
void sqn_slirp_set_poll(struct sqn_slirp_set *s, Slirp *slirp)
{
	struct sqn_poll_event ev[SLIRP_MAX_EVENTS];
	int n, i;

	s->rgen++;
	n = sqn_poller_wait(&s->poller, ev, SLIRP_MAX_EVENTS, 0);
	for (i = 0; i < n; i++) {
		struct sqn_slirp_fd *f;
		int rev = 0;

		if (ev[i].tag == SQN_SLIRP_TAG_WAKER ||
		    ev[i].tag >= (uint64_t)s->nfds)
			continue;
		f = &s->fds[ev[i].tag];
		if (ev[i].events & SQN_POLL_IN)
			rev |= SLIRP_POLL_IN;
		if (ev[i].events & SQN_POLL_OUT)
			rev |= SLIRP_POLL_OUT;
		if (ev[i].events & SQN_POLL_ERR)
			rev |= SLIRP_POLL_ERR | SLIRP_POLL_HUP;
		f->revents = (uint8_t)rev;
		f->rev_gen = s->rgen;
	}
	slirp_pollfds_poll(slirp, 0, cb_get_revents, s);
}

/* ---- timers ---- */

/**
 * sqn_slirp_timers_init() - no timers yet
 * @ts:		the timers
 * @iface:	the interface, for logs
 */
void sqn_slirp_timers_init(struct sqn_slirp_timers *ts, struct sqn_iface *iface)
{
	memset(ts, 0, sizeof(*ts));
	ts->iface = iface;
	ts->next = SQN_SLIRP_NO_DEADLINE;
}

/**
 * timers_recompute() - cache the earliest armed timer
 * @ts:	the timers
 */
static void timers_recompute(struct sqn_slirp_timers *ts)
{
	int64_t next = SQN_SLIRP_NO_DEADLINE;
	unsigned i;

	for (i = 0; i < SQN_SLIRP_MAX_TIMERS; i++)
		if (ts->t[i].used && ts->t[i].armed &&
		    ts->t[i].expire_ms < next)
			next = ts->t[i].expire_ms;
	ts->next = next;
}

/**
 * sqn_slirp_timers_run() - fire every timer that is due
 * @ts:		the timers
 * @slirp:	the stack
 * @now:	the time, ms
 */
void sqn_slirp_timers_run(struct sqn_slirp_timers *ts, Slirp *slirp,
			  int64_t now)
{
	unsigned i;

	if (now < ts->next)
		return;
	for (i = 0; i < SQN_SLIRP_MAX_TIMERS; i++) {
		struct sqn_slirp_timer *t = &ts->t[i];

		if (!t->used || !t->armed || t->expire_ms > now)
			continue;
		t->armed = false; /* the handler may re-arm it */
		if (t->cb)
			t->cb(t->cb_opaque);
		else
			slirp_handle_timer(slirp, t->id, t->cb_opaque);
	}
	timers_recompute(ts);
}

/**
 * sqn_slirp_timer_new() - a timer in a free slot (SlirpCb.timer_new and
 *			   timer_new_opaque)
 * @ts:		the timers
 * @cb:		legacy timer_new(): called when it fires; NULL for an opaque
 *		timer, handed to slirp_handle_timer() with @id
 * @id:		opaque timer: its id
 * @cb_opaque:	libslirp's argument for it
 *
 * Return: the timer, or NULL (logged) when all slots are taken
 */
struct sqn_slirp_timer *sqn_slirp_timer_new(struct sqn_slirp_timers *ts,
					    SlirpTimerCb cb, SlirpTimerId id,
					    void *cb_opaque)
{
	unsigned i;

	for (i = 0; i < SQN_SLIRP_MAX_TIMERS; i++) {
		struct sqn_slirp_timer *t = &ts->t[i];

		if (!t->used) {
			memset(t, 0, sizeof(*t));
			t->used = true;
			t->cb = cb;
			t->id = id;
			t->cb_opaque = cb_opaque;
			return t;
		}
	}
	sqn_log(ts->iface, SQN_LOG_ERROR,
		"%s: slirp: libslirp asked for more than %d timers",
		ts->iface->id, SQN_SLIRP_MAX_TIMERS);
	return NULL;
}

/**
 * sqn_slirp_timer_free() - give a timer's slot back (SlirpCb.timer_free)
 * @ts:	the timers
 * @t:	the timer, may be NULL
 */
void sqn_slirp_timer_free(struct sqn_slirp_timers *ts,
			  struct sqn_slirp_timer *t)
{
	if (!t)
		return;
	t->used = false;
	t->armed = false;
	timers_recompute(ts);
}

/**
 * sqn_slirp_timer_mod() - arm a timer (SlirpCb.timer_mod)
 * @ts:		the timers
 * @t:		the timer, may be NULL
 * @expire_ms:	when, on the clock_get_ns() scale in milliseconds
 */
void sqn_slirp_timer_mod(struct sqn_slirp_timers *ts, struct sqn_slirp_timer *t,
			 int64_t expire_ms)
{
	if (!t)
		return;
	t->armed = true;
	t->expire_ms = expire_ms;
	if (expire_ms < ts->next)
		ts->next = expire_ms;
	else
		timers_recompute(ts);
}
