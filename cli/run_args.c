/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_args.c - squib-net run's command line, parsed without side effects
 *
 * run's own options (the namespace's NIC, --guest-fd) are rows here; the
 * options that choose and shape the interface are the mode rows every
 * command shares (opts_mode.c); the engine (opts.c) parses, checks and
 * prints usage from both. Every refused option gets its own message naming
 * the option and the value. Strings point into argv: nothing is allocated,
 * so the parser can be fuzzed directly.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

#define OFF(f) offsetof(struct run_opts, f)

/**
 * set_mac() - --mac MAC
 * @dst:	struct run_opts
 * @v:		the value
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL (all set_*() handlers alike)
 */
static int set_mac(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;
	char why[160];

	if (sqn_mac_parse_msg(v, o->mac, why, sizeof(why)))
		FAIL("--mac '%s' is not a MAC address: %s", v, why);
	if (o->mac[0] & 1)
		FAIL("--mac '%s' is a multicast address: the first octet "
		     "must be even",
		     v);
	o->have_mac = true;
	return 0;
}

static int set_ifname(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	if (!*v || strlen(v) > 15 || strchr(v, '/') || strchr(v, ' ') ||
	    !strcmp(v, ".") || !strcmp(v, ".."))
		FAIL("--ifname '%s' is not a valid interface name (1 to "
		     "15 bytes, no '/' or space)",
		     v);
	o->ifname = v;
	return 0;
}

static int set_guest_addr(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	if (cli_parse_cidr(v, &o->guest_addr))
		FAIL("--guest-addr '%s' is not an IPv4 address with a "
		     "prefix (a.b.c.d/N)",
		     v);
	o->have_guest_addr = true;
	return 0;
}

static int set_gateway(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	if (cli_parse_ip4(v, &o->gateway))
		FAIL("--gateway '%s' is not an IPv4 address", v);
	return 0;
}

static int set_dns(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	if (cli_parse_ip4(v, &o->dns))
		FAIL("--dns '%s' is not an IPv4 address", v);
	return 0;
}

static int set_guest_fd(void *dst, const char *v, char *err, size_t errlen)
{
	static const char *const std[] = {"stdin", "stdout", "stderr"};
	struct run_opts *o = dst;
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || errno || *end || n > 65535)
		FAIL("--guest-fd '%s' is not a number from 3 to 65535", v);
	if (n < 3)
		FAIL("--guest-fd %lu is CMD's %s: use 3 or above", n, std[n]);
	o->guest_fd = (int)n;
	return 0;
}

static int set_rx_rate(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	return cli_rate_parse("--rx-rate", v, &o->rx_rate, err, errlen);
}

static int set_tx_rate(void *dst, const char *v, char *err, size_t errlen)
{
	struct run_opts *o = dst;

	return cli_rate_parse("--tx-rate", v, &o->tx_rate, err, errlen);
}

/* run's own options, in the order the usage text lists them */
static const struct cli_opt run_rows[] = {
	{.name = "--mac",
	 .kind = CLI_FN,
	 .arg = "MAC",
	 .set = set_mac,
	 .help = "the guest's MAC (default: 06:00 + random)"},
	{.name = "--ifname",
	 .kind = CLI_FN,
	 .arg = "NAME",
	 .set = set_ifname,
	 .no_guest_fd = "names the namespace's NIC, and there is no "
			"namespace",
	 .help = "the namespace NIC's name (default eth0)"},
	{.name = "--guest-addr",
	 .kind = CLI_FN,
	 .arg = "CIDR",
	 .set = set_guest_addr,
	 .no_guest_fd = "the guest sets its own address",
	 .help = "static address instead of DHCP"},
	{.name = "--gateway",
	 .kind = CLI_FN,
	 .arg = "ADDR",
	 .set = set_gateway,
	 .no_guest_fd = "the guest sets its own route",
	 .help = "default route (with --guest-addr)"},
	{.name = "--dns",
	 .kind = CLI_FN,
	 .arg = "ADDR",
	 .set = set_dns,
	 .no_guest_fd = "the guest sets its own nameserver",
	 .help = "nameserver for the namespace"},
	{.name = "--no-dhcp",
	 .kind = CLI_FLAG,
	 .off = OFF(no_dhcp),
	 .no_guest_fd = "run does no DHCP for the guest: the guest does its "
			"own, or none",
	 .help = "leave the NIC unconfigured but up"},
	{.name = "--guest-fd",
	 .kind = CLI_FN,
	 .arg = "N",
	 .set = set_guest_fd,
	 .help = "no namespace: CMD gets the guest's NIC as fd N, a datagram "
		 "socket, one frame per datagram (below)"},
	{.name = "--rx-rate",
	 .kind = CLI_FN,
	 .arg = "SPEC",
	 .set = set_rx_rate,
	 .help = "rate limit toward the guest, Firecracker's buckets: "
		 "bytes=N,burst=N,ops=N,ops-burst=N,refill=MS (N per refill, "
		 "default 1000 ms; k M G Ki Mi Gi suffixes)"},
	{.name = "--tx-rate",
	 .kind = CLI_FN,
	 .arg = "SPEC",
	 .set = set_tx_rate,
	 .help = "rate limit from the guest, as --rx-rate"},
};

