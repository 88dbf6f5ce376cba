/* SPDX-License-Identifier: Apache-2.0 */
/*
 * waker_posix.c - struct sqn_waker over a non-blocking pipe (macOS, BSD)
 */
#include <errno.h>
#include <unistd.h>

#include "child.h"
#include "waker.h"

/**
 * sqn_waker_open() - create the flag, clear
 * @w:	the waker
 *
 * Return: 0 or a negative errno
 */
int sqn_waker_open(struct sqn_waker *w)
{
	return sqn_pipe_cloexec(&w->rfd, &w->wfd, true);
}

/**
 * sqn_waker_close() - close the flag's fds (safe twice)
 * @w:	the waker
 */
void sqn_waker_close(struct sqn_waker *w)
{
	if (w->rfd >= 0)
		close(w->rfd);
	if (w->wfd >= 0)
		close(w->wfd);
	w->rfd = w->wfd = -1;
}

/**
 * sqn_waker_wake() - set the flag
 * @w:	the waker
 */
void sqn_waker_wake(const struct sqn_waker *w)
{
	char c = 1;
	ssize_t rc;

	/* EAGAIN: the pipe is full, so the flag is set already */
	do
		rc = write(w->wfd, &c, 1);
	while (rc < 0 && errno == EINTR);
}

/**
 * sqn_waker_clear() - clear the flag: empty the pipe
 * @w:	the waker
 */
void sqn_waker_clear(const struct sqn_waker *w)
{
	char buf[64];

	while (read(w->rfd, buf, sizeof(buf)) > 0 || errno == EINTR)
		;
}
