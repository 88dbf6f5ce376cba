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
	CHECK_EQ(o.m.mode, SQN_MODE_SLIRP);
	CHECK_EQ(o.m.mtu, 9000);
	CHECK_EQ(o.m.n_publish, 1);
	CHECK(o.m.restrict_net);
	CHECK_EQ(o.m.verbose, 1);
	CHECK(!strcmp(o.argv[0], "sh"));
	CHECK(!strcmp(o.argv[2], "true"));
	CHECK(o.argv[3] == NULL);
}

/* the controls' options: --rx-rate/--tx-rate as Firecracker's buckets,
 * --pcap, --control, --stats-interval */
static void args_controls(void)
{
	const char *a[] = {
		"run",
		"--rx-rate",
		"bytes=12500k,burst=1Mi,ops=2k,ops-burst=7,refill=200",
		"--tx-rate",
		"ops=1000",
		"--pcap",
		"/tmp/x.pcap",
		"--pcap-snaplen",
		"96",
		"--control",
		"unix:///tmp/x.sock",
		"--stats-interval",
		"5",
		"--",
		"true",
		NULL};
	char *argv[20];
	struct run_opts o;
	int i;

	for (i = 0; a[i]; i++)
		argv[i] = (char *)a[i];
	argv[i] = NULL;
	CHECK_EQ(run_args_parse(i, argv, &o, err, sizeof(err)), 0);
	CHECK_EQ(o.rx_rate.bandwidth.size, 12500000);
	CHECK_EQ(o.rx_rate.bandwidth.one_time_burst, 1 << 20);
	CHECK_EQ(o.rx_rate.bandwidth.refill_time_ms, 200);
	CHECK_EQ(o.rx_rate.ops.size, 2000);
	CHECK_EQ(o.rx_rate.ops.one_time_burst, 7);
	CHECK_EQ(o.rx_rate.ops.refill_time_ms, 200);
	CHECK_EQ(o.tx_rate.ops.size, 1000);
	CHECK_EQ(o.tx_rate.ops.refill_time_ms, 1000);
	CHECK_EQ(o.tx_rate.bandwidth.size, 0);
	CHECK(!strcmp(o.m.pcap, "/tmp/x.pcap"));
	CHECK_EQ(o.m.pcap_snaplen, 96);
	CHECK(!strcmp(o.m.control, "unix:///tmp/x.sock"));
	CHECK_EQ(o.m.stats_interval, 5);
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
		{{"run", "--tx-rate", "", "--", "x"}, "--tx-rate '' is empty"},
		{{"run", "--tx-rate", "bytes", "--", "x"},
		 "'bytes' is not KEY=VALUE"},
		{{"run", "--rx-rate", "mbit=3", "--", "x"},
		 "unknown key 'mbit'"},
		{{"run", "--rx-rate", "bytes=1x", "--", "x"},
		 "bytes '1x' is not a number"},
		{{"run", "--rx-rate", "bytes=99999999999999999999", "--", "x"},
		 "is not a number"},
		{{"run", "--rx-rate", "bytes=1,bytes=2", "--", "x"},
		 "bytes is given twice"},
		{{"run", "--rx-rate", "refill=100", "--", "x"},
		 "limits nothing"},
		{{"run", "--rx-rate", "ops=0", "--", "x"}, "ops=0 would limit"},
		{{"run", "--rx-rate", "ops=5,burst=9", "--", "x"},
		 "burst= is the bytes bucket's"},
		{{"run", "--rx-rate", "ops=5,refill=0", "--", "x"},
		 "refill=0: use 1 to"},
		{{"run", "--rx-rate", "ops=5,", "--", "x"},
		 "ends with a comma"},
		{{"run", "--pcap-snaplen", "100", "--", "x"},
		 "--pcap-snaplen needs --pcap"},
		{{"run", "--pcap-snaplen", "13", "--", "x"}, "--pcap-snaplen"},
		{{"run", "--stats-interval", "0", "--", "x"},
		 "--stats-interval '0'"},
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

/* parse_cmd() - parse the @n arguments of @a followed by "-- true" */
static int parse_cmd(const char **a, int n)
{
	add(a, &n, "--");
	add(a, &n, "true");
	a[n] = NULL;
	return parse(a);
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
			rc = parse_cmd(a, n);
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

/*
 * Every mode row that only some modes take, in every mode: accepted where
 * sqn_mode_info() says the mode reads its group, refused elsewhere with the
 * engine's message naming the option, the modes it is for and the mode
 * chosen. Unlike the cases above, this follows the table: a new row is
 * tried without a change here, once it has a value below.
 */
static void args_every_row_every_mode(void)
{
	static const struct {
		const char *name, *val;
	} vals[] = {
		{"--helper", "passt"},	    {"--helper-path", "/bin/true"},
		{"--helper-arg", "-4"},	    {"--helper-restart", NULL},
		{"--connect", "unix:///x"}, {"--reconnect-max", "3"},
		{"--tap", "tap9"},	    {"--host-addr", "10.9.0.1/24"},
		{"--queues", "2"},	    {"--offload", NULL},
		{"--publish", "tcp::1-:2"}, {"--no-offload", NULL},
		{"--restrict", NULL},	    {"--net", "10.1.0.0/24"},
		{"--dns-search", "a.test"}, {"--no-ipv6", NULL},
		{"--bridged", "en0"},
	};
	int refused = 0, accepted = 0, mode;
	size_t i, k;

	for (i = 0; i < cli_n_mode_rows; i++) {
		const struct cli_opt *o = &cli_mode_rows[i];
		const char *val = NULL;
		bool known = false;

		if (!o->params)
			continue;
		for (k = 0; k < sizeof(vals) / sizeof(vals[0]); k++)
			if (!strcmp(vals[k].name, o->name)) {
				known = true;
				val = vals[k].val;
			}
		if (!known)
			printf("# %s: no value to try it with\n", o->name);
		CHECK(known);
		if (!known)
			continue;
		for (mode = 1; mode < SQN_MODE_COUNT_; mode++) {
			struct sqn_mode_info mi = {.size = sizeof(mi)};
			const char *a[24];
			char want[200], d[64];
			size_t r;
			int n = 0, rc;

			sqn_mode_info((enum sqn_mode)mode, &mi);
			add(a, &n, "run");
			add(a, &n, "--mode");
			add(a, &n, mi.name);
			add(a, &n, o->name);
			add(a, &n, val);
			/* what the mode needs, unless it is the option */
			for (r = 0; r < cli_n_mode_rows; r++) {
				const struct cli_opt *q = &cli_mode_rows[r];

				if (!q->required || !(mi.needs & q->params) ||
				    q == o)
					continue;
				for (k = 0; k < sizeof(vals) / sizeof(vals[0]);
				     k++)
					if (!strcmp(vals[k].name, q->name)) {
						add(a, &n, q->name);
						add(a, &n, vals[k].val);
					}
			}
			if (mi.needs & SQN_PARAMS_DEVICE) {
				add(a, &n, "--guest-addr");
				add(a, &n, "10.9.0.2/24");
			}
			rc = parse_cmd(a, n);
			if (mi.uses & o->params) {
				if (rc)
					printf("# %s in mode %s: %s\n", o->name,
					       mi.name, err);
				CHECK_EQ(rc, 0);
				accepted += !rc;
				continue;
			}
			snprintf(want, sizeof(want), "run: %s %s --mode ",
				 cli_opt_display(o, d, sizeof(d)),
				 o->elsewhere ? "needs" : "is for");
			CHECK_EQ(rc, -EINVAL);
			CHECK_STR_HAS(err, want);
			snprintf(want, sizeof(want), "mode %s %s", mi.name,
				 o->elsewhere ? o->elsewhere
					      : "would ignore it");
			CHECK_STR_HAS(err, want);
			refused += rc == -EINVAL;
		}
	}
	printf("# every row in every mode: %d refused, %d accepted\n", refused,
	       accepted);
}

/*
 * A mode that needs a parameter group (sqn_mode_info().needs) asks for the
 * option that gives it, by name and with its help text.
 */
static void args_required(void)
{
	int mode, asked = 0;

	for (mode = 1; mode < SQN_MODE_COUNT_; mode++) {
		struct sqn_mode_info mi = {.size = sizeof(mi)};
		const struct cli_opt *o;
		const char *a[] = {"run", "--mode", NULL, "--", "true", NULL};
		char want[200];

		CHECK_EQ(sqn_mode_info((enum sqn_mode)mode, &mi), 0);
		a[2] = mi.name;
		if (!mi.needs) {
			/* tap aside, nothing else is needed */
			CHECK_EQ(parse(a), 0);
			continue;
		}
		o = cli_opt_needed(CLI_RUN, mi.needs);
		CHECK(o != NULL);
		if (!o)
			continue;
		snprintf(want, sizeof(want), "run: --mode %s needs %s %s (%s)",
			 mi.name, o->name, o->arg, o->help);
		CHECK_EQ(parse(a), -EINVAL);
		CHECK_STR_HAS(err, want);
		asked++;
	}
	printf("# %d modes ask for the option they need\n", asked);
	CHECK(asked >= 3); /* socket, tap, bridged */
}

/* squeeze() - @s with every run of spaces and newlines made one space */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++)
		if (!(*s == ' ' || *s == '\n') || (o > out && o[-1] != ' '))
			*o++ = (*s == '\n') ? ' ' : *s;
	*o = '\0';
	return out;
}

