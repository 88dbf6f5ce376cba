/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poller.h - one pollable fd over a set of fds (epoll on Linux, kqueue on
 *	      macOS and BSD)
 *
 * A backend with several fds (a helper socket, a pidfd, a waker, libslirp's
 * sockets) registers them here; the poller's own fd is the interface's
 * readiness fd, readable when any of them is ready.
 *
 * struct sqn_timer is a one-shot timer as a pollable fd (a timerfd; a
 * kqueue holding one EVFILT_TIMER), for a poller or a caller's poll: the
 * core's rate limiters wake their callers with it (fpath.c).
 */
#ifndef SQN_POLLER_H
#define SQN_POLLER_H

#include <stdint.h>

#define SQN_POLL_IN 1u
#define SQN_POLL_OUT 2u
#define SQN_POLL_ERR 4u /* error or hang-up, reported, never asked for */

/**
 * struct sqn_poller - the set
 * @fd:	the epoll or kqueue fd
 */
struct sqn_poller {
	int fd;
};

/**
 * struct sqn_poll_event - one ready fd
 * @tag:	the tag it was registered with
 * @events:	SQN_POLL_* bits
 */
struct sqn_poll_event {
	uint64_t tag;
	unsigned events;
};

int sqn_poller_open(struct sqn_poller *p);
void sqn_poller_close(struct sqn_poller *p);
int sqn_poller_add(struct sqn_poller *p, int fd, unsigned events, uint64_t tag);
int sqn_poller_mod(struct sqn_poller *p, int fd, unsigned events, uint64_t tag);
int sqn_poller_del(struct sqn_poller *p, int fd);
int sqn_poller_wait(struct sqn_poller *p, struct sqn_poll_event *ev, int max,
		    int timeout_ms);

/**
 * struct sqn_timer - a one-shot timer: readable once it fired, until
 *		      disarmed (or armed again)
 * @fd:	the fd to poll
 */
struct sqn_timer {
	int fd;
};

int sqn_timer_open(struct sqn_timer *t);
void sqn_timer_close(struct sqn_timer *t);
int sqn_timer_arm(struct sqn_timer *t, uint64_t ns);
int sqn_timer_disarm(struct sqn_timer *t);

#endif /* SQN_POLLER_H */
