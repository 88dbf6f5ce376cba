/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iface_policy.c - the egress policy in the library core, for every
 *		    backend: rules from the parameters, a verdict on every
 *		    frame the guest writes, DNS answers learnt from every
 *		    frame it reads, replacement at run time
 *
 * Theory of operation: the engine (policy.c, pure) judges frames; this
 * file ties it to an interface. The rules of struct sqn_params are parsed
 * while the parameters are checked, before the backend opens anything;
 * the engine is made once the backend runs and can say what its own DNS
 * and gateway addresses are (struct sqn_backend_ops.policy_env). Backends
 * that only announce them over DHCP (passt, gvproxy, vmnet) are heard on
 * the read path: every frame toward the guest is looked at for a DHCP
 * answer (four bytes compared, nothing more, for any other frame), policy
 * or not, so that a policy set later still knows them.
 *
 * The engine pointer is published once (atomic, release) and lives until
 * sqn_iface_free(); sqn_iface_set_policy() either updates the engine in
 * place (it locks itself) or, the first time, makes one. The reader and
 * writer threads load the pointer once per call: without a policy that is
 * all they pay, plus the DHCP glance on the read side. One mutex (@lock)
 * orders set_policy against itself and against the DHCP answers the
 * reader hears; it is never held while a frame is judged.
 *
 * A denied frame is consumed and counted in tx_dropped (the engine counts
 * its cause); the reply the engine builds (a RST, an ICMP error, an
 * NXDOMAIN) goes into the guest's receive path, and the frame the engine
 * builds for the network in its place (a RST to the peer) is written to
 * the backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iface_policy.h"
#include "internal.h"

/**
 * struct sqn_ipol - an interface's policy state
 * @eng:	the engine, NULL until there is a policy; set once
 * @lock:	orders sqn_iface_set_policy() and DHCP environment updates
 * @rules:	rules parsed from the parameters, until the engine takes them
 * @be_env:	what the backend said of its DNS and gateway, last asked
 * @dhcp_env:	what its DHCP server announced last
 */
struct sqn_ipol {
	struct sqn_policy *_Atomic eng;
	pthread_mutex_t lock;
	struct sqn_policy_rules *rules;
	struct sqn_policy_env be_env;
	struct sqn_policy_env dhcp_env;
};

/**
 * now_ms() - the policy's clock: CLOCK_MONOTONIC in milliseconds
 *
 * Return: milliseconds
 */
static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/**
 * sqn_ipol_init() - an interface's policy state, no policy yet
 * @iface:	the interface being started
 *
 * Return: 0, or -ENOMEM with the message set
 */
int sqn_ipol_init(struct sqn_iface *iface)
{
	struct sqn_ipol *ip = calloc(1, sizeof(*ip));

	if (!ip || pthread_mutex_init(&ip->lock, NULL)) {
		free(ip);
		return sqn_seterr(iface, -ENOMEM, "out of memory");
	}
	iface->pol = ip;
	return 0;
}

/**
 * sqn_ipol_free() - free the engine and the state
 * @iface:	the interface, stopped (no reader or writer left)
 */
void sqn_ipol_free(struct sqn_iface *iface)
{
	struct sqn_ipol *ip = iface->pol;

	if (!ip)
		return;
	sqn_policy_free(atomic_load(&ip->eng));
	free(ip->rules);
	pthread_mutex_destroy(&ip->lock);
	free(ip);
	iface->pol = NULL;
}

/**
 * parse_rules() - rule strings into a rule set
 * @rules:	the strings
 * @n:		how many
 * @out:	gets a new rule set (the caller frees it)
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0, -EINVAL naming the rule refused, or -ENOMEM
 */
static int parse_rules(const char *const *rules, unsigned n,
		       struct sqn_policy_rules **out, char *err, size_t errlen)
{
	struct sqn_policy_rules *r;
	char why[SQN_MSG_LEN - 64];
	unsigned i;
	int rc;

	*out = NULL;
	if (n && !rules) {
		snprintf(err, errlen,
			 "policy_rules is NULL but n_policy_rules is %u", n);
		return -EINVAL;
	}
	r = malloc(sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "policy: out of memory");
		return -ENOMEM;
	}
	sqn_policy_rules_init(r);
	for (i = 0; i < n; i++) {
		if (!rules[i]) {
			snprintf(err, errlen, "policy rule %u is NULL", i);
			rc = -EINVAL;
			goto out_free;
		}
		rc = sqn_policy_rule_parse(r, rules[i], why, sizeof(why));
		if (rc) {
			snprintf(err, errlen, "policy rule %u: %s", i, why);
			goto out_free;
		}
	}
	rc = sqn_policy_rules_check(r, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "policy: %s", why);
		goto out_free;
	}
	*out = r;
	return 0;

