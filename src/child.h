/* SPDX-License-Identifier: Apache-2.0 */
/*
 * child.h - what starting a child takes, in the library (helpers) and in
 *	     the command (CMD) alike: close-on-exec pipes, a pidfd, and in the
 *	     forked child no new privileges, death with the parent and no
 *	     inherited fds (child_linux.c, child_posix.c)
 *
 * Compiled into the library and into the command: nothing here is
 * exported from libsquibnet.so (hidden visibility and the version script).
 * The sqn_child_*() functions are for the child between fork() and
 * execve(): they make async-signal-safe calls only.
 */
#ifndef SQN_CHILD_H
#define SQN_CHILD_H

#include <stdbool.h>
#include <sys/types.h>
#include <unistd.h>

int sqn_pipe_cloexec(int *rfd, int *wfd, bool nonblock);
int sqn_pidfd_open(pid_t pid);
void sqn_child_no_new_privs(void);
void sqn_child_die_with_parent(pid_t parent, int status);
void sqn_child_close_from(int lowfd, int keep);

/**
 * sqn_child_close_loop() - close every fd from @lowfd up to the fd limit
 *			    (at most 65536), except @keep, one by one
 * @lowfd:	first fd to close
 * @keep:	an fd to leave open, or -1
 *
 * What sqn_child_close_from() falls back on where the kernel cannot close a
 * range at once. Async-signal-safe.
 */
static inline void sqn_child_close_loop(int lowfd, int keep)
{
	long max = sysconf(_SC_OPEN_MAX);
	int fd;

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = lowfd; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

#endif /* SQN_CHILD_H */
