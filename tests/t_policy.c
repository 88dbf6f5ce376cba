/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_policy.c - the egress policy engine on hand-built frames, with a fake
 * clock: names learnt from DNS answers then allowed, NXDOMAIN for names
 * not allowed, RSTs and ICMP errors with exact numbers and checksums (each
 * reply frame read back by pframe.c, which verifies every checksum with
 * its own code), CNAME chains, TTL expiry and linger, IPv6, DNS over TCP,
 * malformed DNS, check-sni, run-time updates, the table bound, the log
 * rate limit, counters equal to what was sent, and two threads at once
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dns.h"
#include "pframe.h"
#include "policy.h"

#define GUEST4 PF4(10, 0, 2, 15)
#define GUEST6 PF6(0xfe, 0xc0, 0, 0x15)
#define RES4 PF4(10, 0, 2, 3)
#define RES6 PF6(0xfe, 0xc0, 0, 3)
#define GW4 PF4(10, 0, 2, 2)
#define GW6 PF6(0xfe, 0xc0, 0, 2)
#define PYPI4 PF4(151, 101, 0, 223)
#define PYPI6 PF6(0x2a, 0x04, 0x02, 0x23)
#define FAR4 PF4(192, 0, 2, 7)
#define FAR6 PF6(0x20, 0x01, 0, 7) /* 2001::7 */

#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10
#define PASS SQN_POLICY_PASS
#define DENY SQN_POLICY_DENY
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const base[] = {
	"allow-host=pypi.org",
	"allow-host=*.pythonhosted.org",
	"allow-net=10.1.0.0/16:5432",
	"allow-net=[2001:db8:1::/48]:443/tcp",
};

static uint8_t f[PF_BUF], reply[SQN_POLICY_REPLY_MAX],
	net[SQN_POLICY_REPLY_MAX];
static size_t flen;
static struct sqn_policy_out out;
static struct pf_pkt rp;
static char last_line[SQN_POLICY_LOG_MAX];
static unsigned n_lines;

/**
 * logcb() - keep the last log line and count them
 * @opaque:	unused
 * @line:	the line
 */
static void logcb(void *opaque, const char *line)
{
	(void)opaque;
	snprintf(last_line, sizeof(last_line), "%s", line);
	n_lines++;
}

/**
 * pa() - a test address as the engine's
 * @a:	the address
 *
 * Return: the same address
 */
static struct sqn_policy_addr pa(struct pf_addr a)
{
	struct sqn_policy_addr r;

	memset(&r, 0, sizeof(r));
	r.family = a.family;
	memcpy(r.a, a.a, 16);
	return r;
}

/**
 * mk() - an engine with rules, limits, slirp's DNS and gateway
 * @rules:	rule strings
 * @n:		how many
 * @lim:	limits, or NULL
 *
 * Return: the engine
 */
static struct sqn_policy *mk(const char *const *rules, unsigned n,
			     const struct sqn_policy_limits *lim)
{
	struct sqn_policy_rules *r = calloc(1, sizeof(*r));
	struct sqn_policy_env env;
	struct sqn_policy *p = NULL;
	char err[256] = "";
	unsigned i;

	if (!r)
		abort();
	memset(&env, 0, sizeof(env));
	env.dns[0] = pa(RES4);
	env.dns[1] = pa(RES6);
	env.n_dns = 2;
	env.gw[0] = pa(GW4);
	env.gw[1] = pa(GW6);
	env.n_gw = 2;
	sqn_policy_rules_init(r);
	for (i = 0; i < n; i++)
		if (sqn_policy_rule_parse(r, rules[i], err, sizeof(err)))
			printf("# %s\n", err);
	if (sqn_policy_new(r, lim, &env, logcb, NULL, &p, err, sizeof(err)))
		printf("# sqn_policy_new: %s\n", err);
	free(r);
	n_lines = 0;
	last_line[0] = '\0';
	if (!p)
		abort();
	return p;
}

/**
 * tx() - the verdict on the shared frame
 * @p:		the engine
 * @now:	the time (ms)
 *
 * Return: the verdict; @out holds the replies
 */
static enum sqn_policy_verdict tx(struct sqn_policy *p, uint64_t now)
{
	memset(&out, 0, sizeof(out));
	out.reply = reply;
	out.net = net;
	out.cause = SQN_POLICY_NCAUSES;
	return sqn_policy_tx(p, f, (uint32_t)flen, now, &out);
}

/**
 * syn() - the verdict on a SYN from the guest (port 40000, seq 1000)
 * @p:		the engine
 * @dst:	destination
 * @dport:	its port
 * @now:	the time (ms)
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict syn(struct sqn_policy *p, struct pf_addr dst,
				   uint16_t dport, uint64_t now)
{
	struct pf_addr src = dst.family == 4 ? GUEST4 : GUEST6;

	flen = pf_tcp(f, src, dst, 40000, dport, 1000, 0, SYN, NULL, 0);
	return tx(p, now);
}

/**
 * seg() - the verdict on a data segment from the guest (ACK, PSH)
 * @p:		the engine
 * @dst:	destination
 * @dport:	its port
 * @seq:	sequence number
 * @data:	payload
 * @len:	its length
 * @now:	the time (ms)
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict seg(struct sqn_policy *p, struct pf_addr dst,
				   uint16_t dport, uint32_t seq,
				   const void *data, size_t len, uint64_t now)
{
	struct pf_addr src = dst.family == 4 ? GUEST4 : GUEST6;

	flen = pf_tcp(f, src, dst, 40000, dport, seq, 7777, ACK | PSH, data,
		      len);
	return tx(p, now);
}

/**
 * query() - the verdict on a DNS query over UDP (guest port 5353)
 * @p:		the engine
 * @res:	the server
 * @name:	the name
 * @now:	the time (ms)
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict query(struct sqn_policy *p, struct pf_addr res,
				     const char *name, uint64_t now)
{
	uint8_t m[512];
	size_t n = pf_dns_query(m, 0x4242, name, 1);

	flen = pf_udp(f, res.family == 4 ? GUEST4 : GUEST6, res, 5353, 53, m,
		      n);
	return tx(p, now);
}

/**
 * answer() - pass a DNS answer over UDP from a resolver to the guest
 * @p:		the engine
 * @res:	the resolver
 * @qname:	the question
 * @rr:		the records
 * @n:		how many
 * @now:	the time (ms)
 *
 * Return: sqn_policy_rx()'s verdict
 */
static enum sqn_policy_verdict answer(struct sqn_policy *p, struct pf_addr res,
				      const char *qname, const struct pf_rr *rr,
				      unsigned n, uint64_t now)
{
	uint8_t m[2048], fr[PF_BUF];
	size_t ml = pf_dns_answer(m, 0x4242, qname, 1, rr, n);
	size_t fl = pf_udp(fr, res, res.family == 4 ? GUEST4 : GUEST6, 53, 5353,
			   m, ml);

	return sqn_policy_rx(p, fr, (uint32_t)fl, now);
}

/**
 * learn_a() - teach the engine one address for a name (TTL @ttl)
 * @p:		the engine
 * @name:	the name
 * @a:		the address (A or AAAA by its family)
 * @ttl:	TTL (s)
 * @now:	the time (ms)
 */
