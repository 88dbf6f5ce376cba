/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_switch.c - the switch core: learning, unicast, flooding, aging, per-port
 *		flush, isolation, MAC pins, caps, counters (fake clock)
 */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "switch.h"

#define NPORTS 8

static uint16_t dst_ports[NPORTS];
static struct sqn_sw_dest dest = {.port = dst_ports};

/* MACs: unicast, locally administered, last byte distinguishes */
#define MAC(n)                                                                 \
	{                                                                      \
		0x02, 0, 0, 0, 0, (uint8_t)(n)                                 \
	}
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mcast[6] = {0x33, 0x33, 0, 0, 0, 1};

/**
 * sw_check() - the table's invariants hold (prints the broken one)
 * @sw:	the switch
 *
 * Return: 1 when they hold
 */
static int sw_check(const struct sqn_sw *sw)
{
	char err[256];

	if (sqn_sw_check(sw, err, sizeof(err)) == 0)
		return 1;
	printf("# invariant: %s\n", err);
	return 0;
}

/**
 * fwd() - one frame from @dst/@src through the switch
 * @sw:		the switch
 * @in:		the port it comes in on
 * @dst:	destination MAC
 * @src:	source MAC
 * @now:	ms
 *
 * Return: what sqn_sw_forward() returned
 */
static int fwd(struct sqn_sw *sw, unsigned in, const uint8_t *dst,
	       const uint8_t *src, uint64_t now)
{
	uint8_t f[60] = {0};

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	return sqn_sw_forward(sw, in, f, sizeof(f), now, &dest);
}

/**
 * has_port() - whether the last verdict lists @port
 * @port:	the port
 *
 * Return: 1 if so
 */
static int has_port(unsigned port)
{
	unsigned i;

	for (i = 0; i < dest.n; i++)
		if (dest.port[i] == port)
			return 1;
	return 0;
}

static struct sqn_sw_port_cfg plain = {.cap = 16};

/**
 * make() - a switch of NPORTS numbers with ports 0..@n-1 up, plain
 * @sw:	the switch
 * @n:	ports to bring up
 */
static void make(struct sqn_sw *sw, unsigned n)
{
	struct sqn_sw_config c = {
		.max_ports = NPORTS, .table_size = 128, .seed = 0x1234};
	unsigned i;

	ASSERT(sqn_sw_init(sw, &c) == 0);
	for (i = 0; i < n; i++)
		ASSERT(sqn_sw_port_add(sw, i, &plain) == 0);
}

static void init_refuses(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = 0};

	CHECK_EQ(sqn_sw_init(&sw, &c), -EINVAL);
	c.max_ports = SQN_SW_PORTS_MAX + 1;
	CHECK_EQ(sqn_sw_init(&sw, &c), -EINVAL);
	c.max_ports = 4;
	c.table_size = SQN_SW_TABLE_MAX + 1;
	CHECK_EQ(sqn_sw_init(&sw, &c), -EINVAL);
	c.table_size = 0;
	ASSERT(sqn_sw_init(&sw, &c) == 0);
	CHECK_EQ(sqn_sw_size(&sw), SQN_SW_TABLE_DEFAULT);
	CHECK_EQ(sqn_sw_used(&sw), 0);
	CHECK_EQ(sqn_sw_port_add(&sw, 4, &plain), -EINVAL); /* out of range */
	CHECK_EQ(sqn_sw_port_add(&sw, 0, &plain), 0);
	CHECK_EQ(sqn_sw_port_add(&sw, 0, &plain), -EINVAL); /* already up */
	{
		struct sqn_sw_port_cfg z = {.cap = 0};

		CHECK_EQ(sqn_sw_port_add(&sw, 1, &z), -EINVAL);
	}
	CHECK_EQ(fwd(&sw, 2, bcast, (uint8_t[])MAC(1), 0), -EINVAL);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
	sqn_sw_free(&sw); /* twice is fine */
}

