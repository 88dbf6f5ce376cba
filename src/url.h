/* SPDX-License-Identifier: Apache-2.0 */
/*
 * url.h - helper socket URLs: unix://, unixgram://, unixpacket:// (url.c)
 */
#ifndef SQN_URL_H
#define SQN_URL_H

#include <stddef.h>

/**
 * enum sqn_url_kind - a helper socket's type
 * @SQN_URL_UNIX:	unix:// stream, u32-BE framing (qemu)
 * @SQN_URL_UNIXGRAM:	unixgram:// datagrams (vfkit), VFKT greeting
 * @SQN_URL_UNIXPACKET:	unixpacket:// seqpacket (bess)
 */
enum sqn_url_kind {
	SQN_URL_UNIX = 0,
	SQN_URL_UNIXGRAM,
	SQN_URL_UNIXPACKET,
};

/* sockaddr_un.sun_path holds 108 bytes on Linux, 104 on macOS */
#define SQN_URL_PATH_MAX 103

/**
 * struct sqn_url - a parsed connect_url
 * @kind:	socket type
 * @path:	the socket's path, NUL-terminated
 */
struct sqn_url {
	enum sqn_url_kind kind;
	char path[SQN_URL_PATH_MAX + 1];
};

int sqn_url_parse(const char *url, struct sqn_url *out, char *err,
		  size_t errlen);

#endif /* SQN_URL_H */
