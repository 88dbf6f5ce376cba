/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helper_posix.c - helper processes where Linux's pidfd, prctl and pipe2
 *		    are missing (macOS, BSD): waitpid() polling, a close loop
 *
 * Without a pidfd the backend notices a helper's exit by its socket closing
 * and by polling waitpid(WNOHANG) on a short timer (see timeout_ms); there
 * is no parent-death signal, so a helper outlives a SIGKILLed caller until
 * its socket read fails (gvproxy and passt exit on EOF).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "helper.h"

/**
 * sqn_pidfd_open() - no pidfd here
 * @pid:	the child
 *
 * Return: -1
 */
int sqn_pidfd_open(pid_t pid)
{
	(void)pid;
	return -1;
}

/**
 * sqn_child_harden() - in the forked child: exit if the parent is gone
 * @parent:	the parent's pid
 */
void sqn_child_harden(pid_t parent)
{
	if (getppid() != parent)
		_exit(127);
}

/**
 * sqn_close_from() - close every fd from @lowfd up, except @keep
 * @lowfd:	first fd to close
 * @keep:	an fd to leave open, or -1
 */
void sqn_close_from(int lowfd, int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/**
 * sqn_pipe_cloexec() - a pipe whose both ends are close-on-exec
 * @fds:	gets the ends
 *
 * There is no pipe2() here: the flag is set right after, which leaves a
 * window for a fork in another thread.
 *
 * Return: 0 or a negative errno
 */
int sqn_pipe_cloexec(int fds[2])
{
	if (pipe(fds))
		return -errno;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}
