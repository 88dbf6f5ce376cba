/* SPDX-License-Identifier: Apache-2.0 */
/*
 * waker_posix.c - struct sqn_waker over a non-blocking pipe (macOS, BSD)
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "waker.h"

/**
 * set_flags() - make @fd non-blocking and close-on-exec
 * @fd:	the fd
 *
 * Return: 0 or a negative errno
 */
static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

int sqn_waker_open(struct sqn_waker *w)
{
	int p[2], rc;

	w->rfd = w->wfd = -1;
	if (pipe(p) < 0)
		return -errno;
	rc = set_flags(p[0]);
	if (!rc)
		rc = set_flags(p[1]);
	if (rc) {
		close(p[0]);
		close(p[1]);
		return rc;
	}
	w->rfd = p[0];
	w->wfd = p[1];
	return 0;
}

void sqn_waker_close(struct sqn_waker *w)
{
	if (w->rfd >= 0)
		close(w->rfd);
	if (w->wfd >= 0)
		close(w->wfd);
	w->rfd = w->wfd = -1;
}

void sqn_waker_wake(const struct sqn_waker *w)
{
	char c = 1;
	ssize_t rc;

	/* EAGAIN: the pipe is full, so the flag is set already */
	do
		rc = write(w->wfd, &c, 1);
	while (rc < 0 && errno == EINTR);
}

void sqn_waker_clear(const struct sqn_waker *w)
{
	char buf[64];

	while (read(w->rfd, buf, sizeof(buf)) > 0 || errno == EINTR)
		;
}
