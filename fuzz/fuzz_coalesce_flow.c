/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_coalesce_flow.c - the TCP coalescer on one flow's segments, built
 *			  valid and then perturbed, into buffers of any size
 *
 * fuzz_coalesce feeds raw bytes, which rarely carry valid checksums; this
 * target builds each segment of a flow from a few bytes and perturbs it
 * (checksums, sequence gaps, ACKs going back, control flags, another port,
 * TTL or TOS, MAC, TCP options, padding) so every merge rule is reached,
 * and the output buffer's size comes from the input too (the slirp
 * backend passes the caller's capacity).
 *
 * Input: flags (bit 0: a 65549-byte buffer; bit 1: a size above the
 * limit), the buffer size (16 bits), the segment count, the TCP header
 * length, the first sequence and ACK numbers, a window, a seed; then per
 * segment a perturbation byte, a second one and a 13-bit payload length.
 *
 * Properties, for sqn_tcp_coalesce() and for the in-place run API
 * (sqn_tcp_run_*, which trusts its input and so ignores checksums):
 *  - the number of segments merged is exactly what a model of the rules
 *    written here predicts, for every buffer size;
 *  - the merged frame fits the buffer and is the first segment's headers
 *    with the last one's ACK and window, the OR of the flags, the right
 *    lengths, valid checksums (the run's after sqn_csum_complete()), and
 *    the payloads concatenated in order;
 *  - the GSO header describes it (TCPv4, header length, first segment's
 *    payload as the segment size).
 */
#include <arpa/inet.h>

#include "fuzz_util.h"
#include "squibnet.h"
#include "csum.h"
#include "tcp_coalesce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ETH 14
#define LIMIT (65535 + ETH)

/* p (perturbation) bits */
#define P_BAD_TCP_SUM 0x01
#define P_BAD_IP_SUM 0x02
#define P_SEQ_GAP 0x04
#define P_ACK_BACK 0x08
#define P_BAD_FLAG 0x10
#define P_PSH 0x20
#define P_OTHER_PORT 0x40
#define P_TTL_TOS 0x80
/* x bits */
#define X_PAD_MASK 0x07
#define X_WINDOW 0x08
#define X_OPTIONS 0x10
#define X_DF 0x20
#define X_IP_ID 0x40
#define X_MAC 0x80

/**
 * struct seg - one generated segment
 * @p:		perturbation bits (P_*)
 * @x:		more of them (X_*)
 * @dlen:	payload length
 * @pad:	Ethernet padding after the IP packet
 * @flags:	TCP flags
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @win:	window
 * @frame:	the frame, malloc'd to its exact length
 * @len:	its length
 */
struct seg {
	unsigned p, x;
	uint32_t dlen, pad;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	uint8_t *frame;
	uint32_t len;
};

static const uint8_t bad_flags[] = {0x01, 0x02, 0x04, 0x20, 0x40, 0x80, 0x00};

/**
 * put16() - store big-endian
 * @p:	where
 * @v:	what
 */
static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * put32() - store big-endian
 * @p:	where
 * @v:	what
 */
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

/**
 * get32() - load big-endian
 * @p:	where
 *
 * Return: the value
 */
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * tcp_sum() - the TCP checksum of an IPv4 frame's segment, verified or
 *	       computed (the field counts as it is)
 * @ip:		IPv4 header
 * @tcplen:	TCP header and payload length
 *
 * Return: the folded sum over pseudo header and segment (0xffff if valid)
 */
static uint32_t tcp_sum(const uint8_t *ip, uint32_t tcplen)
{
	uint8_t ph[4] = {0, 6, (uint8_t)(tcplen >> 8), (uint8_t)tcplen};

	return fz_sum(ip + 20, tcplen, fz_sum(ph, 4, fz_sum(ip + 12, 8, 0)));
}

/**
 * payload_byte() - the generated payload
 * @seed:	from the input
 * @i:		segment
 * @j:		offset in its payload
 *
 * Return: the byte
 */
static uint8_t payload_byte(unsigned seed, unsigned i, uint32_t j)
{
	return (uint8_t)(seed * 31u + i * 7u + j * 13u + (j >> 8));
}

/**
 * build() - make segment @i's frame
 * @s:		the segment (fields set)
 * @i:		its index
 * @thl:	TCP header length
 * @seed:	payload seed
 */
static void build(struct seg *s, unsigned i, uint32_t thl, unsigned seed)
{
	uint32_t tot = 20 + thl + s->dlen, j, c;
	uint8_t *f, *ip, *tcp;

	s->len = ETH + tot + s->pad;
	f = s->frame = calloc(1, s->len);
	FZ_REQUIRE(f);
	memcpy(f, "\x52\x54\x00\x12\x34\x56\x52\x55\x0a\x00\x02\x02\x08\x00",
	       14);
	if (s->x & X_MAC)
		f[5] ^= 0x01;
	ip = f + ETH;
	tcp = ip + 20;
	ip[0] = 0x45;
	ip[1] = s->p & P_TTL_TOS ? 0x10 : 0;
	put16(ip + 2, tot);
	put16(ip + 4, s->x & X_IP_ID ? i : 0);
	ip[6] = s->x & X_DF ? 0x40 : 0;
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x02\x0f\x0a\x00\x02\x02", 8);
	c = ~fz_sum(ip, 20, 0) & 0xffff;
	if (s->p & P_BAD_IP_SUM)
		c ^= 1;
	put16(ip + 10, c);
	put16(tcp, s->p & P_OTHER_PORT ? 50001 : 50000);
	put16(tcp + 2, 80);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(thl / 4 << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->win);
	for (j = 20; j < thl; j++)
		tcp[j] = 1; /* NOP */
	if ((s->x & X_OPTIONS) && thl > 20)
		tcp[thl - 1] = 0;
	for (j = 0; j < s->dlen; j++)
		tcp[thl + j] = payload_byte(seed, i, j);
	c = ~tcp_sum(ip, thl + s->dlen) & 0xffff;
	if (s->p & P_BAD_TCP_SUM)
		c ^= 1;
	put16(tcp + 16, c);
	for (j = 0; j < s->pad; j++)
		f[ETH + tot + j] = 0xee;
}

/**
 * flags_ok() - flags a merged segment may carry: ACK, maybe PSH, no other
 * @fl:	TCP flags
 *
 * Return: true if allowed
 */
static bool flags_ok(uint8_t fl)
{
	return (fl & 0x10) && !(fl & ~0x18);
}

/**
 * same_flow() - what must match the first segment (MAC, TOS/TTL, ports,
 *		 options; the addresses never differ here)
 * @a:		first segment
 * @b:		later one
 * @thl:	TCP header length
 *
 * Return: true if it matches
 */
static bool same_flow(const struct seg *a, const struct seg *b, uint32_t thl)
{
	return (a->x & X_MAC) == (b->x & X_MAC) &&
	       (a->p & (P_TTL_TOS | P_OTHER_PORT)) ==
		       (b->p & (P_TTL_TOS | P_OTHER_PORT)) &&
	       (thl == 20 || (a->x & X_OPTIONS) == (b->x & X_OPTIONS));
}

/**
 * model_coalesce() - how many segments sqn_tcp_coalesce() must merge
 * @s:		segments
 * @n:		their number
 * @max:	buffer size
 * @thl:	TCP header length
 *
 * Return: the count, 1 when f[0] passes alone
 */
static unsigned model_coalesce(const struct seg *s, unsigned n, uint32_t max,
			       uint32_t thl)
{
	uint32_t total = ETH + 20 + thl + s[0].dlen;
	unsigned k;

	if (n < 2 || max > LIMIT || !flags_ok(s[0].flags) || !s[0].dlen ||
	    (s[0].p & (P_BAD_IP_SUM | P_BAD_TCP_SUM)))
		return 1;
	for (k = 1; k < n; k++) {
		const struct seg *c = &s[k], *pr = &s[k - 1];

		if (!flags_ok(c->flags) || !c->dlen ||
		    !same_flow(&s[0], c, thl) || c->seq != pr->seq + pr->dlen ||
		    (int32_t)(c->ack - pr->ack) < 0 || total + c->dlen > max ||
		    (c->p & (P_BAD_IP_SUM | P_BAD_TCP_SUM)))
			break;
		total += c->dlen;
	}
	return k < 2 ? 1 : k;
}

/**
 * check_merged() - the merged frame of segments [0, k)
 * @s:		segments
 * @k:		how many were merged
 * @out:	the frame
 * @len:	its length
 * @thl:	TCP header length
 * @seed:	payload seed
 */
static void check_merged(const struct seg *s, unsigned k, const uint8_t *out,
			 uint32_t len, uint32_t thl, unsigned seed)
{
	const uint8_t *ip = out + ETH, *tcp = ip + 20;
	uint32_t want = ETH + 20 + thl, off, j;
	uint8_t flags = 0;
	unsigned i;

	for (i = 0; i < k; i++) {
		want += s[i].dlen;
		flags |= s[i].flags;
	}
	FZ_REQUIRE(len == want);
	/* MAC, version, TOS; id, fragment bits, TTL, protocol */
	FZ_REQUIRE(!memcmp(out, s[0].frame, ETH + 2));
	FZ_REQUIRE(!memcmp(ip + 4, s[0].frame + ETH + 4, 6));
	FZ_REQUIRE((uint32_t)(ip[2] << 8 | ip[3]) == len - ETH);
	FZ_REQUIRE(fz_sum(ip, 20, 0) == 0xffff);
	FZ_REQUIRE(!memcmp(ip + 12, s[0].frame + ETH + 12, 8 + 8));
	FZ_REQUIRE(get32(tcp + 8) == s[k - 1].ack);
	FZ_REQUIRE((uint32_t)(tcp[14] << 8 | tcp[15]) == s[k - 1].win);
	FZ_REQUIRE(tcp[13] == flags);
	FZ_REQUIRE(tcp[12] == s[0].frame[ETH + 20 + 12]);
	FZ_REQUIRE(!memcmp(tcp + 20, s[0].frame + ETH + 40, thl - 20));
	FZ_REQUIRE(tcp_sum(ip, len - ETH - 20) == 0xffff);
	off = ETH + 20 + thl;
	for (i = 0; i < k; i++)
		for (j = 0; j < s[i].dlen; j++)
			FZ_REQUIRE(out[off++] == payload_byte(seed, i, j));
}

/**
 * model_run() - how many segments the run API must take
 * @s:		segments
 * @n:		their number
 * @cap:	the buffer size passed
 * @thl:	TCP header length
 *
 * Return: the count; 0 when the first cannot start a run
 */
static unsigned model_run(const struct seg *s, unsigned n, uint32_t cap,
			  uint32_t thl)
{
	uint32_t len = ETH + 20 + thl + s[0].dlen, last = s[0].dlen;
	unsigned k;

	if (cap > 65535)
		cap = 65535;
	if (!n || s[0].pad || !flags_ok(s[0].flags) || !s[0].dlen)
		return 0;
	for (k = 1; k < n; k++) {
		const struct seg *c = &s[k];

		if (c->pad || !flags_ok(c->flags) || !c->dlen ||
		    len + c->dlen > cap || last != s[0].dlen ||
		    c->dlen > s[0].dlen ||
		    c->seq != s[k - 1].seq + s[k - 1].dlen ||
		    (int32_t)(c->ack - s[k - 1].ack) < 0 ||
		    !same_flow(&s[0], c, thl))
			break;
		len += c->dlen;
		last = c->dlen;
	}
	return k;
}

/**
 * check_run() - the in-place run API against its model
 * @s:		segments
 * @n:		their number
 * @cap:	buffer size from the input
 * @thl:	TCP header length
 * @seed:	payload seed
 */
static void check_run(const struct seg *s, unsigned n, uint32_t cap,
		      uint32_t thl, unsigned seed)
{
	uint32_t bufsz = cap > 65535 ? 65535 : cap, len;
	unsigned want = model_run(s, n, cap, thl), k;
	struct sqn_tcp_run r;
	struct sqn_vnet_hdr h;
	uint8_t *buf;

	if (!n)
		return;
	if (bufsz < s[0].len)
		bufsz = s[0].len;
	buf = malloc(bufsz);
	FZ_REQUIRE(buf);
	memcpy(buf, s[0].frame, s[0].len);
	if (!sqn_tcp_run_start(&r, buf, s[0].len)) {
		FZ_REQUIRE(want == 0);
		goto out;
	}
	FZ_REQUIRE(want >= 1);
	for (k = 1; k < n; k++)
		if (!sqn_tcp_run_append(&r, buf, cap, s[k].frame, s[k].len))
			break;
	FZ_REQUIRE(k == want);
	len = sqn_tcp_run_finish(&r, buf, &h);
	FZ_REQUIRE(len <= bufsz);
	if (k == 1) {
		/* a single segment stays exactly as the stack made it */
		FZ_REQUIRE(len == s[0].len && !memcmp(buf, s[0].frame, len));
		FZ_REQUIRE(!h.flags && !h.gso_type);
		goto out;
	}
	FZ_REQUIRE(h.flags == SQN_VNET_HDR_F_NEEDS_CSUM &&
		   h.gso_type == SQN_VNET_HDR_GSO_TCPV4 &&
		   h.hdr_len == ETH + 20 + thl && h.gso_size == s[0].dlen &&
		   h.csum_start == ETH + 20 && h.csum_offset == 16);
	FZ_REQUIRE(!sqn_csum_complete(buf, len, &h));
	check_merged(s, k, buf, len, thl, seed);
out:
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct seg s[SQN_BATCH];
	struct sqn_frame fr[SQN_BATCH];
	struct sqn_vnet_hdr gso;
	unsigned flags, n, i, k, want, seed;
	uint32_t max, thl, seq, ack, len = 0, outsz;
	uint16_t win;
	uint8_t *out;

	flags = fz_u8(&f);
	max = fz_u8(&f);
	max |= (uint32_t)fz_u8(&f) << 8;
	if (flags & 1)
		max = LIMIT;
	else if (flags & 2)
		max += LIMIT + 1;
	n = fz_u8(&f) % (SQN_BATCH + 1);
	thl = 20 + 4 * (fz_u8(&f) % 11);
	seq = fz_u32(&f);
	ack = fz_u32(&f);
	win = (uint16_t)(fz_u8(&f) | fz_u8(&f) << 8);
	seed = fz_u8(&f);
	for (i = 0; i < n; i++) {
		struct seg *c = &s[i];

		c->p = fz_u8(&f);
		c->x = fz_u8(&f);
		c->dlen = (fz_u8(&f) | (uint32_t)fz_u8(&f) << 8) & 0x1fff;
		c->pad = c->x & X_PAD_MASK;
		c->flags = 0x10 | (c->p & P_PSH ? 0x08 : 0);
		if (c->p & P_BAD_FLAG) {
			uint8_t b = bad_flags[(i + seed) % sizeof(bad_flags)];

			c->flags = b ? c->flags | b : 0x08;
		}
		c->seq = seq + (c->p & P_SEQ_GAP ? 1 : 0);
		c->ack = c->p & P_ACK_BACK ? ack - 1 : ack + (c->x >> 5);
		c->win = c->x & X_WINDOW ? (uint16_t)(win + i) : win;
		build(c, i, thl, seed);
		seq = c->seq + c->dlen;
		ack = c->ack;
		fr[i] = (struct sqn_frame){.data = c->frame, .len = c->len};
	}

	/* the output buffer is exactly @max bytes (a size over the limit
	 * must be refused without writing: LIMIT bytes are there) */
	outsz = max > LIMIT ? LIMIT : max;
	out = malloc(outsz ? outsz : 1);
	FZ_REQUIRE(out);
	want = model_coalesce(s, n, max, thl);
	memset(&gso, 0xa5, sizeof(gso));
	k = sqn_tcp_coalesce(fr, n, out, max, &len, &gso);
	FZ_REQUIRE(k == want);
	if (k > 1) {
		FZ_REQUIRE(len <= max);
		check_merged(s, k, out, len, thl, seed);
		FZ_REQUIRE(gso.flags == SQN_VNET_HDR_F_DATA_VALID &&
			   gso.gso_type == SQN_VNET_HDR_GSO_TCPV4 &&
			   gso.hdr_len == ETH + 20 + thl &&
			   gso.gso_size == s[0].dlen && !gso.csum_start &&
			   !gso.csum_offset);
	}
	free(out);

	check_run(s, n, max, thl, seed);
	for (i = 0; i < n; i++)
		free(s[i].frame);
	return 0;
}
