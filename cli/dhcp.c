/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dhcp.c - a DHCP client's messages as whole Ethernet frames (pure)
 *
 * squib-net run asks the backend's DHCP server for the namespace's address
 * on the guest's behalf, with the guest's MAC, before the command starts.
 * The builder makes DISCOVER and REQUEST frames (broadcast, with the
 * broadcast flag, so any server answers by broadcast); the parser reads an
 * OFFER, ACK or NAK with every length checked against the frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp.h"

#define ETH_HLEN 14
#define IP_HLEN 20
#define UDP_HLEN 8
#define BOOTP_LEN 236
#define DHCP_MAGIC 0x63825363u
#define OPT_OFF (ETH_HLEN + IP_HLEN + UDP_HLEN + BOOTP_LEN + 4)

/**
 * csum_add() - add @len bytes, as big-endian 16-bit words, to a sum
 * @p:		bytes
 * @len:	their number
 * @sum:	running sum
 *
 * Return: the unfolded running sum
 */
static uint32_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

/**
 * csum_fin() - fold and complement a running sum
 * @sum:	the sum
 *
 * Return: the checksum, host order
 */
static uint16_t csum_fin(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * put16() - store a big-endian 16-bit value
 * @p:	where
 * @v:	value
 */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * dhcp_build() - a DISCOVER or REQUEST frame
 * @buf:	where to build it
 * @cap:	its size (at least 342 bytes)
 * @type:	DHCP_DISCOVER or DHCP_REQUEST
 * @mac:	the client's MAC
 * @xid:	transaction id
 * @req_ip:	REQUEST: the offered address (network order)
 * @server_id:	REQUEST: the offering server (network order)
 *
 * Return: the frame's length, or 0 if @cap is too small
 */
size_t dhcp_build(uint8_t *buf, size_t cap, int type, const uint8_t mac[6],
		  uint32_t xid, uint32_t req_ip, uint32_t server_id)
{
	uint8_t *ip = buf + ETH_HLEN, *udp = ip + IP_HLEN, *bootp = udp + 8;
	uint8_t *opt = buf + OPT_OFF;
	uint32_t magic = htonl(DHCP_MAGIC), bxid = htonl(xid), sum;
	size_t len, udplen;

	if (cap < 342)
		return 0;
	memset(buf, 0, 342);
	memset(buf, 0xff, 6); /* Ethernet broadcast */
	memcpy(buf + 6, mac, 6);
	put16(buf + 12, 0x0800);

	bootp[0] = 1; /* BOOTREQUEST */
	bootp[1] = 1; /* Ethernet */
	bootp[2] = 6;
	memcpy(bootp + 4, &bxid, 4);
	put16(bootp + 10, 0x8000); /* broadcast flag */
	memcpy(bootp + 28, mac, 6);
	memcpy(bootp + BOOTP_LEN, &magic, 4);

	*opt++ = 53; /* message type */
	*opt++ = 1;
	*opt++ = (uint8_t)type;
	*opt++ = 61; /* client id: type 1 + MAC */
	*opt++ = 7;
	*opt++ = 1;
	memcpy(opt, mac, 6);
	opt += 6;
	if (type == DHCP_REQUEST) {
		*opt++ = 50; /* requested address */
		*opt++ = 4;
		memcpy(opt, &req_ip, 4);
		opt += 4;
		*opt++ = 54; /* server id */
		*opt++ = 4;
		memcpy(opt, &server_id, 4);
		opt += 4;
	}
	*opt++ = 57; /* max message size */
	*opt++ = 2;
	put16(opt, 1500);
	opt += 2;
	*opt++ = 55; /* parameter request list */
	*opt++ = 5;
	*opt++ = 1;  /* netmask */
	*opt++ = 3;  /* router */
	*opt++ = 6;  /* DNS */
	*opt++ = 26; /* MTU */
	*opt++ = 51; /* lease time */
	*opt++ = 255;

	len = (size_t)(opt - buf);
	if (len < 342)
		len = 342; /* BOOTP minimum: pad with zeros (already) */
	udplen = len - ETH_HLEN - IP_HLEN;

	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - ETH_HLEN));
	ip[8] = 64;
	ip[9] = 17;
	memset(ip + 16, 0xff, 4); /* 0.0.0.0 -> 255.255.255.255 */
	put16(ip + 10, csum_fin(csum_add(ip, IP_HLEN, 0)));

	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)udplen);
	/* pseudo header: src, dst, proto, length */
	sum = csum_add(ip + 12, 8, 0) + 17 + (uint32_t)udplen;
	sum = csum_add(udp, udplen, sum);
	put16(udp + 6, csum_fin(sum) ? csum_fin(sum) : 0xffff);
	return len;
}

/**
 * get16() - load a big-endian 16-bit value
 * @p:	where
 *
 * Return: the value
 */
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * dhcp_option() - store one option of a server's answer
 * @code:	option code
 * @v:		its value
 * @olen:	its length
 * @out:	the lease being filled
 */
