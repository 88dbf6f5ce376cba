/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch.c - an Ethernet switch's forwarding core: learning, aging,
 *	      unicast by table lookup, flooding, isolation, MAC pins
 *
 * Theory of operation: the forwarding table is a fixed pool of entries
 * (MAC, owning port, last seen) allocated at init, found through hash
 * chains keyed by a random seed. Every port keeps the entries it owns on a
 * list ordered by when they were last seen, oldest first, so that aging
 * and making room under the port's cap both take the oldest in O(1). A
 * pinned MAC is kept apart from that list: it never ages and no other port
 * may send from it.
 *
 * Bounds: each port has a cap on the MACs it owns, and adding a port
 * reserves its cap in the table (the sum of the caps of all ports never
 * exceeds the table). So a port under its cap always finds a free entry,
 * and a port that sends from random MACs only ever replaces its own oldest
 * ones: it cannot push another port's MACs out of the table. Lookups are
 * bounded by the table's size whatever the MACs (chains are short for MACs
 * nobody can choose to collide, not knowing the seed).
 *
 * Forwarding: a frame's source is checked (not multicast, not zero, the
 * port's pin, nobody else's pin) and learnt on the port it came in on (a
 * MAC seen on a new port moves there); then a broadcast or multicast
 * destination, or a unicast one nobody owns, is flooded to every other
 * port isolation allows (unknown unicast skips no_flood ports), and a
 * known one goes to its port alone. Nothing goes back to the sender.
 * Isolated ports reach only uplink ports, and only uplink ports reach them.
 *
 * Time is the caller's: every call takes "now" in milliseconds, so tests
 * drive a fake clock. Nothing here does I/O or allocates after init.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch.h"

#define NIL UINT32_MAX

/**
 * struct sqn_sw_entry - one MAC in the table
 * @mac:	the MAC
 * @port:	the port that owns it
 * @in_use:	in the table (else on the free list)
 * @pinned:	the port's pinned MAC: does not age, not on the age list
 * @hnext:	next entry in its hash chain
 * @prev:	previous entry on its port's age list (older)
 * @next:	next entry on its port's age list (newer), or on the free
 *		list
 * @seen:	when a frame came from it last (ms)
 */
struct sqn_sw_entry {
	uint8_t mac[6];
	uint16_t port;
	bool in_use;
	bool pinned;
	uint32_t hnext;
	uint32_t prev;
	uint32_t next;
	uint64_t seen;
};

/**
 * struct sqn_sw_port - one port
 * @up:		the port exists
 * @cfg:	its policy
 * @head:	its oldest unpinned entry
 * @tail:	its newest unpinned entry
 * @pin:	its pinned entry, NIL for none
 * @count:	entries it owns (age list and pin)
 * @slot:	its index in the switch's active list
 * @st:		its counters
 */
struct sqn_sw_port {
	bool up;
	struct sqn_sw_port_cfg cfg;
	uint32_t head;
	uint32_t tail;
	uint32_t pin;
	uint32_t count;
	unsigned slot;
	struct sqn_sw_port_stats st;
};

/**
 * mac_key() - a MAC as a 48-bit number
 * @m:	6 bytes
 *
 * Return: the number
 */
static uint64_t mac_key(const uint8_t *m)
{
	return (uint64_t)m[0] << 40 | (uint64_t)m[1] << 32 |
	       (uint64_t)m[2] << 24 | (uint64_t)m[3] << 16 |
	       (uint64_t)m[4] << 8 | m[5];
}

/**
 * mac_hash() - the bucket of a MAC
 * @sw:	the switch
 * @m:	6 bytes
 *
 * Return: bucket index
 */
static uint32_t mac_hash(const struct sqn_sw *sw, const uint8_t *m)
{
	uint64_t k = mac_key(m) ^ sw->seed;

	/* a bijective 64-bit mix (splitmix64's finaliser) */
	k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ull;
	k = (k ^ (k >> 27)) * 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (uint32_t)k & sw->mask;
}

/**
 * mac_is_zero() - whether a MAC is 00:00:00:00:00:00
 * @m:	6 bytes
 *
 * Return: true if so
 */