static void learn_a(struct sqn_policy *p, const char *name, struct pf_addr a,
		    uint32_t ttl, uint64_t now)
{
	struct pf_rr rr = {name, a.family == 4 ? 1 : 28, ttl, NULL, a};

	CHECK_EQ(answer(p, RES4, name, &rr, 1, now), PASS);
}

/**
 * stats() - the engine's counters
 * @p:	the engine
 *
 * Return: a copy
 */
static struct sqn_policy_stats stats(struct sqn_policy *p)
{
	struct sqn_policy_stats st;

	sqn_policy_stats(p, &st);
	return st;
}

/**
 * read_reply() - read the reply frame to the guest strictly: checksums,
 *		  MACs swapped, TTL 64
 */
static void read_reply(void)
{
	ASSERT(out.reply_len > 0);
	ASSERT(pf_read(reply, out.reply_len, &rp) == 0);
	CHECK(rp.csum_ok);
	CHECK(!memcmp(rp.dst_mac, pf_guest_mac, 6));
	CHECK(!memcmp(rp.src_mac, pf_gw_mac, 6));
	CHECK_EQ(rp.ttl, 64);
}

/**
 * check_rst() - the reply is a RST back to the guest
 * @from:	the peer it claims to come from
 * @sport:	the peer's port
 * @seq:	its sequence number
 * @ack:	its acknowledgement number
 * @flags:	its flags
 */
static void check_rst(struct pf_addr from, uint16_t sport, uint32_t seq,
		      uint32_t ack, uint8_t flags)
{
	read_reply();
	CHECK_EQ(rp.proto, 6);
	CHECK(pf_addr_eq(rp.src, from));
	CHECK(pf_addr_eq(rp.dst, from.family == 4 ? GUEST4 : GUEST6));
	CHECK_EQ(rp.sport, sport);
	CHECK_EQ(rp.dport, 40000);
	CHECK_EQ(rp.seq, seq);
	CHECK_EQ(rp.ack, ack);
	CHECK_EQ(rp.flags, flags);
	CHECK_EQ(rp.plen, 0);
}

/**
 * check_icmp() - the reply is ICMP prohibited quoting the shared frame
 * @from:	the destination that refused
 * @quote:	how many bytes of the IP packet it must quote
 */
static void check_icmp(struct pf_addr from, size_t quote)
{
	read_reply();
	CHECK(pf_addr_eq(rp.src, from));
	CHECK(pf_addr_eq(rp.dst, from.family == 4 ? GUEST4 : GUEST6));
	CHECK_EQ(rp.proto, from.family == 4 ? 1 : 58);
	CHECK_EQ(rp.type, from.family == 4 ? 3 : 1);
	CHECK_EQ(rp.code, from.family == 4 ? 13 : 1);
	CHECK_EQ(rp.plen, quote);
	CHECK(!memcmp(rp.payload, f + 14, quote));
}

static void no_rules_pass_all(void)
{
	struct sqn_policy *p = mk(NULL, 0, NULL);
	struct sqn_policy_stats st;

	CHECK_EQ(syn(p, FAR4, 80, 1), PASS);
	CHECK_EQ(query(p, PF4(8, 8, 8, 8), "evil.example", 1), PASS);
	CHECK_EQ(out.reply_len, 0);
	st = stats(p);
	CHECK_EQ(sqn_policy_denied_total(&st), 0);
	CHECK_EQ(st.dns_allowed, 0);
	sqn_policy_free(p);
	sqn_policy_free(NULL);
}

static void housekeeping(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	uint8_t m[300] = {0}, icmp6[24] = {0};
	struct sqn_policy_stats st;
	static const uint8_t types[] = {133, 135, 136, 143, 130};
	unsigned i;

	/* ARP */
	memset(f, 0xff, 6);
	memcpy(f + 6, pf_guest_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	memset(f + 14, 0, 28);
	flen = 42;
	CHECK_EQ(tx(p, 1), PASS);
	/* DHCP and DHCPv6 */
	flen = pf_udp(f, PF4(0, 0, 0, 0), PF4(255, 255, 255, 255), 68, 67, m,
		      sizeof(m));
	CHECK_EQ(tx(p, 1), PASS);
	flen = pf_udp(f, GUEST6, PF6(0xff, 0x02, 1, 2), 546, 547, m, 40);
	CHECK_EQ(tx(p, 1), PASS);
	/* NDP, MLD */
	for (i = 0; i < ARRAY_LEN(types); i++) {
		icmp6[0] = types[i];
		flen = pf_ip(f, GUEST6, PF6(0xff, 0x02, 0, 2), 58, icmp6,
			     sizeof(icmp6));
		CHECK_EQ(tx(p, 1), PASS);
	}
	/* sent far away, housekeeping is a way out like any other */
	flen = pf_udp(f, GUEST4, FAR4, 68, 67, m, sizeof(m));
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_ADDR);
	flen = pf_udp(f, GUEST4, GW4, 68, 67, m, sizeof(m)); /* a renewal */
	CHECK_EQ(tx(p, 1), PASS);
	icmp6[0] = 135;
	flen = pf_ip(f, GUEST6, FAR6, 58, icmp6, sizeof(icmp6));
	CHECK_EQ(tx(p, 1), DENY);
	flen = pf_ip(f, GUEST6, PF6(0xfe, 0x80, 0, 1), 58, icmp6,
		     sizeof(icmp6));
	CHECK_EQ(tx(p, 1), PASS);
	flen = pf_ip(f, GUEST4, FAR4, 2, m, 8); /* IGMP to a unicast address */
	CHECK_EQ(tx(p, 1), DENY);
	flen = pf_ip(f, GUEST4, PF4(224, 0, 0, 22), 2, m, 8);
	CHECK_EQ(tx(p, 1), PASS);
	/* ICMP to the gateway and a resolver */
	flen = pf_ping(f, GUEST4, GW4, 1, 1);
	CHECK_EQ(tx(p, 1), PASS);
	flen = pf_ping(f, GUEST6, RES6, 1, 1);
	CHECK_EQ(tx(p, 1), PASS);
	/* but not TCP to the gateway (slirp's host loopback) */
	CHECK_EQ(syn(p, GW4, 22, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_ADDR);
	/* ping elsewhere: prohibited, quoting the whole echo */
	flen = pf_ping(f, GUEST4, FAR4, 7, 9);
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(FAR4, 20 + 16);
	/* a VLAN tag hides the rest: denied, nothing sent back */
	flen = pf_ping(f, GUEST4, GW4, 1, 1);
	f[12] = 0x81;
	f[13] = 0x00;
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_PROTO);
	CHECK_EQ(out.reply_len, 0);
	/* a malformed IPv4 header, a runt frame */
	flen = pf_ping(f, GUEST4, GW4, 1, 1);
	f[14] = 0x44;
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_FRAME);
	flen = 10;
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_FRAME);
	CHECK_EQ(out.reply_len, 0);
	st = stats(p);
	CHECK_EQ(st.denied[SQN_POLICY_C_ADDR], 5);
	CHECK_EQ(st.denied[SQN_POLICY_C_PROTO], 1);
	CHECK_EQ(st.denied[SQN_POLICY_C_FRAME], 2);
	CHECK_EQ(sqn_policy_denied_total(&st), 8);
	CHECK_EQ(st.replies, 5);
	sqn_policy_free(p);
}

