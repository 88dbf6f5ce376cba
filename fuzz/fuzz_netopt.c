/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_netopt.c - every slirp option at once: network, gateway, DNS, first
 *		   DHCP address, up to 66 forwards and 18 search domains
 *
 * Input (struct fz): a flags byte (which of slirp_net, slirp_host,
 * slirp_dns, slirp_dhcp_start are set; IPv6 off; restrict), those strings,
 * the message buffer's size, a forward count and the forwards, a domain
 * count and the domains. Properties:
 *  - sqn_netopt_build() accepts exactly what a model written here accepts
 *    (the addresses inside the network, not its network or broadcast
 *    address, distinct; each domain and forward valid on its own; no two
 *    forwards on one host port; the counts within their limits);
 *  - an accepted set round-trips: formatted back to strings (CIDR, dotted
 *    quads, "udp:h:p-g:p") it builds the identical options;
 *  - each accepted forward is the one sqn_netopt_fwd() parses on its own,
 *    and round-trips the same way;
 *  - every refusal (build, forward, CIDR) has a message that fits the
 *    buffer, and leaves the caller's outputs as they were;
 *  - the slirp_net string read as a libslirp version string gets the
 *    answer a model of "MAJOR.MINOR..." against 4.7 gives.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "fuzz_util.h"
#include "netopt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NF (SQN_NETOPT_MAX_FWD + 2)
#define ND (SQN_NETOPT_MAX_SEARCH + 2)

/**
 * struct input - the options taken from the fuzzer's bytes
 * @flags:	bit 0..3 slirp_net, _host, _dns, _dhcp_start set; bit 4 IPv6
 *		off; bit 5 restrict
 * @net:	slirp_net
 * @host:	slirp_host
 * @dns:	slirp_dns
 * @dhcp:	slirp_dhcp_start
 * @errlen:	message buffer size, 1..256
 * @fwd:	forwards
 * @nf:		their number
 * @dom:	search domains
 * @nd:		their number
 */
struct input {
	unsigned flags;
	char *net, *host, *dns, *dhcp;
	size_t errlen;
	char *fwd[NF];
	unsigned nf;
	char *dom[ND];
	unsigned nd;
};

/**
 * model_addr() - an address option as the API documents it: a dotted quad
 * @s:		the option, NULL for @def
 * @def:	its default
 * @out:	gets the address
 *
 * Return: true if accepted
 */
static bool model_addr(const char *s, struct in_addr def, struct in_addr *out)
{
	if (!s) {
		*out = def;
		return true;
	}
	return strlen(s) < INET_ADDRSTRLEN && inet_pton(AF_INET, s, out) == 1;
}

/**
 * model_member() - a usable host address of the network
 * @a:		the address
 * @net:	the network
 * @mask:	its mask
 *
 * Return: true if it is one
 */
static bool model_member(struct in_addr a, struct in_addr net,
			 struct in_addr mask)
{
	return (a.s_addr & mask.s_addr) == net.s_addr &&
	       a.s_addr != net.s_addr &&
	       a.s_addr != (net.s_addr | ~mask.s_addr);
}

/**
 * model_domain() - a search domain: 1..253 bytes, labels of 1..63 of
 *		    [A-Za-z0-9_-] separated by dots (a final dot allowed)
 * @s:	the domain
 *
 * Return: true if valid
 */
static bool model_domain(const char *s)
{
	size_t n = strlen(s), label = 0, i;

	if (n == 0 || n > SQN_NETOPT_DOMAIN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (!label)
				return false;
			label = 0;
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '_') ||
			   ++label > 63) {
			return false;
		}
	}
	return true;
}

/**
 * fmt_fwd() - a forward in its canonical text form
 * @f:		the forward
 * @buf:	at least 64 bytes
 *
 * Return: @buf
 */
