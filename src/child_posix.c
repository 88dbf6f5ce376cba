/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child_posix.c - child.h where Linux's pipe2, pidfd, prctl and
 *		   close_range are missing (macOS, BSD): pipe and fcntl, no
 *		   pidfd, a parent check, a close loop
 *
 * There is no parent-death signal here: a SIGKILLed parent cannot take its
 * children along, and sqn_child_die_with_parent() only notices a parent
 * that died before the fork finished.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "child.h"

/**
 * set_flags() - make @fd close-on-exec, and non-blocking if asked
 * @fd:		the fd
 * @nonblock:	make it non-blocking
 *
 * Return: 0 or a negative errno
 */
static int set_flags(int fd, bool nonblock)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || (nonblock && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/**
 * sqn_pipe_cloexec() - a pipe whose both ends are close-on-exec
 * @rfd:	gets the read end, -1 on failure
 * @wfd:	gets the write end, -1 on failure
 * @nonblock:	make both ends non-blocking too
 *
 * There is no pipe2() here: the flags are set right after, which leaves a
 * window for a fork in another thread.
 *
 * Return: 0 or a negative errno (nothing is left open)
 */
int sqn_pipe_cloexec(int *rfd, int *wfd, bool nonblock)
{
	int p[2], rc;

	*rfd = *wfd = -1;
	if (pipe(p) < 0)
		return -errno;
	rc = set_flags(p[0], nonblock);
	if (!rc)
		rc = set_flags(p[1], nonblock);
	if (rc) {
		close(p[0]);
		close(p[1]);
		return rc;
	}
	*rfd = p[0];
	*wfd = p[1];
	return 0;
}

/**
 * sqn_pidfd_open() - no pidfd here
 * @pid:	the child
 *
 * Return: -1: the caller polls with waitpid()
 */
int sqn_pidfd_open(pid_t pid)
{
	(void)pid;
	return -1;
}

/**
 * sqn_child_no_new_privs() - nothing to set here
 */
void sqn_child_no_new_privs(void)
{
}

/**
 * sqn_child_die_with_parent() - in the forked child: exit if the parent is
 *				 gone already
 * @parent:	the parent's pid, read before fork()
 * @status:	the exit status then
 *
 * Async-signal-safe.
 */
void sqn_child_die_with_parent(pid_t parent, int status)
{
	if (getppid() != parent)
		_exit(status);
}

/**
 * sqn_child_close_from() - in the forked child: close every fd from @lowfd
 *			    up, except @keep
 * @lowfd:	first fd to close
 * @keep:	an fd to leave open (or -1)
 *
 * Async-signal-safe.
 */
void sqn_child_close_from(int lowfd, int keep)
{
	sqn_child_close_loop(lowfd, keep);
}
