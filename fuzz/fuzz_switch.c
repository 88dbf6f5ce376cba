/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_switch.c - the switch core driven by random frames from random ports
 *
 * The input picks the switch's size and lifetime, then a sequence of
 * operations: add a port (random policy: uplink, isolated, no_flood, pin
 * first or a configured MAC, cap), delete one, forward a frame (a runt, or
 * destination and source from a small pool of MACs, broadcast, multicast,
 * zero, or random bytes) from a port, age the table, move the clock on.
 * Checked after every step: the table's own invariants (sqn_sw_check(),
 * which include every port within its cap and the caps within the table),
 * and for every frame: never back to the sender, no port twice, every
 * destination up and allowed by isolation, a flood reaching exactly the
 * ports it should, unicast to the owner a lookup names, a forwarded frame's
 * source learnt on its port (a port can always learn, whatever the others
 * sent), a pinned port never sending from another MAC, and each port's
 * counters adding up (frames in = unicast + flood + drops; copies out =
 * what the verdicts named).
 */
#include <errno.h>

#include "fuzz_util.h"
#include "switch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_PORTS 12
#define FZ_POOL 16

/**
 * pool_mac() - one of a few MACs, so that lookups hit
 * @k:	which
 * @m:	gets it: unicast, except 14 (broadcast) and 15 (multicast)
 */
static void pool_mac(unsigned k, uint8_t *m)
{
	static const uint8_t b[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0, 0, 1};

	k %= FZ_POOL;
	if (k == 14) {
		memcpy(m, b, 6);
	} else if (k == 15) {
		memcpy(m, mc, 6);
	} else {
		static const uint8_t u[6] = {0x52, 0x54, 0, 0x12, 0x34, 0};

		memcpy(m, u, 6);
		m[5] = (uint8_t)k;
	}
}

/**
 * pick_mac() - a MAC from the input: the pool, zero, or random bytes
 * @f:	the cursor
 * @m:	gets it
 */
static void pick_mac(struct fz *f, uint8_t *m)
{
	uint8_t k = fz_u8(f);
	unsigned i;

	if (k < 0xe0) {
		pool_mac(k, m);
	} else if (k < 0xf0) {
		memset(m, 0, 6);
	} else {
		for (i = 0; i < 6; i++)
			m[i] = fz_u8(f);
	}
}

/**
 * model_allowed() - isolation, as the model says it
 * @cfg:	the ports' policies
 * @a:		one port
 * @b:		the other
 *
 * Return: true if they may talk
 */
static bool model_allowed(const struct sqn_sw_port_cfg *cfg, unsigned a,
			  unsigned b)
{
	return cfg[a].uplink || cfg[b].uplink ||
	       (!cfg[a].isolate && !cfg[b].isolate);
}

/**
 * check_counters() - a port's counters add up
 * @sw:		the switch
 * @port:	the port, up
 * @copies:	copies the model saw go to it
 */
static void check_counters(const struct sqn_sw *sw, unsigned port,
			   uint64_t copies)
{
	struct sqn_sw_port_stats s;
	uint64_t d = 0;
	unsigned k;

	sqn_sw_port_stats(sw, port, &s);
	for (k = 0; k < SQN_SW_DROP_COUNT; k++)
		d += s.drops[k];
	FZ_REQUIRE(s.rx_frames == s.unicast + s.flood + d);
	FZ_REQUIRE(s.flood_unknown <= s.flood);
	FZ_REQUIRE(s.fwd_frames == copies);
	FZ_REQUIRE(s.moved <= s.learnt);
}

/**
 * forward_one() - one frame through the switch, checked against the model
 * @sw:		the switch
 * @cfg:	the model's port policies
 * @up:		the model's ports that are up
 * @copies:	per port, copies sent to it (updated)
 * @f:		the cursor
 * @now:	ms
 */
