/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_sni.c - the egress policy's check-sni: the server name of a TLS
 *		  ClientHello to port 443 checked against the allow-host
 *		  rules (pure)
 *
 * Theory of operation: an address learnt for an allowed name may serve
 * many other names (a CDN). With check-sni, a TCP connection to port 443
 * of an address allowed by name only (an allow-net rule allows its
 * address whole, unchecked) has its first payload checked: when it is a
 * ClientHello (sni.c), its server name must match an allow-host rule,
 * else the connection is reset both ways (RST to the guest; the frame is
 * not passed on and a RST goes to the server in its place).
 *
 * A ClientHello longer than one segment (post-quantum key shares make
 * Chrome's and Go's about 1.2-1.8 KB, and Chrome puts its extensions in
 * random order) is followed: its segments are kept in a small table
 * (struct sqn_policy_limits @sni_flows slots of SQN_POLICY_HELLO_MAX
 * bytes) and passed on until the name is read; segments must come in
 * order (a retransmission is fine, a gap resets).
 *
 * Limits, plainly:
 *  - Encrypted Client Hello: the name checked is the outer, public one
 *    (e.g. the CDN's ECH front name); the real name is encrypted. Allow
 *    the public name, or the client must not use ECH.
 *  - A ClientHello without a server name (a client connecting to an
 *    address) passes: the address rules already allowed the address.
 *  - A ClientHello over SQN_POLICY_HELLO_MAX bytes, spread over TLS
 *    records, or whose segments come out of order is reset
 *    (SQN_POLICY_C_SNI_UNCHECKED), as is one that finds the table full.
 *  - A followed hello not complete within SNI_FLOW_MS of its first
 *    segment is forgotten; its later segments no longer look like a ClientHello and
 *    pass. The check is for honest clients reaching the wrong name behind
 *    a shared address; it is no boundary against a guest set on evading
 *    it (domain fronting sends an allowed name and asks for another in
 *    the encrypted HTTP request). The address rules are the boundary.
 *  - Only TCP port 443. QUIC (UDP 443) to addresses allowed by name only
 *    is denied while check-sni is on, so HTTP/3 clients fall back to TCP.
 */
#include <stdio.h>
#include <string.h>

#include "policy_int.h"
#include "sni.h"

/* a followed ClientHello's segments must come within this (ms) */
#define SNI_FLOW_MS 10000

/**
 * flow_is() - whether a flow slot is a packet's connection
 * @f:	the slot
 * @k:	the packet
 *
 * Return: true if it is
 */
static bool flow_is(const struct sqn_policy_flow *f, const struct sqn_pkt *k)
{
	size_t n = k->alen;

	return f->used && f->src.family == k->family && f->sport == k->sport &&
	       f->dport == k->dport && !memcmp(f->src.a, k->src, n) &&
	       !memcmp(f->dst.a, k->dst, n);
}

/**
 * flow_find() - the slot following a packet's connection
 * @p:	the engine
 * @k:	the packet
 * @now: the time (ms); a slot idle past SNI_FLOW_MS is freed
 *
 * Return: the slot, or NULL
 */
static struct sqn_policy_flow *flow_find(struct sqn_policy *p,
					 const struct sqn_pkt *k, uint64_t now)
{
	unsigned i;

	for (i = 0; i < p->lim.sni_flows; i++) {
		struct sqn_policy_flow *f = &p->flow[i];

		if (!flow_is(f, k))
			continue;
		if (now - f->started < SNI_FLOW_MS)
			return f;
		f->used = false;
	}
	return NULL;
}

/**
 * flow_take() - a free slot (or one idle past SNI_FLOW_MS)
 * @p:		the engine
 * @now:	the time (ms)
 *
 * Return: the slot, or NULL when all are busy
 */
static struct sqn_policy_flow *flow_take(struct sqn_policy *p, uint64_t now)
{
	unsigned i;

	for (i = 0; i < p->lim.sni_flows; i++) {
		struct sqn_policy_flow *f = &p->flow[i];

		if (!f->used || now - f->started >= SNI_FLOW_MS)
			return f;
	}
	return NULL;
}

/**
 * judge() - the verdict on a parsed ClientHello
 * @p:		the engine
 * @r:		the parse's result (not SQN_SNI_MORE)
 * @name:	the server name, for SQN_SNI_FOUND
 * @d:		the denial, filled when denied
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict judge(struct sqn_policy *p,
				     enum sqn_sni_result r, const char *name,
				     struct pol_deny *d)
{
	switch (r) {
	case SQN_SNI_FOUND:
		snprintf(d->name, sizeof(d->name), "%s", name);
		if (!sqn_policy_host_allowed(&p->rules, name, strlen(name)))
			return sqn_pol_deny(d, SQN_POLICY_C_SNI,
					    POL_REPLY_RST_BOTH);
		p->st.sni_checked++;
		return SQN_POLICY_PASS;
	case SQN_SNI_NONE:
		p->st.sni_checked++;
		return SQN_POLICY_PASS;
	case SQN_SNI_BAD:
		return sqn_pol_deny(d, SQN_POLICY_C_SNI_UNCHECKED,
				    POL_REPLY_RST_BOTH);
	default: /* not TLS: the address rules allowed it */
		return SQN_POLICY_PASS;
	}
}

