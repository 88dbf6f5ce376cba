/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_netopt.c - slirp option parsing: QEMU's defaults, derived addresses,
 *		forwards, and one specific message per refused input
 */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "config.h"
#include "netopt.h"
#ifdef SQN_HAVE_SLIRP
#include <libslirp.h>
#endif

static char err[256];
static struct sqn_netopt o;

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

static int build(struct sqn_params *p)
{
	err[0] = '\0';
	return sqn_netopt_build(p, &o, err, sizeof(err));
}

static void defaults_are_qemus(void)
{
	struct sqn_params p;
	char b[INET6_ADDRSTRLEN];

	sqn_params_init(&p);
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.net.s_addr, ip("10.0.2.0"));
	CHECK_EQ(o.mask.s_addr, ip("255.255.255.0"));
	CHECK_EQ(o.prefix, 24);
	CHECK_EQ(o.host.s_addr, ip("10.0.2.2"));
	CHECK_EQ(o.dns.s_addr, ip("10.0.2.3"));
	CHECK_EQ(o.dhcp_start.s_addr, ip("10.0.2.15"));
	CHECK(o.ipv6);
	CHECK_EQ(o.prefix6_len, 64);
	CHECK_STR_HAS(inet_ntop(AF_INET6, &o.prefix6, b, sizeof(b)), "fec0::");
	CHECK(!strcmp(inet_ntop(AF_INET6, &o.host6, b, sizeof(b)), "fec0::2"));
	CHECK(!strcmp(inet_ntop(AF_INET6, &o.dns6, b, sizeof(b)), "fec0::3"));
	CHECK(!o.restrict_out);
	CHECK_EQ(o.n_fwd, 0);
	CHECK_EQ(o.n_search, 0);

	p.slirp_ipv6 = SQN_OFF;
	p.slirp_restrict = SQN_ON;
	ASSERT(build(&p) == 0);
	CHECK(!o.ipv6);
	CHECK(o.restrict_out);
}

static void derived_addresses(void)
{
	struct sqn_params p;

	sqn_params_init(&p);
	p.slirp_net = "192.168.77.0/24";
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.host.s_addr, ip("192.168.77.2"));
	CHECK_EQ(o.dns.s_addr, ip("192.168.77.3"));
	CHECK_EQ(o.dhcp_start.s_addr, ip("192.168.77.15"));

	p.slirp_net = "172.16.0.0/12";
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.mask.s_addr, ip("255.240.0.0"));
	CHECK_EQ(o.dhcp_start.s_addr, ip("172.16.0.15"));

	/* a /29 has no .15: the derived DHCP start is refused by name */
	p.slirp_net = "10.9.9.0/29";
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "slirp_dhcp_start 10.9.9.15 is outside the "
			   "network 10.9.9.0/29");
	p.slirp_dhcp_start = "10.9.9.5";
	CHECK_EQ(build(&p), 0);
}

struct bad {
	const char *net, *host, *dns, *dhcp, *msg;
};

static void refused_network_options(void)
{
	static const struct bad bad[] = {
		{"", NULL, NULL, NULL, "slirp_net is empty"},
		{"10.0.2.0", NULL, NULL, NULL, "has no \"/prefix\""},
		{"10.0.2/24", NULL, NULL, NULL,
		 "\"10.0.2\" is not an IPv4 address"},
		{"10.0.2.0/", NULL, NULL, NULL,
		 "prefix length after '/' is "
		 "missing"},
		{"10.0.2.0/2x", NULL, NULL, NULL, "\"2x\" is not a number"},
		{"10.0.2.0/31", NULL, NULL, NULL, "prefix /31 is out of range"},
		{"10.0.0.0/7", NULL, NULL, NULL, "prefix /7 is out of range"},
		{"10.0.2.1/24", NULL, NULL, NULL,
		 "host bits set: did you mean 10.0.2.0/24?"},
		{"300.0.2.0/24", NULL, NULL, NULL, "not an IPv4 address"},
		{NULL, "10.0.3.2", NULL, NULL,
		 "slirp_host 10.0.3.2 is outside the network 10.0.2.0/24"},
		{NULL, "10.0.2.0", NULL, NULL,
		 "slirp_host 10.0.2.0 is the network address"},
		{NULL, "10.0.2.255", NULL, NULL,
		 "slirp_host 10.0.2.255 is the broadcast address"},
		{NULL, "gateway", NULL, NULL,
		 "slirp_host \"gateway\" is not an IPv4 address"},
		{NULL, NULL, "8.8.8.8", NULL,
		 "slirp_dns 8.8.8.8 is outside the network"},
		{NULL, "10.0.2.3", NULL, NULL,
		 "slirp_host and slirp_dns are both 10.0.2.3"},
		{NULL, NULL, NULL, "10.0.2.0",
		 "slirp_dhcp_start 10.0.2.0 is the network address"},
		{NULL, NULL, NULL, "10.0.2.255",
		 "slirp_dhcp_start 10.0.2.255 is the broadcast address"},
		{NULL, NULL, NULL, "10.0.2.2",
		 "slirp_dhcp_start 10.0.2.2 is the gateway address"},
		{NULL, NULL, NULL, "10.0.2.3",
		 "slirp_dhcp_start 10.0.2.3 is the DNS address"},
		{NULL, NULL, NULL, "10.1.2.15",
		 "slirp_dhcp_start 10.1.2.15 is outside"},
	};
	struct sqn_params p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sqn_params_init(&p);
		p.slirp_net = bad[i].net;
		p.slirp_host = bad[i].host;
		p.slirp_dns = bad[i].dns;
		p.slirp_dhcp_start = bad[i].dhcp;
		CHECK_EQ(build(&p), -EINVAL);
		CHECK_STR_HAS(err, bad[i].msg);
	}
}

