/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_os_linux.c - what serve asks of Linux: a connected peer's pid, the
 *		     bytes a socket sent that are not read yet
 */
#include <linux/sockios.h>
#include <sys/ioctl.h>
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

/**
 * serve_os_outq() - bytes a socket has sent that are not yet read
 * @fd:	the socket
 *
 * For a unix datagram socket: every datagram its peers have not read yet.
 *
 * Return: the bytes (SIOCOUTQ), or -1 if unknown
 */
long serve_os_outq(int fd)
{
	int n = 0;

	if (ioctl(fd, SIOCOUTQ, &n))
		return -1;
	return n;
}
