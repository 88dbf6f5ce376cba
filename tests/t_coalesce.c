/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_coalesce.c - merging a guest's consecutive TCP segments: what merges,
 *		  what must not, and that the merged segment is exact
 */
#include <arpa/inet.h>

#include "check.h"
#include "netframes.h"
#include "csum.h"
#include "tcp_coalesce.h"

#define NSEG 8
#define MSS 1460

static const uint8_t gmac[6] = {6, 0, 1, 2, 3, 4},
		     hmac[6] = {0x52, 0x55, 10, 0, 2, 2};
static uint8_t seg[NSEG][2048], out[65535 + 14], payload[NSEG * MSS];
static struct sqn_frame f[NSEG];

/* NSEG segments of one flow; flags and seq of each may be overridden */
static void make(uint32_t seq0, const uint8_t *flags, const uint32_t *seqs)
{
	unsigned i;

	for (i = 0; i < NSEG * MSS; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	for (i = 0; i < NSEG; i++) {
		size_t len = nf_tcp(seg[i], gmac, hmac, htonl(0x0a00020f),
				    htonl(0x0a000202), 40000, 5201,
				    seqs ? seqs[i] : seq0 + i * MSS, 1000 + i,
				    flags ? flags[i] : 0x10, 500,
				    payload + i * MSS, MSS);

		f[i] = (struct sqn_frame){.data = seg[i], .len = (uint32_t)len};
	}
}

/* payload bytes of f[0..k) */
static size_t payload_of(unsigned k)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < k; i++)
		n += f[i].len - (14 + 20 + 20);
	return n;
}

/* the merged frame parses, has valid checksums and the joined payload of
 * f[0..k) */
static int merged_ok(uint32_t len, unsigned k, uint32_t seq0)
{
	struct nf_pkt p;

	if (nf_parse(out, len, &p) || p.plen != payload_of(k))
		return 0;
	static uint8_t ph[12 + 65535];
	uint32_t tcplen = len - 14 - 20;

	if (sqn_csum(out + 14, 20, 0))
		return 0;
	/* TCP checksum over the pseudo header and the whole segment */
	memcpy(ph, out + 14 + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)(tcplen >> 8);
	ph[11] = (uint8_t)tcplen;
	memcpy(ph + 12, out + 14 + 20, tcplen);
	if (sqn_csum(ph, 12 + tcplen, 0))
		return 0;
	return p.tcp_seq == seq0 && !memcmp(p.payload, payload, p.plen) &&
	       p.tcp_ack == 1000 + k - 1;
}

static void merges_a_run(void)
{
	uint32_t len;
	unsigned k;

	make(77, NULL, NULL);
	struct sqn_vnet_hdr h;

	k = sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, &h);
	CHECK_EQ(k, NSEG);
	CHECK_EQ(len, 14 + 20 + 20 + NSEG * MSS);
	CHECK(merged_ok(len, k, 77));
	/* described as a GSO frame: TCPv4, the first segment's size */
	CHECK_EQ(h.gso_type, SQN_VNET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_EQ(h.hdr_len, 14 + 20 + 20);
	CHECK_EQ(h.flags, SQN_VNET_HDR_F_DATA_VALID);
}

static unsigned run_feed(unsigned n, uint32_t cap, uint32_t *len,
			 struct sqn_vnet_hdr *h);

/* f[i] carries @plen payload bytes instead of MSS (same flow, same seq) */
static void shorten(unsigned i, size_t plen)
{
	f[i].len =
		(uint32_t)nf_tcp(seg[i], gmac, hmac, htonl(0x0a00020f),
				 htonl(0x0a000202), 40000, 5201, 1 + i * MSS,
				 1000 + i, 0x10, 500, payload + i * MSS, plen);
}

/*
 * A run whose last segment is short (the end of a write) merges whole, and
 * its GSO size stays the MSS, the first segment's: a guest or kernel that
 * resegments it by a short last segment's size would send many tiny
 * segments, or refuse the frame.
 */
static void short_last_segment_keeps_mss(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len;
	unsigned k;

	make(1, NULL, NULL);
	shorten(NSEG - 1, 700);
	k = sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, &h);
	CHECK_EQ(k, NSEG);
	CHECK_EQ(len, 14 + 20 + 20 + (NSEG - 1) * MSS + 700);
	CHECK(merged_ok(len, k, 1));
	CHECK_EQ(h.gso_type, SQN_VNET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_EQ(h.hdr_len, 14 + 20 + 20);
	/* two segments, the second one byte long */
	make(1, NULL, NULL);
	shorten(1, 1);
	CHECK_EQ(sqn_tcp_coalesce(f, 2, out, sizeof(out), &len, &h), 2);
	CHECK_EQ(len, 14 + 20 + 20 + MSS + 1);
	CHECK_EQ(h.gso_size, MSS);

	/* the run API (libslirp's output toward the guest) alike */
	make(1, NULL, NULL);
	shorten(NSEG - 1, 700);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), NSEG);
	CHECK_EQ(len, 14 + 20 + 20 + (NSEG - 1) * MSS + 700);
	CHECK_EQ(h.gso_type, SQN_VNET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_EQ(sqn_csum_complete(out, len, &h), 0);
	CHECK(merged_ok(len, NSEG, 1));
	make(1, NULL, NULL);
	shorten(1, 1);
	CHECK_EQ(run_feed(2, sizeof(out), &len, &h), 2);
	CHECK_EQ(h.gso_size, MSS);
}

