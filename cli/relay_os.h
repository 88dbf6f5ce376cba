/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relay_os.h - what squib-net run's relay needs of the OS: signals as a
 *		pollable fd, entropy, and tap mode's host address
 *		(relay_os_linux.c: signalfd, getentropy; relay_os_posix.c:
 *		self-pipe and sigaction, /dev/urandom)
 *
 * The rest it shares with the library, compiled into the command from
 * src/: the TX thread's stop flag is a struct sqn_waker (waker.h), and a
 * forked child dies with us and closes what it inherited through child.h.
 */
#ifndef SQN_RELAY_OS_H
#define SQN_RELAY_OS_H

#include <stddef.h>

/**
 * struct relay_sigq - SIGCHLD and the terminating signals, as an fd
 * @rfd:	poll this for readability; relay_sigq_next() reads it
 * @wfd:	the self-pipe's write end (-1 for a signalfd)
 */
struct relay_sigq {
	int rfd;
	int wfd;
};

/* Most signals one queue takes (relay_sigq_open_sigs()) */
#define RELAY_SIGQ_MAX 8

int relay_sigq_open(struct relay_sigq *q);
int relay_sigq_open_sigs(struct relay_sigq *q, const int *sigs, size_t n);
int relay_sigq_next(struct relay_sigq *q);
void relay_sigq_close(struct relay_sigq *q);

int relay_os_random(void *buf, size_t len);

struct ip4_cidr;
int relay_os_host_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		       size_t errlen);

#endif /* SQN_RELAY_OS_H */