static bool mac_is_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/**
 * sqn_sw_init() - a switch with an empty table and no ports
 * @sw:		the switch
 * @cfg:	its size and timing
 *
 * The only allocations the switch makes; sqn_sw_free() releases them.
 *
 * Return: 0, -EINVAL for a size out of range, -ENOMEM
 */
int sqn_sw_init(struct sqn_sw *sw, const struct sqn_sw_config *cfg)
{
	uint32_t size =
		cfg->table_size ? cfg->table_size : SQN_SW_TABLE_DEFAULT;
	uint32_t nb = 1, i;

	memset(sw, 0, sizeof(*sw));
	if (!cfg->max_ports || cfg->max_ports > SQN_SW_PORTS_MAX ||
	    size > SQN_SW_TABLE_MAX)
		return -EINVAL;
	while (nb < 2 * size)
		nb <<= 1;
	sw->entry = calloc(size, sizeof(*sw->entry));
	sw->bucket = malloc(nb * sizeof(*sw->bucket));
	sw->port = calloc(cfg->max_ports, sizeof(*sw->port));
	sw->active = calloc(cfg->max_ports, sizeof(*sw->active));
	if (!sw->entry || !sw->bucket || !sw->port || !sw->active) {
		sqn_sw_free(sw);
		return -ENOMEM;
	}
	for (i = 0; i < nb; i++)
		sw->bucket[i] = NIL;
	for (i = 0; i < size; i++)
		sw->entry[i].next = i + 1 < size ? i + 1 : NIL;
	sw->free = 0;
	sw->mask = nb - 1;
	sw->size = size;
	sw->max_ports = cfg->max_ports;
	sw->age_ms = cfg->age_ms ? cfg->age_ms : SQN_SW_AGE_MS_DEFAULT;
	sw->seed = cfg->seed;
	return 0;
}

/**
 * sqn_sw_free() - release a switch's memory
 * @sw:	the switch (initialised, or zeroed); zeroed again
 */
void sqn_sw_free(struct sqn_sw *sw)
{
	free(sw->entry);
	free(sw->bucket);
	free(sw->port);
	free(sw->active);
	memset(sw, 0, sizeof(*sw));
}

/**
 * find() - the entry of a MAC
 * @sw:	the switch
 * @m:	6 bytes
 *
 * Return: its index, or NIL
 */
static uint32_t find(const struct sqn_sw *sw, const uint8_t *m)
{
	uint32_t i;

	for (i = sw->bucket[mac_hash(sw, m)]; i != NIL; i = sw->entry[i].hnext)
		if (!memcmp(sw->entry[i].mac, m, 6))
			return i;
	return NIL;
}

/**
 * age_unlink() - take an entry off its port's age list
 * @sw:	the switch
 * @p:	the port
 * @i:	the entry, on @p's list
 */
static void age_unlink(struct sqn_sw *sw, struct sqn_sw_port *p, uint32_t i)
{
	struct sqn_sw_entry *e = &sw->entry[i];

	if (e->prev != NIL)
		sw->entry[e->prev].next = e->next;
	else
		p->head = e->next;
	if (e->next != NIL)
		sw->entry[e->next].prev = e->prev;
	else
		p->tail = e->prev;
	e->prev = e->next = NIL;
}

/**
 * age_append() - put an entry at the newest end of its port's age list
 * @sw:	the switch
 * @p:	the port
 * @i:	the entry, on no list
 */
static void age_append(struct sqn_sw *sw, struct sqn_sw_port *p, uint32_t i)
{
	struct sqn_sw_entry *e = &sw->entry[i];

	e->prev = p->tail;
	e->next = NIL;
	if (p->tail != NIL)
		sw->entry[p->tail].next = i;
	else
		p->head = i;
	p->tail = i;
}

/**
 * forget() - remove an entry from the table and its port
 * @sw:	the switch
 * @i:	the entry, in use
 */