static void partial_checksum_completed(void)
{
	struct sqn_vnet_hdr h = {.flags = SQN_VNET_HDR_F_NEEDS_CSUM,
				 .csum_start = 34,
				 .csum_offset = 16};
	uint8_t good[2];
	uint32_t sum, len;

	make(5, NULL, NULL);
	len = f[0].len;
	memcpy(good, seg[0] + 34 + 16, 2);
	/* what a kernel hands over: the pseudo header's folded sum only */
	sum = 0x0a00 + 0x020f + 0x0a00 + 0x0202 + 6 + (len - 34);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	seg[0][34 + 16] = (uint8_t)(sum >> 8);
	seg[0][34 + 17] = (uint8_t)sum;
	CHECK_EQ(sqn_csum_complete(seg[0], len, &h), 0);
	CHECK(!memcmp(seg[0] + 34 + 16, good, 2));
	h.csum_start = (uint16_t)len; /* outside the frame: refused */
	CHECK_EQ(sqn_csum_complete(seg[0], len, &h), -1);
	h.flags = 0; /* nothing partial: nothing to do */
	CHECK_EQ(sqn_csum_complete(seg[0], len, &h), 0);
}

static void psh_is_kept(void)
{
	uint8_t flags[NSEG] = {0x10, 0x10, 0x18, 0x10, 0x10, 0x10, 0x10, 0x18};
	uint32_t len;
	struct nf_pkt p;

	make(1, flags, NULL);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), NSEG);
	ASSERT(!nf_parse(out, len, &p));
	CHECK_EQ(p.tcp_flags, 0x18);
}

static void stops_at_a_gap(void)
{
	uint32_t seqs[NSEG], len;
	unsigned i;

	for (i = 0; i < NSEG; i++)
		seqs[i] = 1 + i * MSS + (i >= 3 ? 1 : 0); /* hole before 3 */
	make(1, NULL, seqs);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), 3);
	CHECK(merged_ok(len, 3, 1));
}

static void control_flags_pass_alone(void)
{
	static const uint8_t bad[] = {0x02, 0x01, 0x04, 0x11, 0x30, 0x00};
	uint8_t flags[NSEG];
	uint32_t len;
	size_t i;

	for (i = 0; i < sizeof(bad); i++) {
		memset(flags, 0x10, sizeof(flags));
		flags[0] = bad[i];
		make(1, flags, NULL);
		CHECK_EQ(
			sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL),
			1);
		/* ... and a run never swallows one */
		memset(flags, 0x10, sizeof(flags));
		flags[2] = bad[i];
		make(1, flags, NULL);
		CHECK_EQ(
			sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL),
			2);
	}
}

static void bad_checksum_not_merged(void)
{
	uint32_t len;

	make(1, NULL, NULL);
	seg[1][14 + 20 + 20 + 5] ^= 0x40; /* corrupt payload of segment 1 */
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), 1);
	make(1, NULL, NULL);
	seg[0][14 + 10] ^= 1; /* corrupt IP checksum of segment 0 */
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), 1);
}

static void other_flow_or_older_ack(void)
{
	uint32_t len;

	make(1, NULL, NULL);
	nf_tcp(seg[4], gmac, hmac, htonl(0x0a00020f), htonl(0x0a000202), 40001,
	       5201, 1 + 4 * MSS, 1004, 0x10, 500, payload + 4 * MSS, MSS);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), 4);
	make(1, NULL, NULL);
	nf_tcp(seg[5], gmac, hmac, htonl(0x0a00020f), htonl(0x0a000202), 40000,
	       5201, 1 + 5 * MSS, 900, 0x10, 500, payload + 5 * MSS, MSS);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, sizeof(out), &len, NULL), 5);
}

static void size_cap_and_non_tcp(void)
{
	uint8_t arp[64];
	struct sqn_frame a[2];
	uint32_t len;

	make(1, NULL, NULL);
	/* room for 3 segments only */
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 14 + 40 + 3 * MSS, &len, NULL),
		 3);
	CHECK(len <= 14 + 40 + 3 * MSS);
	CHECK(merged_ok(len, 3, 1));
	/* a byte short of that: 2; short of two segments, or smaller than
	 * the first frame: it passes alone; a size over 64 KiB is refused */
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 14 + 40 + 3 * MSS - 1, &len,
				  NULL),
		 2);
	CHECK(merged_ok(len, 2, 1));
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 14 + 40 + 2 * MSS - 1, &len,
				  NULL),
		 1);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 100, &len, NULL), 1);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 0, &len, NULL), 1);
	CHECK_EQ(sqn_tcp_coalesce(f, NSEG, out, 65535 + 15, &len, NULL), 1);
	a[0] = (struct sqn_frame){
		.data = arp, .len = (uint32_t)nf_arp(arp, 1, gmac, 1, hmac, 2)};
	a[1] = f[0];
	CHECK_EQ(sqn_tcp_coalesce(a, 2, out, sizeof(out), &len, NULL), 1);
	CHECK_EQ(sqn_tcp_coalesce(f, 1, out, sizeof(out), &len, NULL), 1);
}

