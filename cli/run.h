/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.h - squib-net run: options, namespace and relay
 */
#ifndef SQN_RUN_H
#define SQN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>

#include "dhcp.h"
#include "opts.h"
#include "squibnet.h"
#include "waker.h"

/* frames the interface queues for the relay before it drops the oldest */
#define RUN_RX_QUEUE 2048

/**
 * struct run_opts - what `squib-net run` was asked to do
 * @m:			the interface's options (the mode rows, shared with
 *			every command that starts one)
 * @mac:		--mac, the guest MAC; @have_mac when given
 * @have_mac:		whether --mac was given
 * @ifname:		--ifname, the namespace NIC's name, default "eth0"
 * @guest_addr:		--guest-addr: static address, no DHCP
 * @have_guest_addr:	given
 * @gateway:		--gateway (0: from DHCP, or the host address)
 * @dns:		--dns (0: from DHCP)
 * @no_dhcp:		--no-dhcp
 * @argv:		the command to run (NULL-terminated, inside argv)
 * @guest_fd:		--guest-fd N: no namespace, the guest is CMD's fd N
 *			(a datagram socket); 0 when not given
 * @rx_rate:		--rx-rate: the limiter toward the guest (all zero:
 *			none)
 * @tx_rate:		--tx-rate: the limiter from the guest
 */
struct run_opts {
	struct cli_mode_opts m;
	uint8_t mac[6];
	bool have_mac;
	const char *ifname;
	struct ip4_cidr guest_addr;
	bool have_guest_addr;
	uint32_t gateway;
	uint32_t dns;
	bool no_dhcp;
	char **argv;
	int guest_fd;
	struct sqn_rate_limiter rx_rate;
	struct sqn_rate_limiter tx_rate;
};

/* run_args.c: pure option parsing */
int run_args_parse(int argc, char **argv, struct run_opts *o, char *err,
		   size_t errlen);
void run_usage(FILE *f);

/**
 * struct ns_config - how the namespace's NIC is set up
 * @addr:	address and prefix (0.0.0.0/0: leave unconfigured)
 * @gateway:	default route via this address, 0 for none
 * @dns:	nameserver for the namespace's /etc/resolv.conf, 0 to keep it
 * @mtu:	the NIC's MTU
 */
struct ns_config {
	struct ip4_cidr addr;
	uint32_t gateway;
	uint32_t dns;
	uint32_t mtu;
};

/**
 * struct ns_child - the process that holds the namespace and runs CMD
 * @pid:	its pid
 * @sock:	control socket to it
 * @tap_fd:	the namespace TAP, in the host's hands
 */
struct ns_child {
	pid_t pid;
	int sock;
	int tap_fd;
};

/* netns_linux.c */
int ns_spawn(const struct run_opts *o, const uint8_t mac[6], bool vnet_hdr,
	     struct ns_child *c, char *err, size_t errlen);
int ns_configure(struct ns_child *c, const struct ns_config *cfg, char *err,
		 size_t errlen);
int ns_go(struct ns_child *c);
int ns_if_set_addr(const char *ifname, const struct ip4_cidr *a, char *err,
		   size_t errlen);

struct relay_sigq;

/**
 * struct relay_guest - the guest's side of the relay, and the command
 * @fd:		one frame per read and per write (non-blocking): a TAP, or a
 *		SOCK_DGRAM socket
 * @vnet_hdr:	frames on @fd carry a virtio-net header (TAP offloads)
 * @dgram:	@fd is a datagram socket
 * @pid:	the command (or the process that runs it)
 * @sigq:	signal queue opened before @pid was forked, or NULL: the relay
 *		opens one
 * @go:		called once the relay is ready (NULL: nothing to call);
 *		returns 0 or a negative errno
 * @go_arg:	its argument
 * @say_mac:	say the guest's MAC once its first frame shows it (a VMM's
 *		guest has its own)
 */
struct relay_guest {
	int fd;
	bool vnet_hdr;
	bool dgram;
	pid_t pid;
	struct relay_sigq *sigq;
	int (*go)(void *arg);
	void *go_arg;
	bool say_mac;
};

/* relay.c */
int relay_dhcp(struct sqn_iface *iface, const uint8_t mac[6],
	       uint32_t timeout_ms, struct dhcp_lease *lease, char *err,
	       size_t errlen);
int relay_run(struct sqn_iface *iface, const struct relay_guest *g,
	      int *status);

/* run_iface.c: the interface, as both kinds of run start it */
void run_fill_params(const struct run_opts *o, const uint8_t mac[6],
		     struct sqn_params *p);
int run_iface_start(const struct run_opts *o, const uint8_t mac[6],
		    struct sqn_iface **iface);
void run_print_stats(struct sqn_iface *iface);

struct ctl_server;

/**
 * struct run_ctl - run's controls (run_ctl.c)
 * @iface:	the interface
 * @server:	the control socket (--control), or NULL
 * @interval_ms: a stats line every this many ms (--stats-interval), or 0
 * @stop:	wakes the control thread to exit
 * @thread:	the control thread
 * @running:	@thread exists
 */
struct run_ctl {
	struct sqn_iface *iface;
	struct ctl_server *server;
	uint64_t interval_ms;
	struct sqn_waker stop;
	pthread_t thread;
	bool running;
};

/* run_ctl.c */
int run_ctl_start(struct run_ctl *c, const struct run_opts *o,
		  struct sqn_iface *iface);
void run_ctl_stop(struct run_ctl *c);

/* cmd_run_fd.c: run --guest-fd, no namespace */
int cmd_run_fd(const struct run_opts *o, const uint8_t mac[6]);

#endif /* SQN_RUN_H */
