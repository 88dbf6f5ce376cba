/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ratelimit.c - the rate limiter's invariants under any sequence of
 *		      frames, clock steps and run-time updates
 *
 * The input picks both buckets, then operations: advance the clock (ns,
 * us or ms steps), offer a frame, update a bucket (Firecracker's PATCH),
 * or wait out the limiter and a whole refill time. Checked at every step:
 * - bytes (frames) passed since a bucket was (re)set never exceed its
 *   size + one-time burst + the tokens of the time since, plus the frames
 *   that asked for more than the bucket holds (those always pass, and
 *   block the limiter instead);
 * - a blocked limiter refuses and changes no bucket; a refusal blocks for
 *   exactly SQN_RL_REFILL_TIMER_MS; an over-consumption blocks no longer
 *   than its whole frame takes to refill;
 * - budget <= size, burst <= its configured size, the refill clock never
 *   ahead of the caller's;
 * - after the block and one whole refill time, a frame the bucket holds
 *   passes (no starvation);
 * - a configuration is either accepted or refused with a message.
 */
#include <errno.h>

#include "fuzz_util.h"
#include "ratelimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef unsigned __int128 u128;

/**
 * struct epoch - what passed through one bucket since it was (re)set
 * @start:	when it was set
 * @burst:	its one-time burst then
 * @passed:	tokens taken since
 * @over:	tokens of the requests that over-consumed
 */
struct epoch {
	uint64_t start;
	uint64_t burst;
	uint64_t passed;
	uint64_t over;
};

/**
 * fz_bucket() - a bucket configuration from the input: small and large
 *		 sizes, refill times up to a minute, sometimes disabled
 * @f:	the cursor
 *
 * Return: the configuration
 */
static struct sqn_tb_config fz_bucket(struct fz *f)
{
	struct sqn_tb_config c;
	uint8_t shape = fz_u8(f);

	c.size = fz_u32(f) >> (shape & 15);
	c.one_time_burst = shape & 0x10 ? fz_u32(f) : 0;
	c.refill_time_ms = (fz_u32(f) >> ((shape >> 5) * 3)) % 60001;
	return c;
}

/**
 * check_bucket() - the state invariants of one bucket
 * @b:		the bucket
 * @now:	the caller's clock
 */
static void check_bucket(const struct sqn_tb *b, uint64_t now)
{
	if (!sqn_tb_enabled(b))
		return;
	FZ_REQUIRE(b->budget <= b->size);
	FZ_REQUIRE(b->burst <= b->initial_burst);
	FZ_REQUIRE(b->last_ns <= now);
	FZ_REQUIRE(b->cap_q && b->refill_q);
}

/**
 * check_bound() - passed tokens within size + burst + rate * time + over
 * @b:		the bucket
 * @e:		its epoch
 * @now:	the clock
 */
static void check_bound(const struct sqn_tb *b, const struct epoch *e,
			uint64_t now)
{
	u128 allowed;

	if (!sqn_tb_enabled(b))
		return;
	allowed = (u128)b->size + e->burst + e->over +
		  (u128)(now - e->start) * b->size /
			  ((u128)b->refill_ms * SQN_RL_NS_PER_MS);
	FZ_REQUIRE((u128)e->passed <= allowed);
}

/**
 * offer() - offer one frame and check what the limiter did with it
 * @l:		the limiter
 * @ep:		the epochs of its bytes and ops buckets
 * @len:	the frame's length
 * @now:	the clock
 *
 * Return: whether it passed
 */
static bool offer(struct sqn_rl *l, struct epoch ep[2], uint64_t len,
		  uint64_t now)
{
	struct sqn_rl before = *l;
	bool was_blocked = sqn_rl_blocked(l, now);
	bool over = sqn_tb_enabled(&l->bandwidth) && len > l->bandwidth.burst &&
		    len - l->bandwidth.burst > l->bandwidth.size;
	bool ok = sqn_rl_frame(l, len, now);

	if (was_blocked) {
		FZ_REQUIRE(!ok);
		FZ_REQUIRE(!memcmp(&before.bandwidth, &l->bandwidth,
				   sizeof(l->bandwidth)));
		FZ_REQUIRE(!memcmp(&before.ops, &l->ops, sizeof(l->ops)));
		FZ_REQUIRE(l->until_ns == before.until_ns);
		return false;
	}
	if (!ok) {
		/* a refusal blocks for the refill timer, exactly */
		FZ_REQUIRE(l->blocked);
		FZ_REQUIRE(sqn_rl_wait_ns(l, now) ==
			   SQN_RL_REFILL_TIMER_MS * SQN_RL_NS_PER_MS);
		FZ_REQUIRE(l->throttled == before.throttled + 1);
		return false;
	}
	ep[0].passed += sqn_tb_enabled(&l->bandwidth) ? len : 0;
	ep[1].passed += sqn_tb_enabled(&l->ops) ? 1 : 0;
	if (over) {
		ep[0].over += len;
		/* blocked no longer than the whole frame takes to refill */
		FZ_REQUIRE(sqn_rl_wait_ns(l, now) <=
			   (u128)len * l->bandwidth.refill_ms /
				   l->bandwidth.size * SQN_RL_NS_PER_MS);
	}
	return true;
}

/**
 * starve_check() - wait out the block and a refill: a frame that fits
 *		    the bucket must pass
 * @l:		the limiter
 * @now:	the clock, moved
 * @len:	a frame length, cut to what the bytes bucket holds
 * @ep:		the epochs
 */
static void starve_check(struct sqn_rl *l, uint64_t *now, uint64_t len,
			 struct epoch ep[2])
{
	uint64_t refill = l->bandwidth.refill_ms > l->ops.refill_ms
				  ? l->bandwidth.refill_ms
				  : l->ops.refill_ms;

	*now += sqn_rl_wait_ns(l, *now) + refill * SQN_RL_NS_PER_MS;
	if (sqn_tb_enabled(&l->bandwidth) && len > l->bandwidth.size)
		len = l->bandwidth.size;
	FZ_REQUIRE(!sqn_rl_blocked(l, *now));
	FZ_REQUIRE(offer(l, ep, len, *now));
}

/**
 * check_config() - any refill time is accepted or refused with a message
 * @f:	the cursor
 */
static void check_config(struct fz *f)
{
	struct sqn_rl_config c = {0};
	char err[256] = "";
	int rc;

	c.bandwidth.refill_time_ms = (uint64_t)fz_u32(f) << 32 | fz_u32(f);
	c.ops.refill_time_ms = fz_u8(f);
	rc = sqn_rl_config_check(&c, "rx_rate_limiter", err, sizeof(err));
	FZ_REQUIRE(rc == 0 || rc == -EINVAL);
	FZ_REQUIRE(rc == 0 || strstr(err, "rx_rate_limiter.bandwidth"));
	FZ_REQUIRE((rc == 0) == (c.bandwidth.refill_time_ms <=
				 UINT64_MAX / SQN_RL_NS_PER_MS));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct sqn_rl_config cfg;
	struct sqn_rl_update u;
	struct sqn_rl l;
	struct epoch ep[2];
	uint64_t now = fz_u32(&f), len;
	unsigned steps = 0;

	check_config(&f);
	cfg.bandwidth = fz_bucket(&f);
	cfg.ops = fz_bucket(&f);
	sqn_rl_init(&l, &cfg, now);
	memset(ep, 0, sizeof(ep));
	ep[0].start = ep[1].start = now;
	ep[0].burst = l.bandwidth.burst;
	ep[1].burst = l.ops.burst;

	/* the clock stays far from wrapping: a wrap would be a caller bug */
	while (f.n && steps++ < 4096 && now < (1ULL << 62)) {
		uint8_t op = fz_u8(&f);

		switch (op & 7) {
		case 0: /* clock: ns, us or ms steps */
			now += (uint64_t)fz_u32(&f) * (op & 8 ? 1000 : 1) *
			       (op & 16 ? 1000 : 1);
			break;
		case 1:
		case 2:
		case 3: /* a frame; sometimes a GSO-sized one */
			len = op & 8 ? fz_u32(&f) & 0xffff : fz_u8(&f) + 14u;
			offer(&l, ep, len, now);
			break;
		case 4: /* PATCH: replace, disable or keep each bucket */
			memset(&u, 0, sizeof(u));
			u.set_bandwidth = op & 8;
			u.set_ops = op & 16;
			u.cfg.bandwidth = fz_bucket(&f);
			u.cfg.ops = fz_bucket(&f);
			sqn_rl_update(&l, &u, now);
			if (u.set_bandwidth)
				ep[0] = (struct epoch){
					.start = now,
					.burst = l.bandwidth.burst};
			if (u.set_ops)
				ep[1] = (struct epoch){.start = now,
						       .burst = l.ops.burst};
			break;
		case 5:
			starve_check(&l, &now, fz_u32(&f) & 0xffff, ep);
			if (now >= (1ULL << 62))
				return 0;
			break;
		default: /* the timeout a caller would poll with */
			if (sqn_rl_blocked(&l, now))
				FZ_REQUIRE(sqn_rl_wait_ms(&l, now) >= 1);
			else
				FZ_REQUIRE(sqn_rl_wait_ms(&l, now) == -1);
			break;
		}
		check_bucket(&l.bandwidth, now);
		check_bucket(&l.ops, now);
		check_bound(&l.bandwidth, &ep[0], now);
		check_bound(&l.ops, &ep[1], now);
	}
	return 0;
}
