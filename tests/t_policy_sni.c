/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_policy_sni.c - the TLS ClientHello server name parser: found, none,
 * ECH, every prefix of a hello (MORE until the name is whole, never a
 * wrong answer), not a hello, and malformed hellos
 */
#include <string.h>

#include "check.h"
#include "pframe.h"
#include "sni.h"

static uint8_t h[PF_BUF];
static char name[SQN_SNI_NAME_MAX + 1];
static bool ech;

/**
 * parse() - parse the first @n bytes of the shared hello
 * @n:	how many
 *
 * Return: the result
 */
static enum sqn_sni_result parse(size_t n)
{
	name[0] = '\0';
	return sqn_sni_parse(h, n, name, sizeof(name), &ech);
}

static void found(void)
{
	size_t n = pf_hello(h, "Example.COM.", 0, false);

	CHECK_EQ(parse(n), SQN_SNI_FOUND);
	CHECK(!strcmp(name, "example.com"));
	CHECK(!ech);
}

static void none(void)
{
	size_t n = pf_hello(h, NULL, 0, false);

	CHECK_EQ(parse(n), SQN_SNI_NONE);
	/* no extensions at all: the lengths end after the compression
	 * methods */
	{
		size_t body = 2 + 32 + 1 + 32 + 2 + 4 + 1 + 1;

		h[3] = (uint8_t)((body + 4) >> 8);
		h[4] = (uint8_t)(body + 4);
		h[6] = 0;
		h[7] = (uint8_t)(body >> 8);
		h[8] = (uint8_t)body;
		CHECK_EQ(parse(9 + body), SQN_SNI_NONE);
	}
}

static void with_ech(void)
{
	size_t n = pf_hello(h, "public.cdn.example", 0, true);

	CHECK_EQ(parse(n), SQN_SNI_FOUND);
	CHECK(!strcmp(name, "public.cdn.example"));
	CHECK(ech);
}

static void every_prefix(void)
{
	size_t n = pf_hello(h, "files.pythonhosted.org", 1500, false), i;
	size_t first_found = 0;

	for (i = 0; i <= n; i++) {
		enum sqn_sni_result r = parse(i);

		if (r == SQN_SNI_FOUND) {
			if (!first_found)
				first_found = i;
			CHECK(!strcmp(name, "files.pythonhosted.org"));
		} else {
			CHECK_EQ(r, SQN_SNI_MORE);
			CHECK(!first_found); /* never MORE after FOUND */
		}
	}
	/* the name is read as soon as its extension is whole: after the
	 * 1500-byte padding, before the last extension */
	CHECK(first_found > 1500);
	CHECK_EQ(first_found, n - 7);
}

static void not_hello(void)
{
	static const char http[] = "GET / HTTP/1.1\r\nHost: example.com\r\n";
	size_t n;

	memcpy(h, http, sizeof(http));
	CHECK_EQ(parse(sizeof(http) - 1), SQN_SNI_NOT_HELLO);
	CHECK_EQ(parse(1), SQN_SNI_NOT_HELLO);
	n = pf_hello(h, "example.com", 0, false);
	h[5] = 2; /* ServerHello */
	CHECK_EQ(parse(n), SQN_SNI_NOT_HELLO);
	h[5] = 1;
	h[1] = 2; /* SSL 2 style */
	CHECK_EQ(parse(n), SQN_SNI_NOT_HELLO);
	h[1] = 3;
	CHECK_EQ(parse(0), SQN_SNI_MORE);
	CHECK_EQ(parse(5), SQN_SNI_MORE);
}

static void malformed(void)
{
	size_t n = pf_hello(h, "example.com", 0, false), at;

	/* the handshake is longer than its record: spans records */
	h[4] -= 1;
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	h[4] += 1;
	/* a session id over 32 bytes */
	h[9 + 34] = 33;
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	h[9 + 34] = 32;
	ASSERT(parse(n) == SQN_SNI_FOUND);
	/* a name with a byte no host name has */
	at = n - 7 - strlen("example.com");
	h[at + 3] = '/';
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	h[at + 3] = 'm';
	/* an empty label */
	h[at + 7] = '.';
	h[at + 8] = '.';
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	/* two trailing dots: one is the root's, the other ends an empty label */
	n = pf_hello(h, "example..", 0, false);
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	n = pf_hello(h, "example.", 0, false);
	CHECK_EQ(parse(n), SQN_SNI_FOUND);
	/* the server_name list length disagreeing with the extension */
	n = pf_hello(h, "example.com", 0, false);
	h[at - 4] += 1;
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	/* an extension running past the extensions' end */
	n = pf_hello(h, "example.com", 0, false);
	h[at - 6] += 100;
	CHECK_EQ(parse(n), SQN_SNI_BAD);
	/* a zero-length record */
	n = pf_hello(h, "example.com", 0, false);
	h[3] = 0;
	h[4] = 0;
	CHECK_EQ(parse(n), SQN_SNI_BAD);
}

static const struct check_case cases[] = {
	CASE(found),	    CASE(none),	     CASE(with_ech),
	CASE(every_prefix), CASE(not_hello), CASE(malformed),
};

CHECK_MAIN(cases)
