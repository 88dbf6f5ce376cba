/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policybench.c - per-frame cost of the egress policy engine (issue 15)
 *
 * Theory of operation: the engine (src/policy.c) is built with a policy
 * of --rules rules (default 50: half allow-host, exact names and
 * "*.suffix" patterns alternating; half allow-net, IPv4 and IPv6, with and
 * without ports), and 1000 addresses learnt from DNS answers, as a guest
 * that has been running a while has. Each row then judges one frame
 * --frames times in a loop on one thread, with the clock moving, and
 * reports the median over --runs of the thread's CPU time per frame (the
 * machine may be shared: time spent waiting for a core is not the
 * engine's) and the heap allocations per frame (tests/alloc_count.h: expected
 * 0). Rows:
 *   tx-off	the same engine after an update to no rules: the frame
 *		passes on one atomic load (a policy that is off)
 *   tx-net	a 1514-byte TCP segment allowed by the last allow-net rule:
 *		every rule is scanned
 *   tx-learnt	a 1514-byte TCP segment to a learnt address: all the
 *		allow-net rules miss, then the table answers
 *   tx-64k	the same as a 65535-byte offload frame (the cost does not
 *		grow with the frame)
 *   tx-deny	a SYN nothing allows: the RST is built in the reply buffer
 *		(the log callback counts lines and drops them)
 *   tx-dns	a DNS query for an allowed name (parse, every host pattern)
 *   rx-data	a 1514-byte TCP segment to the guest (not from port 53: no
 *		lock taken)
 *   rx-answer	a DNS answer for an allowed name (parse, a refresh)
 * --only ROW runs one row (e.g. under perf stat).
 * A 1514-byte frame at 10 Gbit/s lasts 1.2 us: the 10% target on
 * the slirp and tap-offload paths leaves about 120 ns per such frame for
 * the policy; the throughput comparison itself needs the engine in the
 * core (bench/bench.py, a later step).
 *
 * Not a test: the figures depend on the machine. Built without the
 * sanitizers only (they own malloc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../tests/alloc_count.h"
#include "be.h"
#include "csum.h"
#include "policy.h"

#define MAX_RUNS 15
#define LEARNT 1000u
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const uint8_t guest[4] = {10, 0, 2, 15}, res[4] = {10, 0, 2, 3};

/**
 * struct opts - the command line
 * @frames:	frames per row and run
 * @runs:	runs per row (the median is reported)
 * @rules:	rules in the policy
 * @json:	print JSON instead of a table
 * @only:	the one row to run, NULL for all
 */
struct opts {
	unsigned long frames;
	unsigned runs;
	unsigned rules;
	int json;
	const char *only;
};

/**
 * struct row - one measurement
 * @name:	its name
 * @tx:		true: sqn_policy_tx(); false: sqn_policy_rx()
 * @frame:	the frame
 * @len:	its length
 * @expect:	the verdict it must get
 */
struct row {
	const char *name;
	bool tx;
	uint8_t *frame;
	uint32_t len;
	enum sqn_policy_verdict expect;
};

static unsigned long log_lines;

/**
 * count_line() - the log callback: count, drop
 * @opaque:	unused
 * @line:	unused
 */
static void count_line(void *opaque, const char *line)
{
	(void)opaque;
	(void)line;
	log_lines++;
}

/**
 * cpu_ns() - this thread's CPU time: on a shared machine, what a frame
 *	      costs, without the time the thread waited for a core
 *
 * Return: nanoseconds
 */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * ip4_frame() - an IPv4 frame around a transport message, checksums set
 * @buf:	the frame (len bytes available)
 * @src:	source address
 * @dst:	destination address
 * @proto:	6 or 17
 * @sport:	source port
 * @dport:	destination port
 * @flags:	TCP flags (TCP only)
 * @plen:	payload length
 * @payload:	payload, or NULL for zeros
 *
 * Return: the frame's length
 */
static uint32_t ip4_frame(uint8_t *buf, const uint8_t *src, const uint8_t *dst,
			  uint8_t proto, uint16_t sport, uint16_t dport,
			  uint8_t flags, uint32_t plen, const uint8_t *payload)
{
	uint32_t hl = proto == 6 ? 20 : 8, l4len = hl + plen;
	uint8_t *ip = buf + 14, *t = ip + 20;
	uint16_t c;

	memset(buf, 0, 14 + 20 + hl);
	memcpy(buf + 6, (const uint8_t[]){0x52, 0x54, 0, 0x12, 0x34, 0x56}, 6);
	memcpy(buf, (const uint8_t[]){0x52, 0x55, 10, 0, 2, 2}, 6);
	sqn_put16(buf + 12, 0x0800);
	ip[0] = 0x45;
	sqn_put16(ip + 2, l4len + 20 > 65535 ? 0 : l4len + 20);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	c = sqn_csum(ip, 20, 0);
	memcpy(ip + 10, &c, 2);
	sqn_put16(t, sport);
	sqn_put16(t + 2, dport);
	if (proto == 6) {
		t[12] = 5 << 4;
		t[13] = flags;
	} else {
		sqn_put16(t + 4, l4len);
	}
	if (payload)
		memcpy(t + hl, payload, plen);
	else
		memset(t + hl, 0, plen);
	return 14 + 20 + l4len;
}

/**
 * dns_msg() - a DNS query, or an answer with one A record
 * @buf:	the message
 * @name:	the name (labels of at most 63 bytes)
 * @addr:	the A record's address, NULL for a query
 *
 * Return: the message's length
 */
static uint32_t dns_msg(uint8_t *buf, const char *name, const uint8_t *addr)
{
	uint32_t o = 12;

	memset(buf, 0, 12);
	sqn_put16(buf, 0x4242);
	sqn_put16(buf + 2, addr ? 0x8180 : 0x0100);
	sqn_put16(buf + 4, 1);
	sqn_put16(buf + 6, addr ? 1 : 0);
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		buf[o++] = (uint8_t)n;
		memcpy(buf + o, name, n);
		o += (uint32_t)n;
		name += n + (dot ? 1 : 0);
	}
	buf[o++] = 0;
	sqn_put32(buf + o, 0x00010001); /* type A, class IN */
	o += 4;
	if (!addr)
		return o;
	sqn_put16(buf + o, 0xc00c);
	sqn_put32(buf + o + 2, 0x00010001);
	sqn_put32(buf + o + 6, 3600);
	sqn_put16(buf + o + 10, 4);
	memcpy(buf + o + 12, addr, 4);
	return o + 16;
}

