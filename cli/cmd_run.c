/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - squib-net run: a network namespace whose NIC we relay
 *
 * Order of events: parse and validate every option (nothing happens yet);
 * make the namespace and its TAP (netns_linux.c); start the interface with
 * the public API; in tap mode, address the backend TAP on the host; ask the
 * backend's DHCP server for the namespace's address (or use --guest-addr);
 * configure the namespace; relay (relay.c) until the command exits; stop
 * the interface and exit with the command's status. Each failure says what
 * failed and tears down what was made.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "run.h"

/**
 * prefix_of() - prefix length of a netmask
 * @mask:	network byte order
 *
 * Return: 0..32
 */
static unsigned prefix_of(uint32_t mask)
{
	unsigned n = 0;

	for (mask = ntohl(mask); mask & 0x80000000u; mask <<= 1)
		n++;
	return n;
}

/**
 * plan_config() - how the namespace's NIC is set up
 * @o:		options
 * @iface:	the started interface
 * @mac:	the guest's MAC
 * @cfg:	filled
 * @err:	gets the message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int plan_config(const struct run_opts *o, struct sqn_iface *iface,
		       const uint8_t mac[6], struct ns_config *cfg, char *err,
		       size_t errlen)
{
	struct dhcp_lease lease;
	struct sqn_mode_info mi = {.size = sizeof(mi)};
	uint32_t timeout = o->m.timeout_ms ? o->m.timeout_ms : 10000;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mtu = o->m.mtu ? o->m.mtu : sqn_iface_mtu(iface);
	cfg->dns = o->dns;
	if (o->have_guest_addr) {
		cfg->addr = o->guest_addr;
		cfg->gateway = o->gateway;
		return 0;
	}
	sqn_mode_info(o->m.mode, &mi);
	if (o->no_dhcp || !(mi.flags & SQN_MODE_HAS_DHCP))
		return 0;
	rc = relay_dhcp(iface, mac, timeout, &lease, err, errlen);
	if (rc)
		return rc;
	cfg->addr.addr = lease.yiaddr;
	cfg->addr.prefix = lease.netmask ? prefix_of(lease.netmask) : 24;
	cfg->gateway = o->gateway ? o->gateway : lease.router;
	if (!cfg->dns && lease.n_dns)
		cfg->dns = lease.dns[0];
	if (!o->m.mtu && lease.mtu >= SQN_MTU_MIN)
		cfg->mtu = lease.mtu;
	if (o->m.verbose) {
		char a[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d[INET_ADDRSTRLEN];

		fprintf(stderr,
			"squib-net: run: DHCP: %s/%u gateway %s dns %s mtu "
			"%u\n",
			inet_ntop(AF_INET, &cfg->addr.addr, a, sizeof(a)),
			cfg->addr.prefix,
			inet_ntop(AF_INET, &cfg->gateway, g, sizeof(g)),
			inet_ntop(AF_INET, &cfg->dns, d, sizeof(d)), cfg->mtu);
	}
	return 0;
}

/**
 * ns_go_cb() - ns_go() as a struct relay_guest callback
 * @arg:	the struct ns_child
 *
 * Return: what ns_go() returned
 */
static int ns_go_cb(void *arg)
{
	return ns_go(arg);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct sqn_iface *iface = NULL;
	struct ns_child c;
	struct ns_config cfg;
	struct run_ctl ctl;
	char err[512];
	uint8_t mac[6];
	sigset_t sigs;
	int rc, status = 125, wst;

	rc = run_args_parse(argc, argv, &o, err, sizeof(err));
	if (rc == 1) {
		run_usage(stdout);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "squib-net: %s\n", err);
		return 2;
	}
	cli_verbose = o.m.verbose;
	if (o.have_mac)
		memcpy(mac, o.mac, 6);
	else if (sqn_mac_generate(mac) < 0) {
		fprintf(stderr, "squib-net: run: no random bytes for a MAC\n");
		return 125;
	}
	if (o.guest_fd)
		return cmd_run_fd(&o, mac);

	/* libslirp and helper sockets must not kill us with SIGPIPE; the
	 * command's exit arrives through a signalfd in the relay */
	(void)signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGCHLD);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGQUIT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);

	rc = ns_spawn(&o, mac, o.m.offload, &c, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "squib-net: %s\n", err);
		return 125;
	}
	rc = run_iface_start(&o, mac, &iface);
	if (rc)
		goto out_child;
	/* the controls from here: a capture holds the DHCP exchange too */
	rc = run_ctl_start(&ctl, &o, iface);
	if (rc)
		goto out_iface;
	if (o.m.have_host_addr) {
		rc = ns_if_set_addr(o.m.tap, &o.m.host_addr, err, sizeof(err));
		/* the policy's gateway and DNS: the address just given */
		if (!rc && o.m.policy.n)
			rc = sqn_iface_set_policy(iface, o.m.policy.v,
						  o.m.policy.n, err,
						  sizeof(err));
		if (rc) {
			fprintf(stderr, "squib-net: %s\n", err);
			goto out_ctl;
		}
	}
	rc = plan_config(&o, iface, mac, &cfg, err, sizeof(err));
	if (!rc)
		rc = ns_configure(&c, &cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "squib-net: %s\n", err);
		goto out_ctl;
	}
	{
		/* the namespace's TAP; "go" to CMD once the relay runs */
		struct relay_guest g = {.fd = c.tap_fd,
					.vnet_hdr = o.m.offload,
					.pid = c.pid,
					.go = ns_go_cb,
					.go_arg = &c};

		rc = relay_run(iface, &g, &status);
	}
	if (rc) {
		fprintf(stderr, "squib-net: run: cannot start the relay: %s\n",
			strerror(-rc));
		goto out_ctl;
	}
	run_ctl_stop(&ctl);
	if (o.m.stats)
		run_print_stats(iface);
	sqn_iface_free(iface);
	close(c.tap_fd);
	return status;

out_ctl:
	run_ctl_stop(&ctl);
out_iface:
	sqn_iface_free(iface);
out_child:
	kill(c.pid, SIGKILL);
	waitpid(c.pid, &wst, 0);
	if (c.sock >= 0)
		close(c.sock);
	close(c.tap_fd);
	return 125;
}
