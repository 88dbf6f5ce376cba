/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dhcp.c - the DHCP answer parser on arbitrary frames
 *
 * The transaction id is taken from the frame itself when it is long enough,
 * so the fuzzer reaches the option parser. ASan catches any read past the
 * frame; the invariants check what a parse may return.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp_lease l;
	uint32_t xid = 0;
	uint8_t *frame;
	int rc;

	/* an exact-size heap copy, so ASan sees every overread */
	frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);
	if (size >= 14 + 20 + 8 + 8) {
		memcpy(&xid, frame + 14 + 20 + 8 + 4, 4);
		xid = ntohl(xid);
	}
	rc = dhcp_parse(frame, size, xid, &l);
	if (rc > 0 &&
	    (rc > 255 || l.n_dns > 3 || l.search_len > sizeof(l.search)))
		abort();
	free(frame);
	return 0;
}