/**
 * learnt_addr() - the address learnt for host i
 * @i:		which
 * @a:		filled (100.64.0.0/10, far from every rule)
 */
static void learnt_addr(unsigned i, uint8_t a[4])
{
	a[0] = 100;
	a[1] = (uint8_t)(64 + (i >> 16));
	a[2] = (uint8_t)(i >> 8);
	a[3] = (uint8_t)i;
}

/**
 * make_engine() - the policy of @o->rules rules, with LEARNT addresses
 *		   learnt
 * @o:		options
 *
 * Return: the engine (exits on failure)
 */
static struct sqn_policy *make_engine(const struct opts *o)
{
	struct sqn_policy_rules *r = calloc(1, sizeof(*r));
	struct sqn_policy_limits lim = {.max_learnt = 4 * LEARNT};
	struct sqn_policy_env env = {.n_dns = 1};
	static uint8_t f[2048], m[512];
	struct sqn_policy *p;
	char spec[128], err[256], name[64];
	unsigned i;

	if (!r)
		exit(1);
	env.dns[0].family = 4;
	memcpy(env.dns[0].a, res, 4);
	sqn_policy_rules_init(r);
	for (i = 0; i < o->rules; i++) {
		if (i % 2 == 0 && i % 4 == 0)
			snprintf(spec, sizeof(spec), "allow-host=h%u.example",
				 i);
		else if (i % 2 == 0)
			snprintf(spec, sizeof(spec), "allow-host=*.s%u.example",
				 i);
		else if (i % 4 == 1)
			snprintf(spec, sizeof(spec),
				 "allow-net=198.18.%u.0/24:%u/tcp", i,
				 1000 + i);
		else
			snprintf(spec, sizeof(spec),
				 "allow-net=[2001:db8:%x::/48]", i);
		if (sqn_policy_rule_parse(r, spec, err, sizeof(err))) {
			fprintf(stderr, "policybench: %s\n", err);
			exit(1);
		}
	}
	if (sqn_policy_new(r, &lim, &env, count_line, NULL, &p, err,
			   sizeof(err))) {
		fprintf(stderr, "policybench: %s\n", err);
		exit(1);
	}
	free(r);
	for (i = 0; i < LEARNT && o->rules >= 3; i++) {
		uint8_t a[4];
		uint32_t n;

		learnt_addr(i, a);
		snprintf(name, sizeof(name), "n%u.s2.example", i);
		n = dns_msg(m, name, a);
		n = ip4_frame(f, res, guest, 17, 53, 5353, 0, n, m);
		sqn_policy_rx(p, f, n, 1);
	}
	return p;
}

