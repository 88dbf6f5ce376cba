/* SPDX-License-Identifier: Apache-2.0 */
/*
 * learn.c - a bounded table of addresses learnt from DNS answers (pure)
 *
 * Theory of operation: entries live in one array sized at creation; an
 * open-addressing index (linear probing, at most half full, deletion by
 * backward shift so no tombstones pile up) finds an address in O(1), and
 * a doubly linked list through the entries keeps them in age order: an
 * entry learnt or refreshed goes to the head, and when the table is full
 * the caller removes the tail, the entry learnt longest ago. Nothing is
 * allocated after sqn_learn_init(); the table does no locking (the
 * policy engine holds its lock around every call).
 *
 * The hash mixes the address with a per-table seed, so the slots an
 * address lands in are not the same from one table to the next.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"

/**
 * hash() - an address's home slot
 * @t:	the table
 * @a:	the address
 *
 * Return: the slot number
 */
static uint32_t hash(const struct sqn_learn *t, const struct sqn_policy_addr *a)
{
	uint64_t w[2], h = t->seed ^ a->family;

	memcpy(w, a->a, sizeof(w));
	h = (h ^ w[0]) * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 29) ^ w[1]) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (uint32_t)h & t->mask;
}

/**
 * addr_eq() - whether two addresses are the same
 * @a:	one
 * @b:	the other
 *
 * Return: true if they are
 */
static bool addr_eq(const struct sqn_policy_addr *a,
		    const struct sqn_policy_addr *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a->a, sizeof(x));
	memcpy(y, b->a, sizeof(y));
	return a->family == b->family && x[0] == y[0] && x[1] == y[1];
}

/**
 * sqn_learn_init() - make an empty table
 * @t:		the table
 * @cap:	most entries, 1..SQN_LEARN_MAX
 * @seed:	hash seed
 *
 * Return: 0, -EINVAL for a bad @cap, -ENOMEM (then nothing is held)
 */
int sqn_learn_init(struct sqn_learn *t, unsigned cap, uint64_t seed)
{
	uint32_t slots = 2, i;

	memset(t, 0, sizeof(*t));
	if (!cap || cap > SQN_LEARN_MAX)
		return -EINVAL;
	while (slots < 2 * cap)
		slots *= 2;
	t->slot = calloc(slots, sizeof(*t->slot));
	t->e = calloc(cap, sizeof(*t->e));
	if (!t->slot || !t->e) {
		sqn_learn_fini(t);
		return -ENOMEM;
	}
	t->cap = cap;
	t->mask = slots - 1;
	t->seed = seed;
	t->head = SQN_LEARN_NIL;
	t->tail = SQN_LEARN_NIL;
	for (i = 0; i < cap; i++)
		t->e[i].next = i + 1 < cap ? i + 1 : SQN_LEARN_NIL;
	t->free = 0;
	return 0;
}

/**
 * sqn_learn_fini() - free a table's memory
 * @t:	the table (made by sqn_learn_init(), or zeroed)
 */
void sqn_learn_fini(struct sqn_learn *t)
{
	free(t->slot);
	free(t->e);
	t->slot = NULL;
	t->e = NULL;
	t->cap = 0;
	t->n = 0;
}

/**
 * find_slot() - the index slot of an address
 * @t:	the table
 * @a:	the address
 *
 * Return: the slot holding it, or the empty slot where it would go
 */
static uint32_t find_slot(const struct sqn_learn *t,
			  const struct sqn_policy_addr *a)
{
	uint32_t i = hash(t, a);

	while (t->slot[i] && !addr_eq(&t->e[t->slot[i] - 1].addr, a))
		i = (i + 1) & t->mask;
	return i;
}

/**
 * sqn_learn_find() - look an address up
 * @t:	the table
 * @a:	the address
 *
 * Return: its entry, or NULL
 */
struct sqn_learn_entry *sqn_learn_find(const struct sqn_learn *t,
				       const struct sqn_policy_addr *a)
{
	uint32_t i;

	if (!t->n)
		return NULL;
	i = find_slot(t, a);
	return t->slot[i] ? &t->e[t->slot[i] - 1] : NULL;
}

