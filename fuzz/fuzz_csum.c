/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_csum.c - sqn_csum_complete() on the virtio-net header a guest sends
 *		 (the slirp backend's input_partial() path, offloads on)
 *
 * Input: a virtio-net header (flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset: 10 bytes, little-endian) and a frame. Properties:
 *  - with NEEDS_CSUM clear, nothing is done and the frame is untouched;
 *  - a header whose checksum field is not inside the frame is refused (-1)
 *    and the frame is untouched, whatever the 16-bit fields hold;
 *  - otherwise only the two bytes of the field change, to the checksum a
 *    reference written here computes over [csum_start, len) (0 sent as
 *    0xffff), and with an even offset the completed range sums to zero
 *    with the field's old value (the pseudo header's sum) added.
 * Then the same bytes as the payload of a real TCP or UDP segment over IPv4
 * or IPv6 whose field holds its pseudo header's sum, as a kernel or a
 * guest driver leaves it: once completed, the segment's checksum verifies
 * the way a receiver checks it.
 */
#include <stdbool.h>

#include "csum.h"
#include "fuzz_util.h"
#include "squibnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * check_raw() - sqn_csum_complete() on arbitrary header and bytes
 * @h:		the header
 * @frame:	the frame (exactly @len bytes, for AddressSanitizer)
 * @len:	its length
 */
static void check_raw(const struct sqn_vnet_hdr *h, uint8_t *frame,
		      uint32_t len)
{
	uint8_t *orig = malloc(len ? len : 1);
	uint32_t start = h->csum_start, off = start + h->csum_offset, want;
	uint32_t i;
	int rc;

	FZ_REQUIRE(orig);
	if (len)
		memcpy(orig, frame, len);
	rc = sqn_csum_complete(frame, len, h);
	if (!(h->flags & SQN_VNET_HDR_F_NEEDS_CSUM)) {
		FZ_REQUIRE(rc == 0);
		FZ_REQUIRE(!len || !memcmp(frame, orig, len));
		goto out;
	}
	if (start >= len || off + 2 > len) {
		FZ_REQUIRE(rc == -1);
		FZ_REQUIRE(!len || !memcmp(frame, orig, len));
		goto out;
	}
	FZ_REQUIRE(rc == 0);
	for (i = 0; i < len; i++)
		FZ_REQUIRE(i == off || i == off + 1 || frame[i] == orig[i]);
	want = ~fz_sum(orig + start, len - start, 0) & 0xffff;
	if (!want)
		want = 0xffff;
	FZ_REQUIRE((frame[off] == (uint8_t)(want >> 8) &&
		    frame[off + 1] == (uint8_t)want));
	if (!(h->csum_offset & 1)) {
		uint32_t old = (uint32_t)orig[off] << 8 | orig[off + 1];

		FZ_REQUIRE(fz_sum(frame + start, len - start, old) == 0xffff);
	}
out:
	free(orig);
}

/**
 * check_segment() - complete a real segment's checksum and verify it
 * @kind:	bit 0 UDP (else TCP), bit 1 IPv6 (else IPv4)
 * @pay:	payload
 * @plen:	its length
 */
