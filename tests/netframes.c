/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netframes.c - build and parse test frames (ARP, IPv4, UDP, ICMP, TCP),
 *		 checksums included
 */
#include <string.h>

#include "netframes.h"

#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define TCP_HLEN 20
#define ICMP_HLEN 8

const uint8_t nf_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/**
 * put16() - store a 16-bit big-endian number
 * @p:	where
 * @v:	the value
 */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * put32() - store a 32-bit big-endian number
 * @p:	where
 * @v:	the value
 */
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/**
 * get16() - load a 16-bit big-endian number
 * @p:	where
 *
 * Return: the value
 */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/**
 * get32() - load a 32-bit big-endian number
 * @p:	where
 *
 * Return: the value
 */
static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)get16(p) << 16) | get16(p + 2);
}

/**
 * nf_csum() - Internet checksum (RFC 1071)
 * @data:	bytes
 * @len:	their number
 * @sum:	partial sum to start from (a pseudo-header's), or 0
 *
 * Return: the checksum, ready to store big-endian
 */
uint16_t nf_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * pseudo_sum() - partial sum of the IPv4 pseudo-header
 * @sip:	source, network order
 * @dip:	destination, network order
 * @proto:	protocol
 * @len:	transport length
 *
 * Return: the partial sum
 */
static uint32_t pseudo_sum(uint32_t sip, uint32_t dip, uint8_t proto,
			   size_t len)
{
	uint32_t s = ntohl(sip), d = ntohl(dip);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto +
	       (uint32_t)len;
}

/**
 * eth() - write an Ethernet header
 * @buf:	the frame
 * @dst:	destination MAC
 * @src:	source MAC
 * @type:	EtherType
 *
 * Return: where the payload goes
 */
static uint8_t *eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return buf + ETH_HLEN;
}

/**
 * ipv4() - write an IPv4 header (no options, DF clear, TTL 64)
 * @p:		where
 * @sip:	source, network order
 * @dip:	destination, network order
 * @proto:	protocol
 * @plen:	payload length
 *
 * Return: where the payload goes
 */
static uint8_t *ipv4(uint8_t *p, uint32_t sip, uint32_t dip, uint8_t proto,
		     size_t plen)
{
	static uint16_t ident = 1;

	memset(p, 0, IP_HLEN);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(IP_HLEN + plen));
	put16(p + 4, ident++);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, &sip, 4);
	memcpy(p + 16, &dip, 4);
	put16(p + 10, nf_csum(p, IP_HLEN, 0));
	return p + IP_HLEN;
}

/**
 * nf_arp() - build an ARP request or reply for IPv4 over Ethernet
 * @buf:	the frame
 * @op:		1 request (sent to broadcast), 2 reply (sent to @tha)
 * @sha:	sender MAC
 * @sip:	sender address
 * @tha:	target MAC (ignored for a request)
 * @tip:	target address
 *
 * Return: the frame's length (42)
 */
size_t nf_arp(uint8_t *buf, uint16_t op, const uint8_t sha[6], uint32_t sip,
	      const uint8_t tha[6], uint32_t tip)
{
	static const uint8_t zero[6];
	uint8_t *p = eth(buf, op == 1 ? nf_broadcast : tha, sha, NF_ETH_ARP);

	put16(p, 1);
	put16(p + 2, NF_ETH_IPV4);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, op);
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, &sip, 4);
	memcpy(p + 18, op == 1 ? zero : tha, 6);
	memcpy(p + 24, &tip, 4);
	return ETH_HLEN + 28;
}

/**
 * nf_udp() - build an IPv4 UDP datagram
 * @buf:	the frame
 * @smac:	source MAC
 * @dmac:	destination MAC
 * @sip:	source address
 * @dip:	destination address
 * @sport:	source port
 * @dport:	destination port
 * @payload:	data
 * @plen:	its length
 *
 * Return: the frame's length
 */
size_t nf_udp(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
	      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
	      const void *payload, size_t plen)
{
	uint8_t *u = ipv4(eth(buf, dmac, smac, NF_ETH_IPV4), sip, dip,
			  NF_PROTO_UDP, UDP_HLEN + plen);
	uint16_t c;

	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (uint16_t)(UDP_HLEN + plen));
	put16(u + 6, 0);
	if (plen)
		memcpy(u + UDP_HLEN, payload, plen);
	c = nf_csum(u, UDP_HLEN + plen,
		    pseudo_sum(sip, dip, NF_PROTO_UDP, UDP_HLEN + plen));
	put16(u + 6, c ? c : 0xffff);
	return (size_t)(u - buf) + UDP_HLEN + plen;
}

/**
 * nf_icmp_echo() - build an ICMP echo request
 * @buf:	the frame
 * @smac:	source MAC
 * @dmac:	destination MAC
 * @sip:	source address
 * @dip:	destination address
 * @id:		identifier
 * @seq:	sequence number
 * @payload:	data
 * @plen:	its length
 *
 * Return: the frame's length
 */
size_t nf_icmp_echo(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
		    uint32_t sip, uint32_t dip, uint16_t id, uint16_t seq,
		    const void *payload, size_t plen)
{
	uint8_t *c = ipv4(eth(buf, dmac, smac, NF_ETH_IPV4), sip, dip,
			  NF_PROTO_ICMP, ICMP_HLEN + plen);

	c[0] = 8;
	c[1] = 0;
	put16(c + 2, 0);
	put16(c + 4, id);
	put16(c + 6, seq);
	if (plen)
		memcpy(c + ICMP_HLEN, payload, plen);
	put16(c + 2, nf_csum(c, ICMP_HLEN + plen, 0));
	return (size_t)(c - buf) + ICMP_HLEN + plen;
}