static void net_rules(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	const struct pf_addr db = PF4(10, 1, 2, 3);
	const struct pf_addr v6 = {
		6,
		{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}};

	CHECK_EQ(syn(p, db, 5432, 1), PASS);
	flen = pf_udp(f, GUEST4, db, 999, 5432, "x", 1);
	CHECK_EQ(tx(p, 1), PASS); /* no protocol in the rule: UDP too */
	CHECK_EQ(syn(p, db, 5433, 1), DENY);
	check_rst(db, 5433, 0, 1001, RST | ACK);
	flen = pf_ping(f, GUEST4, db, 1, 1); /* a rule with ports: no ICMP */
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(db, 36);
	CHECK_EQ(syn(p, v6, 443, 1), PASS);
	flen = pf_udp(f, GUEST6, v6, 999, 443, "quic", 4);
	CHECK_EQ(tx(p, 1), DENY); /* the rule says /tcp */
	check_icmp(v6, 40 + 8 + 4);
	sqn_policy_free(p);
}

static void rst_numbers(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);

	/* SYN: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> */
	CHECK_EQ(syn(p, FAR4, 80, 1), DENY);
	check_rst(FAR4, 80, 0, 1001, RST | ACK);
	CHECK_EQ(out.net_len, 0); /* no RST onward for a plain denial */
	/* a segment with ACK: <SEQ=SEG.ACK><CTL=RST> */
	CHECK_EQ(seg(p, FAR4, 80, 5000, "hello", 5, 1), DENY);
	check_rst(FAR4, 80, 7777, 0, RST);
	/* SYN with data (TCP Fast Open): SYN and the data count */
	flen = pf_tcp(f, GUEST4, FAR4, 40000, 80, 1000, 0, SYN, "0123456789",
		      10);
	CHECK_EQ(tx(p, 1), DENY);
	check_rst(FAR4, 80, 0, 1011, RST | ACK);
	/* FIN without ACK counts one */
	flen = pf_tcp(f, GUEST4, FAR4, 40000, 80, 1000, 0, 0x01, NULL, 0);
	CHECK_EQ(tx(p, 1), DENY);
	check_rst(FAR4, 80, 0, 1001, RST | ACK);
	/* nor is a segment sent to the Ethernet broadcast address */
	CHECK_EQ(syn(p, FAR4, 80, 1), DENY);
	memset(f, 0xff, 6);
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.reply_len, 0);
	/* a RST is never answered */
	flen = pf_tcp(f, GUEST4, FAR4, 40000, 80, 1000, 0, RST, NULL, 0);
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.reply_len, 0);
	/* IPv6, sequence numbers wrapping */
	flen = pf_tcp(f, GUEST6, FAR6, 40000, 443, 0xffffffffu, 0, SYN, NULL,
		      0);
	CHECK_EQ(tx(p, 1), DENY);
	check_rst(FAR6, 443, 0, 0, RST | ACK);
	sqn_policy_free(p);
}

static void learnt_from_dns(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	struct sqn_policy_stats st;

	CHECK_EQ(syn(p, PYPI4, 443, 1000), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_ADDR);
	CHECK_STR_HAS(last_line, "policy: denied tcp 10.0.2.15:40000 -> "
				 "151.101.0.223:443: destination not "
				 "allowed");
	CHECK_EQ(query(p, RES4, "PyPI.org", 1000), PASS);
	learn_a(p, "pypi.org", PYPI4, 60, 1010);
	CHECK_EQ(syn(p, PYPI4, 443, 1020), PASS);
	CHECK_EQ(syn(p, PYPI4, 22, 1020), PASS); /* a name: every port */
	flen = pf_ping(f, GUEST4, PYPI4, 1, 1);
	CHECK_EQ(tx(p, 1020), PASS);
	st = stats(p);
	CHECK_EQ(st.dns_allowed, 1);
	CHECK_EQ(st.dns_answers, 1);
	CHECK_EQ(st.learnt, 1);
	CHECK_EQ(st.learnt_now, 1);
	CHECK_EQ(st.denied[SQN_POLICY_C_ADDR], 1);
	CHECK_EQ(sqn_policy_denied_total(&st), 1);
	sqn_policy_free(p);
}

/**
 * check_nxdomain() - the reply is NXDOMAIN for the shared query
 * @res:	the resolver it comes from
 */
static void check_nxdomain(struct pf_addr res)
{
	struct sqn_dns_msg m;
	const uint8_t *q = f + 14 + (res.family == 4 ? 20 : 40) + 8;

	read_reply();
	CHECK_EQ(rp.proto, 17);
	CHECK(pf_addr_eq(rp.src, res));
	CHECK_EQ(rp.sport, 53);
	CHECK_EQ(rp.dport, 5353);
	ASSERT(sqn_dns_parse(&m, rp.payload, rp.plen) == 0);
	CHECK_EQ(m.id, 0x4242);
	CHECK(m.flags & SQN_DNS_QR);
	CHECK_EQ(sqn_dns_rcode(&m), SQN_DNS_NXDOMAIN);
	CHECK_EQ(m.qdcount, 1);
	CHECK_EQ(m.ancount, 0);
	CHECK(!memcmp(rp.payload + 12, q + 12, rp.plen - 12));
}

