/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pframe.c - test frames for the egress policy, and a strict reader that
 *	      verifies their checksums (see pframe.h)
 */
#include <string.h>

#include "be.h"
#include "netframes.h"
#include "pframe.h"

#define ETH_HLEN 14

const uint8_t pf_guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
const uint8_t pf_gw_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

/**
 * alen() - an address family's length
 * @family:	4 or 6
 *
 * Return: 4 or 16
 */
static size_t alen(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/**
 * pseudo() - the pseudo header's partial sum
 * @src:	source
 * @dst:	destination
 * @proto:	upper-layer protocol
 * @len:	upper-layer length
 *
 * Return: the sum, for nf_csum()
 */
static uint32_t pseudo(struct pf_addr src, struct pf_addr dst, uint8_t proto,
		       size_t len)
{
	uint32_t s = proto + (uint32_t)len;
	size_t i;

	for (i = 0; i < alen(src.family); i += 2)
		s += sqn_get16(src.a + i) + sqn_get16(dst.a + i);
	return s;
}

/**
 * pf_addr_eq() - whether two addresses are equal
 * @a:	one
 * @b:	the other
 *
 * Return: true if they are
 */
bool pf_addr_eq(struct pf_addr a, struct pf_addr b)
{
	return a.family == b.family && !memcmp(a.a, b.a, alen(a.family));
}

/**
 * pf_ip() - a frame from the guest to the gateway's MAC around an
 *	     upper-layer message, its checksum filled in
 * @buf:	the frame
 * @src:	source address
 * @dst:	destination address (same family)
 * @proto:	6, 17, 1 or 58 get their checksum; others are copied as is
 * @l4:		the message, checksum field zero
 * @l4len:	its length
 *
 * Return: the frame's length
 */
size_t pf_ip(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	     uint8_t proto, const void *l4, size_t l4len)
{
	bool v4 = src.family == 4;
	size_t hl = v4 ? 20 : 40, at = 0;
	uint8_t *ip = buf + ETH_HLEN, *t = ip + hl;
	uint16_t c;

	memcpy(buf, pf_gw_mac, 6);
	memcpy(buf + 6, pf_guest_mac, 6);
	sqn_put16(buf + 12, v4 ? 0x0800 : 0x86dd);
	memset(ip, 0, hl);
	if (v4) {
		ip[0] = 0x45;
		sqn_put16(ip + 2, (uint32_t)(hl + l4len));
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, src.a, 4);
		memcpy(ip + 16, dst.a, 4);
		sqn_put16(ip + 10, nf_csum(ip, 20, 0));
	} else {
		ip[0] = 0x60;
		sqn_put16(ip + 4, (uint32_t)l4len);
		ip[6] = proto;
		ip[7] = 64;
		memcpy(ip + 8, src.a, 16);
		memcpy(ip + 24, dst.a, 16);
	}
	memcpy(t, l4, l4len);
	if (proto == 6)
		at = 16;
	else if (proto == 17)
		at = 6;
	else if (proto == 1 || proto == 58)
		at = 2;
	if (at) {
		c = nf_csum(t, l4len,
			    proto == 1 ? 0 : pseudo(src, dst, proto, l4len));
		sqn_put16(t + at, proto == 17 && !c ? 0xffff : c);
	}
	return ETH_HLEN + hl + l4len;
}

/**
 * pf_tcp() - a TCP segment from the guest
 * @buf:	the frame
 * @src:	source address
 * @dst:	destination address
 * @sport:	source port
 * @dport:	destination port
 * @seq:	sequence number
 * @ack:	acknowledgement number
 * @flags:	flags
 * @payload:	data
 * @plen:	its length
 *
 * Return: the frame's length
 */
size_t pf_tcp(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	      uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	      uint8_t flags, const void *payload, size_t plen)
{
	uint8_t t[PF_BUF];

	memset(t, 0, 20);
	sqn_put16(t, sport);
	sqn_put16(t + 2, dport);
	sqn_put32(t + 4, seq);
	sqn_put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	sqn_put16(t + 14, 65535);
	if (plen)
		memcpy(t + 20, payload, plen);
	return pf_ip(buf, src, dst, 6, t, 20 + plen);
}

/**
 * pf_udp() - a UDP datagram from the guest
 * @buf:	the frame
 * @src:	source address
 * @dst:	destination address
 * @sport:	source port
 * @dport:	destination port
 * @payload:	data
 * @plen:	its length
 *
 * Return: the frame's length
 */
size_t pf_udp(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	      uint16_t sport, uint16_t dport, const void *payload, size_t plen)
{
	uint8_t u[PF_BUF];

	sqn_put16(u, sport);
	sqn_put16(u + 2, dport);
	sqn_put16(u + 4, (uint32_t)(8 + plen));
	sqn_put16(u + 6, 0);
	if (plen)
		memcpy(u + 8, payload, plen);
	return pf_ip(buf, src, dst, 17, u, 8 + plen);
}

/**
 * pf_ping() - an ICMP or ICMPv6 echo request with 8 bytes of data
 * @buf:	the frame
 * @src:	source address
 * @dst:	destination address
 * @id:		identifier
 * @seq:	sequence number
 *
 * Return: the frame's length
 */
