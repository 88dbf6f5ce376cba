/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sni.c - the ClientHello server name parser on any bytes
 *
 * Input: the start of a TCP stream (the first byte also sizes the name
 * buffer). Properties:
 *  - a name found is lower case, 1..253 characters of letters, digits,
 *    '-', '_' and dots, no empty label, no trailing dot;
 *  - the answer for a prefix of the input is either SQN_SNI_MORE or the
 *    answer for the whole input (and the same name), and ECH seen in a
 *    prefix is seen in the whole: feeding a stream segment by segment
 *    never changes the verdict;
 *  - a buffer too small never overflows.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "sni.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * check_name() - a found name's shape
 * @s:	the name
 */
static void check_name(const char *s)
{
	size_t n = strlen(s), i;

	FZ_REQUIRE(n >= 1 && n <= SQN_SNI_NAME_MAX);
	FZ_REQUIRE(s[0] != '.' && s[n - 1] != '.');
	for (i = 0; i < n; i++) {
		char c = s[i];

		FZ_REQUIRE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_' || c == '.');
		FZ_REQUIRE(c != '.' || s[i + 1] != '.');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char full[SQN_SNI_NAME_MAX + 1], part[SQN_SNI_NAME_MAX + 1], *small;
	size_t cap = size ? data[0] % 32 : 0, cut, step;
	enum sqn_sni_result r, p;
	bool ech, pech;

	r = sqn_sni_parse(data, size, full, sizeof(full), &ech);
	if (r == SQN_SNI_FOUND)
		check_name(full);
	step = size / 64 + 1;
	for (cut = 0; cut < size; cut += step) {
		p = sqn_sni_parse(data, cut, part, sizeof(part), &pech);
		FZ_REQUIRE(p == SQN_SNI_MORE || p == r);
		FZ_REQUIRE(!pech || ech);
		if (p == SQN_SNI_FOUND)
			FZ_REQUIRE(!strcmp(part, full));
	}
	small = malloc(cap + 1);
	FZ_REQUIRE(small);
	small[cap] = 'Z';
	p = sqn_sni_parse(data, size, small, cap, &pech);
	FZ_REQUIRE(small[cap] == 'Z');
	if (p == SQN_SNI_FOUND)
		FZ_REQUIRE(r == SQN_SNI_FOUND && !strcmp(small, full));
	free(small);
	return 0;
}
