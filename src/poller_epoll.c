/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poller_epoll.c - struct sqn_poller over epoll (level-triggered), and
 *		    struct sqn_timer over a timerfd
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "poller.h"

/**
 * to_epoll() - SQN_POLL_* to EPOLL* bits
 * @events:	SQN_POLL_IN, SQN_POLL_OUT
 *
 * Return: epoll events
 */
static uint32_t to_epoll(unsigned events)
{
	return ((events & SQN_POLL_IN) ? EPOLLIN : 0) |
	       ((events & SQN_POLL_OUT) ? EPOLLOUT : 0);
}

/**
 * sqn_poller_open() - create an empty set
 * @p:	the poller
 *
 * Return: 0 or a negative errno
 */
int sqn_poller_open(struct sqn_poller *p)
{
	p->fd = epoll_create1(EPOLL_CLOEXEC);
	return p->fd < 0 ? -errno : 0;
}

/**
 * sqn_poller_close() - close the set (safe twice)
 * @p:	the poller
 */
void sqn_poller_close(struct sqn_poller *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/**
 * ctl() - epoll_ctl() wrapper
 * @p:		the poller
 * @op:		EPOLL_CTL_*
 * @fd:		the fd
 * @events:	SQN_POLL_* bits
 * @tag:	returned with its events
 *
 * Return: 0 or a negative errno
 */
static int ctl(struct sqn_poller *p, int op, int fd, unsigned events,
	       uint64_t tag)
{
	struct epoll_event ev = {.events = to_epoll(events), .data.u64 = tag};

	return epoll_ctl(p->fd, op, fd, &ev) < 0 ? -errno : 0;
}

/**
 * sqn_poller_add() - watch @fd
 * @p:		the poller
 * @fd:		the fd
 * @events:	SQN_POLL_IN and/or SQN_POLL_OUT
 * @tag:	returned with its events
 *
 * Return: 0 or a negative errno
 */
int sqn_poller_add(struct sqn_poller *p, int fd, unsigned events, uint64_t tag)
{
	return ctl(p, EPOLL_CTL_ADD, fd, events, tag);
}

/**
 * sqn_poller_mod() - change what is watched on @fd
 * @p:		the poller
 * @fd:		the fd, added before
 * @events:	SQN_POLL_IN and/or SQN_POLL_OUT
 * @tag:	returned with its events
 *
 * Return: 0 or a negative errno
 */
int sqn_poller_mod(struct sqn_poller *p, int fd, unsigned events, uint64_t tag)
{
	return ctl(p, EPOLL_CTL_MOD, fd, events, tag);
}

/**
 * sqn_poller_del() - stop watching @fd
 * @p:	the poller
 * @fd:	the fd
 *
 * Return: 0 or a negative errno
 */
int sqn_poller_del(struct sqn_poller *p, int fd)
{
	return epoll_ctl(p->fd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
}

/**
 * sqn_poller_wait() - collect ready fds
 * @p:		the poller
 * @ev:		gets up to @max events
 * @max:	size of @ev, at most 64
 * @timeout_ms:	0 to not wait, -1 to wait for ever
 *
 * Return: number of events, or a negative errno
 */
int sqn_poller_wait(struct sqn_poller *p, struct sqn_poll_event *ev, int max,
		    int timeout_ms)
{
	struct epoll_event e[64];
	int n, i;

	if (max > 64)
		max = 64;
	do
		n = epoll_wait(p->fd, e, max, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		ev[i].tag = e[i].data.u64;
		ev[i].events =
			((e[i].events & EPOLLIN) ? SQN_POLL_IN : 0) |
			((e[i].events & EPOLLOUT) ? SQN_POLL_OUT : 0) |
			((e[i].events & (EPOLLERR | EPOLLHUP)) ? SQN_POLL_ERR
							       : 0);
	}
	return n;
}

/**
 * sqn_timer_open() - create a disarmed timer
 * @t:	the timer
 *
 * Return: 0 or a negative errno
 */
int sqn_timer_open(struct sqn_timer *t)
{
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	return t->fd < 0 ? -errno : 0;
}

/**
 * sqn_timer_close() - close the timer (safe twice)
 * @t:	the timer
 */
void sqn_timer_close(struct sqn_timer *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

/**
 * set_time() - timerfd_settime() with a relative one-shot value
 * @t:	the timer
 * @ns:	nanoseconds from now; 0 disarms
 *
 * Setting a timerfd also clears an expiry not yet read.
 *
 * Return: 0 or a negative errno
 */
static int set_time(struct sqn_timer *t, uint64_t ns)
{
	struct itimerspec its = {
		.it_value = {.tv_sec = (time_t)(ns / 1000000000u),
			     .tv_nsec = (long)(ns % 1000000000u)}};

	return timerfd_settime(t->fd, 0, &its, NULL) < 0 ? -errno : 0;
}

/**
 * sqn_timer_arm() - fire once, @ns from now (replacing any earlier setting)
 * @t:	the timer
 * @ns:	nanoseconds; 0 fires at once
 *
 * Return: 0 or a negative errno
 */
int sqn_timer_arm(struct sqn_timer *t, uint64_t ns)
{
	return set_time(t, ns ? ns : 1);
}

/**
 * sqn_timer_disarm() - stop the timer; a fired one reads as not ready again
 * @t:	the timer
 *
 * Return: 0 or a negative errno
 */
int sqn_timer_disarm(struct sqn_timer *t)
{
	return set_time(t, 0);
}