size_t pf_ping(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	       uint16_t id, uint16_t seq)
{
	uint8_t m[16] = {src.family == 4 ? 8 : 128,
			 0,
			 0,
			 0,
			 0,
			 0,
			 0,
			 0,
			 'p',
			 'o',
			 'l',
			 'i',
			 'c',
			 'y',
			 '!',
			 '\n'};

	sqn_put16(m + 4, id);
	sqn_put16(m + 6, seq);
	return pf_ip(buf, src, dst, src.family == 4 ? 1 : 58, m, sizeof(m));
}

/**
 * read_l4() - the upper-layer header of a frame, checksum verified
 * @p:		filled
 * @t:		the header
 * @len:	bytes from it to the end of the packet
 *
 * Return: 0, or -1 when it is short
 */
static int read_l4(struct pf_pkt *p, const uint8_t *t, size_t len)
{
	size_t hl = p->proto == 6 ? (size_t)(t[12] >> 4) * 4 : 8;
	uint32_t ps = p->proto == 1 ? 0 : pseudo(p->src, p->dst, p->proto, len);

	if (len < 8 || (p->proto == 6 && (len < 20 || hl < 20 || hl > len)))
		return -1;
	if (p->proto == 17 && sqn_get16(t + 4) != len)
		return -1;
	p->csum_ok = p->csum_ok && nf_csum(t, len, ps) == 0;
	if (p->proto == 6 || p->proto == 17) {
		p->sport = sqn_get16(t);
		p->dport = sqn_get16(t + 2);
	}
	if (p->proto == 6) {
		p->seq = (uint32_t)sqn_get16(t + 4) << 16 | sqn_get16(t + 6);
		p->ack = (uint32_t)sqn_get16(t + 8) << 16 | sqn_get16(t + 10);
		p->flags = t[13];
	} else {
		p->type = t[0];
		p->code = t[1];
	}
	p->payload = t + hl;
	p->plen = len - hl;
	return 0;
}

/**
 * pf_read() - read a TCP, UDP, ICMP or ICMPv6 frame strictly, verifying
 *	       the IPv4 header checksum and the upper-layer checksum
 * @f:		the frame
 * @len:	its length
 * @p:		filled
 *
 * Return: 0, or -1 when the frame is short or its lengths disagree
 */
int pf_read(const uint8_t *f, size_t len, struct pf_pkt *p)
{
	const uint8_t *ip = f + ETH_HLEN;
	uint16_t type;
	size_t hl, tot;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN + 20)
		return -1;
	memcpy(p->dst_mac, f, 6);
	memcpy(p->src_mac, f + 6, 6);
	type = sqn_get16(f + 12);
	p->l3 = ip;
	p->csum_ok = true;
	if (type == 0x0800 && ip[0] == 0x45) {
		hl = 20;
		tot = sqn_get16(ip + 2);
		p->family = 4;
		p->proto = ip[9];
		p->ttl = ip[8];
		p->csum_ok = nf_csum(ip, 20, 0) == 0;
	} else if (type == 0x86dd && (ip[0] >> 4) == 6 &&
		   len >= ETH_HLEN + 40) {
		hl = 40;
		tot = 40u + sqn_get16(ip + 4);
		p->family = 6;
		p->proto = ip[6];
		p->ttl = ip[7];
	} else {
		return -1;
	}
	if (tot != len - ETH_HLEN || tot < hl)
		return -1;
	p->src.family = p->family;
	p->dst.family = p->family;
	memcpy(p->src.a, ip + (p->family == 4 ? 12 : 8), alen(p->family));
	memcpy(p->dst.a, ip + (p->family == 4 ? 16 : 24), alen(p->family));
	return read_l4(p, ip + hl, tot - hl);
}

/**
 * pf_dns_name() - a dotted name in DNS wire form
 * @out:	the name's bytes (at most 255)
 * @name:	"a.b.c", "" for the root
 *
 * Return: bytes written
 */
size_t pf_dns_name(uint8_t *out, const char *name)
{
	size_t o = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		out[o++] = (uint8_t)n;
		memcpy(out + o, name, n);
		o += n;
		name += n + (dot ? 1 : 0);
	}
	out[o++] = 0;
	return o;
}

/**
 * pf_dns_query() - a DNS query message (RD set, one question, class IN)
 * @buf:	the message
 * @id:		identifier
 * @name:	the name asked for
 * @qtype:	its type
 *
 * Return: the message's length
 */
size_t pf_dns_query(uint8_t *buf, uint16_t id, const char *name, uint16_t qtype)
{
	size_t o = 12;

	memset(buf, 0, 12);
	sqn_put16(buf, id);
	sqn_put16(buf + 2, 0x0100);
	sqn_put16(buf + 4, 1);
	o += pf_dns_name(buf + o, name);
	sqn_put16(buf + o, qtype);
	sqn_put16(buf + o + 2, 1);
	return o + 4;
}