static void forget(struct sqn_sw *sw, uint32_t i)
{
	struct sqn_sw_entry *e = &sw->entry[i];
	struct sqn_sw_port *p = &sw->port[e->port];
	uint32_t *link = &sw->bucket[mac_hash(sw, e->mac)];

	while (*link != i)
		link = &sw->entry[*link].hnext;
	*link = e->hnext;
	if (e->pinned)
		p->pin = NIL;
	else
		age_unlink(sw, p, i);
	p->count--;
	sw->used--;
	memset(e, 0, sizeof(*e));
	e->prev = e->hnext = NIL;
	e->next = sw->free;
	sw->free = i;
}

/**
 * learn() - a new entry: @m owned by port @port
 * @sw:		the switch
 * @port:	the port, under its cap
 * @m:		the MAC, in no entry
 * @pinned:	the port's pin
 * @now:	ms
 *
 * Return: the entry, or NIL if the table is full (cannot happen while
 * the caps are reserved; kept as a guard)
 */
static uint32_t learn(struct sqn_sw *sw, unsigned port, const uint8_t *m,
		      bool pinned, uint64_t now)
{
	struct sqn_sw_port *p = &sw->port[port];
	uint32_t i = sw->free, b;
	struct sqn_sw_entry *e;

	if (i == NIL)
		return NIL;
	e = &sw->entry[i];
	sw->free = e->next;
	memcpy(e->mac, m, 6);
	e->port = (uint16_t)port;
	e->in_use = true;
	e->pinned = pinned;
	e->seen = now;
	b = mac_hash(sw, m);
	e->hnext = sw->bucket[b];
	sw->bucket[b] = i;
	if (pinned) {
		e->prev = e->next = NIL;
		p->pin = i;
	} else {
		age_append(sw, p, i);
	}
	p->count++;
	p->st.learnt++;
	sw->used++;
	return i;
}

/**
 * expired() - whether an entry has gone quiet for its lifetime
 * @sw:		the switch
 * @e:		the entry
 * @now:	ms (a time before @e was seen counts as no time passed)
 *
 * Return: true if it is to be forgotten
 */
static bool expired(const struct sqn_sw *sw, const struct sqn_sw_entry *e,
		    uint64_t now)
{
	return !e->pinned && now > e->seen && now - e->seen >= sw->age_ms;
}

/**
 * sqn_sw_port_add() - bring a port up with its policy
 * @sw:		the switch
 * @port:	its number, 0..max_ports-1, not up
 * @cfg:	its policy
 *
 * Reserves cfg->cap entries of the table for the port. With
 * SQN_SW_PIN_MAC the MAC is the port's from now on (an unpinned entry of
 * it on another port is forgotten).
 *
 * Return: 0; -EINVAL for a bad number, a port already up, a cap of 0, or
 * a pinned MAC that is multicast or zero; -ENOSPC when the cap does not
 * fit what the table has left to reserve; -EADDRINUSE when the pinned MAC
 * is another port's pin
 */
int sqn_sw_port_add(struct sqn_sw *sw, unsigned port,
		    const struct sqn_sw_port_cfg *cfg)
{
	struct sqn_sw_port *p;
	uint32_t i = NIL;

	if (port >= sw->max_ports || sw->port[port].up || !cfg->cap)
		return -EINVAL;
	if (cfg->pin == SQN_SW_PIN_MAC) {
		if ((cfg->mac[0] & 1) || mac_is_zero(cfg->mac))
			return -EINVAL;
		i = find(sw, cfg->mac);
		if (i != NIL && sw->entry[i].pinned)
			return -EADDRINUSE;
	}
	if (sw->reserved + cfg->cap > sw->size)
		return -ENOSPC;
	if (i != NIL)
		forget(sw, i);
	p = &sw->port[port];
	memset(p, 0, sizeof(*p));
	p->up = true;
	p->cfg = *cfg;
	p->head = p->tail = p->pin = NIL;
	p->slot = sw->nactive;
	sw->active[sw->nactive++] = (uint16_t)port;
	sw->reserved += cfg->cap;
	if (cfg->pin == SQN_SW_PIN_MAC)
		learn(sw, port, cfg->mac, true, 0);
	return 0;
}

