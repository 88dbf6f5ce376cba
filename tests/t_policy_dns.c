/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_policy_dns.c - the DNS message parser (queries, answers, compression
 * and its loop and length bounds, truncation, TTLs, the error reply) and
 * the learnt-address table (index, age order, backward-shift deletion)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "dns.h"
#include "learn.h"
#include "pframe.h"

static uint8_t msg[PF_BUF];
static struct sqn_dns_msg m;

static void query_parsed(void)
{
	size_t n = pf_dns_query(msg, 0x1234, "PyPI.org", 28);
	char name[SQN_DNS_NAME_MAX + 1];

	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK_EQ(m.id, 0x1234);
	CHECK(!(m.flags & SQN_DNS_QR));
	CHECK_EQ(sqn_dns_opcode(&m), 0);
	CHECK_EQ(m.qdcount, 1);
	CHECK_EQ(m.qname, 12);
	CHECK_EQ(m.qtype, 28);
	CHECK_EQ(m.qclass, 1);
	CHECK_EQ(m.qend, n);
	CHECK_EQ(sqn_dns_name_text(msg, n, m.qname, name, sizeof(name)), 8);
	CHECK(!strcmp(name, "pypi.org"));
	CHECK_EQ(sqn_dns_name_skip(msg, n, 12), n - 4);
	/* every cut of the query fails cleanly */
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(sqn_dns_parse(&m, msg, i), -EINVAL);
}

static void answer_with_compression(void)
{
	const struct pf_rr rr[] = {
		{"files.pythonhosted.org", 5, 300, "a.fastly.net", {0}},
		{"a.fastly.net", 5, 30, "b.fastly.net", {0}},
		{"b.fastly.net", 1, 60, NULL, PF4(151, 101, 0, 223)},
		{"b.fastly.net", 28, 0x80000001u, NULL,
		 PF6(0x2a, 0x04, 0x02, 0x23)},
	};
	size_t n = pf_dns_answer(msg, 7, "files.pythonhosted.org", 1, rr, 4);
	char name[SQN_DNS_NAME_MAX + 1];

	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK(m.flags & SQN_DNS_QR);
	CHECK_EQ(sqn_dns_rcode(&m), 0);
	CHECK_EQ(m.ancount, 4);
	ASSERT(m.n_an == 4);
	/* the first owner is a pointer to the question */
	CHECK_EQ(msg[m.an[0].name], 0xc0);
	CHECK(sqn_dns_name_eq(msg, n, m.an[0].name, m.qname));
	CHECK_EQ(m.an[0].type, 5);
	CHECK_EQ(m.an[0].ttl, 300);
	/* the second owner points to the first record's target */
	CHECK(sqn_dns_name_eq(msg, n, m.an[1].name, m.an[0].rdata));
	CHECK(!sqn_dns_name_eq(msg, n, m.an[1].name, m.qname));
	CHECK(sqn_dns_name_eq(msg, n, m.an[2].name, m.an[1].rdata));
	CHECK_EQ(sqn_dns_name_text(msg, n, m.an[2].name, name, sizeof(name)),
		 12);
	CHECK(!strcmp(name, "b.fastly.net"));
	CHECK_EQ(m.an[2].rdlen, 4);
	CHECK(!memcmp(msg + m.an[2].rdata, (uint8_t[]){151, 101, 0, 223}, 4));
	CHECK_EQ(m.an[3].type, 28);
	CHECK_EQ(m.an[3].rdlen, 16);
	CHECK_EQ(m.an[3].ttl, 0); /* top bit set reads as 0 (RFC 2181) */
	/* every cut either fails or, never, reads past the cut */
	for (size_t i = 0; i < n; i++)
		CHECK_EQ(sqn_dns_parse(&m, msg, i), -EINVAL);
}

