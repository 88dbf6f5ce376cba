/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_os_linux.c - what serve asks of Linux: a connected peer's pid
 */
#include <sys/socket.h>

#include "serve.h"

/**
 * serve_os_peer_pid() - the pid of the process at the other end
 * @fd:	a connected unix socket
 *
 * Return: the pid (SO_PEERCRED, as of connect()), or 0 if unknown
 */
pid_t serve_os_peer_pid(int fd)
{
	struct ucred c;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) ||
	    len != sizeof(c))
		return 0;
	return c.pid;
}