/**
 * run_row() - judge a row's frame @o->frames times
 * @p:		the engine
 * @r:		the row
 * @o:		options
 * @ns:		gets CPU nanoseconds per frame
 * @allocs:	gets allocations per frame
 *
 * Return: 0, or -1 when a verdict was not the one expected
 */
static int run_row(struct sqn_policy *p, const struct row *r,
		   const struct opts *o, double *ns, double *allocs)
{
	static uint8_t reply[SQN_POLICY_REPLY_MAX];
	unsigned long i, a0 = atomic_load(&alloc_count), bad = 0;
	uint64_t t0 = cpu_ns(), t1;

	for (i = 0; i < o->frames; i++) {
		struct sqn_policy_out out = {.reply = reply};
		uint64_t now = 1000 + i / 1000;
		enum sqn_policy_verdict v;

		v = r->tx ? sqn_policy_tx(p, r->frame, r->len, now, &out)
			  : sqn_policy_rx(p, r->frame, r->len, now);
		bad += v != r->expect;
	}
	t1 = cpu_ns();
	*ns = (double)(t1 - t0) / (double)o->frames;
	*allocs = (double)(atomic_load(&alloc_count) - a0) / (double)o->frames;
	if (bad)
		fprintf(stderr, "policybench: %s: %lu unexpected verdicts\n",
			r->name, bad);
	return bad ? -1 : 0;
}

/**
 * cmp_double() - qsort order for doubles
 * @a:	one
 * @b:	the other
 *
 * Return: <0, 0, >0
 */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/**
 * usage() - print how to call the program
 * @f:	where
 */
static void usage(FILE *f)
{
	fprintf(f, "usage: policybench [--frames N] [--runs N] [--rules N] "
		   "[--only ROW] [--json]\n");
}

/**
 * parse_opts() - read the command line
 * @argc:	argument count
 * @argv:	arguments
 * @o:		filled
 *
 * Return: 0, or -1 after printing the usage
 */
static int parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o->json = 1;
			continue;
		}
		if (!v)
			goto bad;
		if (!strcmp(a, "--frames"))
			o->frames = strtoul(v, NULL, 10);
		else if (!strcmp(a, "--runs"))
			o->runs = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--rules"))
			o->rules = (unsigned)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--only"))
			o->only = v;
		else
			goto bad;
		i++;
	}
	if (o->frames && o->runs >= 1 && o->runs <= MAX_RUNS &&
	    o->rules <= SQN_POLICY_MAX_HOSTS)
		return 0;
bad:
	usage(stderr);
	return -1;
}

/**
 * make_rows() - the frames of every row
 * @rows:	filled, ARRAY_LEN of 8
 * @o:		options
 *
 * Return: how many rows
 */