/**
 * follow() - the next segment of a ClientHello being followed
 * @p:		the engine
 * @f:		its slot
 * @k:		the segment
 * @d:		the denial, filled when denied
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict follow(struct sqn_policy *p,
				      struct sqn_policy_flow *f,
				      const struct sqn_pkt *k,
				      struct pol_deny *d)
{
	char name[SQN_SNI_NAME_MAX + 1];
	int32_t delta = (int32_t)(k->seq - f->next);
	uint32_t skip = delta < 0 ? (uint32_t) - (int64_t)delta : 0, add;
	enum sqn_sni_result r;
	bool ech;

	if (delta > 0) { /* a gap: the hello cannot be read in order */
		f->used = false;
		return sqn_pol_deny(d, SQN_POLICY_C_SNI_UNCHECKED,
				    POL_REPLY_RST_BOTH);
	}
	if (skip >= k->plen) /* a retransmission of what was seen */
		return SQN_POLICY_PASS;
	add = k->plen - skip;
	if (add > SQN_POLICY_HELLO_MAX - f->len) {
		f->used = false;
		return sqn_pol_deny(d, SQN_POLICY_C_SNI_UNCHECKED,
				    POL_REPLY_RST_BOTH);
	}
	memcpy(f->buf + f->len, k->f + k->pay + skip, add);
	f->len += add;
	f->next += add;
	r = sqn_sni_parse(f->buf, f->len, name, sizeof(name), &ech);
	if (r == SQN_SNI_MORE)
		return SQN_POLICY_PASS;
	f->used = false;
	return judge(p, r, name, d);
}

/**
 * sqn_pol_sni() - the check-sni verdict on a TCP segment to port 443 of
 *		   an address allowed by name only
 * @p:		the engine, locked
 * @k:		the segment
 * @now:	the time (ms)
 * @d:		the denial, filled when denied
 *
 * Return: the verdict
 */
enum sqn_policy_verdict sqn_pol_sni(struct sqn_policy *p,
				    const struct sqn_pkt *k, uint64_t now,
				    struct pol_deny *d)
{
	char name[SQN_SNI_NAME_MAX + 1];
	struct sqn_policy_flow *f;
	enum sqn_sni_result r;
	bool ech;

	if (!k->plen)
		return SQN_POLICY_PASS;
	f = flow_find(p, k, now);
	if (f)
		return follow(p, f, k, d);
	r = sqn_sni_parse(k->f + k->pay, k->plen, name, sizeof(name), &ech);
	if (r != SQN_SNI_MORE)
		return judge(p, r, name, d);
	f = k->plen <= SQN_POLICY_HELLO_MAX ? flow_take(p, now) : NULL;
	if (!f)
		return sqn_pol_deny(d, SQN_POLICY_C_SNI_UNCHECKED,
				    POL_REPLY_RST_BOTH);
	sqn_pol_addr_of(&f->src, k->family, k->src);
	sqn_pol_addr_of(&f->dst, k->family, k->dst);
	f->sport = k->sport;
	f->dport = k->dport;
	f->used = true;
	f->started = now;
	f->next = k->seq + k->plen;
	f->len = k->plen;
	memcpy(f->buf, k->f + k->pay, k->plen);
	return SQN_POLICY_PASS;
}
