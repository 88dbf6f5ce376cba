/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_args.c - squib-net serve's command line, parsed without side effects
 *
 * Every refused option gets its own message naming the option and the
 * value. Strings point into argv, nothing is allocated.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

#define FAIL(...)                                                              \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EINVAL;                                                \
	} while (0)

/**
 * serve_usage() - print serve's options
 * @f:	where to
 */
void serve_usage(FILE *f)
{
	fprintf(f,
		"usage: squib-net serve [UPLINK OPTIONS] --listen URL "
		"[--listen URL]... [OPTIONS]\n"
		"\n"
		"One network for many VMs: every connection (or datagram peer) "
		"on a\nlistening socket is a port of a learning switch; the "
		"uplink is one\ninterface of the library (--mode, as for run), "
		"or none.\n"
		"\n"
		"listening (one or more):\n"
		"  --listen URL[,OPT]...  unix:///path (u32-BE stream: QEMU "
		"-netdev stream,\n"
		"                      passt-style clients, squib-net run "
		"--mode socket),\n"
		"                      unixgram:///path (vfkit, krunkit, QEMU "
		"-netdev dgram),\n"
		"                      unixpacket:///path (bess); OPT: "
		"isolate, "
		"pin, mac=MAC\n"
		"  --group NAME        socket files 0660 for this group "
		"(default 0600)\n"
		"ports:\n"
		"  --max-ports N       most VM ports at once (default %d)\n"
		"  --isolate           every port reaches only the uplink\n"
		"  --pin               every port may send from its first MAC "
		"only\n"
		"  --port-macs N       MACs one port may own (default: its "
		"share "
		"of %u)\n"
		"  --age S             seconds a quiet MAC is remembered "
		"(default %u)\n"
		"uplink:\n"
		"  --mode M            none, or a mode of run: slirp "
		"(default), tap,\n"
		"                      userspace, socket, loopback, shared, "
		"host, bridged\n"
		"  --mtu N             the uplink's MTU\n"
		"other:\n"
		"  --stats             statistics on exit (SIGUSR1: any time)\n"
		"  -v, --verbose       log more\n",
		SERVE_PORTS_DEFAULT, SQN_SW_TABLE_DEFAULT,
		SQN_SW_AGE_MS_DEFAULT / 1000);
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
		snprintf(mac, sizeof(mac), "%.*s", (int)(n - 4), opt + 4);
		if (n - 4 >= sizeof(mac) ||
		    sqn_mac_parse_msg(mac, l->mac, why, sizeof(why)))
			FAIL("serve: --listen %s: mac=%.*s is not a MAC "
			     "address: %s",
			     l->url, (int)(n - 4), opt + 4,
			     n - 4 >= sizeof(mac) ? "too long" : why);
		if ((l->mac[0] & 1) || !(l->mac[0] | l->mac[1] | l->mac[2] |
					 l->mac[3] | l->mac[4] | l->mac[5]))
			FAIL("serve: --listen %s: mac=%s is multicast or zero: "
			     "a port's MAC is unicast",
			     l->url, mac);
		l->pin = SQN_SW_PIN_MAC;
		return 0;
	}
	FAIL("serve: --listen %s: unknown option '%.*s' after a comma: use "
	     "isolate, pin or mac=MAC (a path cannot contain a comma)",
	     l->url, (int)n, opt);
}

/**
 * serve_listen_parse() - one --listen value: URL[,isolate][,pin][,mac=M]
 * @arg:	the value
 * @l:		filled
 * @err:	gets the message
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
		FAIL("serve: --listen '%.60s...' is longer than a socket path "
		     "allows (%d bytes)",
		     arg, SQN_URL_PATH_MAX);
	memcpy(l->url, arg, ulen);
	l->url[ulen] = '\0';
	if (sqn_url_parse(l->url, &url, why, sizeof(why))) {
		/* the library speaks of connect_url: say --listen */
		const char *m =
			strncmp(why, "connect_url", 11) ? why : why + 11;

		FAIL("serve: --listen%s%s", *m == ' ' || *m == ':' ? "" : " ",
		     m);
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
 * check_listens() - no path twice; the global policy on every listener
 * @o:		options
 * @isolate:	--isolate
 * @pin:	--pin
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int check_listens(struct serve_opts *o, bool isolate, bool pin,
			 char *err, size_t errlen)
{
	unsigned i, j;

	if (!o->n_listen)
		FAIL("serve: nothing to listen on: give --listen "
		     "unix:///path (or unixgram://, unixpacket://)");
	for (i = 0; i < o->n_listen; i++) {
		struct serve_listen_opt *l = &o->listen[i];

		if (isolate)
			l->isolate = true;
		if (pin && l->pin == SQN_SW_PIN_NONE)
			l->pin = SQN_SW_PIN_FIRST;
		for (j = 0; j < i; j++)
			if (!strcmp(o->listen[j].path, l->path))
				FAIL("serve: --listen %s and %s name the same "
				     "file",
				     o->listen[j].url, l->url);
	}
	return 0;
}