/**
 * sqn_sw_port_del() - take a port down: forget every MAC it owns
 * @sw:		the switch
 * @port:	the port; one that is not up is ignored
 *
 * Its counters are gone with it: read them first.
 */
void sqn_sw_port_del(struct sqn_sw *sw, unsigned port)
{
	struct sqn_sw_port *p;
	unsigned last;

	if (port >= sw->max_ports || !sw->port[port].up)
		return;
	p = &sw->port[port];
	while (p->head != NIL)
		forget(sw, p->head);
	if (p->pin != NIL)
		forget(sw, p->pin);
	last = sw->active[--sw->nactive];
	sw->active[p->slot] = (uint16_t)last;
	sw->port[last].slot = p->slot;
	sw->reserved -= p->cfg.cap;
	memset(p, 0, sizeof(*p));
}

/**
 * sqn_sw_port_up() - whether a port exists
 * @sw:		the switch
 * @port:	its number
 *
 * Return: true if it was added and not deleted since
 */
bool sqn_sw_port_up(const struct sqn_sw *sw, unsigned port)
{
	return port < sw->max_ports && sw->port[port].up;
}

/**
 * allowed() - whether isolation lets two ports talk
 * @sw:	the switch
 * @a:	one port
 * @b:	the other
 *
 * Return: true unless one is isolated and neither is an uplink
 */
static bool allowed(const struct sqn_sw *sw, unsigned a, unsigned b)
{
	const struct sqn_sw_port_cfg *x = &sw->port[a].cfg,
				     *y = &sw->port[b].cfg;

	return x->uplink || y->uplink || (!x->isolate && !y->isolate);
}

/**
 * drop() - the verdict for a dropped frame, counted
 * @p:		the sending port
 * @dest:	gets the verdict
 * @why:	the cause
 *
 * Return: 0
 */
static int drop(struct sqn_sw_port *p, struct sqn_sw_dest *dest,
		enum sqn_sw_drop why)
{
	p->st.drops[why]++;
	dest->verdict = SQN_SW_DROPPED;
	dest->why = why;
	return 0;
}

/**
 * source() - check a frame's source MAC and learn it on its port
 * @sw:		the switch
 * @in:		the port it came in on
 * @src:	its source MAC
 * @now:	ms
 *
 * Return: -1 to forward, or the drop cause
 */
static int source(struct sqn_sw *sw, unsigned in, const uint8_t *src,
		  uint64_t now)
{
	struct sqn_sw_port *p = &sw->port[in];
	bool pin = false;
	uint32_t i;

	if ((src[0] & 1) || mac_is_zero(src))
		return SQN_SW_DROP_SRC;
	if (p->cfg.pin != SQN_SW_PIN_NONE) {
		if (p->pin != NIL) {
			if (memcmp(sw->entry[p->pin].mac, src, 6) != 0)
				return SQN_SW_DROP_PIN;
			return -1; /* pinned entries need no refresh */
		}
		pin = true; /* SQN_SW_PIN_FIRST: this one */
	}
	i = find(sw, src);
	if (i != NIL) {
		struct sqn_sw_entry *e = &sw->entry[i];

		if (e->port == in) {
			e->seen = now;
			if (p->tail != i) {
				age_unlink(sw, p, i);
				age_append(sw, p, i);
			}
			return -1;
		}
		if (e->pinned)
			return SQN_SW_DROP_TAKEN;
		forget(sw, i); /* the MAC moved here */
		p->st.moved++;
	}
	if (p->count >= p->cfg.cap) {
		/* room under the cap: its own oldest (pinned ports have cap
		 * room for their pin: they own nothing else) */
		if (p->head == NIL)
			return -1;
		forget(sw, p->head);
		p->st.evicted++;
	}
	learn(sw, in, src, pin, now);
	return -1;
}

/**
 * sqn_sw_forward() - where a frame goes
 * @sw:		the switch
 * @in:		the port it came in on (up)
 * @frame:	the frame
 * @len:	its length
 * @now_ms:	the caller's clock
 * @dest:	@dest->port is an array of max_ports entries; gets the
 *		verdict and the ports
 *
 * Learns the source on @in (before the destination is looked at, so a
 * dropped frame for an isolated port still refreshes its sender). Counts
 * the frame on @in and its copies on every destination.
 *
 * Return: the number of destination ports (0 for a drop, or a flood that
 * reaches nobody), or -EINVAL for a port that is not up
 */
