/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_args.c - squib-net run's command line, parsed without side effects
 *
 * Every refused option gets its own message naming the option and the
 * value. Strings point into argv: nothing is allocated, so the parser can
 * be fuzzed directly.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

/**
 * run_usage() - print run's options
 * @f:	where to
 */
void run_usage(FILE *f)
{
	fprintf(f,
		"usage: squib-net run [OPTIONS] -- CMD [ARGS...]\n"
		"\n"
		"Runs CMD in a new network namespace whose only NIC is a TAP "
		"device;\nsquib-net relays its frames through the chosen "
		"backend. Exits with CMD's status.\nThe options of one mode "
		"are refused in the others.\n"
		"\n"
		"common:\n"
		"  --mode M            default, slirp, userspace, socket, tap, "
		"loopback,\n"
		"                      shared, host, bridged (default: %s)\n"
		"  --mtu N             MTU, 68..65535\n"
		"  --mac MAC           the namespace NIC's MAC (default: "
		"06:00 + random)\n"
		"  --id ID             interface id (default eth0)\n"
		"  --ifname NAME       the namespace NIC's name (default "
		"eth0)\n"
		"  --guest-addr CIDR   static address instead of DHCP\n"
		"  --gateway ADDR      default route (with --guest-addr)\n"
		"  --dns ADDR          nameserver for the namespace\n"
		"  --no-dhcp           leave the NIC unconfigured but up\n"
		"  --timeout-ms N      backend start timeout (default 5000)\n"
		"  --stats             print interface statistics on exit\n"
		"  -v, --verbose       log more (repeat for debug)\n"
		"  --guest-fd N        no namespace: CMD gets the guest's NIC "
		"as fd N,\n"
		"                      a datagram socket, one frame per "
		"datagram\n"
		"userspace:\n"
		"  --helper K          gvproxy or passt\n"
		"  --helper-path PATH  the helper binary\n"
		"  --helper-arg ARG    an extra helper argument (repeatable)\n"
		"  --helper-restart    restart the helper if it exits\n"
		"socket:\n"
		"  --connect URL       unix:///path, unixgram:///path, "
		"unixpacket:///path\n"
		"tap:\n"
		"  --tap NAME          the backend TAP in the host namespace\n"
		"  --host-addr CIDR    its address\n"
		"  --offload           virtio-net offloads (GSO, checksum)\n"
		"  --queues N          multi-queue TAP (1..16)\n"
		"slirp:\n"
		"  -p, --publish SPEC  tcp|udp:[hostaddr]:hostport-"
		"[guestaddr]:guestport\n"
		"  --no-offload        plain frames (default: GSO, as with "
		"--offload)\n"
		"  --restrict          no outbound connections (forwards "
		"still work)\n"
		"  --net CIDR          the virtual network (default "
		"10.0.2.0/24)\n"
		"  --dns-search DOM    DNS search domain (repeatable)\n"
		"  --no-ipv6           no IPv6\n"
		"bridged:\n"
		"  --bridged IFACE     the host interface to bridge to\n",
		sqn_mode_name(sqn_mode_default()));
}

/**
 * run_parse_ip4() - parse a dotted-quad IPv4 address
 * @s:		text
 * @out:	network byte order
 *
 * Return: 0 or -EINVAL
 */
int run_parse_ip4(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = a.s_addr;
	return 0;
}

/**
 * run_parse_cidr() - parse "a.b.c.d/N"
 * @s:		text
 * @out:	address and prefix
 *
 * Return: 0 or -EINVAL
 */
int run_parse_cidr(const char *s, struct ip4_cidr *out)
{
	char buf[INET_ADDRSTRLEN + 4], *slash, *end;
	unsigned long n;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1); /* fits: checked above */
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || *end || n > 32 || slash[1] == '-' || slash[1] == '+' ||
	    slash[1] == ' ')
		return -EINVAL;
	if (run_parse_ip4(buf, &out->addr))
		return -EINVAL;
	out->prefix = (unsigned)n;
	return 0;
}

