/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_policy.c - squib-net serve's egress policy: one engine per VM port
 *
 * Theory of operation: serve's --allow-host, --allow-net, --allow-dns,
 * --deny-all and --check-sni are the rules of every VM port, and a
 * --listen URL may carry rules of its own for its ports instead
 * (",allow-host=pypi.org,deny-all"). Each port gets its own engine (the
 * policy's pure modules, compiled into the command) when it opens, so what
 * one VM resolves teaches nothing to another. The uplink carries none: a
 * port's frames are judged before the switch sends them anywhere, to the
 * uplink or to another port alike (peers are destinations like any other:
 * allow their network to let VMs talk).
 *
 * Frames toward a port teach its engine only when they come from the
 * uplink: a DNS answer or a DHCP answer from another port could be a VM
 * forging its resolver's. DHCP answers from the uplink name the port's
 * resolvers and gateway (the uplink's own DHCP server: libslirp's, passt's);
 * with a TAP uplink, --host-addr's address is both too.
 *
 * A denied frame is not switched; the engine's reply (RST, ICMP, NXDOMAIN)
 * is queued to the port it came from, and its frame for the network (a
 * RST to the peer) is switched in the denied frame's place. Nothing is
 * allocated per frame: the engines are made when ports open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"

/**
 * port_log() - an engine's denial line, with -v
 * @opaque:	the port
 * @line:	the line
 */
static void port_log(void *opaque, const char *line)
{
	const struct serve_port *p = opaque;

	if (cli_verbose)
		fprintf(stderr, "squib-net: serve: port %u: %s\n", p->id, line);
}

/**
 * serve_policy_start() - the rule sets of the listeners and the base
 *			  environment, before any port opens
 * @s:		serve, its listeners open
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int serve_policy_start(struct serve *s, char *err, size_t errlen)
{
	const struct serve_opts *o = s->o;
	char why[300];
	unsigned i, k;

	for (i = 0; i < o->n_listen; i++) {
		const struct serve_listen_opt *l = &o->listen[i];
		struct sqn_policy_rules *r;

		if (!l->n_rules)
			continue;
		r = malloc(sizeof(*r));
		if (!r) {
			snprintf(err, errlen, "serve: out of memory");
			return -ENOMEM;
		}
		sqn_policy_rules_init(r);
		for (k = 0; k < l->n_rules; k++)
			if (sqn_policy_rule_parse(r, l->rules[k], why,
						  sizeof(why))) {
				/* checked when parsed: cannot happen */
				snprintf(err, errlen, "serve: --listen %s: %s",
					 l->url, why);
				free(r);
				return -EINVAL;
			}
		s->pol_rules[i] = r;
	}
	memset(&s->pol_env, 0, sizeof(s->pol_env));
	if (o->m.have_host_addr) {
		struct sqn_policy_env *e = &s->pol_env;

		e->gw[0].family = e->dns[0].family = 4;
		memcpy(e->gw[0].a, &o->m.host_addr.addr, 4);
		memcpy(e->dns[0].a, &o->m.host_addr.addr, 4);
		e->n_gw = e->n_dns = 1;
	}
	return 0;
}

/**
 * serve_policy_stop() - free the listeners' rule sets
 * @s:	serve, every port closed
 */
void serve_policy_stop(struct serve *s)
{
	unsigned i;

	for (i = 0; i < SERVE_MAX_LISTEN; i++) {
		free(s->pol_rules[i]);
		s->pol_rules[i] = NULL;
	}
}

/**
 * rules_of() - the rules of a port
 * @s:	serve
 * @p:	the port
 *
 * Return: its listener's rules, else serve's own
 */
static const struct sqn_policy_rules *rules_of(const struct serve *s,
					       const struct serve_port *p)
{
	const struct sqn_policy_rules *r = s->pol_rules[p->l - s->lis];

	return r ? r : &s->o->m.policy.rules;
}

