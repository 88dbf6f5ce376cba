/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sockio.h - whole-buffer socket I/O for the tests' in-test peers
 */
#ifndef SQN_SOCKIO_H
#define SQN_SOCKIO_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/**
 * full_io() - send or receive exactly @n bytes
 * @fd:	a connected socket
 * @p:	the bytes
 * @n:	how many
 * @wr:	nonzero to send, zero to receive
 *
 * Return: 0, or -1 on an error or the peer's EOF
 */
static inline int full_io(int fd, void *p, size_t n, int wr)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = wr ? send(fd, (uint8_t *)p + done, n - done, MSG_NOSIGNAL)
		       : recv(fd, (uint8_t *)p + done, n - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

#endif /* SQN_SOCKIO_H */
