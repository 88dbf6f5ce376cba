/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netopt.h - slirp network options: parsing and validation (pure)
 *
 * Turns the slirp_* strings of struct sqn_params into addresses, with
 * QEMU's user-networking defaults, and checks every one of them before the
 * backend opens anything. No I/O, no allocation: unit tests and the fuzzer
 * drive these functions directly.
 */
#ifndef SQN_NETOPT_H
#define SQN_NETOPT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "squibnet.h"

/** SQN_NETOPT_MAX_FWD - most host port forwards */
#define SQN_NETOPT_MAX_FWD 64
/** SQN_NETOPT_MAX_SEARCH - most DNS search domains */
#define SQN_NETOPT_MAX_SEARCH 16
/** SQN_NETOPT_DOMAIN_MAX - longest search domain (RFC 1035 name, text) */
#define SQN_NETOPT_DOMAIN_MAX 253
/** SQN_NETOPT_FWD_MAX - longest forward specification accepted */
#define SQN_NETOPT_FWD_MAX 128

/**
 * struct sqn_fwd - one host port forward
 * @udp:	UDP (true) or TCP
 * @host:	host address to listen on (network order)
 * @host_port:	host port, 1..65535
 * @guest:	guest address to forward to (network order)
 * @guest_port:	guest port, 1..65535
 */
struct sqn_fwd {
	bool udp;
	struct in_addr host;
	uint16_t host_port;
	struct in_addr guest;
	uint16_t guest_port;
};

/**
 * struct sqn_netopt - the slirp network, resolved and checked
 * @net:	network address (network order)
 * @mask:	netmask (network order)
 * @prefix:	prefix length, 8..30
 * @host:	gateway address, also the host's loopback seen from the guest
 * @dns:	DNS address served by the stack
 * @dhcp_start:	first address handed out by DHCP
 * @ipv6:	IPv6 on (fec0::/64)
 * @prefix6:	IPv6 prefix, fec0::
 * @prefix6_len: its length, 64
 * @host6:	IPv6 gateway, fec0::2
 * @dns6:	IPv6 DNS, fec0::3
 * @restrict_out: no outbound connections (forwards still work)
 * @search:	DNS search domains, borrowed from the params, NULL-terminated
 * @n_search:	number of @search
 * @fwd:	host port forwards
 * @n_fwd:	number of @fwd
 */
struct sqn_netopt {
	struct in_addr net;
	struct in_addr mask;
	unsigned prefix;
	struct in_addr host;
	struct in_addr dns;
	struct in_addr dhcp_start;
	bool ipv6;
	struct in6_addr prefix6;
	uint8_t prefix6_len;
	struct in6_addr host6;
	struct in6_addr dns6;
	bool restrict_out;
	const char *search[SQN_NETOPT_MAX_SEARCH + 1];
	unsigned n_search;
	struct sqn_fwd fwd[SQN_NETOPT_MAX_FWD];
	unsigned n_fwd;
};

int sqn_netopt_cidr(const char *s, struct in_addr *net, unsigned *prefix,
		    char *err, size_t errlen);
int sqn_netopt_domain(const char *s, char *err, size_t errlen);
int sqn_netopt_fwd(const struct sqn_netopt *o, const char *s,
		   struct sqn_fwd *out, char *err, size_t errlen);
int sqn_netopt_build(const struct sqn_params *p, struct sqn_netopt *o,
		     char *err, size_t errlen);
int sqn_netopt_slirp_version(const char *v, unsigned long need_major,
			     unsigned long need_minor);

#endif /* SQN_NETOPT_H */