static void forward_one(struct sqn_sw *sw, const struct sqn_sw_port_cfg *cfg,
			const bool *up, uint64_t *copies, struct fz *f,
			uint64_t now)
{
	uint16_t ports[FZ_PORTS];
	struct sqn_sw_dest d = {.port = ports};
	uint8_t frame[64] = {0}, pin[6];
	unsigned in = fz_u8(f) % FZ_PORTS, len, k, j;
	bool had_pin, seen[FZ_PORTS] = {false};
	int rc, pre;

	len = fz_u8(f) & 0x3f;
	len = len < 8 ? len : 60;
	pick_mac(f, frame);
	pick_mac(f, frame + 6);
	pre = sqn_sw_lookup(sw, frame, now);
	had_pin = cfg[in].pin != SQN_SW_PIN_NONE && up[in] &&
		  sqn_sw_port_mac(sw, in, pin);
	rc = sqn_sw_forward(sw, in, frame, len, now, &d);
	if (!up[in]) {
		FZ_REQUIRE(rc == -EINVAL);
		return;
	}
	FZ_REQUIRE(rc >= 0 && (unsigned)rc == d.n);
	for (k = 0; k < d.n; k++) {
		unsigned out = d.port[k];

		FZ_REQUIRE(out < FZ_PORTS && up[out] && out != in);
		FZ_REQUIRE(!seen[out]);
		FZ_REQUIRE(model_allowed(cfg, in, out));
		seen[out] = true;
		copies[out]++;
	}
	if (len < 14) {
		FZ_REQUIRE(d.verdict == SQN_SW_DROPPED &&
			   d.why == SQN_SW_DROP_RUNT);
		return;
	}
	if (d.verdict == SQN_SW_DROPPED &&
	    (d.why == SQN_SW_DROP_SRC || d.why == SQN_SW_DROP_PIN ||
	     d.why == SQN_SW_DROP_TAKEN)) {
		FZ_REQUIRE(d.why != SQN_SW_DROP_SRC || (frame[6] & 1) ||
			   !memcmp(frame + 6, "\0\0\0\0\0\0", 6));
		FZ_REQUIRE(d.why != SQN_SW_DROP_PIN ||
			   (had_pin && memcmp(pin, frame + 6, 6) != 0));
		return;
	}
	/* the source was accepted: it is the port's now */
	FZ_REQUIRE(!(frame[6] & 1));
	FZ_REQUIRE(sqn_sw_lookup(sw, frame + 6, now) == (int)in);
	FZ_REQUIRE(!had_pin || !memcmp(pin, frame + 6, 6));
	if (frame[0] & 1) {
		FZ_REQUIRE(d.verdict == SQN_SW_FLOOD && !d.unknown);
	} else if (!memcmp(frame, frame + 6, 6)) {
		FZ_REQUIRE(d.verdict == SQN_SW_DROPPED &&
			   d.why == SQN_SW_DROP_LOCAL);
		return;
	} else if (pre >= 0 && pre != (int)in) {
		/* learning the source touched only the sender's entries */
		if (model_allowed(cfg, in, (unsigned)pre))
			FZ_REQUIRE(d.verdict == SQN_SW_UNICAST &&
				   d.port[0] == pre);
		else
			FZ_REQUIRE(d.verdict == SQN_SW_DROPPED &&
				   d.why == SQN_SW_DROP_ISOLATED);
		return;
	} else if (pre < 0) {
		FZ_REQUIRE(d.verdict == SQN_SW_FLOOD && d.unknown);
	} else {
		/* owned by the sender: local, unless its own cap evicted it */
		FZ_REQUIRE((d.verdict == SQN_SW_DROPPED &&
			    d.why == SQN_SW_DROP_LOCAL) ||
			   (d.verdict == SQN_SW_FLOOD && d.unknown));
		if (d.verdict == SQN_SW_DROPPED)
			return;
	}
	/* a flood reaches exactly the ports it should */
	for (j = 0; j < FZ_PORTS; j++) {
		bool want = up[j] && j != in && model_allowed(cfg, in, j) &&
			    !(d.unknown && cfg[j].no_flood);

		FZ_REQUIRE(want == seen[j]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct sqn_sw_config c = {0};
	struct sqn_sw_port_cfg cfg[FZ_PORTS];
	uint64_t copies[FZ_PORTS] = {0}, now = 0;
	bool up[FZ_PORTS] = {false};
	struct sqn_sw sw;
	char err[256];
	unsigned k;

	if (size > 8000)
		return 0;
	memset(cfg, 0, sizeof(cfg));
	c.max_ports = FZ_PORTS;
	c.table_size = 1 + fz_u8(&f) % 64;
	c.age_ms = 1 + fz_u8(&f) % 200;
	c.seed = fz_u32(&f);
	FZ_REQUIRE(sqn_sw_init(&sw, &c) == 0);

	while (f.n) {
		uint8_t op = fz_u8(&f) % 8;
		unsigned p = fz_u8(&f) % FZ_PORTS;

		if (op == 0) {
			struct sqn_sw_port_cfg pc = {0};
			uint8_t bits = fz_u8(&f);
			int rc;

			pc.uplink = bits & 1;
			pc.isolate = bits & 2;
			pc.no_flood = bits & 4;
			pc.pin = (enum sqn_sw_pin)((bits >> 3) % 3);
			pool_mac(bits >> 5, pc.mac);
			pc.cap = fz_u8(&f) % 12;
			rc = sqn_sw_port_add(&sw, p, &pc);
			if (rc == 0) {
				FZ_REQUIRE(!up[p]);
				up[p] = true;
				cfg[p] = pc;
				copies[p] = 0;
			} else {
				FZ_REQUIRE(up[p] || !pc.cap || rc == -ENOSPC ||
					   rc == -EADDRINUSE ||
					   (pc.pin == SQN_SW_PIN_MAC &&
					    rc == -EINVAL));
			}
			FZ_REQUIRE(sqn_sw_port_up(&sw, p) == up[p]);
		} else if (op == 1) {
			sqn_sw_port_del(&sw, p);
			up[p] = false;
		} else if (op == 2) {
			FZ_REQUIRE(sqn_sw_age(&sw, now) <= sqn_sw_size(&sw));
		} else if (op == 3) {
			now += fz_u8(&f);
		} else {
			f.p--, f.n++; /* the port byte is forward_one()'s */
			forward_one(&sw, cfg, up, copies, &f, now);
		}
		if (sqn_sw_check(&sw, err, sizeof(err))) {
			fprintf(stderr, "invariant broken: %s\n", err);
			abort();
		}
		for (k = 0; k < FZ_PORTS; k++)
			if (up[k])
				check_counters(&sw, k, copies[k]);
		FZ_REQUIRE(sqn_sw_used(&sw) <= sqn_sw_size(&sw));
	}
	sqn_sw_free(&sw);
	return 0;
}
