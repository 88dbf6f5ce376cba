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
#include <sys/types.h>

#include "dhcp.h"
#include "squibnet.h"

#define RUN_MAX_HELPER_ARGS 32
#define RUN_MAX_PUBLISH 64
#define RUN_MAX_DNS_SEARCH 8

/**
 * struct ip4_cidr - an IPv4 address with a prefix length
 * @addr:	address, network byte order
 * @prefix:	0..32
 */
struct ip4_cidr {
	uint32_t addr;
	unsigned prefix;
};

/**
 * struct run_opts - what `squib-net run` was asked to do
 * @mode:		backend mode (SQN_MODE_DEFAULT: the platform's)
 * @mtu:		--mtu, 0 for the backend's
 * @mac:		--mac, the guest MAC; @have_mac when given
 * @have_mac:		whether --mac was given
 * @iface_id:		--id, default "eth0"
 * @ifname:		--ifname, the namespace NIC's name, default "eth0"
 * @helper_kind:	--helper
 * @helper_path:	--helper-path
 * @helper_args:	--helper-arg, repeated
 * @n_helper_args:	their number
 * @helper_restart:	--helper-restart
 * @connect_url:	--connect
 * @tap:		--tap, the backend TAP's name (tap mode)
 * @host_addr:		--host-addr (tap mode: the backend TAP's address)
 * @have_host_addr:	given
 * @guest_addr:		--guest-addr: static address, no DHCP
 * @have_guest_addr:	given
 * @gateway:		--gateway (0: from DHCP, or the host address)
 * @dns:		--dns (0: from DHCP)
 * @offload:		--offload (tap mode), on by default in slirp mode
 * @no_offload:		--no-offload (slirp mode: plain frames)
 * @queues:		--queues (tap mode)
 * @publish:		-p/--publish, repeated (slirp forwards)
 * @n_publish:		their number
 * @restrict_net:	--restrict
 * @net:		--net CIDR (slirp network)
 * @dns_search:		--dns-search, repeated
 * @n_dns_search:	their number
 * @no_ipv6:		--no-ipv6
 * @bridged:		--bridged IFACE
 * @no_dhcp:		--no-dhcp
 * @timeout_ms:		--timeout-ms, backend start timeout
 * @stats:		--stats: print statistics on exit
 * @verbose:		-v count
 * @argv:		the command to run (NULL-terminated, inside argv)
 * @guest_fd:		--guest-fd N: no namespace, the guest is CMD's fd N
 *			(a datagram socket); 0 when not given
 */
struct run_opts {
	enum sqn_mode mode;
	uint32_t mtu;
	uint8_t mac[6];
	bool have_mac;
	const char *iface_id;
	const char *ifname;
	enum sqn_helper_kind helper_kind;
	const char *helper_path;
	const char *helper_args[RUN_MAX_HELPER_ARGS];
	unsigned n_helper_args;
	bool helper_restart;
	const char *connect_url;
	const char *tap;
	struct ip4_cidr host_addr;
	bool have_host_addr;
	struct ip4_cidr guest_addr;
	bool have_guest_addr;
	uint32_t gateway;
	uint32_t dns;
	bool offload;
	bool no_offload;
	unsigned queues;
	const char *publish[RUN_MAX_PUBLISH];
	unsigned n_publish;
	bool restrict_net;
	const char *net;
	const char *dns_search[RUN_MAX_DNS_SEARCH];
	unsigned n_dns_search;
	bool no_ipv6;
	const char *bridged;
	bool no_dhcp;
	uint32_t timeout_ms;
	bool stats;
	int verbose;
	char **argv;
	int guest_fd;
};

/* run_args.c: pure option parsing */
int run_args_parse(int argc, char **argv, struct run_opts *o, char *err,
		   size_t errlen);
int run_parse_cidr(const char *s, struct ip4_cidr *out);
int run_parse_ip4(const char *s, uint32_t *out);
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
 */
struct relay_guest {
	int fd;
	bool vnet_hdr;
	bool dgram;
	pid_t pid;
	struct relay_sigq *sigq;
	int (*go)(void *arg);
	void *go_arg;
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
void run_print_stats(struct sqn_iface *iface);

/* cmd_run_fd.c: run --guest-fd, no namespace */
int cmd_run_fd(const struct run_opts *o, const uint8_t mac[6]);

#endif /* SQN_RUN_H */