static unsigned make_rows(struct row *rows, const struct opts *o)
{
	static uint8_t net[2048], learnt[2048], big[65600], deny[128], dns[512],
		rxd[2048], rxa[512];
	uint8_t m[512], a[4], last[4] = {198, 18, 0, 7};
	unsigned n = 0, last_net = o->rules >= 2 ? o->rules - 1 : 1;
	uint32_t l;

	while (last_net % 4 != 1 && last_net > 1)
		last_net--;
	last[2] = (uint8_t)last_net;
	learnt_addr(LEARNT / 2, a);
	rows[n++] = (struct row){"tx-off", true, net, 0, SQN_POLICY_PASS};
	rows[n++] = (struct row){"tx-net", true, net,
				 ip4_frame(net, guest, last, 6, 40000,
					   (uint16_t)(1000 + last_net), 0x18,
					   1460, NULL),
				 SQN_POLICY_PASS};
	rows[n++] = (struct row){
		"tx-learnt", true, learnt,
		ip4_frame(learnt, guest, a, 6, 40000, 443, 0x18, 1460, NULL),
		SQN_POLICY_PASS};
	rows[n++] = (struct row){
		"tx-64k", true, big,
		ip4_frame(big, guest, a, 6, 40000, 443, 0x18, 65535 - 54, NULL),
		SQN_POLICY_PASS};
	rows[n++] =
		(struct row){"tx-deny", true, deny,
			     ip4_frame(deny, guest, (uint8_t[]){192, 0, 2, 1},
				       6, 40000, 80, 0x02, 0, NULL),
			     SQN_POLICY_DENY};
	l = dns_msg(m, "www.s2.example", NULL);
	rows[n++] =
		(struct row){"tx-dns", true, dns,
			     ip4_frame(dns, guest, res, 17, 5353, 53, 0, l, m),
			     SQN_POLICY_PASS};
	rows[n++] = (struct row){
		"rx-data", false, rxd,
		ip4_frame(rxd, a, guest, 6, 443, 40000, 0x18, 1460, NULL),
		SQN_POLICY_PASS};
	l = dns_msg(m, "n7.s2.example", (uint8_t[]){100, 64, 0, 7});
	rows[n++] =
		(struct row){"rx-answer", false, rxa,
			     ip4_frame(rxa, res, guest, 17, 53, 5353, 0, l, m),
			     SQN_POLICY_PASS};
	rows[0].len = rows[1].len;
	return n;
}

/**
 * print_row() - one result line
 * @o:		options
 * @name:	the row
 * @ns:		ns per frame
 * @al:		allocations per frame
 * @first:	the first JSON member
 */
static void print_row(const struct opts *o, const char *name, double ns,
		      double al, bool first)
{
	if (o->json)
		printf("%s\n    {\"row\": \"%s\", \"ns_per_frame\": %.1f, "
		       "\"allocs_per_frame\": %.6f}",
		       first ? "" : ",", name, ns, al);
	else
		printf("%-10s %10.1f %12.6f\n", name, ns, al);
}

int main(int argc, char **argv)
{
	struct opts o = {.frames = 2000000, .runs = 5, .rules = 50};
	struct sqn_policy_rules none;
	struct sqn_policy *p, *off;
	struct row rows[8];
	unsigned n, i, k;
	bool first = true;
	int rc = 0;

	if (parse_opts(argc, argv, &o))
		return 2;
	p = make_engine(&o);
	off = make_engine(&o);
	sqn_policy_rules_init(&none);
	if (sqn_policy_update(off, &none, NULL, 0))
		return 1;
	n = make_rows(rows, &o);
	if (o.json)
		printf("{\"rules\": %u, \"learnt\": %u, \"frames\": %lu, "
		       "\"runs\": %u, \"clock\": \"thread cpu\", \"rows\": [",
		       o.rules, LEARNT, o.frames, o.runs);
	else
		printf("# %u rules, %u learnt addresses, %lu frames x %u runs "
		       "(median, thread CPU time)\n%-10s %10s %12s\n",
		       o.rules, LEARNT, o.frames, o.runs, "row", "ns/frame",
		       "allocs/frame");
	for (i = 0; i < n; i++) {
		double ns[MAX_RUNS], al[MAX_RUNS];

		if (o.only && strcmp(o.only, rows[i].name))
			continue;
		for (k = 0; k < o.runs; k++)
			rc |= run_row(i ? p : off, &rows[i], &o, &ns[k],
				      &al[k]);
		qsort(ns, o.runs, sizeof(ns[0]), cmp_double);
		qsort(al, o.runs, sizeof(al[0]), cmp_double);
		print_row(&o, rows[i].name, ns[o.runs / 2], al[o.runs / 2],
			  first);
		first = false;
	}
	if (o.json)
		printf("\n  ], \"log_lines\": %lu}\n", log_lines);
	sqn_policy_free(p);
	sqn_policy_free(off);
	return rc ? 1 : 0;
}
