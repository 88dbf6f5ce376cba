/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock.c - the sockets to helpers and peers: their buffer sizes
 */
#include <sys/socket.h>

#include "sock.h"

/**
 * sqn_socket_buffers() - ask for large send and receive buffers
 * @fd:	a socket
 *
 * Uses the privileged SO_*BUFFORCE where allowed (above the rmem_max
 * sysctl), else the ordinary option, which the kernel caps.
 *
 * Return: the smaller of the two sizes obtained, in bytes the buffer holds
 * (sqn_sockbuf_held()), or -1 when they cannot be read back
 */
long sqn_socket_buffers(int fd)
{
	int sz = SQN_HELPER_SOCKBUF, snd = 0, rcv = 0;
	socklen_t l = sizeof(int);

#ifdef SO_SNDBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
#endif
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
#ifdef SO_RCVBUFFORCE
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
#endif
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &l))
		return -1;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l))
		return -1;
	return sqn_sockbuf_held(snd < rcv ? snd : rcv);
}

/**
 * sqn_socket_sndbuf() - set the send buffer alone (privileged option where
 *			 allowed)
 * @fd:		a socket
 * @bytes:	the size to ask for
 */
void sqn_socket_sndbuf(int fd, int bytes)
{
#ifdef SO_SNDBUFFORCE
	if (!setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)))
		return;
#endif
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}
