/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wire_dgram.c - libFuzzer target: the datagram path (vfkit, bess)
 *
 * Input: 2 bytes choose max, then messages as a u16-LE length and that many
 * bytes (cut at the end). Each message must come out whole when its length
 * is 14..max and be refused otherwise, as the backend reads one message per
 * recv() into the same buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t buf[SQN_WIRE_MAX_DGRAM + 1];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sqn_wire_dec d;
	const uint8_t *fr;
	uint32_t max, room, len, flen, plen = 0;
	size_t pos = 2;
	uint8_t *sp;
	int rc, prc;

	if (size < 2)
		return 0;
	max = 14 +
	      ((uint32_t)data[0] << 8 | data[1]) % (SQN_WIRE_MAX_DGRAM - 13);
	if (sqn_wire_dec_init(&d, SQN_WIRE_DGRAM, max, buf, max + 1))
		abort();
	while (pos + 2 <= size) {
		len = (uint32_t)data[pos] | (uint32_t)data[pos + 1] << 8;
		pos += 2;
		if (len > size - pos)
			len = (uint32_t)(size - pos);
		sqn_wire_dec_reset(&d);
		sp = sqn_wire_dec_space(&d, &room);
		if (room < max + 1)
			abort();
		/* a message longer than the buffer arrives truncated */
		if (len > room)
			len = room;
		memcpy(sp, data + pos, len);
		sqn_wire_dec_commit(&d, len);
		prc = sqn_wire_dec_peek(&d, &plen);
		rc = sqn_wire_dec_next(&d, &fr, &flen);
		if (prc != rc || (rc && plen != flen))
			abort(); /* peek says what next takes */
		if (len == 0) {
			if (rc != 0)
				abort();
		} else if (len >= 14 && len <= max) {
			if (rc != 1 || flen != len ||
			    memcmp(fr, data + pos, len))
				abort();
		} else if (rc != -EPROTO ||
			   sqn_wire_dgram_check(len, max) != -EPROTO) {
			abort();
		}
		pos += len;
	}
	return 0;
}
