/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp.h - a DHCP client's messages as whole Ethernet frames (dhcp.c, pure)
 *
 * squib-net run's client (relay_dhcp()) and the tests' guests (t_slirp,
 * fd_guest) build and read their DHCP frames with it: one codec, compiled
 * into each of them.
 */
#ifndef SQN_DHCP_H
#define SQN_DHCP_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct dhcp_lease - what a DHCP server offered or acknowledged
 * @type:	DHCP message type (2 OFFER, 5 ACK, 6 NAK)
 * @yiaddr:	the address, network byte order
 * @server_id:	the server's identifier (option 54)
 * @netmask:	option 1, 0 if absent
 * @router:	option 3, first router, 0 if absent
 * @dns:	option 6, up to three servers
 * @n_dns:	their number
 * @mtu:	option 26, 0 if absent
 * @lease_s:	option 51, seconds
 * @search:	option 119, the domain search list as sent (RFC 1035
 *		names; several options are joined, RFC 3396)
 * @search_len:	its length, 0 if absent
 */
struct dhcp_lease {
	int type;
	uint32_t yiaddr;
	uint32_t server_id;
	uint32_t netmask;
	uint32_t router;
	uint32_t dns[3];
	unsigned n_dns;
	uint16_t mtu;
	uint32_t lease_s;
	uint8_t search[255];
	size_t search_len;
};

#define DHCP_DISCOVER 1
#define DHCP_OFFER 2
#define DHCP_REQUEST 3
#define DHCP_ACK 5
#define DHCP_NAK 6

size_t dhcp_build(uint8_t *buf, size_t cap, int type, const uint8_t mac[6],
		  uint32_t xid, uint32_t req_ip, uint32_t server_id);
int dhcp_parse(const uint8_t *frame, size_t len, uint32_t xid,
	       struct dhcp_lease *out);

#endif /* SQN_DHCP_H */
