/* SPDX-License-Identifier: Apache-2.0 */
/*
 * opts_mode.c - the options that choose and shape the interface, one row
 *		 each, shared by every subcommand that starts one (run, serve)
 *
 * Which modes an option applies to is not written here: a row names the
 * SQN_PARAMS_* group it feeds, and sqn_mode_info() says which modes read
 * and need that group. A new mode that reads existing parameters gets its
 * options without a change here. Pure: no I/O, nothing allocated.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "opts.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

#define OFF(f) offsetof(struct cli_mode_opts, f)

/**
 * set_id() - --id ID
 * @dst:	struct cli_mode_opts
 * @v:		the value
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL (all set_*() handlers alike)
 */
static int set_id(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	if (!sqn_iface_id_valid(v))
		FAIL("--id '%s' is not 1 to 64 of A-Z a-z 0-9 _", v);
	m->iface_id = v;
	return 0;
}

static int set_helper(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	if (!strcmp(v, "gvproxy"))
		m->helper_kind = SQN_HELPER_GVPROXY;
	else if (!strcmp(v, "passt"))
		m->helper_kind = SQN_HELPER_PASST;
	else
		FAIL("--helper '%s' is unknown: use gvproxy or passt", v);
	return 0;
}

static int set_host_addr(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	if (cli_parse_cidr(v, &m->host_addr))
		FAIL("--host-addr '%s' is not an IPv4 address with a prefix "
		     "(a.b.c.d/N)",
		     v);
	m->have_host_addr = true;
	return 0;
}

/**
 * cli_policy_add() - one policy rule from the command line: checked, kept
 * @pol:	the policy
 * @kind:	the rule's kind
 * @v:		its value (NULL for deny-all and check-sni)
 * @err:	gets the parser's message, with the option's "--" in front
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
int cli_policy_add(struct cli_policy *pol, enum sqn_policy_rule_kind kind,
		   const char *v, char *err, size_t errlen)
{
	const char *name = sqn_policy_rule_name(kind);
	char why[400];
	int n;

	if (sqn_policy_rule_add(&pol->rules, kind, v, why, sizeof(why)))
		FAIL("--%s", why);
	n = snprintf(pol->pool + pol->used, sizeof(pol->pool) - pol->used,
		     "%s%s%s", name, v ? "=" : "", v ? v : "");
	if (pol->n >= CLI_MAX_POLICY || n < 0 ||
	    (size_t)n >= sizeof(pol->pool) - pol->used)
		FAIL("--%s %.64s: too many policy rules (%u given)", name,
		     v ? v : "", pol->n);
	pol->v[pol->n++] = pol->pool + pol->used;
	pol->used += (unsigned)n + 1;
	return 0;
}

/**
 * cli_policy_finish() - the flags as rules, and the set checked whole
 * @pol:	the policy, every option given
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL (check-sni without allow-host)
 */
int cli_policy_finish(struct cli_policy *pol, char *err, size_t errlen)
{
	char why[400];
	int rc = 0;

	if (pol->deny_all)
		rc = cli_policy_add(pol, SQN_RULE_DENY_ALL, NULL, err, errlen);
	if (!rc && pol->check_sni)
		rc = cli_policy_add(pol, SQN_RULE_CHECK_SNI, NULL, err, errlen);
	if (rc)
		return rc;
	if (sqn_policy_rules_check(&pol->rules, why, sizeof(why)))
		FAIL("--%s", why);
	return 0;
}

static int set_allow_host(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	return cli_policy_add(&m->policy, SQN_RULE_ALLOW_HOST, v, err, errlen);
}

static int set_allow_net(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	return cli_policy_add(&m->policy, SQN_RULE_ALLOW_NET, v, err, errlen);
}

static int set_allow_dns(void *dst, const char *v, char *err, size_t errlen)
{
	struct cli_mode_opts *m = dst;

	return cli_policy_add(&m->policy, SQN_RULE_ALLOW_DNS, v, err, errlen);
}

