/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_rules.c - egress policy rules: parse, check, print, match (pure)
 *
 * Theory of operation: each rule string is parsed on its own into a fixed
 * table (no allocation); a refusal leaves the set as it was and says which
 * rule, which part of it, and what would be right. An exact duplicate of a
 * rule already in the set is accepted and not stored twice. A rule set
 * prints back, rule by rule, in a canonical form that parses to the same
 * set (fuzz/fuzz_policy_rules.c holds that).
 *
 * allow-net grammar, decided here (policy_rules.h shows it to users):
 *   IPv4:  A.B.C.D[/P][:PORT[-PORT]][/tcp|/udp]
 *   IPv6:  [ADDR[/P]][:PORT[-PORT]][/tcp|/udp]   ports need the brackets
 *	    ADDR[/P][/tcp|/udp]			  without ports they may go
 * A network with host bits set is refused (the message gives the network
 * meant), so "10.1.2.3/16" is never read as something else silently.
 *
 * Matching is linear over the rules: a name against up to
 * SQN_POLICY_MAX_HOSTS patterns (once per DNS query, never per frame), an
 * address against up to SQN_POLICY_MAX_NETS networks (per frame; 50 rules
 * cost tens of nanoseconds, bench/policybench.c measures it).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msg.h"
#include "policy_rules.h"

#define SQN_MIN_INT(a, b) ((int)((a) < (b) ? (a) : (b)))

static const char *const rule_names[SQN_RULE_KINDS] = {
	[SQN_RULE_ALLOW_HOST] = "allow-host",
	[SQN_RULE_ALLOW_NET] = "allow-net",
	[SQN_RULE_ALLOW_DNS] = "allow-dns",
	[SQN_RULE_DENY_ALL] = "deny-all",
	[SQN_RULE_CHECK_SNI] = "check-sni",
};

/**
 * sqn_policy_rules_init() - an empty rule set (the policy off)
 * @r:	the set
 */
void sqn_policy_rules_init(struct sqn_policy_rules *r)
{
	r->n_host = 0;
	r->n_net = 0;
	r->n_dns = 0;
	r->deny_all = false;
	r->check_sni = false;
	r->pool_used = 0;
}

/**
 * sqn_policy_rule_name() - a kind's name, as in rules and options
 * @kind:	the kind
 *
 * Return: "allow-host" ..., or "?" for a kind out of range
 */
const char *sqn_policy_rule_name(enum sqn_policy_rule_kind kind)
{
	return (unsigned)kind < SQN_RULE_KINDS ? rule_names[kind] : "?";
}

/**
 * label_char() - whether a byte may appear in a name's label
 * @c:	the byte, lower case
 *
 * Return: true for letters, digits, '-' and '_'
 */
static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '_';
}

/**
 * check_labels() - check a lower-case name's labels
 * @v:		the rule's text, for messages
 * @s:		the name (no "*.", no trailing dot)
 * @n:		its length
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int check_labels(const char *v, const char *s, size_t n, char *err,
			size_t errlen)
{
	size_t i, lab = 0;

	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!lab)
				return sqn_msg_refuse(
					err, errlen,
					"allow-host \"%s\": empty label "
					"(two dots, or a dot first)",
					v);
			if (lab > 63)
				return sqn_msg_refuse(
					err, errlen,
					"allow-host \"%s\": a label is "
					"longer than 63 characters",
					v);
			lab = 0;
			continue;
		}
		if (s[i] == '*')
			return sqn_msg_refuse(
				err, errlen,
				"allow-host \"%s\": '*' may only be the "
				"whole first label, as in *.example.com",
				v);
		if (!label_char(s[i]))
			return sqn_msg_refuse(
				err, errlen,
				"allow-host \"%s\": '%c' is not a letter, "
				"digit, '-' or '_'",
				v, s[i]);
		lab++;
	}
	return 0;
}

/**
 * add_host() - parse and add an allow-host rule
 * @r:		the set
 * @v:		NAME or *.NAME
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL / -ENOSPC with a message
 */
