/* SPDX-License-Identifier: Apache-2.0 */
/*
 * waker.h - a pollable flag: readable while set (eventfd, or a pipe)
 */
#ifndef SQN_WAKER_H
#define SQN_WAKER_H

/**
 * struct sqn_waker - the flag
 * @rfd:	poll this for readability
 * @wfd:	written to set it (the same fd as @rfd for an eventfd)
 */
struct sqn_waker {
	int rfd;
	int wfd;
};

int sqn_waker_open(struct sqn_waker *w);
void sqn_waker_close(struct sqn_waker *w);
void sqn_waker_wake(const struct sqn_waker *w);
void sqn_waker_clear(const struct sqn_waker *w);

#endif /* SQN_WAKER_H */
