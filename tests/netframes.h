/* SPDX-License-Identifier: Apache-2.0 */
/*
 * netframes.h - build and parse the Ethernet frames tests exchange with a
 *		 userspace stack: ARP, IPv4, UDP, ICMP echo, TCP
 *
 * Test-only helpers (DHCP frames: cli/dhcp.h, the command's own client
 * codec, which the tests compile in too). Builders write a complete frame
 * (checksums filled in) into a caller's buffer of at least NF_FRAME_MAX
 * bytes and return its length. The parser checks every length it reads and never trusts the
 * frame. IPv4 addresses are uint32_t in network byte order (as
 * inet_addr() returns them; NF_IP(10, 0, 2, 2) builds one), ports and other
 * numbers in host order.
 */
#ifndef SQN_NETFRAMES_H
#define SQN_NETFRAMES_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NF_FRAME_MAX 1514

#define NF_ETH_ARP 0x0806
#define NF_ETH_IPV4 0x0800
#define NF_ETH_IPV6 0x86dd

#define NF_PROTO_ICMP 1
#define NF_PROTO_TCP 6
#define NF_PROTO_UDP 17

#define NF_TCP_FIN 0x01
#define NF_TCP_SYN 0x02
#define NF_TCP_RST 0x04
#define NF_TCP_PSH 0x08
#define NF_TCP_ACK 0x10

/** NF_IP() - an IPv4 address in network byte order */
#define NF_IP(a, b, c, d)                                                      \
	htonl(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) |                  \
	      ((uint32_t)(c) << 8) | (uint32_t)(d))

extern const uint8_t nf_broadcast[6];

/**
 * struct nf_pkt - what nf_parse() found in a frame
 * @dst:	Ethernet destination
 * @src:	Ethernet source
 * @ethertype:	EtherType
 * @arp_op:	ARP: 1 request, 2 reply
 * @arp_sha:	ARP: sender MAC
 * @arp_sip:	ARP: sender IPv4
 * @arp_tha:	ARP: target MAC
 * @arp_tip:	ARP: target IPv4
 * @ip_src:	IPv4 source
 * @ip_dst:	IPv4 destination
 * @ip_proto:	IPv4 protocol
 * @ip_csum_ok:	IPv4 header checksum verified
 * @l4_csum_ok:	UDP/TCP/ICMP checksum verified (UDP checksum 0 counts)
 * @sport:	UDP/TCP source port
 * @dport:	UDP/TCP destination port
 * @tcp_flags:	TCP flags (NF_TCP_*)
 * @tcp_seq:	TCP sequence number
 * @tcp_ack:	TCP acknowledgement number
 * @tcp_win:	TCP window
 * @icmp_type:	ICMP type
 * @icmp_code:	ICMP code
 * @icmp_id:	ICMP echo identifier
 * @icmp_seq:	ICMP echo sequence number
 * @payload:	UDP/TCP/ICMP payload (points into the frame)
 * @plen:	its length
 */
struct nf_pkt {
	uint8_t dst[6];
	uint8_t src[6];
	uint16_t ethertype;

	uint16_t arp_op;
	uint8_t arp_sha[6];
	uint32_t arp_sip;
	uint8_t arp_tha[6];
	uint32_t arp_tip;

	uint32_t ip_src;
	uint32_t ip_dst;
	uint8_t ip_proto;
	bool ip_csum_ok;
	bool l4_csum_ok;

	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint16_t tcp_win;

	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;
	uint16_t icmp_seq;

	const uint8_t *payload;
	size_t plen;
};

uint16_t nf_csum(const void *data, size_t len, uint32_t sum);

size_t nf_arp(uint8_t *buf, uint16_t op, const uint8_t sha[6], uint32_t sip,
	      const uint8_t tha[6], uint32_t tip);
size_t nf_udp(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
	      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
	      const void *payload, size_t plen);
size_t nf_icmp_echo(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
		    uint32_t sip, uint32_t dip, uint16_t id, uint16_t seq,
		    const void *payload, size_t plen);
size_t nf_tcp(uint8_t *buf, const uint8_t smac[6], const uint8_t dmac[6],
	      uint32_t sip, uint32_t dip, uint16_t sport, uint16_t dport,
	      uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
	      const void *payload, size_t plen);

int nf_parse(const uint8_t *frame, size_t len, struct nf_pkt *p);

#endif /* SQN_NETFRAMES_H */
