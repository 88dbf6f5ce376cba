/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_args.c - squib-net serve's command line: its own rows, and the
 *		  mode rows it shares with run for its uplink (opts_mode.c),
 *		  parsed without side effects
 *
 * The uplink takes the same --mode and mode options as run, or --mode
 * none for a switch of VMs alone. Strings point into argv, nothing is
 * allocated.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "serve.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

#define OFF(f) offsetof(struct serve_opts, f)

/**
 * policy_kind() - whether a --listen option is an egress policy rule
 * @opt:	the option's text
 * @n:		its length
 *
 * Return: true when it starts with a rule's kind ("allow-net=", "deny-all")
 */
static bool policy_kind(const char *opt, size_t n)
{
	unsigned k;
	size_t kl;

	for (k = 0; k < SQN_RULE_KINDS; k++) {
		kl = strlen(sqn_policy_rule_name((enum sqn_policy_rule_kind)k));
		if (n >= kl &&
		    !strncmp(opt,
			     sqn_policy_rule_name((enum sqn_policy_rule_kind)k),
			     kl) &&
		    (n == kl || opt[kl] == '='))
			return true;
	}
	return false;
}

/**
 * listen_rule() - a policy rule after a --listen URL: kept as text, checked
 *		   with the others once the URL's options are read
 * @opt:	the rule's text
 * @n:		its length
 * @l:		the listener
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int listen_rule(const char *opt, size_t n, struct serve_listen_opt *l,
		       char *err, size_t errlen)
{
	if (l->n_rules >= SERVE_LISTEN_RULES ||
	    n + 1 > sizeof(l->pool) - l->pool_used)
		FAIL("--listen %s: more policy rules than one --listen holds "
		     "(%d, %d bytes): give them as serve's options",
		     l->url, SERVE_LISTEN_RULES, SERVE_LISTEN_RULES_POOL);
	memcpy(l->pool + l->pool_used, opt, n);
	l->pool[l->pool_used + n] = '\0';
	l->rules[l->n_rules++] = l->pool + l->pool_used;
	l->pool_used += (unsigned)n + 1;
	return 0;
}

/**
 * listen_rules_check() - a listener's policy rules, parsed together
 * @l:		the listener
 * @err:	gets the rule parser's message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int listen_rules_check(const struct serve_listen_opt *l, char *err,
			      size_t errlen)
{
	struct sqn_policy_rules set;
	char why[300];
	unsigned i;

	if (!l->n_rules)
		return 0;
	sqn_policy_rules_init(&set);
	for (i = 0; i < l->n_rules; i++)
		if (sqn_policy_rule_parse(&set, l->rules[i], why, sizeof(why)))
			FAIL("--listen %s: %s", l->url, why);
	if (sqn_policy_rules_check(&set, why, sizeof(why)))
		FAIL("--listen %s: %s", l->url, why);
	return 0;
}

/**
 * listen_option() - one option after a --listen URL
 * @opt:	the option's text (up to the next comma)
 * @n:		its length
 * @l:		the listener
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int listen_option(const char *opt, size_t n, struct serve_listen_opt *l,
			 char *err, size_t errlen)
{
	char mac[32], why[160];

	if (n == 7 && !strncmp(opt, "isolate", 7)) {
		l->isolate = true;
		return 0;
	}
	if (n == 3 && !strncmp(opt, "pin", 3)) {
		if (l->pin == SQN_SW_PIN_NONE)
			l->pin = SQN_SW_PIN_FIRST;
		return 0;
	}
	if (n > 4 && !strncmp(opt, "mac=", 4)) {
		if (n - 4 >= sizeof(mac))
			FAIL("--listen %s: mac=%.20s... is not a MAC address",
			     l->url, opt + 4);
		snprintf(mac, sizeof(mac), "%.*s", (int)(n - 4), opt + 4);
		if (sqn_mac_parse_msg(mac, l->mac, why, sizeof(why)))
			FAIL("--listen %s: mac=%s is not a MAC address: %s",
			     l->url, mac, why);
		if ((l->mac[0] & 1) || !(l->mac[0] | l->mac[1] | l->mac[2] |
					 l->mac[3] | l->mac[4] | l->mac[5]))
			FAIL("--listen %s: mac=%s is multicast or zero: a "
			     "port's MAC is unicast",
			     l->url, mac);
		l->pin = SQN_SW_PIN_MAC;
		return 0;
	}
	if (policy_kind(opt, n))
		return listen_rule(opt, n, l, err, errlen);
	FAIL("--listen %s: unknown option '%.*s' after a comma: use isolate, "
	     "pin, mac=MAC or a policy rule (allow-host=NAME, "
	     "allow-net=CIDR..., allow-dns=ADDR, deny-all, check-sni; a path "
	     "cannot contain a comma)",
	     l->url, (int)n, opt);
}

/**
 * serve_listen_parse() - one --listen value: URL[,isolate][,pin][,mac=M]
 *			  [,RULE]... (egress policy rules of its ports)
 * @arg:	the value
 * @l:		filled
 * @err:	gets the message (without the command's name)
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
int serve_listen_parse(const char *arg, struct serve_listen_opt *l, char *err,
		       size_t errlen)
{
	const char *comma = strchr(arg, ',');
	size_t ulen = comma ? (size_t)(comma - arg) : strlen(arg);
	struct sqn_url url;
	char why[SQN_URL_PATH_MAX + 160];
	int rc;

	memset(l, 0, sizeof(*l));
	if (ulen >= sizeof(l->url))
		FAIL("--listen '%.60s...' is longer than a socket path allows "
		     "(%d bytes)",
		     arg, SQN_URL_PATH_MAX);
	memcpy(l->url, arg, ulen);
	l->url[ulen] = '\0';
	if (sqn_url_parse(l->url, &url, why, sizeof(why))) {
		/* the parser speaks of connect_url: say --listen */
		const char *m =
			strncmp(why, "connect_url", 11) ? why : why + 11;

		FAIL("--listen%s%s", *m == ' ' || *m == ':' ? "" : " ", m);
	}
	l->kind = url.kind;
	memcpy(l->path, url.path, sizeof(l->path));
	while (comma) {
		const char *opt = comma + 1, *next = strchr(opt, ',');
		size_t n = next ? (size_t)(next - opt) : strlen(opt);

		rc = listen_option(opt, n, l, err, errlen);
		if (rc)
			return rc;
		comma = next;
	}
	return listen_rules_check(l, err, errlen);
}

