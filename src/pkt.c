/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkt.c - an Ethernet frame down to its ports, and the reply frames a
 *	   filter sends back: TCP RST, ICMP prohibited, UDP (pure)
 *
 * Theory of operation: sqn_pkt_parse() walks Ethernet, IPv4 (options
 * checked for source routes) or IPv6 (up to SQN_PKT_MAX_EXT extension
 * headers: hop-by-hop, routing, fragment, destination options, AH), then
 * the TCP, UDP, ICMP or ICMPv6 header. The IP packet ends where its length
 * field says (Ethernet padding is not payload); a length of 0 (IPv4 TSO,
 * IPv6 jumbo) means "to the end of the frame", as a guest's large offload
 * frames have it. A frame that contradicts itself is -EINVAL.
 *
 * Replies go back the way the frame came: Ethernet and IP addresses and
 * ports swapped, so the sender's stack takes them as coming from the peer
 * it addressed (sqn_pkt_tcp_rst() can also build the RST that continues
 * the frame's own direction, for the peer). IPv4 replies carry ID 0 and
 * TTL 64, IPv6 hop limit 64; every checksum is filled in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "be.h"
#include "csum.h"
#include "pkt.h"

#define IP4_HLEN 20
#define IP6_HLEN 40
#define TCP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
/* most IPv6 extension headers walked before the frame is refused */
#define SQN_PKT_MAX_EXT 8
/* an ICMP error quotes at most this much of the datagram: RFC 1812 4.3.2.3
 * keeps the whole IPv4 error within 576 bytes, RFC 4443 2.4 (c) keeps the
 * ICMPv6 error within the minimum MTU, 1280 */
#define ICMP4_MAX 576
#define ICMP6_MAX 1280
#define SQN_MIN_U32(a, b) ((a) < (b) ? (a) : (b))

/**
 * ip4_options() - check IPv4 options for a source route
 * @p:		the packet, @l3 and @f set
 * @hlen:	the header's length
 *
 * Return: 0, or -EINVAL when an option's length runs past the header
 */
static int ip4_options(struct sqn_pkt *p, uint32_t hlen)
{
	const uint8_t *o = p->f + p->l3 + IP4_HLEN;
	uint32_t i = 0, n = hlen - IP4_HLEN;

	while (i < n) {
		uint8_t type = o[i];

		if (type == 0) /* end of options */
			break;
		if (type == 1) { /* no-op */
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || o[i + 1] > n - i)
			return -EINVAL;
		if (type == 0x83 || type == 0x89) /* LSRR, SSRR */
			p->src_route = true;
		i += o[i + 1];
	}
	return 0;
}

/**
 * parse_ip4() - the IPv4 header
 * @p:		the packet, @f and @l3 set
 * @len:	frame length
 *
 * Return: 0, or -EINVAL
 */
static int parse_ip4(struct sqn_pkt *p, uint32_t len)
{
	const uint8_t *ip = p->f + p->l3;
	uint32_t avail = len - p->l3, hlen, tot;
	uint16_t frag;

	if (avail < IP4_HLEN || ip[0] >> 4 != 4)
		return -EINVAL;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	tot = sqn_get16(ip + 2);
	if (!tot)
		tot = avail;
	if (hlen < IP4_HLEN || tot < hlen || tot > avail)
		return -EINVAL;
	p->family = 4;
	p->alen = 4;
	p->proto = ip[9];
	p->src = ip + 12;
	p->dst = ip + 16;
	p->l3_group = ip[16] >= 224;
	p->end = p->l3 + tot;
	p->l4 = p->l3 + hlen;
	frag = sqn_get16(ip + 6);
	p->frag = (frag & 0x3fff) != 0; /* MF or an offset */
	p->frag_later = (frag & 0x1fff) != 0;
	return ip4_options(p, hlen);
}

/**
 * ip6_ext() - walk the IPv6 extension headers to the upper layer
 * @p:		the packet, @l4 at the first header after the fixed one
 * @nh:		the fixed header's next header
 *
 * Return: 0 with @proto and @l4 set, or -EINVAL
 */
static int ip6_ext(struct sqn_pkt *p, uint8_t nh)
{
	unsigned n;

	for (n = 0; n < SQN_PKT_MAX_EXT; n++) {
		const uint8_t *h = p->f + p->l4;
		uint32_t hl;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51) {
			p->proto = nh;
			return 0;
		}
		if (p->end - p->l4 < 8)
			return -EINVAL;
		if (nh == 44) { /* fragment: fixed 8 bytes */
			hl = 8;
			p->frag = true;
			p->frag_later = (sqn_get16(h + 2) >> 3) != 0;
		} else if (nh == 51) { /* AH: length in 4-byte units, minus 2 */
			hl = ((uint32_t)h[1] + 2) * 4;
		} else {
			hl = ((uint32_t)h[1] + 1) * 8;
		}
		if (nh == 43 && h[3]) /* routing header, segments left */
			p->src_route = true;
		if (hl > p->end - p->l4)
			return -EINVAL;
		nh = h[0];
		p->l4 += hl;
		if (p->frag_later) { /* the rest is not ours to read */
			p->proto = nh;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * parse_ip6() - the IPv6 header and its extension headers
 * @p:		the packet, @f and @l3 set
 * @len:	frame length
 *
 * Return: 0, or -EINVAL
 */
static int parse_ip6(struct sqn_pkt *p, uint32_t len)
{
	const uint8_t *ip = p->f + p->l3;
	uint32_t avail = len - p->l3, plen;

	if (avail < IP6_HLEN || ip[0] >> 4 != 6)
		return -EINVAL;
	plen = sqn_get16(ip + 4);
	if (!plen)
		plen = avail - IP6_HLEN;
	if (plen > avail - IP6_HLEN)
		return -EINVAL;
	p->family = 6;
	p->alen = 16;
	p->src = ip + 8;
	p->dst = ip + 24;
	p->l3_group = ip[24] == 0xff;
	p->end = p->l3 + IP6_HLEN + plen;
	p->l4 = p->l3 + IP6_HLEN;
	return ip6_ext(p, ip[6]);
}

/**
 * parse_l4() - the TCP, UDP or ICMP header
 * @p:	the packet, IP parsed, not a later fragment
 *
 * Return: 0, or -EINVAL when the header does not fit (a first fragment
 * too short to hold its ports is refused too)
 */
static int parse_l4(struct sqn_pkt *p)
{
	const uint8_t *h = p->f + p->l4;
	uint32_t avail = p->end - p->l4, hl;

	switch (p->proto) {
	case SQN_PKT_TCP:
		if (avail < TCP_HLEN)
			return -EINVAL;
		hl = (uint32_t)(h[12] >> 4) * 4;
		if (hl < TCP_HLEN || hl > avail)
			return -EINVAL;
		p->sport = sqn_get16(h);
		p->dport = sqn_get16(h + 2);
		p->seq = sqn_get32(h + 4);
		p->ack = sqn_get32(h + 8);
		p->tcp_flags = h[13];
		p->pay = p->l4 + hl;
		p->plen = avail - hl;
		return 0;
	case SQN_PKT_UDP:
		if (avail < UDP_HLEN)
			return -EINVAL;
		hl = sqn_get16(h + 4);
		if (!p->frag && (hl < UDP_HLEN || hl > avail))
			return -EINVAL;
		p->sport = sqn_get16(h);
		p->dport = sqn_get16(h + 2);
		p->pay = p->l4 + UDP_HLEN;
		p->plen = p->frag ? avail - UDP_HLEN : hl - UDP_HLEN;
		return 0;
	case SQN_PKT_ICMP:
	case SQN_PKT_ICMP6:
		if ((p->proto == SQN_PKT_ICMP) != (p->family == 4))
			return 0; /* the other family's ICMP: opaque */
		if (avail < 4)
			return -EINVAL;
		p->icmp_type = h[0];
		p->icmp_code = h[1];
		return 0;
	default:
		return 0;
	}
}

/**
 * sqn_pkt_parse() - parse a frame down to its transport header
 * @p:		filled
 * @f:		the frame, from its Ethernet header (no virtio-net header)
 * @len:	its length
 *
 * Return: 0 (@p->family 0 for a frame that is not IPv4 or IPv6, e.g. ARP),
 * or -EINVAL for a frame too short or whose headers contradict each other
 */
int sqn_pkt_parse(struct sqn_pkt *p, const uint8_t *f, uint32_t len)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->f = f;
	if (len < SQN_PKT_ETH_HLEN)
		return -EINVAL;
	p->ethertype = sqn_get16(f + 12);
	p->l2_group = f[0] & 1;
	p->l3 = SQN_PKT_ETH_HLEN;
	if (p->ethertype == SQN_PKT_ETH_IP4)
		rc = parse_ip4(p, len);
	else if (p->ethertype == SQN_PKT_ETH_IP6)
		rc = parse_ip6(p, len);
	else
		return 0;
	if (rc)
		return rc;
	return p->frag_later ? 0 : parse_l4(p);
}

/**
 * sqn_pkt_has_ports() - whether the packet has a TCP or UDP header parsed
 * @p:	a parsed packet
 *
 * Return: true for TCP and UDP, except later fragments
 */
bool sqn_pkt_has_ports(const struct sqn_pkt *p)
{
	return p->family && !p->frag_later &&
	       (p->proto == SQN_PKT_TCP || p->proto == SQN_PKT_UDP);
}

/**
 * put_l2_l3() - the Ethernet and IP headers of a reply
 * @p:		the packet replied to
 * @back:	true: to its sender (addresses swapped); false: onward
 * @proto:	upper-layer protocol of the reply
 * @l4len:	upper-layer length
 * @out:	the reply frame
 *
 * Return: offset of the upper-layer header in @out
 */
static uint32_t put_l2_l3(const struct sqn_pkt *p, bool back, uint8_t proto,
			  uint32_t l4len, uint8_t *out)
{
	const uint8_t *s = back ? p->dst : p->src, *d = back ? p->src : p->dst;
	uint8_t *ip = out + SQN_PKT_ETH_HLEN;

	memcpy(out, p->f + (back ? 6 : 0), 6);
	memcpy(out + 6, p->f + (back ? 0 : 6), 6);
	sqn_put16(out + 12, p->family == 4 ? SQN_PKT_ETH_IP4 : SQN_PKT_ETH_IP6);
	if (p->family == 4) {
		uint16_t c;

		memset(ip, 0, IP4_HLEN);
		ip[0] = 0x45;
		sqn_put16(ip + 2, IP4_HLEN + l4len);
		if (proto == SQN_PKT_TCP)
			ip[6] = 0x40; /* DF */
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, s, 4);
		memcpy(ip + 16, d, 4);
		c = sqn_csum(ip, IP4_HLEN, 0);
		memcpy(ip + 10, &c, 2);
		return SQN_PKT_ETH_HLEN + IP4_HLEN;
	}
	memset(ip, 0, IP6_HLEN);
	ip[0] = 0x60;
	sqn_put16(ip + 4, l4len);
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, s, 16);
	memcpy(ip + 24, d, 16);
	return SQN_PKT_ETH_HLEN + IP6_HLEN;
}

