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

#include "url.h"

/* Socket buffer both ends of a helper connection ask for */
#define SQN_HELPER_SOCKBUF (8 << 20)

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

/* sock_linux.c / sock_posix.c: the platform's part */
int sqn_socket_cloexec(int domain, int type);
long sqn_sockbuf_held(long reported);
int sqn_dgram_bind_local(struct sqn_dgram_local *l, int s, char *err,
			 size_t errlen);
void sqn_dgram_unbind_local(struct sqn_dgram_local *l);

#endif /* SQN_SOCK_H */