static void forwards_parsed(void)
{
	static const char *const f[] = {
		"tcp::8080-:80",
		"udp:0.0.0.0:5353-10.0.2.20:53",
		"::2222-10.0.2.15:22",
		"tcp:127.0.0.1:65535-:1",
	};
	struct sqn_params p;

	sqn_params_init(&p);
	p.forwards = f;
	p.n_forwards = 4;
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.n_fwd, 4);
	CHECK(!o.fwd[0].udp);
	CHECK_EQ(o.fwd[0].host.s_addr, ip("127.0.0.1")); /* not INADDR_ANY */
	CHECK_EQ(o.fwd[0].host_port, 8080);
	CHECK_EQ(o.fwd[0].guest.s_addr, ip("10.0.2.15"));
	CHECK_EQ(o.fwd[0].guest_port, 80);
	CHECK(o.fwd[1].udp);
	CHECK_EQ(o.fwd[1].host.s_addr, 0);
	CHECK_EQ(o.fwd[1].host_port, 5353);
	CHECK_EQ(o.fwd[1].guest.s_addr, ip("10.0.2.20"));
	CHECK_EQ(o.fwd[1].guest_port, 53);
	CHECK(!o.fwd[2].udp); /* empty protocol is TCP, as in QEMU */
	CHECK_EQ(o.fwd[2].guest_port, 22);
	CHECK_EQ(o.fwd[3].host_port, 65535);
	CHECK_EQ(o.fwd[3].guest_port, 1);

	/* the guest default follows a custom DHCP start */
	p.slirp_net = "192.168.5.0/24";
	p.n_forwards = 1;
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.fwd[0].guest.s_addr, ip("192.168.5.15"));
}

static void refused_forwards(void)
{
	static const struct {
		const char *fwd, *msg;
	} bad[] = {
		{"", "forward \"\" is empty"},
		{"tcp", "has no ':'"},
		{"sctp::80-:80", "unknown protocol \"sctp\""},
		{"TCP::80-:80", "unknown protocol \"TCP\""},
		{"tcp::8080:80", "has no '-'"},
		{"tcp:8080-:80", "the host side \"8080\" needs"},
		{"tcp::0-:80", "the host port 0 is out of range"},
		{"tcp::65536-:80", "the host port 65536 is out of range"},
		{"tcp::99999999999999999999-:80", "is out of range"},
		{"tcp::http-:80", "the host port \"http\" is not a number"},
		{"tcp::-:80", "the host port is missing"},
		{"tcp::80-:0", "the guest port 0 is out of range"},
		{"tcp::80-:65536", "the guest port 65536 is out of range"},
		{"tcp::80-:8o", "the guest port \"8o\" is not a number"},
		{"tcp::80-:", "the guest port is missing"},
		{"tcp::80-80", "the guest side \"80\" needs"},
		{"tcp:localhost:80-:80",
		 "host address \"localhost\" is not an IPv4"},
		{"tcp:[::1]:80-:80", "is not an IPv4"},
		{"tcp::80-10.0.3.15:80", "guest address 10.0.3.15 is not a "
					 "guest address of 10.0.2.0/24"},
		{"tcp::80-10.0.2.2:80", "guest address 10.0.2.2 is not"},
		{"tcp::80-10.0.2.3:80", "guest address 10.0.2.3 is not"},
		{"tcp::80-10.0.2.255:80", "guest address 10.0.2.255 is not"},
		{"tcp::80-guest:80", "guest address \"guest\" is not an IPv4"},
	};
	struct sqn_params p;
	struct sqn_fwd f;
	size_t i;

	sqn_params_init(&p);
	ASSERT(build(&p) == 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK_EQ(sqn_netopt_fwd(&o, bad[i].fwd, &f, err, sizeof(err)),
			 -EINVAL);
		CHECK_STR_HAS(err, bad[i].msg);
	}
	{
		char longf[200];

		memset(longf, '1', sizeof(longf) - 1);
		longf[sizeof(longf) - 1] = '\0';
		CHECK_EQ(sqn_netopt_fwd(&o, longf, &f, err, sizeof(err)),
			 -EINVAL);
		CHECK_STR_HAS(err, "is longer than 128 bytes");
		CHECK_EQ(sqn_netopt_fwd(&o, NULL, &f, err, sizeof(err)),
			 -EINVAL);
		CHECK_STR_HAS(err, "NULL entry");
	}
}

