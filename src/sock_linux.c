/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock_linux.c - the Linux part of helper sockets: SOCK_CLOEXEC, buffer
 *		  sizes as Linux reports them, abstract unixgram addresses
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "sock.h"

/**
 * sqn_socket_cloexec() - a socket created close-on-exec (no window in which
 *			  a fork in another thread inherits it)
 * @domain:	AF_*
 * @type:	SOCK_*
 *
 * Return: the fd, or a negative errno
 */
int sqn_socket_cloexec(int domain, int type)
{
	int s = socket(domain, type | SOCK_CLOEXEC, 0);

	return s < 0 ? -errno : s;
}

/**
 * sqn_sockbuf_held() - what a buffer size read back holds
 * @reported:	SO_SNDBUF or SO_RCVBUF as getsockopt() gave it
 *
 * Linux reports twice what it was asked for (the other half is its
 * bookkeeping).
 *
 * Return: the bytes of data the buffer holds
 */
long sqn_sockbuf_held(long reported)
{
	return reported / 2;
}

/**
 * sqn_dgram_bind_local() - unixgram: bind @s to an autobound abstract
 *			    address
 * @l:		unused on Linux (no file, no directory)
 * @s:		the datagram socket
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * The kernel picks a unique abstract name ("\0" and 5 hex digits). The peer
 * learns it from recvfrom() of our first datagram and answers with
 * sendto(): that works between processes of one network namespace, which
 * is where a vfkit peer (gvproxy -listen-vfkit) runs. No other process can
 * send to us: a connected datagram socket takes datagrams from its peer
 * only. Nothing exists in the file system, so nothing is left behind.
 *
 * Return: 0 or a negative errno
 */
int sqn_dgram_bind_local(struct sqn_dgram_local *l, int s, char *err,
			 size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int rc;

	(void)l;
	if (bind(s, (struct sockaddr *)&a, sizeof(sa_family_t))) {
		rc = -errno;
		snprintf(err, errlen,
			 "cannot bind an abstract address for our vfkit "
			 "socket: %s",
			 strerror(errno));
		return rc;
	}
	return 0;
}

/**
 * sqn_dgram_unbind_local() - nothing to remove on Linux
 * @l:	the address
 */
void sqn_dgram_unbind_local(struct sqn_dgram_local *l)
{
	sqn_dgram_local_init(l);
}
