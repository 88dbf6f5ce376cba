/* SPDX-License-Identifier: Apache-2.0 */
/*
 * switch.h - an Ethernet switch's forwarding core (pure: no I/O, no clock)
 *
 * The switch decides, frame by frame, which ports a frame goes to: it
 * learns the source MAC on the port the frame came from, sends unicast to
 * the one port that owns the destination, and floods broadcast, multicast
 * and unknown unicast to every other port (never back to the sender).
 * Per-port policy: isolation (a port reaches only uplink ports), a MAC pin
 * (a port may send only from its first source MAC, or a configured one),
 * and a cap on the MACs a port may own. The caller owns the I/O and the
 * clock: every call that can age an entry takes the time in milliseconds,
 * which must never decrease (CLOCK_MONOTONIC, or a test's fake clock).
 */
#ifndef SQN_SWITCH_H
#define SQN_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Entries in the forwarding table by default */
#define SQN_SW_TABLE_DEFAULT 4096u
/* Most entries a table may have */
#define SQN_SW_TABLE_MAX (1u << 20)
/* Most ports a switch may have (port numbers fit a uint16_t) */
#define SQN_SW_PORTS_MAX 4096u
/* How long an entry lives without a frame from its MAC, by default */
#define SQN_SW_AGE_MS_DEFAULT 300000u

/**
 * enum sqn_sw_pin - which source MACs a port may send from
 * @SQN_SW_PIN_NONE:	any (unicast) MAC, learnt up to the port's cap
 * @SQN_SW_PIN_FIRST:	the first source MAC the port sends from; every
 *			other is dropped (SQN_SW_DROP_PIN)
 * @SQN_SW_PIN_MAC:	the configured MAC only (struct sqn_sw_port_cfg.mac),
 *			known to the table from the start
 *
 * A pinned MAC is the port's for as long as the port exists: it does not
 * age, and a frame from it on another port is dropped
 * (SQN_SW_DROP_TAKEN).
 */
enum sqn_sw_pin {
	SQN_SW_PIN_NONE = 0,
	SQN_SW_PIN_FIRST,
	SQN_SW_PIN_MAC,
};

/**
 * struct sqn_sw_port_cfg - one port's policy
 * @uplink:	the network's way out: isolated ports reach it and it
 *		reaches them
 * @isolate:	reaches only uplink ports, and only they reach it
 * @no_flood:	unknown unicast is not flooded to it (broadcast and
 *		multicast still are): for a port that answers only its own
 *		MAC and would treat a frame for another as its own traffic
 *		(a userspace network stack)
 * @pin:	which source MACs it may send from
 * @mac:	SQN_SW_PIN_MAC: the MAC
 * @cap:	most MACs it may own at once, at least 1; its oldest entry
 *		makes room for a new one. Reserved in the table when the
 *		port is added, so a port under its cap always has room
 */
struct sqn_sw_port_cfg {
	bool uplink;
	bool isolate;
	bool no_flood;
	enum sqn_sw_pin pin;
	uint8_t mac[6];
	uint32_t cap;
};

/**
 * struct sqn_sw_config - the switch as a whole
 * @max_ports:	port numbers are 0..max_ports-1, at most SQN_SW_PORTS_MAX
 * @table_size:	forwarding table entries; 0: SQN_SW_TABLE_DEFAULT
 * @age_ms:	an entry unseen for this long is forgotten; 0:
 *		SQN_SW_AGE_MS_DEFAULT
 * @seed:	key of the table's hash (random, so that nobody can choose
 *		MACs that collide)
 */
struct sqn_sw_config {
	unsigned max_ports;
	uint32_t table_size;
	uint64_t age_ms;
	uint64_t seed;
};

/**
 * enum sqn_sw_drop - why the switch dropped a frame
 * @SQN_SW_DROP_RUNT:	shorter than an Ethernet header
 * @SQN_SW_DROP_SRC:	the source MAC is multicast or all zero
 * @SQN_SW_DROP_PIN:	the source MAC is not the one the port is pinned to
 * @SQN_SW_DROP_TAKEN:	the source MAC is pinned to another port
 * @SQN_SW_DROP_ISOLATED: the destination is a port isolation keeps apart
 * @SQN_SW_DROP_LOCAL:	the destination lives on the sending port
 * @SQN_SW_DROP_COUNT:	number of causes
 */
enum sqn_sw_drop {
	SQN_SW_DROP_RUNT = 0,
	SQN_SW_DROP_SRC,
	SQN_SW_DROP_PIN,
	SQN_SW_DROP_TAKEN,
	SQN_SW_DROP_ISOLATED,
	SQN_SW_DROP_LOCAL,
	SQN_SW_DROP_COUNT
};