/**
 * set_listen() - --listen URL[,OPT]...
 * @dst:	struct serve_opts
 * @v:		the value
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int set_listen(void *dst, const char *v, char *err, size_t errlen)
{
	struct serve_opts *o = dst;
	unsigned i;
	int rc;

	if (o->n_listen == SERVE_MAX_LISTEN)
		FAIL("more than %d --listen", SERVE_MAX_LISTEN);
	rc = serve_listen_parse(v, &o->listen[o->n_listen], err, errlen);
	if (rc)
		return rc;
	for (i = 0; i < o->n_listen; i++)
		if (!strcmp(o->listen[i].path, o->listen[o->n_listen].path))
			FAIL("--listen %s and %s name the same file",
			     o->listen[i].url, o->listen[o->n_listen].url);
	o->n_listen++;
	return 0;
}

/**
 * set_rate() - --rx-rate or --tx-rate SPEC[@URL]
 * @o:		struct serve_opts
 * @dir:	0 rx, 1 tx
 * @v:		the value
 * @err:	gets the message
 * @errlen:	its size
 *
 * The listener named is checked once every --listen is known
 * (serve_args_parse()).
 *
 * Return: 0 or -EINVAL
 */
static int set_rate(struct serve_opts *o, unsigned dir, const char *v,
		    char *err, size_t errlen)
{
	const char *opt = dir ? "--tx-rate" : "--rx-rate";
	struct serve_rate_opt *r;
	char spec[256];
	const char *at = strchr(v, '@');
	size_t n = at ? (size_t)(at - v) : strlen(v);

	if (o->n_rate[dir] == SERVE_MAX_LISTEN + 1)
		FAIL("more than %d %s", SERVE_MAX_LISTEN + 1, opt);
	if (n >= sizeof(spec))
		FAIL("%s '%.40s...' is too long", opt, v);
	r = &o->rate[dir][o->n_rate[dir]];
	memcpy(spec, v, n);
	spec[n] = '\0';
	if (cli_rate_parse(opt, spec, &r->l, err, errlen))
		return -EINVAL;
	r->url[0] = '\0';
	if (at) {
		if (!at[1] || strlen(at + 1) >= sizeof(r->url))
			FAIL("%s '%s': after @ comes a --listen URL", opt, v);
		snprintf(r->url, sizeof(r->url), "%s", at + 1);
	}
	o->n_rate[dir]++;
	return 0;
}

