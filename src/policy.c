/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c - the egress policy engine: a verdict on every frame a guest
 *	      sends (pure: no I/O, no allocation per frame)
 *
 * Theory of operation: a frame from the guest is parsed (pkt.c) and, in
 * this order:
 *  1. frames that are not IPv4, IPv6 or ARP are denied (a VLAN tag would
 *     hide the rest from the checks); ARP passes;
 *  2. the network's own housekeeping passes whatever the rules say: DHCP
 *     and DHCPv6 requests, router and neighbour solicitation and the rest
 *     of NDP, MLD and IGMP, when sent to this link (a group address, an
 *     IPv6 link-local one, or the gateway: sent far away they would be a
 *     way out), and ICMP to the gateway or a resolver;
 *  3. a source-routed packet is denied (its destination is not final);
 *  4. DNS (port 53, UDP or TCP) goes to the allowed resolvers only, and
 *     only for allowed names (policy_dns.c); a query for any other name is
 *     answered NXDOMAIN here;
 *  5. an allow-net rule that covers the destination (and protocol, port)
 *     passes the frame;
 *  6. an address learnt from a DNS answer for an allowed name passes while
 *     its lifetime lasts, and for flows already running after that
 *     (struct sqn_policy_limits: grace, linger); with check-sni a TCP
 *     connection to port 443 of such an address has its ClientHello
 *     checked (policy_sni.c) and UDP to port 443 is denied (QUIC);
 *  7. anything else is denied, and the guest gets a RST for TCP or an ICMP
 *     "administratively prohibited" for the rest (none about ICMP errors,
 *     group destinations or later fragments).
 * A later IP fragment has no ports: it passes when a rule or learnt name
 * allows its address for its protocol whatever the port.
 *
 * Frames to the guest only teach: DNS answers from the resolvers are
 * parsed and the addresses answered for allowed names learnt
 * (policy_dns.c).
 *
 * One mutex guards the state: the writer thread (tx) and the reader thread
 * (rx) each hold it for the time of one verdict; frames that need no
 * state (no policy, rx frames that are not from port 53) never take it.
 * Log lines are formatted under the lock and emitted after it is dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy_int.h"

static const struct {
	const char *name;
	const char *text;
} causes[SQN_POLICY_NCAUSES] = {
	[SQN_POLICY_C_ADDR] = {"addr", "destination not allowed"},
	[SQN_POLICY_C_EXPIRED] = {"expired",
				  "destination learnt from DNS, lifetime "
				  "over"},
	[SQN_POLICY_C_DNS_NAME] = {"dns_name", "DNS query for a name not "
					       "allowed"},
	[SQN_POLICY_C_DNS_SERVER] = {"dns_server",
				     "DNS to a server that is not an allowed "
				     "resolver"},
	[SQN_POLICY_C_DNS_BAD] = {"dns_bad",
				  "DNS query malformed, not a plain query, "
				  "or split across segments"},
	[SQN_POLICY_C_SNI] = {"sni", "TLS server name not allowed"},
	[SQN_POLICY_C_SNI_UNCHECKED] = {"sni_unchecked",
					"TLS ClientHello that could not be "
					"checked"},
	[SQN_POLICY_C_QUIC] = {"quic", "UDP port 443 to an address allowed "
				       "by name only (check-sni)"},
	[SQN_POLICY_C_PROTO] = {"proto", "not IPv4, IPv6 or ARP, or source-"
					 "routed"},
	[SQN_POLICY_C_FRAME] = {"frame", "malformed Ethernet or IP headers"},
};

/**
 * sqn_policy_cause_name() - a cause's short name, for counters and
 *			     control replies
 * @c:	the cause
 *
 * Return: "addr", "expired", ..., "?" out of range
 */
const char *sqn_policy_cause_name(enum sqn_policy_cause c)
{
	return (unsigned)c < SQN_POLICY_NCAUSES ? causes[c].name : "?";
}