/**
 * serve_policy_port_open() - a new port's engine, if it has rules
 * @s:		serve
 * @p:		the port, open
 * @why:	gets why not
 * @whylen:	its size
 *
 * Return: 0 or a negative errno
 */
int serve_policy_port_open(struct serve *s, struct serve_port *p, char *why,
			   size_t whylen)
{
	const struct sqn_policy_rules *r = rules_of(s, p);
	/* one ClientHello slot unless names are checked: 8 KiB each */
	struct sqn_policy_limits lim = {.sni_flows = r->check_sni ? 0 : 1};

	p->pol = NULL;
	p->pol_sni = r->check_sni;
	if (!sqn_policy_rules_active(r))
		return 0;
	return sqn_policy_new(r, &lim, &s->pol_env, port_log, p, &p->pol, why,
			      whylen);
}

/**
 * serve_policy_heard() - a frame from the uplink: remember what its DHCP
 *			  answers announce (resolvers, gateway), for engines
 *			  made at run time
 * @s:		serve, with a control socket
 * @f:		the frame
 * @len:	its length
 */
void serve_policy_heard(struct serve *s, const uint8_t *f, uint32_t len)
{
	struct sqn_policy_env dhcp;

	if (sqn_policy_dhcp_env(f, len, &dhcp))
		s->pol_heard = dhcp;
}

/**
 * serve_policy_port_set() - replace a port's rules at run time (the
 *			     control socket's policy-set)
 * @s:		serve
 * @p:		the port
 * @rules:	the rules, as the command line's options without "--"
 * @n:		their number; 0 turns the port's policy off
 * @field:	gets the field at fault ("rules[N]", "rules"), 32 bytes
 * @err:	gets the message
 * @errlen:	its size
 *
 * A port with an engine keeps it (sqn_policy_update(): learnt addresses
 * its names still allow stay allowed), unless check-sni comes on where
 * the engine was made without room to follow ClientHellos: then, as for a
 * port without an engine, a new engine is made, knowing the uplink's
 * resolvers and gateway from --host-addr and the last DHCP answer the
 * uplink sent any port (its addresses learnt from DNS start afresh).
 *
 * Return: 0, or a negative errno with the old rules still in force
 */
int serve_policy_port_set(struct serve *s, struct serve_port *p,
			  const char *const *rules, unsigned n, char *field,
			  char *err, size_t errlen)
{
	struct sqn_policy_limits lim = {0};
	struct sqn_policy_rules *r = malloc(sizeof(*r));
	struct sqn_policy_env env;
	struct sqn_policy *eng;
	char why[300];
	unsigned k;
	int rc = 0;

	snprintf(field, 32, "rules");
	if (!r) {
		snprintf(err, errlen, "rules: out of memory");
		return -ENOMEM;
	}
	sqn_policy_rules_init(r);
	for (k = 0; k < n && !rc; k++) {
		rc = sqn_policy_rule_parse(r, rules[k], why, sizeof(why));
		if (rc) {
			snprintf(field, 32, "rules[%u]", k);
			snprintf(err, errlen, "rules[%u]: %s", k, why);
		}
	}
	if (!rc && p->pol && (p->pol_sni || !r->check_sni)) {
		rc = sqn_policy_update(p->pol, r, why, sizeof(why));
		if (rc)
			snprintf(err, errlen, "rules: %s", why);
	} else if (!rc && sqn_policy_rules_active(r)) {
		env = s->pol_env;
		sqn_policy_env_merge(&env, &s->pol_heard);
		lim.sni_flows = r->check_sni ? 0 : 1;
		rc = sqn_policy_new(r, &lim, &env, port_log, p, &eng, why,
				    sizeof(why));
		if (rc) {
			snprintf(err, errlen, "rules: %s", why);
		} else {
			serve_policy_port_close(s, p); /* its denials kept */
			p->pol = eng;
			p->pol_sni = r->check_sni;
		}
	}
	free(r);
	return rc;
}

/**
 * serve_policy_port_close() - a port goes: its denials join the gone
 *			       ports', its engine is freed
 * @s:	serve
 * @p:	the port
 */