static int set_rx_rate(void *dst, const char *v, char *err, size_t errlen)
{
	return set_rate(dst, 0, v, err, errlen);
}

static int set_tx_rate(void *dst, const char *v, char *err, size_t errlen)
{
	return set_rate(dst, 1, v, err, errlen);
}

/**
 * rate_for() - the --rx-rate or --tx-rate a listener's ports get
 * @o:		options
 * @dir:	0 rx, 1 tx
 * @url:	the listener's URL
 *
 * Return: its own (SPEC@URL), else the one for every port (SPEC), else
 * NULL
 */
static const struct serve_rate_opt *rate_for(const struct serve_opts *o,
					     unsigned dir, const char *url)
{
	const struct serve_rate_opt *all = NULL;
	unsigned k;

	for (k = 0; k < o->n_rate[dir]; k++) {
		const struct serve_rate_opt *r = &o->rate[dir][k];

		if (!r->url[0])
			all = r;
		else if (!strcmp(r->url, url))
			return r;
	}
	return all;
}

/**
 * check_rates() - each --rx-rate or --tx-rate names a --listen, at most
 *		   once, and one is for every port at most
 * @o:		options, every --listen parsed
 * @dir:	0 rx, 1 tx
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int check_rates(const struct serve_opts *o, unsigned dir, char *err,
		       size_t errlen)
{
	const char *opt = dir ? "--tx-rate" : "--rx-rate";
	unsigned k, j, i;

	for (k = 0; k < o->n_rate[dir]; k++) {
		const struct serve_rate_opt *r = &o->rate[dir][k];

		for (j = 0; j < k; j++)
			if (!strcmp(o->rate[dir][j].url, r->url)) {
				if (!r->url[0])
					FAIL("serve: %s for every port is "
					     "given twice",
					     opt);
				FAIL("serve: %s ...@%s is given twice", opt,
				     r->url);
			}
		for (i = 0; r->url[0] && i < o->n_listen; i++)
			if (!strcmp(o->listen[i].url, r->url))
				break;
		if (r->url[0] && i == o->n_listen)
			FAIL("serve: %s ...@%s: no --listen %s", opt, r->url,
			     r->url);
	}
	return 0;
}

/**
 * apply_rates() - every listener's limits: its own (SPEC@URL), else the
 *		   one for every port (SPEC), else none
 * @o:		options, every --listen parsed
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0, or -EINVAL for a URL no --listen gave, or one given twice
 */
static int apply_rates(struct serve_opts *o, char *err, size_t errlen)
{
	const struct serve_rate_opt *r;
	unsigned d, i;

	for (d = 0; d < 2; d++) {
		if (check_rates(o, d, err, errlen))
			return -EINVAL;
		for (i = 0; i < o->n_listen; i++) {
			r = rate_for(o, d, o->listen[i].url);
			if (r && d)
				o->listen[i].tx_rate = r->l;
			else if (r)
				o->listen[i].rx_rate = r->l;
		}
	}
	return 0;
}

