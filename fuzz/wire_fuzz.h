/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_fuzz.h - drives a stream decoder the way the backend does (arbitrary
 *		 read splits, a buffer barely larger than one frame) and checks
 *		 it against a straightforward reference parse of the same bytes
 *
 * Input: 2 bytes choose max, 1 byte the split seed, 1 byte the buffer's
 * extra room and, in its low bit, the reader: one that takes every frame
 * after each read, or one that reads ahead and takes frames now and then
 * (the buffer fills with whole frames and a second region begins at its
 * front); the rest is the stream. Invariants: no frame outside 14..max is
 * emitted; frames come out equal to the reference, in order; a bad length
 * is reported at the same frame with the same value; every byte is
 * accounted for (frames + headers + pending == bytes fed); peeking first
 * returns what taking returns; the space is 0 only while a whole frame (or
 * a bad length) waits to be taken, never for the reader that takes all.
 */
#ifndef SQN_WIRE_FUZZ_H
#define SQN_WIRE_FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static uint8_t fz_buf[5 * (SQN_WIRE_MAX_U32 + 4)];

static uint32_t fz_hdr(enum sqn_wire_kind k, const uint8_t *p)
{
	if (k == SQN_WIRE_U32BE)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		       (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static int fz_stream(enum sqn_wire_kind k, const uint8_t *data, size_t size)
{
	struct sqn_wire_dec d;
	const uint8_t *in, *fr;
	size_t n, pos = 0, ref = 0, fed = 0, out = 0;
	uint32_t hl = sqn_wire_hdr_len(k), max, x, room, chunk, flen;
	uint8_t *sp;
	int rc, ref_bad = 0, lazy;
	uint32_t ref_badlen = 0;

	if (size < 4)
		return 0;
	max = 14 + ((uint32_t)data[0] << 8 | data[1]) % (sqn_wire_max(k) - 13);
	x = data[2] | 1u;
	lazy = data[3] & 1;
	if (sqn_wire_dec_init(&d, k, max, fz_buf,
			      hl + max +
				      (lazy ? (data[3] >> 1) * (hl + max) / 32
					    : data[3])))
		abort();
	in = data + 4;
	n = size - 4;

	/* reference: where the first bad length is, if any */
	while (ref + hl <= n) {
		uint32_t l = fz_hdr(k, in + ref);

		if (l < 14 || l > max) {
			ref_bad = 1;
			ref_badlen = l;
			break;
		}
		if (ref + hl + l > n)
			break;
		ref += hl + l;
	}

	while (fed < n || lazy) {
		unsigned take = lazy ? 0 : ~0u;

		rc = 0;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		sp = fed < n ? sqn_wire_dec_space(&d, &room) : NULL;
		if (fed < n && !sp) {
			uint32_t l;

			/* only whole frames not yet taken fill it */
			if (room || !lazy || sqn_wire_dec_peek(&d, &l) == 0)
				abort();
			take = 1;
		} else if (sp) {
			chunk = (x % 8 == 0) ? room : 1 + x % 97;
			if (x % 16 == 1)
				chunk = 1 + x % (hl + max + 1);
			if (chunk > room)
				chunk = room;
			if (chunk > n - fed)
				chunk = (uint32_t)(n - fed);
			memcpy(sp, in + fed, chunk);
			sqn_wire_dec_commit(&d, chunk);
			fed += chunk;
			if (lazy && x % 5 == 0)
				take = 1 + x % 3;
		} else {
			take = ~0u; /* all fed: take what is left */
		}
		for (; take; take--) {
			uint32_t plen = 0;
			int prc = sqn_wire_dec_peek(&d, &plen);

			rc = sqn_wire_dec_next(&d, &fr, &flen);
			if (prc != rc || (rc && plen != flen))
				abort(); /* peek says what next takes */
			if (rc <= 0)
				break;
			if (flen < 14 || flen > max)
				abort();
			if (pos + hl + flen > n ||
			    fz_hdr(k, in + pos) != flen ||
			    memcmp(fr, in + pos + hl, flen))
				abort();
			pos += hl + flen;
			out++;
		}
		if (rc < 0) {
			if (!ref_bad || pos != ref || flen != ref_badlen)
				abort();
			return 0;
		}
		if (fed == n && !sp)
			break;
	}
	/* every byte: decoded frames, or pending */
	if (pos != ref || pos + sqn_wire_dec_pending(&d) != n)
		abort();
	(void)out;
	return 0;
}

#endif /* SQN_WIRE_FUZZ_H */