void serve_policy_port_close(struct serve *s, struct serve_port *p)
{
	struct sqn_policy_stats st;

	if (!p->pol)
		return;
	sqn_policy_stats(p->pol, &st);
	s->gone_denied += sqn_policy_denied_total(&st);
	sqn_policy_free(p->pol);
	p->pol = NULL;
}

/**
 * serve_policy_tx() - the verdict on a frame a VM port sent
 * @s:		serve
 * @in:		the port (not the uplink)
 * @f:		the frame
 * @len:	its length
 * @net_len:	gets the length of the frame to switch in its place
 *		(s->pol_net), 0 for none, when denied
 *
 * A reply to the port is queued here.
 *
 * Return: true to switch the frame, false when denied
 */
bool serve_policy_tx(struct serve *s, unsigned in, const uint8_t *f,
		     uint32_t len, uint32_t *net_len)
{
	struct serve_port *p = &s->port[in];
	struct sqn_policy_out out = {.reply = s->pol_reply, .net = s->pol_net};

	*net_len = 0;
	if (!p->pol ||
	    sqn_policy_tx(p->pol, f, len, s->now, &out) == SQN_POLICY_PASS)
		return true;
	if (out.reply_len &&
	    serve_port_queue(p, s->pol_reply, out.reply_len, NULL))
		serve_dirty_add(s, p);
	*net_len = out.net_len;
	return false;
}

/**
 * serve_policy_rx() - a frame from the uplink on its way to a port
 * @s:		serve
 * @d:		the port
 * @f:		the frame
 * @len:	its length
 *
 * Return: true to queue it, false to drop it (a malformed DNS answer over
 * UDP from a resolver, counted by the port's engine)
 */
bool serve_policy_rx(struct serve *s, unsigned d, const uint8_t *f,
		     uint32_t len)
{
	struct serve_port *p = &s->port[d];
	struct sqn_policy_env dhcp, env;

	if (!p->pol)
		return true;
	if (sqn_policy_dhcp_env(f, len, &dhcp)) {
		env = s->pol_env;
		sqn_policy_env_merge(&env, &dhcp);
		sqn_policy_set_env(p->pol, &env);
	}
	return sqn_policy_rx(p->pol, f, len, s->now) == SQN_POLICY_PASS;
}

/**
 * serve_policy_print() - a port's policy counters as words
 * @p:	the port
 * @f:	where to
 */
void serve_policy_print(const struct serve_port *p, FILE *f)
{
	struct sqn_policy_stats st;
	unsigned c;

	if (!p->pol)
		return;
	sqn_policy_stats(p->pol, &st);
	fprintf(f, " policy_rules=%u policy_denied=%llu",
		sqn_policy_rules_in_force(p->pol),
		(unsigned long long)sqn_policy_denied_total(&st));
	for (c = 0; c < SQN_POLICY_NCAUSES; c++)
		fprintf(f, " policy_%s=%llu",
			sqn_policy_cause_name((enum sqn_policy_cause)c),
			(unsigned long long)st.denied[c]);
	fprintf(f,
		" policy_replies=%llu policy_dns_queries=%llu "
		"policy_dns_answers=%llu policy_learnt=%llu",
		(unsigned long long)st.replies,
		(unsigned long long)st.dns_allowed,
		(unsigned long long)st.dns_answers,
		(unsigned long long)st.learnt);
}

/**
 * serve_policy_denied() - denials of every port, gone ones included
 * @s:	serve
 *
 * Return: the sum
 */
uint64_t serve_policy_denied(const struct serve *s)
{
	struct sqn_policy_stats st;
	uint64_t n = s->gone_denied;
	unsigned i;

	for (i = 1; i <= s->o->max_ports; i++)
		if (s->port[i].used && s->port[i].pol) {
			sqn_policy_stats(s->port[i].pol, &st);
			n += sqn_policy_denied_total(&st);
		}
	return n;
}