/**
 * sqn_policy_cause_text() - a cause in words, for log lines
 * @c:	the cause
 *
 * Return: the text, "?" out of range
 */
const char *sqn_policy_cause_text(enum sqn_policy_cause c)
{
	return (unsigned)c < SQN_POLICY_NCAUSES ? causes[c].text : "?";
}

/**
 * sqn_pol_addr_of() - an address from a packet's bytes
 * @out:	filled
 * @family:	4 or 6
 * @a:		4 or 16 bytes
 */
void sqn_pol_addr_of(struct sqn_policy_addr *out, uint8_t family,
		     const uint8_t *a)
{
	memset(out, 0, sizeof(*out));
	out->family = family;
	memcpy(out->a, a, family == 4 ? 4 : 16);
}

/**
 * sqn_pol_addr_in() - whether an address is in a list
 * @set:	the list
 * @n:		its length
 * @family:	4 or 6
 * @a:		4 or 16 bytes
 *
 * Return: true if it is
 */
bool sqn_pol_addr_in(const struct sqn_policy_addr *set, unsigned n,
		     uint8_t family, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (set[i].family == family &&
		    !memcmp(set[i].a, a, family == 4 ? 4 : 16))
			return true;
	return false;
}

/**
 * sqn_pol_deny() - record a denial's cause and reply
 * @d:		the denial
 * @cause:	why
 * @reply:	what goes back
 *
 * Return: SQN_POLICY_DENY
 */
enum sqn_policy_verdict sqn_pol_deny(struct pol_deny *d,
				     enum sqn_policy_cause cause,
				     enum pol_reply reply)
{
	d->cause = cause;
	d->reply = reply;
	return SQN_POLICY_DENY;
}

/**
 * sqn_pol_set_resolvers() - the resolvers in force: allow-dns, else the
 *			     backend's
 * @p:	the engine, rules and environment set, locked (or not yet shared)
 */
void sqn_pol_set_resolvers(struct sqn_policy *p)
{
	const struct sqn_policy_addr *src = p->rules.dns;
	unsigned n = p->rules.n_dns;

	if (!n) {
		src = p->env.dns;
		n = SQN_MIN_U(p->env.n_dns, SQN_POLICY_ENV_MAX);
	}
	memcpy(p->res, src, n * sizeof(*src));
	p->n_res = n;
}

/**
 * limits_resolve() - check the limits and fill in the defaults
 * @in:		the caller's limits, or NULL for all defaults
 * @out:	the limits in force
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL with a message
 */
static int limits_resolve(const struct sqn_policy_limits *in,
			  struct sqn_policy_limits *out, char *err,
			  size_t errlen)
{
	static const struct sqn_policy_limits def = {
		.max_learnt = 1024,
		.ttl_min_s = 5,
		.ttl_max_s = 86400,
		.grace_s = 2,
		.linger_s = 300,
		.sni_flows = 16,
		.log_per_s = 10,
	};

	*out = in ? *in : def;
	out->max_learnt = out->max_learnt ? out->max_learnt : def.max_learnt;
	out->ttl_min_s = out->ttl_min_s ? out->ttl_min_s : def.ttl_min_s;
	out->ttl_max_s = out->ttl_max_s ? out->ttl_max_s : def.ttl_max_s;
	out->grace_s = out->grace_s ? out->grace_s : def.grace_s;
	out->linger_s = out->linger_s ? out->linger_s : def.linger_s;
	out->sni_flows = out->sni_flows ? out->sni_flows : def.sni_flows;
	out->log_per_s = out->log_per_s ? out->log_per_s : def.log_per_s;
	if (out->max_learnt > SQN_LEARN_MAX || out->sni_flows > 4096 ||
	    out->ttl_min_s > out->ttl_max_s || out->ttl_max_s > 604800) {
		if (err && errlen)
			snprintf(err, errlen,
				 "policy limits: max_learnt %u (at most %u), "
				 "sni_flows %u (at most 4096), TTL %u..%u s "
				 "(at most 604800, the least first)",
				 out->max_learnt, SQN_LEARN_MAX, out->sni_flows,
				 out->ttl_min_s, out->ttl_max_s);
		return -EINVAL;
	}
	return 0;
}

