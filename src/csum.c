/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csum.c - the Internet checksum (RFC 1071), and completing the partial one
 *	    a virtio-net header leaves (pure, no I/O)
 *
 * The running sum is kept in 64 bits over 32-bit words as they lie in
 * memory (host order): one's complement addition is byte-order
 * independent, so the folded result, stored with memcpy(), is the checksum
 * in network order on either kind of machine (RFC 1071, 2.(B)).
 */
#include <string.h>

#include "csum.h"

/**
 * sqn_csum_add() - add @len bytes to a one's complement running sum
 * @data:	bytes
 * @len:	their number
 * @sum:	running sum (64-bit, folded at the end)
 *
 * Return: the new running sum
 */
uint64_t sqn_csum_add(const uint8_t *data, uint32_t len, uint64_t sum)
{
	uint32_t w;

	while (len >= 4) {
		memcpy(&w, data, 4);
		sum += w;
		data += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t h;

		memcpy(&h, data, 2);
		sum += h;
		data += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = {data[0], 0};
		uint16_t h;

		memcpy(&h, last, 2);
		sum += h;
	}
	return sum;
}

/**
 * sqn_csum() - the Internet checksum of @len bytes plus a running sum
 * @data:	bytes
 * @len:	their number
 * @sum:	running sum from the pseudo header, or 0
 *
 * Return: the checksum as stored in a header (network order in memory
 * when written with memcpy); 0 over data that includes a correct checksum
 */
uint16_t sqn_csum(const void *data, uint32_t len, uint64_t sum)
{
	sum = sqn_csum_add(data, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * sqn_csum_pseudo() - the running sum of a TCP, UDP or ICMPv6 pseudo header
 * @addrs:	source then destination address, as they lie in the IP header
 *		(IPv4: 8 bytes from offset 12; IPv6: 32 bytes from offset 8)
 * @alen:	8 or 32
 * @proto:	the upper-layer protocol (6, 17, 58)
 * @len:	upper-layer length: header and payload
 *
 * IPv4's {0, proto, 16-bit length} and IPv6's {32-bit length, 0, 0, 0,
 * next header} add up to the same one's complement sum, so one function
 * serves both (RFC 793 3.1, RFC 8200 8.1).
 *
 * Return: running sum, for sqn_csum()
 */
uint64_t sqn_csum_pseudo(const uint8_t *addrs, uint32_t alen, uint8_t proto,
			 uint32_t len)
{
	uint8_t ph[8] = {(uint8_t)(len >> 24),
			 (uint8_t)(len >> 16),
			 (uint8_t)(len >> 8),
			 (uint8_t)len,
			 0,
			 0,
			 0,
			 proto};

	return sqn_csum_add(ph, 8, sqn_csum_add(addrs, alen, 0));
}

/**
 * sqn_csum_complete() - fill in the checksum a virtio-net header left
 *			 partial (VIRTIO_NET_HDR_F_NEEDS_CSUM)
 * @frame:	the frame, writable
 * @len:	its length
 * @h:		its virtio-net header
 *
 * The checksum field holds the pseudo header's sum; the sum over
 * [csum_start, len), complemented, is the checksum.
 *
 * Return: 0 (also when nothing was partial), or -1 when the header points
 * outside the frame
 */
int sqn_csum_complete(uint8_t *frame, uint32_t len,
		      const struct sqn_vnet_hdr *h)
{
	uint32_t start = h->csum_start, off = start + h->csum_offset;
	uint16_t c;

	if (!(h->flags & SQN_VNET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start >= len || off + 2 > len)
		return -1;
	c = sqn_csum(frame + start, len - start, 0);
	if (!c)
		c = 0xffff; /* the same in one's complement; UDP needs it */
	memcpy(frame + off, &c, 2);
	return 0;
}
