/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_policy.c - the egress policy engine on a script of frames both ways,
 *		   rule updates and a moving clock
 *
 * Input: records of [op][clock step][length][bytes]: raw frames from the
 * guest or to it, DNS queries and answers over UDP and TCP with the
 * fuzzer's message, DHCP answers (their resolvers and gateways become the
 * engine's environment), TCP segments to port 443 or 53 with the fuzzer's
 * payload (ClientHellos), UDP and ICMP to the fuzzer's addresses, and
 * updates between two rule sets (one with check-sni). Small limits (8
 * learnt addresses, 2 ClientHello slots, 1 log line a second) so that
 * eviction, expiry and the log limit happen.
 * Properties:
 *  - a frame passed has no reply; a reply is a frame whose lengths and
 *    checksums verify (tests/pframe.c's reader, its own checksum code),
 *    addressed to the frame's sender (MAC and IP), within
 *    SQN_POLICY_REPLY_MAX; the RST for the peer verifies the same way;
 *  - the counters add up: denials by cause sum to the frames denied, log
 *    lines and suppressed lines to the denials, learnt addresses held to
 *    learnt - evicted - expired - revoked, never over the bound; rx drops
 *    only malformed DNS.
 */
#include <string.h>

#include "fuzz_util.h"
#include "../tests/pframe.h"
#include "pkt.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LEARNT 8

static const char *const set_a[] = {
	"allow-host=pypi.org",	      "allow-host=*.example.com",
	"allow-net=10.1.0.0/16:5432", "allow-net=[2001:db8::/32]:443/tcp",
	"allow-net=192.0.2.0/24/udp", "allow-dns=10.0.2.3",
	"allow-dns=fec0::3",	      "check-sni",
};
static const char *const set_b[] = {"allow-host=*.org",
				    "allow-net=0.0.0.0/0:80", "deny-all"};

static const struct pf_addr guest4 = PF4(10, 0, 2, 15), res4 = PF4(10, 0, 2, 3);
static const struct pf_addr guest6 = PF6(0xfe, 0xc0, 0, 0x15),
			    res6 = PF6(0xfe, 0xc0, 0, 3);

/**
 * struct run - one input's state
 * @p:		the engine
 * @now:	the clock (ms)
 * @denied:	tx verdicts DENY
 * @rx_denied:	rx verdicts DENY
 * @env:	the backend's environment given at the start
 * @f:		frame being built
 * @flen:	its length
 */
struct run {
	struct sqn_policy *p;
	struct sqn_policy_env env;
	uint64_t now;
	uint64_t denied;
	uint64_t rx_denied;
	uint8_t f[PF_BUF];
	size_t flen;
};

static struct run run;
static struct sqn_policy_rules rules;

/**
 * logcb() - swallow log lines (their count is in the stats)
 * @opaque:	unused
 * @line:	the line
 */
static void logcb(void *opaque, const char *line)
{
	(void)opaque;
	FZ_REQUIRE(strlen(line) < SQN_POLICY_LOG_MAX);
}

/**
 * load() - parse a rule set
 * @set:	rule strings
 * @n:		how many
 */
static void load(const char *const *set, unsigned n)
{
	char err[256];
	unsigned i;

	sqn_policy_rules_init(&rules);
	for (i = 0; i < n; i++)
		FZ_REQUIRE(!sqn_policy_rule_parse(&rules, set[i], err,
						  sizeof(err)));
}

/**
 * check_reply() - a reply frame's properties
 * @buf:	the reply
 * @len:	its length
 * @back:	true for a frame to the guest, false for the RST onward
 */
static void check_reply(const uint8_t *buf, uint32_t len, bool back)
{
	struct pf_pkt r;
	struct sqn_pkt k;

	FZ_REQUIRE(len <= SQN_POLICY_REPLY_MAX);
	FZ_REQUIRE(pf_read(buf, len, &r) == 0 && r.csum_ok);
	FZ_REQUIRE(sqn_pkt_parse(&k, run.f, (uint32_t)run.flen) == 0);
	FZ_REQUIRE(r.family == k.family);
	FZ_REQUIRE(!memcmp(r.dst_mac, run.f + (back ? 6 : 0), 6));
	FZ_REQUIRE(!memcmp(r.dst.a, back ? k.src : k.dst, k.alen));
	FZ_REQUIRE(!memcmp(r.src.a, back ? k.dst : k.src, k.alen));
}

/**
 * tx() - the engine's verdict on the frame built, checked
 */
static void tx(void)
{
	static uint8_t reply[SQN_POLICY_REPLY_MAX], net[SQN_POLICY_REPLY_MAX];
	struct sqn_policy_out out = {.reply = reply, .net = net};
	enum sqn_policy_verdict v;

	v = sqn_policy_tx(run.p, run.f, (uint32_t)run.flen, run.now, &out);
	if (v == SQN_POLICY_PASS) {
		FZ_REQUIRE(!out.reply_len && !out.net_len);
		return;
	}
	FZ_REQUIRE(v == SQN_POLICY_DENY && out.cause < SQN_POLICY_NCAUSES);
	run.denied++;
	if (out.reply_len)
		check_reply(reply, out.reply_len, true);
	if (out.net_len) {
		check_reply(net, out.net_len, false);
		FZ_REQUIRE(out.reply_len);
	}
}

/**
 * rx() - the engine's look at the frame built
 */
static void rx(void)
{
	struct sqn_policy_env env;

	/* DHCP answers to the guest give the engine its resolvers */
	if (sqn_policy_dhcp_env(run.f, (uint32_t)run.flen, &env)) {
		FZ_REQUIRE(env.n_dns <= SQN_POLICY_ENV_MAX &&
			   env.n_gw <= SQN_POLICY_ENV_MAX);
		sqn_policy_env_merge(&env, &run.env);
		FZ_REQUIRE(env.n_dns <= SQN_POLICY_ENV_MAX &&
			   env.n_gw <= SQN_POLICY_ENV_MAX);
		sqn_policy_set_env(run.p, &env);
	}
	if (sqn_policy_rx(run.p, run.f, (uint32_t)run.flen, run.now) !=
	    SQN_POLICY_PASS)
		run.rx_denied++;
}

/**
 * addr_from() - an address of a family from the input (to hit learnt
 *		 ones, the fuzzer has to repeat an answer's bytes)
 * @in:		the input
 * @v6:		IPv6
 *
 * Return: the address
 */
static struct pf_addr addr_from(struct fz *in, bool v6)
{
	struct pf_addr a = v6 ? PF6(0x20, 0x01, 0, 0) : PF4(0, 0, 0, 0);
	unsigned i, n = v6 ? 16 : 4;

	for (i = 0; i < n; i++)
		a.a[i] = fz_u8(in);
	return a;
}

/**
 * tcp_out() - a TCP segment from the guest, sequence, acknowledgement and
 *	       flags from the input
 * @in:		the input
 * @g:		the guest's address
 * @d:		the destination
 * @dport:	its port
 * @pl:		payload
 * @len:	its length
 */
static void tcp_out(struct fz *in, struct pf_addr g, struct pf_addr d,
		    uint16_t dport, const uint8_t *pl, size_t len)
{
	uint32_t seq = fz_u32(in), ack = fz_u32(in);
	uint8_t flags = fz_u8(in);

	run.flen = pf_tcp(run.f, g, d, 40000, dport, seq, ack, flags, pl, len);
	tx();
}

/**
 * step() - one record of the script
 * @in:		the input
 */
static void step(struct fz *in)
{
	uint8_t op = fz_u8(in), t = fz_u8(in), lo = fz_u8(in), hi = fz_u8(in);
	bool v6 = op & 0x80;
	size_t len = lo | (size_t)(hi & 0x1f) << 8;
	const uint8_t *pl = in->p;
	struct pf_addr g = v6 ? guest6 : guest4, r = v6 ? res6 : res4, d;

	len = len < in->n ? len : in->n;
	in->p += len;
	in->n -= len;
	run.now += t & 0x80 ? (uint64_t)(t & 0x7f) * 10000 : t * 10ull;
	switch (op & 7) {
	case 0:
	case 1:
		memcpy(run.f, pl, len);
		run.flen = len;
		(op & 7) ? rx() : tx();
		break;
	case 2:
		run.flen = pf_udp(run.f, g, r, 5353, 53, pl, len);
		tx();
		break;
	case 3: /* a DNS answer, or (0x40) a DHCP one */
		if (op & 0x40)
			run.flen = pf_udp(run.f, PF4(10, 0, 2, 2),
					  PF4(255, 255, 255, 255), 67, 68, pl,
					  len);
		else
			run.flen = pf_udp(run.f, r, g, 53, 5353, pl, len);
		rx();
		break;
	case 4:
		tcp_out(in, g, op & 0x40 ? r : addr_from(in, v6),
			op & 0x40 ? 53 : 443, pl, len);
		break;
	case 5:
		run.flen = pf_tcp(run.f, r, g, 53, 40000, 1, 1, 0x18, pl, len);
		rx();
		break;
	case 6:
		if (op & 0x40)
			load(set_a, sizeof(set_a) / sizeof(set_a[0]));
		else
			load(set_b, sizeof(set_b) / sizeof(set_b[0]));
		FZ_REQUIRE(!sqn_policy_update(run.p, &rules, NULL, 0));
		break;
	default:
		d = addr_from(in, v6);
		if (op & 0x40)
			run.flen = pf_ping(run.f, g, d, 1, 1);
		else
			run.flen = pf_udp(run.f, g, d, 4000, fz_u8(in) | 0x100,
					  pl, len);
		tx();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sqn_policy_limits lim = {.max_learnt = MAX_LEARNT,
					      .ttl_min_s = 1,
					      .grace_s = 1,
					      .linger_s = 5,
					      .sni_flows = 2,
					      .log_per_s = 1};
	struct sqn_policy_env env = {.n_dns = 1, .n_gw = 1};
	struct fz in = {data, size};
	struct sqn_policy_stats st;
	char err[256];

	memcpy(env.dns[0].a, res4.a, 4);
	env.dns[0].family = 4;
	memcpy(env.gw[0].a, (uint8_t[]){10, 0, 2, 2}, 4);
	env.gw[0].family = 4;
	load(set_a, sizeof(set_a) / sizeof(set_a[0]));
	memset(&run, 0, sizeof(run));
	run.env = env;
	run.now = 1;
	FZ_REQUIRE(!sqn_policy_new(&rules, &lim, &env, logcb, NULL, &run.p, err,
				   sizeof(err)));
	while (in.n)
		step(&in);
	sqn_policy_stats(run.p, &st);
	FZ_REQUIRE(sqn_policy_denied_total(&st) == run.denied);
	FZ_REQUIRE(st.log_lines + st.log_suppressed == run.denied);
	FZ_REQUIRE(st.learnt_now <= MAX_LEARNT);
	FZ_REQUIRE(st.learnt_now ==
		   st.learnt - st.evicted - st.expired - st.revoked);
	FZ_REQUIRE(st.dns_malformed >= run.rx_denied);
	FZ_REQUIRE(st.replies <= run.denied);
	sqn_policy_free(run.p);
	return 0;
}