static void dhcp_option(uint8_t code, const uint8_t *v, uint8_t olen,
			struct dhcp_lease *out)
{
	switch (code) {
	case 53:
		if (olen == 1)
			out->type = v[0];
		break;
	case 1:
		if (olen == 4)
			memcpy(&out->netmask, v, 4);
		break;
	case 3:
		if (olen >= 4)
			memcpy(&out->router, v, 4);
		break;
	case 6:
		for (out->n_dns = 0;
		     out->n_dns < 3 && (out->n_dns + 1) * 4 <= olen;
		     out->n_dns++)
			memcpy(&out->dns[out->n_dns],
			       v + (size_t)out->n_dns * 4, 4);
		break;
	case 26:
		if (olen == 2)
			out->mtu = get16(v);
		break;
	case 51:
		if (olen == 4)
			out->lease_s = (uint32_t)v[0] << 24 |
				       (uint32_t)v[1] << 16 |
				       (uint32_t)v[2] << 8 | v[3];
		break;
	case 54:
		if (olen == 4)
			memcpy(&out->server_id, v, 4);
		break;
	case 119: {
		size_t n = sizeof(out->search) - out->search_len;

		if (n > olen)
			n = olen;
		memcpy(out->search + out->search_len, v, n);
		out->search_len += n;
		break;
	}
	default:
		break;
	}
}

/**
 * dhcp_options() - walk the options between @opt and @end
 * @opt:	first option
 * @end:	end of the UDP payload
 * @out:	the lease being filled
 *
 * Return: 0, or -EBADMSG when an option runs past @end
 */
static int dhcp_options(const uint8_t *opt, const uint8_t *end,
			struct dhcp_lease *out)
{
	while (opt < end && opt[0] != 255) {
		if (opt[0] == 0) {
			opt++;
			continue;
		}
		if (opt + 2 > end || opt + 2 + opt[1] > end)
			return -EBADMSG;
		dhcp_option(opt[0], opt + 2, opt[1], out);
		opt += 2 + opt[1];
	}
	return 0;
}

/**
 * dhcp_udp() - find the BOOTP payload of a DHCP server's UDP datagram
 * @frame:	the Ethernet frame
 * @len:	its length
 * @end:	gets the end of the UDP payload
 *
 * Return: the BOOTP message (at least BOOTP_LEN + 4 bytes), or NULL when the
 * frame is not one; @end is then set to NULL for -ENOMSG, or to @frame for
 * -EBADMSG
 */
static const uint8_t *dhcp_udp(const uint8_t *frame, size_t len,
			       const uint8_t **end)
{
	const uint8_t *ip, *udp;
	size_t ihl, iplen, udplen;

	*end = NULL;
	if (len < ETH_HLEN + IP_HLEN || get16(frame + 12) != 0x0800)
		return NULL;
	ip = frame + ETH_HLEN;
	if ((ip[0] >> 4) != 4 || ip[9] != 17)
		return NULL;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	iplen = get16(ip + 2);
	if (ihl < IP_HLEN || iplen < ihl + UDP_HLEN || ETH_HLEN + iplen > len)
		return NULL;
	if (get16(ip + 6) & 0x3fff) /* a fragment */
		return NULL;
	udp = ip + ihl;
	if (get16(udp) != 67 || get16(udp + 2) != 68)
		return NULL;
	udplen = get16(udp + 4);
	if (udplen < UDP_HLEN + BOOTP_LEN + 4 || udplen > iplen - ihl) {
		*end = frame;
		return NULL;
	}
	*end = udp + udplen;
	return udp + UDP_HLEN;
}

/**
 * dhcp_parse() - read a server's answer out of a frame
 * @frame:	the Ethernet frame
 * @len:	its length
 * @xid:	the transaction id expected
 * @out:	filled on success
 *
 * Return: the DHCP message type (DHCP_OFFER, DHCP_ACK, DHCP_NAK, ...), or
 * -ENOMSG when the frame is not a DHCP answer for @xid, -EBADMSG when it is
 * malformed
 */
int dhcp_parse(const uint8_t *frame, size_t len, uint32_t xid,
	       struct dhcp_lease *out)
{
	const uint8_t *bootp, *end;
	uint32_t magic, bxid;

	bootp = dhcp_udp(frame, len, &end);
	if (!bootp)
		return end ? -EBADMSG : -ENOMSG;
	memcpy(&bxid, bootp + 4, 4);
	if (bootp[0] != 2 || ntohl(bxid) != xid)
		return -ENOMSG;
	memcpy(&magic, bootp + BOOTP_LEN, 4);
	if (ntohl(magic) != DHCP_MAGIC)
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	memcpy(&out->yiaddr, bootp + 16, 4);
	if (dhcp_options(bootp + BOOTP_LEN + 4, end, out))
		return -EBADMSG;
	if (!out->type)
		return -EBADMSG;
	return out->type;
}
