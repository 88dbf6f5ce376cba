/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns.h - DNS messages: parse queries and answers, compare and print
 *	   names, build an error reply (pure)
 *
 * RFC 1035 wire format. The parser never trusts the message: every
 * offset is checked, compression pointers must point backwards (so they
 * cannot loop) and a name is at most 255 bytes expanded. Offsets in the
 * parsed message are into the caller's buffer, which must outlive it.
 */
#ifndef SQN_DNS_H
#define SQN_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SQN_DNS_HLEN - the fixed header */
#define SQN_DNS_HLEN 12
/** SQN_DNS_MAX_MSG - longest message (TCP's 16-bit length prefix) */
#define SQN_DNS_MAX_MSG 65535
/** SQN_DNS_NAME_MAX - longest name as text, without the trailing dot */
#define SQN_DNS_NAME_MAX 253
/** SQN_DNS_MAX_RR - answer records looked at; later ones are ignored */
#define SQN_DNS_MAX_RR 64
/** SQN_DNS_REPLY_MAX - longest error reply: header and one question */
#define SQN_DNS_REPLY_MAX (SQN_DNS_HLEN + 255 + 4)

#define SQN_DNS_QR 0x8000
#define SQN_DNS_TC 0x0200
#define SQN_DNS_RD 0x0100
#define SQN_DNS_RA 0x0080

#define SQN_DNS_NOERROR 0
#define SQN_DNS_FORMERR 1
#define SQN_DNS_NXDOMAIN 3
#define SQN_DNS_REFUSED 5

#define SQN_DNS_A 1
#define SQN_DNS_CNAME 5
#define SQN_DNS_AAAA 28
#define SQN_DNS_IN 1

/**
 * struct sqn_dns_rr - one resource record of the answer section
 * @name:	offset of its owner name
 * @type:	RR type
 * @class:	class
 * @ttl:	time to live, seconds (values with the top bit set read as 0,
 *		RFC 2181 8)
 * @rdata:	offset of its data
 * @rdlen:	data length
 */
struct sqn_dns_rr {
	uint16_t name;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	uint16_t rdata;
	uint16_t rdlen;
};

/**
 * struct sqn_dns_msg - a parsed message
 * @buf:	the message
 * @len:	its length
 * @id:		identifier
 * @flags:	the flags word (QR, opcode, AA, TC, RD, RA, rcode)
 * @qdcount:	questions
 * @ancount:	answer records
 * @nscount:	authority records
 * @arcount:	additional records
 * @qname:	offset of the first question's name (0 when none)
 * @qtype:	its type
 * @qclass:	its class
 * @qend:	offset just past the first question
 * @n_an:	answer records parsed, at most SQN_DNS_MAX_RR
 * @an:		those records
 */
struct sqn_dns_msg {
	const uint8_t *buf;
	uint16_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t ancount;
	uint16_t nscount;
	uint16_t arcount;
	uint16_t qname;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t qend;
	unsigned n_an;
	struct sqn_dns_rr an[SQN_DNS_MAX_RR];
};

/**
 * sqn_dns_opcode() - a message's opcode
 * @m:	the message
 *
 * Return: 0 for a standard query
 */
static inline unsigned sqn_dns_opcode(const struct sqn_dns_msg *m)
{
	return (m->flags >> 11) & 0xf;
}

/**
 * sqn_dns_rcode() - a message's response code
 * @m:	the message
 *
 * Return: 0 (NOERROR), 3 (NXDOMAIN), ...
 */
static inline unsigned sqn_dns_rcode(const struct sqn_dns_msg *m)
{
	return m->flags & 0xf;
}

int sqn_dns_parse(struct sqn_dns_msg *m, const uint8_t *buf, size_t len);
int sqn_dns_name_skip(const uint8_t *buf, size_t len, size_t off);
int sqn_dns_name_text(const uint8_t *buf, size_t len, size_t off, char *out,
		      size_t cap);
bool sqn_dns_name_eq(const uint8_t *buf, size_t len, size_t a, size_t b);
int sqn_dns_reply_error(const struct sqn_dns_msg *q, unsigned rcode,
			uint8_t *out, size_t cap);

#endif /* SQN_DNS_H */
