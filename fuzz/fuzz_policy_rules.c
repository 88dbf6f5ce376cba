/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_policy_rules.c - the egress policy's rule parser on any text
 *
 * Input: a byte giving the message buffer's size (1..256), then lines,
 * each one rule ("allow-net=...", "deny-all", or anything at all).
 * Properties:
 *  - a refused rule leaves the set byte for byte as it was, with a
 *    message that is NUL-terminated within the buffer and not empty (for
 *    a buffer of two bytes or more);
 *  - the counts never pass their bounds;
 *  - the set prints, rule by rule, in a form that parses, alone, into a
 *    fresh set that prints the same (canonical round trip);
 *  - every allow-host rule matches its own name (exact: the name; "*.S":
 *    "x.S"), and every allow-net rule its own network address.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "policy_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sqn_policy_rules rs, before, again;

/**
 * check_refusal() - a refusal's properties
 * @rc:		the parser's result
 * @err:	its message buffer
 * @errlen:	its size
 */
static void check_refusal(int rc, const char *err, size_t errlen)
{
	FZ_REQUIRE(rc == -EINVAL);
	FZ_REQUIRE(memchr(err, '\0', errlen));
	FZ_REQUIRE(errlen < 2 || err[0]);
	FZ_REQUIRE(!memcmp(&before, &rs, sizeof(rs)));
}

/**
 * check_matches() - each rule matches what it names
 * @r:	the set
 */
static void check_matches(const struct sqn_policy_rules *r)
{
	char name[300];
	unsigned i;

	for (i = 0; i < r->n_host; i++) {
		const struct sqn_policy_host *h = &r->host[i];
		size_t n = 0;

		if (h->wildcard) {
			memcpy(name, "x.", 2);
			n = 2;
		}
		memcpy(name + n, r->pool + h->off, h->len);
		n += h->len;
		FZ_REQUIRE(sqn_policy_host_allowed(r, name, n));
	}
	for (i = 0; i < r->n_net; i++) {
		const struct sqn_policy_net *t = &r->net[i];

		FZ_REQUIRE(sqn_policy_net_allowed(r, t->addr.family, t->addr.a,
						  t->proto ? t->proto : 6,
						  t->lo));
	}
}

/**
 * check_round_trip() - the set's canonical print parses back to itself
 * @r:	the set
 */
static void check_round_trip(const struct sqn_policy_rules *r)
{
	char a[SQN_POLICY_RULE_MAX], b[SQN_POLICY_RULE_MAX], err[256];
	unsigned i, n = sqn_policy_rules_count(r);

	sqn_policy_rules_init(&again);
	for (i = 0; i < n; i++) {
		FZ_REQUIRE(sqn_policy_rule_format(r, i, a, sizeof(a)) > 0);
		if (sqn_policy_rule_parse(&again, a, err, sizeof(err))) {
			fprintf(stderr, "\"%s\": %s\n", a, err);
			FZ_REQUIRE(0);
		}
	}
	FZ_REQUIRE(sqn_policy_rules_count(&again) == n);
	for (i = 0; i < n; i++) {
		FZ_REQUIRE(sqn_policy_rule_format(r, i, a, sizeof(a)) > 0);
		FZ_REQUIRE(sqn_policy_rule_format(&again, i, b, sizeof(b)) > 0);
		FZ_REQUIRE(!strcmp(a, b));
	}
	FZ_REQUIRE(sqn_policy_rule_format(r, n, a, sizeof(a)) == -ENOENT);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t errlen = size ? (size_t)data[0] % 256 + 1 : 256, i = 1;
	char line[SQN_POLICY_RULE_MAX + 64], err[256];

	sqn_policy_rules_init(&rs);
	while (i < size) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : size - i;
		int rc;

		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, data + i, n);
		line[n] = '\0';
		i = nl ? (size_t)(nl - data) + 1 : size;
		before = rs;
		memset(err, 0x55, sizeof(err));
		rc = sqn_policy_rule_parse(&rs, line, err, errlen);
		if (rc)
			check_refusal(rc, err, errlen);
		FZ_REQUIRE(rs.n_host <= SQN_POLICY_MAX_HOSTS &&
			   rs.n_net <= SQN_POLICY_MAX_NETS &&
			   rs.n_dns <= SQN_POLICY_MAX_DNS &&
			   rs.pool_used <= SQN_POLICY_NAME_POOL);
	}
	(void)sqn_policy_rules_check(&rs, err, sizeof(err));
	check_matches(&rs);
	check_round_trip(&rs);
	return 0;
}