static int add_host(struct sqn_policy_rules *r, const char *v, char *err,
		    size_t errlen)
{
	struct sqn_policy_addr a;
	char name[256];
	bool wild = false;
	size_t n = strnlen(v, SQN_POLICY_RULE_MAX), i;
	const char *s = v;
	int rc;

	if (n && v[n - 1] == '.')
		n--;
	if (!n)
		return sqn_msg_refuse(err, errlen,
				      "allow-host is empty: give a name "
				      "such as pypi.org or *.example.com");
	if (n > 253)
		return sqn_msg_refuse(
			err, errlen,
			"allow-host \"%.40s...\" is longer than a DNS "
			"name (253 characters)",
			v);
	if (sqn_policy_addr_parse(v, n, &a) == 0)
		return sqn_msg_refuse(err, errlen,
				      "allow-host \"%s\" is an address: write "
				      "allow-net=%s",
				      v, v);
	if (n >= 2 && v[0] == '*' && v[1] == '.') {
		wild = true;
		s += 2;
		n -= 2;
	} else if (n == 1 && v[0] == '*') {
		return sqn_msg_refuse(
			err, errlen,
			"allow-host \"*\" would allow every name: give "
			"no allow-host rule to leave names unchecked");
	}
	for (i = 0; i < n; i++)
		name[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
	rc = check_labels(v, name, n, err, errlen);
	if (rc)
		return rc;
	for (i = 0; i < r->n_host; i++)
		if (r->host[i].wildcard == wild && r->host[i].len == n &&
		    !memcmp(r->pool + r->host[i].off, name, n))
			return 0;
	if (r->n_host == SQN_POLICY_MAX_HOSTS)
		return sqn_msg_refuse(
			err, errlen,
			"more than %d allow-host rules (at \"%.48s%s\")",
			SQN_POLICY_MAX_HOSTS, v, n > 48 ? "..." : "");
	if (SQN_POLICY_NAME_POOL - r->pool_used < n)
		return sqn_msg_refuse(
			err, errlen,
			"the allow-host names together exceed %d bytes "
			"(at \"%.48s%s\")",
			SQN_POLICY_NAME_POOL, v, n > 48 ? "..." : "");
	memcpy(r->pool + r->pool_used, name, n);
	r->host[r->n_host++] =
		(struct sqn_policy_host){.off = (uint16_t)r->pool_used,
					 .len = (uint8_t)n,
					 .wildcard = wild};
	r->pool_used += (unsigned)n;
	return 0;
}

/**
 * sqn_policy_addr_parse() - an IPv4 or IPv6 address from @len bytes
 * @s:		the text, not necessarily terminated
 * @len:	its length
 * @out:	gets the address
 *
 * Return: 0, or -EINVAL
 */
int sqn_policy_addr_parse(const char *s, size_t len,
			  struct sqn_policy_addr *out)
{
	char buf[INET6_ADDRSTRLEN];

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, buf, out->a) == 1) {
		out->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->a) == 1) {
		out->family = 6;
		return 0;
	}
	return -EINVAL;
}

/**
 * parse_uint() - a decimal number of @len digits
 * @s:		the text
 * @len:	its length
 * @max:	largest value
 * @out:	gets the value
 *
 * Return: 0, or -EINVAL (empty, not digits, above @max)
 */
static int parse_uint(const char *s, size_t len, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (!len || len > 5)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/**
 * struct net_text - an allow-net rule cut into its parts
 * @v:		the whole rule value
 * @addr:	the address
 * @alen:	its length
 * @pfx:	the prefix digits, NULL when there is no "/P"
 * @plen:	their length
 * @ports:	the ports, NULL when none
 * @portslen:	their length
 * @proto:	6, 17, or 0
 * @bracket:	the address was in brackets
 */
struct net_text {
	const char *v;
	const char *addr;
	size_t alen;
	const char *pfx;
	size_t plen;
	const char *ports;
	size_t portslen;
	uint8_t proto;
	bool bracket;
};

/**
 * cut_proto() - take a trailing "/tcp" or "/udp" off a rule
 * @t:		the parts; @proto set
 * @n:		the text's length, shortened
 */
static void cut_proto(struct net_text *t, size_t *n)
{
	const char *s = t->v + *n - 4;
	char p[3];
	unsigned i;

	if (*n <= 4 || s[0] != '/')
		return;
	for (i = 0; i < 3; i++)
		p[i] = (char)(s[i + 1] >= 'A' && s[i + 1] <= 'Z' ? s[i + 1] + 32
								 : s[i + 1]);
	if (!memcmp(p, "tcp", 3) || !memcmp(p, "udp", 3)) {
		t->proto = p[0] == 't' ? 6 : 17;
		*n -= 4;
	}
}

/**
 * cut_prefix() - split "ADDR/P" into its parts
 * @t:		the parts; @addr, @alen, @pfx, @plen set
 * @s:		the text
 * @n:		its length
 */
static void cut_prefix(struct net_text *t, const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);

	t->addr = s;
	t->alen = slash ? (size_t)(slash - s) : n;
	if (slash) {
		t->pfx = slash + 1;
		t->plen = n - t->alen - 1;
	}
}