int sqn_sw_forward(struct sqn_sw *sw, unsigned in, const uint8_t *frame,
		   uint32_t len, uint64_t now_ms, struct sqn_sw_dest *dest)
{
	struct sqn_sw_port *p;
	uint32_t i;
	unsigned k;
	int why;

	dest->n = 0;
	dest->unknown = false;
	if (!sqn_sw_port_up(sw, in))
		return -EINVAL;
	p = &sw->port[in];
	p->st.rx_frames++;
	p->st.rx_bytes += len;
	if (len < 14)
		return drop(p, dest, SQN_SW_DROP_RUNT);
	why = source(sw, in, frame + 6, now_ms);
	if (why >= 0)
		return drop(p, dest, (enum sqn_sw_drop)why);

	if (!(frame[0] & 1)) {
		i = find(sw, frame);
		if (i != NIL && expired(sw, &sw->entry[i], now_ms)) {
			sw->port[sw->entry[i].port].st.aged++;
			forget(sw, i);
			i = NIL;
		}
		if (i != NIL) {
			unsigned out = sw->entry[i].port;

			if (out == in)
				return drop(p, dest, SQN_SW_DROP_LOCAL);
			if (!allowed(sw, in, out))
				return drop(p, dest, SQN_SW_DROP_ISOLATED);
			dest->port[0] = (uint16_t)out;
			dest->n = 1;
			dest->verdict = SQN_SW_UNICAST;
			p->st.unicast++;
			sw->port[out].st.fwd_frames++;
			sw->port[out].st.fwd_bytes += len;
			return 1;
		}
		dest->unknown = true;
	}
	for (k = 0; k < sw->nactive; k++) {
		unsigned out = sw->active[k];
		struct sqn_sw_port *q = &sw->port[out];

		if (out == in || !allowed(sw, in, out) ||
		    (dest->unknown && q->cfg.no_flood))
			continue;
		dest->port[dest->n++] = (uint16_t)out;
		q->st.fwd_frames++;
		q->st.fwd_bytes += len;
	}
	dest->verdict = SQN_SW_FLOOD;
	p->st.flood++;
	if (dest->unknown)
		p->st.flood_unknown++;
	return (int)dest->n;
}

/**
 * sqn_sw_age() - forget every MAC that has gone quiet
 * @sw:		the switch
 * @now_ms:	the caller's clock
 *
 * Lookups already ignore an expired entry; this returns its room to the
 * table and its count to the port. Call it now and then (once a second).
 *
 * Return: entries forgotten
 */
unsigned sqn_sw_age(struct sqn_sw *sw, uint64_t now_ms)
{
	unsigned k, n = 0;

	for (k = 0; k < sw->nactive; k++) {
		struct sqn_sw_port *p = &sw->port[sw->active[k]];

		/* oldest first: stop at the first that is still alive */
		while (p->head != NIL &&
		       expired(sw, &sw->entry[p->head], now_ms)) {
			forget(sw, p->head);
			p->st.aged++;
			n++;
		}
	}
	return n;
}

/**
 * sqn_sw_lookup() - which port owns a MAC
 * @sw:		the switch
 * @mac:	the MAC
 * @now_ms:	the caller's clock
 *
 * Return: the port, or -1 when nobody does (or its entry has expired)
 */
int sqn_sw_lookup(const struct sqn_sw *sw, const uint8_t mac[6],
		  uint64_t now_ms)
{
	uint32_t i = find(sw, mac);

	if (i == NIL || expired(sw, &sw->entry[i], now_ms))
		return -1;
	return sw->entry[i].port;
}

/**
 * sqn_sw_port_stats() - a port's counters
 * @sw:		the switch
 * @port:	the port (one that is not up reads as all zero)
 * @st:		filled
 */