/**
 * enum sqn_sw_verdict - what became of a frame
 * @SQN_SW_DROPPED:	dropped, see struct sqn_sw_dest.why
 * @SQN_SW_UNICAST:	to the one port that owns the destination
 * @SQN_SW_FLOOD:	to every other port isolation allows (possibly none)
 */
enum sqn_sw_verdict {
	SQN_SW_DROPPED = 0,
	SQN_SW_UNICAST,
	SQN_SW_FLOOD,
};

/**
 * struct sqn_sw_dest - where a frame goes
 * @port:	the caller's array of max_ports entries: gets the ports
 * @n:		how many of them
 * @verdict:	unicast, flood, or dropped
 * @why:	SQN_SW_DROPPED: the cause
 * @unknown:	SQN_SW_FLOOD: a unicast destination nobody owns (not a
 *		broadcast or multicast)
 */
struct sqn_sw_dest {
	uint16_t *port;
	unsigned n;
	enum sqn_sw_verdict verdict;
	enum sqn_sw_drop why;
	bool unknown;
};

/**
 * struct sqn_sw_port_stats - what the switch saw of one port
 * @rx_frames:	frames the port sent into the switch
 * @rx_bytes:	their bytes
 * @unicast:	of those, forwarded to one port
 * @flood:	of those, flooded (broadcast, multicast, unknown unicast)
 * @flood_unknown: of the flooded, unknown unicast
 * @drops:	of those, dropped, by cause
 * @fwd_frames:	frames the switch sent to this port (unicast and flood
 *		copies)
 * @fwd_bytes:	their bytes
 * @learnt:	MACs the port came to own (new, or moved from another port)
 * @moved:	of those, MACs that were another port's
 * @evicted:	its MACs forgotten to make room under its cap
 * @aged:	its MACs forgotten because they went quiet
 * @macs:	MACs it owns now
 */
struct sqn_sw_port_stats {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t unicast;
	uint64_t flood;
	uint64_t flood_unknown;
	uint64_t drops[SQN_SW_DROP_COUNT];
	uint64_t fwd_frames;
	uint64_t fwd_bytes;
	uint64_t learnt;
	uint64_t moved;
	uint64_t evicted;
	uint64_t aged;
	uint32_t macs;
};

struct sqn_sw_entry;
struct sqn_sw_port;

/**
 * struct sqn_sw - a switch (members are the module's; read them through
 *		   the functions below)
 * @entry:	the table, @size entries
 * @bucket:	hash chains: index of the first entry, UINT32_MAX for none
 * @mask:	number of buckets - 1
 * @size:	table entries
 * @free:	head of the free list (UINT32_MAX: empty)
 * @used:	entries in use
 * @reserved:	sum of the caps of the ports that exist
 * @port:	@max_ports ports
 * @max_ports:	number of @port
 * @active:	the ports that exist, in no particular order
 * @nactive:	their number
 * @age_ms:	entry lifetime
 * @seed:	hash key
 */
struct sqn_sw {
	struct sqn_sw_entry *entry;
	uint32_t *bucket;
	uint32_t mask;
	uint32_t size;
	uint32_t free;
	uint32_t used;
	uint64_t reserved;
	struct sqn_sw_port *port;
	unsigned max_ports;
	uint16_t *active;
	unsigned nactive;
	uint64_t age_ms;
	uint64_t seed;
};

int sqn_sw_init(struct sqn_sw *sw, const struct sqn_sw_config *cfg);
void sqn_sw_free(struct sqn_sw *sw);
int sqn_sw_port_add(struct sqn_sw *sw, unsigned port,
		    const struct sqn_sw_port_cfg *cfg);
void sqn_sw_port_del(struct sqn_sw *sw, unsigned port);
bool sqn_sw_port_up(const struct sqn_sw *sw, unsigned port);
int sqn_sw_forward(struct sqn_sw *sw, unsigned in, const uint8_t *frame,
		   uint32_t len, uint64_t now_ms, struct sqn_sw_dest *dest);
unsigned sqn_sw_age(struct sqn_sw *sw, uint64_t now_ms);
int sqn_sw_lookup(const struct sqn_sw *sw, const uint8_t mac[6],
		  uint64_t now_ms);
void sqn_sw_port_stats(const struct sqn_sw *sw, unsigned port,
		       struct sqn_sw_port_stats *st);
bool sqn_sw_port_mac(const struct sqn_sw *sw, unsigned port, uint8_t mac[6]);
uint32_t sqn_sw_used(const struct sqn_sw *sw);
uint32_t sqn_sw_size(const struct sqn_sw *sw);
const char *sqn_sw_drop_name(enum sqn_sw_drop why);
int sqn_sw_check(const struct sqn_sw *sw, char *err, size_t errlen);

#endif /* SQN_SWITCH_H */
