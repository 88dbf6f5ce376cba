/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dns.c - DNS messages: parse queries and answers, compare and print
 *	   names, build an error reply (pure)
 *
 * Theory of operation: sqn_dns_parse() checks the header, walks every
 * question and every answer record (the first SQN_DNS_MAX_RR of them are
 * kept as offsets), and leaves the authority and additional sections
 * alone: the egress policy needs the question and the answers only.
 *
 * Names are read label by label through struct name_it. A compression
 * pointer must point to the message body (past the header) and strictly
 * before the start of the piece of name being read, so each jump goes
 * further back than the last and a name cannot loop; a name is at most
 * 255 bytes in wire form, expanded (RFC 1035 3.1). Label types other than
 * plain labels and pointers (0x40, 0x80: extended labels, never deployed)
 * are refused.
 *
 * Messages come from a guest (queries) and from resolvers (answers);
 * anything malformed is -EINVAL, and nothing here reads outside the buffer
 * it was given (fuzz/fuzz_dns.c).
 */
#include <errno.h>
#include <string.h>

#include "be.h"
#include "dns.h"

/* longest name in wire form, labels, lengths and the root included */
#define NAME_WIRE_MAX 255

/**
 * struct name_it - a cursor over a name's labels
 * @buf:	the message
 * @len:	its length
 * @pos:	next byte to read
 * @limit:	a pointer must point below this
 * @wire:	wire bytes of the name so far
 */
struct name_it {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	size_t limit;
	unsigned wire;
};

/**
 * name_start() - a cursor at a name
 * @it:		filled
 * @buf:	the message
 * @len:	its length
 * @off:	the name's offset
 */
static void name_start(struct name_it *it, const uint8_t *buf, size_t len,
		       size_t off)
{
	it->buf = buf;
	it->len = len;
	it->pos = off;
	it->limit = off;
	it->wire = 0;
}

/**
 * name_next() - the next label of a name, following pointers
 * @it:		the cursor
 * @lab:	gets the label's first byte
 *
 * Return: the label's length (1..63), 0 at the end of the name, or
 * -EINVAL (past the message, a pointer that does not point back, an
 * unknown label type, a name longer than 255 bytes)
 */
static int name_next(struct name_it *it, const uint8_t **lab)
{
	for (;;) {
		uint8_t c;

		if (it->pos >= it->len)
			return -EINVAL;
		c = it->buf[it->pos];
		if ((c & 0xc0) == 0xc0) {
			size_t to;

			if (it->pos + 1 >= it->len)
				return -EINVAL;
			to = (size_t)(c & 0x3f) << 8 | it->buf[it->pos + 1];
			if (to < SQN_DNS_HLEN || to >= it->limit)
				return -EINVAL;
			it->pos = to;
			it->limit = to;
			continue;
		}
		if (c & 0xc0)
			return -EINVAL;
		it->wire += 1u + c;
		/* a label must leave room for the root's byte */
		if (it->wire + (c ? 1u : 0u) > NAME_WIRE_MAX ||
		    it->pos + 1 + c > it->len)
			return -EINVAL;
		*lab = it->buf + it->pos + 1;
		it->pos += 1u + c;
		return c;
	}
}

/**
 * sqn_dns_name_skip() - check a name and find what follows it in place
 * @buf:	the message
 * @len:	its length
 * @off:	the name's offset
 *
 * Return: the offset just past the name as it lies at @off (after its
 * root label or its first pointer), or -EINVAL for a malformed name
 */
int sqn_dns_name_skip(const uint8_t *buf, size_t len, size_t off)
{
	struct name_it it;
	const uint8_t *lab;
	size_t end = 0;
	int n;

	name_start(&it, buf, len, off);
	do {
		size_t at = it.pos;

		n = name_next(&it, &lab);
		if (n < 0)
			return n;
		if (!end && it.pos != at + 1u + (unsigned)n)
			end = at + 2; /* a pointer ended the in-place part */
	} while (n);
	return (int)(end ? end : it.pos);
}