/**
 * sqn_policy_new() - make an engine
 * @rules:	the rule set (copied; checked with sqn_policy_rules_check())
 * @lim:	limits, NULL or zero fields for the defaults
 * @env:	the backend's DNS and gateway addresses, may be NULL
 * @log:	where denial lines go, may be NULL
 * @opaque:	its argument
 * @out:	gets the engine
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL (rules, limits) or -ENOMEM with a message, and
 * nothing held
 */
int sqn_policy_new(const struct sqn_policy_rules *rules,
		   const struct sqn_policy_limits *lim,
		   const struct sqn_policy_env *env, sqn_policy_log_fn log,
		   void *opaque, struct sqn_policy **out, char *err,
		   size_t errlen)
{
	struct sqn_policy *p;
	int rc;

	*out = NULL;
	rc = sqn_policy_rules_check(rules, err, errlen);
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out_nomem;
	rc = limits_resolve(lim, &p->lim, err, errlen);
	if (rc)
		goto out_free;
	p->flow = calloc(p->lim.sni_flows, sizeof(*p->flow));
	if (!p->flow ||
	    sqn_learn_init(&p->learn, p->lim.max_learnt,
			   (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull))
		goto out_nomem_free;
	if (pthread_mutex_init(&p->lock, NULL))
		goto out_nomem_free;
	p->rules = *rules;
	if (env)
		sqn_policy_env_merge(&p->env, env);
	sqn_pol_set_resolvers(p);
	p->log = log;
	p->opaque = opaque;
	atomic_init(&p->active, sqn_policy_rules_active(rules));
	*out = p;
	return 0;

out_nomem_free:
	rc = -ENOMEM;
	if (err && errlen)
		snprintf(err, errlen,
			 "policy: out of memory for %u learnt "
			 "addresses and %u ClientHello buffers",
			 p->lim.max_learnt, p->lim.sni_flows);
out_free:
	sqn_learn_fini(&p->learn);
	free(p->flow);
	free(p);
	return rc;
out_nomem:
	if (err && errlen)
		snprintf(err, errlen, "policy: out of memory");
	return -ENOMEM;
}

/**
 * sqn_policy_free() - free an engine
 * @p:	the engine, or NULL
 */
void sqn_policy_free(struct sqn_policy *p)
{
	if (!p)
		return;
	pthread_mutex_destroy(&p->lock);
	sqn_learn_fini(&p->learn);
	free(p->flow);
	free(p);
}

/**
 * sqn_policy_update() - replace the rule set of a running engine
 * @p:		the engine
 * @rules:	the new set (copied)
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * The switch is atomic: a frame is judged wholly by the old set or wholly
 * by the new. Learnt addresses are re-checked: those whose name the new
 * set no longer allows are removed at once (counted in @revoked), the
 * others keep their lifetime, so an update never breaks flows it still
 * allows. ClientHellos being followed are judged by the new set.
 *
 * Return: 0, or -EINVAL with a message and the old set still in force
 */
int sqn_policy_update(struct sqn_policy *p,
		      const struct sqn_policy_rules *rules, char *err,
		      size_t errlen)
{
	struct sqn_learn_entry *e, *next;
	int rc = sqn_policy_rules_check(rules, err, errlen);

	if (rc)
		return rc;
	pthread_mutex_lock(&p->lock);
	p->rules = *rules;
	sqn_pol_set_resolvers(p);
	for (e = sqn_learn_oldest(&p->learn); e; e = next) {
		next = sqn_learn_newer(&p->learn, e);
		if (!sqn_policy_host_allowed(&p->rules, e->name,
					     strlen(e->name))) {
			sqn_learn_del(&p->learn, e);
			p->st.revoked++;
		}
	}
	atomic_store(&p->active, sqn_policy_rules_active(rules));
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/**
 * sqn_policy_stats() - copy the counters
 * @p:		the engine
 * @st:		filled
 */
void sqn_policy_stats(struct sqn_policy *p, struct sqn_policy_stats *st)
{
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	st->learnt_now = p->learn.n;
	pthread_mutex_unlock(&p->lock);
}

/**
 * sqn_policy_rules_in_force() - how many rules the engine applies
 * @p:		the engine
 *
 * Return: the number of rules, 0 when the rules in force turn the policy
 * off
 */
unsigned sqn_policy_rules_in_force(struct sqn_policy *p)
{
	unsigned n = 0;

	pthread_mutex_lock(&p->lock);
	if (sqn_policy_rules_active(&p->rules))
		n = sqn_policy_rules_count(&p->rules);
	pthread_mutex_unlock(&p->lock);
	return n;
}

/**
 * sqn_policy_denied_total() - all denials, whatever the cause
 * @st:	counters
 *
 * Return: the sum of @st->denied
 */
uint64_t sqn_policy_denied_total(const struct sqn_policy_stats *st)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < SQN_POLICY_NCAUSES; i++)
		n += st->denied[i];
	return n;
}

