/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_cli.c - squib-net run's pure parts: option parsing and the DHCP codec
 */
#include <arpa/inet.h>
#include <errno.h>

#include "check.h"
#include "run.h"

static char err[512];

static int parse(const char *const *args)
{
	char *argv[64];
	int argc = 0;

	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	return run_args_parse(argc, argv, &(struct run_opts){0}, err,
			      sizeof(err));
}

static void args_good(void)
{
	const char *a[] = {"run",
			   "--mode",
			   "slirp",
			   "--mtu",
			   "9000",
			   "-p",
			   "tcp::8080-:80",
			   "--restrict",
			   "--dns-search",
			   "example.test",
			   "-v",
			   "--",
			   "sh",
			   "-c",
			   "true",
			   NULL};
	char *argv[16];
	struct run_opts o;
	int i;

	for (i = 0; a[i]; i++)
		argv[i] = (char *)a[i];
	argv[i] = NULL;
	CHECK_EQ(run_args_parse(i, argv, &o, err, sizeof(err)), 0);
	CHECK_EQ(o.mode, SQN_MODE_SLIRP);
	CHECK_EQ(o.mtu, 9000);
	CHECK_EQ(o.n_publish, 1);
	CHECK(o.restrict_net);
	CHECK_EQ(o.verbose, 1);
	CHECK(!strcmp(o.argv[0], "sh"));
	CHECK(!strcmp(o.argv[2], "true"));
	CHECK(o.argv[3] == NULL);
}

