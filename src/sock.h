/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sock.h - the sockets to helpers and peers: created close-on-exec, with
 *	    large buffers; the address a unixgram socket binds to be answered
 *	    at (sock.c, and the platform's part in sock_linux.c /
 *	    sock_posix.c)
 */
#ifndef SQN_SOCK_H
#define SQN_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "url.h"

/* Socket buffer both ends of a helper connection ask for */
#define SQN_HELPER_SOCKBUF (8 << 20)
/*
 * Send buffer toward a u32-BE stream peer (passt, qemu): Linux doubles it,
 * so at most 8 MiB wait for the peer, less than passt's one read
 * (TAP_BUF_FILL, ~8.3 MiB), whose end could otherwise fall inside a
 * frame's length header (see sqn_sock_send_frames())
 */
#define SQN_STREAM_SNDBUF (4 << 20)

/**
 * struct sqn_dgram_local - unixgram: the address we bind, to be answered at
 * @dirfd:	file-based: our private directory, open and flock()ed for as
 *		long as we live (how a later sweep knows it is stale); -1
 * @dir:	file-based: that directory, "" when none
 * @path:	file-based: our socket file in it, "" when none
 *
 * On Linux the address is abstract (autobind): nothing here is used.
 */
struct sqn_dgram_local {
	int dirfd;
	char dir[SQN_URL_PATH_MAX + 1];
	char path[SQN_URL_PATH_MAX + 1];
};

/**
 * sqn_dgram_local_init() - no local address yet
 * @l:	the address
 */
static inline void sqn_dgram_local_init(struct sqn_dgram_local *l)
{
	l->dirfd = -1;
	l->dir[0] = '\0';
	l->path[0] = '\0';
}

long sqn_socket_buffers(int fd);
void sqn_socket_sndbuf(int fd, int bytes);

/* The most frames sqn_sock_send_frames() sends in one call */
#define SQN_SOCK_SEND_MAX 64
/* Frames grouped in one message by sqn_sock_send_frames(): at most this
 * many bytes, what one unix stream socket buffer holds */
#define SQN_SOCK_MSG_BYTES 32768

/* sock_linux.c / sock_posix.c: the platform's part */
int sqn_socket_cloexec(int domain, int type);
long sqn_sockbuf_held(long reported);
int sqn_dgram_bind_local(struct sqn_dgram_local *l, int s, char *err,
			 size_t errlen);
void sqn_dgram_unbind_local(struct sqn_dgram_local *l);
ssize_t sqn_sock_send_frames(int sock, struct iovec *iov, unsigned first,
			     const uint16_t *ends, unsigned n);

#endif /* SQN_SOCK_H */
