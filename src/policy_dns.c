/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_dns.c - the egress policy's DNS: queries from the guest checked,
 *		  answers to it learnt from (pure)
 *
 * Theory of operation.
 *
 * Queries (guest to port 53): only to the resolvers in force (allow-dns,
 * else the backend's own DNS), only plain queries (opcode QUERY, one
 * question, no answer or authority records, at most one additional
 * record: EDNS's OPT), and only for names an allow-host rule allows. A
 * query for another name never leaves: over UDP the engine answers it
 * itself with NXDOMAIN; over TCP the connection is reset both ways (a
 * reply cannot be slipped into a TCP stream the resolver also writes to).
 * NXDOMAIN rather than REFUSED: a stub resolver takes NXDOMAIN as the
 * final answer and the program fails at once (getaddrinfo: EAI_NONAME),
 * while REFUSED makes glibc, musl and systemd-resolved try the next
 * server and then report a temporary failure that programs retry. The
 * answer has no SOA, so it is not cached (RFC 2308 5) and a name allowed
 * by a later update resolves at once.
 *
 * Over TCP (2-byte length prefix, RFC 1035 4.2.2) each segment must carry
 * whole messages: a query split across segments cannot be checked before
 * its first part leaves, so it is denied (reset). Stub resolvers write the
 * prefix and the query in one call; a query is a few hundred bytes, far
 * below one segment.
 *
 * Answers (resolver port 53 to the guest): an answer to a query for an
 * allowed name X teaches the addresses of X. The CNAME chain is followed
 * from X only (at most 8 links, in any order in the section), and A and
 * AAAA records owned by a name on that chain are learnt for X, with the
 * smallest TTL along the chain. Decided: the question's name is what
 * counts, not the chain's last name. X was allowed by the user; where its
 * CNAMEs lead (a CDN's name) is the operator's business, so it is allowed
 * too. The reverse - allowing X because its chain ends at an allowed name
 * - would let every name that points into an allowed CDN through, and
 * cannot happen anyway, since the query for X never left. Records not
 * reachable from X (extra names in the section) are ignored.
 *
 * An answer over UDP that does not parse is dropped and counted. Over TCP
 * only messages wholly inside one segment are read: an answer that spans
 * segments (longer than about 1400 bytes at MTU 1500; a large-frame
 * offload path carries up to 64 KiB) is counted in @dns_split and
 * nothing is learnt from it, and a segment that starts mid-message is
 * passed too (counted as malformed; nothing learnt, nothing granted).
 * Fragmented UDP answers (over the path MTU) are likewise not learnt:
 * resolvers default to a 1232-byte EDNS size, which does not fragment.
 */
#include <stdio.h>
#include <string.h>

#include "be.h"
#include "policy_int.h"

/* most CNAME links followed from a question's name */
#define CNAME_HOPS 8

/**
 * enum query_verdict - one query's fate
 * @Q_OK:	a plain query for an allowed name
 * @Q_BAD:	malformed, or not a plain one-question query
 * @Q_NAME:	a plain query for a name not allowed
 */
enum query_verdict {
	Q_OK,
	Q_BAD,
	Q_NAME,
};

/**
 * check_query() - judge one query message
 * @p:		the engine
 * @buf:	the message
 * @len:	its length
 * @m:		gets it parsed
 * @d:		gets the name when it is not allowed
 *
 * Return: the verdict
 */
static enum query_verdict check_query(const struct sqn_policy *p,
				      const uint8_t *buf, size_t len,
				      struct sqn_dns_msg *m, struct pol_deny *d)
{
	int n;

	d->name[0] = '\0';
	if (sqn_dns_parse(m, buf, len) || (m->flags & SQN_DNS_QR) ||
	    sqn_dns_opcode(m) || m->qdcount != 1 || m->ancount || m->nscount ||
	    m->arcount > 1)
		return Q_BAD;
	n = sqn_dns_name_text(buf, len, m->qname, d->name, sizeof(d->name));
	if (n >= 0 && sqn_policy_host_allowed(&p->rules, d->name, (size_t)n))
		return Q_OK;
	if (n < 0) /* bytes no host rule can match */
		d->name[0] = '\0';
	return Q_NAME;
}

/**
 * query_udp() - the verdict on a DNS query over UDP to a resolver
 * @p:	the engine
 * @k:	the packet
 * @d:	the denial, filled when denied
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict
query_udp(struct sqn_policy *p, const struct sqn_pkt *k, struct pol_deny *d)
{
	struct sqn_dns_msg m;

	if (k->frag)
		return sqn_pol_deny(d, SQN_POLICY_C_DNS_BAD, POL_REPLY_NONE);
	switch (check_query(p, k->f + k->pay, k->plen, &m, d)) {
	case Q_OK:
		p->st.dns_allowed++;
		return SQN_POLICY_PASS;
	case Q_NAME:
		d->dns_len = sqn_dns_reply_error(&m, SQN_DNS_NXDOMAIN, d->dns,
						 sizeof(d->dns));
		return sqn_pol_deny(d, SQN_POLICY_C_DNS_NAME,
				    d->dns_len > 0 ? POL_REPLY_DNS
						   : POL_REPLY_NONE);
	default:
		return sqn_pol_deny(d, SQN_POLICY_C_DNS_BAD, POL_REPLY_NONE);
	}
}

/**
 * query_tcp() - the verdict on a segment of a DNS connection to a resolver
 * @p:	the engine
 * @k:	the packet
 * @d:	the denial, filled when denied
 *
 * Return: the verdict: every message in the segment must be whole and
 * allowed
 */
static enum sqn_policy_verdict
query_tcp(struct sqn_policy *p, const struct sqn_pkt *k, struct pol_deny *d)
{
	const uint8_t *s = k->f + k->pay;
	uint32_t off = 0, n = 0;
	struct sqn_dns_msg m;

	while (off < k->plen) {
		uint32_t mlen;

		if (k->plen - off < 2)
			return sqn_pol_deny(d, SQN_POLICY_C_DNS_BAD,
					    POL_REPLY_RST_BOTH);
		mlen = sqn_get16(s + off);
		if (mlen > k->plen - off - 2)
			return sqn_pol_deny(d, SQN_POLICY_C_DNS_BAD,
					    POL_REPLY_RST_BOTH);
		switch (check_query(p, s + off + 2, mlen, &m, d)) {
		case Q_OK:
			break;
		case Q_NAME:
			return sqn_pol_deny(d, SQN_POLICY_C_DNS_NAME,
					    POL_REPLY_RST_BOTH);
		default:
			return sqn_pol_deny(d, SQN_POLICY_C_DNS_BAD,
					    POL_REPLY_RST_BOTH);
		}
		off += 2 + mlen;
		n++;
	}
	p->st.dns_allowed += n;
	return SQN_POLICY_PASS;
}

/**
 * sqn_pol_dns_query() - the verdict on a guest's packet to port 53
 * @p:	the engine, locked
 * @k:	the packet (TCP or UDP, ports parsed)
 * @d:	the denial, filled when denied
 *
 * Return: the verdict
 */
enum sqn_policy_verdict sqn_pol_dns_query(struct sqn_policy *p,
					  const struct sqn_pkt *k,
					  struct pol_deny *d)
{
	if (!sqn_pol_addr_in(p->res, p->n_res, k->family, k->dst))
		return sqn_pol_deny(d, SQN_POLICY_C_DNS_SERVER, POL_REPLY_AUTO);
	if (k->proto == SQN_PKT_UDP)
		return query_udp(p, k, d);
	return query_tcp(p, k, d);
}

/**
 * learn_addr() - learn (or refresh) an address for a name
 * @p:		the engine, locked
 * @a:		the address
 * @ttl:	the answer's TTL (s)
 * @name:	the allowed name it was answered for
 * @now:	the time (ms)
 */
static void learn_addr(struct sqn_policy *p, const struct sqn_policy_addr *a,
		       uint32_t ttl, const char *name, uint64_t now)
{
	struct sqn_learn_entry *e = sqn_learn_find(&p->learn, a);
	uint64_t expires;

	ttl = ttl < p->lim.ttl_min_s ? p->lim.ttl_min_s : ttl;
	ttl = ttl > p->lim.ttl_max_s ? p->lim.ttl_max_s : ttl;
	expires = now + ((uint64_t)ttl + p->lim.grace_s) * MS;
	if (e) {
		if (expires > e->expires)
			e->expires = expires;
		sqn_learn_touch(&p->learn, e);
		p->st.refreshed++;
	} else {
		if (p->learn.n == p->learn.cap) {
			struct sqn_learn_entry *old =
				sqn_learn_oldest(&p->learn);
			bool alive = now < old->expires ||
				     (old->used &&
				      now - old->used < p->lim.linger_s * MS);

			sqn_learn_del(&p->learn, old);
			if (alive)
				p->st.evicted++;
			else
				p->st.expired++;
		}
		e = sqn_learn_add(&p->learn, a);
		e->expires = expires;
		p->st.learnt++;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
}

/**
 * on_chain() - whether a record's owner is one of the chain's names
 * @m:		the message
 * @chain:	offsets of the names
 * @n:		how many
 * @owner:	offset of the owner name
 *
 * Return: true if it is
 */
static bool on_chain(const struct sqn_dns_msg *m, const uint16_t *chain,
		     unsigned n, uint16_t owner)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (sqn_dns_name_eq(m->buf, m->len, chain[i], owner))
			return true;
	return false;
}

/**
 * next_link() - the CNAME record that continues a chain
 * @m:		the message
 * @from:	offset of the chain's last name
 *
 * Return: the record, or NULL
 */
static const struct sqn_dns_rr *next_link(const struct sqn_dns_msg *m,
					  uint16_t from)
{
	unsigned i;

	for (i = 0; i < m->n_an; i++) {
		const struct sqn_dns_rr *rr = &m->an[i];
		int end;

		if (rr->type != SQN_DNS_CNAME || rr->class != SQN_DNS_IN ||
		    !sqn_dns_name_eq(m->buf, m->len, rr->name, from))
			continue;
		end = sqn_dns_name_skip(m->buf, m->len, rr->rdata);
		if (end > 0 && (size_t)end <= (size_t)rr->rdata + rr->rdlen)
			return rr;
	}
	return NULL;
}

/**
 * learn_msg() - learn the addresses an answer gives for its question
 * @p:		the engine, locked
 * @m:		the answer, parsed
 * @now:	the time (ms)
 */
static void learn_msg(struct sqn_policy *p, const struct sqn_dns_msg *m,
		      uint64_t now)
{
	uint16_t chain[CNAME_HOPS + 1];
	char name[SQN_DNS_NAME_MAX + 1];
	uint32_t ttl = UINT32_MAX;
	unsigned n = 1, i;
	int len;

	if (!(m->flags & SQN_DNS_QR) || sqn_dns_opcode(m) ||
	    sqn_dns_rcode(m) != SQN_DNS_NOERROR || m->qdcount != 1)
		return;
	len = sqn_dns_name_text(m->buf, m->len, m->qname, name, sizeof(name));
	if (len < 0 || !sqn_policy_host_allowed(&p->rules, name, (size_t)len))
		return;
	chain[0] = m->qname;
	while (n <= CNAME_HOPS) {
		const struct sqn_dns_rr *rr = next_link(m, chain[n - 1]);

		if (!rr)
			break;
		chain[n++] = rr->rdata;
		ttl = SQN_MIN_U(ttl, rr->ttl);
	}
	for (i = 0; i < m->n_an; i++) {
		const struct sqn_dns_rr *rr = &m->an[i];
		struct sqn_policy_addr a;

		if (rr->class != SQN_DNS_IN ||
		    !((rr->type == SQN_DNS_A && rr->rdlen == 4) ||
		      (rr->type == SQN_DNS_AAAA && rr->rdlen == 16)) ||
		    !on_chain(m, chain, n, rr->name))
			continue;
		sqn_pol_addr_of(&a, rr->rdlen == 4 ? 4 : 6, m->buf + rr->rdata);
		learn_addr(p, &a, SQN_MIN_U(ttl, rr->ttl), name, now);
	}
}

/**
 * answer_tcp() - learn from the whole messages of a resolver's segment
 * @p:		the engine, locked
 * @k:		the segment
 * @now:	the time (ms)
 */
static void answer_tcp(struct sqn_policy *p, const struct sqn_pkt *k,
		       uint64_t now)
{
	const uint8_t *s = k->f + k->pay;
	uint32_t off = 0;
	struct sqn_dns_msg m;

	while (off < k->plen) {
		uint32_t mlen;

		if (k->plen - off < 2 ||
		    (mlen = sqn_get16(s + off)) > k->plen - off - 2) {
			p->st.dns_split++;
			return;
		}
		if (sqn_dns_parse(&m, s + off + 2, mlen)) {
			p->st.dns_malformed++;
			return;
		}
		p->st.dns_answers++;
		learn_msg(p, &m, now);
		off += 2 + mlen;
	}
}

/**
 * sqn_pol_dns_answer() - learn from a frame from port 53 to the guest
 * @p:		the engine, locked
 * @k:		the packet (TCP or UDP, ports parsed, source port 53)
 * @now:	the time (ms)
 *
 * Return: SQN_POLICY_DENY for a malformed answer over UDP from a
 * resolver, else SQN_POLICY_PASS
 */
enum sqn_policy_verdict
sqn_pol_dns_answer(struct sqn_policy *p, const struct sqn_pkt *k, uint64_t now)
{
	struct sqn_dns_msg m;

	if (!sqn_pol_addr_in(p->res, p->n_res, k->family, k->src))
		return SQN_POLICY_PASS;
	if (k->proto == SQN_PKT_TCP) {
		answer_tcp(p, k, now);
		return SQN_POLICY_PASS;
	}
	if (k->frag) {
		p->st.dns_split++;
		return SQN_POLICY_PASS;
	}
	if (sqn_dns_parse(&m, k->f + k->pay, k->plen)) {
		p->st.dns_malformed++;
		return SQN_POLICY_DENY;
	}
	p->st.dns_answers++;
	learn_msg(p, &m, now);
	return SQN_POLICY_PASS;
}