static void denied_name_nxdomain(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	struct sqn_policy_stats st;

	CHECK_EQ(query(p, RES4, "evil.example", 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_NAME);
	check_nxdomain(RES4);
	CHECK_STR_HAS(last_line, "policy: denied udp 10.0.2.15:5353 -> "
				 "10.0.2.3:53: DNS query for a name not "
				 "allowed (name evil.example)");
	CHECK_EQ(query(p, RES6, "pythonhosted.org", 1), DENY);
	check_nxdomain(RES6);
	CHECK_STR_HAS(last_line, "[fec0::15]:5353 -> [fec0::3]:53");
	CHECK_EQ(query(p, RES6, "a.b.Files.PythonHosted.org.", 1), PASS);
	CHECK_EQ(query(p, RES4, "pypi.org.evil.example", 1), DENY);
	check_nxdomain(RES4);
	/* bytes no host name has: NXDOMAIN, the name not logged */
	CHECK_EQ(query(p, RES4, "a b.pythonhosted.org", 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_NAME);
	check_nxdomain(RES4);
	st = stats(p);
	CHECK_EQ(st.denied[SQN_POLICY_C_DNS_NAME], 4);
	CHECK_EQ(st.replies, 4);
	CHECK_EQ(st.dns_allowed, 1);
	sqn_policy_free(p);
}

static void dns_to_other_servers(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	const struct pf_addr g = PF4(8, 8, 8, 8);

	CHECK_EQ(query(p, g, "pypi.org", 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_SERVER);
	check_icmp(g, flen - 14);
	CHECK_EQ(syn(p, g, 53, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_SERVER);
	check_rst(g, 53, 0, 1001, RST | ACK);
	sqn_policy_free(p);
	/* with allow-dns, the backend's own DNS is no longer a resolver */
	{
		static const char *const r[] = {"allow-host=pypi.org",
						"allow-dns=9.9.9.9"};

		p = mk(r, 2, NULL);
		CHECK_EQ(query(p, RES4, "pypi.org", 1), DENY);
		CHECK_EQ(out.cause, SQN_POLICY_C_DNS_SERVER);
		CHECK_EQ(query(p, PF4(9, 9, 9, 9), "pypi.org", 1), PASS);
		sqn_policy_free(p);
	}
}

static void udp_icmp_quote(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	static uint8_t big[1400];

	memset(big, 0x5a, sizeof(big));
	flen = pf_udp(f, GUEST4, FAR4, 5000, 9999, big, 100);
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(FAR4, 20 + 8 + 100); /* all of it */
	flen = pf_udp(f, GUEST4, FAR4, 5000, 9999, big, sizeof(big));
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(FAR4, 576 - 28); /* the error within 576 bytes */
	CHECK_EQ(out.reply_len, 14 + 576);
	flen = pf_udp(f, GUEST6, FAR6, 5000, 9999, big, 1300);
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(FAR6, 1280 - 48); /* within the minimum MTU */
	CHECK_EQ(out.reply_len, 14 + 1280);
	flen = pf_ping(f, GUEST6, FAR6, 3, 4);
	CHECK_EQ(tx(p, 1), DENY);
	check_icmp(FAR6, 40 + 16);
	/* group destinations get no error */
	flen = pf_udp(f, GUEST4, PF4(239, 1, 1, 1), 5000, 9999, big, 10);
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.reply_len, 0);
	flen = pf_udp(f, GUEST6, PF6(0xff, 0x02, 0, 0xfb), 5353, 5353, big, 10);
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.reply_len, 0);
	/* nor does an ICMP error */
	{
		uint8_t unreach[36] = {3, 3};

		flen = pf_ip(f, GUEST4, FAR4, 1, unreach, sizeof(unreach));
		CHECK_EQ(tx(p, 1), DENY);
		CHECK_EQ(out.reply_len, 0);
	}
	CHECK_EQ(stats(p).replies, 4);
	sqn_policy_free(p);
}

static void cname_chain(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	const struct pf_addr cdn4 = PF4(151, 101, 1, 1), evil = PF4(6, 6, 6, 6);
	/* out of order, with a record for a name off the chain */
	const struct pf_rr rr[] = {
		{"x.fastly.net", 1, 30, NULL, cdn4},
		{"files.pythonhosted.org", 5, 300, "d.fastly.net", {0}},
		{"evil.example", 1, 300, NULL, evil},
		{"d.fastly.net", 5, 20, "x.fastly.net", {0}},
		{"x.fastly.net", 28, 300, NULL, PYPI6},
	};
	const struct pf_rr rev[] = {
		{"cdn.evil.example", 5, 300, "files.pythonhosted.org", {0}},
		{"files.pythonhosted.org", 1, 300, NULL, PF4(1, 2, 3, 4)},
	};
	const struct pf_rr loop[] = {
		{"a.pythonhosted.org", 5, 300, "b.x", {0}},
		{"b.x", 5, 300, "a.pythonhosted.org", {0}},
		{"a.pythonhosted.org", 1, 300, NULL, PF4(5, 5, 5, 5)},
	};

	CHECK_EQ(answer(p, RES4, "files.pythonhosted.org", rr, 5, 1000), PASS);
	CHECK_EQ(stats(p).learnt, 2);
	CHECK_EQ(syn(p, cdn4, 443, 1000), PASS);
	CHECK_EQ(syn(p, PYPI6, 443, 1000), PASS);
	CHECK_EQ(syn(p, evil, 443, 1000), DENY);
	/* the chain's smallest TTL (20 s, plus 2 s of grace) */
	CHECK_EQ(syn(p, cdn4, 443, 1000 + 21999), PASS);
	CHECK_EQ(syn(p, cdn4, 443, 1000 + 22000), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_EXPIRED);
	/* an allowed name at the end of a chain from a name not allowed
	 * does not count */
	CHECK_EQ(answer(p, RES4, "cdn.evil.example", rev, 2, 2000), PASS);
	CHECK_EQ(stats(p).learnt, 2);
	CHECK_EQ(syn(p, PF4(1, 2, 3, 4), 443, 2000), DENY);
	/* a CNAME loop ends */
	CHECK_EQ(answer(p, RES4, "a.pythonhosted.org", loop, 3, 3000), PASS);
	CHECK_EQ(stats(p).learnt, 3);
	CHECK_EQ(syn(p, PF4(5, 5, 5, 5), 443, 3000), PASS);
	sqn_policy_free(p);
}

static void ttl_expiry(void)
{
	const struct sqn_policy_limits lim = {
		.ttl_min_s = 1, .grace_s = 2, .linger_s = 10};
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), &lim);
	struct sqn_policy_stats st;

	learn_a(p, "pypi.org", PYPI4, 5, 1000); /* until 1000 + 7000 */
	CHECK_EQ(syn(p, PYPI4, 443, 7999), PASS);
	CHECK_EQ(syn(p, PYPI4, 443, 8000), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_EXPIRED);
	check_rst(PYPI4, 443, 0, 1001, RST | ACK);
	CHECK_STR_HAS(last_line, "lifetime over (name pypi.org)");
	flen = pf_ping(f, GUEST4, PYPI4, 1, 1);
	CHECK_EQ(tx(p, 8000), DENY); /* ICMP is no running flow */
	/* the connection started at 7999 goes on while it is not idle 10 s */
	CHECK_EQ(seg(p, PYPI4, 443, 2000, "x", 1, 8500), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 2001, "x", 1, 18499), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 2002, "x", 1, 28499), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_EXPIRED);
	check_rst(PYPI4, 443, 7777, 0, RST);
	st = stats(p);
	CHECK_EQ(st.expired, 1);
	CHECK_EQ(st.learnt_now, 0);
	CHECK_EQ(seg(p, PYPI4, 443, 2003, "x", 1, 28600), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_ADDR); /* forgotten */
	/* resolved again: allowed again */
	learn_a(p, "pypi.org", PYPI4, 5, 30000);
	CHECK_EQ(syn(p, PYPI4, 443, 30001), PASS);
	/* TTL 0: the shortest lifetime (1 s) plus the grace */
	learn_a(p, "pypi.org", PF4(151, 101, 64, 223), 0, 40000);
	CHECK_EQ(syn(p, PF4(151, 101, 64, 223), 443, 42999), PASS);
	CHECK_EQ(syn(p, PF4(151, 101, 64, 223), 443, 43000), DENY);
	st = stats(p);
	CHECK_EQ(st.learnt, 3);
	CHECK_EQ(st.denied[SQN_POLICY_C_EXPIRED], 4);
	CHECK_EQ(st.denied[SQN_POLICY_C_ADDR], 1);
	sqn_policy_free(p);
}

static void ipv6(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	struct pf_rr rr[] = {{"pypi.org", 28, 60, NULL, PYPI6},
			     {"pypi.org", 1, 60, NULL, PYPI4}};

	CHECK_EQ(syn(p, PYPI6, 443, 1), DENY);
	check_rst(PYPI6, 443, 0, 1001, RST | ACK);
	CHECK_EQ(query(p, RES6, "pypi.org", 1), PASS);
	CHECK_EQ(answer(p, RES6, "pypi.org", rr, 2, 2), PASS);
	CHECK_EQ(stats(p).learnt, 2);
	CHECK_EQ(syn(p, PYPI6, 443, 3), PASS);
	CHECK_EQ(syn(p, PYPI4, 443, 3), PASS);
	flen = pf_udp(f, GUEST6, FAR6, 1, 2, "abc", 3);
	CHECK_EQ(tx(p, 3), DENY);
	check_icmp(FAR6, 40 + 8 + 3);
	sqn_policy_free(p);
}

