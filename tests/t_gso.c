/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_gso.c - cutting a GSO frame into segments (src/gso.c): a run merged by
 *	     tcp_coalesce.c comes back as the segments it was made of, IPv6
 *	     too, partial checksums complete, refusals
 */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "csum.h"
#include "gso.h"
#include "netframes.h"
#include "tcp_coalesce.h"

#define NSEG 8
#define MSS 1460

static const uint8_t gmac[6] = {6, 0, 1, 2, 3, 4},
		     hmac[6] = {0x52, 0x55, 10, 0, 2, 2};
static uint8_t seg[NSEG][2048], gso[65535], out[SQN_GSO_OUT_MAX],
	payload[NSEG * MSS];
static struct sqn_frame f[NSEG];
static struct sqn_gso_seg sg[SQN_GSO_SEGS_MAX];

/* NSEG segments of one flow, the last one FIN|PSH, merged into @gso */
static uint32_t make_run(struct sqn_vnet_hdr *h)
{
	uint32_t len;
	unsigned i;

	for (i = 0; i < NSEG * MSS; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < NSEG; i++) {
		size_t l = nf_tcp(seg[i], gmac, hmac, htonl(0x0a00020f),
				  htonl(0x0a000202), 40000, 5201, 5 + i * MSS,
				  1000, i == NSEG - 1 ? 0x18 : 0x10, 500,
				  payload + i * MSS, MSS);

		f[i] = (struct sqn_frame){.data = seg[i], .len = (uint32_t)l};
	}
	if (sqn_tcp_coalesce(f, NSEG, gso, sizeof(gso), &len, h) != NSEG)
		return 0;
	return len;
}

/* a merged run comes back as its segments, byte for byte but the IPv4
 * identifier and its header checksum */
static void run_comes_back(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len = make_run(&h);
	struct nf_pkt p;
	int n, i;

	CHECK_EQ(len, 14 + 20 + 20 + NSEG * MSS);
	CHECK_EQ(sqn_gso_needed(&h), 1);
	n = sqn_gso_segment(gso, len, &h, out, sizeof(out), sg,
			    SQN_GSO_SEGS_MAX);
	CHECK_EQ(n, NSEG);
	for (i = 0; i < n && i < NSEG; i++) {
		CHECK_EQ(sg[i].len, f[i].len);
		CHECK_EQ(nf_parse(sg[i].data, sg[i].len, &p), 0);
		CHECK(p.ip_csum_ok && p.l4_csum_ok);
		CHECK_EQ(p.tcp_seq, 5u + (uint32_t)i * MSS);
		CHECK_EQ(p.plen, MSS);
		CHECK(!memcmp(p.payload, payload + i * MSS, MSS));
		/* FIN and PSH only on the last */
		CHECK_EQ(p.tcp_flags, i == NSEG - 1 ? 0x18 : 0x10);
		/* all but the IPv4 identifier and header checksum */
		CHECK(!memcmp(sg[i].data, seg[i], 14 + 4));
		CHECK(!memcmp(sg[i].data + 14 + 6, seg[i] + 14 + 6, 4));
		CHECK(!memcmp(sg[i].data + 14 + 12, seg[i] + 14 + 12,
			      f[i].len - 14 - 12));
	}
}

/* a short last segment, and a frame no larger than one segment */
static void short_tail_and_single(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len = make_run(&h);
	struct nf_pkt p;
	int n;

	/* cut 100 bytes off the end: the last segment carries MSS - 100 */
	n = sqn_gso_segment(gso, len - 100, &h, out, sizeof(out), sg,
			    SQN_GSO_SEGS_MAX);
	CHECK_EQ(n, NSEG);
	CHECK_EQ(sg[NSEG - 1].len, f[NSEG - 1].len - 100);
	CHECK_EQ(nf_parse(sg[NSEG - 1].data, sg[NSEG - 1].len, &p), 0);
	CHECK(p.ip_csum_ok && p.l4_csum_ok);
	/* a GSO size larger than the payload: one segment */
	h.gso_size = 65000;
	n = sqn_gso_segment(gso, len, &h, out, sizeof(out), sg,
			    SQN_GSO_SEGS_MAX);
	CHECK_EQ(n, 1);
	CHECK_EQ(sg[0].len, len);
	CHECK_EQ(nf_parse(sg[0].data, sg[0].len, &p), 0);
	CHECK(p.ip_csum_ok && p.l4_csum_ok);
}