/**
 * parse_u32() - a decimal number within [lo, hi]
 * @s:		text
 * @lo:		smallest accepted
 * @hi:		largest accepted
 * @out:	the value
 *
 * Return: 0 or -EINVAL
 */
static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/* One handler per option that takes a value: (options, value, message). */
typedef int (*opt_fn)(struct run_opts *o, const char *v, char *err,
		      size_t errlen);

/**
 * opt_mode() - --mode M
 * @o:		options
 * @v:		the value
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL (all opt_*() handlers alike)
 */
static int opt_mode(struct run_opts *o, const char *v, char *err, size_t errlen)
{
	if (sqn_mode_parse(v, &o->mode))
		FAIL("run: --mode '%s' is unknown: use default, slirp, "
		     "userspace, socket, tap, loopback, shared, host or "
		     "bridged",
		     v);
	return 0;
}

static int opt_mtu(struct run_opts *o, const char *v, char *err, size_t errlen)
{
	if (parse_u32(v, 68, 65535, &o->mtu))
		FAIL("run: --mtu '%s' is not a number from 68 to 65535", v);
	return 0;
}

static int opt_mac(struct run_opts *o, const char *v, char *err, size_t errlen)
{
	char why[160];

	if (sqn_mac_parse_msg(v, o->mac, why, sizeof(why)))
		FAIL("run: --mac '%s' is not a MAC address: %s", v, why);
	if (o->mac[0] & 1)
		FAIL("run: --mac '%s' is a multicast address: the first octet "
		     "must be even",
		     v);
	o->have_mac = true;
	return 0;
}

static int opt_id(struct run_opts *o, const char *v, char *err, size_t errlen)
{
	if (!sqn_iface_id_valid(v))
		FAIL("run: --id '%s' is not 1 to 64 of A-Z a-z 0-9 _", v);
	o->iface_id = v;
	return 0;
}

static int opt_ifname(struct run_opts *o, const char *v, char *err,
		      size_t errlen)
{
	if (!*v || strlen(v) > 15 || strchr(v, '/') || strchr(v, ' ') ||
	    !strcmp(v, ".") || !strcmp(v, ".."))
		FAIL("run: --ifname '%s' is not a valid interface name (1 to "
		     "15 bytes, no '/' or space)",
		     v);
	o->ifname = v;
	return 0;
}

static int opt_guest_addr(struct run_opts *o, const char *v, char *err,
			  size_t errlen)
{
	if (run_parse_cidr(v, &o->guest_addr))
		FAIL("run: --guest-addr '%s' is not an IPv4 address with a "
		     "prefix (a.b.c.d/N)",
		     v);
	o->have_guest_addr = true;
	return 0;
}

static int opt_host_addr(struct run_opts *o, const char *v, char *err,
			 size_t errlen)
{
	if (run_parse_cidr(v, &o->host_addr))
		FAIL("run: --host-addr '%s' is not an IPv4 address with a "
		     "prefix (a.b.c.d/N)",
		     v);
	o->have_host_addr = true;
	return 0;
}

static int opt_gateway(struct run_opts *o, const char *v, char *err,
		       size_t errlen)
{
	if (run_parse_ip4(v, &o->gateway))
		FAIL("run: --gateway '%s' is not an IPv4 address", v);
	return 0;
}

static int opt_dns(struct run_opts *o, const char *v, char *err, size_t errlen)
{
	if (run_parse_ip4(v, &o->dns))
		FAIL("run: --dns '%s' is not an IPv4 address", v);
	return 0;
}

static int opt_timeout(struct run_opts *o, const char *v, char *err,
		       size_t errlen)
{
	if (parse_u32(v, 1, 600000, &o->timeout_ms))
		FAIL("run: --timeout-ms '%s' is not a number from 1 to 600000",
		     v);
	return 0;
}

static int opt_guest_fd(struct run_opts *o, const char *v, char *err,
			size_t errlen)
{
	static const char *const std[] = {"stdin", "stdout", "stderr"};
	uint32_t n;

	if (parse_u32(v, 0, 65535, &n))
		FAIL("run: --guest-fd '%s' is not a number from 3 to 65535", v);
	if (n < 3)
		FAIL("run: --guest-fd %u is CMD's %s: use 3 or above", n,
		     std[n]);
	o->guest_fd = (int)n;
	return 0;
}

