/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relay_os_linux.c - relay_os.h on Linux: signalfd, getentropy
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "relay_os.h"
#include "run.h"

/**
 * relay_sigq_open() - block SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGQUIT
 *		       and queue them into a signalfd
 * @q:	gets the fd
 *
 * Signals that arrived while blocked (cmd_run() blocks them before it
 * forks) are read from the signalfd too, so none is lost.
 *
 * Return: 0 or a negative errno
 */
int relay_sigq_open(struct relay_sigq *q)
{
	static const int sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT};

	return relay_sigq_open_sigs(q, sigs, sizeof(sigs) / sizeof(sigs[0]));
}

/**
 * relay_sigq_open_sigs() - block @sigs and queue them into a signalfd
 * @q:		gets the fd
 * @sigs:	the signals
 * @n:		their number, at most RELAY_SIGQ_MAX
 *
 * Return: 0 or a negative errno
 */
int relay_sigq_open_sigs(struct relay_sigq *q, const int *sigs, size_t n)
{
	sigset_t set;
	size_t i;

	if (n > RELAY_SIGQ_MAX)
		return -EINVAL;
	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	q->wfd = -1;
	q->rfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return q->rfd < 0 ? -errno : 0;
}

/**
 * relay_sigq_next() - the next queued signal
 * @q:	the queue
 *
 * Return: the signal number, or 0 when none is queued
 */
int relay_sigq_next(struct relay_sigq *q)
{
	struct signalfd_siginfo si;

	if (read(q->rfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

/**
 * relay_sigq_close() - close the signalfd (the signals stay blocked)
 * @q:	the queue; closing a closed one is a no-op
 */
void relay_sigq_close(struct relay_sigq *q)
{
	if (q->rfd >= 0)
		close(q->rfd);
	q->rfd = q->wfd = -1;
}

/**
 * relay_os_random() - random bytes
 * @buf:	gets them
 * @len:	at most 256
 *
 * Return: 0 or a negative errno
 */
int relay_os_random(void *buf, size_t len)
{
	return getentropy(buf, len) < 0 ? -errno : 0;
}

/**
 * relay_os_host_addr() - address a host interface (tap mode's backend TAP)
 * @ifname:	its name
 * @a:		the address and prefix
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int relay_os_host_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		       size_t errlen)
{
	return ns_if_set_addr(ifname, a, err, errlen);
}
