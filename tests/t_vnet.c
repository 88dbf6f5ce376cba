/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_vnet.c - the virtio-net header codec (src/vnet.c): the byte layout the
 *	      kernel's TAP uses (virtio 1.x, little-endian), both ways
 */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vnet.h"

/* a header whose every field differs, and its 12 bytes */
static const struct sqn_vnet_hdr known = {
	.flags = SQN_VNET_HDR_F_NEEDS_CSUM,
	.gso_type = SQN_VNET_HDR_GSO_TCPV4 | SQN_VNET_HDR_GSO_ECN,
	.hdr_len = 0x0142,
	.gso_size = 0x05b4,
	.csum_start = 0x0022,
	.csum_offset = 0x0010,
	.num_buffers = 0xa1b2,
};
static const uint8_t known_wire[SQN_VNET_HDR_LEN] = {
	0x01, 0x81, 0x42, 0x01, 0xb4, 0x05, 0x22, 0x00, 0x10, 0x00, 0xb2, 0xa1,
};

static void layout(void)
{
	struct sqn_vnet_hdr h;
	uint8_t w[SQN_VNET_HDR_LEN + 1];

	memset(w, 0xee, sizeof(w));
	sqn_vnet_to_wire(&known, w);
	CHECK(!memcmp(w, known_wire, SQN_VNET_HDR_LEN));
	CHECK_EQ(w[SQN_VNET_HDR_LEN], 0xee); /* nothing past 12 bytes */

	memset(&h, 0, sizeof(h));
	sqn_vnet_from_wire(known_wire, &h);
	CHECK_EQ(h.flags, known.flags);
	CHECK_EQ(h.gso_type, known.gso_type);
	CHECK_EQ(h.hdr_len, known.hdr_len);
	CHECK_EQ(h.gso_size, known.gso_size);
	CHECK_EQ(h.csum_start, known.csum_start);
	CHECK_EQ(h.csum_offset, known.csum_offset);
	CHECK_EQ(h.num_buffers, known.num_buffers);
}

static void round_trips(void)
{
	uint32_t x = 0x9e3779b9u;
	unsigned i, j, bad = 0;

	/* bytes -> header -> bytes, over pseudo-random headers */
	for (i = 0; i < 10000; i++) {
		uint8_t w[SQN_VNET_HDR_LEN], back[SQN_VNET_HDR_LEN];
		struct sqn_vnet_hdr h, h2;

		for (j = 0; j < SQN_VNET_HDR_LEN; j++) {
			x = x * 1664525u + 1013904223u;
			w[j] = (uint8_t)(x >> 24);
		}
		sqn_vnet_from_wire(w, &h);
		sqn_vnet_to_wire(&h, back);
		if (memcmp(w, back, sizeof(w)))
			bad++;
		sqn_vnet_from_wire(back, &h2);
		if (memcmp(&h, &h2, sizeof(h)))
			bad++;
	}
	CHECK_EQ(bad, 0);
}

/* the offload hello: a record too short to be a frame, recognised exactly */
static void hello(void)
{
	uint8_t rec[SQN_VNET_HELLO_LEN], bad[SQN_VNET_HELLO_LEN];
	unsigned i, seen = 0;

	sqn_vnet_hello(rec);
	/* u32-BE length 12: below an Ethernet header's 14 */
	CHECK_EQ(rec[0] | rec[1] | rec[2], 0);
	CHECK_EQ(rec[3], SQN_VNET_HELLO_PAYLOAD);
	CHECK(SQN_VNET_HELLO_PAYLOAD < SQN_FRAME_MIN);
	CHECK(!memcmp(rec + 4, "SQN-VNET", 8));
	CHECK_EQ(rec[12] << 8 | rec[13], 1);
	CHECK_EQ(rec[14] << 8 | rec[15], SQN_VNET_HDR_LEN);
	CHECK_EQ(sqn_vnet_is_hello(rec + 4, SQN_VNET_HELLO_PAYLOAD), 1);
	CHECK_EQ(sqn_vnet_is_hello(rec + 4, SQN_VNET_HELLO_PAYLOAD - 1), 0);
	CHECK_EQ(sqn_vnet_is_hello(rec + 4, 14), 0);
	/* any one byte changed: not the hello */
	for (i = 4; i < SQN_VNET_HELLO_LEN; i++) {
		memcpy(bad, rec, sizeof(bad));
		bad[i] ^= 0x20;
		seen += sqn_vnet_is_hello(bad + 4, SQN_VNET_HELLO_PAYLOAD);
	}
	CHECK_EQ(seen, 0);
}

static const struct check_case cases[] = {
	CASE(layout),
	CASE(round_trips),
	CASE(hello),
};
CHECK_MAIN(cases)
