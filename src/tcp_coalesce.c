/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_coalesce.c - merge a guest's consecutive TCP segments (pure, no I/O)
 *
 * Theory of operation: a guest sending bulk TCP at MTU 1500 hands over a
 * batch of 1460-byte segments of one flow. An in-process stack (libslirp)
 * pays a send() to the host socket and an ACK back to the guest for each;
 * merged into one large segment first, the batch costs one of each. This is
 * what a NIC's receive offload (GRO) does, and it is done as conservatively:
 * only IPv4 without options or fragmentation, only ACK/PSH segments with
 * data, the same addresses, ports, TOS, TTL and TCP options, contiguous
 * sequence numbers and non-decreasing ACKs, and every checksum verified
 * before it is replaced. Anything else passes through untouched.
 */
#include <string.h>

#include "be.h"
#include "csum.h"
#include "tcp_coalesce.h"

#define ETH_HLEN 14
#define IP_HLEN 20
#define TCP_F_FIN 0x01
#define TCP_F_SYN 0x02
#define TCP_F_RST 0x04
#define TCP_F_PSH 0x08
#define TCP_F_ACK 0x10

/**
 * struct seg - what coalescing needs to know of one segment
 * @ip:		IPv4 header
 * @tcp:	TCP header
 * @thl:	TCP header length
 * @data:	payload
 * @dlen:	payload length
 * @seq:	sequence number
 * @ack:	acknowledgement number
 */
struct seg {
	const uint8_t *ip;
	const uint8_t *tcp;
	uint32_t thl;
	const uint8_t *data;
	uint32_t dlen;
	uint32_t seq;
	uint32_t ack;
};

/**
 * pseudo_sum() - the TCP pseudo header's running sum
 * @ip:		IPv4 header
 * @tcplen:	TCP header and payload length
 *
 * Return: running sum
 */
static uint64_t pseudo_sum(const uint8_t *ip, uint32_t tcplen)
{
	return sqn_csum_pseudo(ip + 12, 8, 6, tcplen);
}

/**
 * parse() - whether a frame is a segment that may be merged, and its parts
 *	     (checksums aside: sums_ok())
 * @f:	the frame
 * @s:	filled when it is
 *
 * Return: 1 if mergeable, 0 if it must pass as it is
 */
static int parse(const struct sqn_frame *f, struct seg *s)
{
	const uint8_t *p = f->data;
	uint32_t tot, flags;

	if (f->len < ETH_HLEN + IP_HLEN + 20 || sqn_get16(p + 12) != 0x0800)
		return 0;
	s->ip = p + ETH_HLEN;
	if (s->ip[0] != 0x45 || s->ip[9] != 6 ||
	    (sqn_get16(s->ip + 6) & 0x3fff))
		return 0;
	tot = sqn_get16(s->ip + 2);
	if (tot < IP_HLEN + 20 || tot > f->len - ETH_HLEN)
		return 0;
	s->tcp = s->ip + IP_HLEN;
	s->thl = (uint32_t)(s->tcp[12] >> 4) * 4;
	flags = s->tcp[13];
	if (s->thl < 20 || s->thl > tot - IP_HLEN ||
	    (flags & ~(uint32_t)(TCP_F_ACK | TCP_F_PSH)) ||
	    !(flags & TCP_F_ACK))
		return 0;
	s->data = s->tcp + s->thl;
	s->dlen = tot - IP_HLEN - s->thl;
	if (!s->dlen)
		return 0;
	s->seq = sqn_get32(s->tcp + 4);
	s->ack = sqn_get32(s->tcp + 8);
	return 1;
}

/**
 * sums_ok() - whether a parsed segment's IPv4 and TCP checksums are valid
 * @s:	the segment, from parse()
 *
 * Return: 1 if they are
 */
static int sums_ok(const struct seg *s)
{
	uint32_t tcplen = s->thl + s->dlen;

	return !sqn_csum(s->ip, IP_HLEN, 0) &&
	       !sqn_csum(s->tcp, tcplen, pseudo_sum(s->ip, tcplen));
}

/**
 * follows() - whether @b continues @a in the same flow
 * @fa:	frame of @a
 * @a:	earlier segment
 * @b:	later segment
 *
 * Return: 1 if it does
 */
static int follows(const struct sqn_frame *fa, const struct seg *a,
		   const struct seg *b)
{
	const uint8_t *ea = fa->data, *eb = b->ip - ETH_HLEN;

	return !memcmp(ea, eb, ETH_HLEN) && a->ip[1] == b->ip[1] && /* TOS */
	       a->ip[8] == b->ip[8] &&				    /* TTL */
	       !memcmp(a->ip + 12, b->ip + 12, 8) && /* addresses */
	       !memcmp(a->tcp, b->tcp, 4) &&	     /* ports */
	       a->thl == b->thl &&
	       !memcmp(a->tcp + 20, b->tcp + 20, a->thl - 20) && /* options */
	       b->seq == a->seq + a->dlen && (int32_t)(b->ack - a->ack) >= 0;
}

