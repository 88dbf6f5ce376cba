/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_os_posix.c - what serve asks of the OS where Linux's calls are
 *		      missing (macOS): a connected peer's pid
 */
#include <sys/socket.h>

#include "serve.h"

/**
 * serve_os_peer_pid() - the pid of the process at the other end
 * @fd:	a connected unix socket
 *
 * Return: the pid (LOCAL_PEERPID on macOS), or 0 if unknown
 */
pid_t serve_os_peer_pid(int fd)
{
#ifdef LOCAL_PEERPID
	pid_t pid = 0;
	socklen_t len = sizeof(pid);

	if (getsockopt(fd, 0 /* SOL_LOCAL */, LOCAL_PEERPID, &pid, &len))
		return 0;
	return pid;
#else
	(void)fd;
	return 0;
#endif
}

/**
 * serve_os_outq() - bytes a socket has sent that are not yet read
 * @fd:	the socket
 *
 * Return: the bytes (SO_NWRITE on macOS), or -1 if unknown
 */
long serve_os_outq(int fd)
{
#ifdef SO_NWRITE
	int n = 0;
	socklen_t len = sizeof(n);

	if (getsockopt(fd, SOL_SOCKET, SO_NWRITE, &n, &len))
		return -1;
	return n;
#else
	(void)fd;
	return -1;
#endif
}
