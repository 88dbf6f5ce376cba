/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_serve_args.c - squib-net serve's command line: --listen and its
 *		    options, the uplink's mode options (shared with run),
 *		    --mode none, and one message per refusal
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "serve.h"

static char err[512];
static struct serve_opts o;

/**
 * parse() - serve_args_parse() over a NULL-terminated list
 * @args:	"serve", then the arguments
 *
 * Return: what it returned
 */
static int parse(const char *const *args)
{
	char *argv[64];
	int argc = 0;

	while (args[argc]) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	err[0] = '\0';
	return serve_args_parse(argc, argv, &o, err, sizeof(err));
}

static void listen_and_policy(void)
{
	const char *a[] = {"serve",
			   "--listen",
			   "unix:///run/a.sock,isolate",
			   "--listen",
			   "unixgram:///run/b.sock,mac=52:54:00:12:34:56",
			   "--listen",
			   "unixpacket:///run/c.sock,pin",
			   "--mode",
			   "none",
			   "--max-ports",
			   "10",
			   "--age",
			   "30",
			   "--group",
			   "kvm",
			   "--stats",
			   "-v",
			   NULL};

	ASSERT(parse(a) == 0);
	CHECK(o.m.none);
	CHECK(o.m.stats);
	CHECK_EQ(o.m.verbose, 1);
	CHECK_EQ(o.n_listen, 3);
	CHECK_EQ(o.listen[0].kind, SQN_URL_UNIX);
	CHECK(!strcmp(o.listen[0].path, "/run/a.sock"));
	CHECK(!strcmp(o.listen[0].url, "unix:///run/a.sock"));
	CHECK(o.listen[0].isolate);
	CHECK_EQ(o.listen[0].pin, SQN_SW_PIN_NONE);
	CHECK_EQ(o.listen[1].kind, SQN_URL_UNIXGRAM);
	CHECK_EQ(o.listen[1].pin, SQN_SW_PIN_MAC);
	CHECK_EQ(o.listen[1].mac[0], 0x52);
	CHECK_EQ(o.listen[1].mac[5], 0x56);
	CHECK(!o.listen[1].isolate);
	CHECK_EQ(o.listen[2].kind, SQN_URL_UNIXPACKET);
	CHECK_EQ(o.listen[2].pin, SQN_SW_PIN_FIRST);
	CHECK_EQ(o.max_ports, 10);
	CHECK_EQ(o.age_s, 30);
	CHECK(!strcmp(o.group, "kvm"));
}

static void defaults_and_global_flags(void)
{
	const char *a[] = {"serve",
			   "--listen",
			   "unix:///r/a",
			   "--listen",
			   "unix:///r/b,mac=02:00:00:00:00:01",
			   "--isolate",
			   "--pin",
			   NULL};

	ASSERT(parse(a) == 0);
	CHECK(!o.m.none);
	CHECK_EQ(o.m.mode, sqn_mode_default());
	CHECK_EQ(o.max_ports, SERVE_PORTS_DEFAULT);
	CHECK_EQ(o.age_s, SQN_SW_AGE_MS_DEFAULT / 1000);
	CHECK(o.listen[0].isolate && o.listen[1].isolate);
	CHECK_EQ(o.listen[0].pin, SQN_SW_PIN_FIRST);
	/* a configured MAC stays what it is under --pin */
	CHECK_EQ(o.listen[1].pin, SQN_SW_PIN_MAC);
	CHECK(!o.m.offload); /* serve's ports carry plain frames */
}

static void uplink_mode_options(void)
{
	const char *slirp[] = {"serve",	    "--listen",	  "unix:///r/a",
			       "--mode",    "slirp",	  "--mtu",
			       "65520",	    "-p",	  "tcp::8080-:80",
			       "--no-ipv6", "--restrict", NULL};
	const char *none_then_slirp[] = {
		"serve",    "--mode",	   "none", "--mode",	"slirp",
		"--listen", "unix:///r/a", "-p",   "tcp::1-:2", NULL};
	struct sqn_params p;

	ASSERT(parse(slirp) == 0);
	CHECK_EQ(o.m.mode, SQN_MODE_SLIRP);
	sqn_params_init(&p);
	cli_mode_fill_params(&o.m, &p);
	CHECK_EQ(p.mtu, 65520);
	CHECK_EQ(p.n_forwards, 1);
	CHECK_EQ(p.slirp_ipv6, SQN_OFF);
	CHECK_EQ(p.slirp_restrict, SQN_ON);
	ASSERT(parse(none_then_slirp) == 0);
	CHECK(!o.m.none);
}