/**
 * sqn_tcp_coalesce() - merge the run of segments that starts at f[0]
 * @f:		frames from the guest
 * @n:		how many
 * @out:	gets the merged frame
 * @max:	@out's size and the largest frame to build (at most 65535+14)
 * @out_len:	gets the merged frame's length
 * @gso:	if not NULL, gets the virtio-net header that describes the
 *		merged frame as a GSO frame (TCPv4, checksum valid, segment
 *		size of the first segment), for a guest that accepts them
 *
 * Return: how many frames from f[0] on were merged into @out (at least 2),
 * or 1 when f[0] is to be passed on as it is
 */
unsigned sqn_tcp_coalesce(const struct sqn_frame *f, unsigned n, uint8_t *out,
			  uint32_t max, uint32_t *out_len,
			  struct sqn_vnet_hdr *gso)
{
	struct seg first, prev, cur;
	uint32_t hlen, total, tcplen, flags;
	unsigned k;
	uint8_t *ip, *tcp;

	if (n < 2 || max > 65535 + ETH_HLEN || !parse(&f[0], &first))
		return 1;
	hlen = ETH_HLEN + IP_HLEN + first.thl;
	total = hlen + first.dlen;
	prev = first;
	flags = first.tcp[13];
	for (k = 1; k < n; k++) {
		/* the checksums last: they cost a pass over the payload */
		if (!parse(&f[k], &cur) || !follows(&f[0], &prev, &cur) ||
		    total + cur.dlen > max || (k == 1 && !sums_ok(&first)) ||
		    !sums_ok(&cur))
			break;
		if (k == 1)
			memcpy(out + hlen, first.data, first.dlen);
		memcpy(out + total, cur.data, cur.dlen);
		total += cur.dlen;
		flags |= cur.tcp[13];
		prev = cur;
	}
	if (k < 2)
		return 1;

	/* headers: the first segment's, with the last one's ACK and window */
	memcpy(out, f[0].data, hlen);
	ip = out + ETH_HLEN;
	tcp = ip + IP_HLEN;
	memcpy(tcp + 8, prev.tcp + 8, 4);
	memcpy(tcp + 14, prev.tcp + 14, 2);
	tcp[13] = (uint8_t)flags;
	sqn_put16(ip + 2, total - ETH_HLEN);
	sqn_put16(ip + 10, 0);
	{
		uint16_t c = sqn_csum(ip, IP_HLEN, 0);

		memcpy(ip + 10, &c, 2);
	}
	tcplen = total - ETH_HLEN - IP_HLEN;
	sqn_put16(tcp + 16, 0);
	{
		uint16_t c = sqn_csum(tcp, tcplen, pseudo_sum(ip, tcplen));

		memcpy(tcp + 16, &c, 2);
	}
	*out_len = total;
	if (gso) {
		memset(gso, 0, sizeof(*gso));
		gso->flags = SQN_VNET_HDR_F_DATA_VALID;
		gso->gso_type = SQN_VNET_HDR_GSO_TCPV4;
		gso->hdr_len = (uint16_t)hlen;
		gso->gso_size = (uint16_t)first.dlen;
	}
	return k;
}

/**
 * run_seg() - whether a trusted frame is a data segment a run may hold
 * @frame:	the frame
 * @len:	its length
 * @s:		filled when it is (checksums are not verified)
 *
 * Return: 1 if it may, else 0
 */
static int run_seg(const uint8_t *frame, uint32_t len, struct seg *s)
{
	uint32_t tot, flags;

	if (len < ETH_HLEN + IP_HLEN + 20 || sqn_get16(frame + 12) != 0x0800)
		return 0;
	s->ip = frame + ETH_HLEN;
	if (s->ip[0] != 0x45 || s->ip[9] != 6 ||
	    (sqn_get16(s->ip + 6) & 0x3fff))
		return 0;
	tot = sqn_get16(s->ip + 2);
	if (tot != len - ETH_HLEN)
		return 0;
	s->tcp = s->ip + IP_HLEN;
	s->thl = (uint32_t)(s->tcp[12] >> 4) * 4;
	flags = s->tcp[13];
	if (s->thl < 20 || s->thl >= tot - IP_HLEN ||
	    (flags & ~(uint32_t)(TCP_F_ACK | TCP_F_PSH)) ||
	    !(flags & TCP_F_ACK))
		return 0;
	s->data = s->tcp + s->thl;
	s->dlen = tot - IP_HLEN - s->thl;
	s->seq = sqn_get32(s->tcp + 4);
	s->ack = sqn_get32(s->tcp + 8);
	return 1;
}