/**
 * put_owner() - write a record's owner name, compressed when it equals
 *		 the question's name or an earlier CNAME target
 * @buf:	the message
 * @o:		where
 * @name:	the name
 * @qname:	the question's name (at offset 12)
 * @seen:	earlier CNAME targets
 * @seen_off:	their offsets
 * @n_seen:	how many
 *
 * Return: bytes written
 */
static size_t put_owner(uint8_t *buf, size_t o, const char *name,
			const char *qname, const char *const *seen,
			const size_t *seen_off, unsigned n_seen)
{
	unsigned i;

	if (!strcmp(name, qname)) {
		sqn_put16(buf + o, 0xc000 | 12);
		return 2;
	}
	for (i = 0; i < n_seen; i++) {
		if (!strcmp(name, seen[i])) {
			sqn_put16(buf + o, 0xc000 | (uint32_t)seen_off[i]);
			return 2;
		}
	}
	return pf_dns_name(buf + o, name);
}

/**
 * pf_dns_answer() - a DNS answer (QR, RD, RA, NOERROR) with records in
 *		     the answer section, owner names compressed where they
 *		     repeat the question or an earlier CNAME target
 * @buf:	the message
 * @id:		identifier
 * @qname:	the question's name
 * @qtype:	its type
 * @rr:		the records
 * @n:		how many (at most 16)
 *
 * Return: the message's length
 */
size_t pf_dns_answer(uint8_t *buf, uint16_t id, const char *qname,
		     uint16_t qtype, const struct pf_rr *rr, unsigned n)
{
	const char *seen[16];
	size_t seen_off[16], o = pf_dns_query(buf, id, qname, qtype);
	unsigned i, n_seen = 0;

	sqn_put16(buf + 2, 0x8180);
	sqn_put16(buf + 6, n);
	for (i = 0; i < n; i++) {
		size_t rd;

		o += put_owner(buf, o, rr[i].name, qname, seen, seen_off,
			       n_seen);
		sqn_put16(buf + o, rr[i].type);
		sqn_put16(buf + o + 2, 1);
		sqn_put32(buf + o + 4, rr[i].ttl);
		rd = o + 10;
		if (rr[i].type == 5) {
			seen[n_seen] = rr[i].target;
			seen_off[n_seen++] = rd;
			sqn_put16(buf + o + 8, (uint32_t)pf_dns_name(
						       buf + rd, rr[i].target));
		} else if (rr[i].type == 1 || rr[i].type == 28) {
			size_t l = alen(rr[i].addr.family);

			memcpy(buf + rd, rr[i].addr.a, l);
			sqn_put16(buf + o + 8, (uint32_t)l);
		} else {
			sqn_put16(buf + o + 8, 0);
		}
		o = rd + sqn_get16(buf + o + 8);
	}
	return o;
}

/**
 * pf_hello() - a TLS 1.3-style ClientHello record
 * @buf:	the record
 * @sni:	the server name, NULL for no server_name extension
 * @pad:	bytes of a padding extension put before server_name (to push
 *		the name into a later segment), 0 for none
 * @ech:	put an encrypted_client_hello extension first
 *
 * Return: the record's length
 */
size_t pf_hello(uint8_t *buf, const char *sni, size_t pad, bool ech)
{
	size_t o = 9, ext;

	buf[0] = 22;
	sqn_put16(buf + 1, 0x0301);
	buf[5] = 1;
	sqn_put16(buf + o, 0x0303);
	memset(buf + o + 2, 0xab, 32);
	o += 34;
	buf[o++] = 32;
	memset(buf + o, 0xcd, 32);
	o += 32;
	sqn_put16(buf + o, 4);
	sqn_put16(buf + o + 2, 0x1301);
	sqn_put16(buf + o + 4, 0x1302);
	o += 6;
	buf[o++] = 1;
	buf[o++] = 0;
	ext = o;
	o += 2;
	if (ech) {
		sqn_put16(buf + o, 0xfe0d);
		sqn_put16(buf + o + 2, 8);
		memset(buf + o + 4, 0x11, 8);
		o += 12;
	}
	if (pad) {
		sqn_put16(buf + o, 21);
		sqn_put16(buf + o + 2, (uint32_t)pad);
		memset(buf + o + 4, 0, pad);
		o += 4 + pad;
	}
	if (sni) {
		size_t n = strlen(sni);

		sqn_put16(buf + o, 0);
		sqn_put16(buf + o + 2, (uint32_t)(n + 5));
		sqn_put16(buf + o + 4, (uint32_t)(n + 3));
		buf[o + 6] = 0;
		sqn_put16(buf + o + 7, (uint32_t)n);
		memcpy(buf + o + 9, sni, n);
		o += 9 + n;
	}
	sqn_put16(buf + o, 43); /* supported_versions: TLS 1.3 */
	sqn_put16(buf + o + 2, 3);
	buf[o + 4] = 2;
	sqn_put16(buf + o + 5, 0x0304);
	o += 7;
	sqn_put16(buf + ext, (uint32_t)(o - ext - 2));
	sqn_put16(buf + 3, (uint32_t)(o - 5));
	buf[6] = (uint8_t)((o - 9) >> 16);
	sqn_put16(buf + 7, (uint32_t)(o - 9));
	return o;
}
