/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_policy_rules.c - the egress policy's rule parser: accepted forms and
 * their canonical print, what each rule matches, every refusal's message,
 * the bounds, and whole-set checks
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "policy_rules.h"

#define SQN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct sqn_policy_rules rs;
static char err[256];

/**
 * add() - parse one rule into the shared set
 * @spec:	"kind=value"
 *
 * Return: sqn_policy_rule_parse()'s result
 */
static int add(const char *spec)
{
	err[0] = '\0';
	return sqn_policy_rule_parse(&rs, spec, err, sizeof(err));
}

/**
 * fmt() - the shared set's rule @i in canonical form
 * @i:	which
 *
 * Return: a static buffer
 */
static const char *fmt(unsigned i)
{
	static char buf[SQN_POLICY_RULE_MAX];

	if (sqn_policy_rule_format(&rs, i, buf, sizeof(buf)) < 0)
		return "(none)";
	return buf;
}

/**
 * host_ok() - whether the shared set allows a name
 * @name:	lower case
 *
 * Return: the match
 */
static bool host_ok(const char *name)
{
	return sqn_policy_host_allowed(&rs, name, strlen(name));
}

static void host_exact_and_wildcard(void)
{
	sqn_policy_rules_init(&rs);
	ASSERT(add("allow-host=PyPI.org.") == 0);
	ASSERT(add("--allow-host=*.PythonHosted.org") == 0);
	CHECK_EQ(rs.n_host, 2);
	CHECK(!strcmp(fmt(0), "allow-host=pypi.org"));
	CHECK(!strcmp(fmt(1), "allow-host=*.pythonhosted.org"));
	CHECK(host_ok("pypi.org"));
	CHECK(!host_ok("www.pypi.org")); /* exact means exact */
	CHECK(!host_ok("pypi.org.evil"));
	CHECK(host_ok("files.pythonhosted.org"));
	CHECK(host_ok("a.b.pythonhosted.org"));
	CHECK(!host_ok("pythonhosted.org")); /* *.S is below S only */
	CHECK(!host_ok("xpythonhosted.org"));
	CHECK(!host_ok("org"));
	CHECK(!host_ok(""));
	/* a duplicate is accepted and not stored twice */
	ASSERT(add("allow-host=pypi.ORG") == 0);
	CHECK_EQ(rs.n_host, 2);
	CHECK(sqn_policy_rules_active(&rs));
}

static void host_refusals(void)
{
	static const struct {
		const char *spec;
		const char *msg;
	} t[] = {
		{"allow-host=", "allow-host is empty"},
		{"allow-host=.", "allow-host is empty"},
		{"allow-host=*", "would allow every name"},
		{"allow-host=a..b", "empty label"},
		{"allow-host=.a.b", "empty label"},
		{"allow-host=*.", "would allow every name"},
		{"allow-host=a*.b", "'*' may only be the whole first label"},
		{"allow-host=a.*.b", "'*' may only be the whole first label"},
		{"allow-host=foo bar", "' ' is not a letter"},
		{"allow-host=host:443", "':' is not a letter"},
		{"allow-host=10.1.2.3",
		 "is an address: write allow-net=10.1.2.3"},
		{"allow-host=2001:db8::1", "is an address"},
		{"allow-host", "allow-host needs a value"},
	};
	unsigned i;

	sqn_policy_rules_init(&rs);
	for (i = 0; i < SQN_ARRAY_LEN(t); i++) {
		CHECK_EQ(add(t[i].spec), -EINVAL);
		CHECK_STR_HAS(err, t[i].msg);
	}
	/* a 64-character label; then 254 characters: longer than a name */
	{
		char spec[400] = "allow-host=";
		size_t o = strlen(spec);

		memset(spec + o, 'a', 64);
		memcpy(spec + o + 64, ".com", 5);
		CHECK_EQ(add(spec), -EINVAL);
		CHECK_STR_HAS(err, "a label is longer than 63 characters");
		spec[o + 1] = '.'; /* labels of 1 and 62: fine */
		CHECK_EQ(add(spec), 0);
		CHECK_EQ(rs.n_host, 1);

		for (i = 0; i < 4; i++) {
			memset(spec + o, 'a', 62);
			o += 62;
			spec[o++] = '.';
		}
		memcpy(spec + o, "a", 2);
		CHECK_EQ(strlen(spec + 11), 253);
		CHECK_EQ(add(spec), 0);
		spec[o + 1] = 'b';
		spec[o + 2] = '\0';
		CHECK_EQ(add(spec), -EINVAL);
		CHECK_STR_HAS(err, "longer than a DNS name (253");
	}
	CHECK_EQ(rs.n_host, 2); /* refusals left the set as it was */
}