static int opt_helper(struct run_opts *o, const char *v, char *err,
		      size_t errlen)
{
	if (!strcmp(v, "gvproxy"))
		o->helper_kind = SQN_HELPER_GVPROXY;
	else if (!strcmp(v, "passt"))
		o->helper_kind = SQN_HELPER_PASST;
	else
		FAIL("run: --helper '%s' is unknown: use gvproxy or passt", v);
	return 0;
}

static int opt_helper_arg(struct run_opts *o, const char *v, char *err,
			  size_t errlen)
{
	if (o->n_helper_args == RUN_MAX_HELPER_ARGS)
		FAIL("run: more than %d --helper-arg", RUN_MAX_HELPER_ARGS);
	o->helper_args[o->n_helper_args++] = v;
	return 0;
}

static int opt_queues(struct run_opts *o, const char *v, char *err,
		      size_t errlen)
{
	if (parse_u32(v, 1, SQN_MAX_QUEUES, &o->queues))
		FAIL("run: --queues '%s' is not a number from 1 to %d", v,
		     SQN_MAX_QUEUES);
	return 0;
}

static int opt_publish(struct run_opts *o, const char *v, char *err,
		       size_t errlen)
{
	if (o->n_publish == RUN_MAX_PUBLISH)
		FAIL("run: more than %d --publish", RUN_MAX_PUBLISH);
	o->publish[o->n_publish++] = v;
	return 0;
}

static int opt_dns_search(struct run_opts *o, const char *v, char *err,
			  size_t errlen)
{
	if (o->n_dns_search == RUN_MAX_DNS_SEARCH)
		FAIL("run: more than %d --dns-search", RUN_MAX_DNS_SEARCH);
	o->dns_search[o->n_dns_search++] = v;
	return 0;
}

/* Options with a value: name, short alias (or NULL), handler. */
static const struct {
	const char *name;
	const char *alias;
	opt_fn fn;
} run_value_opts[] = {
	{"--mode", NULL, opt_mode},
	{"--mtu", NULL, opt_mtu},
	{"--mac", NULL, opt_mac},
	{"--id", NULL, opt_id},
	{"--ifname", NULL, opt_ifname},
	{"--guest-addr", NULL, opt_guest_addr},
	{"--host-addr", NULL, opt_host_addr},
	{"--gateway", NULL, opt_gateway},
	{"--dns", NULL, opt_dns},
	{"--timeout-ms", NULL, opt_timeout},
	{"--helper", NULL, opt_helper},
	{"--helper-arg", NULL, opt_helper_arg},
	{"--queues", NULL, opt_queues},
	{"--publish", "-p", opt_publish},
	{"--dns-search", NULL, opt_dns_search},
	{"--guest-fd", NULL, opt_guest_fd},
};

/**
 * flag_field() - the bool a flag option sets
 * @o:		options
 * @a:		the argument
 *
 * Return: the field, or NULL if @a is not a flag
 */
static bool *flag_field(struct run_opts *o, const char *a)
{
	static const struct {
		const char *name;
		size_t off;
	} flags[] = {
		{"--stats", offsetof(struct run_opts, stats)},
		{"--offload", offsetof(struct run_opts, offload)},
		{"--no-offload", offsetof(struct run_opts, no_offload)},
		{"--restrict", offsetof(struct run_opts, restrict_net)},
		{"--no-ipv6", offsetof(struct run_opts, no_ipv6)},
		{"--no-dhcp", offsetof(struct run_opts, no_dhcp)},
		{"--helper-restart", offsetof(struct run_opts, helper_restart)},
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (!strcmp(a, flags[i].name))
			return (bool *)((char *)o + flags[i].off);
	return NULL;
}

/**
 * string_field() - the string a plain-string option sets
 * @o:		options
 * @a:		the argument
 *
 * Return: the field, or NULL if @a is not such an option
 */
static const char **string_field(struct run_opts *o, const char *a)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{"--helper-path", offsetof(struct run_opts, helper_path)},
		{"--connect", offsetof(struct run_opts, connect_url)},
		{"--tap", offsetof(struct run_opts, tap)},
		{"--net", offsetof(struct run_opts, net)},
		{"--bridged", offsetof(struct run_opts, bridged)},
	};
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(a, strs[i].name))
			return (const char **)((char *)o + strs[i].off);
	return NULL;
}

