/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vnet.c - the virtio-net header codec: 12 little-endian bytes (flags,
 *	    gso_type, hdr_len, gso_size, csum_start, csum_offset,
 *	    num_buffers) to and from host order (pure, no I/O)
 *
 * Byte by byte, so the same code serves either byte order and needs no
 * Linux header (the command's relay is built for macOS too).
 */
#include "vnet.h"

/**
 * get16le() - load a little-endian 16-bit value
 * @p:	where
 *
 * Return: the value
 */
static uint16_t get16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/**
 * put16le() - store a little-endian 16-bit value
 * @p:	where
 * @v:	the value
 */
static void put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/**
 * sqn_vnet_from_wire() - a TAP's virtio-net header into host order
 * @w:	SQN_VNET_HDR_LEN bytes as the kernel wrote them
 * @h:	filled
 */
void sqn_vnet_from_wire(const uint8_t *w, struct sqn_vnet_hdr *h)
{
	h->flags = w[0];
	h->gso_type = w[1];
	h->hdr_len = get16le(w + 2);
	h->gso_size = get16le(w + 4);
	h->csum_start = get16le(w + 6);
	h->csum_offset = get16le(w + 8);
	h->num_buffers = get16le(w + 10);
}

/**
 * sqn_vnet_to_wire() - a host-order header into the TAP's little-endian one
 * @h:	the header
 * @w:	gets SQN_VNET_HDR_LEN bytes
 */
void sqn_vnet_to_wire(const struct sqn_vnet_hdr *h, uint8_t *w)
{
	w[0] = h->flags;
	w[1] = h->gso_type;
	put16le(w + 2, h->hdr_len);
	put16le(w + 4, h->gso_size);
	put16le(w + 6, h->csum_start);
	put16le(w + 8, h->csum_offset);
	put16le(w + 10, h->num_buffers);
}

/**
 * sqn_vnet_hello() - the offload hello record (see vnet.h)
 * @rec:	gets SQN_VNET_HELLO_LEN bytes: the u32-BE length, then the
 *		hello
 */
void sqn_vnet_hello(uint8_t rec[SQN_VNET_HELLO_LEN])
{
	static const uint8_t hello[SQN_VNET_HELLO_LEN] = {
		0,   0,	  0,   SQN_VNET_HELLO_PAYLOAD,
		'S', 'Q', 'N', '-',
		'V', 'N', 'E', 'T',
		0,   1,	  0,   SQN_VNET_HDR_LEN};
	unsigned i;

	for (i = 0; i < SQN_VNET_HELLO_LEN; i++)
		rec[i] = hello[i];
}

/**
 * sqn_vnet_is_hello() - whether a record's payload is the offload hello
 * @payload:	the record's bytes after its length
 * @len:	their number
 *
 * Return: 1 if it is, exactly, else 0
 */
int sqn_vnet_is_hello(const uint8_t *payload, uint32_t len)
{
	uint8_t rec[SQN_VNET_HELLO_LEN];
	unsigned i;

	if (len != SQN_VNET_HELLO_PAYLOAD)
		return 0;
	sqn_vnet_hello(rec);
	for (i = 0; i < len; i++)
		if (payload[i] != rec[4 + i])
			return 0;
	return 1;
}
