/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relay_os.h - what squib-net run's relay needs of the OS: signals as a
 *		pollable fd, a stop flag, entropy, and children that die with
 *		us (relay_os_linux.c: signalfd, eventfd, prctl, close_range;
 *		relay_os_posix.c: self-pipe and sigaction, a pipe, a close loop),
 *		and tap mode's host address
 */
#ifndef SQN_RELAY_OS_H
#define SQN_RELAY_OS_H

#include <stddef.h>
#include <sys/types.h>

/**
 * struct relay_sigq - SIGCHLD and the terminating signals, as an fd
 * @rfd:	poll this for readability; relay_sigq_next() reads it
 * @wfd:	the self-pipe's write end (-1 for a signalfd)
 */
struct relay_sigq {
	int rfd;
	int wfd;
};

/**
 * struct relay_flag - a pollable flag: readable once set
 * @rfd:	poll this
 * @wfd:	written to set it (the same fd as @rfd for an eventfd)
 */
struct relay_flag {
	int rfd;
	int wfd;
};

/* Most signals one queue takes (relay_sigq_open_sigs()) */
#define RELAY_SIGQ_MAX 8

int relay_sigq_open(struct relay_sigq *q);
int relay_sigq_open_sigs(struct relay_sigq *q, const int *sigs, size_t n);
int relay_sigq_next(struct relay_sigq *q);
void relay_sigq_close(struct relay_sigq *q);

int relay_flag_open(struct relay_flag *f);
void relay_flag_set(const struct relay_flag *f);
void relay_flag_close(struct relay_flag *f);

int relay_os_random(void *buf, size_t len);
void relay_os_child_harden(pid_t parent);
void relay_os_close_from(int lowfd, int keep);

struct ip4_cidr;
int relay_os_host_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		       size_t errlen);

#endif /* SQN_RELAY_OS_H */