/**
 * tcp_dns() - a DNS-over-TCP payload: each name as a length-prefixed query
 * @buf:	the payload
 * @names:	the names, NULL-terminated
 *
 * Return: its length
 */
static size_t tcp_dns(uint8_t *buf, const char *const *names)
{
	size_t o = 0;

	for (; *names; names++) {
		size_t n = pf_dns_query(buf + o + 2, 7, *names, 1);

		buf[o] = (uint8_t)(n >> 8);
		buf[o + 1] = (uint8_t)n;
		o += 2 + n;
	}
	return o;
}

static void dns_over_tcp(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	static const char *const ok[] = {"pypi.org", "files.pythonhosted.org",
					 NULL};
	static const char *const bad[] = {"pypi.org", "evil.example", NULL};
	uint8_t pl[1024], m[1024], fr[PF_BUF];
	struct pf_rr rr = {"pypi.org", 1, 60, NULL, PF4(151, 101, 64, 223)};
	size_t n, fl, ml;

	CHECK_EQ(syn(p, RES4, 53, 1), PASS);
	n = tcp_dns(pl, ok);
	CHECK_EQ(seg(p, RES4, 53, 100, pl, n, 1), PASS);
	CHECK_EQ(stats(p).dns_allowed, 2);
	n = tcp_dns(pl, bad);
	CHECK_EQ(seg(p, RES4, 53, 100, pl, n, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_NAME);
	check_rst(RES4, 53, 7777, 0, RST);
	/* and onward, in the frame's place, a RST the resolver accepts */
	ASSERT(out.net_len > 0);
	ASSERT(pf_read(net, out.net_len, &rp) == 0);
	CHECK(rp.csum_ok);
	CHECK(!memcmp(rp.dst_mac, pf_gw_mac, 6));
	CHECK(pf_addr_eq(rp.src, GUEST4) && pf_addr_eq(rp.dst, RES4));
	CHECK_EQ(rp.sport, 40000);
	CHECK_EQ(rp.dport, 53);
	CHECK_EQ(rp.seq, 100);
	CHECK_EQ(rp.flags, RST);
	/* a query split across segments cannot be checked */
	n = tcp_dns(pl, ok);
	CHECK_EQ(seg(p, RES4, 53, 100, pl, 20, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_BAD);
	CHECK(out.reply_len > 0 && out.net_len > 0);
	CHECK_EQ(seg(p, RES4, 53, 100, pl, 1, 1), DENY);
	/* answers over TCP teach too */
	ml = pf_dns_answer(m + 2, 7, "pypi.org", 1, &rr, 1);
	m[0] = (uint8_t)(ml >> 8);
	m[1] = (uint8_t)ml;
	fl = pf_tcp(fr, RES4, GUEST4, 53, 40000, 7777, 120, ACK | PSH, m,
		    ml + 2);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 2), PASS);
	CHECK_EQ(syn(p, PF4(151, 101, 64, 223), 443, 3), PASS);
	/* one that spans segments is not learnt, and passes */
	m[0] = 0x02; /* says 512 bytes */
	fl = pf_tcp(fr, RES4, GUEST4, 53, 40000, 7777, 120, ACK | PSH, m,
		    ml + 2);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 4), PASS);
	/* nor a segment that starts mid-message */
	fl = pf_tcp(fr, RES4, GUEST4, 53, 40000, 7777, 120, ACK | PSH,
		    "\x00\x05\xff\xff\xff\xff\xff", 7);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 4), PASS);
	{
		struct sqn_policy_stats st = stats(p);

		CHECK_EQ(st.learnt, 1);
		CHECK_EQ(st.dns_split, 1);
		CHECK_EQ(st.dns_malformed, 1);
		CHECK_EQ(st.dns_answers, 1);
		CHECK_EQ(st.denied[SQN_POLICY_C_DNS_NAME], 1);
		CHECK_EQ(st.denied[SQN_POLICY_C_DNS_BAD], 2);
	}
	sqn_policy_free(p);
}

/**
 * raw_query() - the verdict on a UDP query to the resolver, its message
 *		 edited
 * @p:		the engine
 * @off:	byte to change
 * @val:	its new value
 *
 * Return: the verdict
 */
static enum sqn_policy_verdict raw_query(struct sqn_policy *p, size_t off,
					 uint8_t val)
{
	uint8_t m[512];
	size_t n = pf_dns_query(m, 1, "pypi.org", 1);

	m[off] = val;
	flen = pf_udp(f, GUEST4, RES4, 5353, 53, m, n);
	return tx(p, 1);
}

static void malformed_dns(void)
{
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	struct sqn_policy_stats st;
	uint8_t fr[PF_BUF];
	size_t fl;

	flen = pf_udp(f, GUEST4, RES4, 5353, 53, "\x01\x02\x03\x04\x05", 5);
	CHECK_EQ(tx(p, 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_BAD);
	CHECK_EQ(out.reply_len, 0);
	CHECK_EQ(raw_query(p, 2, 0x81), DENY);	/* QR: a response */
	CHECK_EQ(raw_query(p, 2, 0x29), DENY);	/* opcode 5: UPDATE */
	CHECK_EQ(raw_query(p, 5, 2), DENY);	/* two questions */
	CHECK_EQ(raw_query(p, 7, 1), DENY);	/* an answer record */
	CHECK_EQ(raw_query(p, 9, 1), DENY);	/* an authority record */
	CHECK_EQ(raw_query(p, 11, 2), DENY);	/* two additional records */
	CHECK_EQ(raw_query(p, 12, 0xc0), DENY); /* a pointer in the question */
	CHECK_EQ(raw_query(p, 11, 0), PASS);	/* the query unharmed */
	/* a garbage answer from a resolver is dropped, from elsewhere not
	 * looked at */
	fl = pf_udp(fr, RES4, GUEST4, 53, 5353, "\xde\xad\xbe\xef", 4);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 1), DENY);
	fl = pf_udp(fr, PF4(8, 8, 8, 8), GUEST4, 53, 5353, "\xde\xad", 2);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 1), PASS);
	fl = pf_udp(fr, RES4, GUEST4, 54, 5353, "\xde\xad", 2);
	CHECK_EQ(sqn_policy_rx(p, fr, (uint32_t)fl, 1), PASS);
	CHECK_EQ(sqn_policy_rx(p, fr, 9, 1), PASS); /* a runt: not ours */
	st = stats(p);
	CHECK_EQ(st.denied[SQN_POLICY_C_DNS_BAD], 8);
	CHECK_EQ(st.dns_malformed, 1);
	CHECK_EQ(st.dns_allowed, 1);
	CHECK_EQ(st.replies, 0);
	sqn_policy_free(p);
}

