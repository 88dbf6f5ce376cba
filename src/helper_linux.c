/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helper_linux.c - the Linux part of helper processes: pidfd, prctl,
 *		    close_range, pipe2
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

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
 * sqn_child_harden() - in the forked child: no new privileges, and die
 *			with the parent
 * @parent:	the parent's pid, read before fork()
 *
 * The parent-death signal is tied to the thread that forked, not to the
 * process: a caller that starts interfaces (or calls sqn_iface_read(),
 * which restarts helpers) on a thread that later exits kills its helpers
 * then. The kernel also clears it when the helper changes its credentials
 * (passt started as root switches to nobody): such a helper outlives a
 * SIGKILLed caller until it sees EOF on its socket. squibnet.h says so.
 * If the parent died before the prctl() took effect, exit now.
 * Async-signal-safe.
 */
void sqn_child_harden(pid_t parent)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(127);
}

/**
 * sqn_close_from() - in the forked child: close every fd from @lowfd up,
 *		      except @keep
 * @lowfd:	first fd to close
 * @keep:	an fd above @lowfd to leave open (or -1)
 *
 * Async-signal-safe.
 */
void sqn_close_from(int lowfd, int keep)
{
	long max;
	int fd;

	if (keep < lowfd) {
		if (!syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0u))
			return;
	} else {
		if ((keep == lowfd || !syscall(SYS_close_range, (unsigned)lowfd,
					       (unsigned)keep - 1, 0u)) &&
		    !syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u))
			return;
	}
	/* kernels before 5.9 */
	max = sysconf(_SC_OPEN_MAX);
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
 * Return: 0 or a negative errno
 */
int sqn_pipe_cloexec(int fds[2])
{
	return pipe2(fds, O_CLOEXEC) ? -errno : 0;
}
