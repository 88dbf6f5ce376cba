/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_gso.c - sqn_gso_segment() on the frame and virtio-net header a port
 *		of squib-net serve with offloads sends
 *
 * Input: a virtio-net header (flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset: 10 bytes), a 16-bit room, then the frame.
 * Properties:
 *  - nothing is written outside the room given (AddressSanitizer: the
 *    output buffer is exactly that size), at most the segments allowed;
 *  - a result of n > 0 describes n frames, one after the other from the
 *    start of the output, within it;
 *  - for a TCP GSO type, every segment is a TCP segment whose transport
 *    checksum verifies (and its IPv4 header checksum), and the segments'
 *    payloads put end to end are the frame's payload.
 */
#include <errno.h>

#include "csum.h"
#include "fuzz_util.h"
#include "gso.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * seg_ok() - one TCP segment's checksums verify; where its payload is
 * @s:		the segment
 * @len:	its length
 * @hl:		gets its headers' length
 * @plen:	gets its payload's length
 */
static void seg_ok(const uint8_t *s, uint32_t len, uint32_t *hl, uint32_t *plen)
{
	uint32_t l4;

	FZ_REQUIRE(len >= 14 + 20);
	if (s[12] == 0x08) {
		l4 = 14 + (uint32_t)(s[14] & 15) * 4;
		FZ_REQUIRE(sqn_csum(s + 14, l4 - 14, 0) == 0);
		FZ_REQUIRE(sqn_csum(s + l4, len - l4,
				    sqn_csum_pseudo(s + 26, 8, 6, len - l4)) ==
			   0);
	} else {
		l4 = 14 + 40;
		FZ_REQUIRE(sqn_csum(s + l4, len - l4,
				    sqn_csum_pseudo(s + 22, 32, 6, len - l4)) ==
			   0);
	}
	*hl = l4 + (uint32_t)(s[l4 + 12] >> 4) * 4;
	FZ_REQUIRE(*hl <= len);
	*plen = len - *hl;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sqn_gso_seg sg[SQN_GSO_SEGS_MAX];
	struct fz z = {data, size};
	struct sqn_vnet_hdr h;
	uint32_t cap, len, off = 0, i, hl, plen, fhl;
	uint8_t *frame, *out;
	unsigned type;
	int n;

	h.flags = fz_u8(&z);
	h.gso_type = fz_u8(&z);
	h.hdr_len = (uint16_t)(fz_u8(&z) | fz_u8(&z) << 8);
	h.gso_size = (uint16_t)(fz_u8(&z) | fz_u8(&z) << 8);
	h.csum_start = (uint16_t)(fz_u8(&z) | fz_u8(&z) << 8);
	h.csum_offset = (uint16_t)(fz_u8(&z) | fz_u8(&z) << 8);
	h.num_buffers = 0;
	cap = (uint32_t)(fz_u8(&z) | fz_u8(&z) << 8) * 4 + 1;
	len = (uint32_t)(z.n > SQN_FRAME_MAX ? SQN_FRAME_MAX : z.n);
	frame = malloc(len ? len : 1);
	out = malloc(cap);
	FZ_REQUIRE(frame && out);
	if (len)
		memcpy(frame, z.p, len);
	n = sqn_gso_segment(frame, len, &h, out, cap, sg, SQN_GSO_SEGS_MAX);
	FZ_REQUIRE(n <= (int)SQN_GSO_SEGS_MAX);
	FZ_REQUIRE(n != 0);
	FZ_REQUIRE(n > 0 || n == -EINVAL || n == -ENOSPC ||
		   n == -EPROTONOSUPPORT);
	for (i = 0; n > 0 && i < (uint32_t)n; i++) {
		FZ_REQUIRE(sg[i].data == out + off);
		off += sg[i].len;
		FZ_REQUIRE(off <= cap);
	}
	type = h.gso_type & ~SQN_VNET_HDR_GSO_ECN;
	if (n > 0 && type != SQN_VNET_HDR_GSO_NONE) {
		/* the frame's payload starts after its own headers, which
		 * every segment repeats */
		seg_ok(sg[0].data, sg[0].len, &fhl, &plen);
		off = 0;
		for (i = 0; i < (uint32_t)n; i++) {
			seg_ok(sg[i].data, sg[i].len, &hl, &plen);
			FZ_REQUIRE(hl == fhl);
			FZ_REQUIRE(!memcmp(sg[i].data + hl, frame + fhl + off,
					   plen));
			off += plen;
		}
		FZ_REQUIRE(fhl + off == len);
	}
	free(frame);
	free(out);
	return 0;
}