out_free:
	free(r);
	return rc;
}

/**
 * sqn_ipol_check() - parse and check the parameters' rules, before any
 *		      side effect
 * @iface:	the interface being started
 * @p:		the parameters
 *
 * Return: 0, or a negative errno with the message set
 */
int sqn_ipol_check(struct sqn_iface *iface, const struct sqn_params *p)
{
	char err[SQN_MSG_LEN];
	int rc;

	if (!p->n_policy_rules)
		return 0;
	rc = parse_rules(p->policy_rules, p->n_policy_rules, &iface->pol->rules,
			 err, sizeof(err));
	return rc ? sqn_seterr(iface, rc, "%s", err) : 0;
}

/**
 * env_merged() - the environment in force: the backend's, as last asked,
 *		  and what its DHCP server announced
 * @ip:		the state, locked
 * @env:	filled
 */
static void env_merged(const struct sqn_ipol *ip, struct sqn_policy_env *env)
{
	memset(env, 0, sizeof(*env));
	sqn_policy_env_merge(env, &ip->be_env);
	sqn_policy_env_merge(env, &ip->dhcp_env);
}

/**
 * env_now() - env_merged(), the backend asked again
 * @iface:	the interface, its state locked
 * @env:	filled
 */
static void env_now(struct sqn_iface *iface, struct sqn_policy_env *env)
{
	struct sqn_ipol *ip = iface->pol;

	memset(&ip->be_env, 0, sizeof(ip->be_env));
	if (iface->ops->policy_env && !iface->stopped)
		iface->ops->policy_env(iface, &ip->be_env);
	env_merged(ip, env);
}

/**
 * engine_log() - an engine's log line, through the interface's log
 * @opaque:	the interface
 * @line:	the line
 */
static void engine_log(void *opaque, const char *line)
{
	struct sqn_iface *iface = opaque;

	sqn_log(iface, SQN_LOG_INFO, "%s: %s", iface->id, line);
}

/**
 * make_engine() - the interface's engine, from a rule set
 * @iface:	the interface, its backend running
 * @r:		the rules
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Called with the state's lock held.
 *
 * Return: 0, or a negative errno
 */
static int make_engine(struct sqn_iface *iface,
		       const struct sqn_policy_rules *r, char *err,
		       size_t errlen)
{
	struct sqn_policy_env env;
	struct sqn_policy *eng;
	int rc;

	/* the replies are frames of the core's own, and only the core's
	 * readiness fds wake the reader for them */
	if (!iface->fp.rx_ready) {
		snprintf(err, errlen,
			 "%s: policy: a policy set at run time needs the "
			 "library's readiness fds: start the interface with "
			 "policy rules or with live_controls on",
			 iface->id);
		return -EOPNOTSUPP;
	}
	rc = sqn_fp_inject_init(iface);
	if (rc) {
		sqn_iface_last_error(iface, err, errlen);
		return rc;
	}
	env_now(iface, &env);
	rc = sqn_policy_new(r, NULL, &env, engine_log, iface, &eng, err,
			    errlen);
	if (rc)
		return rc;
	atomic_store_explicit(&iface->pol->eng, eng, memory_order_release);
	return 0;
}

/**
 * sqn_ipol_start() - make the engine of the parameters' rules, if any
 * @iface:	the interface, its backend just started
 *
 * Return: 0, or a negative errno with the message set (the caller stops
 * the backend)
 */
int sqn_ipol_start(struct sqn_iface *iface)
{
	struct sqn_ipol *ip = iface->pol;
	char err[SQN_MSG_LEN];
	unsigned n;
	int rc;

	if (!ip->rules)
		return 0;
	pthread_mutex_lock(&ip->lock);
	rc = make_engine(iface, ip->rules, err, sizeof(err));
	pthread_mutex_unlock(&ip->lock);
	n = sqn_policy_rules_count(ip->rules);
	free(ip->rules);
	ip->rules = NULL;
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	sqn_log(iface, SQN_LOG_INFO, "%s: egress policy of %u rules", iface->id,
		n);
	return 0;
}