/* TCP over IPv6, partial checksum as a guest leaves it */
static void ipv6_segments(void)
{
	static uint8_t fr[14 + 40 + 32 + 3000];
	struct sqn_vnet_hdr h = {.flags = SQN_VNET_HDR_F_NEEDS_CSUM,
				 .gso_type = SQN_VNET_HDR_GSO_TCPV6,
				 .hdr_len = 14 + 40 + 32,
				 .gso_size = 1200,
				 .csum_start = 14 + 40,
				 .csum_offset = 16};
	uint32_t i, len = sizeof(fr), tl;
	uint64_t sum;
	uint16_t c;
	int n, k;

	memset(fr, 0, sizeof(fr));
	memcpy(fr, hmac, 6);
	memcpy(fr + 6, gmac, 6);
	fr[12] = 0x86;
	fr[13] = 0xdd;
	fr[14] = 0x60;
	fr[14 + 6] = 6;
	fr[14 + 7] = 64;
	fr[14 + 8] = 0xfe;
	fr[14 + 9] = 0x80;
	fr[14 + 23] = 1;
	fr[14 + 24] = 0xfe;
	fr[14 + 25] = 0x80;
	fr[14 + 39] = 2;
	fr[54 + 0] = 0x9c;
	fr[54 + 3] = 80;
	fr[54 + 7] = 9;	      /* seq 9 */
	fr[54 + 12] = 8 << 4; /* 32-byte header: 12 bytes of options */
	fr[54 + 13] = 0x18;
	fr[54 + 20] = 1; /* NOPs */
	for (i = 54 + 32; i < len; i++)
		fr[i] = (uint8_t)(i * 13);
	/* the pseudo header's sum in the field, as a sender leaves it */
	c = (uint16_t)~sqn_csum(NULL, 0,
				sqn_csum_pseudo(fr + 22, 32, 6, len - 54));
	memcpy(fr + 54 + 16, &c, 2);
	n = sqn_gso_segment(fr, len, &h, out, sizeof(out), sg,
			    SQN_GSO_SEGS_MAX);
	CHECK_EQ(n, 3);
	for (k = 0; k < n && k < 3; k++) {
		uint8_t *s = sg[k].data;

		tl = sg[k].len - 54;
		CHECK_EQ(sg[k].len, 54 + 32 + (k < 2 ? 1200u : 600u));
		CHECK_EQ((uint32_t)(s[18] << 8 | s[19]), tl);
		sum = sqn_csum_pseudo(s + 22, 32, 6, tl);
		CHECK_EQ(sqn_csum(s + 54, tl, sum), 0);
		CHECK_EQ(s[54 + 7], (uint8_t)(9 + k * 1200));
		CHECK_EQ(s[54 + 13], k < 2 ? 0x10 : 0x18);
		CHECK(!memcmp(s + 54 + 32, fr + 54 + 32 + k * 1200,
			      sg[k].len - 54 - 32));
	}
}

/* not GSO, checksum partial: one copy, completed */
static void partial_checksum_only(void)
{
	static uint8_t fr[256];
	struct sqn_vnet_hdr h = {.flags = SQN_VNET_HDR_F_NEEDS_CSUM,
				 .csum_start = 14 + 20,
				 .csum_offset = 6};
	uint32_t len = (uint32_t)nf_udp(fr, gmac, hmac, htonl(0x0a00020f),
					htonl(0x0a000202), 999, 53, "hello", 5);
	uint16_t c = (uint16_t)~sqn_csum(
		NULL, 0, sqn_csum_pseudo(fr + 26, 8, 17, len - 34));
	struct nf_pkt p;

	memcpy(fr + 14 + 20 + 6, &c, 2);
	CHECK_EQ(nf_parse(fr, len, &p), 0);
	CHECK(!p.l4_csum_ok);
	CHECK_EQ(sqn_gso_needed(&h), 1);
	CHECK_EQ(sqn_gso_segment(fr, len, &h, out, sizeof(out), sg, 1), 1);
	CHECK_EQ(sg[0].len, len);
	CHECK_EQ(nf_parse(sg[0].data, sg[0].len, &p), 0);
	CHECK(p.l4_csum_ok);
	h.flags = SQN_VNET_HDR_F_DATA_VALID;
	CHECK_EQ(sqn_gso_needed(&h), 0);
	/* a checksum field outside the frame */
	h.flags = SQN_VNET_HDR_F_NEEDS_CSUM;
	h.csum_start = (uint16_t)len;
	CHECK_EQ(sqn_gso_segment(fr, len, &h, out, sizeof(out), sg, 1),
		 -EINVAL);
}

/* what is refused, and that nothing is written past the room given */
static void refusals(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len = make_run(&h);
	struct sqn_vnet_hdr b;

	b = h;
	b.gso_size = 0;
	CHECK_EQ(sqn_gso_segment(gso, len, &b, out, sizeof(out), sg, 64),
		 -EINVAL);
	CHECK_EQ(sqn_gso_segment(gso, len, &h, out, sizeof(out), sg, 7),
		 -ENOSPC);
	CHECK_EQ(sqn_gso_segment(gso, len, &h, out, len, sg, 64), -ENOSPC);
	b = h;
	b.gso_type = 3; /* UDP (UFO) */
	CHECK_EQ(sqn_gso_segment(gso, len, &b, out, sizeof(out), sg, 64),
		 -EPROTONOSUPPORT);
	b = h;
	b.gso_type = SQN_VNET_HDR_GSO_TCPV6; /* but the frame is IPv4 */
	CHECK_EQ(sqn_gso_segment(gso, len, &b, out, sizeof(out), sg, 64),
		 -EPROTONOSUPPORT);
	/* headers cut short */
	CHECK_EQ(sqn_gso_segment(gso, 14 + 20 + 10, &h, out, sizeof(out), sg,
				 64),
		 -EINVAL);
	/* an ARP frame described as TCPv4 */
	len = (uint32_t)nf_arp(seg[0], 1, gmac, htonl(0x0a00020f), hmac,
			       htonl(0x0a000202));
	CHECK_EQ(sqn_gso_segment(seg[0], len, &h, out, sizeof(out), sg, 64),
		 -EPROTONOSUPPORT);
}

static const struct check_case cases[] = {
	CASE(run_comes_back), CASE(short_tail_and_single),
	CASE(ipv6_segments),  CASE(partial_checksum_only),
	CASE(refusals),
};
CHECK_MAIN(cases)