/**
 * put_l4_csum() - fill in a reply's upper-layer checksum
 * @out:	the reply frame, IP header written by put_l2_l3()
 * @family:	4 or 6
 * @l4:		offset of the upper-layer header
 * @proto:	its protocol
 * @l4len:	its length
 * @at:		offset of the checksum within the upper-layer header
 */
static void put_l4_csum(uint8_t *out, uint8_t family, uint32_t l4,
			uint8_t proto, uint32_t l4len, uint32_t at)
{
	const uint8_t *ip = out + SQN_PKT_ETH_HLEN;
	uint64_t sum = 0;
	uint16_t c;

	if (proto != SQN_PKT_ICMP) /* ICMPv4 has no pseudo header */
		sum = family == 4 ? sqn_csum_pseudo(ip + 12, 8, proto, l4len)
				  : sqn_csum_pseudo(ip + 8, 32, proto, l4len);
	c = sqn_csum(out + l4, l4len, sum);
	if (!c && proto == SQN_PKT_UDP)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	memcpy(out + l4 + at, &c, 2);
}

/**
 * ip_hlen() - IP header length of the replies for a family
 * @family:	4 or 6
 *
 * Return: 20 or 40
 */
static uint32_t ip_hlen(uint8_t family)
{
	return family == 4 ? IP4_HLEN : IP6_HLEN;
}