static void args_bad(void)
{
	static const struct {
		const char *args[8];
		const char *msg;
	} cases[] = {
		{{"run", "--mtu", "67", "--", "x"}, "--mtu '67'"},
		{{"run", "--mtu", "1e3", "--", "x"}, "--mtu '1e3'"},
		{{"run", "--mtu", "-1", "--", "x"}, "--mtu '-1'"},
		{{"run", "--mtu"}, "option --mtu needs a value"},
		{{"run", "--mode", "vmnet", "--", "x"}, "--mode 'vmnet'"},
		{{"run", "--mac", "06:00:11:22:33", "--", "x"},
		 "--mac '06:00:11:22:33' is not a MAC"},
		{{"run", "--id", "eth 0", "--", "x"}, "--id 'eth 0'"},
		{{"run", "--ifname", "abcdefghijklmnop", "--", "x"},
		 "--ifname"},
		{{"run", "--guest-addr", "10.0.0.1/33", "--", "x"},
		 "--guest-addr '10.0.0.1/33'"},
		{{"run", "--dns", "nowhere", "--", "x"}, "--dns 'nowhere'"},
		{{"run", "--queues", "17", "--", "x"}, "--queues '17'"},
		{{"run", "--helper", "qemu", "--", "x"}, "--helper 'qemu'"},
		{{"run", "--mode", "socket", "--", "x"}, "needs --connect"},
		{{"run", "--mode", "bridged", "--", "x"}, "needs --bridged"},
		{{"run", "--", NULL}, "no command"},
		{{"run", "stray", "--", "x"}, "unexpected argument 'stray'"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_EQ(parse(cases[i].args), -EINVAL);
		CHECK_STR_HAS(err, cases[i].msg);
	}
}

/* add() - append @v (if not NULL) to the argument vector @a of length *@n */
static void add(const char **a, int *n, const char *v)
{
	if (v)
		a[(*n)++] = v;
}

/*
 * Options that only one mode uses are refused in every other mode, with a
 * message naming the option, its mode and the mode chosen; in their own
 * mode they are accepted. Each mode also gets what it needs (--connect,
 * --tap...), so that only the option under test is wrong.
 */
static void args_mode_only(void)
{
	static const struct {
		const char *opt, *val; /* the option and its value (or NULL) */
		const char *mode;      /* the mode it is for */
		const char *name;      /* as the message names it */
	} cases[] = {
		{"--helper", "passt", "userspace", "--helper"},
		{"--helper-path", "/bin/true", "userspace", "--helper-path"},
		{"--helper-arg", "-4", "userspace", "--helper-arg"},
		{"--helper-restart", NULL, "userspace", "--helper-restart"},
		{"--connect", "unix:///tmp/x.sock", "socket", "--connect"},
		{"--tap", "tap9", "tap", "--tap"},
		{"--host-addr", "10.9.0.1/24", "tap", "--host-addr"},
		{"--queues", "4", "tap", "--queues"},
		{"-p", "tcp::8080-:80", "slirp", "-p/--publish"},
		{"--publish", "tcp::8080-:80", "slirp", "-p/--publish"},
		{"--no-offload", NULL, "slirp", "--no-offload"},
		{"--restrict", NULL, "slirp", "--restrict"},
		{"--net", "10.1.0.0/24", "slirp", "--net"},
		{"--dns-search", "example.test", "slirp", "--dns-search"},
		{"--no-ipv6", NULL, "slirp", "--no-ipv6"},
		{"--bridged", "en0", "bridged", "--bridged"},
	};
	static const char *const modes[] = {"slirp", "userspace", "socket",
					    "tap",   "loopback",  "shared",
					    "host",  "bridged"};
	size_t i, m;
	int refused = 0, accepted = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
			const char *a[24], *opt = cases[i].opt, *mo = modes[m];
			char want[160];
			int n = 0, rc;

			add(a, &n, "run");
			add(a, &n, "--mode");
			add(a, &n, mo);
			add(a, &n, opt);
			add(a, &n, cases[i].val);
			if (!strcmp(mo, "socket") && strcmp(opt, "--connect")) {
				add(a, &n, "--connect");
				add(a, &n, "unix:///tmp/x.sock");
			}
			if (!strcmp(mo, "tap")) {
				if (strcmp(opt, "--tap")) {
					add(a, &n, "--tap");
					add(a, &n, "tap9");
				}
				if (strcmp(opt, "--host-addr")) {
					add(a, &n, "--host-addr");
					add(a, &n, "10.9.0.1/24");
				}
				add(a, &n, "--guest-addr");
				add(a, &n, "10.9.0.2/24");
			}
			if (!strcmp(mo, "bridged") &&
			    strcmp(opt, "--bridged")) {
				add(a, &n, "--bridged");
				add(a, &n, "en0");
			}
			add(a, &n, "--");
			add(a, &n, "true");
			a[n] = NULL;
			rc = parse(a);
			if (!strcmp(mo, cases[i].mode)) {
				if (rc)
					printf("# %s in mode %s: %s\n", opt, mo,
					       err);
				CHECK_EQ(rc, 0);
				accepted += !rc;
				continue;
			}
			snprintf(want, sizeof(want),
				 "run: %s is for --mode %s: mode %s would "
				 "ignore it",
				 cases[i].name, cases[i].mode, mo);
			if (rc != -EINVAL || !strstr(err, want))
				printf("# %s in mode %s: rc %d \"%s\"\n", opt,
				       mo, rc, err);
			CHECK_EQ(rc, -EINVAL);
			CHECK_STR_HAS(err, want);
			refused += rc == -EINVAL && strstr(err, want);
		}
	}
	printf("# mode-only options: %d refused in another mode, %d accepted "
	       "in their own\n",
	       refused, accepted);
	/* with no --mode, the platform's default (slirp here) takes its own */
	{
		const char *a[] = {"run",	  "-p",	       "tcp::8080-:80",
				   "--restrict",  "--no-ipv6", "--net",
				   "10.1.0.0/24", "--",	       "true",
				   NULL};

		CHECK_EQ(parse(a),
			 sqn_mode_default() == SQN_MODE_SLIRP ? 0 : -EINVAL);
	}
}