/* serve's own options, in the order the usage text lists them */
static const struct cli_opt serve_rows[] = {
	{.name = "--listen",
	 .kind = CLI_FN,
	 .arg = "URL[,OPT]",
	 .set = set_listen,
	 .help = "a socket VMs connect to (repeatable, at least one): "
		 "unix:///path (u32-BE stream: QEMU -netdev stream, "
		 "passt-style clients, squib-net run --mode socket), "
		 "unixgram:///path (one frame per datagram: vfkit, krunkit, "
		 "QEMU -netdev dgram), unixpacket:///path (bess); "
		 "OPT: isolate, pin, mac=MAC, and egress policy rules "
		 "(allow-host=NAME, allow-net=..., allow-dns=ADDR, deny-all, "
		 "check-sni) for its ports in place of serve's own"},
	{.name = "--group",
	 .kind = CLI_STR,
	 .arg = "NAME",
	 .off = OFF(group),
	 .help = "socket files 0660, owned by this group (default 0600)"},
	{.name = "--max-ports",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(max_ports),
	 .lo = 1,
	 .hi = SERVE_PORTS_MAX,
	 .help = "most VM ports at once (default 64); more are refused "
		 "with a message"},
	{.name = "--isolate",
	 .kind = CLI_FLAG,
	 .off = OFF(isolate),
	 .help = "every port reaches only the uplink"},
	{.name = "--pin",
	 .kind = CLI_FLAG,
	 .off = OFF(pin),
	 .help = "every port may send from its first source MAC only"},
	{.name = "--port-macs",
	 .kind = CLI_U32,
	 .arg = "N",
	 .off = OFF(port_macs),
	 .lo = 1,
	 .hi = SQN_SW_TABLE_DEFAULT,
	 .help = "MACs one port may own (default: its share of the table's "
		 "4096, at most 64)"},
	{.name = "--age",
	 .kind = CLI_U32,
	 .arg = "S",
	 .off = OFF(age_s),
	 .lo = 1,
	 .hi = 86400,
	 .help = "seconds a quiet MAC is remembered (default 300)"},
	{.name = "--rx-rate",
	 .kind = CLI_FN,
	 .arg = "SPEC[@URL]",
	 .set = set_rx_rate,
	 .help = "rate limit toward each VM, each port its own buckets "
		 "(Firecracker's): bytes=N,burst=N,ops=N,ops-burst=N,"
		 "refill=MS as run's; @URL: the ports of that --listen only "
		 "(repeatable)"},
	{.name = "--tx-rate",
	 .kind = CLI_FN,
	 .arg = "SPEC[@URL]",
	 .set = set_tx_rate,
	 .help = "rate limit from each VM, as --rx-rate"},
};

static const struct cli_command serve_cmd = {
	.name = "serve",
	.bit = CLI_SERVE,
	.usage = "usage: squib-net serve [UPLINK OPTIONS] --listen URL "
		 "[--listen URL]... [OPTIONS]\n"
		 "\n"
		 "One network for many VMs: every connection (or datagram "
		 "peer) on a\nlistening socket is a port of a learning switch; "
		 "the uplink is one\ninterface of the library, started with "
		 "the mode options of run, or none.\nStatistics on --stats "
		 "(at exit) and SIGUSR1; SIGINT or SIGTERM stop it.\n",
	.stray = "serve takes no command",
	.none = "no uplink: a switch of VMs alone",
	.own = serve_rows,
	.n_own = sizeof(serve_rows) / sizeof(serve_rows[0]),
};

/**
 * serve_usage() - print serve's options, from the rows
 * @f:	where to
 */
void serve_usage(FILE *f)
{
	cli_opts_usage(&serve_cmd, f);
}

/**
 * serve_args_parse() - parse `serve`'s arguments
 * @argc:	count, argv[0] being "serve"
 * @argv:	arguments
 * @o:		filled
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0, 1 when help was asked for, or -EINVAL with the message set
 */
int serve_args_parse(int argc, char **argv, struct serve_opts *o, char *err,
		     size_t errlen)
{
	struct cli_parse ps = {.m = &o->m, .own = o};
	unsigned i;
	int rc;

	memset(o, 0, sizeof(*o));
	cli_mode_opts_init(&o->m);
	o->max_ports = SERVE_PORTS_DEFAULT;
	o->age_s = SQN_SW_AGE_MS_DEFAULT / 1000;
	rc = cli_opts_parse(&serve_cmd, &ps, argc, argv, err, errlen);
	if (rc)
		return rc;
	if (ps.next < argc)
		FAIL("serve: unexpected argument '%s': %s", argv[ps.next],
		     serve_cmd.stray);
	rc = cli_opts_check(&serve_cmd, &ps, err, errlen);
	if (rc)
		return rc;
	o->m.offload = false; /* a stack's default: ports carry plain frames */
	if (!o->n_listen)
		FAIL("serve: nothing to listen on: give --listen unix:///path "
		     "(or unixgram://, unixpacket://)");
	rc = apply_rates(o, err, errlen);
	if (rc)
		return rc;
	for (i = 0; i < o->n_listen; i++) {
		if (o->isolate)
			o->listen[i].isolate = true;
		if (o->pin && o->listen[i].pin == SQN_SW_PIN_NONE)
			o->listen[i].pin = SQN_SW_PIN_FIRST;
	}
	return 0;
}