/* The rows, in the order the usage text lists them. */
const struct cli_opt cli_mode_rows[] = {
	{.name = "--mode",
	 .kind = CLI_MODE,
	 .arg = "M",
	 .off = OFF(mode),
	 .cmds = CLI_BOTH,
	 .help = "the backend"},
	{.name = "--mtu",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(mtu),
	 .lo = SQN_MTU_MIN,
	 .hi = SQN_MTU_MAX,
	 .cmds = CLI_BOTH,
	 .help = "MTU"},
	{.name = "--id",
	 .kind = CLI_FN,
	 .arg = "ID",
	 .set = set_id,
	 .cmds = CLI_BOTH,
	 .help = "interface id (default eth0)"},
	{.name = "--timeout-ms",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(timeout_ms),
	 .lo = 1,
	 .hi = 600000,
	 .cmds = CLI_BOTH,
	 .help = "backend start timeout in ms, default 5000"},
	{.name = "--stats",
	 .kind = CLI_FLAG,
	 .off = OFF(stats),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "print interface statistics on exit"},
	{.name = "--verbose",
	 .alias = "-v",
	 .kind = CLI_COUNT,
	 .off = OFF(verbose),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "-v: information too, -vv: debugging (warnings and errors are "
		 "always shown)"},
	{.name = "--helper",
	 .kind = CLI_FN,
	 .arg = "K",
	 .set = set_helper,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_HELPER,
	 .help = "gvproxy or passt"},
	{.name = "--helper-path",
	 .kind = CLI_STR,
	 .arg = "PATH",
	 .off = OFF(helper_path),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_HELPER,
	 .help = "the helper binary"},
	{.name = "--helper-arg",
	 .kind = CLI_LIST,
	 .arg = "ARG",
	 .off = OFF(helper_args),
	 .off_n = OFF(n_helper_args),
	 .hi = CLI_MAX_HELPER_ARGS,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_HELPER,
	 .help = "an extra helper argument"},
	{.name = "--helper-restart",
	 .kind = CLI_FLAG,
	 .off = OFF(helper_restart),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_HELPER,
	 .help = "restart the helper if it exits"},
	{.name = "--connect",
	 .kind = CLI_STR,
	 .arg = "URL",
	 .off = OFF(connect_url),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_URL,
	 .required = true,
	 .help = "unix:///path, unixgram:///path, unixpacket:///path"},
	{.name = "--reconnect-max",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(reconnect_max),
	 .lo = 1,
	 .hi = 1000000,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_URL | SQN_PARAMS_HELPER,
	 .help = "give up after N reconnections in a row that bring no frame "
		 "(default: never; userspace: with --helper-restart)"},
	{.name = "--tap",
	 .kind = CLI_STR,
	 .arg = "NAME",
	 .off = OFF(tap),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_DEVICE,
	 .required = true,
	 .help = "the backend TAP in the host namespace"},
	{.name = "--host-addr",
	 .kind = CLI_FN,
	 .arg = "CIDR",
	 .set = set_host_addr,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_DEVICE,
	 .required = true,
	 .help = "the backend TAP's address in the host namespace"},
	{.name = "--queues",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(queues),
	 .lo = 1,
	 .hi = SQN_MAX_QUEUES,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_QUEUES,
	 .help = "multi-queue TAP"},
	{.name = "--offload",
	 .kind = CLI_FLAG,
	 .off = OFF(offload),
	 .cmds = CLI_RUN, /* serve's ports carry plain frames */
	 .params = SQN_PARAMS_OFFLOAD,
	 .elsewhere = "carries plain frames",
	 .no_guest_fd = "the datagrams carry plain frames, without a "
			"virtio-net header",
	 .help = "virtio-net offloads (GSO, checksum; socket: unix:// to "
		 "squib-net serve)"},
	{.name = "--publish",
	 .alias = "-p",
	 .kind = CLI_LIST,
	 .arg = "SPEC",
	 .off = OFF(publish),
	 .off_n = OFF(n_publish),
	 .hi = CLI_MAX_PUBLISH,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_SLIRP,
	 .help = "tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport"},
	{.name = "--no-offload",
	 .kind = CLI_FLAG,
	 .off = OFF(no_offload),
	 .cmds = CLI_RUN,
	 .params = SQN_PARAMS_SLIRP,
	 .conflicts = "--offload",
	 .help = "plain frames (default: GSO, as with --offload)"},
	{.name = "--restrict",
	 .kind = CLI_FLAG,
	 .off = OFF(restrict_net),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_SLIRP,
	 .help = "no outbound connections (forwards still work)"},
	{.name = "--net",
	 .kind = CLI_STR,
	 .arg = "CIDR",
	 .off = OFF(net),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_SLIRP,
	 .help = "the virtual network (default 10.0.2.0/24)"},
	{.name = "--dns-search",
	 .kind = CLI_LIST,
	 .arg = "DOM",
	 .off = OFF(dns_search),
	 .off_n = OFF(n_dns_search),
	 .hi = CLI_MAX_DNS_SEARCH,
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_SLIRP,
	 .help = "DNS search domain"},
	{.name = "--no-ipv6",
	 .kind = CLI_FLAG,
	 .off = OFF(no_ipv6),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_SLIRP,
	 .help = "no IPv6"},
	{.name = "--bridged",
	 .kind = CLI_STR,
	 .arg = "IFACE",
	 .off = OFF(bridged),
	 .cmds = CLI_BOTH,
	 .params = SQN_PARAMS_BRIDGED,
	 .required = true,
	 .help = "the host interface to bridge to"},
	{.name = "--allow-host",
	 .kind = CLI_FN,
	 .arg = "NAME",
	 .set = set_allow_host,
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "egress policy: a name the guest may resolve and reach, "
		 "exact or *.suffix (repeatable; any policy option denies "
		 "what none allows)"},
	{.name = "--allow-net",
	 .kind = CLI_FN,
	 .arg = "CIDR[:PORT[-PORT]][/tcp|/udp]",
	 .set = set_allow_net,
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "egress policy: a network the guest may reach, IPv4 or "
		 "[IPv6] (repeatable)"},
	{.name = "--allow-dns",
	 .kind = CLI_FN,
	 .arg = "ADDR",
	 .set = set_allow_dns,
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "egress policy: a resolver the guest may query (default: "
		 "the backend's own)"},
	{.name = "--deny-all",
	 .kind = CLI_FLAG,
	 .off = OFF(policy.deny_all),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "egress policy: deny what no rule allows (alone: all but "
		 "ARP, DHCP, NDP and ICMP to the gateway)"},
	{.name = "--check-sni",
	 .kind = CLI_FLAG,
	 .off = OFF(policy.check_sni),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "egress policy: also check TLS server names on port 443 "
		 "against --allow-host"},
	{.name = "--pcap",
	 .kind = CLI_STR,
	 .arg = "FILE",
	 .off = OFF(pcap),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "capture to a pcap file (tcpdump -r) from the start: run: "
		 "the interface, both ways; serve: every frame the switch "
		 "takes (a port's: through the control socket)"},
	{.name = "--pcap-snaplen",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(pcap_snaplen),
	 .lo = 14,
	 .hi = 262144,
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "bytes kept of each captured frame (default: all)"},
	{.name = "--control",
	 .kind = CLI_STR,
	 .arg = "URL",
	 .off = OFF(control),
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "serve the control protocol on unix:///path, mode 0600 "
		 "(squib-net ctl; doc/control.md)"},
	{.name = "--stats-interval",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(stats_interval),
	 .lo = 1,
	 .hi = 86400,
	 .cmds = CLI_BOTH,
	 .general = true,
	 .help = "every N seconds, one JSON stats line per interface or "
		 "port, as ctl's list answers them (run: its interface, on "
		 "stderr; serve: the uplink, each port, the network, on "
		 "stdout)"},
};