/**
 * local_icmp6() - whether an ICMPv6 message is link housekeeping
 * @k:	the packet, ICMPv6
 *
 * Return: true for MLD (130-132, 143) and NDP (133-137)
 */
static bool local_icmp6(const struct sqn_pkt *k)
{
	return (k->icmp_type >= 130 && k->icmp_type <= 137) ||
	       k->icmp_type == 143;
}

/**
 * on_link() - whether a packet's destination is this link's: a group
 *	       address, an IPv6 link-local address, or the gateway
 * @p:	the engine
 * @k:	the packet, IP
 *
 * Housekeeping passes only there: DHCP or NDP sent to an address far
 * away would be a way out for anything.
 *
 * Return: true if it is
 */
static bool on_link(const struct sqn_policy *p, const struct sqn_pkt *k)
{
	return k->l3_group ||
	       (k->family == 6 && k->dst[0] == 0xfe &&
		(k->dst[1] & 0xc0) == 0x80) ||
	       sqn_pol_addr_in(p->env.gw,
			       SQN_MIN_U(p->env.n_gw, SQN_POLICY_ENV_MAX),
			       k->family, k->dst);
}

/**
 * local_pass() - whether a packet is the network's housekeeping, passed
 *		  whatever the rules
 * @p:	the engine
 * @k:	the packet, IP
 *
 * Return: true for DHCP and DHCPv6 requests, NDP, MLD and IGMP to this
 * link (on_link()), and ICMP to the gateway or a resolver
 */
static bool local_pass(const struct sqn_policy *p, const struct sqn_pkt *k)
{
	bool icmp = k->proto == (k->family == 4 ? SQN_PKT_ICMP : SQN_PKT_ICMP6);

	if (k->frag_later)
		return false;
	if (k->proto == SQN_PKT_UDP)
		return (k->family == 4 ? k->sport == 68 && k->dport == 67
				       : k->sport == 546 && k->dport == 547) &&
		       on_link(p, k);
	if (k->family == 4 && k->proto == SQN_PKT_IGMP)
		return k->l3_group;
	if (!icmp)
		return false;
	if (k->family == 6 && local_icmp6(k) && on_link(p, k))
		return true;
	return sqn_pol_addr_in(p->env.gw,
			       SQN_MIN_U(p->env.n_gw, SQN_POLICY_ENV_MAX),
			       k->family, k->dst) ||
	       sqn_pol_addr_in(p->res, p->n_res, k->family, k->dst);
}