/**
 * refused() - parse fails with -EINVAL and a message containing @want
 * @args:	the arguments
 * @want:	part of the message
 */
static void refused(const char *const *args, const char *want)
{
	CHECK_EQ(parse(args), -EINVAL);
	CHECK_STR_HAS(err, want);
}

static void refusals(void)
{
	refused((const char *[]){"serve", NULL},
		"serve: nothing to listen on: give --listen");
	refused((const char *[]){"serve", "--listen", "tcp://x", NULL},
		"serve: --listen \"tcp://x\" has an unknown scheme");
	refused((const char *[]){"serve", "--listen", "unix://rel", NULL},
		"serve: --listen \"unix://rel\": the path must be absolute");
	refused((const char *[]){"serve", "--listen", "unix:///a,bogus", NULL},
		"serve: --listen unix:///a: unknown option 'bogus' after a "
		"comma");
	refused((const char *[]){"serve", "--listen", "unix:///a,mac=zz", NULL},
		"serve: --listen unix:///a: mac=zz is not a MAC address");
	refused((const char *[]){"serve", "--listen",
				 "unix:///a,mac=03:00:00:00:00:01", NULL},
		"mac=03:00:00:00:00:01 is multicast or zero");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--listen",
				 "unixpacket:///a", NULL},
		"serve: --listen unix:///a and unixpacket:///a name the same "
		"file");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--mode",
				 "none", "--mtu", "9000", NULL},
		"serve: --mtu has no meaning with --mode none (no uplink");
	refused((const char *[]){"serve", "--mode", "none", "--listen",
				 "unix:///a", "--publish", "tcp::1-:2", NULL},
		"serve: -p/--publish has no meaning with --mode none");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--offload",
				 NULL},
		"serve: unknown option '--offload'");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--mode",
				 "tap", NULL},
		"serve: --mode tap needs --tap NAME");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--mode",
				 "loopback", "--no-ipv6", NULL},
		"serve: --no-ipv6 is for --mode slirp");
	refused((const char *[]){"serve", "--listen", "unix:///a", "extra",
				 NULL},
		"serve: unexpected argument 'extra': serve takes no command");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--", "cmd",
				 NULL},
		"serve: unexpected argument 'cmd'");
	refused((const char *[]){"serve", "--listen", "unix:///a",
				 "--max-ports", "0", NULL},
		"serve: --max-ports '0' is not a number from 1 to 1024");
	refused((const char *[]){"serve", "--listen", NULL},
		"serve: option --listen needs a value");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--mode",
				 "bogus", NULL},
		"serve: --mode 'bogus' is unknown");
}

static void usage_names_none(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT(f);
	serve_usage(f);
	fclose(f);
	CHECK_STR_HAS(text, "usage: squib-net serve [UPLINK OPTIONS] --listen");
	CHECK_STR_HAS(text, "none (no uplink: a switch of VMs alone)");
	CHECK_STR_HAS(text, "--listen URL[,OPT]");
	CHECK_STR_HAS(text, "--max-ports N");
	CHECK_STR_HAS(text, "--publish");
	CHECK(!strstr(text, "--offload"));
	CHECK(!strstr(text, "--guest-fd"));
	free(text);
}

/* egress policy: serve's options are every port's rules, a --listen's own
 * rules replace them for its ports; --mode none takes them */
static void egress_policy(void)
{
	const char *a[] = {
		"serve",
		"--mode",
		"none",
		"--allow-host",
		"pypi.org",
		"--deny-all",
		"--listen",
		"unix:///run/a.sock",
		"--listen",
		"unix:///run/b.sock,isolate,allow-net=10.1.0.0/16:5432,"
		"allow-host=*.example.com,check-sni",
		NULL};
	const char *bad[] = {"serve",
			     "--mode",
			     "none",
			     "--listen",
			     "unix:///run/a.sock,allow-net=10.0.0.1/8",
			     NULL};
	const char *sni[] = {"serve",
			     "--mode",
			     "none",
			     "--listen",
			     "unix:///run/a.sock,check-sni",
			     NULL};

	ASSERT(parse(a) == 0);
	CHECK_EQ(o.m.policy.n, 2);
	CHECK_STR_HAS(o.m.policy.v[0], "allow-host=pypi.org");
	CHECK_STR_HAS(o.m.policy.v[1], "deny-all");
	CHECK_EQ(o.listen[0].n_rules, 0);
	CHECK_EQ(o.listen[1].n_rules, 3);
	CHECK(o.listen[1].isolate);
	CHECK_STR_HAS(o.listen[1].rules[0], "allow-net=10.1.0.0/16:5432");
	CHECK_STR_HAS(o.listen[1].rules[2], "check-sni");
	CHECK_EQ(parse(bad), -EINVAL);
	CHECK_STR_HAS(err, "--listen unix:///run/a.sock: allow-net "
			   "\"10.0.0.1/8\": host bits set after /8");
	CHECK_EQ(parse(sni), -EINVAL);
	CHECK_STR_HAS(err, "--listen unix:///run/a.sock: check-sni checks");
}