const size_t cli_n_mode_rows = sizeof(cli_mode_rows) / sizeof(cli_mode_rows[0]);

/**
 * cli_mode_opts_init() - the mode options before parsing
 * @m:	filled with the defaults
 */
void cli_mode_opts_init(struct cli_mode_opts *m)
{
	memset(m, 0, sizeof(*m));
	m->iface_id = "eth0";
}

/**
 * cli_mode_fill_params() - the interface's parameters from the mode options
 * @m:	parsed and checked options
 * @p:	initialised by the caller (sqn_params_init(), then its own fields:
 *	guest MAC, log callback); the mode options' fields are set
 */
void cli_mode_fill_params(const struct cli_mode_opts *m, struct sqn_params *p)
{
	p->iface_id = m->iface_id;
	p->mode = m->mode;
	p->mtu = m->mtu;
	p->start_timeout_ms = m->timeout_ms;
	p->helper_kind = m->helper_kind;
	p->helper_path = m->helper_path;
	p->helper_args = m->helper_args;
	p->n_helper_args = m->n_helper_args;
	p->helper_restart = m->helper_restart ? SQN_ON : 0;
	p->connect_url = m->connect_url;
	p->reconnect_max = m->reconnect_max;
	p->host_dev_name = m->tap;
	p->tap_create = m->tap ? SQN_ON : 0;
	p->tap_queues = m->queues;
	p->offload = m->offload ? SQN_ON : 0;
	p->slirp_net = m->net;
	p->slirp_restrict = m->restrict_net ? SQN_ON : 0;
	p->slirp_ipv6 = m->no_ipv6 ? SQN_OFF : 0;
	p->slirp_dns_search = m->dns_search;
	p->n_slirp_dns_search = m->n_dns_search;
	p->forwards = m->publish;
	p->n_forwards = m->n_publish;
	p->bridged_iface = m->bridged;
	p->policy_rules = m->policy.v;
	p->n_policy_rules = m->policy.n;
}

/**
 * cli_mode_defaults() - the command line's defaults that depend on the mode
 * @m:	parsed options, the mode resolved
 * @mi:	the mode's description
 *
 * The embedded stack (SQN_PARAMS_SLIRP) takes offloads at no cost (no
 * device to set up; GSO both ways in tcp_coalesce.c): they are on unless
 * --no-offload, which is why that option is the embedded stack's.
 */
void cli_mode_defaults(struct cli_mode_opts *m, const struct sqn_mode_info *mi)
{
	if ((mi->uses & SQN_PARAMS_SLIRP) && (mi->uses & SQN_PARAMS_OFFLOAD) &&
	    !m->no_offload)
		m->offload = true;
}
