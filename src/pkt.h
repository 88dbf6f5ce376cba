/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pkt.h - an Ethernet frame down to its ports, and the reply frames a
 *	   filter sends back to the sender: TCP RST, ICMP prohibited, UDP
 *	   (pure)
 *
 * sqn_pkt_parse() reads a frame without trusting it: every length is
 * checked against the frame, and struct sqn_pkt points into it. The
 * builders write a complete frame (Ethernet addresses swapped, checksums
 * filled in) into a caller's buffer of SQN_PKT_REPLY_MAX bytes. Used by
 * the egress policy (policy.c); no I/O, no allocation.
 */
#ifndef SQN_PKT_H
#define SQN_PKT_H

#include <stdbool.h>
#include <stdint.h>

/** SQN_PKT_ETH_HLEN - Ethernet header without VLAN tag */
#define SQN_PKT_ETH_HLEN 14
/** SQN_PKT_REPLY_MAX - longest frame a builder writes (ICMPv6: 14 + 1280) */
#define SQN_PKT_REPLY_MAX 1536

#define SQN_PKT_ETH_IP4 0x0800
#define SQN_PKT_ETH_ARP 0x0806
#define SQN_PKT_ETH_IP6 0x86dd

#define SQN_PKT_ICMP 1
#define SQN_PKT_IGMP 2
#define SQN_PKT_TCP 6
#define SQN_PKT_UDP 17
#define SQN_PKT_ICMP6 58

#define SQN_PKT_FIN 0x01
#define SQN_PKT_SYN 0x02
#define SQN_PKT_RST 0x04
#define SQN_PKT_ACK 0x10

/**
 * struct sqn_pkt - what sqn_pkt_parse() found in a frame
 * @f:		the frame
 * @ethertype:	EtherType (a VLAN tag is left unparsed: 0x8100)
 * @family:	4 or 6 for IP, 0 otherwise (then only @f and @ethertype hold)
 * @alen:	address length, 4 or 16
 * @proto:	upper-layer protocol (after IPv6 extension headers)
 * @l2_group:	Ethernet destination is a group (multicast, broadcast)
 * @l3_group:	IP destination is multicast, or IPv4 224.0.0.0/3 (multicast,
 *		reserved, limited broadcast)
 * @frag:	the packet is a fragment
 * @frag_later:	a fragment other than the first: no transport header
 * @src_route:	IPv4 source-route option, or IPv6 routing header with
 *		segments left: the packet's final destination is not @dst
 * @l3:		offset of the IP header
 * @l4:		offset of the transport header
 * @end:	end of the IP packet (Ethernet padding excluded)
 * @src:	source address, inside @f
 * @dst:	destination address, inside @f
 * @sport:	TCP/UDP source port
 * @dport:	TCP/UDP destination port
 * @tcp_flags:	TCP flags (SQN_PKT_SYN ...)
 * @seq:	TCP sequence number
 * @ack:	TCP acknowledgement number
 * @pay:	offset of the TCP/UDP payload
 * @plen:	its length (of this fragment, for a first fragment)
 * @icmp_type:	ICMP or ICMPv6 type
 * @icmp_code:	its code
 */
struct sqn_pkt {
	const uint8_t *f;
	uint16_t ethertype;
	uint8_t family;
	uint8_t alen;
	uint8_t proto;
	bool l2_group;
	bool l3_group;
	bool frag;
	bool frag_later;
	bool src_route;
	uint32_t l3;
	uint32_t l4;
	uint32_t end;
	const uint8_t *src;
	const uint8_t *dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t seq;
	uint32_t ack;
	uint32_t pay;
	uint32_t plen;
	uint8_t icmp_type;
	uint8_t icmp_code;
};

int sqn_pkt_parse(struct sqn_pkt *p, const uint8_t *f, uint32_t len);
bool sqn_pkt_has_ports(const struct sqn_pkt *p);
uint32_t sqn_pkt_tcp_rst(const struct sqn_pkt *p, bool to_sender, uint8_t *out,
			 uint32_t cap);
uint32_t sqn_pkt_icmp_prohibited(const struct sqn_pkt *p, uint8_t *out,
				 uint32_t cap);
uint32_t sqn_pkt_udp_reply(const struct sqn_pkt *p, const uint8_t *data,
			   uint32_t dlen, uint8_t *out, uint32_t cap);
int sqn_pkt_addr_fmt(uint8_t family, const uint8_t *addr, char *buf,
		     uint32_t len);

#endif /* SQN_PKT_H */