static void forward_list_limits(void)
{
	static const char *many[SQN_NETOPT_MAX_FWD + 1];
	static char bufs[SQN_NETOPT_MAX_FWD + 1][32];
	static const char *const dup[] = {"tcp::8080-:80", "tcp::8080-:81"};
	static const char *const dup_any[] = {"udp:0.0.0.0:53-:53",
					      "udp:127.0.0.1:53-:54"};
	static const char *const not_dup[] = {"tcp::53-:53", "udp::53-:53"};
	struct sqn_params p;
	unsigned i;

	for (i = 0; i <= SQN_NETOPT_MAX_FWD; i++) {
		snprintf(bufs[i], sizeof(bufs[i]), "tcp::%u-:80", 10000 + i);
		many[i] = bufs[i];
	}
	sqn_params_init(&p);
	p.forwards = many;
	p.n_forwards = SQN_NETOPT_MAX_FWD;
	CHECK_EQ(build(&p), 0);
	CHECK_EQ(o.n_fwd, SQN_NETOPT_MAX_FWD);
	p.n_forwards = SQN_NETOPT_MAX_FWD + 1;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "65 forwards: at most 64");

	p.forwards = NULL;
	p.n_forwards = 1;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "n_forwards is 1 but forwards is NULL");

	p.forwards = dup;
	p.n_forwards = 2;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "same TCP port 8080");
	p.forwards = dup_any;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "same UDP port 53");
	p.forwards = not_dup;
	CHECK_EQ(build(&p), 0);
}

static void search_domains(void)
{
	static const char *const ok[] = {"example.com", "corp.example.",
					 "a-b_c.d0"};
	static char longd[300], longl[80];
	static const char *many[SQN_NETOPT_MAX_SEARCH + 1];
	static const struct {
		const char *d, *msg;
	} bad[] = {
		{"", "has an empty domain"},
		{"a..b", "has an empty label at offset 2"},
		{".a", "has an empty label at offset 0"},
		{"bad domain", "character 0x20 at offset 3"},
		{"x/y", "character 0x2f"},
	};
	struct sqn_params p;
	size_t i;

	sqn_params_init(&p);
	p.slirp_dns_search = ok;
	p.n_slirp_dns_search = 3;
	ASSERT(build(&p) == 0);
	CHECK_EQ(o.n_search, 3);
	CHECK(!strcmp(o.search[0], "example.com"));
	CHECK(o.search[3] == NULL);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(sqn_netopt_domain(bad[i].d, err, sizeof(err)),
			 -EINVAL);
		CHECK_STR_HAS(err, bad[i].msg);
	}
	memset(longd, 'a', sizeof(longd) - 1);
	for (i = 50; i < sizeof(longd) - 1; i += 51)
		longd[i] = '.';
	CHECK_EQ(sqn_netopt_domain(longd, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "is too long: at most 253 bytes");
	memset(longl, 'b', sizeof(longl) - 1);
	CHECK_EQ(sqn_netopt_domain(longl, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "label longer than 63");
	CHECK_EQ(sqn_netopt_domain(NULL, err, sizeof(err)), -EINVAL);

	for (i = 0; i <= SQN_NETOPT_MAX_SEARCH; i++)
		many[i] = "example.com";
	p.slirp_dns_search = many;
	p.n_slirp_dns_search = SQN_NETOPT_MAX_SEARCH + 1;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "17 domains: at most 16");
	p.slirp_dns_search = NULL;
	p.n_slirp_dns_search = 1;
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "slirp_dns_search is NULL");
}

