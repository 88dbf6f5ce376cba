/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.h - a bounded table of addresses learnt from DNS answers, with
 *	     their name and lifetime (pure)
 */
#ifndef SQN_LEARN_H
#define SQN_LEARN_H

#include <stdbool.h>
#include <stdint.h>

#include "dns.h"
#include "policy_rules.h"

/** SQN_LEARN_NIL - no entry */
#define SQN_LEARN_NIL UINT32_MAX
/** SQN_LEARN_MAX - most entries a table may be made with */
#define SQN_LEARN_MAX (1u << 20)

/**
 * struct sqn_learn_entry - one address
 * @addr:	the address
 * @expires:	when it stops being allowed for new flows (ms, the caller's
 *		clock): the answer's TTL plus the grace
 * @used:	last time a frame to it passed (ms), 0 for never
 * @prev:	newer neighbour in age order, SQN_LEARN_NIL for the newest
 * @next:	older neighbour, SQN_LEARN_NIL for the oldest (also the free
 *		list's link)
 * @name:	the name it was answered for (the question's name; the
 *		latest one when several names share the address)
 */
struct sqn_learn_entry {
	struct sqn_policy_addr addr;
	uint64_t expires;
	uint64_t used;
	uint32_t prev;
	uint32_t next;
	char name[SQN_DNS_NAME_MAX + 1];
};

/**
 * struct sqn_learn - the table
 * @cap:	most entries
 * @n:		entries in use
 * @mask:	index slots minus one (a power of two, at least 2 * @cap)
 * @slot:	the index: entry number + 1, 0 for an empty slot
 * @e:		the entries
 * @head:	newest entry (learnt or refreshed last)
 * @tail:	oldest entry: the one that goes when the table is full
 * @free:	first free entry
 * @seed:	hash seed
 */
struct sqn_learn {
	unsigned cap;
	unsigned n;
	uint32_t mask;
	uint32_t *slot;
	struct sqn_learn_entry *e;
	uint32_t head;
	uint32_t tail;
	uint32_t free;
	uint64_t seed;
};

int sqn_learn_init(struct sqn_learn *t, unsigned cap, uint64_t seed);
void sqn_learn_fini(struct sqn_learn *t);
struct sqn_learn_entry *sqn_learn_find(const struct sqn_learn *t,
				       const struct sqn_policy_addr *a);
struct sqn_learn_entry *sqn_learn_add(struct sqn_learn *t,
				      const struct sqn_policy_addr *a);
void sqn_learn_touch(struct sqn_learn *t, struct sqn_learn_entry *e);
void sqn_learn_del(struct sqn_learn *t, struct sqn_learn_entry *e);
struct sqn_learn_entry *sqn_learn_oldest(const struct sqn_learn *t);
struct sqn_learn_entry *sqn_learn_newer(const struct sqn_learn *t,
					const struct sqn_learn_entry *e);

#endif /* SQN_LEARN_H */
