/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poller_kqueue.c - struct sqn_poller over kqueue (macOS, BSD), and
 *		     struct sqn_timer as a kqueue of its own
 *
 * A kqueue fd polls readable while any registered filter has an event, so
 * it serves as the interface's readiness fd just as an epoll fd does; a
 * kqueue holding one EV_ONESHOT EVFILT_TIMER is a timer fd: readable from
 * the moment the timer fires until the event is deleted.
 */
#include <errno.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "poller.h"

int sqn_poller_open(struct sqn_poller *p)
{
	p->fd = kqueue();
	return p->fd < 0 ? -errno : 0;
}

void sqn_poller_close(struct sqn_poller *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/**
 * set_filters() - enable or disable the read and write filters of @fd
 * @p:		the poller
 * @fd:		the fd
 * @events:	SQN_POLL_IN and/or SQN_POLL_OUT: enabled; the others deleted
 * @tag:	returned with its events
 *
 * Return: 0 or a negative errno
 */
static int set_filters(struct sqn_poller *p, int fd, unsigned events,
		       uint64_t tag)
{
	struct kevent kev[2];

	EV_SET(&kev[0], fd, EVFILT_READ,
	       (events & SQN_POLL_IN) ? EV_ADD | EV_ENABLE
				      : EV_ADD | EV_DISABLE,
	       0, 0, (void *)(uintptr_t)tag);
	EV_SET(&kev[1], fd, EVFILT_WRITE,
	       (events & SQN_POLL_OUT) ? EV_ADD | EV_ENABLE
				       : EV_ADD | EV_DISABLE,
	       0, 0, (void *)(uintptr_t)tag);
	return kevent(p->fd, kev, 2, NULL, 0, NULL) < 0 ? -errno : 0;
}

int sqn_poller_add(struct sqn_poller *p, int fd, unsigned events, uint64_t tag)
{
	return set_filters(p, fd, events, tag);
}

int sqn_poller_mod(struct sqn_poller *p, int fd, unsigned events, uint64_t tag)
{
	return set_filters(p, fd, events, tag);
}

int sqn_poller_del(struct sqn_poller *p, int fd)
{
	struct kevent kev[2];

	EV_SET(&kev[0], fd, EVFILT_READ, EV_DELETE, 0, 0, NULL);
	EV_SET(&kev[1], fd, EVFILT_WRITE, EV_DELETE, 0, 0, NULL);
	return kevent(p->fd, kev, 2, NULL, 0, NULL) < 0 ? -errno : 0;
}

int sqn_poller_wait(struct sqn_poller *p, struct sqn_poll_event *ev, int max,
		    int timeout_ms)
{
	struct kevent e[64];
	struct timespec ts, *tsp = NULL;
	int n, i;

	if (max > 64)
		max = 64;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	do
		n = kevent(p->fd, NULL, 0, e, max, tsp);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		ev[i].tag = (uint64_t)(uintptr_t)e[i].udata;
		ev[i].events =
			(e[i].filter == EVFILT_READ ? SQN_POLL_IN : 0) |
			(e[i].filter == EVFILT_WRITE ? SQN_POLL_OUT : 0) |
			((e[i].flags & (EV_EOF | EV_ERROR)) ? SQN_POLL_ERR : 0);
	}
	return n;
}

int sqn_timer_open(struct sqn_timer *t)
{
	t->fd = kqueue();
	return t->fd < 0 ? -errno : 0;
}

void sqn_timer_close(struct sqn_timer *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int sqn_timer_arm(struct sqn_timer *t, uint64_t ns)
{
	struct kevent kev;

	/* EV_ADD on an existing timer replaces its period and restarts it */
	EV_SET(&kev, 1, EVFILT_TIMER, EV_ADD | EV_ENABLE | EV_ONESHOT,
	       NOTE_NSECONDS, (intptr_t)(ns ? ns : 1), NULL);
	return kevent(t->fd, &kev, 1, NULL, 0, NULL) < 0 ? -errno : 0;
}

int sqn_timer_disarm(struct sqn_timer *t)
{
	struct kevent kev;

	/* deleting the knote also drops a fired event not yet collected */
	EV_SET(&kev, 1, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	if (kevent(t->fd, &kev, 1, NULL, 0, NULL) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}