/**
 * sqn_tcp_run_start() - start a run with the frame just placed in @out
 * @r:		the run
 * @out:	the frame, in the buffer the run grows in
 * @len:	its length
 *
 * For frames from a trusted stack (libslirp's own output): checksums are
 * not verified, and are replaced only when a second segment joins.
 *
 * Return: true if later segments may be appended, false if the frame must
 * stay as it is
 */
bool sqn_tcp_run_start(struct sqn_tcp_run *r, const uint8_t *out, uint32_t len)
{
	struct seg s;

	if (!run_seg(out, len, &s))
		return false;
	r->hlen = ETH_HLEN + IP_HLEN + s.thl;
	r->len = len;
	r->next_seq = s.seq + s.dlen;
	r->ack = s.ack;
	r->mss = s.dlen;
	r->last = s.dlen;
	r->segs = 1;
	return true;
}

/**
 * sqn_tcp_run_append() - append a trusted segment that continues the run
 * @r:		the run
 * @out:	the run's frame
 * @cap:	what @out holds (the run never grows past 65535 bytes)
 * @frame:	the new segment's frame
 * @len:	its length
 *
 * Appended when it is a data segment of the same flow (same Ethernet
 * header, TOS, TTL, addresses, ports and TCP options), starts where the run
 * ends, ACKs no less, is no larger than the first segment, follows a
 * segment of full size, and fits. The run takes its ACK, window and PSH.
 *
 * Return: true if appended, false if @frame must go on its own
 */
bool sqn_tcp_run_append(struct sqn_tcp_run *r, uint8_t *out, uint32_t cap,
			const uint8_t *frame, uint32_t len)
{
	const uint8_t *ip = out + ETH_HLEN, *tcp = ip + IP_HLEN;
	struct seg s;

	if (cap > 65535)
		cap = 65535;
	if (!run_seg(frame, len, &s) || r->len + s.dlen > cap ||
	    r->last != r->mss || s.dlen > r->mss || s.seq != r->next_seq ||
	    (int32_t)(s.ack - r->ack) < 0 ||
	    ETH_HLEN + IP_HLEN + s.thl != r->hlen ||
	    memcmp(out, frame, ETH_HLEN) != 0 || ip[1] != s.ip[1] ||
	    ip[8] != s.ip[8] || memcmp(ip + 12, s.ip + 12, 8) != 0 ||
	    memcmp(tcp, s.tcp, 4) != 0 ||
	    memcmp(tcp + 20, s.tcp + 20, s.thl - 20) != 0)
		return false;
	memcpy(out + r->len, s.data, s.dlen);
	memcpy(out + ETH_HLEN + IP_HLEN + 8, s.tcp + 8, 4);   /* ACK */
	memcpy(out + ETH_HLEN + IP_HLEN + 14, s.tcp + 14, 2); /* window */
	out[ETH_HLEN + IP_HLEN + 13] |= s.tcp[13];	      /* PSH */
	r->len += s.dlen;
	r->next_seq += s.dlen;
	r->ack = s.ack;
	r->last = s.dlen;
	r->segs++;
	return true;
}

/**
 * sqn_tcp_run_finish() - make the run's frame whole
 * @r:		the run
 * @out:	its frame
 * @h:		gets its virtio-net header: zeroed for a single segment
 *		(left exactly as the stack made it), else a TCPv4 GSO frame
 *		whose checksum is partial (VIRTIO_NET_HDR_F_NEEDS_CSUM: the
 *		field holds the pseudo header's sum, as virtio-net has it)
 *
 * Return: the frame's length
 */
uint32_t sqn_tcp_run_finish(const struct sqn_tcp_run *r, uint8_t *out,
			    struct sqn_vnet_hdr *h)
{
	uint8_t *ip = out + ETH_HLEN, *tcp = ip + IP_HLEN;
	uint32_t tcplen = r->len - ETH_HLEN - IP_HLEN;
	uint64_t sum;
	uint16_t c;

	memset(h, 0, sizeof(*h));
	if (r->segs < 2)
		return r->len;
	sqn_put16(ip + 2, r->len - ETH_HLEN);
	sqn_put16(ip + 10, 0);
	c = sqn_csum(ip, IP_HLEN, 0);
	memcpy(ip + 10, &c, 2);
	sum = pseudo_sum(ip, tcplen);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)sum;
	memcpy(tcp + 16, &c, 2);
	h->flags = SQN_VNET_HDR_F_NEEDS_CSUM;
	h->gso_type = SQN_VNET_HDR_GSO_TCPV4;
	h->hdr_len = (uint16_t)r->hlen;
	h->gso_size = (uint16_t)r->mss;
	h->csum_start = ETH_HLEN + IP_HLEN;
	h->csum_offset = 16;
	return r->len;
}