static void check_segment(unsigned kind, const uint8_t *pay, size_t plen)
{
	bool udp = kind & 1, v6 = kind & 2;
	uint32_t iphl = v6 ? 40 : 20, l4hl = udp ? 8 : 20, l4len, len, ps;
	uint32_t start, field;
	struct sqn_vnet_hdr h;
	uint8_t *fr, ph[40];

	if (plen > 65535 - 14 - 40 - 20)
		plen = 65535 - 14 - 40 - 20;
	l4len = l4hl + (uint32_t)plen;
	len = 14 + iphl + l4len;
	fr = calloc(1, len);
	FZ_REQUIRE(fr);
	fr[12] = v6 ? 0x86 : 0x08;
	fr[13] = v6 ? 0xdd : 0x00;
	start = 14 + iphl;
	if (v6) {
		fr[14] = 0x60;
		fr[18] = (uint8_t)(l4len >> 8);
		fr[19] = (uint8_t)l4len;
		fr[20] = udp ? 17 : 6;
		fr[21] = 64;
		fr[22] = 0xfe; /* fec0::15 -> fec0::2 */
		fr[23] = 0xc0;
		fr[37] = 0x15;
		fr[38] = 0xfe;
		fr[39] = 0xc0;
		fr[53] = 0x02;
	} else {
		fr[14] = 0x45;
		fr[16] = (uint8_t)((iphl + l4len) >> 8);
		fr[17] = (uint8_t)(iphl + l4len);
		fr[22] = 64;
		fr[23] = udp ? 17 : 6;
		memcpy(fr + 26, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	}
	fr[start] = 0xc3; /* ports 50000 -> 80 */
	fr[start + 1] = 0x50;
	fr[start + 3] = 80;
	if (udp) {
		fr[start + 4] = (uint8_t)(l4len >> 8);
		fr[start + 5] = (uint8_t)l4len;
	} else {
		fr[start + 12] = 0x50;
		fr[start + 13] = 0x18;
	}
	memcpy(fr + start + l4hl, pay, plen);

	/* the pseudo header's sum in the field, as the sender leaves it */
	memset(ph, 0, sizeof(ph));
	if (v6) {
		ps = fz_sum(fr + 22, 32, 0);
		ps = fz_sum((const uint8_t[]){0, 0, (uint8_t)(l4len >> 8),
					      (uint8_t)l4len, 0, 0, 0,
					      udp ? 17 : 6},
			    8, ps);
	} else {
		ps = fz_sum(fr + 26, 8, 0);
		ps = fz_sum((const uint8_t[]){0, udp ? 17 : 6,
					      (uint8_t)(l4len >> 8),
					      (uint8_t)l4len},
			    4, ps);
	}
	field = start + (udp ? 6 : 16);
	fr[field] = (uint8_t)(ps >> 8);
	fr[field + 1] = (uint8_t)ps;

	memset(&h, 0, sizeof(h));
	h.flags = SQN_VNET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)start;
	h.csum_offset = udp ? 6 : 16;
	FZ_REQUIRE(sqn_csum_complete(fr, len, &h) == 0);
	/* the receiver's check: pseudo header + segment sums to 0xffff */
	FZ_REQUIRE(fz_sum(fr + start, l4len, ps) == 0xffff);
	if (udp) /* 0 means "no checksum" in UDP: never sent */
		FZ_REQUIRE(fr[field] || fr[field + 1]);
	/* and the library's own sum agrees */
	if (!v6) {
		memcpy(ph, fr + 26, 8);
		ph[9] = udp ? 17 : 6;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		{
			uint8_t *all = malloc(12 + l4len);

			FZ_REQUIRE(all);
			memcpy(all, ph, 12);
			memcpy(all + 12, fr + start, l4len);
			FZ_REQUIRE(sqn_csum(all, 12 + l4len, 0) == 0);
			free(all);
		}
	}
	free(fr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sqn_vnet_hdr h;
	struct fz f = {data, size};
	uint8_t *frame;
	unsigned kind;

	memset(&h, 0, sizeof(h));
	h.flags = fz_u8(&f);
	h.gso_type = fz_u8(&f);
	h.hdr_len = (uint16_t)(fz_u8(&f) | fz_u8(&f) << 8);
	h.gso_size = (uint16_t)(fz_u8(&f) | fz_u8(&f) << 8);
	h.csum_start = (uint16_t)(fz_u8(&f) | fz_u8(&f) << 8);
	h.csum_offset = (uint16_t)(fz_u8(&f) | fz_u8(&f) << 8);
	kind = fz_u8(&f);
	if (f.n > 65535)
		f.n = 65535;
	frame = malloc(f.n ? f.n : 1);
	FZ_REQUIRE(frame);
	if (f.n)
		memcpy(frame, f.p, f.n);
	check_raw(&h, frame, (uint32_t)f.n);
	free(frame);
	check_segment(kind & 3, f.p, f.n);
	return 0;
}
