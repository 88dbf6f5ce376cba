/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock_linux.c - the Linux part of helper sockets: SOCK_CLOEXEC, buffer
 *		  sizes as Linux reports them, abstract unixgram addresses,
 *		  frames sent one message each in one sendmmsg()
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

/**
 * sqn_sock_send_frames() - send frames on a stream socket, in messages
 *			    that end where frames end, in one system call
 * @sock:	the socket (MSG_DONTWAIT either way)
 * @iov:	the frames' iovecs
 * @first:	the first iovec to send
 * @ends:	for each frame, the index in @iov of its last iovec
 * @n:		frames (at most SQN_SOCK_SEND_MAX are sent)
 *
 * A unix stream socket queues what one sendmsg() sends in socket buffers
 * of up to about 36 KiB (4 KiB of head and 32 KiB of pages), cut wherever
 * that falls, and a reader that reads what is there stops at such a cut.
 * Frames are grouped into messages of at most SQN_SOCK_MSG_BYTES (a frame
 * larger than that is a message of its own), sent with one sendmmsg(), so
 * every cut falls where a frame ends or inside a large frame's data, never
 * inside a length header, and a message is queued whole or not at all (a
 * large frame's rest, when only its first buffer fits, follows as one
 * message). passt before 2024 (tap_handler_passt()) loses the framing of
 * its whole stream when a read ends inside a header or the rest of a frame
 * comes in two pieces: bulk guest-to-host TCP then stalls at once.
 * sendmmsg() stops after a message sent in part.
 *
 * Return: bytes sent (the last frame counted may be partly sent), or -1
 * with errno (EAGAIN when nothing could be sent)
 */
ssize_t sqn_sock_send_frames(int sock, struct iovec *iov, unsigned first,
			     const uint16_t *ends, unsigned n)
{
	struct mmsghdr mm[SQN_SOCK_SEND_MAX];
	size_t bytes = 0, fb;
	ssize_t sent = 0;
	unsigned i, j, m = 0;
	int r;

	if (n > SQN_SOCK_SEND_MAX)
		n = SQN_SOCK_SEND_MAX;
	for (i = 0; i < n; i++) {
		for (fb = 0, j = first; j <= ends[i]; j++)
			fb += iov[j].iov_len;
		if (m && bytes + fb <= SQN_SOCK_MSG_BYTES) {
			mm[m - 1].msg_hdr.msg_iovlen += ends[i] - first + 1;
			bytes += fb;
		} else {
			memset(&mm[m], 0, sizeof(mm[m]));
			mm[m].msg_hdr.msg_iov = iov + first;
			mm[m].msg_hdr.msg_iovlen = ends[i] - first + 1;
			bytes = fb;
			m++;
		}
		first = ends[i] + 1u;
	}
	do
		r = sendmmsg(sock, mm, m, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	for (i = 0; i < (unsigned)r; i++)
		sent += mm[i].msg_len;
	return sent;
}