/**
 * value_opt() - the handler of an option that takes a value
 * @a:	the argument
 *
 * Return: the handler, or NULL for an unknown option
 */
static opt_fn value_opt(const char *a)
{
	size_t i;

	for (i = 0; i < sizeof(run_value_opts) / sizeof(run_value_opts[0]); i++)
		if (!strcmp(a, run_value_opts[i].name) ||
		    (run_value_opts[i].alias &&
		     !strcmp(a, run_value_opts[i].alias)))
			return run_value_opts[i].fn;
	return NULL;
}

/**
 * run_args_mode_only() - refuse options of another mode than the chosen one
 * @o:		parsed options, the mode resolved
 * @err:	gets the message, naming the option and the mode
 * @errlen:	its size
 *
 * A backend ignores the parameters of the others, so an option for another
 * mode would be silently dropped: refuse it instead.
 *
 * Return: 0 or -EINVAL
 */
static int run_args_mode_only(const struct run_opts *o, char *err,
			      size_t errlen)
{
	const struct {
		const char *name;
		bool given;
		enum sqn_mode mode;
	} only[] = {
		{"--helper", o->helper_kind != SQN_HELPER_DEFAULT,
		 SQN_MODE_USERSPACE},
		{"--helper-path", o->helper_path != NULL, SQN_MODE_USERSPACE},
		{"--helper-arg", o->n_helper_args > 0, SQN_MODE_USERSPACE},
		{"--helper-restart", o->helper_restart, SQN_MODE_USERSPACE},
		{"--connect", o->connect_url != NULL, SQN_MODE_SOCKET},
		{"--tap", o->tap != NULL, SQN_MODE_TAP},
		{"--host-addr", o->have_host_addr, SQN_MODE_TAP},
		{"--queues", o->queues > 0, SQN_MODE_TAP},
		{"-p/--publish", o->n_publish > 0, SQN_MODE_SLIRP},
		{"--no-offload", o->no_offload, SQN_MODE_SLIRP},
		{"--restrict", o->restrict_net, SQN_MODE_SLIRP},
		{"--net", o->net != NULL, SQN_MODE_SLIRP},
		{"--dns-search", o->n_dns_search > 0, SQN_MODE_SLIRP},
		{"--no-ipv6", o->no_ipv6, SQN_MODE_SLIRP},
		{"--bridged", o->bridged != NULL, SQN_MODE_BRIDGED},
	};
	size_t i;

	for (i = 0; i < sizeof(only) / sizeof(only[0]); i++)
		if (only[i].given && o->mode != only[i].mode)
			FAIL("run: %s is for --mode %s: mode %s would ignore "
			     "it",
			     only[i].name, sqn_mode_name(only[i].mode),
			     sqn_mode_name(o->mode));
	return 0;
}

/**
 * run_args_check() - what the options need of each other
 * @o:		parsed options
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int run_args_check(struct run_opts *o, char *err, size_t errlen)
{
	if (o->mode == SQN_MODE_DEFAULT)
		o->mode = sqn_mode_default();
	if (o->offload && o->no_offload)
		FAIL("run: --offload and --no-offload contradict each other");
	if (o->offload && o->mode != SQN_MODE_TAP && o->mode != SQN_MODE_SLIRP)
		FAIL("run: --offload needs --mode tap or slirp (mode %s "
		     "carries "
		     "plain frames)",
		     sqn_mode_name(o->mode));
	/* slirp: GSO both ways unless asked not to (tcp_coalesce.c) */
	if (o->mode == SQN_MODE_SLIRP && !o->no_offload)
		o->offload = true;
	if (o->mode == SQN_MODE_TAP && !o->tap)
		FAIL("run: --mode tap needs --tap NAME (the backend TAP in the "
		     "host namespace)");
	if (o->mode == SQN_MODE_TAP &&
	    (!o->have_host_addr || (!o->have_guest_addr && !o->guest_fd)))
		FAIL("run: --mode tap needs --host-addr CIDR and --guest-addr "
		     "CIDR");
	if (o->mode == SQN_MODE_SOCKET && !o->connect_url)
		FAIL("run: --mode socket needs --connect URL");
	if (o->mode == SQN_MODE_BRIDGED && !o->bridged)
		FAIL("run: --mode bridged needs --bridged IFACE");
	return run_args_mode_only(o, err, errlen);
}