static void net_forms(void)
{
	static const struct {
		const char *in;
		const char *canon;
	} t[] = {
		{"10.1.0.0/16:5432", "allow-net=10.1.0.0/16:5432"},
		{"10.0.0.0/8/TCP", "allow-net=10.0.0.0/8/tcp"},
		{"192.0.2.1", "allow-net=192.0.2.1/32"},
		{"192.0.2.0/24:1000-2000/udp",
		 "allow-net=192.0.2.0/24:1000-2000/udp"},
		{"0.0.0.0/0:443/tcp", "allow-net=0.0.0.0/0:443/tcp"},
		{"198.51.100.7:53-53", "allow-net=198.51.100.7/32:53"},
		{"[2001:db8::/32]:443/tcp",
		 "allow-net=[2001:db8::/32]:443/tcp"},
		{"2001:db8::/32", "allow-net=[2001:db8::/32]"},
		{"2001:DB8::1", "allow-net=[2001:db8::1/128]"},
		{"2001:db8::/32/udp", "allow-net=[2001:db8::/32]/udp"},
		{"[2001:db8:1::]", "allow-net=[2001:db8:1::/128]"},
		{"[2001:db8:2::/48]:8000-8080",
		 "allow-net=[2001:db8:2::/48]:8000-8080"},
	};
	unsigned i;

	sqn_policy_rules_init(&rs);
	for (i = 0; i < SQN_ARRAY_LEN(t); i++) {
		char spec[128];

		snprintf(spec, sizeof(spec), "allow-net=%s", t[i].in);
		CHECK_EQ(add(spec), 0);
		CHECK_EQ(rs.n_net, i + 1);
		if (strcmp(fmt(i), t[i].canon))
			printf("# %s printed as %s, not %s\n", t[i].in, fmt(i),
			       t[i].canon);
		CHECK(!strcmp(fmt(i), t[i].canon));
	}
}

static void net_matching(void)
{
	const uint8_t in[4] = {10, 1, 200, 3}, out[4] = {10, 2, 0, 1};
	const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
				0,    0,    0,	  0,	0, 0, 0, 9};

	sqn_policy_rules_init(&rs);
	ASSERT(add("allow-net=10.1.0.0/16:5432") == 0);
	ASSERT(add("allow-net=[2001:db8::/32]:443/tcp") == 0);
	CHECK(sqn_policy_net_allowed(&rs, 4, in, 6, 5432));
	CHECK(sqn_policy_net_allowed(&rs, 4, in, 17, 5432)); /* any proto */
	CHECK(!sqn_policy_net_allowed(&rs, 4, in, 6, 5433));
	CHECK(!sqn_policy_net_allowed(&rs, 4, in, 1, -1)); /* ports: no ICMP */
	CHECK(sqn_policy_net_allowed(&rs, 4, in, 6, -1));  /* later fragment */
	CHECK(!sqn_policy_net_allowed(&rs, 4, out, 6, 5432));
	CHECK(sqn_policy_net_allowed(&rs, 6, v6, 6, 443));
	CHECK(!sqn_policy_net_allowed(&rs, 6, v6, 17, 443)); /* tcp only */
	CHECK(!sqn_policy_net_allowed(&rs, 6, v6, 6, 80));
	/* an IPv4 rule never matches IPv6, even the same leading bytes */
	CHECK(!sqn_policy_net_allowed(&rs, 6, (const uint8_t[16]){10, 1}, 6,
				      5432));
	/* a rule without ports and protocol allows everything, ICMP too */
	ASSERT(add("allow-net=10.2.0.0/30") == 0);
	CHECK(sqn_policy_net_allowed(&rs, 4, out, 1, -1));
	CHECK(sqn_policy_net_allowed(&rs, 4, out, 132, -1));
	CHECK(!sqn_policy_net_allowed(&rs, 4, (const uint8_t[4]){10, 2, 0, 4},
				      1, -1));
	/* a protocol without ports: every port of it */
	ASSERT(add("allow-net=10.3.0.0/16/udp") == 0);
	CHECK(sqn_policy_net_allowed(&rs, 4, (const uint8_t[4]){10, 3, 9, 9},
				     17, 9));
	CHECK(!sqn_policy_net_allowed(&rs, 4, (const uint8_t[4]){10, 3, 9, 9},
				      6, 9));
}

