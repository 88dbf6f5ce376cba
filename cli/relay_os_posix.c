/* SPDX-License-Identifier: Apache-2.0 */
/*
 * relay_os_posix.c - relay_os.h where signalfd and getentropy are missing
 *		      (macOS, BSD): a self-pipe written by sigaction handlers,
 *		      /dev/urandom
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "relay_os.h"
#include "run.h"
#include "child.h"

static const int relay_sigs[] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT};

/* the self-pipe's write end, for the handler (one queue per process) */
static volatile sig_atomic_t sigq_wfd = -1;
/* the signals caught, and their actions before */
static int sigq_sigs[RELAY_SIGQ_MAX];
static size_t sigq_n;
static struct sigaction sigq_old[RELAY_SIGQ_MAX];

/**
 * sigq_handler() - queue the signal's number into the self-pipe
 * @sig:	the signal
 *
 * A full pipe drops it: hundreds are queued already. Async-signal-safe.
 */
static void sigq_handler(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (sigq_wfd >= 0)
		(void)!write(sigq_wfd, &c, 1);
	errno = saved;
}

/**
 * relay_sigq_open_sigs() - catch @sigs into a self-pipe, and unblock them
 * @q:		gets the pipe
 * @sigs:	the signals
 * @n:		their number, at most RELAY_SIGQ_MAX
 *
 * Return: 0 or a negative errno
 */
int relay_sigq_open_sigs(struct relay_sigq *q, const int *sigs, size_t n)
{
	struct sigaction sa;
	sigset_t set;
	size_t i;
	int rc;

	if (n > RELAY_SIGQ_MAX)
		return -EINVAL;
	rc = sqn_pipe_cloexec(&q->rfd, &q->wfd, true);
	if (rc)
		return rc;
	sigq_wfd = q->wfd;
	sigq_n = n;
	sigemptyset(&set);
	for (i = 0; i < n; i++) {
		sa = (struct sigaction){.sa_handler = sigq_handler,
					.sa_flags = SA_RESTART};
		if (sigs[i] == SIGCHLD)
			sa.sa_flags |= SA_NOCLDSTOP;
		sigemptyset(&sa.sa_mask);
		sigq_sigs[i] = sigs[i];
		sigaction(sigs[i], &sa, &sigq_old[i]);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	return 0;
}

/**
 * relay_sigq_open() - catch SIGCHLD, SIGINT, SIGTERM, SIGHUP and SIGQUIT
 *		       into a self-pipe, and unblock them
 * @q:	gets the pipe
 *
 * Return: 0 or a negative errno
 */
int relay_sigq_open(struct relay_sigq *q)
{
	return relay_sigq_open_sigs(q, relay_sigs,
				    sizeof(relay_sigs) / sizeof(relay_sigs[0]));
}

/**
 * relay_sigq_next() - the next queued signal
 * @q:	the queue
 *
 * Return: the signal number, or 0 when none is queued
 */
int relay_sigq_next(struct relay_sigq *q)
{
	unsigned char c;
	ssize_t n;

	do
		n = read(q->rfd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : 0;
}

/**
 * relay_sigq_close() - restore the signals' old actions, close the pipe
 * @q:	the queue; closing a closed one is a no-op
 */
void relay_sigq_close(struct relay_sigq *q)
{
	size_t i;

	if (q->rfd < 0)
		return;
	for (i = 0; i < sigq_n; i++)
		sigaction(sigq_sigs[i], &sigq_old[i], NULL);
	sigq_wfd = -1;
	close(q->rfd);
	close(q->wfd);
	q->rfd = q->wfd = -1;
}

/**
 * relay_os_random() - random bytes, from /dev/urandom
 * @buf:	gets them
 * @len:	how many
 *
 * Return: 0 or a negative errno
 */
int relay_os_random(void *buf, size_t len)
{
	int fd = open("/dev/urandom", O_RDONLY);
	ssize_t n = -1;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/**
 * relay_os_host_addr() - address a host interface: Linux's tap mode only
 * @ifname:	its name
 * @a:		the address and prefix
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: -EOPNOTSUPP
 */
int relay_os_host_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		       size_t errlen)
{
	(void)a;
	snprintf(err, errlen,
		 "run: cannot address '%s': tap mode exists on Linux only",
		 ifname);
	return -EOPNOTSUPP;
}