SQN_API int sqn_iface_set_policy(struct sqn_iface *iface,
				 const char *const *rules, unsigned n,
				 char *err, size_t errlen)
{
	struct sqn_policy_rules *r;
	struct sqn_policy_env env;
	struct sqn_policy *eng;
	char msg[SQN_MSG_LEN];
	int rc;

	if (!iface) {
		if (err && errlen)
			snprintf(err, errlen,
				 "sqn_iface_set_policy: iface is "
				 "NULL");
		return -EINVAL;
	}
	if (iface->stopped) {
		snprintf(msg, sizeof(msg),
			 "%s: policy: the interface is stopped", iface->id);
		rc = -ESHUTDOWN;
	} else {
		rc = parse_rules(rules, n, &r, msg, sizeof(msg));
	}
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", msg);
		return sqn_seterr(iface, rc, "%s", msg);
	}
	pthread_mutex_lock(&iface->pol->lock);
	eng = atomic_load_explicit(&iface->pol->eng, memory_order_relaxed);
	if (eng) {
		env_now(iface, &env);
		sqn_policy_set_env(eng, &env);
		rc = sqn_policy_update(eng, r, msg, sizeof(msg));
	} else if (n) {
		rc = make_engine(iface, r, msg, sizeof(msg));
	}
	pthread_mutex_unlock(&iface->pol->lock);
	free(r);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s", msg);
		return sqn_seterr(iface, rc, "%s", msg);
	}
	sqn_log(iface, SQN_LOG_INFO, "%s: egress policy of %u rules%s",
		iface->id, n, n ? "" : ": off, every frame passes");
	return 0;
}

SQN_API int sqn_iface_policy_stats(const struct sqn_iface *iface,
				   struct sqn_policy_counters *c)
{
	struct sqn_policy_counters all;
	struct sqn_policy_stats st;
	struct sqn_policy *eng;
	uint32_t size;

	if (!iface || !c || c->size < 8)
		return -EINVAL;
	size = SQN_MIN(c->size, (uint32_t)sizeof(all));
	memset(&all, 0, sizeof(all));
	eng = iface->pol ? atomic_load_explicit(&iface->pol->eng,
						memory_order_acquire)
			 : NULL;
	if (eng) {
		sqn_policy_stats(eng, &st);
		all.rules = sqn_policy_rules_in_force(eng);
		all.denied = sqn_policy_denied_total(&st);
		all.denied_addr = st.denied[SQN_POLICY_C_ADDR];
		all.denied_expired = st.denied[SQN_POLICY_C_EXPIRED];
		all.denied_dns_name = st.denied[SQN_POLICY_C_DNS_NAME];
		all.denied_dns_server = st.denied[SQN_POLICY_C_DNS_SERVER];
		all.denied_dns_bad = st.denied[SQN_POLICY_C_DNS_BAD];
		all.denied_sni = st.denied[SQN_POLICY_C_SNI];
		all.denied_sni_unchecked =
			st.denied[SQN_POLICY_C_SNI_UNCHECKED];
		all.denied_quic = st.denied[SQN_POLICY_C_QUIC];
		all.denied_proto = st.denied[SQN_POLICY_C_PROTO];
		all.denied_frame = st.denied[SQN_POLICY_C_FRAME];
		all.replies = st.replies;
		all.dns_allowed = st.dns_allowed;
		all.dns_answers = st.dns_answers;
		all.dns_malformed = st.dns_malformed;
		all.dns_split = st.dns_split;
		all.learnt = st.learnt;
		all.refreshed = st.refreshed;
		all.evicted = st.evicted;
		all.expired = st.expired;
		all.revoked = st.revoked;
		all.learnt_now = st.learnt_now;
		all.sni_checked = st.sni_checked;
		all.log_suppressed = st.log_suppressed;
	}
	all.size = size;
	memcpy(c, &all, size);
	return 0;
}

/**
 * sqn_ipol_tx_begin() - a write call's policy state
 * @iface:	the interface
 * @t:		filled: the engine (NULL: no policy) and the time
 */
void sqn_ipol_tx_begin(struct sqn_iface *iface, struct sqn_ipol_tx *t)
{
	t->eng = atomic_load_explicit(&iface->pol->eng, memory_order_acquire);
	t->now = t->eng ? now_ms() : 0;
}