static const struct cli_command run_cmd = {
	.name = "run",
	.bit = CLI_RUN,
	.usage = "usage: squib-net run [OPTIONS] -- CMD [ARGS...]\n"
		 "       squib-net run [OPTIONS] --guest-fd N -- VMM "
		 "[ARGS...]\n"
		 "\n"
		 "Runs CMD in a new network namespace whose only NIC is a TAP "
		 "device;\nsquib-net relays its frames through the chosen "
		 "backend. Exits with CMD's\nstatus. The options of one mode "
		 "are refused in the others.\n",
	.stray = "put the command after --",
	.own = run_rows,
	.n_own = sizeof(run_rows) / sizeof(run_rows[0]),
};

/**
 * run_usage() - print run's options, from the rows
 * @f:	where to
 *
 * Ends with the --guest-fd mode and the options it refuses (the rows that
 * say why they do not apply there).
 */
void run_usage(FILE *f)
{
	const struct cli_opt *rows[2] = {cli_mode_rows, run_rows};
	size_t n[2] = {cli_n_mode_rows, run_cmd.n_own}, i, k = 0, total = 0;
	int s;

	cli_opts_usage(&run_cmd, f);
	for (s = 0; s < 2; s++)
		for (i = 0; i < n[s]; i++)
			total += rows[s][i].no_guest_fd != NULL;
	fprintf(f,
		"\nWith --guest-fd N there is no namespace, no TAP, and no "
		"root "
		"needed: CMD,\na VMM, gets the guest's NIC as its fd N (N >= "
		"3; "
		"its only fd besides 0-2),\na SOCK_DGRAM socket carrying one "
		"Ethernet frame per datagram, for example\n"
		"  qemu-system-x86_64 ... -netdev dgram,id=n0,local.type=fd,"
		"local.str=N\n"
		"  vfkit ... --device virtio-net,fd=N\n"
		"The guest configures its own NIC from the frames (its own "
		"DHCP, "
		"answered by\nthe backend's server where the mode has one), so "
		"these do not apply:");
	for (s = 0; s < 2; s++)
		for (i = 0; i < n[s]; i++)
			if (rows[s][i].no_guest_fd)
				fprintf(f, "%s%s",
					k++ ? (k == total ? " and " : ", ")
					    : "\n",
					rows[s][i].name);
	fprintf(f, ".\n");
}

/**
 * run_args_check_guest_fd() - refuse what has no meaning without a namespace
 * @o:		parsed and checked options
 * @ps:		the parse (which options were given)
 * @err:	gets the message
 * @errlen:	its size
 *
 * With --guest-fd the guest is CMD, which configures its own NIC from the
 * frames (its own DHCP), and the datagrams carry plain frames.
 *
 * Return: 0 or -EINVAL
 */
static int run_args_check_guest_fd(struct run_opts *o,
				   const struct cli_parse *ps, char *err,
				   size_t errlen)
{
	const struct cli_opt *r;
	size_t it = 0;

	if (!o->guest_fd)
		return 0;
	while ((r = cli_opts_given(&run_cmd, ps, &it)))
		if (r->no_guest_fd)
			FAIL("run: %s does not apply with --guest-fd: %s",
			     r->name, r->no_guest_fd);
	o->m.offload = false; /* a stack's default: plain frames here */
	return 0;
}

/**
 * run_args_parse() - parse `run`'s arguments
 * @argc:	count, argv[0] being "run"
 * @argv:	arguments
 * @o:		filled
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0, 1 when help was asked for, or -EINVAL with the message set
 */
int run_args_parse(int argc, char **argv, struct run_opts *o, char *err,
		   size_t errlen)
{
	struct cli_parse ps = {.m = &o->m, .own = o};
	int rc;

	memset(o, 0, sizeof(*o));
	cli_mode_opts_init(&o->m);
	o->ifname = "eth0";
	rc = cli_opts_parse(&run_cmd, &ps, argc, argv, err, errlen);
	if (rc)
		return rc;
	if (ps.next >= argc || !argv[ps.next] || !argv[ps.next][0])
		FAIL("run: no command: squib-net run [OPTIONS] -- CMD "
		     "[ARGS...]");
	o->argv = argv + ps.next;
	rc = cli_opts_check(&run_cmd, &ps, err, errlen);
	if (rc)
		return rc;
	/* the namespace's address must be in the host TAP's network */
	if (o->m.have_host_addr && !o->have_guest_addr && !o->guest_fd)
		FAIL("run: --mode %s needs --host-addr CIDR and --guest-addr "
		     "CIDR",
		     sqn_mode_name(o->m.mode));
	return run_args_check_guest_fd(o, &ps, err, errlen);
}