static void cidr_edges(void)
{
	struct in_addr net;
	unsigned prefix = 0;

	CHECK_EQ(sqn_netopt_cidr("10.0.0.0/8", &net, &prefix, err, sizeof(err)),
		 0);
	CHECK_EQ(prefix, 8);
	CHECK_EQ(
		sqn_netopt_cidr("10.0.2.4/30", &net, &prefix, err, sizeof(err)),
		0);
	CHECK_EQ(prefix, 30);
	CHECK_EQ(sqn_netopt_cidr("10.0.2.0/024", &net, &prefix, err,
				 sizeof(err)),
		 0);
	CHECK_EQ(sqn_netopt_cidr("10.0.2.0/1234", &net, &prefix, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "out of range");
	CHECK_EQ(sqn_netopt_cidr("10.0.2.0/24/1", &net, &prefix, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_EQ(sqn_netopt_cidr("0123456789012345678901234567890123", &net,
				 &prefix, err, sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "too long");
}

/* a refused option set, forward or network leaves the outputs alone */
static void refusal_leaves_outputs(void)
{
	static const char *const fwds[] = {"tcp::80-:80", "tcp::80-:81"};
	struct sqn_params p;
	struct sqn_netopt before;
	struct sqn_fwd f, f0;
	struct in_addr net = {.s_addr = 0x12345678};
	unsigned prefix = 99;

	sqn_params_init(&p);
	ASSERT(build(&p) == 0);
	memcpy(&before, &o, sizeof(o));
	p.forwards = fwds;
	p.n_forwards = 2; /* the second clashes with the first */
	CHECK_EQ(build(&p), -EINVAL);
	CHECK_STR_HAS(err, "same TCP port 80");
	CHECK(!memcmp(&o, &before, sizeof(o)));

	memset(&f, 0x5a, sizeof(f));
	memcpy(&f0, &f, sizeof(f));
	CHECK_EQ(
		sqn_netopt_fwd(&o, "tcp::80-10.0.2.3:80", &f, err, sizeof(err)),
		-EINVAL);
	CHECK(!memcmp(&f, &f0, sizeof(f)));
	CHECK_EQ(
		sqn_netopt_cidr("10.0.2.1/24", &net, &prefix, err, sizeof(err)),
		-EINVAL);
	CHECK_STR_HAS(err, "did you mean 10.0.2.0/24");
	CHECK_EQ(net.s_addr, 0x12345678);
	CHECK_EQ(prefix, 99);
}

/* libslirp's run-time version string against the 4.7 the config needs */
static void slirp_version_parsed(void)
{
	static const struct {
		const char *v;
		int want;
	} t[] = {
		{"4.7.0", 1},
		{"4.7", 1},
		{"4.8.0-rc1", 1},
		{"4.10.0", 1},
		{"5.0", 1},
		{"10.0.0", 1},
		{"99999999999999999999999.0", 1}, /* saturates: still new */
		{"4.6.9", 0},
		{"4.06", 0},
		{"3.99.0", 0},
		{"0.0", 0},
		{"4", -1},
		{"4.", -1},
		{"4.x", -1},
		{"4.-7", -1},
		{"4.+7", -1},
		{"4. 7", -1},
		{"v4.7", -1},
		{" 4.7", -1},
		{"-4.7", -1},
		{"+4.7", -1},
		{"", -1},
		{"unknown", -1},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = sqn_netopt_slirp_version(t[i].v, 4, 7);

		if (got != t[i].want)
			printf("# \"%s\": %d, want %d\n", t[i].v, got,
			       t[i].want);
		CHECK_EQ(got, t[i].want);
	}
	CHECK_EQ(sqn_netopt_slirp_version(NULL, 4, 7), -1);
	CHECK_EQ(sqn_netopt_slirp_version("4.7.0", 4, 8), 0);
	CHECK_EQ(sqn_netopt_slirp_version("4.7.0", 5, 0), 0);
	CHECK_EQ(sqn_netopt_slirp_version("4.7.0", 3, 99), 1);
	printf("# %zu version strings\n", i + 4);
#ifdef SQN_HAVE_SLIRP
	/* the installed library is one the backend takes */
	printf("# installed libslirp %s\n", slirp_version_string());
	CHECK_EQ(sqn_netopt_slirp_version(slirp_version_string(), 4, 7), 1);
#endif
}

static const struct check_case cases[] = {
	CASE(defaults_are_qemus),      CASE(derived_addresses),
	CASE(refused_network_options), CASE(forwards_parsed),
	CASE(refused_forwards),	       CASE(forward_list_limits),
	CASE(search_domains),	       CASE(cidr_edges),
	CASE(refusal_leaves_outputs),  CASE(slirp_version_parsed),
};

CHECK_MAIN(cases)