/**
 * name_char_ok() - whether a byte may appear in a host name label here
 * @c:	the byte, lower case
 *
 * Letters, digits, hyphen, and underscore (service labels such as
 * _https._tcp).
 *
 * Return: true if it may
 */
static bool name_char_ok(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/**
 * lower() - ASCII lower case
 * @c:	a byte
 *
 * Return: @c, lower case if it is an upper-case letter
 */
static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/**
 * sqn_dns_name_text() - a name as lower-case text, labels joined by dots
 * @buf:	the message
 * @len:	its length
 * @off:	the name's offset
 * @out:	the text, NUL-terminated, no trailing dot ("" for the root)
 * @cap:	its size, at least SQN_DNS_NAME_MAX + 1 for any valid name
 *
 * Return: the text's length, -EINVAL for a malformed name, -EILSEQ for a
 * label holding a byte other than a letter, digit, '-' or '_' (such a name
 * cannot be matched against host rules), -ENOSPC when @cap is too small
 * (@out then holds the labels that fit, terminated)
 */
int sqn_dns_name_text(const uint8_t *buf, size_t len, size_t off, char *out,
		      size_t cap)
{
	struct name_it it;
	const uint8_t *lab;
	size_t o = 0;
	int n, bad = 0;

	if (!cap)
		return -ENOSPC;
	name_start(&it, buf, len, off);
	while ((n = name_next(&it, &lab)) > 0) {
		int i;

		if (o + (o ? 1 : 0) + (size_t)n >= cap) {
			out[o] = '\0';
			return -ENOSPC;
		}
		if (o)
			out[o++] = '.';
		for (i = 0; i < n; i++) {
			uint8_t c = lower(lab[i]);

			bad |= !name_char_ok(c);
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	if (n < 0)
		return n;
	return bad ? -EILSEQ : (int)o;
}

/**
 * sqn_dns_name_eq() - whether two names in one message are the same,
 *		       ignoring ASCII case (RFC 4343)
 * @buf:	the message
 * @len:	its length
 * @a:		offset of one name
 * @b:		offset of the other
 *
 * Return: true if both are well formed and equal
 */
bool sqn_dns_name_eq(const uint8_t *buf, size_t len, size_t a, size_t b)
{
	struct name_it ia, ib;
	const uint8_t *la, *lb;
	int na, nb;

	name_start(&ia, buf, len, a);
	name_start(&ib, buf, len, b);
	do {
		int i;

		na = name_next(&ia, &la);
		nb = name_next(&ib, &lb);
		if (na < 0 || na != nb)
			return false;
		for (i = 0; i < na; i++)
			if (lower(la[i]) != lower(lb[i]))
				return false;
	} while (na);
	return true;
}

/**
 * parse_questions() - walk the question section, keep the first question
 * @m:		the message, header read
 * @off:	the section's offset
 *
 * Return: offset past the section, or -EINVAL
 */
static int parse_questions(struct sqn_dns_msg *m, size_t off)
{
	unsigned i;

	for (i = 0; i < m->qdcount; i++) {
		int end = sqn_dns_name_skip(m->buf, m->len, off);

		if (end < 0 || (size_t)end + 4 > m->len)
			return -EINVAL;
		if (!i) {
			m->qname = (uint16_t)off;
			m->qtype = sqn_get16(m->buf + end);
			m->qclass = sqn_get16(m->buf + end + 2);
			m->qend = (uint16_t)(end + 4);
		}
		off = (size_t)end + 4;
	}
	return (int)off;
}

/**
 * parse_answers() - walk the answer section, keep its first records
 * @m:		the message, questions read
 * @off:	the section's offset
 *
 * A truncated answer (TC set) may stop short of its count: the records
 * that are complete are kept.
 *
 * Return: 0, or -EINVAL
 */
static int parse_answers(struct sqn_dns_msg *m, size_t off)
{
	unsigned i;

	for (i = 0; i < m->ancount; i++) {
		int end = sqn_dns_name_skip(m->buf, m->len, off);
		uint16_t rdlen;
		size_t e;

		if (end < 0 || (size_t)end + 10 > m->len)
			break;
		e = (size_t)end;
		rdlen = sqn_get16(m->buf + e + 8);
		if (e + 10 + rdlen > m->len)
			break;
		if (m->n_an < SQN_DNS_MAX_RR) {
			struct sqn_dns_rr *rr = &m->an[m->n_an++];
			uint32_t ttl = (uint32_t)sqn_get16(m->buf + e + 4)
					       << 16 |
				       sqn_get16(m->buf + e + 6);

			rr->name = (uint16_t)off;
			rr->type = sqn_get16(m->buf + e);
			rr->class = sqn_get16(m->buf + e + 2);
			rr->ttl = ttl & 0x80000000u ? 0 : ttl;
			rr->rdata = (uint16_t)(e + 10);
			rr->rdlen = rdlen;
		}
		off = e + 10 + rdlen;
	}
	if (i < m->ancount && !(m->flags & SQN_DNS_TC))
		return -EINVAL;
	return 0;
}

/**
 * sqn_dns_parse() - parse a DNS message's header, questions and answers
 * @m:		filled; offsets are into @buf
 * @buf:	the message (for TCP, without its 2-byte length)
 * @len:	its length, at most SQN_DNS_MAX_MSG
 *
 * Return: 0, or -EINVAL for a message that is malformed: shorter than its
 * header, a question or answer record running past the end (an answer
 * section cut short is accepted when the truncation flag is set), a
 * malformed name
 */
int sqn_dns_parse(struct sqn_dns_msg *m, const uint8_t *buf, size_t len)
{
	int off;

	memset(m, 0, offsetof(struct sqn_dns_msg, an));
	if (len < SQN_DNS_HLEN || len > SQN_DNS_MAX_MSG)
		return -EINVAL;
	m->buf = buf;
	m->len = (uint16_t)len;
	m->id = sqn_get16(buf);
	m->flags = sqn_get16(buf + 2);
	m->qdcount = sqn_get16(buf + 4);
	m->ancount = sqn_get16(buf + 6);
	m->nscount = sqn_get16(buf + 8);
	m->arcount = sqn_get16(buf + 10);
	off = parse_questions(m, SQN_DNS_HLEN);
	if (off < 0)
		return off;
	return parse_answers(m, (size_t)off);
}

/**
 * sqn_dns_reply_error() - build the error reply to a query: its header
 *			   and question, no records
 * @q:		the query (parsed, one question)
 * @rcode:	the response code (SQN_DNS_NXDOMAIN, SQN_DNS_REFUSED ...)
 * @out:	the reply
 * @cap:	its size, SQN_DNS_REPLY_MAX is always enough
 *
 * The reply keeps the query's id, opcode, RD flag and question, sets QR
 * and RA. It carries no SOA record, so resolvers do not cache the answer
 * (RFC 2308 5): a name allowed later resolves at once.
 *
 * Return: the reply's length, or -EINVAL when @q has no question or
 * @cap is too small
 */
int sqn_dns_reply_error(const struct sqn_dns_msg *q, unsigned rcode,
			uint8_t *out, size_t cap)
{
	uint16_t flags;
	size_t qlen;

	if (!q->qdcount || q->qend <= SQN_DNS_HLEN)
		return -EINVAL;
	qlen = (size_t)q->qend - SQN_DNS_HLEN;
	if (cap < SQN_DNS_HLEN + qlen)
		return -EINVAL;
	flags = (uint16_t)(SQN_DNS_QR | (q->flags & (0x7800 | SQN_DNS_RD)) |
			   SQN_DNS_RA | (rcode & 0xf));
	out[0] = (uint8_t)(q->id >> 8);
	out[1] = (uint8_t)q->id;
	out[2] = (uint8_t)(flags >> 8);
	out[3] = (uint8_t)flags;
	memset(out + 4, 0, 8);
	out[5] = 1; /* one question */
	memcpy(out + SQN_DNS_HLEN, q->buf + SQN_DNS_HLEN, qlen);
	return (int)(SQN_DNS_HLEN + qlen);
}
