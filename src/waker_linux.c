/* SPDX-License-Identifier: Apache-2.0 */
/*
 * waker_linux.c - struct sqn_waker over an eventfd
 */
#include <errno.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "waker.h"

/**
 * sqn_waker_open() - create the flag, clear
 * @w:	the waker
 *
 * Return: 0 or a negative errno
 */
int sqn_waker_open(struct sqn_waker *w)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		w->rfd = w->wfd = -1;
		return -errno;
	}
	w->rfd = w->wfd = fd;
	return 0;
}

/**
 * sqn_waker_close() - close the flag's fds (safe twice)
 * @w:	the waker
 */
void sqn_waker_close(struct sqn_waker *w)
{
	if (w->rfd >= 0)
		close(w->rfd);
	w->rfd = w->wfd = -1;
}

/**
 * sqn_waker_wake() - set the flag
 * @w:	the waker
 */
void sqn_waker_wake(const struct sqn_waker *w)
{
	uint64_t one = 1;
	ssize_t rc;

	/* EAGAIN means the counter is saturated: it is set already */
	do
		rc = write(w->wfd, &one, sizeof(one));
	while (rc < 0 && errno == EINTR);
}

/**
 * sqn_waker_clear() - clear the flag
 * @w:	the waker
 */
void sqn_waker_clear(const struct sqn_waker *w)
{
	uint64_t v;
	ssize_t rc;

	do
		rc = read(w->rfd, &v, sizeof(v));
	while (rc < 0 && errno == EINTR);
}