/**
 * learnt_pass() - the verdict for a destination learnt from DNS
 * @p:		the engine
 * @k:		the packet
 * @e:		the destination's entry
 * @now:	the time (ms)
 * @d:		the denial, filled when denied
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict learnt_pass(struct sqn_policy *p,
					   const struct sqn_pkt *k,
					   struct sqn_learn_entry *e,
					   uint64_t now, struct pol_deny *d)
{
	bool fresh = now < e->expires;
	bool linger = e->used && now - e->used < p->lim.linger_s * MS;
	bool ongoing =
		(k->proto == SQN_PKT_TCP && !(k->tcp_flags & SQN_PKT_SYN)) ||
		k->proto == SQN_PKT_UDP;

	if (!fresh && (!linger || !ongoing)) {
		snprintf(d->name, sizeof(d->name), "%s", e->name);
		if (!linger) {
			sqn_learn_del(&p->learn, e);
			p->st.expired++;
		}
		return sqn_pol_deny(d, SQN_POLICY_C_EXPIRED, POL_REPLY_AUTO);
	}
	e->used = now ? now : 1;
	if (!p->rules.check_sni || k->frag_later || k->dport != 443)
		return SQN_POLICY_PASS;
	if (k->proto == SQN_PKT_UDP)
		return sqn_pol_deny(d, SQN_POLICY_C_QUIC, POL_REPLY_AUTO);
	if (k->proto == SQN_PKT_TCP)
		return sqn_pol_sni(p, k, now, d);
	return SQN_POLICY_PASS;
}

/**
 * decide() - the verdict on a guest's IP packet, under the lock
 * @p:		the engine
 * @k:		the packet
 * @now:	the time (ms)
 * @d:		the denial, filled when denied
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict decide(struct sqn_policy *p,
				      const struct sqn_pkt *k, uint64_t now,
				      struct pol_deny *d)
{
	bool ports = sqn_pkt_has_ports(k);
	struct sqn_policy_addr dst;
	struct sqn_learn_entry *e;

	if (local_pass(p, k))
		return SQN_POLICY_PASS;
	if (k->src_route)
		return sqn_pol_deny(d, SQN_POLICY_C_PROTO, POL_REPLY_AUTO);
	if (ports && k->dport == 53)
		return sqn_pol_dns_query(p, k, d);
	if (sqn_policy_net_allowed(&p->rules, k->family, k->dst, k->proto,
				   ports ? k->dport : -1))
		return SQN_POLICY_PASS;
	sqn_pol_addr_of(&dst, k->family, k->dst);
	e = sqn_learn_find(&p->learn, &dst);
	if (e)
		return learnt_pass(p, k, e, now, d);
	return sqn_pol_deny(d, SQN_POLICY_C_ADDR, POL_REPLY_AUTO);
}

/**
 * build_replies() - the frames a denial sends back
 * @p:		the engine
 * @k:		the packet denied
 * @d:		the denial
 * @out:	the caller's buffers; lengths set
 */
static void build_replies(struct sqn_policy *p, const struct sqn_pkt *k,
			  const struct pol_deny *d, struct sqn_policy_out *out)
{
	uint8_t *r = out->reply;

	if (r && d->reply == POL_REPLY_DNS)
		out->reply_len =
			sqn_pkt_udp_reply(k, d->dns, (uint32_t)d->dns_len, r,
					  SQN_POLICY_REPLY_MAX);
	else if (r && d->reply != POL_REPLY_NONE && k->proto == SQN_PKT_TCP &&
		 sqn_pkt_has_ports(k))
		out->reply_len =
			sqn_pkt_tcp_rst(k, true, r, SQN_POLICY_REPLY_MAX);
	else if (r && d->reply == POL_REPLY_AUTO)
		out->reply_len =
			sqn_pkt_icmp_prohibited(k, r, SQN_POLICY_REPLY_MAX);
	if (out->net && d->reply == POL_REPLY_RST_BOTH)
		out->net_len = sqn_pkt_tcp_rst(k, false, out->net,
					       SQN_POLICY_REPLY_MAX);
	if (out->reply_len)
		p->st.replies++;
}