static void case_insensitive_names(void)
{
	uint8_t b[64] = {0};
	size_t o = 12, a, c;

	a = o;
	o += pf_dns_name(b + o, "WWW.Example.COM");
	c = o;
	o += pf_dns_name(b + o, "www.example.com");
	CHECK(sqn_dns_name_eq(b, o, a, c));
	b[c + 1] = 'x';
	CHECK(!sqn_dns_name_eq(b, o, a, c));
}

/**
 * put_ptr() - a compression pointer
 * @p:		where
 * @to:		its target
 */
static void put_ptr(uint8_t *p, unsigned to)
{
	p[0] = (uint8_t)(0xc0 | to >> 8);
	p[1] = (uint8_t)to;
}

static void compression_bounds(void)
{
	uint8_t b[600] = {0};
	char name[SQN_DNS_NAME_MAX + 1];
	size_t o;
	unsigned i;

	/* a pointer to itself, forward, into the header */
	put_ptr(b + 12, 12);
	CHECK_EQ(sqn_dns_name_skip(b, 14, 12), -EINVAL);
	put_ptr(b + 12, 20);
	b[20] = 0;
	CHECK_EQ(sqn_dns_name_skip(b, 21, 12), -EINVAL);
	put_ptr(b + 12, 4);
	CHECK_EQ(sqn_dns_name_skip(b, 14, 12), -EINVAL);
	/* a loop through two names: the second jump is not further back */
	b[12] = 1;
	b[13] = 'a';
	put_ptr(b + 14, 16);
	put_ptr(b + 16, 12);
	CHECK_EQ(sqn_dns_name_skip(b, 18, 16), -EINVAL);
	/* extended label types 0x40 and 0x80 */
	b[12] = 0x41;
	CHECK_EQ(sqn_dns_name_skip(b, 20, 12), -EINVAL);
	b[12] = 0x81;
	CHECK_EQ(sqn_dns_name_skip(b, 20, 12), -EINVAL);
	/* a chain of backward pointers each adding a label: fine up to 255
	 * bytes expanded, refused past it */
	memset(b, 0, sizeof(b));
	o = 12;
	b[o++] = 0; /* root at 12 */
	for (i = 0; i < 130; i++) {
		size_t at = o;

		b[o++] = 1;
		b[o++] = 'a';
		put_ptr(b + o, i ? (unsigned)(at - 4) : 12);
		o += 2;
	}
	/* the name at the last label has 130 labels: 130 * 2 + 1 bytes */
	CHECK_EQ(sqn_dns_name_skip(b, o, o - 4), -EINVAL);
	/* 127 labels: 255 bytes, the most there can be */
	CHECK_EQ(sqn_dns_name_skip(b, o, 12 + 1 + 126 * 4),
		 12 + 1 + 126 * 4 + 4);
	CHECK_EQ(sqn_dns_name_text(b, o, 12 + 1 + 126 * 4, name, sizeof(name)),
		 253);
	CHECK_EQ(sqn_dns_name_skip(b, o, 12 + 1 + 127 * 4), -EINVAL);
	/* the root name */
	CHECK_EQ(sqn_dns_name_text(b, o, 12, name, sizeof(name)), 0);
	CHECK(!strcmp(name, ""));
	CHECK_EQ(sqn_dns_name_text(b, o, 12 + 1 + 126 * 4, name, 10), -ENOSPC);
	/* four long labels: 63, 63, 63, 61 and the root are 255 bytes (253
	 * as text); one more byte in the last label leaves no room for the
	 * root (fuzz/regressions/dns/name_256_bytes) */
	memset(b, 0, sizeof(b));
	for (i = 0, o = 12; i < 4; i++) {
		unsigned n = i < 3 ? 63 : 62;

		b[o++] = (uint8_t)n;
		memset(b + o, 'x', n);
		o += n;
	}
	b[o++] = 0;
	CHECK_EQ(sqn_dns_name_skip(b, o, 12), -EINVAL);
	CHECK_EQ(sqn_dns_name_text(b, o, 12, name, sizeof(name)), -EINVAL);
	b[12 + 3 * 64] = 61;
	b[12 + 3 * 64 + 62] = 0;
	CHECK_EQ(sqn_dns_name_skip(b, o, 12), 12 + 255);
	CHECK_EQ(sqn_dns_name_text(b, o, 12, name, sizeof(name)), 253);
}

