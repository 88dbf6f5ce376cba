/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_serve.c - squib-net serve: one network for many VMs
 *
 * Order of events: parse every option (nothing happens yet); queue the
 * terminating signals and SIGUSR1; size the switch (the uplink's MACs and
 * every VM port's share of the table are reserved up front); bind every
 * listener (a stale socket file is replaced, a live one refused); start the
 * uplink with the public API; say "listening"; run the loop
 * (serve_loop.c) until SIGINT, SIGTERM, SIGHUP or SIGQUIT; then close every
 * port, remove the socket files we made, stop the uplink and, with
 * --stats, print the counters. A failure at any step says what failed and
 * undoes what was done.
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl_server.h"
#include "serve.h"

/**
 * uplink_is_stack() - whether the uplink is a network of its own behind
 *		       one MAC, that gets no unknown unicast
 * @mode:	the uplink's mode
 *
 * A mode with a DHCP server is a network stack (libslirp, passt, gvproxy)
 * or vmnet's NAT: it answers with its own MAC and takes any frame it is
 * given as traffic to route, so a frame for a VM whose MAC the switch has
 * forgotten would leave through it (and be answered with a reset). Frames
 * for its own MAC, broadcasts and multicasts still reach it.
 *
 * Return: true for such a mode
 */
static bool uplink_is_stack(enum sqn_mode mode)
{
	struct sqn_mode_info mi = {.size = sizeof(mi)};

	return !sqn_mode_info(mode, &mi) && (mi.flags & SQN_MODE_HAS_DHCP);
}

/**
 * size_switch() - the switch and what it needs, sized for the options
 * @s:		serve
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int size_switch(struct serve *s, char *err, size_t errlen)
{
	const struct serve_opts *o = s->o;
	struct sqn_sw_config c = {.max_ports = o->max_ports + 1,
				  .table_size = SQN_SW_TABLE_DEFAULT,
				  .age_ms = (uint64_t)o->age_s * 1000};
	uint32_t share =
		(SQN_SW_TABLE_DEFAULT - SERVE_UPLINK_MACS) / o->max_ports;
	int rc;

	s->port_cap = o->port_macs ? o->port_macs
				   : (share < SERVE_PORT_MACS_MAX
					      ? share
					      : SERVE_PORT_MACS_MAX);
	if ((uint64_t)s->port_cap * o->max_ports + SERVE_UPLINK_MACS >
	    SQN_SW_TABLE_DEFAULT) {
		snprintf(err, errlen,
			 "serve: --port-macs %u for %u ports does not fit the "
			 "table of %u MACs (the uplink keeps %u): at most %u",
			 s->port_cap, o->max_ports, SQN_SW_TABLE_DEFAULT,
			 SERVE_UPLINK_MACS, share);
		return -EINVAL;
	}
	if (relay_os_random(&c.seed, sizeof(c.seed)))
		c.seed = (uint64_t)(uintptr_t)s ^ (uint64_t)getpid();
	rc = sqn_sw_init(&s->sw, &c);
	s->port = calloc(o->max_ports + 1, sizeof(*s->port));
	s->dport = calloc(o->max_ports + 1, sizeof(*s->dport));
	s->dirty = calloc(o->max_ports + 1, sizeof(*s->dirty));
	s->pfd =
		calloc(o->max_ports + SERVE_MAX_LISTEN + 2 + CTL_SERVER_MAX_FDS,
		       sizeof(*s->pfd));
	s->ptag =
		calloc(o->max_ports + SERVE_MAX_LISTEN + 2 + CTL_SERVER_MAX_FDS,
		       sizeof(*s->ptag));
	s->msgbuf = malloc((size_t)SQN_BATCH * (SQN_FRAME_MAX + 1));
	s->gso_buf = malloc(SQN_GSO_OUT_MAX);
	s->gso_seg = calloc(SQN_GSO_SEGS_MAX, sizeof(*s->gso_seg));
	if (rc || !s->port || !s->dport || !s->dirty || !s->pfd || !s->ptag ||
	    !s->msgbuf || !s->gso_buf || !s->gso_seg) {
		snprintf(err, errlen, "serve: out of memory");
		return -ENOMEM;
	}
	s->dest.port = s->dport;
	return 0;
}

/**
 * start_uplink() - start the uplink interface and its switch port
 * @s:		serve
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int start_uplink(struct serve *s, char *err, size_t errlen)
{
	struct sqn_sw_port_cfg cfg = {.uplink = true, .cap = SERVE_UPLINK_MACS};
	struct sqn_params p;
	char why[384];
	int rc;

	if (s->o->m.none)
		return 0;
	sqn_params_init(&p);
	cli_mode_fill_params(&s->o->m, &p);
	/* the policy options are the VM ports' (serve_policy.c) */
	p.policy_rules = NULL;
	p.n_policy_rules = 0;
	p.log = cli_log;
	p.log_level = s->o->m.verbose >= 2   ? SQN_LOG_DEBUG
		      : s->o->m.verbose == 1 ? SQN_LOG_INFO
					     : SQN_LOG_WARN;
	rc = sqn_iface_start(&p, &s->up, why, sizeof(why));
	if (rc) {
		snprintf(err, errlen, "serve: cannot start the uplink (%s): %s",
			 sqn_mode_name(p.mode), why);
		return rc;
	}
	/* tap: the host's end gets its address, as run gives it */
	if (s->o->m.have_host_addr) {
		rc = relay_os_host_addr(s->o->m.tap, &s->o->m.host_addr, why,
					sizeof(why));
		if (rc) {
			snprintf(err, errlen, "serve: %s", why);
			return rc;
		}
	}
	s->up_max = sqn_iface_max_frame(s->up);
	s->up_buf = malloc((size_t)SQN_BATCH * s->up_max);
	if (!s->up_buf) {
		snprintf(err, errlen, "serve: out of memory");
		return -ENOMEM;
	}
	cfg.no_flood = uplink_is_stack(sqn_iface_mode(s->up));
	rc = sqn_sw_port_add(&s->sw, SERVE_UPLINK, &cfg);
	if (rc) {
		snprintf(err, errlen,
			 "serve: the switch refused the uplink: %s",
			 strerror(-rc));
		return rc;
	}
	return 0;
}

