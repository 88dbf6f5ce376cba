/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helper_posix.c - helper processes where Linux's pidfd and prctl are
 *		    missing (macOS, BSD): waitpid() polling, close loop
 *
 * Without a pidfd the backend notices a helper's exit by its socket closing
 * and by polling waitpid(WNOHANG) on a short timer (see timeout_ms); there
 * is no parent-death signal, so a helper outlives a SIGKILLed caller until
 * its socket read fails (gvproxy and passt exit on EOF).
 */
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