/**
 * cut_net() - cut an allow-net value into address, prefix, ports, protocol
 * @t:		the parts; @v set
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int cut_net(struct net_text *t, char *err, size_t errlen)
{
	size_t n = strnlen(t->v, SQN_POLICY_RULE_MAX);
	const char *colon, *close;

	cut_proto(t, &n);
	if (t->v[0] == '[') {
		close = memchr(t->v, ']', n);
		if (!close)
			return sqn_msg_refuse(
				err, errlen,
				"allow-net \"%s\": '[' without ']'", t->v);
		t->bracket = true;
		cut_prefix(t, t->v + 1, (size_t)(close - t->v - 1));
		if ((size_t)(close - t->v) + 1 < n) {
			if (close[1] != ':')
				return sqn_msg_refuse(
					err, errlen,
					"allow-net \"%s\": after ']' "
					"comes \":PORT\" or \"/tcp\" or "
					"\"/udp\"",
					t->v);
			t->ports = close + 2;
			t->portslen = n - (size_t)(close - t->v) - 2;
		}
		return 0;
	}
	colon = memchr(t->v, ':', n);
	if (colon && memchr(colon + 1, ':', n - (size_t)(colon - t->v) - 1)) {
		cut_prefix(t, t->v, n); /* bare IPv6: no ports */
		return 0;
	}
	if (colon) {
		t->ports = colon + 1;
		t->portslen = n - (size_t)(colon - t->v) - 1;
		n = (size_t)(colon - t->v);
	}
	cut_prefix(t, t->v, n);
	return 0;
}

/**
 * parse_ports() - "PORT" or "LO-HI"
 * @t:		the parts
 * @net:	gets lo and hi
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int parse_ports(const struct net_text *t, struct sqn_policy_net *net,
		       char *err, size_t errlen)
{
	const char *dash = memchr(t->ports, '-', t->portslen);
	size_t l1 = dash ? (size_t)(dash - t->ports) : t->portslen;
	unsigned lo, hi;

	if (parse_uint(t->ports, l1, 65535, &lo) || !lo)
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": \"%.*s\" is not a port "
			"1..65535",
			t->v, (int)l1, t->ports);
	hi = lo;
	if (dash &&
	    (parse_uint(dash + 1, t->portslen - l1 - 1, 65535, &hi) || !hi))
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": \"%.*s\" is not a port "
			"1..65535",
			t->v, (int)(t->portslen - l1 - 1), dash + 1);
	if (hi < lo)
		return sqn_msg_refuse(err, errlen,
				      "allow-net \"%s\": port range %u-%u runs "
				      "backwards",
				      t->v, lo, hi);
	net->lo = (uint16_t)lo;
	net->hi = (uint16_t)hi;
	return 0;
}

/**
 * host_bits() - whether an address has bits set past a prefix
 * @a:		the address
 * @prefix:	the prefix length
 *
 * Return: true if it has
 */
static bool host_bits(const struct sqn_policy_addr *a, unsigned prefix)
{
	unsigned i, bits = a->family == 4 ? 32 : 128;

	for (i = prefix; i < bits; i++)
		if (a->a[i / 8] & (0x80 >> (i % 8)))
			return true;
	return false;
}

/**
 * mask_addr() - clear an address's host bits
 * @a:		the address
 * @prefix:	the prefix length
 */
