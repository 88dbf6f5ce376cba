/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_dns.c - the DNS message parser on any bytes
 *
 * Input: a DNS message (the first byte also sizes a name buffer). Properties:
 *  - every record kept lies inside the message: owner before its data,
 *    data within the message; no more records than SQN_DNS_MAX_RR or the
 *    count;
 *  - every name read as text is lower case, at most 253 characters, of
 *    letters, digits, '-', '_' and dots, never with an empty label, and
 *    its length is what the call returned; a buffer too small gets
 *    -ENOSPC and a terminated string, never an overflow;
 *  - a well-formed name equals itself (sqn_dns_name_eq);
 *  - a message with a question gets an error reply that parses again
 *    with the same id, the question byte for byte, QR and the rcode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * check_text() - a name's text form
 * @buf:	the message
 * @len:	its length
 * @off:	the name's offset
 * @cap:	the buffer size to try
 */
static void check_text(const uint8_t *buf, size_t len, size_t off, size_t cap)
{
	char *s = malloc(cap + 1), full[SQN_DNS_NAME_MAX + 1];
	int n, m;
	size_t i;

	FZ_REQUIRE(s);
	s[cap] = 'Z'; /* the canary past @cap */
	n = sqn_dns_name_text(buf, len, off, s, cap);
	FZ_REQUIRE(s[cap] == 'Z');
	m = sqn_dns_name_text(buf, len, off, full, sizeof(full));
	FZ_REQUIRE(m != -ENOSPC); /* a valid name always fits 254 bytes */
	if (m >= 0) {
		FZ_REQUIRE((size_t)m == strlen(full) && m <= SQN_DNS_NAME_MAX);
		for (i = 0; i < (size_t)m; i++) {
			char c = full[i];

			FZ_REQUIRE((c >= 'a' && c <= 'z') ||
				   (c >= '0' && c <= '9') || c == '-' ||
				   c == '_' || c == '.');
			FZ_REQUIRE(c != '.' || (i && full[i - 1] != '.' &&
						i + 1 < (size_t)m));
		}
		FZ_REQUIRE(n == m || n == -ENOSPC);
		FZ_REQUIRE(sqn_dns_name_eq(buf, len, off, off));
	}
	if (m == -EINVAL)
		FZ_REQUIRE(!sqn_dns_name_eq(buf, len, off, off) &&
			   sqn_dns_name_skip(buf, len, off) == -EINVAL);
	if (n >= 0 || n == -ENOSPC)
		FZ_REQUIRE(cap == 0 || memchr(s, '\0', cap));
	free(s);
}

/**
 * check_reply() - the error reply to a message with a question
 * @q:	the parsed message
 */
static void check_reply(const struct sqn_dns_msg *q)
{
	uint8_t r[SQN_DNS_REPLY_MAX];
	struct sqn_dns_msg *m = malloc(sizeof(*m));
	int n = sqn_dns_reply_error(q, SQN_DNS_NXDOMAIN, r, sizeof(r));

	FZ_REQUIRE(m);
	FZ_REQUIRE(n > SQN_DNS_HLEN && n == q->qend);
	FZ_REQUIRE(sqn_dns_parse(m, r, (size_t)n) == 0);
	FZ_REQUIRE(m->id == q->id && (m->flags & SQN_DNS_QR) &&
		   sqn_dns_rcode(m) == SQN_DNS_NXDOMAIN && m->qdcount == 1 &&
		   !m->ancount && !m->nscount && !m->arcount);
	FZ_REQUIRE(!memcmp(r + SQN_DNS_HLEN, q->buf + SQN_DNS_HLEN,
			   (size_t)n - SQN_DNS_HLEN));
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sqn_dns_msg *m = malloc(sizeof(*m));
	size_t cap = size ? data[0] % 64 : 0;
	unsigned i;

	FZ_REQUIRE(m);
	if (sqn_dns_parse(m, data, size)) {
		free(m);
		return 0;
	}
	FZ_REQUIRE(m->n_an <= SQN_DNS_MAX_RR && m->n_an <= m->ancount);
	for (i = 0; i < m->n_an; i++) {
		const struct sqn_dns_rr *rr = &m->an[i];
		int end = sqn_dns_name_skip(data, size, rr->name);

		FZ_REQUIRE(end > 0 && (size_t)end + 10 == rr->rdata);
		FZ_REQUIRE((size_t)rr->rdata + rr->rdlen <= size);
		FZ_REQUIRE(!(rr->ttl & 0x80000000u));
		check_text(data, size, rr->name, cap);
		if (rr->type == SQN_DNS_CNAME)
			check_text(data, size, rr->rdata, SQN_DNS_NAME_MAX + 1);
	}
	if (m->qdcount) {
		FZ_REQUIRE(m->qname == SQN_DNS_HLEN && m->qend <= size);
		check_text(data, size, m->qname, cap);
		check_reply(m);
	}
	free(m);
	return 0;
}