/**
 * run_args_check_guest_fd() - refuse what has no meaning without a namespace
 * @o:		parsed and checked options
 * @argc:	count
 * @argv:	the arguments, scanned again for the options given
 * @err:	gets the message
 * @errlen:	its size
 *
 * With --guest-fd the guest is CMD, which configures its own NIC from the
 * frames (its own DHCP), and the datagrams carry plain frames.
 *
 * Return: 0 or -EINVAL
 */
static int run_args_check_guest_fd(struct run_opts *o, int argc, char **argv,
				   char *err, size_t errlen)
{
	static const struct {
		const char *name;
		const char *why;
	} no[] = {
		{"--ifname", "names the namespace's NIC, and there is no "
			     "namespace"},
		{"--guest-addr", "the guest sets its own address"},
		{"--gateway", "the guest sets its own route"},
		{"--dns", "the guest sets its own nameserver"},
		{"--no-dhcp", "run does no DHCP for the guest: the guest does "
			      "its own, or none"},
		{"--offload", "the datagrams carry plain frames, without a "
			      "virtio-net header"},
	};
	size_t k;
	int i;

	if (!o->guest_fd)
		return 0;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		for (k = 0; k < sizeof(no) / sizeof(no[0]); k++)
			if (!strcmp(argv[i], no[k].name))
				FAIL("run: %s does not apply with --guest-fd: "
				     "%s",
				     no[k].name, no[k].why);
		if (value_opt(argv[i]) || string_field(o, argv[i]))
			i++; /* its value */
	}
	o->offload = false; /* slirp's default: plain frames here */
	return 0;
}

/**
 * parse_opt() - one option (and its value) at argv[*i]
 * @o:		options
 * @argc:	count
 * @argv:	arguments
 * @i:		index of the option; advanced past its value
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int parse_opt(struct run_opts *o, int argc, char **argv, int *i,
		     char *err, size_t errlen)
{
	const char *a = argv[*i];
	const char **str;
	bool *flag;
	opt_fn fn;

	flag = flag_field(o, a);
	if (flag) {
		*flag = true;
		return 0;
	}
	if (a[0] != '-')
		FAIL("run: unexpected argument '%s': put the command after --",
		     a);
	str = string_field(o, a);
	fn = str ? NULL : value_opt(a);
	if (!str && !fn)
		FAIL("run: unknown option '%s' (squib-net run --help lists "
		     "them)",
		     a);
	if (*i + 1 >= argc)
		FAIL("run: option %s needs a value", a);
	++*i;
	if (str) {
		*str = argv[*i];
		return 0;
	}
	return fn(o, argv[*i], err, errlen);
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
	int i, rc;

	memset(o, 0, sizeof(*o));
	o->iface_id = "eth0";
	o->ifname = "eth0";
	if (errlen)
		err[0] = '\0';

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose++;
			continue;
		}
		rc = parse_opt(o, argc, argv, &i, err, errlen);
		if (rc)
			return rc;
	}
	if (i >= argc || !argv[i] || !argv[i][0])
		FAIL("run: no command: squib-net run [OPTIONS] -- CMD "
		     "[ARGS...]");
	o->argv = argv + i;
	rc = run_args_check(o, err, errlen);
	return rc ? rc : run_args_check_guest_fd(o, argc, argv, err, errlen);
}
