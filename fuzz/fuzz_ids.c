/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ids.c - interface id validation and TAP names on any string
 *
 * sqn_iface_id_valid() must agree with its specification
 * ([A-Za-z0-9_]{1,64}); sqn_tap_name() must, for every buffer size, refuse
 * what it should, never write past the buffer, fit the name in len - 1
 * bytes, be deterministic, and use only [a-z0-9_-] and the id's own
 * characters.
 */
#include <errno.h>

#include "fuzz_util.h"
#include "squibnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * spec_valid() - the id rule, written independently of the library
 * @s:	the id
 *
 * Return: 1 if @s matches [A-Za-z0-9_]{1,64}
 */
static int spec_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

/**
 * check_name() - sqn_tap_name() with a buffer of exactly @len bytes
 * @id:		the id
 * @valid:	whether it is valid
 * @len:	buffer size
 */
static void check_name(const char *id, int valid, size_t len)
{
	char *buf = malloc(len ? len : 1), *again = malloc(len ? len : 1);
	size_t n, i, idlen = strlen(id);
	int rc;

	FZ_REQUIRE(buf && again);
	rc = sqn_tap_name(id, len ? buf : NULL, len);
	if (!valid) {
		FZ_REQUIRE(rc == -EINVAL);
		goto out;
	}
	if (len < 12) {
		FZ_REQUIRE(rc == -ENOSPC);
		goto out;
	}
	FZ_REQUIRE(rc == 0);
	n = strnlen(buf, len);
	FZ_REQUIRE(n <= len - 1);
	FZ_REQUIRE(n >= 7);
	FZ_REQUIRE(!strncmp(buf, "squib-", 6));
	for (i = 0; i < n; i++) {
		char c = buf[i];

		FZ_REQUIRE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '_' || c == '-' || memchr(id, c, idlen));
	}
	if (10 + idlen < len) /* fits: the readable form, verbatim */
		FZ_REQUIRE(!strncmp(buf + 10, id, idlen + 1) &&
			   !strncmp(buf, "squib-tap-", 10));
	FZ_REQUIRE(sqn_tap_name(id, again, len) == 0);
	FZ_REQUIRE(!strcmp(buf, again));
out:
	free(buf);
	free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = {0,  1,  11, 12, 13, 15,
				      16, 17, 20, 32, 64, 80};
	size_t i;
	int valid;
	char *s;

	if (size > 200)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	valid = sqn_iface_id_valid(s);
	FZ_REQUIRE(valid == spec_valid(s));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_name(s, valid, lens[i]);
	if (size) /* and the size the input asks for */
		check_name(s, valid, data[0] % 96);
	free(s);
	return 0;
}