void sqn_sw_port_stats(const struct sqn_sw *sw, unsigned port,
		       struct sqn_sw_port_stats *st)
{
	if (!sqn_sw_port_up(sw, port)) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = sw->port[port].st;
	st->macs = sw->port[port].count;
}

/**
 * sqn_sw_port_mac() - the MAC a port is known by
 * @sw:		the switch
 * @port:	the port
 * @mac:	gets its pinned MAC, else the one it sent from last
 *
 * Return: false when it owns none
 */
bool sqn_sw_port_mac(const struct sqn_sw *sw, unsigned port, uint8_t mac[6])
{
	const struct sqn_sw_port *p;
	uint32_t i;

	if (!sqn_sw_port_up(sw, port))
		return false;
	p = &sw->port[port];
	i = p->pin != NIL ? p->pin : p->tail;
	if (i == NIL)
		return false;
	memcpy(mac, sw->entry[i].mac, 6);
	return true;
}

/**
 * sqn_sw_used() - entries in use
 * @sw:	the switch
 *
 * Return: the number
 */
uint32_t sqn_sw_used(const struct sqn_sw *sw)
{
	return sw->used;
}

/**
 * sqn_sw_size() - entries in the table
 * @sw:	the switch
 *
 * Return: the number
 */
uint32_t sqn_sw_size(const struct sqn_sw *sw)
{
	return sw->size;
}

/**
 * sqn_sw_drop_name() - a drop cause's name, for statistics
 * @why:	the cause
 *
 * Return: a static string
 */
const char *sqn_sw_drop_name(enum sqn_sw_drop why)
{
	static const char *const names[SQN_SW_DROP_COUNT] = {
		[SQN_SW_DROP_RUNT] = "runt",
		[SQN_SW_DROP_SRC] = "bad_source",
		[SQN_SW_DROP_PIN] = "pin",
		[SQN_SW_DROP_TAKEN] = "taken",
		[SQN_SW_DROP_ISOLATED] = "isolated",
		[SQN_SW_DROP_LOCAL] = "local",
	};

	return (unsigned)why < SQN_SW_DROP_COUNT ? names[why] : "?";
}

#define BROKEN(...)                                                            \
	do {                                                                   \
		snprintf(err, errlen, __VA_ARGS__);                            \
		return -EFAULT;                                                \
	} while (0)

/**
 * check_port() - a port's age list, pin and count agree with the table
 * @sw:		the switch
 * @port:	the port, up
 * @err:	gets what is wrong
 * @errlen:	its size
 *
 * Return: 0 or -EFAULT
 */
static int check_port(const struct sqn_sw *sw, unsigned port, char *err,
		      size_t errlen)
{
	const struct sqn_sw_port *p = &sw->port[port];
	uint32_t i, prev = NIL, n = 0;

	for (i = p->head; i != NIL; prev = i, i = sw->entry[i].next) {
		const struct sqn_sw_entry *e = &sw->entry[i];

		if (++n > sw->size)
			BROKEN("port %u: its age list loops", port);
		if (!e->in_use || e->pinned || e->port != port ||
		    e->prev != prev)
			BROKEN("port %u: entry %u on its age list is not its "
			       "own unpinned entry, or badly linked",
			       port, i);
		if (prev != NIL && sw->entry[prev].seen > e->seen)
			BROKEN("port %u: its age list is out of order", port);
	}
	if (p->tail != prev)
		BROKEN("port %u: the tail of its age list is wrong", port);
	if (p->pin != NIL) {
		const struct sqn_sw_entry *e = &sw->entry[p->pin];

		if (!e->in_use || !e->pinned || e->port != port)
			BROKEN("port %u: its pin is not its pinned entry",
			       port);
		if (p->cfg.pin == SQN_SW_PIN_NONE)
			BROKEN("port %u: a pin without the policy", port);
		n++;
	}
	if (p->cfg.pin == SQN_SW_PIN_MAC &&
	    (p->pin == NIL ||
	     memcmp(sw->entry[p->pin].mac, p->cfg.mac, 6) != 0))
		BROKEN("port %u: its configured MAC is not its pin", port);
	if (p->cfg.pin != SQN_SW_PIN_NONE && p->head != NIL)
		BROKEN("port %u: pinned, yet it owns other MACs", port);
	if (n != p->count)
		BROKEN("port %u: owns %u entries, counts %u", port, n,
		       p->count);
	if (p->count > p->cfg.cap)
		BROKEN("port %u: owns %u entries over its cap of %u", port,
		       p->count, p->cfg.cap);
	if (sw->active[p->slot] != port)
		BROKEN("port %u: not in its slot of the active list", port);
	return 0;
}