/**
 * nf_tcp() - build an IPv4 TCP segment (no options)
 * @buf:	the frame
 * @smac:	source MAC
 * @dmac:	destination MAC
 * @sip:	source address
 * @dip:	destination address
 * @sport:	source port
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @flags:	NF_TCP_* flags
 * @win:	window
 * @payload:	data
 * @plen:	its length
 *
 * Return: the frame's length
 */
size_t nf_tcp(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
	      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
	      uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
	      const void *payload, size_t plen)
{
	uint8_t *t = ipv4(eth(buf, dmac, smac, NF_ETH_IPV4), sip, dip,
			  NF_PROTO_TCP, TCP_HLEN + plen);

	memset(t, 0, TCP_HLEN);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (TCP_HLEN / 4) << 4;
	t[13] = flags;
	put16(t + 14, win);
	if (plen)
		memcpy(t + TCP_HLEN, payload, plen);
	put16(t + 16,
	      nf_csum(t, TCP_HLEN + plen,
		      pseudo_sum(sip, dip, NF_PROTO_TCP, TCP_HLEN + plen)));
	return (size_t)(t - buf) + TCP_HLEN + plen;
}

/**
 * parse_l4() - parse the transport header of an IPv4 packet
 * @p:		gets the fields
 * @l4:		transport header
 * @len:	bytes from @l4 to the end of the IPv4 payload
 *
 * Return: 0, or -1 when it is short
 */
static int parse_l4(struct nf_pkt *p, const uint8_t *l4, size_t len)
{
	uint32_t ps = pseudo_sum(p->ip_src, p->ip_dst, p->ip_proto, len);
	size_t hl;

	switch (p->ip_proto) {
	case NF_PROTO_UDP:
		if (len < UDP_HLEN || get16(l4 + 4) < UDP_HLEN ||
		    get16(l4 + 4) > len)
			return -1;
		len = get16(l4 + 4);
		p->sport = get16(l4);
		p->dport = get16(l4 + 2);
		p->l4_csum_ok = get16(l4 + 6) == 0 ||
				nf_csum(l4, len,
					pseudo_sum(p->ip_src, p->ip_dst,
						   NF_PROTO_UDP, len)) == 0;
		p->payload = l4 + UDP_HLEN;
		p->plen = len - UDP_HLEN;
		return 0;
	case NF_PROTO_TCP:
		if (len < TCP_HLEN)
			return -1;
		hl = (size_t)(l4[12] >> 4) * 4;
		if (hl < TCP_HLEN || hl > len)
			return -1;
		p->sport = get16(l4);
		p->dport = get16(l4 + 2);
		p->tcp_seq = get32(l4 + 4);
		p->tcp_ack = get32(l4 + 8);
		p->tcp_flags = l4[13];
		p->tcp_win = get16(l4 + 14);
		p->l4_csum_ok = nf_csum(l4, len, ps) == 0;
		p->payload = l4 + hl;
		p->plen = len - hl;
		return 0;
	case NF_PROTO_ICMP:
		if (len < ICMP_HLEN)
			return -1;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->icmp_id = get16(l4 + 4);
		p->icmp_seq = get16(l4 + 6);
		p->l4_csum_ok = nf_csum(l4, len, 0) == 0;
		p->payload = l4 + ICMP_HLEN;
		p->plen = len - ICMP_HLEN;
		return 0;
	default:
		p->payload = l4;
		p->plen = len;
		return 0;
	}
}

/**
 * nf_parse() - parse an Ethernet frame
 * @frame:	the frame
 * @len:	its length
 * @p:		gets what was found (zeroed first)
 *
 * Return: 0, or -1 when a header is short or inconsistent
 */
int nf_parse(const uint8_t *frame, size_t len, struct nf_pkt *p)
{
	const uint8_t *ip;
	size_t hl, tot;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return -1;
	memcpy(p->dst, frame, 6);
	memcpy(p->src, frame + 6, 6);
	p->ethertype = get16(frame + 12);
	frame += ETH_HLEN;
	len -= ETH_HLEN;

	if (p->ethertype == NF_ETH_ARP) {
		if (len < 28 || get16(frame) != 1 ||
		    get16(frame + 2) != NF_ETH_IPV4 || frame[4] != 6 ||
		    frame[5] != 4)
			return -1;
		p->arp_op = get16(frame + 6);
		memcpy(p->arp_sha, frame + 8, 6);
		memcpy(&p->arp_sip, frame + 14, 4);
		memcpy(p->arp_tha, frame + 18, 6);
		memcpy(&p->arp_tip, frame + 24, 4);
		return 0;
	}
	if (p->ethertype != NF_ETH_IPV4) {
		p->payload = frame;
		p->plen = len;
		return 0;
	}
	ip = frame;
	if (len < IP_HLEN || (ip[0] >> 4) != 4)
		return -1;
	hl = (size_t)(ip[0] & 0xf) * 4;
	tot = get16(ip + 2);
	if (hl < IP_HLEN || tot < hl || tot > len)
		return -1;
	p->ip_proto = ip[9];
	memcpy(&p->ip_src, ip + 12, 4);
	memcpy(&p->ip_dst, ip + 16, 4);
	p->ip_csum_ok = nf_csum(ip, hl, 0) == 0;
	return parse_l4(p, ip + hl, tot - hl);
}