static void learn_then_unicast(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), b[] = MAC(2);

	make(&sw, 3);
	/* a broadcast from a on port 0: to 1 and 2, not back to 0 */
	CHECK_EQ(fwd(&sw, 0, bcast, a, 0), 2);
	CHECK_EQ(dest.verdict, SQN_SW_FLOOD);
	CHECK(!dest.unknown);
	CHECK(has_port(1) && has_port(2) && !has_port(0));
	CHECK_EQ(sqn_sw_lookup(&sw, a, 0), 0);
	/* b answers a: unicast to port 0 alone, and b is learnt on 1 */
	CHECK_EQ(fwd(&sw, 1, a, b, 1), 1);
	CHECK_EQ(dest.verdict, SQN_SW_UNICAST);
	CHECK_EQ(dest.port[0], 0);
	CHECK_EQ(sqn_sw_lookup(&sw, b, 1), 1);
	/* now a to b is unicast too: port 2 sees none of it */
	CHECK_EQ(fwd(&sw, 0, b, a, 2), 1);
	CHECK_EQ(dest.port[0], 1);
	{
		struct sqn_sw_port_stats s0, s1, s2;

		sqn_sw_port_stats(&sw, 0, &s0);
		sqn_sw_port_stats(&sw, 1, &s1);
		sqn_sw_port_stats(&sw, 2, &s2);
		CHECK_EQ(s0.rx_frames, 2);
		CHECK_EQ(s0.rx_bytes, 120);
		CHECK_EQ(s0.flood, 1);
		CHECK_EQ(s0.unicast, 1);
		CHECK_EQ(s1.unicast, 1);
		CHECK_EQ(s0.fwd_frames, 1);
		CHECK_EQ(s1.fwd_frames, 2);
		CHECK_EQ(s2.fwd_frames, 1); /* the broadcast only */
		CHECK_EQ(s2.fwd_bytes, 60);
		CHECK_EQ(s0.macs, 1);
		CHECK_EQ(s0.learnt, 1);
		CHECK_EQ(s2.macs, 0);
	}
	CHECK_EQ(sqn_sw_used(&sw), 2);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void flood_unknown_and_multicast(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), nobody[] = MAC(99);
	struct sqn_sw_port_stats s;

	make(&sw, 4);
	CHECK_EQ(fwd(&sw, 2, nobody, a, 0), 3);
	CHECK(dest.unknown);
	CHECK(has_port(0) && has_port(1) && has_port(3) && !has_port(2));
	CHECK_EQ(fwd(&sw, 2, mcast, a, 0), 3);
	CHECK(!dest.unknown);
	CHECK(!has_port(2));
	sqn_sw_port_stats(&sw, 2, &s);
	CHECK_EQ(s.flood, 2);
	CHECK_EQ(s.flood_unknown, 1);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void bad_frames_dropped(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), zero[6] = {0};
	struct sqn_sw_port_stats s;
	uint8_t runt[13] = {0};

	make(&sw, 2);
	CHECK_EQ(sqn_sw_forward(&sw, 0, runt, sizeof(runt), 0, &dest), 0);
	CHECK_EQ(dest.verdict, SQN_SW_DROPPED);
	CHECK_EQ(dest.why, SQN_SW_DROP_RUNT);
	CHECK_EQ(fwd(&sw, 0, a, mcast, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_SRC);
	CHECK_EQ(fwd(&sw, 0, a, bcast, 0), 0);
	CHECK_EQ(fwd(&sw, 0, a, zero, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_SRC);
	/* a frame to a MAC on its own port goes nowhere */
	CHECK_EQ(fwd(&sw, 0, bcast, a, 0), 1);
	CHECK_EQ(fwd(&sw, 0, a, (uint8_t[])MAC(2), 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_LOCAL);
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.drops[SQN_SW_DROP_RUNT], 1);
	CHECK_EQ(s.drops[SQN_SW_DROP_SRC], 3);
	CHECK_EQ(s.drops[SQN_SW_DROP_LOCAL], 1);
	CHECK_EQ(s.rx_frames, 6);
	CHECK_EQ(sqn_sw_used(&sw), 2); /* a, and MAC(2) learnt on port 0 */
	CHECK_STR_HAS(sqn_sw_drop_name(SQN_SW_DROP_ISOLATED), "isolated");
	CHECK_STR_HAS(sqn_sw_drop_name(SQN_SW_DROP_COUNT), "?");
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void aging_on_fake_clock(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), b[] = MAC(2);
	const uint64_t age = SQN_SW_AGE_MS_DEFAULT;
	struct sqn_sw_port_stats s;

	make(&sw, 3);
	CHECK_EQ(fwd(&sw, 0, bcast, a, 1000), 2);
	CHECK_EQ(fwd(&sw, 1, bcast, b, 1000), 2);
	/* alive until exactly 300 s after it was last seen */
	CHECK_EQ(sqn_sw_lookup(&sw, a, 1000 + age - 1), 0);
	CHECK_EQ(sqn_sw_age(&sw, 1000 + age - 1), 0);
	/* b speaks again: refreshed, a does not */
	CHECK_EQ(fwd(&sw, 1, bcast, b, 1000 + age - 1), 2);
	CHECK_EQ(sqn_sw_lookup(&sw, a, 1000 + age), -1);
	CHECK_EQ(sqn_sw_lookup(&sw, b, 1000 + age), 1);
	/* a frame for the expired a floods again, and forgets it */
	CHECK_EQ(fwd(&sw, 1, a, b, 1000 + age), 2);
	CHECK(dest.unknown);
	CHECK_EQ(sqn_sw_used(&sw), 1);
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.aged, 1);
	CHECK_EQ(s.macs, 0);
	/* the periodic sweep forgets b 300 s after its last frame */
	CHECK_EQ(sqn_sw_age(&sw, 1000 + 2 * age - 1), 0);
	CHECK_EQ(sqn_sw_age(&sw, 1000 + 2 * age), 1);
	CHECK_EQ(sqn_sw_used(&sw), 0);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);

	/* a configured lifetime */
	{
		struct sqn_sw_config c = {.max_ports = 2, .age_ms = 10};

		ASSERT(sqn_sw_init(&sw, &c) == 0);
		ASSERT(sqn_sw_port_add(&sw, 0, &plain) == 0);
		ASSERT(sqn_sw_port_add(&sw, 1, &plain) == 0);
		fwd(&sw, 0, bcast, a, 5);
		CHECK_EQ(sqn_sw_lookup(&sw, a, 14), 0);
		CHECK_EQ(sqn_sw_age(&sw, 15), 1);
		/* time that seems to go back ages nothing */
		fwd(&sw, 0, bcast, a, 100);
		CHECK_EQ(sqn_sw_lookup(&sw, a, 50), 0);
		CHECK(sw_check(&sw));
		sqn_sw_free(&sw);
	}
}