static void odd_bytes_in_names(void)
{
	char name[SQN_DNS_NAME_MAX + 1];
	size_t n = pf_dns_query(msg, 1, "a b.pypi.org", 1);

	ASSERT(sqn_dns_parse(&m, msg, n) == 0); /* valid DNS */
	CHECK_EQ(sqn_dns_name_text(msg, n, m.qname, name, sizeof(name)),
		 -EILSEQ);
	n = pf_dns_query(msg, 1, "_https._tcp.Example.org", 1);
	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK_EQ(sqn_dns_name_text(msg, n, m.qname, name, sizeof(name)), 23);
	CHECK(!strcmp(name, "_https._tcp.example.org"));
}

static void truncated_answers(void)
{
	const struct pf_rr rr[] = {
		{"pypi.org", 1, 60, NULL, PF4(151, 101, 0, 223)},
		{"pypi.org", 1, 60, NULL, PF4(151, 101, 64, 223)},
	};
	size_t n = pf_dns_answer(msg, 9, "pypi.org", 1, rr, 2);

	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK_EQ(m.n_an, 2);
	/* the count says 3: malformed without TC, the two kept with it */
	msg[7] = 3;
	CHECK_EQ(sqn_dns_parse(&m, msg, n), -EINVAL);
	msg[2] |= SQN_DNS_TC >> 8;
	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK_EQ(m.n_an, 2);
	/* and cut inside the second record: one kept */
	ASSERT(sqn_dns_parse(&m, msg, n - 2) == 0);
	CHECK_EQ(m.n_an, 1);
}

static void many_records(void)
{
	struct pf_rr rr[16];
	size_t n;
	unsigned i;

	for (i = 0; i < 16; i++)
		rr[i] = (struct pf_rr){"pypi.org", 1, i, NULL,
				       PF4(10, 0, 0, (uint8_t)i)};
	n = pf_dns_answer(msg, 3, "pypi.org", 1, rr, 16);
	/* repeat the 16 records to 80: only SQN_DNS_MAX_RR are kept */
	{
		size_t body, q;

		ASSERT(sqn_dns_parse(&m, msg, n) == 0);
		q = m.qend;
		body = n - q;
		for (i = 1; i < 5; i++)
			memcpy(msg + q + i * body, msg + q, body);
		n = q + 5 * body;
		msg[6] = 0;
		msg[7] = 80;
	}
	ASSERT(sqn_dns_parse(&m, msg, n) == 0);
	CHECK_EQ(m.ancount, 80);
	CHECK_EQ(m.n_an, SQN_DNS_MAX_RR);
	CHECK_EQ(m.an[63].ttl, 15);
}

static void error_reply(void)
{
	uint8_t r[SQN_DNS_REPLY_MAX];
	size_t n = pf_dns_query(msg, 0xbeef, "evil.example", 1);
	struct sqn_dns_msg q;
	int rl;

	ASSERT(sqn_dns_parse(&q, msg, n) == 0);
	rl = sqn_dns_reply_error(&q, SQN_DNS_NXDOMAIN, r, sizeof(r));
	ASSERT(rl == (int)n);
	ASSERT(sqn_dns_parse(&m, r, (size_t)rl) == 0);
	CHECK_EQ(m.id, 0xbeef);
	CHECK(m.flags & SQN_DNS_QR);
	CHECK(m.flags & SQN_DNS_RD); /* copied */
	CHECK(m.flags & SQN_DNS_RA);
	CHECK_EQ(sqn_dns_rcode(&m), SQN_DNS_NXDOMAIN);
	CHECK_EQ(m.qdcount, 1);
	CHECK_EQ(m.ancount + m.nscount + m.arcount, 0);
	CHECK(!memcmp(r + 12, msg + 12, n - 12)); /* the question */
	CHECK_EQ(sqn_dns_reply_error(&q, SQN_DNS_NXDOMAIN, r, n - 1), -EINVAL);
	q.qdcount = 0;
	CHECK_EQ(sqn_dns_reply_error(&q, SQN_DNS_NXDOMAIN, r, sizeof(r)),
		 -EINVAL);
}