/**
 * sqn_ipol_tx() - the policy's verdict on a frame the guest wrote
 * @t:		the write call's state, with an engine
 * @f:		the frame, valid (length checked)
 *
 * Return: true to pass it on; false when denied, the replies in @t until
 * the next call
 */
bool sqn_ipol_tx(struct sqn_ipol_tx *t, const struct sqn_frame *f)
{
	t->out.reply = t->reply;
	t->out.net = t->net;
	return sqn_policy_tx(t->eng, f->data, f->len, t->now, &t->out) ==
	       SQN_POLICY_PASS;
}

/**
 * sqn_ipol_denied() - settle the frame sqn_ipol_tx() denied last: count
 *		       it, send its replies
 * @iface:	the interface
 * @q:		the queue it was written to
 * @t:		the write call's state
 *
 * The reply goes into the guest's receive path; the frame for the network
 * (a RST to the peer of a connection reset mid-way) to the backend, in the
 * denied frame's place (not counted as the guest's: it is ours).
 */
void sqn_ipol_denied(struct sqn_iface *iface, unsigned q, struct sqn_ipol_tx *t)
{
	struct sqn_frame nf;

	SQN_STAT_ADD(iface, tx_dropped, 1);
	if (t->out.reply_len)
		(void)sqn_fp_inject(iface, t->reply, t->out.reply_len, NULL);
	if (t->out.net_len) {
		memset(&nf, 0, sizeof(nf));
		nf.data = t->net;
		nf.len = t->out.net_len;
		(void)iface->ops->write(iface, q, &nf, 1);
	}
}

/**
 * dhcp_heard() - a DHCP answer toward the guest: the backend's resolvers
 *		  and gateway as its server announces them
 * @iface:	the interface
 * @env:	what the answer announced
 */
static void dhcp_heard(struct sqn_iface *iface,
		       const struct sqn_policy_env *env)
{
	struct sqn_ipol *ip = iface->pol;
	struct sqn_policy_env all;
	struct sqn_policy *eng;

	pthread_mutex_lock(&ip->lock);
	if (memcmp(&ip->dhcp_env, env, sizeof(*env)) != 0) {
		ip->dhcp_env = *env;
		eng = atomic_load_explicit(&ip->eng, memory_order_relaxed);
		if (eng) {
			env_merged(ip, &all);
			sqn_policy_set_env(eng, &all);
		}
	}
	pthread_mutex_unlock(&ip->lock);
}

/**
 * sqn_ipol_rx() - frames read for the guest, through the policy
 * @iface:	the interface
 * @f:		the frames the backend filled
 * @n:		how many
 *
 * DHCP answers are heard (policy or not); with a policy, DNS answers from
 * the resolvers teach the engine, and a malformed one over UDP is dropped
 * (counted in rx_dropped): the frames after it move up one buffer each (a
 * frame that does not fit its new buffer is dropped too).
 *
 * Return: how many frames are left
 */
int sqn_ipol_rx(struct sqn_iface *iface, struct sqn_frame *f, int n)
{
	struct sqn_policy *eng =
		atomic_load_explicit(&iface->pol->eng, memory_order_acquire);
	struct sqn_policy_env env;
	uint64_t now = 0;
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (sqn_policy_dhcp_env(f[i].data, f[i].len, &env))
			dhcp_heard(iface, &env);
		if (eng) {
			if (!now)
				now = now_ms();
			if (sqn_policy_rx(eng, f[i].data, f[i].len, now) !=
			    SQN_POLICY_PASS) {
				SQN_STAT_ADD(iface, rx_dropped, 1);
				continue;
			}
		}
		if (k != i) {
			if (f[i].len > f[k].cap) {
				SQN_STAT_ADD(iface, rx_dropped, 1);
				continue;
			}
			memcpy(f[k].data, f[i].data, f[i].len);
			f[k].len = f[i].len;
			f[k].vnet = f[i].vnet;
		}
		k++;
	}
	return k;
}

/**
 * sqn_ipol_denied_count() - frames the policy denied, every cause
 * @iface:	the interface
 *
 * Return: struct sqn_stats_ext.policy_denied
 */
uint64_t sqn_ipol_denied_count(const struct sqn_iface *iface)
{
	struct sqn_policy *eng =
		iface->pol ? atomic_load_explicit(&iface->pol->eng,
						  memory_order_acquire)
			   : NULL;
	struct sqn_policy_stats st;

	if (!eng)
		return 0;
	sqn_policy_stats(eng, &st);
	return sqn_policy_denied_total(&st);
}