static void check_sni(void)
{
	static const char *const r[] = {"allow-host=pypi.org",
					"allow-net=[2001:db8:1::/48]:443/tcp",
					"check-sni"};
	const struct pf_addr v6 = {
		6,
		{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}};
	struct sqn_policy *p = mk(r, 3, NULL);
	struct sqn_policy_stats st;
	uint8_t h[4096];
	size_t n;

	learn_a(p, "pypi.org", PYPI4, 300, 1);
	CHECK_EQ(syn(p, PYPI4, 443, 2), PASS);
	n = pf_hello(h, "PyPI.org", 0, false);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, n, 2), PASS);
	n = pf_hello(h, "evil.example", 0, false);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, n, 2), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_SNI);
	check_rst(PYPI4, 443, 7777, 0, RST);
	ASSERT(out.net_len > 0);
	ASSERT(pf_read(net, out.net_len, &rp) == 0);
	CHECK(rp.csum_ok);
	CHECK_EQ(rp.seq, 1);
	CHECK_EQ(rp.flags, RST);
	CHECK_STR_HAS(last_line, "TLS server name not allowed (name "
				 "evil.example)");
	/* ECH: the outer name is what is checked */
	n = pf_hello(h, "pypi.org", 0, true);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, n, 2), PASS);
	/* no name, not TLS, another port: pass */
	n = pf_hello(h, NULL, 0, false);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, n, 2), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 1, "GET / HTTP/1.1\r\n", 16, 2), PASS);
	n = pf_hello(h, "evil.example", 0, false);
	CHECK_EQ(seg(p, PYPI4, 8443, 1, h, n, 2), PASS);
	/* an allow-net address is allowed whole: not checked */
	CHECK_EQ(seg(p, v6, 443, 1, h, n, 2), PASS);
	/* QUIC to a name-only address */
	flen = pf_udp(f, GUEST4, PYPI4, 40000, 443, "quic", 4);
	CHECK_EQ(tx(p, 2), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_QUIC);
	check_icmp(PYPI4, 20 + 8 + 4);
	/* a malformed hello is reset */
	n = pf_hello(h, "pypi.org", 0, false);
	h[4] -= 1;
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, n, 2), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_SNI_UNCHECKED);
	st = stats(p);
	CHECK_EQ(st.sni_checked, 3);
	CHECK_EQ(st.denied[SQN_POLICY_C_SNI], 1);
	CHECK_EQ(st.denied[SQN_POLICY_C_QUIC], 1);
	CHECK_EQ(st.denied[SQN_POLICY_C_SNI_UNCHECKED], 1);
	sqn_policy_free(p);
}

static void check_sni_split(void)
{
	static const char *const r[] = {"allow-host=pypi.org", "check-sni"};
	const struct sqn_policy_limits lim = {.sni_flows = 1};
	struct sqn_policy *p = mk(r, 2, &lim);
	uint8_t h[4096];
	size_t n = pf_hello(h, "pypi.org", 2000, false);
	enum sqn_policy_verdict v;

	learn_a(p, "pypi.org", PYPI4, 300, 1);
	/* allowed, in 1000-byte segments, one retransmitted */
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, 1000, 2), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, 1000, 2), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 1001, h + 1000, 1000, 2), PASS);
	CHECK_EQ(stats(p).sni_checked, 0); /* the name is past 2000 */
	CHECK_EQ(seg(p, PYPI4, 443, 2001, h + 2000, n - 2000, 2), PASS);
	CHECK_EQ(stats(p).sni_checked, 1);
	/* not allowed: the segment that completes the name is reset */
	n = pf_hello(h, "www.evil.example", 2000, false);
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, 1000, 3), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 1001, h + 1000, 1000, 3), PASS);
	v = seg(p, PYPI4, 443, 2001, h + 2000, n - 2000, 3);
	CHECK_EQ(v, DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_SNI);
	/* a gap: reset */
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, 1000, 4), PASS);
	CHECK_EQ(seg(p, PYPI4, 443, 2001, h + 2000, n - 2000, 4), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_SNI_UNCHECKED);
	/* the one slot busy: a second split hello cannot be followed */
	CHECK_EQ(seg(p, PYPI4, 443, 1, h, 1000, 5), PASS);
	flen = pf_tcp(f, GUEST4, PYPI4, 40001, 443, 1, 7777, ACK | PSH, h,
		      1000);
	CHECK_EQ(tx(p, 5), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_SNI_UNCHECKED);
	/* ... until the first is 10 s old */
	CHECK_EQ(tx(p, 5 + 10000), PASS);
	sqn_policy_free(p);
}

/**
 * set_rules() - replace an engine's rules
 * @p:		the engine
 * @rules:	rule strings
 * @n:		how many
 *
 * Return: sqn_policy_update()'s result
 */
static int set_rules(struct sqn_policy *p, const char *const *rules, unsigned n)
{
	struct sqn_policy_rules *r = calloc(1, sizeof(*r));
	char err[256];
	unsigned i;
	int rc;

	if (!r)
		abort();
	sqn_policy_rules_init(r);
	for (i = 0; i < n; i++)
		if (sqn_policy_rule_parse(r, rules[i], err, sizeof(err)))
			printf("# %s\n", err);
	rc = sqn_policy_update(p, r, err, sizeof(err));
	free(r);
	return rc;
}

static void update(void)
{
	static const char *const only_ph[] = {"allow-host=*.pythonhosted.org"};
	static const char *const broken[] = {"check-sni"};
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), NULL);
	const struct pf_addr ph = PF4(151, 101, 1, 1);

	learn_a(p, "pypi.org", PYPI4, 300, 1);
	learn_a(p, "files.pythonhosted.org", ph, 300, 1);
	CHECK_EQ(syn(p, PYPI4, 443, 2), PASS);
	CHECK_EQ(set_rules(p, only_ph, 1), 0);
	CHECK_EQ(stats(p).revoked, 1);
	CHECK_EQ(stats(p).learnt_now, 1);
	CHECK_EQ(syn(p, PYPI4, 443, 3), DENY);
	CHECK_EQ(syn(p, ph, 443, 3), PASS);
	CHECK_EQ(query(p, RES4, "pypi.org", 3), DENY);
	CHECK_EQ(syn(p, PF4(10, 1, 2, 3), 5432, 3), DENY);
	/* a set that does not check leaves the old one in force */
	CHECK_EQ(set_rules(p, broken, 1), -EINVAL);
	CHECK_EQ(syn(p, ph, 443, 4), PASS);
	CHECK_EQ(syn(p, PYPI4, 443, 4), DENY);
	/* no rules: the policy is off */
	CHECK_EQ(set_rules(p, NULL, 0), 0);
	CHECK_EQ(syn(p, FAR4, 80, 5), PASS);
	CHECK_EQ(stats(p).learnt_now, 0);
	/* and on again: learnt addresses went with the names */
	CHECK_EQ(set_rules(p, base, ARRAY_LEN(base)), 0);
	CHECK_EQ(syn(p, ph, 443, 6), DENY);
	sqn_policy_free(p);
}

static void table_bound(void)
{
	const struct sqn_policy_limits lim = {.max_learnt = 4};
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), &lim);
	struct sqn_policy_stats st;
	uint8_t i;

	for (i = 1; i <= 6; i++)
		learn_a(p, "pypi.org", PF4(10, 9, 0, i), 300, i);
	st = stats(p);
	CHECK_EQ(st.learnt, 6);
	CHECK_EQ(st.evicted, 2);
	CHECK_EQ(st.learnt_now, 4);
	CHECK_EQ(syn(p, PF4(10, 9, 0, 1), 443, 10), DENY);
	CHECK_EQ(syn(p, PF4(10, 9, 0, 2), 443, 10), DENY);
	CHECK_EQ(syn(p, PF4(10, 9, 0, 3), 443, 10), PASS);
	/* learnt again, .3 is the newest: .4 goes next */
	learn_a(p, "pypi.org", PF4(10, 9, 0, 3), 300, 11);
	learn_a(p, "pypi.org", PF4(10, 9, 0, 7), 300, 12);
	st = stats(p);
	CHECK_EQ(st.refreshed, 1);
	CHECK_EQ(st.evicted, 3);
	CHECK_EQ(syn(p, PF4(10, 9, 0, 3), 443, 13), PASS);
	CHECK_EQ(syn(p, PF4(10, 9, 0, 4), 443, 13), DENY);
	/* a dead entry made room for is counted as expired, not evicted */
	learn_a(p, "pypi.org", PF4(10, 9, 0, 8), 300, 10000000);
	st = stats(p);
	CHECK_EQ(st.evicted, 3);
	CHECK_EQ(st.expired, 1);
	sqn_policy_free(p);
}