/* the controls: rate limits for every port and per listener, the
 * network's capture, the control socket, the stats lines */
static void controls(void)
{
	const char *a[] = {"serve",
			   "--listen",
			   "unix:///run/a.sock",
			   "--listen",
			   "unixpacket:///run/b.sock,isolate",
			   "--listen",
			   "unixgram:///run/c.sock",
			   "--rx-rate",
			   "bytes=12500k",
			   "--rx-rate",
			   "bytes=1M,refill=100@unixpacket:///run/b.sock",
			   "--tx-rate",
			   "ops=1000@unixgram:///run/c.sock",
			   "--pcap",
			   "/tmp/net.pcap",
			   "--pcap-snaplen",
			   "128",
			   "--control",
			   "unix:///run/ctl.sock",
			   "--stats-interval",
			   "5",
			   NULL};

	ASSERT(parse(a) == 0);
	/* every port's limit, unless its listener has its own */
	CHECK_EQ(o.listen[0].rx_rate.bandwidth.size, 12500000);
	CHECK_EQ(o.listen[0].rx_rate.bandwidth.refill_time_ms, 1000);
	CHECK_EQ(o.listen[1].rx_rate.bandwidth.size, 1000000);
	CHECK_EQ(o.listen[1].rx_rate.bandwidth.refill_time_ms, 100);
	CHECK(o.listen[1].isolate);
	CHECK_EQ(o.listen[2].rx_rate.bandwidth.size, 12500000);
	/* tx: only the datagram listener's ports */
	CHECK_EQ(o.listen[0].tx_rate.ops.size, 0);
	CHECK_EQ(o.listen[1].tx_rate.ops.size, 0);
	CHECK_EQ(o.listen[2].tx_rate.ops.size, 1000);
	CHECK_EQ(o.listen[2].tx_rate.bandwidth.size, 0);
	CHECK(!strcmp(o.m.pcap, "/tmp/net.pcap"));
	CHECK_EQ(o.m.pcap_snaplen, 128);
	CHECK(!strcmp(o.m.control, "unix:///run/ctl.sock"));
	CHECK_EQ(o.m.stats_interval, 5);
}

static void control_refusals(void)
{
	refused((const char *[]){"serve", "--listen", "unix:///a", "--rx-rate",
				 "bytes=10x", NULL},
		"--rx-rate");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--tx-rate",
				 "bytes=1M@unix:///b", NULL},
		"serve: --tx-rate ...@unix:///b: no --listen unix:///b");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--rx-rate",
				 "bytes=1M@", NULL},
		"serve: --rx-rate 'bytes=1M@': after @ comes a --listen URL");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--rx-rate",
				 "bytes=1M", "--rx-rate", "ops=10", NULL},
		"serve: --rx-rate for every port is given twice");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--rx-rate",
				 "bytes=1M@unix:///a", "--rx-rate",
				 "ops=10@unix:///a", NULL},
		"serve: --rx-rate ...@unix:///a is given twice");
	refused((const char *[]){"serve", "--listen", "unix:///a",
				 "--pcap-snaplen", "100", NULL},
		"serve: --pcap-snaplen needs --pcap FILE");
	refused((const char *[]){"serve", "--listen", "unix:///a", "--pcap",
				 "/x", "--pcap-snaplen", "10", NULL},
		"--pcap-snaplen '10' is not a number from 14 to 262144");
	refused((const char *[]){"serve", "--listen", "unix:///a",
				 "--stats-interval", "0", NULL},
		"--stats-interval '0' is not a number from 1 to 86400");
}

static const struct check_case cases[] = {
	CASE(listen_and_policy),
	CASE(defaults_and_global_flags),
	CASE(uplink_mode_options),
	CASE(refusals),
	CASE(usage_names_none),
	CASE(egress_policy),
	CASE(controls),
	CASE(control_refusals),
};
CHECK_MAIN(cases)