/**
 * sqn_pkt_tcp_rst() - build the RST that refuses a TCP segment
 * @p:		the segment (TCP, ports parsed)
 * @to_sender:	true: the RST goes back to the sender, as from the peer it
 *		addressed; false: it continues the segment's direction, to
 *		the peer, as from the sender (to end the peer's side)
 * @out:	the frame, at least SQN_PKT_REPLY_MAX bytes
 * @cap:	its size
 *
 * Back to the sender (RFC 9293 3.10.7.1): a segment with ACK gets
 * <SEQ=SEG.ACK><CTL=RST>, one without gets <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK> (SYN and FIN count in SEG.LEN). Onward: <SEQ=SEG.SEQ>
 * <CTL=RST>, the sequence number the peer expects next.
 *
 * Return: the frame's length, 0 when @p is not a TCP segment, is itself a
 * RST, was sent to an Ethernet group address (a reply would have no
 * source MAC to come from), or @cap is too small
 */
uint32_t sqn_pkt_tcp_rst(const struct sqn_pkt *p, bool to_sender, uint8_t *out,
			 uint32_t cap)
{
	uint32_t l4, seq = 0, ack = 0;
	uint8_t flags = SQN_PKT_RST, *t;

	if (!sqn_pkt_has_ports(p) || p->proto != SQN_PKT_TCP ||
	    (p->tcp_flags & SQN_PKT_RST) || (to_sender && p->l2_group) ||
	    cap < SQN_PKT_ETH_HLEN + ip_hlen(p->family) + TCP_HLEN)
		return 0;
	if (!to_sender) {
		seq = p->seq;
	} else if (p->tcp_flags & SQN_PKT_ACK) {
		seq = p->ack;
	} else {
		ack = p->seq + p->plen + !!(p->tcp_flags & SQN_PKT_SYN) +
		      !!(p->tcp_flags & SQN_PKT_FIN);
		flags |= SQN_PKT_ACK;
	}
	l4 = put_l2_l3(p, to_sender, SQN_PKT_TCP, TCP_HLEN, out);
	t = out + l4;
	memset(t, 0, TCP_HLEN);
	sqn_put16(t, to_sender ? p->dport : p->sport);
	sqn_put16(t + 2, to_sender ? p->sport : p->dport);
	sqn_put32(t + 4, seq);
	sqn_put32(t + 8, ack);
	t[12] = (TCP_HLEN / 4) << 4;
	t[13] = flags;
	put_l4_csum(out, p->family, l4, SQN_PKT_TCP, TCP_HLEN, 16);
	return l4 + TCP_HLEN;
}