static void port_del_flushes(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), a2[] = MAC(11), b[] = MAC(2);
	struct sqn_sw_port_stats s;

	make(&sw, 3);
	fwd(&sw, 0, bcast, a, 0);
	fwd(&sw, 0, bcast, a2, 0);
	fwd(&sw, 1, bcast, b, 0);
	CHECK_EQ(sqn_sw_used(&sw), 3);
	sqn_sw_port_del(&sw, 0);
	CHECK(!sqn_sw_port_up(&sw, 0));
	CHECK_EQ(sqn_sw_lookup(&sw, a, 0), -1);
	CHECK_EQ(sqn_sw_lookup(&sw, a2, 0), -1);
	CHECK_EQ(sqn_sw_lookup(&sw, b, 0), 1);
	CHECK_EQ(sqn_sw_used(&sw), 1);
	/* frames for its MACs flood to the ports that are left */
	CHECK_EQ(fwd(&sw, 1, a, b, 0), 1);
	CHECK(has_port(2) && !has_port(0));
	CHECK_EQ(fwd(&sw, 0, bcast, a, 0), -EINVAL);
	/* the number comes back fresh */
	ASSERT(sqn_sw_port_add(&sw, 0, &plain) == 0);
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.rx_frames, 0);
	CHECK_EQ(s.macs, 0);
	sqn_sw_port_del(&sw, 0);
	sqn_sw_port_del(&sw, 0); /* down already: nothing */
	sqn_sw_port_del(&sw, NPORTS + 5);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void mac_moves(void)
{
	struct sqn_sw sw;
	const uint8_t a[] = MAC(1), b[] = MAC(2);
	struct sqn_sw_port_stats s;

	make(&sw, 3);
	fwd(&sw, 0, bcast, a, 0);
	fwd(&sw, 2, bcast, b, 0);
	fwd(&sw, 1, bcast, a, 1); /* a shows up on port 1 */
	CHECK_EQ(sqn_sw_lookup(&sw, a, 1), 1);
	CHECK_EQ(fwd(&sw, 2, a, b, 1), 1);
	CHECK_EQ(dest.port[0], 1);
	sqn_sw_port_stats(&sw, 1, &s);
	CHECK_EQ(s.moved, 1);
	CHECK_EQ(s.macs, 1);
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.macs, 0);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void isolation(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = NPORTS, .table_size = 64};
	struct sqn_sw_port_cfg up = {.uplink = true, .cap = 8},
			       iso = {.isolate = true, .cap = 8};
	const uint8_t u[] = MAC(10), a[] = MAC(1), b[] = MAC(2), n[] = MAC(3);
	struct sqn_sw_port_stats s;

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	ASSERT(sqn_sw_port_add(&sw, 0, &up) == 0);
	ASSERT(sqn_sw_port_add(&sw, 1, &iso) == 0);
	ASSERT(sqn_sw_port_add(&sw, 2, &iso) == 0);
	ASSERT(sqn_sw_port_add(&sw, 3, &plain) == 0);
	/* the uplink's broadcast reaches everyone */
	CHECK_EQ(fwd(&sw, 0, bcast, u, 0), 3);
	/* an isolated port's broadcast reaches the uplink only */
	CHECK_EQ(fwd(&sw, 1, bcast, a, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	CHECK_EQ(fwd(&sw, 2, bcast, b, 0), 1);
	/* a plain port's broadcast skips the isolated ones */
	CHECK_EQ(fwd(&sw, 3, bcast, n, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	/* isolated to isolated, isolated to plain and back: dropped */
	CHECK_EQ(fwd(&sw, 1, b, a, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_ISOLATED);
	CHECK_EQ(fwd(&sw, 1, n, a, 0), 0);
	CHECK_EQ(fwd(&sw, 3, a, n, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_ISOLATED);
	/* to and from the uplink: fine */
	CHECK_EQ(fwd(&sw, 1, u, a, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	CHECK_EQ(fwd(&sw, 0, a, u, 0), 1);
	CHECK_EQ(dest.port[0], 1);
	/* unknown unicast from an isolated port: the uplink only */
	CHECK_EQ(fwd(&sw, 2, (uint8_t[])MAC(77), b, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	sqn_sw_port_stats(&sw, 1, &s);
	CHECK_EQ(s.drops[SQN_SW_DROP_ISOLATED], 2);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void no_flood_port(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = NPORTS};
	struct sqn_sw_port_cfg stack = {
		.uplink = true, .no_flood = true, .cap = 4};
	const uint8_t g[] = MAC(10), a[] = MAC(1);

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	ASSERT(sqn_sw_port_add(&sw, 0, &stack) == 0);
	ASSERT(sqn_sw_port_add(&sw, 1, &plain) == 0);
	ASSERT(sqn_sw_port_add(&sw, 2, &plain) == 0);
	/* unknown unicast: not to the stack */
	CHECK_EQ(fwd(&sw, 1, (uint8_t[])MAC(50), a, 0), 1);
	CHECK_EQ(dest.port[0], 2);
	/* broadcast: to the stack too */
	CHECK_EQ(fwd(&sw, 1, bcast, a, 0), 2);
	CHECK(has_port(0));
	/* its own MAC, once known: unicast to it */
	fwd(&sw, 0, a, g, 0);
	CHECK_EQ(fwd(&sw, 1, g, a, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void pin_first(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = NPORTS};
	struct sqn_sw_port_cfg pin = {.pin = SQN_SW_PIN_FIRST, .cap = 4};
	const uint8_t a[] = MAC(1), evil[] = MAC(66), b[] = MAC(2);
	struct sqn_sw_port_stats s;
	uint8_t m[6];

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	ASSERT(sqn_sw_port_add(&sw, 0, &pin) == 0);
	ASSERT(sqn_sw_port_add(&sw, 1, &plain) == 0);
	ASSERT(sqn_sw_port_add(&sw, 2, &plain) == 0);
	CHECK(!sqn_sw_port_mac(&sw, 0, m));
	CHECK_EQ(fwd(&sw, 0, bcast, a, 0), 2);
	CHECK(sqn_sw_port_mac(&sw, 0, m) && !memcmp(m, a, 6));
	/* another source on the pinned port: dropped, counted */
	CHECK_EQ(fwd(&sw, 0, bcast, evil, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_PIN);
	CHECK_EQ(sqn_sw_lookup(&sw, evil, 0), -1);
	/* another port sending from the pinned MAC: dropped, not moved */
	CHECK_EQ(fwd(&sw, 1, bcast, a, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_TAKEN);
	CHECK_EQ(sqn_sw_lookup(&sw, a, 0), 0);
	/* the pin does not age */
	CHECK_EQ(sqn_sw_age(&sw, 10ull * SQN_SW_AGE_MS_DEFAULT), 0);
	CHECK_EQ(sqn_sw_lookup(&sw, a, 10ull * SQN_SW_AGE_MS_DEFAULT), 0);
	CHECK_EQ(fwd(&sw, 2, a, b, 10ull * SQN_SW_AGE_MS_DEFAULT), 1);
	CHECK_EQ(dest.port[0], 0);
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.drops[SQN_SW_DROP_PIN], 1);
	CHECK_EQ(s.macs, 1);
	sqn_sw_port_stats(&sw, 1, &s);
	CHECK_EQ(s.drops[SQN_SW_DROP_TAKEN], 1);
	/* the port goes: so does its pin */
	sqn_sw_port_del(&sw, 0);
	CHECK_EQ(sqn_sw_lookup(&sw, a, 0), -1);
	CHECK_EQ(fwd(&sw, 1, bcast, a, 0), 1);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void pin_configured(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = NPORTS};
	struct sqn_sw_port_cfg pin = {
		.pin = SQN_SW_PIN_MAC, .mac = MAC(5), .cap = 1};
	const uint8_t five[] = MAC(5), b[] = MAC(2);

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	ASSERT(sqn_sw_port_add(&sw, 1, &plain) == 0);
	/* an unpinned entry of the MAC elsewhere gives way to the pin */
	fwd(&sw, 1, bcast, five, 0);
	CHECK_EQ(sqn_sw_lookup(&sw, five, 0), 1);
	ASSERT(sqn_sw_port_add(&sw, 0, &pin) == 0);
	/* known before the port says anything: unicast to it */
	CHECK_EQ(sqn_sw_lookup(&sw, five, 0), 0);
	CHECK_EQ(fwd(&sw, 1, five, b, 0), 1);
	CHECK_EQ(dest.port[0], 0);
	CHECK_EQ(fwd(&sw, 0, bcast, b, 0), 0);
	CHECK_EQ(dest.why, SQN_SW_DROP_PIN);
	CHECK_EQ(fwd(&sw, 0, b, five, 0), 1);
	/* a second port cannot pin the same MAC; bad pins are refused */
	CHECK_EQ(sqn_sw_port_add(&sw, 2, &pin), -EADDRINUSE);
	pin.mac[0] = 1;
	CHECK_EQ(sqn_sw_port_add(&sw, 2, &pin), -EINVAL);
	memset(pin.mac, 0, 6);
	CHECK_EQ(sqn_sw_port_add(&sw, 2, &pin), -EINVAL);
	CHECK(!sqn_sw_port_up(&sw, 2));
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void caps_reserved(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = NPORTS, .table_size = 64};
	struct sqn_sw_port_cfg big = {.cap = 40}, small = {.cap = 24};

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	CHECK_EQ(sqn_sw_port_add(&sw, 0, &big), 0);
	CHECK_EQ(sqn_sw_port_add(&sw, 1, &small), 0);
	CHECK_EQ(sqn_sw_port_add(&sw, 2, &(struct sqn_sw_port_cfg){.cap = 1}),
		 -ENOSPC);
	sqn_sw_port_del(&sw, 1);
	CHECK_EQ(sqn_sw_port_add(&sw, 2, &small), 0);
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static void random_macs_cannot_exhaust(void)
{
	struct sqn_sw sw;
	struct sqn_sw_config c = {.max_ports = 4, .table_size = 64, .seed = 99};
	struct sqn_sw_port_cfg cap = {.cap = 16};
	struct sqn_sw_port_stats s;
	uint64_t x = 88172645463325252ull;
	unsigned i, p;

	ASSERT(sqn_sw_init(&sw, &c) == 0);
	for (p = 0; p < 4; p++)
		ASSERT(sqn_sw_port_add(&sw, p, &cap) == 0);
	/* ports 1..3 each own 16 MACs */
	for (p = 1; p < 4; p++)
		for (i = 0; i < 16; i++)
			fwd(&sw, p, bcast,
			    (uint8_t[]){0x02, 0, 0, 0, (uint8_t)p, (uint8_t)i},
			    0);
	CHECK_EQ(sqn_sw_used(&sw), 48);
	/* port 0 sends from 100 000 random MACs */
	for (i = 0; i < 100000; i++) {
		uint8_t m[6];

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(m, &x, 6);
		m[0] = (uint8_t)((m[0] & 0xfe) | 0x02);
		fwd(&sw, 0, bcast, m, i);
	}
	sqn_sw_port_stats(&sw, 0, &s);
	CHECK_EQ(s.macs, 16);
	CHECK(s.evicted >= 100000 - 16 - 5);
	CHECK(sqn_sw_used(&sw) <= 64);
	/* every MAC of the other ports is still known: unicast works */
	for (p = 1; p < 4; p++)
		for (i = 0; i < 16; i++) {
			uint8_t m[6] = {0x02, 0, 0, 0, (uint8_t)p, (uint8_t)i};

			CHECK_EQ(sqn_sw_lookup(&sw, m, 100000), (int)p);
		}
	CHECK_EQ(fwd(&sw, 1, (uint8_t[]){0x02, 0, 0, 0, 3, 7},
		     (uint8_t[]){0x02, 0, 0, 0, 1, 0}, 100000),
		 1);
	CHECK_EQ(dest.port[0], 3);
	printf("# port 0 sent from 100000 MACs: owns %u, evicted %llu; "
	       "table %u/%u\n",
	       s.macs, (unsigned long long)s.evicted, sqn_sw_used(&sw),
	       sqn_sw_size(&sw));
	CHECK(sw_check(&sw));
	sqn_sw_free(&sw);
}

static const struct check_case cases[] = {
	CASE(init_refuses),
	CASE(learn_then_unicast),
	CASE(flood_unknown_and_multicast),
	CASE(bad_frames_dropped),
	CASE(aging_on_fake_clock),
	CASE(port_del_flushes),
	CASE(mac_moves),
	CASE(isolation),
	CASE(no_flood_port),
	CASE(pin_first),
	CASE(pin_configured),
	CASE(caps_reserved),
	CASE(random_macs_cannot_exhaust),
};
CHECK_MAIN(cases)