/* run --help: every option of run, from the rows, and the --guest-fd mode */
static void usage_from_rows(void)
{
	char *text = NULL, *flat;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	ASSERT(f != NULL);
	run_usage(f);
	fclose(f);
	flat = squeeze(text);
	ASSERT(flat != NULL);
	for (i = 0; i < cli_n_mode_rows; i++) {
		if (!(cli_mode_rows[i].cmds & CLI_RUN))
			continue;
		CHECK_STR_HAS(flat, cli_mode_rows[i].name);
		CHECK_STR_HAS(flat, cli_mode_rows[i].help);
	}
	CHECK_STR_HAS(text, "  -p, --publish SPEC  tcp|udp:");
	CHECK_STR_HAS(text, "  --mtu N             MTU (68..65535)\n");
	CHECK_STR_HAS(text, "\nsocket, tap, slirp:\n  --offload");
	CHECK_STR_HAS(text, "With --guest-fd N there is no namespace");
	CHECK_STR_HAS(text, "-netdev dgram,id=n0,local.type=fd,local.str=N");
	CHECK_STR_HAS(text, "--offload, --ifname, --guest-addr, --gateway, "
			    "--dns and --no-dhcp.");
	/* no line wider than 79 columns */
	for (i = 0; text[i];) {
		size_t n = strcspn(text + i, "\n");

		CHECK(n <= 79);
		i += n + (text[i + n] == '\n');
	}
	free(flat);
	free(text);
}

