/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mac.c - sqn_mac_parse() on any string, and the parse/format round
 *		trip: what parses formats back to the same text in lower case
 *		and parses again to the same bytes
 */
#include <ctype.h>

#include "fuzz_util.h"
#include "squibnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mac[6], again[6];
	char text[18], *s;
	size_t i;

	/* The input as a string, in a buffer of its exact size. */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	memset(mac, 0xa5, sizeof(mac));
	if (sqn_mac_parse(s, mac) == 0) {
		FZ_REQUIRE(strlen(s) == 17);
		sqn_mac_format(mac, text);
		FZ_REQUIRE(strlen(text) == 17);
		for (i = 0; i < 17; i++)
			FZ_REQUIRE(text[i] == tolower((unsigned char)s[i]));
		FZ_REQUIRE(sqn_mac_parse(text, again) == 0);
		FZ_REQUIRE(!memcmp(mac, again, 6));
	} else {
		/* A refused string leaves the output alone. */
		for (i = 0; i < 6; i++)
			FZ_REQUIRE(mac[i] == 0xa5);
	}
	free(s);

	/* Any six bytes: format, then parse, gives them back. */
	if (size >= 6) {
		sqn_mac_format(data, text);
		FZ_REQUIRE(strlen(text) == 17);
		for (i = 0; i < 17; i++)
			FZ_REQUIRE(i % 3 == 2
					   ? text[i] == ':'
					   : isxdigit((unsigned char)text[i]) &&
						     !isupper((unsigned char)
								      text[i]));
		FZ_REQUIRE(sqn_mac_parse(text, again) == 0);
		FZ_REQUIRE(!memcmp(data, again, 6));
	}
	return 0;
}