static void net_refusals(void)
{
	static const struct {
		const char *spec;
		const char *msg;
	} t[] = {
		{"allow-net=", "allow-net is empty"},
		{"allow-net=10.1.2.3/16",
		 "host bits set after /16; the network is 10.1.0.0/16"},
		{"allow-net=2001:db8::1/32", "the network is 2001:db8::/32"},
		{"allow-net=10.0.0.0/33",
		 "prefix \"33\" is not a number 0..32"},
		{"allow-net=10.0.0.0/", "prefix \"\" is not a number"},
		{"allow-net=[::/129]", "0..128"},
		{"allow-net=1.2.3.4:0", "\"0\" is not a port 1..65535"},
		{"allow-net=1.2.3.4:70000", "\"70000\" is not a port"},
		{"allow-net=1.2.3.4:http", "\"http\" is not a port"},
		{"allow-net=1.2.3.4:", "\"\" is not a port"},
		{"allow-net=1.2.3.4:20-10", "port range 20-10 runs backwards"},
		{"allow-net=1.2.3.4:20-", "\"\" is not a port"},
		{"allow-net=[1.2.3.4]:80", "brackets are for IPv6"},
		{"allow-net=[::1", "'[' without ']'"},
		{"allow-net=[::1]x", "after ']' comes"},
		{"allow-net=example.com:443",
		 "\"example.com\" is not an IPv4 or IPv6 address"},
		{"allow-net=1.2.3.4/tcp/udp", "prefix \"tcp\" is not a number"},
		{"allow-net=1.2.3.4:80/sctp", "\"80/sctp\" is not a port"},
	};
	unsigned i;

	sqn_policy_rules_init(&rs);
	for (i = 0; i < SQN_ARRAY_LEN(t); i++) {
		CHECK_EQ(add(t[i].spec), -EINVAL);
		CHECK_STR_HAS(err, t[i].msg);
	}
	CHECK_EQ(rs.n_net, 0);
}

static void dns_and_flags(void)
{
	sqn_policy_rules_init(&rs);
	CHECK(!sqn_policy_rules_active(&rs));
	ASSERT(add("allow-dns=10.0.2.3") == 0);
	ASSERT(add("allow-dns=[fec0::3]") == 0);
	ASSERT(add("allow-dns=fec0::3") == 0); /* the same one */
	CHECK_EQ(rs.n_dns, 2);
	CHECK(sqn_policy_rules_active(&rs));
	CHECK_EQ(add("allow-dns=1.1.1.1:53"), -EINVAL);
	CHECK_STR_HAS(err, "give the address alone: DNS is port 53");
	CHECK_EQ(add("allow-dns=resolver"), -EINVAL);
	CHECK_STR_HAS(err, "\"resolver\" is not an IPv4 or IPv6 address");
	CHECK_EQ(add("deny-all=yes"), -EINVAL);
	CHECK_STR_HAS(err, "deny-all takes no value (got \"yes\")");
	CHECK_EQ(add("allow-everything=1"), -EINVAL);
	CHECK_STR_HAS(err, "unknown kind \"allow-everything\"");
	CHECK_EQ(add("allow-net"), -EINVAL);
	CHECK_STR_HAS(err, "allow-net needs a value");
	ASSERT(add("deny-all") == 0);
	ASSERT(add("--check-sni") == 0);
	CHECK(rs.deny_all && rs.check_sni);
	CHECK(!strcmp(fmt(0), "allow-dns=10.0.2.3"));
	CHECK(!strcmp(fmt(1), "allow-dns=fec0::3"));
	CHECK(!strcmp(fmt(2), "deny-all"));
	CHECK(!strcmp(fmt(3), "check-sni"));
	CHECK(!strcmp(fmt(4), "(none)"));
	CHECK_EQ(sqn_policy_rules_count(&rs), 4);
}