static char *fmt_fwd(const struct sqn_fwd *f, char *buf)
{
	char h[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	FZ_REQUIRE(inet_ntop(AF_INET, &f->host, h, sizeof(h)));
	FZ_REQUIRE(inet_ntop(AF_INET, &f->guest, g, sizeof(g)));
	snprintf(buf, 64, "%s:%s:%u-%s:%u", f->udp ? "udp" : "tcp", h,
		 f->host_port, g, f->guest_port);
	return buf;
}

/**
 * same_fwd() - two forwards are the same
 * @a:	one
 * @b:	the other
 *
 * Return: true if every field matches
 */
static bool same_fwd(const struct sqn_fwd *a, const struct sqn_fwd *b)
{
	return a->udp == b->udp && a->host.s_addr == b->host.s_addr &&
	       a->host_port == b->host_port &&
	       a->guest.s_addr == b->guest.s_addr &&
	       a->guest_port == b->guest_port;
}

/**
 * check_refusal() - a refusal's message fits and is there
 * @rc:		the return value
 * @err:	the buffer (exactly @errlen bytes)
 * @errlen:	its size
 */
static void check_refusal(int rc, const char *err, size_t errlen)
{
	FZ_REQUIRE(rc == -EINVAL);
	FZ_REQUIRE(memchr(err, '\0', errlen));
	FZ_REQUIRE(errlen == 1 || err[0] != '\0');
}

/**
 * check_cidr() - sqn_netopt_cidr() on its own: accepted networks have no
 *		  host bits and round-trip; a refusal leaves the outputs alone
 * @s:		slirp_net
 * @err:	message buffer
 * @errlen:	its size
 */
static void check_cidr(const char *s, char *err, size_t errlen)
{
	struct in_addr net = {.s_addr = 0xa5a5a5a5}, net2;
	unsigned prefix = 0xa5a5, prefix2;
	char buf[40], a[INET_ADDRSTRLEN];
	int rc;

	memset(err, 0, errlen);
	rc = sqn_netopt_cidr(s, &net, &prefix, err, errlen);
	if (rc) {
		check_refusal(rc, err, errlen);
		FZ_REQUIRE(net.s_addr == 0xa5a5a5a5 && prefix == 0xa5a5);
		return;
	}
	FZ_REQUIRE(prefix >= 8 && prefix <= 30);
	FZ_REQUIRE(!(ntohl(net.s_addr) & ~(~0u << (32 - prefix))));
	FZ_REQUIRE(inet_ntop(AF_INET, &net, a, sizeof(a)));
	snprintf(buf, sizeof(buf), "%s/%u", a, prefix);
	FZ_REQUIRE(!sqn_netopt_cidr(buf, &net2, &prefix2, NULL, 0));
	FZ_REQUIRE(net2.s_addr == net.s_addr && prefix2 == prefix);
}

/**
 * check_fwd() - sqn_netopt_fwd() on its own against the network @o
 * @o:		the network
 * @s:		the forward
 * @out:	gets it when accepted
 * @err:	message buffer
 * @errlen:	its size
 *
 * Return: true if accepted (then it round-trips and is a guest address of
 * the network); a refusal leaves @out alone
 */
static bool check_fwd(const struct sqn_netopt *o, const char *s,
		      struct sqn_fwd *out, char *err, size_t errlen)
{
	struct sqn_fwd f, again;
	char buf[64];
	int rc;

	memset(&f, 0xa5, sizeof(f));
	memset(err, 0, errlen);
	rc = sqn_netopt_fwd(o, s, &f, err, errlen);
	if (rc) {
		check_refusal(rc, err, errlen);
		memset(&again, 0xa5, sizeof(again));
		FZ_REQUIRE(!memcmp(&f, &again, sizeof(f)));
		return false;
	}
	FZ_REQUIRE(f.host_port && f.guest_port);
	FZ_REQUIRE(model_member(f.guest, o->net, o->mask) &&
		   f.guest.s_addr != o->host.s_addr &&
		   f.guest.s_addr != o->dns.s_addr);
	FZ_REQUIRE(!sqn_netopt_fwd(o, fmt_fwd(&f, buf), &again, NULL, 0));
	FZ_REQUIRE(same_fwd(&f, &again));
	*out = f;
	return true;
}

/**
 * model_build() - what sqn_netopt_build() should accept, from the parts
 * @in:		the options
 * @p:		the same, as parameters
 * @err:	scratch message buffer
 * @errlen:	its size
 *
 * Return: true if the whole set is valid
 */
static bool model_build(const struct input *in, const struct sqn_params *p,
			char *err, size_t errlen)
{
	struct sqn_netopt m;
	struct in_addr d;
	unsigned i, j;

	memset(&m, 0, sizeof(m));
	if (in->net) {
		if (sqn_netopt_cidr(in->net, &m.net, &m.prefix, NULL, 0))
			return false;
	} else {
		m.net.s_addr = htonl(0x0a000200);
		m.prefix = 24;
	}
	m.mask.s_addr = htonl(~0u << (32 - m.prefix));
	d.s_addr = m.net.s_addr | htonl(2);
	if (!model_addr(p->slirp_host, d, &m.host))
		return false;
	d.s_addr = m.net.s_addr | htonl(3);
	if (!model_addr(p->slirp_dns, d, &m.dns))
		return false;
	d.s_addr = m.net.s_addr | htonl(15);
	if (!model_addr(p->slirp_dhcp_start, d, &m.dhcp_start))
		return false;
	if (!model_member(m.host, m.net, m.mask) ||
	    !model_member(m.dns, m.net, m.mask) ||
	    !model_member(m.dhcp_start, m.net, m.mask) ||
	    m.host.s_addr == m.dns.s_addr ||
	    m.dhcp_start.s_addr == m.host.s_addr ||
	    m.dhcp_start.s_addr == m.dns.s_addr)
		return false;
	if (in->nd > SQN_NETOPT_MAX_SEARCH)
		return false;
	for (i = 0; i < in->nd; i++)
		if (!model_domain(in->dom[i]))
			return false;
	if (in->nf > SQN_NETOPT_MAX_FWD)
		return false;
	for (i = 0; i < in->nf; i++) {
		struct sqn_fwd *a = &m.fwd[i];

		if (!check_fwd(&m, in->fwd[i], a, err, errlen))
			return false;
		for (j = 0; j < i; j++) {
			const struct sqn_fwd *b = &m.fwd[j];

			if (a->udp == b->udp && a->host_port == b->host_port &&
			    (a->host.s_addr == b->host.s_addr ||
			     !a->host.s_addr || !b->host.s_addr))
				return false;
		}
	}
	return true;
}

/**
 * model_version() - sqn_netopt_slirp_version(@v, 4, 7), written here
 * @v:	the version string
 *
 * Return: 1 for 4.7 or newer, 0 older, -1 not "DIGITS.DIGIT..."
 */
static int model_version(const char *v)
{
	unsigned long long major = 0, minor = 0;
	const char *c = v;

	if (*c < '0' || *c > '9')
		return -1;
	for (; *c >= '0' && *c <= '9'; c++)
		if (major < 1000000)
			major = major * 10 + (unsigned)(*c - '0');
	if (*c != '.' || c[1] < '0' || c[1] > '9')
		return -1;
	for (c++; *c >= '0' && *c <= '9'; c++)
		if (minor < 1000000)
			minor = minor * 10 + (unsigned)(*c - '0');
	return major > 4 || (major == 4 && minor >= 7);
}

/**
 * check_build() - the whole set against the model, and its round trip
 * @in:	the options
 */
static void check_build(const struct input *in)
{
	static struct sqn_netopt o, o2, before;
	char *err = malloc(in->errlen), *scratch = malloc(256);
	char net[40], host[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN],
		dhcp[INET_ADDRSTRLEN], fbuf[NF][64];
	const char *fwd2[NF];
	struct sqn_params p;
	bool want;
	unsigned i;
	int rc;

	FZ_REQUIRE(err && scratch);
	sqn_params_init(&p);
	p.slirp_net = in->flags & 1 ? in->net : NULL;
	p.slirp_host = in->flags & 2 ? in->host : NULL;
	p.slirp_dns = in->flags & 4 ? in->dns : NULL;
	p.slirp_dhcp_start = in->flags & 8 ? in->dhcp : NULL;
	p.slirp_ipv6 = in->flags & 16 ? SQN_OFF : 0;
	p.slirp_restrict = in->flags & 32 ? SQN_ON : 0;
	p.forwards = (const char *const *)in->fwd;
	p.n_forwards = in->nf;
	p.slirp_dns_search = (const char *const *)in->dom;
	p.n_slirp_dns_search = in->nd;

	{
		struct input m = *in;

		m.net = (char *)p.slirp_net;
		want = model_build(&m, &p, scratch, 256);
	}
	memset(&o, 0x5a, sizeof(o));
	memcpy(&before, &o, sizeof(o));
	memset(err, 0, in->errlen);
	rc = sqn_netopt_build(&p, &o, err, in->errlen);
	if (rc) {
		check_refusal(rc, err, in->errlen);
		FZ_REQUIRE(!want);
		FZ_REQUIRE(!memcmp(&o, &before, sizeof(o)));
		goto out;
	}
	FZ_REQUIRE(want);
	FZ_REQUIRE(o.n_fwd == in->nf && o.n_search == in->nd);
	FZ_REQUIRE(o.ipv6 == !(in->flags & 16));
	FZ_REQUIRE(o.restrict_out == !!(in->flags & 32));
	for (i = 0; i < in->nd; i++)
		FZ_REQUIRE(o.search[i] == in->dom[i]);
	FZ_REQUIRE(!o.search[in->nd]);
	for (i = 0; i < in->nf; i++) {
		struct sqn_fwd f;

		FZ_REQUIRE(check_fwd(&o, in->fwd[i], &f, scratch, 256));
		FZ_REQUIRE(same_fwd(&f, &o.fwd[i]));
		fwd2[i] = fmt_fwd(&o.fwd[i], fbuf[i]);
	}

	/* the round trip: every option written out explicitly */
	FZ_REQUIRE(inet_ntop(AF_INET, &o.net, host, sizeof(host)));
	snprintf(net, sizeof(net), "%s/%u", host, o.prefix);
	FZ_REQUIRE(inet_ntop(AF_INET, &o.host, host, sizeof(host)));
	FZ_REQUIRE(inet_ntop(AF_INET, &o.dns, dns, sizeof(dns)));
	FZ_REQUIRE(inet_ntop(AF_INET, &o.dhcp_start, dhcp, sizeof(dhcp)));
	p.slirp_net = net;
	p.slirp_host = host;
	p.slirp_dns = dns;
	p.slirp_dhcp_start = dhcp;
	p.forwards = fwd2;
	FZ_REQUIRE(!sqn_netopt_build(&p, &o2, scratch, 256));
	FZ_REQUIRE(!memcmp(&o, &o2, sizeof(o)));
out:
	free(err);
	free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct input in;
	unsigned i;
	char *err;

	memset(&in, 0, sizeof(in));
	in.flags = fz_u8(&f);
	in.net = fz_str(&f, 40);
	in.host = fz_str(&f, 24);
	in.dns = fz_str(&f, 24);
	in.dhcp = fz_str(&f, 24);
	in.errlen = (size_t)fz_u8(&f) + 1;
	in.nf = fz_u8(&f) % (NF + 1);
	for (i = 0; i < in.nf; i++)
		in.fwd[i] = fz_str(&f, SQN_NETOPT_FWD_MAX + 8);
	in.nd = fz_u8(&f) % (ND + 1);
	for (i = 0; i < in.nd; i++)
		in.dom[i] = fz_str(&f, 255);

	err = malloc(in.errlen);
	FZ_REQUIRE(err);
	check_cidr(in.net, err, in.errlen);
	free(err);
	FZ_REQUIRE(sqn_netopt_slirp_version(in.net, 4, 7) ==
		   model_version(in.net));
	check_build(&in);

	free(in.net);
	free(in.host);
	free(in.dns);
	free(in.dhcp);
	for (i = 0; i < in.nf; i++)
		free(in.fwd[i]);
	for (i = 0; i < in.nd; i++)
		free(in.dom[i]);
	return 0;
}