static void mask_addr(struct sqn_policy_addr *a, unsigned prefix)
{
	unsigned i;

	for (i = prefix; i < 128; i++)
		a->a[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
}

/**
 * parse_net_addr() - the address and prefix of an allow-net rule
 * @t:		the parts
 * @net:	gets addr and prefix
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int parse_net_addr(const struct net_text *t, struct sqn_policy_net *net,
			  char *err, size_t errlen)
{
	unsigned bits, prefix;
	char fix[INET6_ADDRSTRLEN];

	if (sqn_policy_addr_parse(t->addr, t->alen, &net->addr))
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": \"%.*s\" is not an IPv4 or "
			"IPv6 address",
			t->v, (int)t->alen, t->addr);
	if (t->bracket && net->addr.family == 4)
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": brackets are for IPv6; write "
			"an IPv4 network without them",
			t->v);
	bits = net->addr.family == 4 ? 32 : 128;
	prefix = bits;
	if (t->pfx && parse_uint(t->pfx, t->plen, bits, &prefix))
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": prefix \"%.*s\" is not a "
			"number 0..%u",
			t->v, (int)t->plen, t->pfx, bits);
	if (host_bits(&net->addr, prefix)) {
		struct sqn_policy_addr m = net->addr;

		mask_addr(&m, prefix);
		inet_ntop(m.family == 4 ? AF_INET : AF_INET6, m.a, fix,
			  sizeof(fix));
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": host bits set after /%u; the "
			"network is %s/%u",
			t->v, prefix, fix, prefix);
	}
	net->prefix = (uint8_t)prefix;
	return 0;
}

/**
 * net_words() - fill in a rule's words and masks, for matching
 * @n:	the rule, address and prefix set
 */
static void net_words(struct sqn_policy_net *n)
{
	uint8_t m[16] = {0};
	unsigned i;

	for (i = 0; i < n->prefix; i++)
		m[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	n->words = n->addr.family == 4 ? 1 : 4;
	memcpy(n->mask, m, sizeof(m));
	memcpy(n->netw, n->addr.a, sizeof(n->netw));
	for (i = 0; i < 4; i++)
		n->netw[i] &= n->mask[i];
}

/**
 * net_eq() - whether two allow-net rules are the same
 * @a:	one
 * @b:	the other
 *
 * Return: true if they are
 */
static bool net_eq(const struct sqn_policy_net *a,
		   const struct sqn_policy_net *b)
{
	return a->addr.family == b->addr.family &&
	       !memcmp(a->addr.a, b->addr.a, sizeof(a->addr.a)) &&
	       a->prefix == b->prefix && a->proto == b->proto &&
	       a->lo == b->lo && a->hi == b->hi;
}

/**
 * add_net() - parse and add an allow-net rule
 * @r:		the set
 * @v:		the rule's value
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int add_net(struct sqn_policy_rules *r, const char *v, char *err,
		   size_t errlen)
{
	struct net_text t = {.v = v};
	struct sqn_policy_net net;
	unsigned i;
	int rc;

	memset(&net, 0, sizeof(net));
	if (!*v)
		return sqn_msg_refuse(
			err, errlen,
			"allow-net is empty: give a network such as "
			"10.1.0.0/16:5432 or [2001:db8::/32]:443/tcp");
	if (strnlen(v, SQN_POLICY_RULE_MAX) == SQN_POLICY_RULE_MAX)
		return sqn_msg_refuse(err, errlen,
				      "allow-net \"%.40s...\" is too long", v);
	rc = cut_net(&t, err, errlen);
	if (!rc)
		rc = parse_net_addr(&t, &net, err, errlen);
	if (!rc && t.ports)
		rc = parse_ports(&t, &net, err, errlen);
	if (rc)
		return rc;
	net.proto = t.proto;
	net_words(&net);
	for (i = 0; i < r->n_net; i++)
		if (net_eq(&r->net[i], &net))
			return 0;
	if (r->n_net == SQN_POLICY_MAX_NETS)
		return sqn_msg_refuse(
			err, errlen,
			"allow-net \"%s\": more than %d allow-net rules", v,
			SQN_POLICY_MAX_NETS);
	r->net[r->n_net++] = net;
	return 0;
}

/**
 * add_dns() - parse and add an allow-dns rule
 * @r:		the set
 * @v:		the resolver's address
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int add_dns(struct sqn_policy_rules *r, const char *v, char *err,
		   size_t errlen)
{
	size_t n = strnlen(v, SQN_POLICY_RULE_MAX);
	struct sqn_policy_addr a;
	unsigned i;

	if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		v++;
		n -= 2;
	}
	if (sqn_policy_addr_parse(v, n, &a))
		return sqn_msg_refuse(
			err, errlen,
			"allow-dns \"%.*s\" is not an IPv4 or IPv6 "
			"address%s",
			(int)SQN_MIN_INT(n, 64), v,
			memchr(v, ':', n) && memchr(v, '.', n)
				? " (give the address alone: DNS is "
				  "port 53)"
				: "");
	for (i = 0; i < r->n_dns; i++)
		if (r->dns[i].family == a.family &&
		    !memcmp(r->dns[i].a, a.a, sizeof(a.a)))
			return 0;
	if (r->n_dns == SQN_POLICY_MAX_DNS)
		return sqn_msg_refuse(
			err, errlen, "allow-dns \"%s\": more than %d resolvers",
			v, SQN_POLICY_MAX_DNS);
	r->dns[r->n_dns++] = a;
	return 0;
}

/**
 * sqn_policy_rule_add() - parse one rule's value and add it to a set
 * @r:		the set
 * @kind:	the rule's kind
 * @value:	its value (NULL or "" for deny-all and check-sni)
 * @err:	gets a message on failure, naming the rule and what is wrong
 * @errlen:	its size
 *
 * Return: 0 (also for a rule already in the set), or -EINVAL with the
 * message set and the set unchanged
 */
int sqn_policy_rule_add(struct sqn_policy_rules *r,
			enum sqn_policy_rule_kind kind, const char *value,
			char *err, size_t errlen)
{
	bool flag = kind == SQN_RULE_DENY_ALL || kind == SQN_RULE_CHECK_SNI;

	if ((unsigned)kind >= SQN_RULE_KINDS)
		return sqn_msg_refuse(err, errlen,
				      "unknown policy rule kind %d", kind);
	if (flag && value && *value)
		return sqn_msg_refuse(err, errlen,
				      "%s takes no value (got \"%.64s\")",
				      rule_names[kind], value);
	if (!flag && !value)
		return sqn_msg_refuse(err, errlen, "%s needs a value",
				      rule_names[kind]);
	switch (kind) {
	case SQN_RULE_ALLOW_HOST:
		return add_host(r, value, err, errlen);
	case SQN_RULE_ALLOW_NET:
		return add_net(r, value, err, errlen);
	case SQN_RULE_ALLOW_DNS:
		return add_dns(r, value, err, errlen);
	case SQN_RULE_DENY_ALL:
		r->deny_all = true;
		return 0;
	default:
		r->check_sni = true;
		return 0;
	}
}

/**
 * sqn_policy_rule_parse() - parse "KIND=VALUE" or "KIND" into a set
 * @r:		the set
 * @spec:	"allow-net=10.0.0.0/8", "deny-all"; a leading "--" is allowed
 *		("--allow-host=pypi.org")
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with the message set and the set unchanged
 */
int sqn_policy_rule_parse(struct sqn_policy_rules *r, const char *spec,
			  char *err, size_t errlen)
{
	const char *s = spec, *eq;
	size_t klen;
	unsigned k;

	if (!strncmp(s, "--", 2))
		s += 2;
	eq = strchr(s, '=');
	klen = eq ? (size_t)(eq - s) : strlen(s);
	for (k = 0; k < SQN_RULE_KINDS; k++)
		if (strlen(rule_names[k]) == klen &&
		    !strncmp(s, rule_names[k], klen))
			return sqn_policy_rule_add(
				r, (enum sqn_policy_rule_kind)k,
				eq ? eq + 1 : NULL, err, errlen);
	return sqn_msg_refuse(
		err, errlen,
		"policy rule \"%.64s\": unknown kind \"%.*s\"; the kinds "
		"are allow-host, allow-net, allow-dns, deny-all, "
		"check-sni",
		spec, (int)SQN_MIN_INT(klen, 32), s);
}

/**
 * sqn_policy_rules_active() - whether a set turns the policy on
 * @r:	the set
 *
 * Return: true when it has an allow rule or deny-all
 */
bool sqn_policy_rules_active(const struct sqn_policy_rules *r)
{
	return r->n_host || r->n_net || r->n_dns || r->deny_all;
}

/**
 * sqn_policy_rules_check() - check a whole set (after its rules parsed)
 * @r:		the set
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL: check-sni without an allow-host rule to check
 * names against
 */
int sqn_policy_rules_check(const struct sqn_policy_rules *r, char *err,
			   size_t errlen)
{
	if (r->check_sni && !r->n_host)
		return sqn_msg_refuse(
			err, errlen,
			"check-sni checks TLS server names against the "
			"allow-host rules, and there are none: add "
			"allow-host rules or drop check-sni");
	return 0;
}

/**
 * sqn_policy_rules_count() - how many rules sqn_policy_rule_format() prints
 * @r:	the set
 *
 * Return: the count
 */
unsigned sqn_policy_rules_count(const struct sqn_policy_rules *r)
{
	return r->n_host + r->n_net + r->n_dns + r->deny_all + r->check_sni;
}

/**
 * format_net() - an allow-net rule in canonical form
 * @n:		the rule
 * @buf:	the text
 * @len:	its size
 *
 * Return: snprintf()'s result
 */
static int format_net(const struct sqn_policy_net *n, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], ports[16] = "";
	const char *proto = n->proto == 6    ? "/tcp"
			    : n->proto == 17 ? "/udp"
					     : "";
	bool v6 = n->addr.family == 6;

	inet_ntop(v6 ? AF_INET6 : AF_INET, n->addr.a, a, sizeof(a));
	if (n->lo == n->hi && n->lo)
		snprintf(ports, sizeof(ports), ":%u", n->lo);
	else if (n->lo)
		snprintf(ports, sizeof(ports), ":%u-%u", n->lo, n->hi);
	return snprintf(buf, len, "allow-net=%s%s/%u%s%s%s", v6 ? "[" : "", a,
			n->prefix, v6 ? "]" : "", ports, proto);
}

/**
 * sqn_policy_rule_format() - one rule of a set, in the form
 *			      sqn_policy_rule_parse() reads
 * @r:		the set
 * @i:		which rule: allow-host rules first, then allow-net,
 *		allow-dns, deny-all, check-sni
 * @buf:	the text
 * @len:	its size, SQN_POLICY_RULE_MAX is enough
 *
 * Return: the text's length, -ENOENT past the last rule, -ENOSPC when
 * @len is too small
 */
int sqn_policy_rule_format(const struct sqn_policy_rules *r, unsigned i,
			   char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (i < r->n_host) {
		const struct sqn_policy_host *h = &r->host[i];

		n = snprintf(buf, len, "allow-host=%s%.*s",
			     h->wildcard ? "*." : "", (int)h->len,
			     r->pool + h->off);
	} else if ((i -= r->n_host) < r->n_net) {
		n = format_net(&r->net[i], buf, len);
	} else if ((i -= r->n_net) < r->n_dns) {
		inet_ntop(r->dns[i].family == 4 ? AF_INET : AF_INET6,
			  r->dns[i].a, a, sizeof(a));
		n = snprintf(buf, len, "allow-dns=%s", a);
	} else if ((i -= r->n_dns) < (unsigned)r->deny_all) {
		n = snprintf(buf, len, "deny-all");
	} else if (i - r->deny_all < (unsigned)r->check_sni) {
		n = snprintf(buf, len, "check-sni");
	} else {
		return -ENOENT;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : n;
}

/**
 * sqn_policy_host_allowed() - whether a name matches an allow-host rule
 * @r:		the set
 * @name:	the name, lower case, no trailing dot
 * @len:	its length
 *
 * Return: true if an exact rule equals it or a "*.S" rule's S is a proper
 * suffix of it at a label boundary
 */
bool sqn_policy_host_allowed(const struct sqn_policy_rules *r, const char *name,
			     size_t len)
{
	unsigned i;

	for (i = 0; i < r->n_host; i++) {
		const struct sqn_policy_host *h = &r->host[i];
		const char *p = r->pool + h->off;

		if (!h->wildcard) {
			if (len == h->len && !memcmp(name, p, len))
				return true;
		} else if (len > h->len + 1u && name[len - h->len - 1] == '.' &&
			   !memcmp(name + len - h->len, p, h->len)) {
			return true;
		}
	}
	return false;
}

/**
 * sqn_policy_net_allowed() - whether an allow-net rule allows a packet
 * @r:		the set
 * @family:	4 or 6
 * @addr:	destination address (4 or 16 bytes)
 * @proto:	upper-layer protocol
 * @port:	destination port for TCP and UDP; -1 when unknown (a later
 *		fragment: then a rule's ports do not restrict it)
 *
 * Return: true if a rule covers the address and, when the rule has them,
 * the protocol and port
 */
bool sqn_policy_net_allowed(const struct sqn_policy_rules *r, uint8_t family,
			    const uint8_t *addr, uint8_t proto, int port)
{
	uint32_t w[4] = {0};
	unsigned i;

	memcpy(w, addr, family == 4 ? 4 : 16);
	for (i = 0; i < r->n_net; i++) {
		const struct sqn_policy_net *n = &r->net[i];
		unsigned k;

		if (n->addr.family != family)
			continue;
		for (k = 0; k < n->words && (w[k] & n->mask[k]) == n->netw[k];
		     k++)
			;
		if (k < n->words)
			continue;
		if (n->proto && n->proto != proto)
			continue;
		if (n->lo && proto != 6 && proto != 17)
			continue;
		if (n->lo && port >= 0 && (port < n->lo || port > n->hi))
			continue;
		return true;
	}
	return false;
}
