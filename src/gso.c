/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gso.c - software segmentation of a GSO frame, and checksum completion,
 *	   for a receiver that takes plain frames (pure, no I/O)
 *
 * Theory of operation: a frame with a virtio-net header may stand for
 * many TCP segments (gso_type TCPv4 or TCPv6: one set of headers, then up
 * to 64 KiB of payload to be cut every gso_size bytes) and may leave its
 * transport checksum partial (NEEDS_CSUM: the field holds the pseudo
 * header's sum). squib-net serve forwards such frames as they are between
 * ports that negotiated offloads; for any other port it calls this, which
 * writes the plain frames the sender's NIC would have put on a wire into
 * the caller's buffer, one after the other:
 *
 * - the headers (Ethernet, IPv4 or IPv6 without extension headers, TCP)
 *   are found by parsing the frame, not taken from hdr_len (guests and
 *   kernels fill that field loosely);
 * - every segment repeats them; IPv4 gets its total length, an identifier
 *   that counts up from the frame's, and its header checksum; IPv6 its
 *   payload length; TCP its sequence number (the frame's plus the
 *   segment's offset), FIN and PSH on the last segment only, CWR on the
 *   first only, and a full checksum (pseudo header, header, payload);
 * - a frame that is not GSO but NEEDS_CSUM is copied whole with its
 *   checksum completed (csum.c).
 *
 * Anything else is refused with its own error, and nothing is written
 * beyond @cap: VLAN tags, IPv6 extension headers, UDP segmentation,
 * headers that do not fit the frame, a gso_size of 0, more than @max
 * segments.
 */
#include <errno.h>
#include <string.h>

#include "csum.h"
#include "gso.h"

/**
 * get16() - load a big-endian 16-bit value
 * @p:	where
 *
 * Return: the value
 */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * put16() - store a big-endian 16-bit value
 * @p:	where
 * @v:	the value
 */
static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * sqn_gso_needed() - whether a frame must go through sqn_gso_segment()
 *		      before a receiver without offloads takes it
 * @h:	its virtio-net header
 *
 * Return: 1 for a GSO frame or a partial checksum, else 0
 */
int sqn_gso_needed(const struct sqn_vnet_hdr *h)
{
	return (h->gso_type & ~SQN_VNET_HDR_GSO_ECN) != SQN_VNET_HDR_GSO_NONE ||
	       (h->flags & SQN_VNET_HDR_F_NEEDS_CSUM);
}

/**
 * struct gso_hdrs - where a TCP frame's headers are
 * @v6:		IPv6 (else IPv4)
 * @l4:		offset of the TCP header
 * @hl:		length of every header, Ethernet to TCP options
 */
struct gso_hdrs {
	int v6;
	uint32_t l4;
	uint32_t hl;
};

/**
 * parse() - find the headers of a TCP frame over IPv4 or IPv6
 * @f:		the frame
 * @len:	its length
 * @x:		gets where they are
 *
 * Return: 0, -EPROTONOSUPPORT (not plain TCP over IP), -EINVAL (headers
 * that do not fit)
 */
static int parse(const uint8_t *f, uint32_t len, struct gso_hdrs *x)
{
	uint16_t et;
	uint32_t doff;

	if (len < 14)
		return -EINVAL;
	et = get16(f + 12);
	if (et == 0x0800) {
		if (len < 14 + 20 || (f[14] >> 4) != 4 || (f[14] & 15) < 5)
			return -EINVAL;
		if (f[14 + 9] != 6)
			return -EPROTONOSUPPORT;
		x->v6 = 0;
		x->l4 = 14 + (uint32_t)(f[14] & 15) * 4;
	} else if (et == 0x86dd) {
		if (len < 14 + 40 || (f[14] >> 4) != 6)
			return -EINVAL;
		if (f[14 + 6] != 6)
			return -EPROTONOSUPPORT; /* extension headers */
		x->v6 = 1;
		x->l4 = 14 + 40;
	} else {
		return -EPROTONOSUPPORT;
	}
	if (len < x->l4 + 20)
		return -EINVAL;
	doff = (uint32_t)(f[x->l4 + 12] >> 4) * 4;
	if (doff < 20 || len < x->l4 + doff)
		return -EINVAL;
	x->hl = x->l4 + doff;
	return 0;
}

/**
 * fix_segment() - make one segment's headers its own
 * @s:		the segment (headers copied from the frame, then its payload)
 * @len:	its length
 * @x:		where its headers are
 * @i:		its index
 * @last:	it is the last one
 * @off:	its payload's offset in the frame's payload
 */
static void fix_segment(uint8_t *s, uint32_t len, const struct gso_hdrs *x,
			unsigned i, int last, uint32_t off)
{
	uint8_t *ip = s + 14, *tcp = s + x->l4;
	uint32_t tcplen = len - x->l4, seq;
	uint64_t sum;
	uint16_t c;

	if (x->v6) {
		put16(ip + 4, len - 14 - 40);
		sum = sqn_csum_pseudo(ip + 8, 32, 6, tcplen);
	} else {
		put16(ip + 2, len - 14);
		put16(ip + 4, get16(ip + 4) + i);
		memset(ip + 10, 0, 2);
		c = sqn_csum(ip, x->l4 - 14, 0);
		memcpy(ip + 10, &c, 2);
		sum = sqn_csum_pseudo(ip + 12, 8, 6, tcplen);
	}
	seq = (uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
	      (uint32_t)tcp[6] << 8 | tcp[7];
	seq += off;
	tcp[4] = (uint8_t)(seq >> 24);
	tcp[5] = (uint8_t)(seq >> 16);
	tcp[6] = (uint8_t)(seq >> 8);
	tcp[7] = (uint8_t)seq;
	if (!last)
		tcp[13] &= (uint8_t)~0x09; /* FIN, PSH */
	if (i)
		tcp[13] &= (uint8_t)~0x80; /* CWR */
	memset(tcp + 16, 0, 2);
	c = sqn_csum(tcp, tcplen, sum);
	memcpy(tcp + 16, &c, 2);
}

/**
 * sqn_gso_segment() - the plain frames a frame with a virtio-net header
 *		       stands for
 * @frame:	the frame
 * @len:	its length
 * @h:		its virtio-net header
 * @out:	gets the frames, one after the other
 * @cap:	size of @out (SQN_GSO_OUT_MAX always suffices)
 * @seg:	gets where each one is
 * @max:	room in @seg
 *
 * Return: frames written (1 for a frame that is not GSO: a copy, its
 * checksum completed if partial), or -EINVAL (headers or checksum offsets
 * outside the frame, a gso_size of 0), -EPROTONOSUPPORT (a GSO type other
 * than TCPv4 and TCPv6, or a frame that is not plain TCP over IP),
 * -ENOSPC (more than @max segments, or more bytes than @cap)
 */
int sqn_gso_segment(const uint8_t *frame, uint32_t len,
		    const struct sqn_vnet_hdr *h, uint8_t *out, uint32_t cap,
		    struct sqn_gso_seg *seg, unsigned max)
{
	unsigned type = h->gso_type & ~SQN_VNET_HDR_GSO_ECN, n, i;
	uint32_t pay, plen, off = 0;
	struct gso_hdrs x;
	int rc;

	if (!max)
		return -ENOSPC;
	if (type == SQN_VNET_HDR_GSO_NONE) {
		if (len > cap)
			return -ENOSPC;
		memcpy(out, frame, len);
		if (sqn_csum_complete(out, len, h))
			return -EINVAL;
		seg[0] = (struct sqn_gso_seg){.data = out, .len = len};
		return 1;
	}
	if (type != SQN_VNET_HDR_GSO_TCPV4 && type != SQN_VNET_HDR_GSO_TCPV6)
		return -EPROTONOSUPPORT;
	rc = parse(frame, len, &x);
	if (rc)
		return rc;
	if (x.v6 != (type == SQN_VNET_HDR_GSO_TCPV6))
		return -EPROTONOSUPPORT;
	if (!h->gso_size)
		return -EINVAL;
	pay = len - x.hl;
	n = pay ? (pay + h->gso_size - 1) / h->gso_size : 1;
	if (n > max || (uint64_t)n * x.hl + pay > cap)
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		plen = pay - off < h->gso_size ? pay - off : h->gso_size;
		memcpy(out, frame, x.hl);
		memcpy(out + x.hl, frame + x.hl + off, plen);
		seg[i] = (struct sqn_gso_seg){.data = out, .len = x.hl + plen};
		fix_segment(out, x.hl + plen, &x, i, i == n - 1, off);
		out += x.hl + plen;
		off += plen;
	}
	return (int)n;
}