/**
 * addr4() - an IPv4 learn-table key
 * @i:	a number spread over the last three bytes
 *
 * Return: the address
 */
static struct sqn_policy_addr addr4(unsigned i)
{
	struct sqn_policy_addr a = {.family = 4};

	a.a[0] = 10;
	a.a[1] = (uint8_t)(i >> 16);
	a.a[2] = (uint8_t)(i >> 8);
	a.a[3] = (uint8_t)i;
	return a;
}

static void learn_table(void)
{
	struct sqn_learn t;
	struct sqn_learn_entry *e;
	struct sqn_policy_addr a;
	unsigned i, n;

	CHECK_EQ(sqn_learn_init(&t, 0, 1), -EINVAL);
	ASSERT(sqn_learn_init(&t, 1000, 42) == 0);
	CHECK_EQ(t.mask + 1, 2048);
	for (i = 0; i < 1000; i++) {
		a = addr4(i);
		ASSERT(!sqn_learn_find(&t, &a));
		e = sqn_learn_add(&t, &a);
		ASSERT(e);
		snprintf(e->name, sizeof(e->name), "n%u", i);
	}
	a = addr4(5000);
	CHECK(!sqn_learn_add(&t, &a)); /* full */
	CHECK_EQ(t.n, 1000);
	/* the oldest is the first added; touching moves it to the head */
	e = sqn_learn_oldest(&t);
	ASSERT(e);
	CHECK(!strcmp(e->name, "n0"));
	sqn_learn_touch(&t, e);
	CHECK(!strcmp(sqn_learn_oldest(&t)->name, "n1"));
	/* delete every third: the rest still found (backward shift kept
	 * their probe runs whole) */
	for (i = 0; i < 1000; i += 3) {
		a = addr4(i);
		e = sqn_learn_find(&t, &a);
		ASSERT(e);
		sqn_learn_del(&t, e);
	}
	for (i = 0, n = 0; i < 1000; i++) {
		a = addr4(i);
		e = sqn_learn_find(&t, &a);
		if (i % 3 == 0) {
			CHECK(!e);
		} else {
			CHECK(e && !memcmp(e->addr.a, a.a, 4));
			n++;
		}
	}
	CHECK_EQ(t.n, n);
	/* the age list walks every entry once, oldest first */
	for (e = sqn_learn_oldest(&t), i = 0; e; e = sqn_learn_newer(&t, e))
		i++;
	CHECK_EQ(i, n);
	/* freed entries are reused */
	for (i = 0; i < 1000 - n; i++) {
		a = addr4(100000 + i);
		CHECK(sqn_learn_add(&t, &a) != NULL);
	}
	CHECK_EQ(t.n, 1000);
	/* an IPv6 address with the same first bytes is another key */
	a = addr4(1);
	a.family = 6;
	CHECK(!sqn_learn_find(&t, &a));
	sqn_learn_fini(&t);
	sqn_learn_fini(&t); /* twice is fine */
}

static const struct check_case cases[] = {
	CASE(query_parsed),
	CASE(answer_with_compression),
	CASE(case_insensitive_names),
	CASE(compression_bounds),
	CASE(odd_bytes_in_names),
	CASE(truncated_answers),
	CASE(many_records),
	CASE(error_reply),
	CASE(learn_table),
};

CHECK_MAIN(cases)
