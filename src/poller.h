/* SPDX-License-Identifier: Apache-2.0 */
/*
 * poller.h - one pollable fd over a set of fds (epoll on Linux, kqueue on
 *	      macOS and BSD)
 *
 * A backend with several fds (a helper socket, a pidfd, a waker, libslirp's
 * sockets) registers them here; the poller's own fd is the interface's
 * readiness fd, readable when any of them is ready.
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

#endif /* SQN_POLLER_H */
