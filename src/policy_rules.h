/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_rules.h - egress policy rules: parse, check, print, match (pure)
 *
 * One rule is one string, the same on the command line ("--allow-net
 * 10.1.0.0/16:5432"), in parameters and on a control socket
 * ("allow-net=10.1.0.0/16:5432"):
 *
 *   allow-host=NAME	a name the guest may resolve and reach: exact
 *			("pypi.org") or every name below a suffix
 *			("*.pythonhosted.org", which does not match
 *			"pythonhosted.org" itself); case-insensitive, one
 *			trailing dot ignored
 *   allow-net=NET[:PORT[-PORT]][/tcp|/udp]
 *			addresses the guest may reach. NET is an IPv4 or
 *			IPv6 address, optionally with a /prefix (none: the
 *			one address). IPv6 with ports goes in brackets:
 *			"[2001:db8::/32]:443/tcp" (brackets are also
 *			accepted without ports: "[2001:db8::1]"). Without
 *			port and protocol the rule allows every protocol,
 *			ICMP included; with either, only TCP and UDP
 *   allow-dns=ADDR	a resolver the guest may query (port 53, UDP and
 *			TCP); without any, the backend's own DNS address
 *   deny-all		deny what no rule allows (the default as soon as
 *			there is any rule; alone it denies everything but
 *			the local services)
 *   check-sni		also check the name a TLS ClientHello asks for on
 *			TCP port 443 (policy.h says where)
 *
 * With no rule at all the policy is off and everything passes.
 * Addresses are stored in network order; counts are bounded.
 */
#ifndef SQN_POLICY_RULES_H
#define SQN_POLICY_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SQN_POLICY_MAX_HOSTS - most allow-host rules */
#define SQN_POLICY_MAX_HOSTS 256
/** SQN_POLICY_MAX_NETS - most allow-net rules */
#define SQN_POLICY_MAX_NETS 256
/** SQN_POLICY_MAX_DNS - most allow-dns rules */
#define SQN_POLICY_MAX_DNS 8
/** SQN_POLICY_NAME_POOL - bytes for all allow-host names together */
#define SQN_POLICY_NAME_POOL 16384
/** SQN_POLICY_RULE_MAX - longest rule text, "allow-host=" and all */
#define SQN_POLICY_RULE_MAX 300

/**
 * enum sqn_policy_rule_kind - the kinds of rule
 * @SQN_RULE_ALLOW_HOST:	allow-host=NAME
 * @SQN_RULE_ALLOW_NET:		allow-net=NET[:PORTS][/PROTO]
 * @SQN_RULE_ALLOW_DNS:		allow-dns=ADDR
 * @SQN_RULE_DENY_ALL:		deny-all
 * @SQN_RULE_CHECK_SNI:		check-sni
 * @SQN_RULE_KINDS:		how many
 */
enum sqn_policy_rule_kind {
	SQN_RULE_ALLOW_HOST,
	SQN_RULE_ALLOW_NET,
	SQN_RULE_ALLOW_DNS,
	SQN_RULE_DENY_ALL,
	SQN_RULE_CHECK_SNI,
	SQN_RULE_KINDS,
};

/**
 * struct sqn_policy_addr - an IPv4 or IPv6 address
 * @family:	4 or 6
 * @a:		the address, network order (IPv4 in the first 4 bytes, the
 *		rest zero)
 */
struct sqn_policy_addr {
	uint8_t family;
	uint8_t a[16];
};

/**
 * struct sqn_policy_host - an allow-host rule
 * @off:	its name's offset in the pool (lower case, no "*.", no
 *		trailing dot)
 * @len:	the name's length
 * @wildcard:	"*.NAME": names below NAME, not NAME itself
 */
struct sqn_policy_host {
	uint16_t off;
	uint8_t len;
	bool wildcard;
};

/**
 * struct sqn_policy_net - an allow-net rule
 * @addr:	network address (host bits zero)
 * @prefix:	prefix length, up to 32 or 128
 * @proto:	6 (TCP), 17 (UDP), or 0 for any
 * @lo:		first port, 0 for any port
 * @hi:		last port
 * @words:	32-bit words of the address to compare: 1 (IPv4) or 4
 * @mask:	the prefix as a mask per word, as the words lie in memory
 * @netw:	the network address per word, as it lies in memory
 */
struct sqn_policy_net {
	struct sqn_policy_addr addr;
	uint8_t prefix;
	uint8_t proto;
	uint16_t lo;
	uint16_t hi;
	uint8_t words;
	uint32_t mask[4];
	uint32_t netw[4];
};

/**
 * struct sqn_policy_rules - a rule set
 * @n_host:	allow-host rules
 * @n_net:	allow-net rules
 * @n_dns:	allow-dns rules
 * @deny_all:	deny-all given
 * @check_sni:	check-sni given
 * @host:	the allow-host rules
 * @net:	the allow-net rules
 * @dns:	the resolvers
 * @pool_used:	bytes of @pool in use
 * @pool:	the allow-host names, one after the other
 */
struct sqn_policy_rules {
	unsigned n_host;
	unsigned n_net;
	unsigned n_dns;
	bool deny_all;
	bool check_sni;
	struct sqn_policy_host host[SQN_POLICY_MAX_HOSTS];
	struct sqn_policy_net net[SQN_POLICY_MAX_NETS];
	struct sqn_policy_addr dns[SQN_POLICY_MAX_DNS];
	unsigned pool_used;
	char pool[SQN_POLICY_NAME_POOL];
};

void sqn_policy_rules_init(struct sqn_policy_rules *r);
const char *sqn_policy_rule_name(enum sqn_policy_rule_kind kind);
int sqn_policy_rule_add(struct sqn_policy_rules *r,
			enum sqn_policy_rule_kind kind, const char *value,
			char *err, size_t errlen);
int sqn_policy_rule_parse(struct sqn_policy_rules *r, const char *spec,
			  char *err, size_t errlen);
int sqn_policy_rules_check(const struct sqn_policy_rules *r, char *err,
			   size_t errlen);
bool sqn_policy_rules_active(const struct sqn_policy_rules *r);
unsigned sqn_policy_rules_count(const struct sqn_policy_rules *r);
int sqn_policy_rule_format(const struct sqn_policy_rules *r, unsigned i,
			   char *buf, size_t len);
bool sqn_policy_host_allowed(const struct sqn_policy_rules *r, const char *name,
			     size_t len);
bool sqn_policy_net_allowed(const struct sqn_policy_rules *r, uint8_t family,
			    const uint8_t *addr, uint8_t proto, int port);
int sqn_policy_addr_parse(const char *s, size_t len,
			  struct sqn_policy_addr *out);

#endif /* SQN_POLICY_RULES_H */