static void whole_set_checks(void)
{
	sqn_policy_rules_init(&rs);
	ASSERT(add("check-sni") == 0);
	CHECK(!sqn_policy_rules_active(&rs)); /* check-sni allows nothing */
	CHECK_EQ(sqn_policy_rules_check(&rs, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "check-sni checks TLS server names against the "
			   "allow-host rules, and there are none");
	ASSERT(add("allow-host=example.com") == 0);
	CHECK_EQ(sqn_policy_rules_check(&rs, err, sizeof(err)), 0);
	sqn_policy_rules_init(&rs);
	ASSERT(add("deny-all") == 0);
	CHECK(sqn_policy_rules_active(&rs)); /* deny-all alone: all denied */
	CHECK_EQ(sqn_policy_rules_check(&rs, err, sizeof(err)), 0);
}

static void bounds(void)
{
	char spec[128];
	unsigned i;

	sqn_policy_rules_init(&rs);
	for (i = 0; i < SQN_POLICY_MAX_NETS; i++) {
		snprintf(spec, sizeof(spec), "allow-net=10.%u.%u.0/24", i / 256,
			 i % 256);
		ASSERT(add(spec) == 0);
	}
	CHECK_EQ(add("allow-net=11.0.0.0/8"), -EINVAL);
	CHECK_STR_HAS(err, "more than 256 allow-net rules");
	CHECK_EQ(add("allow-net=10.0.0.0/24"), 0); /* a duplicate fits */
	for (i = 0; i < SQN_POLICY_MAX_HOSTS; i++) {
		snprintf(spec, sizeof(spec), "allow-host=h%u.example", i);
		ASSERT(add(spec) == 0);
	}
	CHECK_EQ(add("allow-host=one-too-many.example"), -EINVAL);
	CHECK_STR_HAS(err, "more than 256 allow-host rules");
	for (i = 0; i < SQN_POLICY_MAX_DNS; i++) {
		snprintf(spec, sizeof(spec), "allow-dns=10.0.2.%u", i + 1);
		ASSERT(add(spec) == 0);
	}
	CHECK_EQ(add("allow-dns=10.0.3.1"), -EINVAL);
	CHECK_STR_HAS(err, "more than 8 resolvers");
	CHECK_EQ(rs.n_net, SQN_POLICY_MAX_NETS);
	CHECK_EQ(rs.n_host, SQN_POLICY_MAX_HOSTS);
	CHECK_EQ(rs.n_dns, SQN_POLICY_MAX_DNS);
}

static void name_pool_bound(void)
{
	char spec[300];
	unsigned i, n = 0;
	int rc = 0;

	sqn_policy_rules_init(&rs);
	/* 251-character names: the pool fills before the count does */
	for (i = 0; i < SQN_POLICY_MAX_HOSTS && !rc; i++) {
		snprintf(spec, sizeof(spec), "allow-host=%03u%s.%s.%s.%s", i,
			 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			 "aaaaaa",
			 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
			 "bbbbbbbbb",
			 "ccccccccccccccccccccccccccccccccccccccccccccccccccccc"
			 "ccccccccc",
			 "ddddddddddddddddddddddddddddddddddddddddddddddddddddd"
			 "ddddddddd");
		rc = add(spec);
		n += !rc;
	}
	CHECK_EQ(rc, -EINVAL);
	CHECK_STR_HAS(err, "the allow-host names together exceed 16384 bytes "
			   "(at \"065aaaa");
	CHECK_EQ(n, SQN_POLICY_NAME_POOL / 251);
	CHECK_EQ(rs.n_host, n);
}

static void round_trip(void)
{
	static const char *const specs[] = {
		"allow-host=pypi.org",
		"allow-host=*.pythonhosted.org",
		"allow-net=10.1.0.0/16:5432",
		"allow-net=[2001:db8::/32]:443/tcp",
		"allow-net=192.0.2.0/24/udp",
		"allow-net=0.0.0.0/0",
		"allow-dns=10.0.2.3",
		"allow-dns=2001:db8::53",
		"deny-all",
		"check-sni",
	};
	struct sqn_policy_rules *copy = calloc(1, sizeof(*copy));
	char a[SQN_POLICY_RULE_MAX], b[SQN_POLICY_RULE_MAX];
	unsigned i;

	ASSERT(copy);
	sqn_policy_rules_init(&rs);
	sqn_policy_rules_init(copy);
	for (i = 0; i < SQN_ARRAY_LEN(specs); i++)
		CHECK_EQ(add(specs[i]), 0);
	CHECK_EQ(sqn_policy_rules_count(&rs), SQN_ARRAY_LEN(specs));
	for (i = 0; i < sqn_policy_rules_count(&rs); i++) {
		ASSERT(sqn_policy_rule_format(&rs, i, a, sizeof(a)) > 0);
		CHECK(!strcmp(a, specs[i]));
		CHECK_EQ(sqn_policy_rule_parse(copy, a, err, sizeof(err)), 0);
	}
	for (i = 0; i < sqn_policy_rules_count(&rs); i++) {
		ASSERT(sqn_policy_rule_format(copy, i, b, sizeof(b)) > 0);
		CHECK(!strcmp(b, specs[i]));
	}
	CHECK_EQ(sqn_policy_rule_format(&rs, 0, a, 5), -ENOSPC);
	free(copy);
}

static const struct check_case cases[] = {
	CASE(host_exact_and_wildcard),
	CASE(host_refusals),
	CASE(net_forms),
	CASE(net_matching),
	CASE(net_refusals),
	CASE(dns_and_flags),
	CASE(whole_set_checks),
	CASE(bounds),
	CASE(name_pool_bound),
	CASE(round_trip),
};

CHECK_MAIN(cases)