/**
 * check_entry() - one chained entry is in use, in its chain, once, owned
 *		   by a port that is up, and holds a unicast MAC
 * @sw:		the switch
 * @i:		the entry
 * @b:		the bucket it was found in
 * @err:	gets what is wrong
 * @errlen:	its size
 *
 * Return: 0 or -EFAULT
 */
static int check_entry(const struct sqn_sw *sw, uint32_t i, uint32_t b,
		       char *err, size_t errlen)
{
	const struct sqn_sw_entry *e = &sw->entry[i];

	if (!e->in_use || mac_hash(sw, e->mac) != b)
		BROKEN("entry %u is in the wrong chain", i);
	if (find(sw, e->mac) != i)
		BROKEN("entry %u: its MAC is in the table twice", i);
	if (!sqn_sw_port_up(sw, e->port))
		BROKEN("entry %u belongs to port %u, which is down", i,
		       e->port);
	if ((e->mac[0] & 1) || mac_is_zero(e->mac))
		BROKEN("entry %u holds a multicast or zero MAC", i);
	return 0;
}

/**
 * check_table() - every entry free or chained once, owned by a port up
 * @sw:		the switch
 * @err:	gets what is wrong
 * @errlen:	its size
 *
 * Return: 0 or -EFAULT
 */
static int check_table(const struct sqn_sw *sw, char *err, size_t errlen)
{
	uint32_t b, i, n = 0, nfree = 0;

	for (b = 0; b <= sw->mask; b++)
		for (i = sw->bucket[b]; i != NIL; i = sw->entry[i].hnext) {
			if (i >= sw->size || ++n > sw->size)
				BROKEN("hash chains are broken at bucket %u",
				       b);
			if (check_entry(sw, i, b, err, errlen))
				return -EFAULT;
		}
	for (i = sw->free; i != NIL; i = sw->entry[i].next)
		if (sw->entry[i].in_use || ++nfree > sw->size)
			BROKEN("the free list is broken at entry %u", i);
	if (n != sw->used || n + nfree != sw->size)
		BROKEN("%u entries chained, %u free, %u counted used, table of "
		       "%u",
		       n, nfree, sw->used, sw->size);
	return 0;
}

/**
 * sqn_sw_check() - verify every invariant of the table (tests, fuzzing)
 * @sw:		the switch
 * @err:	gets the first broken one
 * @errlen:	its size
 *
 * Every entry is either free or reachable once through its hash chain and
 * owned by a port that is up; no MAC twice; every port's list is ordered,
 * within its cap, and its count right; the caps reserved fit the table.
 *
 * Return: 0, or -EFAULT with the message
 */
int sqn_sw_check(const struct sqn_sw *sw, char *err, size_t errlen)
{
	uint64_t reserved = 0, owned = 0;
	unsigned k, ups = 0;

	if (check_table(sw, err, errlen))
		return -EFAULT;
	for (k = 0; k < sw->max_ports; k++) {
		if (!sw->port[k].up)
			continue;
		ups++;
		if (check_port(sw, k, err, errlen))
			return -EFAULT;
		reserved += sw->port[k].cfg.cap;
		owned += sw->port[k].count;
	}
	if (ups != sw->nactive)
		BROKEN("%u ports up, %u on the active list", ups, sw->nactive);
	if (owned != sw->used)
		BROKEN("ports own %llu entries, %u in use",
		       (unsigned long long)owned, sw->used);
	if (reserved != sw->reserved || reserved > sw->size)
		BROKEN("caps reserve %llu entries (counted %llu) of %u",
		       (unsigned long long)reserved,
		       (unsigned long long)sw->reserved, sw->size);
	return 0;
}
