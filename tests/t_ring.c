/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_ring.c - the bounded frame ring: order, wrap, byte and slot limits
 */
#include "check.h"
#include "internal.h"
#include "ring.h"

static int push(struct sqn_ring *r, uint32_t len, uint8_t tag)
{
	uint8_t *p = sqn_ring_reserve(r, len);

	if (!p)
		return 0;
	memset(p, tag, len);
	sqn_ring_commit(r, len, NULL);
	return 1;
}

static int pop_check(struct sqn_ring *r, uint32_t len, uint8_t tag)
{
	const uint8_t *p;
	uint32_t got, i;

	p = sqn_ring_peek(r, &got, NULL);
	if (!p || got != len)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] != tag)
			return 0;
	sqn_ring_pop(r);
	return 1;
}

static void fifo_order(void)
{
	struct sqn_ring r;
	int i;

	ASSERT(sqn_ring_init(&r, 8, 100) == 0);
	for (i = 0; i < 8; i++)
		CHECK(push(&r, 10 + i, (uint8_t)i));
	CHECK(!push(&r, 10, 99)); /* slots full */
	for (i = 0; i < 8; i++)
		CHECK(pop_check(&r, 10 + i, (uint8_t)i));
	CHECK(sqn_ring_empty(&r));
	sqn_ring_free(&r);
}

static void wrap_and_bytes(void)
{
	struct sqn_ring r;
	uint32_t seq_push = 0, seq_pop = 0;
	int round;

	/* 4 slots of 100 bytes: arena 400 */
	ASSERT(sqn_ring_init(&r, 4, 100) == 0);
	for (round = 0; round < 10000; round++) {
		uint32_t len = 1 + (seq_push * 37) % 100;

		if (push(&r, len, (uint8_t)seq_push)) {
			seq_push++;
		} else {
			uint32_t plen = 1 + (seq_pop * 37) % 100;

			ASSERT(!sqn_ring_empty(&r));
			CHECK(pop_check(&r, plen, (uint8_t)seq_pop));
			seq_pop++;
		}
		CHECK(r.count <= 4);
	}
	CHECK(seq_push > 5000);
	sqn_ring_free(&r);
}

static void drop_oldest(void)
{
	struct sqn_ring r;
	int i;

	ASSERT(sqn_ring_init(&r, 4, 64) == 0);
	for (i = 0; i < 10; i++) {
		while (!sqn_ring_reserve(&r, 64))
			sqn_ring_drop_oldest(&r);
		push(&r, 64, (uint8_t)i);
	}
	for (i = 6; i < 10; i++)
		CHECK(pop_check(&r, 64, (uint8_t)i));
	CHECK(sqn_ring_empty(&r));
	sqn_ring_free(&r);
}

static void vnet_travels(void)
{
	struct sqn_ring r;
	struct sqn_vnet_hdr h = {.flags = 1, .gso_type = 1, .gso_size = 1448},
			    out;
	uint32_t len;

	ASSERT(sqn_ring_init(&r, 2, 64) == 0);
	ASSERT(sqn_ring_reserve(&r, 20));
	sqn_ring_commit(&r, 20, &h);
	ASSERT(sqn_ring_peek(&r, &len, &out));
	CHECK_EQ(out.gso_size, 1448);
	CHECK_EQ(out.flags, 1);
	sqn_ring_free(&r);
}

static const struct check_case cases[] = {
	CASE(fifo_order),
	CASE(wrap_and_bytes),
	CASE(drop_oldest),
	CASE(vnet_travels),
};
CHECK_MAIN(cases)
