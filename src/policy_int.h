/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_int.h - what the egress policy's files share (policy.c,
 *		  policy_dns.c, policy_sni.c); never used elsewhere
 */
#ifndef SQN_POLICY_INT_H
#define SQN_POLICY_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "dns.h"
#include "learn.h"
#include "policy.h"

#define SQN_MIN_U(a, b) ((a) < (b) ? (a) : (b))
/* milliseconds in a second */
#define MS 1000ull

/**
 * struct sqn_policy_flow - a TLS ClientHello being followed across
 *			    segments (check-sni)
 * @src:	guest address
 * @dst:	server address
 * @sport:	guest port
 * @dport:	server port
 * @used:	the slot is taken
 * @next:	sequence number of the next byte expected
 * @started:	when the hello's first segment was seen (ms)
 * @len:	bytes of the hello held
 * @buf:	those bytes
 */
struct sqn_policy_flow {
	struct sqn_policy_addr src;
	struct sqn_policy_addr dst;
	uint16_t sport;
	uint16_t dport;
	bool used;
	uint32_t next;
	uint64_t started;
	uint32_t len;
	uint8_t buf[SQN_POLICY_HELLO_MAX];
};

/**
 * enum pol_reply - what a denial sends back
 * @POL_REPLY_AUTO:	TCP: RST to the guest; else ICMP prohibited
 * @POL_REPLY_NONE:	nothing
 * @POL_REPLY_RST_BOTH:	RST to the guest and one onward to the peer
 * @POL_REPLY_DNS:	the DNS reply in struct pol_deny, over UDP
 */
enum pol_reply {
	POL_REPLY_AUTO,
	POL_REPLY_NONE,
	POL_REPLY_RST_BOTH,
	POL_REPLY_DNS,
};

/**
 * struct pol_deny - a denial being decided, under the lock
 * @cause:	why
 * @reply:	what goes back
 * @name:	the name involved, "" when none is known
 * @dns_len:	length of @dns
 * @dns:	the DNS reply for POL_REPLY_DNS
 */
struct pol_deny {
	enum sqn_policy_cause cause;
	enum pol_reply reply;
	char name[SQN_DNS_NAME_MAX + 1];
	int dns_len;
	uint8_t dns[SQN_DNS_REPLY_MAX];
};

/**
 * struct sqn_policy - the engine
 * @lock:	guards everything below but @active
 * @active:	the rules turn the policy on (read without the lock)
 * @rules:	the rule set in force
 * @res:	the resolvers: the allow-dns rules, else the environment's
 * @n_res:	how many
 * @env:	what the backend said about the network
 * @lim:	limits, defaults resolved
 * @learn:	addresses learnt from DNS
 * @flow:	ClientHellos being followed, @lim.sni_flows of them
 * @st:		counters
 * @log:	log callback, may be NULL
 * @opaque:	its argument
 * @log_window:	start of the current second of the log rate limit (ms)
 * @log_count:	lines logged in it
 * @log_skipped: denials not logged since the last line
 */
struct sqn_policy {
	pthread_mutex_t lock;
	atomic_bool active;
	struct sqn_policy_rules rules;
	struct sqn_policy_addr res[SQN_POLICY_MAX_DNS];
	unsigned n_res;
	struct sqn_policy_env env;
	struct sqn_policy_limits lim;
	struct sqn_learn learn;
	struct sqn_policy_flow *flow;
	struct sqn_policy_stats st;
	sqn_policy_log_fn log;
	void *opaque;
	uint64_t log_window;
	unsigned log_count;
	uint64_t log_skipped;
};

bool sqn_pol_addr_in(const struct sqn_policy_addr *set, unsigned n,
		     uint8_t family, const uint8_t *a);
void sqn_pol_addr_of(struct sqn_policy_addr *out, uint8_t family,
		     const uint8_t *a);
void sqn_pol_set_resolvers(struct sqn_policy *p);
enum sqn_policy_verdict sqn_pol_deny(struct pol_deny *d,
				     enum sqn_policy_cause cause,
				     enum pol_reply reply);
enum sqn_policy_verdict sqn_pol_dns_query(struct sqn_policy *p,
					  const struct sqn_pkt *k,
					  struct pol_deny *d);
enum sqn_policy_verdict
sqn_pol_dns_answer(struct sqn_policy *p, const struct sqn_pkt *k, uint64_t now);
enum sqn_policy_verdict sqn_pol_sni(struct sqn_policy *p,
				    const struct sqn_pkt *k, uint64_t now,
				    struct pol_deny *d);

#endif /* SQN_POLICY_INT_H */
