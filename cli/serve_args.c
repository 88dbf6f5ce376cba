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
	FAIL("--listen %s: unknown option '%.*s' after a comma: use isolate, "
	     "pin or mac=MAC (a path cannot contain a comma)",
	     l->url, (int)n, opt);
}

/**
 * serve_listen_parse() - one --listen value: URL[,isolate][,pin][,mac=M]
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
	return 0;
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
		 "OPT: isolate, pin, mac=MAC for its ports"},
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
	for (i = 0; i < o->n_listen; i++) {
		if (o->isolate)
			o->listen[i].isolate = true;
		if (o->pin && o->listen[i].pin == SQN_SW_PIN_NONE)
			o->listen[i].pin = SQN_SW_PIN_FIRST;
	}
	return 0;
}
