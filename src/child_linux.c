/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child_linux.c - child.h on Linux: pipe2, pidfd_open, prctl
 *		   (PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG), close_range
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "child.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/**
 * sqn_pipe_cloexec() - a pipe whose both ends are close-on-exec
 * @rfd:	gets the read end, -1 on failure
 * @wfd:	gets the write end, -1 on failure
 * @nonblock:	make both ends non-blocking too
 *
 * Return: 0 or a negative errno
 */
int sqn_pipe_cloexec(int *rfd, int *wfd, bool nonblock)
{
	int p[2];

	*rfd = *wfd = -1;
	if (pipe2(p, O_CLOEXEC | (nonblock ? O_NONBLOCK : 0)))
		return -errno;
	*rfd = p[0];
	*wfd = p[1];
	return 0;
}

/**
 * sqn_pidfd_open() - a pollable fd that turns readable when @pid exits
 * @pid:	a child of this process
 *
 * Return: the fd (close-on-exec), or -1 where the kernel has none
 *	   (before 5.3): the caller then polls with waitpid()
 */
int sqn_pidfd_open(pid_t pid)
{
	long fd = syscall(SYS_pidfd_open, pid, 0);

	/* pidfds are always close-on-exec */
	return fd < 0 ? -1 : (int)fd;
}

/**
 * sqn_child_no_new_privs() - in the forked child: execve() grants no
 *			      privileges (setuid bits, file capabilities)
 *
 * Async-signal-safe.
 */
void sqn_child_no_new_privs(void)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/**
 * sqn_child_die_with_parent() - in the forked child: SIGKILL when the
 *				 parent dies, and exit now if it already has
 * @parent:	the parent's pid, read before fork()
 * @status:	the exit status if the parent is gone already
 *
 * The parent-death signal is tied to the thread that forked, not to the
 * process: a library caller that starts interfaces (or calls
 * sqn_iface_read(), which restarts helpers) on a thread that later exits
 * kills its helpers then. The kernel also clears it when the child changes
 * its credentials (passt started as root switches to nobody): such a child
 * outlives a SIGKILLed parent until it sees EOF on its socket. squibnet.h
 * says so. If the parent died before the prctl() took effect, the child
 * exits at once. Async-signal-safe.
 */
void sqn_child_die_with_parent(pid_t parent, int status)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(status);
}

/**
 * sqn_child_close_from() - in the forked child: close every fd from @lowfd
 *			    up, except @keep
 * @lowfd:	first fd to close
 * @keep:	an fd above @lowfd to leave open (or -1)
 *
 * close_range(), in one or two calls around @keep; the loop on kernels
 * before 5.9. Async-signal-safe.
 */
void sqn_child_close_from(int lowfd, int keep)
{
	if (keep < lowfd) {
		if (!syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0u))
			return;
	} else if ((keep == lowfd || !syscall(SYS_close_range, (unsigned)lowfd,
					      (unsigned)keep - 1, 0u)) &&
		   !syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u)) {
		return;
	}
	sqn_child_close_loop(lowfd, keep);
}