/**
 * opt_value() - the options that take a value
 * @o:		options
 * @a:		the option
 * @v:		its value, NULL when the command line ends
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0, -EINVAL, or 1 when @a is no such option
 */
static int opt_value(struct serve_opts *o, const char *a, const char *v,
		     char *err, size_t errlen)
{
	static const char *const names[] = {
		"--listen",    "--mode", "--mtu",  "--max-ports",
		"--port-macs", "--age",	 "--group"};
	size_t k;

	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (!strcmp(a, names[k]))
			break;
	if (k == sizeof(names) / sizeof(names[0]))
		return 1;
	if (!v)
		FAIL("serve: option %s needs a value", a);
	if (!strcmp(a, "--listen")) {
		if (o->n_listen == SERVE_MAX_LISTEN)
			FAIL("serve: more than %d --listen", SERVE_MAX_LISTEN);
		return serve_listen_parse(v, &o->listen[o->n_listen++], err,
					  errlen);
	}
	if (!strcmp(a, "--mode")) {
		if (!strcmp(v, "none")) {
			o->no_uplink = true;
			return 0;
		}
		o->no_uplink = false;
		if (sqn_mode_parse(v, &o->mode))
			FAIL("serve: --mode '%s' is unknown: use none, "
			     "default, slirp, userspace, socket, tap, "
			     "loopback, shared, host or bridged",
			     v);
		return 0;
	}
	if (!strcmp(a, "--mtu")) {
		if (parse_u32(v, 68, 65535, &o->params.mtu))
			FAIL("serve: --mtu '%s' is not a number from 68 to "
			     "65535",
			     v);
		return 0;
	}
	if (!strcmp(a, "--max-ports")) {
		if (parse_u32(v, 1, SERVE_PORTS_MAX, &o->max_ports))
			FAIL("serve: --max-ports '%s' is not a number from 1 "
			     "to %d",
			     v, SERVE_PORTS_MAX);
		return 0;
	}
	if (!strcmp(a, "--port-macs")) {
		if (parse_u32(v, 1, SQN_SW_TABLE_DEFAULT, &o->port_macs))
			FAIL("serve: --port-macs '%s' is not a number from 1 "
			     "to %u",
			     v, SQN_SW_TABLE_DEFAULT);
		return 0;
	}
	if (!strcmp(a, "--age")) {
		if (parse_u32(v, 1, 86400, &o->age_s))
			FAIL("serve: --age '%s' is not a number of seconds "
			     "from 1 to 86400",
			     v);
		return 0;
	}
	if (!*v)
		FAIL("serve: --group needs a group name");
	o->group = v;
	return 0;
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
	bool isolate = false, pin = false;
	int i, rc;

	memset(o, 0, sizeof(*o));
	sqn_params_init(&o->params);
	o->max_ports = SERVE_PORTS_DEFAULT;
	o->age_s = SQN_SW_AGE_MS_DEFAULT / 1000;
	if (errlen)
		err[0] = '\0';
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return 1;
		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			o->verbose++;
		} else if (!strcmp(a, "--stats")) {
			o->stats = true;
		} else if (!strcmp(a, "--isolate")) {
			isolate = true;
		} else if (!strcmp(a, "--pin")) {
			pin = true;
		} else if (a[0] != '-') {
			FAIL("serve: unexpected argument '%s'", a);
		} else {
			rc = opt_value(o, a, i + 1 < argc ? argv[i + 1] : NULL,
				       err, errlen);
			if (rc == 1)
				FAIL("serve: unknown option '%s' (squib-net "
				     "serve --help lists them)",
				     a);
			if (rc)
				return rc;
			i++;
		}
	}
	if (o->mode == SQN_MODE_DEFAULT)
		o->mode = sqn_mode_default();
	return check_listens(o, isolate, pin, err, errlen);
}