/**
 * fmt_endpoint() - "ADDR:PORT", "[ADDR6]:PORT" or "ADDR"
 * @k:		the packet
 * @a:		the address (in @k)
 * @port:	the port, used when the packet has ports
 * @buf:	the text
 * @len:	its size
 */
static void fmt_endpoint(const struct sqn_pkt *k, const uint8_t *a,
			 uint16_t port, char *buf, size_t len)
{
	char s[64];

	sqn_pkt_addr_fmt(k->family, a, s, sizeof(s));
	if (!sqn_pkt_has_ports(k))
		snprintf(buf, len, "%s", s);
	else if (k->family == 6)
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

/**
 * proto_name() - a protocol's name for log lines
 * @k:		the packet
 * @buf:	room for a number
 * @len:	its size
 *
 * Return: "tcp", "udp", "icmp", "icmp6", or the number
 */
static const char *proto_name(const struct sqn_pkt *k, char *buf, size_t len)
{
	switch (k->proto) {
	case SQN_PKT_TCP:
		return "tcp";
	case SQN_PKT_UDP:
		return "udp";
	case SQN_PKT_ICMP:
		return "icmp";
	case SQN_PKT_ICMP6:
		return "icmp6";
	default:
		snprintf(buf, len, "proto %u", k->proto);
		return buf;
	}
}

/**
 * log_admit() - whether the rate limit lets a log line out now
 * @p:		the engine, locked
 * @now:	the time (ms)
 *
 * Return: true to log; false when counted as suppressed
 */
static bool log_admit(struct sqn_policy *p, uint64_t now)
{
	if (!p->log)
		return false;
	if (now - p->log_window >= MS || now < p->log_window) {
		p->log_window = now;
		p->log_count = 0;
	}
	if (p->log_count >= p->lim.log_per_s) {
		p->log_skipped++;
		p->st.log_suppressed++;
		return false;
	}
	p->log_count++;
	p->st.log_lines++;
	return true;
}

/**
 * format_line() - the log line of a denial
 * @p:		the engine, locked (the suppressed count is reset)
 * @k:		the packet (family 0 when it is not IP or did not parse)
 * @len:	the frame's length
 * @d:		the denial
 * @line:	the text, SQN_POLICY_LOG_MAX bytes
 */
static void format_line(struct sqn_policy *p, const struct sqn_pkt *k,
			uint32_t len, const struct pol_deny *d, char *line)
{
	char src[80], dst[80], pn[16], more[48] = "";

	if (p->log_skipped)
		snprintf(more, sizeof(more), " (%llu more not logged)",
			 (unsigned long long)p->log_skipped);
	p->log_skipped = 0;
	if (!k->family) {
		snprintf(line, SQN_POLICY_LOG_MAX,
			 "policy: denied a %u-byte frame (EtherType 0x%04x): "
			 "%s%s",
			 len, k->ethertype, sqn_policy_cause_text(d->cause),
			 more);
		return;
	}
	fmt_endpoint(k, k->src, k->sport, src, sizeof(src));
	fmt_endpoint(k, k->dst, k->dport, dst, sizeof(dst));
	snprintf(line, SQN_POLICY_LOG_MAX,
		 "policy: denied %s %s -> %s: %s%s%s%s%s",
		 proto_name(k, pn, sizeof(pn)), src, dst,
		 sqn_policy_cause_text(d->cause), d->name[0] ? " (name " : "",
		 d->name, d->name[0] ? ")" : "", more);
}

/**
 * finish_deny() - count a denial, build its replies, format its log line
 * @p:		the engine, locked
 * @k:		the packet (family 0 when it is not IP or did not parse)
 * @len:	the frame's length
 * @d:		the denial
 * @now:	the time (ms)
 * @out:	the caller's buffers
 * @line:	gets the log line, "" for none
 */
static void finish_deny(struct sqn_policy *p, const struct sqn_pkt *k,
			uint32_t len, const struct pol_deny *d, uint64_t now,
			struct sqn_policy_out *out, char *line)
{
	p->st.denied[d->cause]++;
	out->cause = d->cause;
	if (k->family)
		build_replies(p, k, d, out);
	if (log_admit(p, now))
		format_line(p, k, len, d, line);
}

/**
 * sqn_policy_tx() - the verdict on a frame from the guest
 * @p:		the engine
 * @frame:	the frame, from its Ethernet header
 * @len:	its length
 * @now_ms:	the time, caller's monotonic clock
 * @out:	reply buffers in, reply lengths and cause out
 *
 * Return: SQN_POLICY_PASS to send the frame on, SQN_POLICY_DENY to drop
 * it (and queue out->reply for the guest when out->reply_len is set)
 */
enum sqn_policy_verdict sqn_policy_tx(struct sqn_policy *p,
				      const uint8_t *frame, uint32_t len,
				      uint64_t now_ms,
				      struct sqn_policy_out *out)
{
	enum sqn_policy_verdict v = SQN_POLICY_DENY;
	char line[SQN_POLICY_LOG_MAX];
	struct pol_deny d;
	struct sqn_pkt k;
	int rc;

	line[0] = '\0';
	out->reply_len = 0;
	out->net_len = 0;
	if (!atomic_load_explicit(&p->active, memory_order_relaxed))
		return SQN_POLICY_PASS;
	rc = sqn_pkt_parse(&k, frame, len);
	if (!rc && !k.family && k.ethertype == SQN_PKT_ETH_ARP)
		return SQN_POLICY_PASS;
	d.name[0] = '\0';
	pthread_mutex_lock(&p->lock);
	if (rc)
		sqn_pol_deny(&d, SQN_POLICY_C_FRAME, POL_REPLY_NONE);
	else if (!k.family)
		sqn_pol_deny(&d, SQN_POLICY_C_PROTO, POL_REPLY_NONE);
	else
		v = decide(p, &k, now_ms, &d);
	if (rc)
		k.family = 0; /* only the EtherType is known */
	if (v == SQN_POLICY_DENY)
		finish_deny(p, &k, len, &d, now_ms, out, line);
	pthread_mutex_unlock(&p->lock);
	if (line[0])
		p->log(p->opaque, line);
	return v;
}

/**
 * sqn_policy_rx() - look at a frame on its way to the guest
 * @p:		the engine
 * @frame:	the frame, from its Ethernet header
 * @len:	its length
 * @now_ms:	the time, caller's monotonic clock
 *
 * DNS answers from the resolvers (UDP or TCP, source port 53) teach the
 * engine the addresses of allowed names; every other frame passes
 * untouched, without taking the lock.
 *
 * Return: SQN_POLICY_DENY for a malformed DNS answer over UDP from a
 * resolver (drop it; counted in @dns_malformed), else SQN_POLICY_PASS
 */
enum sqn_policy_verdict sqn_policy_rx(struct sqn_policy *p,
				      const uint8_t *frame, uint32_t len,
				      uint64_t now_ms)
{
	enum sqn_policy_verdict v;
	struct sqn_pkt k;

	if (!atomic_load_explicit(&p->active, memory_order_relaxed) ||
	    sqn_pkt_parse(&k, frame, len) || !sqn_pkt_has_ports(&k) ||
	    k.sport != 53)
		return SQN_POLICY_PASS;
	pthread_mutex_lock(&p->lock);
	v = sqn_pol_dns_answer(p, &k, now_ms);
	pthread_mutex_unlock(&p->lock);
	return v;
}
