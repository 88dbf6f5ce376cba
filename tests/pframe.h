/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pframe.h - test frames for the egress policy: IPv4 and IPv6 TCP, UDP and
 *	      ICMP frames, DNS queries and answers, TLS ClientHellos; and a
 *	      strict reader that verifies every checksum of a frame
 *
 * Test-only. Builders write into a caller's buffer of PF_BUF bytes and
 * return the length; checksums are computed with netframes.c's nf_csum(),
 * not with the library's code under test. Addresses are struct pf_addr
 * (family 4 or 6, bytes in network order); PF4() and PF6() make them.
 */
#ifndef SQN_PFRAME_H
#define SQN_PFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PF_BUF 9000

/**
 * struct pf_addr - an IPv4 or IPv6 address
 * @family:	4 or 6
 * @a:		the bytes (IPv4 in the first four)
 */
struct pf_addr {
	uint8_t family;
	uint8_t a[16];
};

/** PF4() - an IPv4 address */
#define PF4(x, y, z, w)                                                        \
	((struct pf_addr){.family = 4, .a = {(x), (y), (z), (w)}})
/** PF6() - an IPv6 address from its first two and last two bytes */
#define PF6(h0, h1, l0, l1)                                                    \
	((struct pf_addr){.family = 6,                                         \
			  .a = {(h0), (h1), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   \
				0, (l0), (l1)}})

extern const uint8_t pf_guest_mac[6];
extern const uint8_t pf_gw_mac[6];

/**
 * struct pf_pkt - what pf_read() found
 * @dst_mac:	Ethernet destination
 * @src_mac:	Ethernet source
 * @family:	4 or 6
 * @proto:	upper-layer protocol
 * @src:	source address
 * @dst:	destination address
 * @ttl:	IPv4 TTL or IPv6 hop limit
 * @csum_ok:	the IPv4 header checksum and the upper-layer checksum verify
 * @sport:	TCP/UDP source port
 * @dport:	TCP/UDP destination port
 * @flags:	TCP flags
 * @seq:	TCP sequence number
 * @ack:	TCP acknowledgement number
 * @type:	ICMP type
 * @code:	ICMP code
 * @l3:		the IP header, in the frame
 * @payload:	TCP/UDP payload, or ICMP data after the 8-byte header
 * @plen:	its length
 */
struct pf_pkt {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	uint8_t family;
	uint8_t proto;
	struct pf_addr src;
	struct pf_addr dst;
	uint8_t ttl;
	bool csum_ok;
	uint16_t sport;
	uint16_t dport;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	uint8_t type;
	uint8_t code;
	const uint8_t *l3;
	const uint8_t *payload;
	size_t plen;
};

/**
 * struct pf_rr - a record for pf_dns_answer()
 * @name:	owner name
 * @type:	1 (A), 5 (CNAME), 28 (AAAA), or another type (empty data)
 * @ttl:	TTL
 * @target:	CNAME target
 * @addr:	A or AAAA address
 */
struct pf_rr {
	const char *name;
	uint16_t type;
	uint32_t ttl;
	const char *target;
	struct pf_addr addr;
};

size_t pf_ip(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	     uint8_t proto, const void *l4, size_t l4len);
size_t pf_tcp(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	      uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	      uint8_t flags, const void *payload, size_t plen);
size_t pf_udp(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	      uint16_t sport, uint16_t dport, const void *payload, size_t plen);
size_t pf_ping(uint8_t *buf, struct pf_addr src, struct pf_addr dst,
	       uint16_t id, uint16_t seq);
int pf_read(const uint8_t *f, size_t len, struct pf_pkt *p);
bool pf_addr_eq(struct pf_addr a, struct pf_addr b);

size_t pf_dns_name(uint8_t *out, const char *name);
size_t pf_dns_query(uint8_t *buf, uint16_t id, const char *name,
		    uint16_t qtype);
size_t pf_dns_answer(uint8_t *buf, uint16_t id, const char *qname,
		     uint16_t qtype, const struct pf_rr *rr, unsigned n);
size_t pf_hello(uint8_t *buf, const char *sni, size_t pad, bool ech);

#endif /* SQN_PFRAME_H */