/**
 * say_ready() - one line: what serve listens on and its uplink
 * @s:	serve
 */
static void say_ready(const struct serve *s)
{
	uint8_t mac[6];
	char m[18];
	unsigned i;

	fprintf(stderr, "squib-net: serve: listening on");
	for (i = 0; i < s->nlis; i++)
		fprintf(stderr, "%s %s", i ? "," : "", s->lis[i].opt->url);
	if (s->up) {
		sqn_iface_host_mac(s->up, mac);
		fprintf(stderr,
			"; uplink %s (mtu %u, host %s); up to %u ports, %u "
			"MACs each\n",
			sqn_mode_name(sqn_iface_mode(s->up)),
			sqn_iface_mtu(s->up), sqn_mac_format(mac, m),
			s->o->max_ports, s->port_cap);
	} else {
		fprintf(stderr, "; no uplink; up to %u ports, %u MACs each\n",
			s->o->max_ports, s->port_cap);
	}
}

/**
 * serve_teardown() - close every port and listener, stop the uplink, free
 * @s:	serve
 */
static void serve_teardown(struct serve *s)
{
	unsigned i;

	serve_ctl_close(s);
	for (i = 1; s->port && i <= s->o->max_ports; i++)
		if (s->port[i].used) {
			serve_port_flush(&s->port[i], UINT32_MAX);
			serve_policy_port_close(s, &s->port[i]);
			serve_port_close(&s->port[i]);
		}
	sqn_cap_stop(&s->cap, NULL); /* -ENOENT when none runs */
	sqn_cap_destroy(&s->cap);
	for (i = 0; i < s->nlis; i++)
		serve_listen_close(&s->lis[i]);
	sqn_iface_free(s->up);
	s->up = NULL;
	relay_sigq_close(&s->sigq);
	serve_policy_stop(s);
	sqn_sw_free(&s->sw);
	free(s->port);
	free(s->dport);
	free(s->dirty);
	free(s->pfd);
	free(s->ptag);
	free(s->msgbuf);
	free(s->gso_buf);
	free(s->gso_seg);
	free(s->up_buf);
}

/**
 * resolve_group() - --group NAME to its id
 * @o:		options
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or -EINVAL
 */
static int resolve_group(struct serve_opts *o, char *err, size_t errlen)
{
	struct group *g;

	if (!o->group)
		return 0;
	g = getgrnam(o->group);
	if (!g) {
		snprintf(err, errlen, "serve: --group %s: no such group",
			 o->group);
		return -EINVAL;
	}
	o->gid = g->gr_gid;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1};
	struct serve_opts o;
	struct serve s;
	char err[512];
	unsigned i;
	int rc;

	rc = serve_args_parse(argc, argv, &o, err, sizeof(err));
	if (rc == 1) {
		serve_usage(stdout);
		return 0;
	}
	if (rc == 0)
		rc = resolve_group(&o, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "squib-net: %s\n", err);
		return 2;
	}
	cli_verbose = o.m.verbose;
	memset(&s, 0, sizeof(s));
	s.o = &o;
	s.sigq.rfd = s.sigq.wfd = -1;
	sqn_cap_init(&s.cap);
	(void)signal(SIGPIPE, SIG_IGN);
	rc = relay_sigq_open_sigs(&s.sigq, sigs,
				  sizeof(sigs) / sizeof(sigs[0]));
	if (rc) {
		snprintf(err, sizeof(err), "serve: cannot watch signals: %s",
			 strerror(-rc));
		goto out;
	}
	rc = size_switch(&s, err, sizeof(err));
	if (rc)
		goto out;
	for (i = 0; i < o.n_listen; i++) {
		rc = serve_listen_open(&s.lis[i], &o.listen[i], &o, err,
				       sizeof(err));
		if (rc)
			goto out;
		s.nlis++;
	}
	rc = serve_policy_start(&s, err, sizeof(err));
	if (!rc)
		rc = start_uplink(&s, err, sizeof(err));
	if (!rc)
		rc = serve_ctl_open(&s, err, sizeof(err));
	if (rc)
		goto out;
	say_ready(&s);
	rc = serve_loop(&s);
	if (rc)
		snprintf(err, sizeof(err), "serve: poll: %s", strerror(-rc));
	if (o.m.stats)
		serve_print_stats(&s, stderr);
out:
	if (rc)
		fprintf(stderr, "squib-net: %s\n", err);
	serve_teardown(&s);
	return rc ? 1 : 0;
}
