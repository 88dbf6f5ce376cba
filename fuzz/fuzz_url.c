/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_url.c - libFuzzer target: connect_url parsing
 *
 * Accepted URLs have a known scheme and an absolute path of at most
 * SQN_URL_PATH_MAX bytes without control characters; refused ones have a
 * message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sqn_url u;
	char url[512], err[256];
	size_t i, n;

	if (size >= sizeof(url))
		size = sizeof(url) - 1;
	memcpy(url, data, size);
	url[size] = '\0';
	err[0] = '\0';
	if (sqn_url_parse(url, &u, err, sizeof(err))) {
		if (!err[0])
			abort();
		return 0;
	}
	n = strlen(u.path);
	if (u.path[0] != '/' || n > SQN_URL_PATH_MAX || !strstr(url, "://") ||
	    strcmp(strstr(url, "://") + 3, u.path))
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)u.path[i] < 0x20)
			abort();
	return 0;
}