/* an OFFER as a server would send it, built by hand */
static size_t make_offer(uint8_t *f, uint32_t xid, int type)
{
	uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8, *o;
	uint32_t v;
	size_t len;

	memset(f, 0, 600);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[9] = 17;
	udp[1] = 67;
	udp[3] = 68;
	b[0] = 2;
	v = htonl(xid);
	memcpy(b + 4, &v, 4);
	inet_pton(AF_INET, "10.0.2.15", b + 16);
	v = htonl(0x63825363);
	memcpy(b + 236, &v, 4);
	o = b + 240;
	*o++ = 53, *o++ = 1, *o++ = (uint8_t)type;
	*o++ = 1, *o++ = 4, *o++ = 255, *o++ = 255, *o++ = 255, *o++ = 0;
	*o++ = 3, *o++ = 4;
	inet_pton(AF_INET, "10.0.2.2", o);
	o += 4;
	*o++ = 6, *o++ = 8;
	inet_pton(AF_INET, "10.0.2.3", o);
	inet_pton(AF_INET, "10.0.2.4", o + 4);
	o += 8;
	*o++ = 26, *o++ = 2, *o++ = 0x05, *o++ = 0xdc;
	*o++ = 54, *o++ = 4;
	inet_pton(AF_INET, "10.0.2.2", o);
	o += 4;
	/* a search list "corp.test" split over two options (RFC 3396) */
	*o++ = 119, *o++ = 5;
	memcpy(o,
	       "\x04"
	       "corp",
	       5);
	o += 5;
	*o++ = 119, *o++ = 6;
	memcpy(o, "\x04test\0", 6);
	o += 6;
	*o++ = 255;
	len = (size_t)(o - f);
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	udp[4] = (uint8_t)((len - 34) >> 8);
	udp[5] = (uint8_t)(len - 34);
	return len;
}

static void dhcp_round(void)
{
	static const uint8_t mac[6] = {6, 0, 1, 2, 3, 4};
	uint8_t f[600];
	struct dhcp_lease l;
	char ip[16];
	size_t len, cut;

	len = dhcp_build(f, sizeof(f), DHCP_DISCOVER, mac, 0x1234, 0, 0);
	CHECK(len >= 342);
	CHECK(!memcmp(f + 6, mac, 6));
	CHECK_EQ(f[14 + 20 + 8 + 10], 0x80); /* broadcast flag */
	CHECK_EQ(dhcp_build(f, 100, DHCP_DISCOVER, mac, 1, 0, 0), 0);
	/* a DISCOVER is not an answer */
	CHECK_EQ(dhcp_parse(f, len, 0x1234, &l), -ENOMSG);

	len = make_offer(f, 0x1234, DHCP_OFFER);
	CHECK_EQ(dhcp_parse(f, len, 0x1234, &l), DHCP_OFFER);
	CHECK(!strcmp(inet_ntop(AF_INET, &l.yiaddr, ip, sizeof(ip)),
		      "10.0.2.15"));
	CHECK(!strcmp(inet_ntop(AF_INET, &l.router, ip, sizeof(ip)),
		      "10.0.2.2"));
	CHECK_EQ(l.n_dns, 2);
	CHECK(!strcmp(inet_ntop(AF_INET, &l.dns[1], ip, sizeof(ip)),
		      "10.0.2.4"));
	CHECK_EQ(l.mtu, 1500);
	CHECK_EQ(ntohl(l.netmask), 0xffffff00u);
	CHECK_EQ(l.search_len, 11);
	CHECK(!memcmp(l.search,
		      "\x04"
		      "corp"
		      "\x04"
		      "test",
		      11));
	CHECK_EQ(dhcp_parse(f, len, 0x9999, &l), -ENOMSG); /* other xid */
	len = make_offer(f, 7, DHCP_ACK);
	CHECK_EQ(dhcp_parse(f, len, 7, &l), DHCP_ACK);
	/* every truncation is refused without reading past the end */
	for (cut = 0; cut < len; cut++)
		CHECK(dhcp_parse(f, cut, 7, &l) < 0);
	/* an option running past the UDP payload */
	f[14 + 20 + 8 + 240 + 1] = 200;
	CHECK_EQ(dhcp_parse(f, len, 7, &l), -EBADMSG);
}

static const struct check_case cases[] = {
	CASE(args_good),
	CASE(args_bad),
	CASE(args_mode_only),
	CASE(dhcp_round),
};
CHECK_MAIN(cases)