static void log_rate(void)
{
	const struct sqn_policy_limits lim = {.log_per_s = 3};
	struct sqn_policy *p = mk(base, ARRAY_LEN(base), &lim);
	struct sqn_policy_stats st;
	unsigned i;

	for (i = 0; i < 10; i++)
		CHECK_EQ(syn(p, FAR4, 80, 5000 + i), DENY);
	CHECK_EQ(n_lines, 3);
	CHECK_EQ(syn(p, FAR4, 81, 6000), DENY);
	CHECK_EQ(n_lines, 4);
	CHECK_STR_HAS(last_line, "192.0.2.7:81: destination not allowed "
				 "(7 more not logged)");
	st = stats(p);
	CHECK_EQ(st.log_lines, 4);
	CHECK_EQ(st.log_suppressed, 7);
	CHECK_EQ(st.denied[SQN_POLICY_C_ADDR], 11);
	CHECK_EQ(st.replies, 11);
	sqn_policy_free(p);
}

/**
 * send_cause() - send one frame denied for a given cause
 * @p:		the engine (check-sni rules, pypi.org learnt and expired's
 *		address learnt long ago)
 * @c:		the cause
 * @now:	the time (ms)
 *
 * Return: the cause the engine gave
 */
static enum sqn_policy_cause send_cause(struct sqn_policy *p,
					enum sqn_policy_cause c, uint64_t now)
{
	uint8_t h[512];
	size_t n;

	switch (c) {
	case SQN_POLICY_C_ADDR:
		syn(p, FAR4, 80, now);
		break;
	case SQN_POLICY_C_EXPIRED:
		syn(p, PF4(151, 101, 64, 223), 443, now);
		break;
	case SQN_POLICY_C_DNS_NAME:
		query(p, RES4, "evil.example", now);
		break;
	case SQN_POLICY_C_DNS_SERVER:
		query(p, PF4(8, 8, 4, 4), "pypi.org", now);
		break;
	case SQN_POLICY_C_DNS_BAD:
		raw_query(p, 5, 2);
		break;
	case SQN_POLICY_C_SNI:
		n = pf_hello(h, "evil.example", 0, false);
		seg(p, PYPI4, 443, 1, h, n, now);
		break;
	case SQN_POLICY_C_SNI_UNCHECKED:
		n = pf_hello(h, "pypi.org", 0, false);
		h[4]--;
		seg(p, PYPI4, 443, 1, h, n, now);
		break;
	case SQN_POLICY_C_QUIC:
		flen = pf_udp(f, GUEST6, PYPI6, 1, 443, "q", 1);
		tx(p, now);
		break;
	case SQN_POLICY_C_PROTO:
		flen = pf_ping(f, GUEST4, GW4, 1, 1);
		f[12] = 0x88;
		f[13] = 0xb5;
		tx(p, now);
		break;
	default:
		flen = pf_ping(f, GUEST4, GW4, 1, 1);
		f[15 + 1] = 0xff; /* total length past the frame */
		tx(p, now);
		break;
	}
	return out.cause;
}

static void counters_match(void)
{
	static const char *const r[] = {"allow-host=pypi.org", "check-sni"};
	struct sqn_policy *p = mk(r, 2, NULL);
	struct sqn_policy_stats st;
	uint64_t sent = 0;
	unsigned c, i;

	/* an address whose lifetime ran out while a flow used it */
	learn_a(p, "pypi.org", PF4(151, 101, 64, 223), 1, 990000);
	CHECK_EQ(syn(p, PF4(151, 101, 64, 223), 443, 996000), PASS);
	learn_a(p, "pypi.org", PYPI4, 3600, 1000000);
	learn_a(p, "pypi.org", PYPI6, 3600, 1000000);
	for (c = 0; c < SQN_POLICY_NCAUSES; c++) {
		for (i = 0; i <= c; i++) {
			CHECK_EQ(send_cause(p, (enum sqn_policy_cause)c,
					    1000000 + i),
				 c);
			sent++;
		}
		CHECK(strcmp(sqn_policy_cause_name((enum sqn_policy_cause)c),
			     "?"));
		CHECK(strcmp(sqn_policy_cause_text((enum sqn_policy_cause)c),
			     "?"));
	}
	st = stats(p);
	for (c = 0; c < SQN_POLICY_NCAUSES; c++)
		CHECK_EQ(st.denied[c], c + 1);
	CHECK_EQ(sqn_policy_denied_total(&st), sent);
	CHECK_EQ(st.log_lines + st.log_suppressed, sent);
	CHECK(!strcmp(sqn_policy_cause_name(SQN_POLICY_NCAUSES), "?"));
	sqn_policy_free(p);
}

/**
 * struct race - the two threads' shared inputs
 * @p:		the engine
 * @passed:	frames the writer saw pass
 */
struct race {
	struct sqn_policy *p;
	unsigned passed;
};

#define RACE_N 20000

/**
 * writer() - SYNs, half to a learnt address, half to one never allowed
 * @arg:	struct race
 *
 * Return: NULL
 */
static void *writer(void *arg)
{
	struct race *r = arg;
	uint8_t fr[128];
	uint8_t rb[SQN_POLICY_REPLY_MAX];
	unsigned i;

	for (i = 0; i < RACE_N; i++) {
		struct sqn_policy_out o = {.reply = rb};
		size_t n = pf_tcp(fr, GUEST4, i & 1 ? FAR4 : PYPI4, 40000, 443,
				  i, 0, SYN, NULL, 0);

		if (sqn_policy_tx(r->p, fr, (uint32_t)n, 1000 + i, &o) == PASS)
			r->passed++;
	}
	return NULL;
}

static void two_threads(void)
{
	struct race r = {.p = mk(base, ARRAY_LEN(base), NULL)};
	struct pf_rr rr = {"pypi.org", 1, 3600, NULL, PYPI4};
	uint8_t m[512], fr[PF_BUF];
	size_t ml = pf_dns_answer(m, 1, "pypi.org", 1, &rr, 1);
	size_t fl = pf_udp(fr, RES4, GUEST4, 53, 5353, m, ml);
	struct sqn_policy_stats st;
	pthread_t t;
	unsigned i;

	CHECK_EQ(sqn_policy_rx(r.p, fr, (uint32_t)fl, 1000), PASS);
	ASSERT(pthread_create(&t, NULL, writer, &r) == 0);
	for (i = 0; i < RACE_N; i++)
		sqn_policy_rx(r.p, fr, (uint32_t)fl, 1000 + i);
	pthread_join(t, NULL);
	st = stats(r.p);
	CHECK_EQ(r.passed, RACE_N / 2);
	CHECK_EQ(st.denied[SQN_POLICY_C_ADDR], RACE_N / 2);
	CHECK_EQ(st.learnt, 1);
	CHECK_EQ(st.refreshed, RACE_N);
	CHECK_EQ(st.dns_answers, RACE_N + 1);
	sqn_policy_free(r.p);
}