/**
 * link_head() - put an entry at the head of the age list
 * @t:	the table
 * @k:	its number
 */
static void link_head(struct sqn_learn *t, uint32_t k)
{
	t->e[k].prev = SQN_LEARN_NIL;
	t->e[k].next = t->head;
	if (t->head != SQN_LEARN_NIL)
		t->e[t->head].prev = k;
	t->head = k;
	if (t->tail == SQN_LEARN_NIL)
		t->tail = k;
}

/**
 * unlink_entry() - take an entry out of the age list
 * @t:	the table
 * @k:	its number
 */
static void unlink_entry(struct sqn_learn *t, uint32_t k)
{
	struct sqn_learn_entry *e = &t->e[k];

	if (e->prev != SQN_LEARN_NIL)
		t->e[e->prev].next = e->next;
	else
		t->head = e->next;
	if (e->next != SQN_LEARN_NIL)
		t->e[e->next].prev = e->prev;
	else
		t->tail = e->prev;
}

/**
 * sqn_learn_add() - add an address that is not in the table
 * @t:	the table, not full (remove sqn_learn_oldest() first)
 * @a:	the address
 *
 * Return: the new entry at the head of the age list, @expires, @used and
 * @name zero for the caller to fill; NULL when the table is full
 */
struct sqn_learn_entry *sqn_learn_add(struct sqn_learn *t,
				      const struct sqn_policy_addr *a)
{
	uint32_t k = t->free, i;
	struct sqn_learn_entry *e;

	if (k == SQN_LEARN_NIL)
		return NULL;
	e = &t->e[k];
	t->free = e->next;
	memset(e, 0, sizeof(*e));
	e->addr = *a;
	i = find_slot(t, a);
	t->slot[i] = k + 1;
	link_head(t, k);
	t->n++;
	return e;
}

/**
 * sqn_learn_touch() - move an entry to the head of the age list (it was
 *		       learnt again)
 * @t:	the table
 * @e:	the entry
 */
void sqn_learn_touch(struct sqn_learn *t, struct sqn_learn_entry *e)
{
	uint32_t k = (uint32_t)(e - t->e);

	if (t->head == k)
		return;
	unlink_entry(t, k);
	link_head(t, k);
}

/**
 * sqn_learn_del() - remove an entry
 * @t:	the table
 * @e:	the entry
 *
 * The index slot is emptied by backward shift: later entries of the same
 * probe run move up, so lookups never need tombstones.
 */
void sqn_learn_del(struct sqn_learn *t, struct sqn_learn_entry *e)
{
	uint32_t k = (uint32_t)(e - t->e), i = find_slot(t, &e->addr), j = i;

	for (;;) {
		uint32_t home;

		j = (j + 1) & t->mask;
		if (!t->slot[j])
			break;
		home = hash(t, &t->e[t->slot[j] - 1].addr);
		/* move j's entry into the hole at i unless its home slot
		 * lies cyclically in (i, j] */
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			i = j;
		}
	}
	t->slot[i] = 0;
	unlink_entry(t, k);
	e->next = t->free;
	t->free = k;
	t->n--;
}

/**
 * sqn_learn_oldest() - the entry learnt longest ago
 * @t:	the table
 *
 * Return: the tail of the age list, NULL when the table is empty
 */
struct sqn_learn_entry *sqn_learn_oldest(const struct sqn_learn *t)
{
	return t->tail == SQN_LEARN_NIL ? NULL : &t->e[t->tail];
}

/**
 * sqn_learn_newer() - the next entry, walking from the oldest to the
 *		       newest
 * @t:	the table
 * @e:	an entry
 *
 * Return: the entry learnt just after @e, NULL after the newest
 */
struct sqn_learn_entry *sqn_learn_newer(const struct sqn_learn *t,
					const struct sqn_learn_entry *e)
{
	return e->prev == SQN_LEARN_NIL ? NULL : &t->e[e->prev];
}
