/* SPDX-License-Identifier: Apache-2.0 */
/*
 * url.c - helper socket URLs: unix://, unixgram://, unixpacket:// (pure)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "url.h"

static const struct {
	const char *scheme;
	enum sqn_url_kind kind;
} url_schemes[] = {
	{"unix://", SQN_URL_UNIX},
	{"unixgram://", SQN_URL_UNIXGRAM},
	{"unixpacket://", SQN_URL_UNIXPACKET},
};

/**
 * sqn_url_parse() - parse a connect_url
 * @url:	"unix:///path", "unixgram:///path" or "unixpacket:///path"
 * @out:	gets the kind and the path
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * The path must be absolute (three slashes), at most SQN_URL_PATH_MAX bytes
 * (what sockaddr_un holds everywhere) and free of control characters.
 *
 * Return: 0 or -EINVAL
 */
int sqn_url_parse(const char *url, struct sqn_url *out, char *err,
		  size_t errlen)
{
	const char *path = NULL;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!url) {
		snprintf(
			err, errlen,
			"connect_url is missing: socket mode needs "
			"unix:///path, unixgram:///path or unixpacket:///path");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(url_schemes) / sizeof(url_schemes[0]); i++) {
		n = strlen(url_schemes[i].scheme);
		if (!strncmp(url, url_schemes[i].scheme, n)) {
			out->kind = url_schemes[i].kind;
			path = url + n;
			break;
		}
	}
	if (!path) {
		snprintf(err, errlen,
			 "connect_url \"%.64s\" has an unknown scheme: use "
			 "unix:// (stream), unixgram:// (vfkit) or "
			 "unixpacket:// "
			 "(bess)",
			 url);
		return -EINVAL;
	}
	n = strnlen(path, SQN_URL_PATH_MAX + 1);
	if (n == 0) {
		snprintf(err, errlen, "connect_url \"%.64s\" has no path", url);
		return -EINVAL;
	}
	if (path[0] != '/') {
		snprintf(err, errlen,
			 "connect_url \"%.64s\": the path must be absolute, "
			 "as in unix:///run/helper.sock",
			 url);
		return -EINVAL;
	}
	if (n > SQN_URL_PATH_MAX) {
		snprintf(err, errlen,
			 "connect_url: the path \"%.40s...\" is longer than "
			 "%d bytes, more than a unix socket address holds",
			 path, SQN_URL_PATH_MAX);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			snprintf(
				err, errlen,
				"connect_url: the path has a control character "
				"(0x%02x) at offset %zu",
				(unsigned char)path[i], i);
			return -EINVAL;
		}
	}
	memcpy(out->path, path, n);
	out->path[n] = '\0';
	return 0;
}