static void bad_limits(void)
{
	const struct sqn_policy_limits lim = {.ttl_min_s = 100,
					      .ttl_max_s = 10};
	struct sqn_policy_rules *r = calloc(1, sizeof(*r));
	struct sqn_policy *p = NULL;
	char err[256] = "";

	ASSERT(r);
	sqn_policy_rules_init(r);
	CHECK_EQ(
		sqn_policy_new(r, &lim, NULL, NULL, NULL, &p, err, sizeof(err)),
		-EINVAL);
	CHECK(p == NULL);
	CHECK_STR_HAS(err, "TTL 100..10 s");
	ASSERT(sqn_policy_rule_parse(r, "check-sni", err, sizeof(err)) == 0);
	CHECK_EQ(
		sqn_policy_new(r, NULL, NULL, NULL, NULL, &p, err, sizeof(err)),
		-EINVAL);
	CHECK_STR_HAS(err, "check-sni checks TLS server names");
	free(r);
}

/**
 * dhcp_reply() - a DHCP answer from a server to the guest, in @f
 * @op:		BOOTP op (2: reply)
 * @opts:	the options after the magic cookie
 * @olen:	their length
 *
 * Return: the frame's length
 */
static size_t dhcp_reply(uint8_t op, const uint8_t *opts, size_t olen)
{
	uint8_t b[600] = {0};

	b[0] = op;
	b[1] = 1;
	b[2] = 6;
	b[236] = 99;
	b[237] = 130;
	b[238] = 83;
	b[239] = 99;
	memcpy(b + 240, opts, olen);
	return pf_udp(f, PF4(192, 168, 127, 1), PF4(255, 255, 255, 255), 67, 68,
		      b, 240 + olen);
}

static void dhcp_env(void)
{
	static const char *const r[] = {"allow-host=pypi.org"};
	/* ACK; server; routers (the first counts); resolvers */
	static const uint8_t ack[] = {53,  1,	5,   54,  4,   192, 168, 127,
				      1,   3,	8,   192, 168, 127, 1,	 192,
				      168, 127, 254, 6,	  8,   192, 168, 127,
				      1,   192, 168, 127, 9,   0,   0,	 255};
	uint8_t cut[sizeof(ack)], req[sizeof(ack)];
	struct sqn_policy_env env, both;
	struct sqn_policy_rules *rules = calloc(1, sizeof(*rules));
	struct sqn_policy *p = NULL;
	char err[256];

	ASSERT(rules);
	sqn_policy_rules_init(rules);
	ASSERT(sqn_policy_rule_parse(rules, r[0], err, sizeof(err)) == 0);
	ASSERT(sqn_policy_new(rules, NULL, NULL, logcb, NULL, &p, err,
			      sizeof(err)) == 0);
	free(rules);
	/* no environment: no resolver, the gateway is no gateway */
	CHECK_EQ(query(p, PF4(192, 168, 127, 1), "pypi.org", 1), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_SERVER);
	flen = pf_ping(f, PF4(192, 168, 127, 2), PF4(192, 168, 127, 1), 1, 1);
	CHECK_EQ(tx(p, 1), DENY);

	flen = dhcp_reply(2, ack, sizeof(ack));
	memset(&env, 0x5a, sizeof(env));
	ASSERT(sqn_policy_dhcp_env(f, (uint32_t)flen, &env));
	CHECK_EQ(env.n_gw, 1); /* the router, the server's id the same */
	CHECK(env.gw[0].family == 4 &&
	      !memcmp(env.gw[0].a, (uint8_t[]){192, 168, 127, 1}, 4));
	CHECK_EQ(env.n_dns, 2);
	CHECK(!memcmp(env.dns[1].a, (uint8_t[]){192, 168, 127, 9}, 4));
	/* an answer to the guest passes the engine untouched */
	CHECK_EQ(sqn_policy_rx(p, f, (uint32_t)flen, 1), PASS);
	sqn_policy_set_env(p, &env);
	CHECK_EQ(query(p, PF4(192, 168, 127, 9), "pypi.org", 2), PASS);
	CHECK_EQ(query(p, PF4(192, 168, 127, 1), "evil.example", 2), DENY);
	CHECK_EQ(out.cause, SQN_POLICY_C_DNS_NAME);
	flen = pf_ping(f, PF4(192, 168, 127, 2), PF4(192, 168, 127, 1), 1, 2);
	CHECK_EQ(tx(p, 3), PASS);

	/* not an OFFER or ACK, or not a reply: nothing learnt */
	memcpy(req, ack, sizeof(ack));
	req[2] = 3; /* REQUEST */
	flen = dhcp_reply(2, req, sizeof(req));
	CHECK(!sqn_policy_dhcp_env(f, (uint32_t)flen, &env));
	flen = dhcp_reply(1, ack, sizeof(ack));
	CHECK(!sqn_policy_dhcp_env(f, (uint32_t)flen, &env));
	/* options cut short: what came before the cut is read */
	memcpy(cut, ack, sizeof(ack));
	cut[10] = 200; /* the routers' length runs past the end */
	flen = dhcp_reply(2, cut, sizeof(cut));
	ASSERT(sqn_policy_dhcp_env(f, (uint32_t)flen, &env));
	CHECK_EQ(env.n_gw, 1);
	CHECK_EQ(env.n_dns, 0);
	/* a frame that is not DHCP, and one too short to be */
	CHECK(!sqn_policy_dhcp_env(f, 100, &env));
	flen = pf_udp(f, GW4, GUEST4, 53, 68, ack, sizeof(ack));
	CHECK(!sqn_policy_dhcp_env(f, (uint32_t)flen, &env));

	/* merge: each address once, the first list's first */
	memset(&both, 0, sizeof(both));
	both.dns[0] = pa(RES4);
	both.n_dns = 1;
	flen = dhcp_reply(2, ack, sizeof(ack));
	ASSERT(sqn_policy_dhcp_env(f, (uint32_t)flen, &env));
	sqn_policy_env_merge(&both, &env);
	sqn_policy_env_merge(&both, &env);
	CHECK_EQ(both.n_dns, 3);
	CHECK_EQ(both.n_gw, 1);
	CHECK(both.dns[0].family == 4 && !memcmp(both.dns[0].a, RES4.a, 4));
	sqn_policy_free(p);
}

static const struct check_case cases[] = {
	CASE(no_rules_pass_all),
	CASE(housekeeping),
	CASE(net_rules),
	CASE(rst_numbers),
	CASE(learnt_from_dns),
	CASE(denied_name_nxdomain),
	CASE(dns_to_other_servers),
	CASE(udp_icmp_quote),
	CASE(cname_chain),
	CASE(ttl_expiry),
	CASE(ipv6),
	CASE(dns_over_tcp),
	CASE(malformed_dns),
	CASE(check_sni),
	CASE(check_sni_split),
	CASE(update),
	CASE(table_bound),
	CASE(log_rate),
	CASE(counters_match),
	CASE(two_threads),
	CASE(bad_limits),
	CASE(dhcp_env),
};

CHECK_MAIN(cases)
