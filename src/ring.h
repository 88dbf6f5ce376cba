/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ring.h - bounded frame queue over one byte arena
 *
 * Frames are stored back to back in an arena allocated at start; a slot
 * table keeps their offsets and lengths. Push, pop and drop-oldest are O(1)
 * and never allocate. Not thread-safe: the owner locks if two threads share
 * it.
 */
#ifndef SQN_RING_H
#define SQN_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "squibnet.h"

/**
 * struct sqn_ring_slot - one queued frame
 * @off:	offset in the arena
 * @len:	frame length
 * @vnet:	virtio-net header that travels with the frame
 */
struct sqn_ring_slot {
	uint32_t off;
	uint32_t len;
	struct sqn_vnet_hdr vnet;
};

/**
 * struct sqn_ring - the queue
 * @arena:	frame bytes
 * @size:	arena size
 * @slot:	slot table, @nslots entries
 * @nslots:	most frames held
 * @head:	index of the oldest frame
 * @count:	frames held
 * @wr:		arena offset where the next frame goes (or 0 on wrap)
 * @res_off:	offset handed out by the last sqn_ring_reserve()
 */
struct sqn_ring {
	uint8_t *arena;
	uint32_t size;
	struct sqn_ring_slot *slot;
	uint32_t nslots;
	uint32_t head;
	uint32_t count;
	uint32_t wr;
	uint32_t res_off;
};

int sqn_ring_init(struct sqn_ring *r, uint32_t nslots, uint32_t max_frame);
void sqn_ring_free(struct sqn_ring *r);
uint8_t *sqn_ring_reserve(struct sqn_ring *r, uint32_t len);
void sqn_ring_commit(struct sqn_ring *r, uint32_t len,
		     const struct sqn_vnet_hdr *vnet);
void sqn_ring_drop_oldest(struct sqn_ring *r);
const uint8_t *sqn_ring_peek(const struct sqn_ring *r, uint32_t *len,
			     struct sqn_vnet_hdr *vnet);
void sqn_ring_pop(struct sqn_ring *r);
const uint8_t *sqn_ring_peek_at(const struct sqn_ring *r, uint32_t i,
				uint32_t *len);

/**
 * sqn_ring_empty() - whether nothing is queued
 * @r:	the ring
 *
 * Return: true if empty
 */
static inline bool sqn_ring_empty(const struct sqn_ring *r)
{
	return r->count == 0;
}

#endif /* SQN_RING_H */
