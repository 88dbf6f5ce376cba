/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ring.c - bounded frame queue over one byte arena
 *
 * Theory of operation: frames occupy the arena as one circular run from the
 * oldest frame's offset to @wr. A new frame goes at @wr if it fits before
 * the arena's end, else at offset 0 if it fits before the oldest frame (the
 * gap left at the end is reclaimed when the head passes it). The slot table
 * bounds the frame count, the arena the bytes: memory is fixed at init.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ring.h"

/* Arena: room for every slot at full size, but no more than this, and never
 * less than one full batch of the largest frames. */
#define SQN_RING_ARENA_CAP (4u << 20)

/**
 * sqn_ring_init() - allocate a ring
 * @r:		the ring
 * @nslots:	most frames held, at least 1
 * @max_frame:	largest frame, at least 1
 *
 * Return: 0 or -ENOMEM
 */
int sqn_ring_init(struct sqn_ring *r, uint32_t nslots, uint32_t max_frame)
{
	uint64_t size = (uint64_t)nslots * max_frame;

	memset(r, 0, sizeof(*r));
	if (size > SQN_RING_ARENA_CAP)
		size = SQN_MAX((uint64_t)SQN_RING_ARENA_CAP,
			       (uint64_t)SQN_BATCH * max_frame);
	r->arena = malloc(size);
	r->slot = calloc(nslots, sizeof(*r->slot));
	if (!r->arena || !r->slot) {
		sqn_ring_free(r);
		return -ENOMEM;
	}
	r->size = (uint32_t)size;
	r->nslots = nslots;
	return 0;
}

/**
 * sqn_ring_free() - release a ring's memory (safe on a zeroed ring)
 * @r:	the ring
 */
void sqn_ring_free(struct sqn_ring *r)
{
	free(r->arena);
	free(r->slot);
	memset(r, 0, sizeof(*r));
}

/**
 * sqn_ring_reserve() - find room for a frame of @len bytes
 * @r:		the ring
 * @len:	frame length, 1..arena size
 *
 * Return: where to write the frame, then call sqn_ring_commit(); NULL when
 * the ring is full (the caller drops the oldest and retries, or drops this)
 */
uint8_t *sqn_ring_reserve(struct sqn_ring *r, uint32_t len)
{
	uint32_t start;

	if (r->count == r->nslots || len == 0 || len > r->size)
		return NULL;
	if (r->count == 0) {
		r->wr = 0;
		r->res_off = 0;
		return r->arena;
	}
	start = r->slot[r->head].off;
	if (r->wr > start) {
		if (r->size - r->wr >= len) {
			r->res_off = r->wr;
			return r->arena + r->wr;
		}
		if (start >= len) {
			r->res_off = 0;
			return r->arena;
		}
		return NULL;
	}
	/* wrapped: free space is [wr, start); wr == start means full */
	if (r->wr < start && start - r->wr >= len) {
		r->res_off = r->wr;
		return r->arena + r->wr;
	}
	return NULL;
}

/**
 * sqn_ring_commit() - queue the frame written at the last reservation
 * @r:		the ring
 * @len:	its length, at most the reserved length
 * @vnet:	virtio-net header to keep with it, or NULL
 */
void sqn_ring_commit(struct sqn_ring *r, uint32_t len,
		     const struct sqn_vnet_hdr *vnet)
{
	struct sqn_ring_slot *s = &r->slot[(r->head + r->count) % r->nslots];

	s->off = r->res_off;
	s->len = len;
	if (vnet)
		s->vnet = *vnet;
	else
		memset(&s->vnet, 0, sizeof(s->vnet));
	r->wr = r->res_off + len;
	r->count++;
}

/**
 * sqn_ring_peek() - the oldest frame
 * @r:		the ring
 * @len:	gets its length
 * @vnet:	gets its virtio-net header, if not NULL
 *
 * Return: its bytes, or NULL when empty
 */
const uint8_t *sqn_ring_peek(const struct sqn_ring *r, uint32_t *len,
			     struct sqn_vnet_hdr *vnet)
{
	const struct sqn_ring_slot *s;

	if (!r->count)
		return NULL;
	s = &r->slot[r->head];
	*len = s->len;
	if (vnet)
		*vnet = s->vnet;
	return r->arena + s->off;
}

/**
 * sqn_ring_pop() - remove the oldest frame
 * @r:	the ring, not empty
 */
void sqn_ring_pop(struct sqn_ring *r)
{
	r->head = (r->head + 1) % r->nslots;
	r->count--;
}

/**
 * sqn_ring_drop_oldest() - remove the oldest frame to make room (O(1))
 * @r:	the ring, not empty
 */
void sqn_ring_drop_oldest(struct sqn_ring *r)
{
	sqn_ring_pop(r);
}

/**
 * sqn_ring_peek_at() - the @i'th oldest frame (0 is the oldest)
 * @r:		the ring
 * @i:		its position
 * @len:	gets its length
 *
 * Return: its bytes, or NULL when fewer than @i + 1 frames are queued
 */
const uint8_t *sqn_ring_peek_at(const struct sqn_ring *r, uint32_t i,
				uint32_t *len)
{
	const struct sqn_ring_slot *s;

	if (i >= r->count)
		return NULL;
	s = &r->slot[(r->head + i) % r->nslots];
	*len = s->len;
	return r->arena + s->off;
}