/* run API: feed f[0..n) as a stack's output would reach cb_send_packet */
static unsigned run_feed(unsigned n, uint32_t cap, uint32_t *len,
			 struct sqn_vnet_hdr *h)
{
	struct sqn_tcp_run r;
	unsigned k;

	memcpy(out, f[0].data, f[0].len);
	if (!sqn_tcp_run_start(&r, out, f[0].len)) {
		*len = f[0].len;
		memset(h, 0, sizeof(*h));
		return 1;
	}
	for (k = 1; k < n; k++)
		if (!sqn_tcp_run_append(&r, out, cap, f[k].data, f[k].len))
			break;
	*len = sqn_tcp_run_finish(&r, out, h);
	return k;
}

static void run_merges_in_place(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len;

	make(77, NULL, NULL);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), NSEG);
	CHECK_EQ(len, 14 + 20 + 20 + NSEG * MSS);
	/* a GSO frame with a partial checksum, as virtio-net has it */
	CHECK_EQ(h.gso_type, SQN_VNET_HDR_GSO_TCPV4);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_EQ(h.hdr_len, 14 + 20 + 20);
	CHECK_EQ(h.flags, SQN_VNET_HDR_F_NEEDS_CSUM);
	CHECK_EQ(h.csum_start, 34);
	CHECK_EQ(h.csum_offset, 16);
	/* completing the partial sum gives a segment that checks out */
	CHECK_EQ(sqn_csum_complete(out, len, &h), 0);
	CHECK(merged_ok(len, NSEG, 77));
}

static void run_single_segment_untouched(void)
{
	struct sqn_vnet_hdr h;
	uint32_t len;

	make(5, NULL, NULL);
	CHECK_EQ(run_feed(1, sizeof(out), &len, &h), 1);
	CHECK_EQ(len, f[0].len);
	CHECK(!memcmp(out, seg[0], len));
	CHECK_EQ(h.flags, 0);
	CHECK_EQ(h.gso_type, 0);
}

static void run_refuses(void)
{
	static const uint8_t bad[] = {0x02, 0x01, 0x04, 0x11, 0x30, 0x00};
	uint8_t flags[NSEG];
	uint32_t seqs[NSEG], len;
	struct sqn_vnet_hdr h;
	unsigned i;

	for (i = 0; i < sizeof(bad); i++) {
		memset(flags, 0x10, sizeof(flags));
		flags[3] = bad[i];
		make(1, flags, NULL);
		CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 3);
		flags[3] = 0x10;
		flags[0] = bad[i];
		make(1, flags, NULL);
		CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 1);
	}
	for (i = 0; i < NSEG; i++)
		seqs[i] = 1 + i * MSS + (i >= 2 ? 1 : 0);
	make(1, NULL, seqs);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 2);
	CHECK_EQ(sqn_csum_complete(out, len, &h), 0);
	CHECK(merged_ok(len, 2, 1));
	/* another flow, an older ACK */
	make(1, NULL, NULL);
	nf_tcp(seg[4], gmac, hmac, htonl(0x0a00020f), htonl(0x0a000202), 40001,
	       5201, 1 + 4 * MSS, 1004, 0x10, 500, payload + 4 * MSS, MSS);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 4);
	make(1, NULL, NULL);
	nf_tcp(seg[5], gmac, hmac, htonl(0x0a00020f), htonl(0x0a000202), 40000,
	       5201, 1 + 5 * MSS, 900, 0x10, 500, payload + 5 * MSS, MSS);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 5);
	/* the buffer's room */
	make(1, NULL, NULL);
	CHECK_EQ(run_feed(NSEG, 14 + 40 + 3 * MSS, &len, &h), 3);
	/* a short segment ends the run: GSO needs full-size segments first */
	make(1, NULL, NULL);
	f[2].len = (uint32_t)nf_tcp(seg[2], gmac, hmac, htonl(0x0a00020f),
				    htonl(0x0a000202), 40000, 5201, 1 + 2 * MSS,
				    1002, 0x10, 500, payload + 2 * MSS, 100);
	CHECK_EQ(run_feed(NSEG, sizeof(out), &len, &h), 3);
	CHECK_EQ(len, 14 + 40 + 2 * MSS + 100);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_EQ(sqn_csum_complete(out, len, &h), 0);
}

static const struct check_case cases[] = {
	CASE(run_merges_in_place),
	CASE(run_single_segment_untouched),
	CASE(run_refuses),
	CASE(merges_a_run),
	CASE(short_last_segment_keeps_mss),
	CASE(partial_checksum_completed),
	CASE(psh_is_kept),
	CASE(stops_at_a_gap),
	CASE(control_flags_pass_alone),
	CASE(bad_checksum_not_merged),
	CASE(other_flow_or_older_ack),
	CASE(size_cap_and_non_tcp),
};
CHECK_MAIN(cases)
