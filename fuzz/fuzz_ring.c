/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ring.c - the frame ring against a shadow model
 *
 * The input picks the ring's geometry, then a sequence of operations:
 * reserve + commit (a frame of a given length, maybe committed shorter),
 * reserve without commit, pop, drop-oldest, peek. A shadow FIFO holds what
 * should be queued. Checked after every step: the same frames in the same
 * order with the same bytes and virtio-net headers, the count within the
 * slot bound, every reservation inside the arena and clear of every queued
 * frame, and an empty ring always able to take a frame that fits.
 */
#include "fuzz_util.h"
#include "internal.h"
#include "ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_SLOTS 64

/**
 * struct shadow_frame - what the model says a queued frame is
 * @off:	its offset in the arena (from the reservation)
 * @len:	its length
 * @seed:	the byte pattern it was filled with
 * @vnet:	its header
 */
struct shadow_frame {
	uint32_t off;
	uint32_t len;
	uint8_t seed;
	struct sqn_vnet_hdr vnet;
};

/**
 * pattern() - the byte at @i of a frame filled from @seed
 * @seed:	the frame's seed
 * @i:		the offset
 *
 * Return: the byte
 */
static uint8_t pattern(uint8_t seed, uint32_t i)
{
	return (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

/**
 * check_frame() - the ring's oldest frame is the model's oldest
 * @r:		the ring
 * @s:		the model's frame
 * @bytes:	also compare every byte (else the first and the last)
 */
static void check_frame(const struct sqn_ring *r, const struct shadow_frame *s,
			int bytes)
{
	struct sqn_vnet_hdr vnet;
	const uint8_t *p;
	uint32_t len = 0, i;

	p = sqn_ring_peek(r, &len, &vnet);
	FZ_REQUIRE(p);
	FZ_REQUIRE(len == s->len);
	FZ_REQUIRE(p == r->arena + s->off);
	FZ_REQUIRE(!memcmp(&vnet, &s->vnet, sizeof(vnet)));
	FZ_REQUIRE(p[0] == pattern(s->seed, 0));
	FZ_REQUIRE(p[len - 1] == pattern(s->seed, len - 1));
	for (i = 0; bytes && i < len; i++)
		FZ_REQUIRE(p[i] == pattern(s->seed, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct shadow_frame q[FZ_MAX_SLOTS];
	struct fz f = {data, size};
	uint32_t nslots, max_frame, head = 0, count = 0, i, j;
	struct sqn_ring r;
	uint8_t seed = 0;

	if (size > 6000) /* a few thousand operations find as much, faster */
		return 0;
	nslots = 1 + fz_u8(&f) % FZ_MAX_SLOTS;
	max_frame = 1 + (fz_u8(&f) | (uint32_t)fz_u8(&f) << 8) % 4096;
	if (sqn_ring_init(&r, nslots, max_frame))
		return 0;
	FZ_REQUIRE(r.size >= max_frame);

	while (f.n) {
		uint8_t op = fz_u8(&f);
		uint32_t len = (fz_u8(&f) | (uint32_t)fz_u8(&f) << 8) %
			       (r.size + 2); /* 0 and size + 1 included */
		uint8_t *dst;

		switch (op % 5) {
		case 0: /* reserve + commit */
		case 1: /* reserve, commit shorter */
		case 2: /* reserve, no commit */
			dst = sqn_ring_reserve(&r, len);
			if (len == 0 || len > r.size || count == nslots) {
				FZ_REQUIRE(!dst);
				break;
			}
			if (count == 0)
				FZ_REQUIRE(dst); /* an empty ring takes it */
			if (!dst)
				break;
			FZ_REQUIRE(dst >= r.arena &&
				   dst + len <= r.arena + r.size);
			for (i = 0; i < count; i++) {
				const struct shadow_frame *s =
					&q[(head + i) % FZ_MAX_SLOTS];
				uint32_t off = (uint32_t)(dst - r.arena);

				FZ_REQUIRE(off + len <= s->off ||
					   s->off + s->len <= off);
			}
			if (op % 5 == 2) {
				memset(dst, 0xee,
				       len); /* scribble, uncommitted */
				break;
			}
			if (op % 5 == 1)
				len = 1 + (len - 1) * (op >> 3) / 31;
			{
				struct shadow_frame *s =
					&q[(head + count) % FZ_MAX_SLOTS];

				s->off = (uint32_t)(dst - r.arena);
				s->len = len;
				s->seed = seed++;
				memset(&s->vnet, 0, sizeof(s->vnet));
				if (op & 0x80)
					s->vnet = (struct sqn_vnet_hdr){
						.flags = op,
						.gso_type = seed,
						.hdr_len = (uint16_t)len,
						.gso_size = (uint16_t)~len,
						.csum_start = 1,
						.csum_offset = 2,
						.num_buffers = 3};
				for (j = 0; j < len; j++)
					dst[j] = pattern(s->seed, j);
				sqn_ring_commit(&r, len,
						op & 0x80 ? &s->vnet : NULL);
				count++;
			}
			break;
		case 3: /* pop, after checking the frame */
		case 4: /* drop the oldest unseen */
			if (!count) {
				FZ_REQUIRE(sqn_ring_empty(&r));
				break;
			}
			if (op % 5 == 3)
				check_frame(&r, &q[head], 1);
			if (op % 5 == 3)
				sqn_ring_pop(&r);
			else
				sqn_ring_drop_oldest(&r);
			head = (head + 1) % FZ_MAX_SLOTS;
			count--;
			break;
		}
		FZ_REQUIRE(r.count == count);
		FZ_REQUIRE(r.count <= r.nslots);
		FZ_REQUIRE(sqn_ring_empty(&r) == (count == 0));
		if (count)
			check_frame(&r, &q[head], 0);
	}
	/* Drain: everything left comes out in order, intact. */
	while (count) {
		check_frame(&r, &q[head], 1);
		sqn_ring_pop(&r);
		head = (head + 1) % FZ_MAX_SLOTS;
		count--;
	}
	FZ_REQUIRE(sqn_ring_empty(&r));
	sqn_ring_free(&r);
	return 0;
}