/**
 * icmp_is_error() - whether an ICMP or ICMPv6 message is an error
 * @p:	the packet, ICMP of its family
 *
 * Return: true for ICMPv4 types 3, 4, 5, 11, 12 and ICMPv6 types below 128
 */
static bool icmp_is_error(const struct sqn_pkt *p)
{
	uint8_t t = p->icmp_type;

	if (p->family == 6)
		return t < 128;
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/**
 * sqn_pkt_icmp_prohibited() - build the ICMP error "administratively
 *			       prohibited" for a packet, back to its sender
 * @p:		the packet (IPv4 or IPv6)
 * @out:	the frame, at least SQN_PKT_REPLY_MAX bytes
 * @cap:	its size
 *
 * IPv4: type 3 (destination unreachable) code 13 (communication
 * administratively prohibited, RFC 1812 5.2.7.1); IPv6: type 1 code 1
 * (RFC 4443 3.1). The error comes from the address the packet was sent to
 * and quotes as much of the packet as fits in 576 (IPv4) or 1280 (IPv6)
 * bytes. No error is built about an ICMP error, a packet to a group
 * address, or a later fragment (RFC 1122 3.2.2, RFC 4443 2.4 (e)).
 *
 * Return: the frame's length, or 0 when no error is due or @cap is too
 * small
 */
uint32_t sqn_pkt_icmp_prohibited(const struct sqn_pkt *p, uint8_t *out,
				 uint32_t cap)
{
	bool v4 = p->family == 4;
	uint8_t proto = v4 ? SQN_PKT_ICMP : SQN_PKT_ICMP6;
	uint32_t hl = ip_hlen(p->family), q, l4;
	uint8_t *t;

	if (!p->family || p->l2_group || p->l3_group || p->frag_later)
		return 0;
	if (p->proto == proto && icmp_is_error(p))
		return 0;
	q = SQN_MIN_U32(p->end - p->l3,
			(v4 ? ICMP4_MAX : ICMP6_MAX) - hl - ICMP_HLEN);
	if (cap < SQN_PKT_ETH_HLEN + hl + ICMP_HLEN + q)
		return 0;
	l4 = put_l2_l3(p, true, proto, ICMP_HLEN + q, out);
	t = out + l4;
	memset(t, 0, ICMP_HLEN);
	t[0] = v4 ? 3 : 1;
	t[1] = v4 ? 13 : 1;
	memcpy(t + ICMP_HLEN, p->f + p->l3, q);
	put_l4_csum(out, p->family, l4, proto, ICMP_HLEN + q, 2);
	return l4 + ICMP_HLEN + q;
}

/**
 * sqn_pkt_udp_reply() - build a UDP datagram back to a datagram's sender,
 *			 from the address and port it was sent to
 * @p:		the datagram (UDP, ports parsed)
 * @data:	the reply's payload
 * @dlen:	its length
 * @out:	the frame
 * @cap:	its size
 *
 * Return: the frame's length, or 0 when @p is not UDP, was sent to an
 * Ethernet group address, or @cap is too small
 */
uint32_t sqn_pkt_udp_reply(const struct sqn_pkt *p, const uint8_t *data,
			   uint32_t dlen, uint8_t *out, uint32_t cap)
{
	uint32_t l4;
	uint8_t *u;

	if (!sqn_pkt_has_ports(p) || p->proto != SQN_PKT_UDP || p->l2_group ||
	    dlen > cap ||
	    cap - dlen < SQN_PKT_ETH_HLEN + ip_hlen(p->family) + UDP_HLEN)
		return 0;
	l4 = put_l2_l3(p, true, SQN_PKT_UDP, UDP_HLEN + dlen, out);
	u = out + l4;
	sqn_put16(u, p->dport);
	sqn_put16(u + 2, p->sport);
	sqn_put16(u + 4, UDP_HLEN + dlen);
	sqn_put16(u + 6, 0);
	memcpy(u + UDP_HLEN, data, dlen);
	put_l4_csum(out, p->family, l4, SQN_PKT_UDP, UDP_HLEN + dlen, 6);
	return l4 + UDP_HLEN + dlen;
}

/**
 * sqn_pkt_addr_fmt() - an address as text
 * @family:	4 or 6
 * @addr:	4 or 16 bytes
 * @buf:	the text, at least 46 bytes (INET6_ADDRSTRLEN)
 * @len:	its size
 *
 * Return: 0, or -EINVAL (then @buf holds "?")
 */
int sqn_pkt_addr_fmt(uint8_t family, const uint8_t *addr, char *buf,
		     uint32_t len)
{
	if (len && inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
			     (socklen_t)len))
		return 0;
	if (len >= 2)
		memcpy(buf, "?", 2);
	return -EINVAL;
}