/*
 * The engine serves another command as well (serve takes the mode options
 * for its uplink): its own rows, the mode rows for its bit, its name in
 * every message.
 */
static int other_set(void *dst, const char *v, char *e, size_t elen)
{
	(void)e;
	(void)elen;
	*(const char **)dst = v;
	return 0;
}

static void engine_other_command(void)
{
	static const struct cli_opt own[] = {
		{.name = "--listen",
		 .kind = CLI_FN,
		 .arg = "URL",
		 .set = other_set,
		 .help = "where to listen"},
	};
	static const struct cli_command cmd = {
		.name = "serve",
		.bit = CLI_SERVE,
		.usage = "usage: squib-net serve [OPTIONS]\n",
		.stray = "serve takes no command",
		.own = own,
		.n_own = 1,
	};
	const char *listen = NULL;
	struct cli_mode_opts m;
	struct cli_parse ps = {.m = &m, .own = &listen};
	char *argv[12];
	int rc;

	cli_mode_opts_init(&m);
	argv[0] = "serve";
	argv[1] = "--listen";
	argv[2] = "unix:///tmp/s.sock";
	argv[3] = "--mode";
	argv[4] = "socket";
	argv[5] = "--connect";
	argv[6] = "unix:///tmp/up.sock";
	argv[7] = NULL;
	rc = cli_opts_parse(&cmd, &ps, 7, argv, err, sizeof(err));
	CHECK_EQ(rc, 0);
	CHECK_EQ(ps.next, 7);
	CHECK(listen && !strcmp(listen, "unix:///tmp/s.sock"));
	CHECK_EQ(cli_opts_check(&cmd, &ps, err, sizeof(err)), 0);
	CHECK_EQ(m.mode, SQN_MODE_SOCKET);
	CHECK(!strcmp(m.connect_url, "unix:///tmp/up.sock"));
	/* run's own options are not serve's; messages name serve */
	argv[1] = "--guest-fd";
	argv[2] = "3";
	CHECK_EQ(cli_opts_parse(&cmd, &ps, 3, argv, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "serve: unknown option '--guest-fd' (squib-net "
			   "serve --help lists them)");
	argv[1] = "x";
	CHECK_EQ(cli_opts_parse(&cmd, &ps, 2, argv, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "serve: unexpected argument 'x': serve takes no "
			   "command");
	cli_mode_opts_init(&m);
	argv[1] = "--mode";
	argv[2] = "loopback";
	argv[3] = "--no-ipv6";
	CHECK_EQ(cli_opts_parse(&cmd, &ps, 4, argv, err, sizeof(err)), 0);
	CHECK_EQ(cli_opts_check(&cmd, &ps, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "serve: --no-ipv6 is for --mode slirp: mode "
			   "loopback would ignore it");
	cli_mode_opts_init(&m);
	argv[1] = "--mode";
	argv[2] = "tap";
	CHECK_EQ(cli_opts_parse(&cmd, &ps, 3, argv, err, sizeof(err)), 0);
	CHECK_EQ(cli_opts_check(&cmd, &ps, err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "serve: --mode tap needs --tap NAME");
}

/* the parameters from the mode options: the same for run and serve */
static void fill_params(void)
{
	const char *a[] = {"run",	"--mode",     "slirp", "--mtu",
			   "9000",	"--restrict", "-p",    "tcp::1-:2",
			   "--no-ipv6", "--",	      "true",  NULL};
	const char *b[] = {"run",	"--mode",    "socket",
			   "--connect", "unix:///x", "--reconnect-max",
			   "4",		"--",	     "true",
			   NULL};
	char *argv[16];
	struct run_opts o;
	struct sqn_params p;
	int i;

	for (i = 0; a[i]; i++)
		argv[i] = (char *)a[i];
	argv[i] = NULL;
	CHECK_EQ(run_args_parse(i, argv, &o, err, sizeof(err)), 0);
	sqn_params_init(&p);
	cli_mode_fill_params(&o.m, &p);
	CHECK_EQ(p.mode, SQN_MODE_SLIRP);
	CHECK_EQ(p.mtu, 9000);
	CHECK_EQ(p.slirp_restrict, SQN_ON);
	CHECK_EQ(p.slirp_ipv6, SQN_OFF);
	CHECK_EQ(p.n_forwards, 1);
	CHECK(!strcmp(p.forwards[0], "tcp::1-:2"));
	/* the embedded stack takes offloads by default */
	CHECK_EQ(p.offload, SQN_ON);
	CHECK(!strcmp(p.iface_id, "eth0"));
	/* the bound on reconnections */
	for (i = 0; b[i]; i++)
		argv[i] = (char *)b[i];
	argv[i] = NULL;
	CHECK_EQ(run_args_parse(i, argv, &o, err, sizeof(err)), 0);
	sqn_params_init(&p);
	cli_mode_fill_params(&o.m, &p);
	CHECK_EQ(p.reconnect_max, 4);
	CHECK(!strcmp(p.connect_url, "unix:///x"));
	CHECK_EQ(p.offload, 0);
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
	CASE(args_controls),
	CASE(args_mode_only),
	CASE(args_every_row_every_mode),
	CASE(args_required),
	CASE(usage_from_rows),
	CASE(engine_other_command),
	CASE(fill_params),
	CASE(dhcp_round),
};
CHECK_MAIN(cases)
