/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_ratelimit.c - token buckets and the rate limiter against Firecracker's
 *		   semantics, with a fake clock
 *
 * The first cases are Firecracker's own unit tests (rate_limiter/mod.rs),
 * with sleeps replaced by clock steps; the last ones run a sender against
 * the limiter for simulated seconds and check the rate it gets (the
 * accuracy issue 14 asks of `run`, here without a wall clock).
 */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "ratelimit.h"

#define MS SQN_RL_NS_PER_MS
#define SEC (1000 * MS)
#define T0 (1000 * SEC) /* an arbitrary start: the clock need not be 0 */

static const struct sqn_tb_config no_bucket;

static struct sqn_tb_config tbc(uint64_t size, uint64_t burst, uint64_t ms)
{
	struct sqn_tb_config c = {
		.size = size, .one_time_burst = burst, .refill_time_ms = ms};

	return c;
}

static void rl_new(struct sqn_rl *l, struct sqn_tb_config bw,
		   struct sqn_tb_config ops, uint64_t now)
{
	struct sqn_rl_config c = {.bandwidth = bw, .ops = ops};

	sqn_rl_init(l, &c, now);
}

/* Firecracker: test_token_bucket_create, test_token_bucket_preprocess */
static void bucket_create(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(1000, 0, 1000);

	sqn_tb_init(&b, &c, T0);
	CHECK(sqn_tb_enabled(&b));
	CHECK_EQ(b.size, 1000);
	CHECK_EQ(b.budget, 1000);
	CHECK_EQ(b.last_ns, T0);
	CHECK_EQ(b.cap_q, 1);
	CHECK_EQ(b.refill_q, 1000000);

	c = tbc(3ULL * 7 * 11 * 19 * 1000, 0, 7 * 11 * 13 * 17);
	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(b.cap_q, 3 * 19);
	CHECK_EQ(b.refill_q, 13 * 17 * (1000000 / 1000));

	c = tbc(0, 1234, 1000);
	sqn_tb_init(&b, &c, T0);
	CHECK(!sqn_tb_enabled(&b));
	c = tbc(100, 1234, 0);
	sqn_tb_init(&b, &c, T0);
	CHECK(!sqn_tb_enabled(&b));
	c = tbc(0, 1234, 0);
	sqn_tb_init(&b, &c, T0);
	CHECK(!sqn_tb_enabled(&b));
}

/* a refill time past 64 bits of nanoseconds is refused, with a message */
static void config_check(void)
{
	struct sqn_rl_config c = {.bandwidth = tbc(1, 0, UINT64_MAX / MS),
				  .ops = tbc(1, 0, 1)};
	char err[256] = "";

	CHECK_EQ(sqn_rl_config_check(&c, "tx_rate_limiter", err, sizeof(err)),
		 0);
	c.ops.refill_time_ms = UINT64_MAX / MS + 1;
	CHECK_EQ(sqn_rl_config_check(&c, "tx_rate_limiter", err, sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "tx_rate_limiter.ops: refill_time");
	CHECK_STR_HAS(err, "too long");
	c.ops.refill_time_ms = 0;
	c.bandwidth.refill_time_ms = UINT64_MAX;
	CHECK_EQ(sqn_rl_config_check(&c, "rx", err, sizeof(err)), -EINVAL);
	CHECK_STR_HAS(err, "rx.bandwidth");
}

/* Firecracker: test_token_bucket_auto_replenish_one (10 tokens per s) */
static void bucket_refill_steps(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(10, 0, 1000);

	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0, NULL), SQN_TB_OK);
	CHECK_EQ(b.budget, 0);
	/* a request that does not fit triggers the refill */
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + 10 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 0);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + 20 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 0);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + 100 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 1);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + 500 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 5);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + 1500 * MS, NULL), SQN_TB_OK);
	CHECK_EQ(b.budget, 0);
}

/* the fraction of a token is carried to the next refill, and a request
 * that fits the budget does not refill at all (Firecracker refills lazily) */
static void bucket_refill_carry(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(10, 0, 1000); /* a token per 100 ms */

	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0, NULL), SQN_TB_OK);
	CHECK_EQ(sqn_tb_reduce(&b, 5, T0 + 180 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 1);
	CHECK_EQ(b.last_ns, T0 + 100 * MS); /* 80 ms carried over */
	CHECK_EQ(sqn_tb_reduce(&b, 5, T0 + 290 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 2);
	CHECK_EQ(sqn_tb_reduce(&b, 5, T0 + 300 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 3); /* restarting the clock at 290 would give 2 */
	CHECK_EQ(sqn_tb_reduce(&b, 3, T0 + 399 * MS, NULL), SQN_TB_OK);
	CHECK_EQ(b.budget, 0);
	CHECK_EQ(b.last_ns, T0 + 300 * MS); /* no refill: it fit */

	/* rounding up the time of the tokens: 3 tokens in 1 ms, 1 per 1/3 ms */
	c = tbc(3, 0, 1);
	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(sqn_tb_reduce(&b, 3, T0, NULL), SQN_TB_OK);
	CHECK_EQ(sqn_tb_reduce(&b, 3, T0 + 500000, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 1);
	CHECK_EQ(b.last_ns, T0 + 333334); /* 1/3 ms, rounded up */
}

/* Firecracker: test_token_bucket_reduce */
static void bucket_reduce(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(1000, 0, 1000);
	uint64_t excess = 0;
	uint64_t t = T0;

	sqn_tb_init(&b, &c, t);
	CHECK_EQ(sqn_tb_reduce(&b, 123, t, NULL), SQN_TB_OK);
	CHECK_EQ(b.budget, 1000 - 123);
	CHECK_EQ(sqn_tb_reduce(&b, 1000, t, NULL), SQN_TB_FAIL);

	c = tbc(1000, 1100, 1000);
	sqn_tb_init(&b, &c, t);
	CHECK_EQ(sqn_tb_reduce(&b, 1000, t, NULL), SQN_TB_OK);
	CHECK_EQ(b.burst, 100);
	CHECK_EQ(sqn_tb_reduce(&b, 500, t, NULL), SQN_TB_OK);
	CHECK_EQ(b.burst, 0);
	CHECK_EQ(sqn_tb_reduce(&b, 500, t, NULL), SQN_TB_OK);
	CHECK_EQ(sqn_tb_reduce(&b, 500, t, NULL), SQN_TB_FAIL);
	t += 500 * MS;
	CHECK_EQ(sqn_tb_reduce(&b, 500, t, NULL), SQN_TB_OK);
	t += 1000 * MS;
	CHECK_EQ(sqn_tb_reduce(&b, 2500, t, &excess), SQN_TB_OVER);
	CHECK_EQ(excess, 1500); /* Firecracker: OverConsumption(1.5) */
	CHECK_EQ(b.budget, 0);
}

/* a request the burst covers restarts the refill clock (Firecracker sets
 * last_update there), so time spent on the burst is not credited */
static void burst_restarts_clock(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(1000, 2000, 1000);

	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(sqn_tb_reduce(&b, 2000, T0 + 900 * MS, NULL), SQN_TB_OK);
	CHECK_EQ(b.burst, 0);
	CHECK_EQ(b.last_ns, T0 + 900 * MS);
	CHECK_EQ(sqn_tb_reduce(&b, 1000, T0 + 900 * MS, NULL), SQN_TB_OK);
	/* 500 ms since the burst: 500 tokens, not a full bucket */
	CHECK_EQ(sqn_tb_reduce(&b, 600, T0 + 1400 * MS, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 500);

	/* a burst that covers part of a refused request is spent anyway */
	c = tbc(100, 50, 1000);
	sqn_tb_init(&b, &c, T0);
	CHECK_EQ(sqn_tb_reduce(&b, 100, T0, NULL), SQN_TB_OK); /* 50 + 50 */
	CHECK_EQ(b.budget, 50);
	c = tbc(100, 50, 1000);
	sqn_tb_init(&b, &c, T0);
	b.budget = 10;
	CHECK_EQ(sqn_tb_reduce(&b, 100, T0, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.burst, 0);
	CHECK_EQ(b.budget, 10);
}

/* Firecracker: test_rate_limiter_default (all disabled) */
static void limiter_disabled(void)
{
	struct sqn_rl l;

	rl_new(&l, no_bucket, no_bucket, T0);
	CHECK(!sqn_rl_enabled(&l));
	CHECK(!sqn_rl_blocked(&l, T0));
	CHECK(sqn_rl_consume(&l, UINT64_MAX, SQN_RL_OPS, T0));
	CHECK(sqn_rl_consume(&l, UINT64_MAX, SQN_RL_BYTES, T0));
	CHECK(sqn_rl_frame(&l, 65535, T0));
	CHECK_EQ(sqn_rl_wait_ms(&l, T0), -1);
	CHECK_EQ(l.throttled, 0);
}

/* Firecracker: test_rate_limiter_new, test_rate_limiter_manual_replenish */
static void limiter_new_replenish(void)
{
	struct sqn_rl l;

	rl_new(&l, tbc(1000, 1001, 1002), tbc(1003, 1004, 1005), T0);
	CHECK_EQ(l.bandwidth.size, 1000);
	CHECK_EQ(l.bandwidth.burst, 1001);
	CHECK_EQ(l.bandwidth.refill_ms, 1002);
	CHECK_EQ(l.bandwidth.budget, 1000);
	CHECK_EQ(l.ops.size, 1003);
	CHECK_EQ(l.ops.burst, 1004);
	CHECK_EQ(l.ops.refill_ms, 1005);
	CHECK_EQ(l.ops.budget, 1003);

	rl_new(&l, tbc(1000, 0, 1000), tbc(1000, 0, 1000), T0);
	CHECK(sqn_rl_consume(&l, 123, SQN_RL_BYTES, T0));
	sqn_rl_replenish(&l, 23, SQN_RL_BYTES);
	CHECK_EQ(l.bandwidth.budget, 900);
	CHECK(sqn_rl_consume(&l, 123, SQN_RL_OPS, T0));
	sqn_rl_replenish(&l, 23, SQN_RL_OPS);
	CHECK_EQ(l.ops.budget, 900);
	sqn_rl_replenish(&l, 5000, SQN_RL_OPS); /* never above the size */
	CHECK_EQ(l.ops.budget, 1000);

	/* during the burst, tokens go back to the burst, up to its size */
	rl_new(&l, no_bucket, tbc(10, 5, 1000), T0);
	CHECK(sqn_rl_consume(&l, 3, SQN_RL_OPS, T0));
	CHECK_EQ(l.ops.burst, 2);
	sqn_rl_replenish(&l, 10, SQN_RL_OPS);
	CHECK_EQ(l.ops.burst, 5);
	CHECK_EQ(l.ops.budget, 10);
}

/* Firecracker: test_rate_limiter_bandwidth, _ops and _full: a refusal
 * blocks for 100 ms whatever the rate */
static void limiter_refusal_blocks(void)
{
	struct sqn_rl l;
	enum sqn_rl_kind k;

	for (k = SQN_RL_BYTES; k <= SQN_RL_OPS; k++) {
		if (k == SQN_RL_BYTES)
			rl_new(&l, tbc(1000, 0, 1000), no_bucket, T0);
		else
			rl_new(&l, no_bucket, tbc(1000, 0, 1000), T0);
		CHECK(sqn_rl_consume(
			&l, UINT64_MAX,
			k == SQN_RL_BYTES ? SQN_RL_OPS : SQN_RL_BYTES, T0));
		CHECK(sqn_rl_consume(&l, 1000, k, T0));
		CHECK(!sqn_rl_consume(&l, 100, k, T0));
		CHECK(sqn_rl_blocked(&l, T0));
		CHECK_EQ(sqn_rl_wait_ms(&l, T0), 100);
		CHECK_EQ(sqn_rl_wait_ns(&l, T0 + 55 * MS), 45 * MS);
		CHECK(sqn_rl_blocked(&l, T0 + 55 * MS));
		/* blocked: even the other, unlimited bucket refuses */
		CHECK(!sqn_rl_consume(
			&l, 1, k == SQN_RL_BYTES ? SQN_RL_OPS : SQN_RL_BYTES,
			T0 + 55 * MS));
		CHECK(!sqn_rl_blocked(&l, T0 + 100 * MS));
		CHECK_EQ(sqn_rl_wait_ms(&l, T0 + 100 * MS), -1);
		CHECK(sqn_rl_consume(&l, 100, k, T0 + 100 * MS));
		CHECK_EQ(l.throttled, 2);
		CHECK_EQ(l.blocks, 1);
	}

	rl_new(&l, tbc(1000, 0, 1000), tbc(1000, 0, 1000), T0);
	CHECK(sqn_rl_consume(&l, 1000, SQN_RL_OPS, T0));
	CHECK(sqn_rl_consume(&l, 1000, SQN_RL_BYTES, T0));
	CHECK(!sqn_rl_consume(&l, 100, SQN_RL_OPS, T0));
	CHECK(!sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0));
	CHECK(sqn_rl_blocked(&l, T0 + 99 * MS));
	CHECK(sqn_rl_consume(&l, 100, SQN_RL_OPS, T0 + 100 * MS));
	CHECK(sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0 + 100 * MS));
}

/* Firecracker: test_rate_limiter_overconsumption */
static void limiter_overconsumption(void)
{
	struct sqn_rl l;

	rl_new(&l, tbc(1000, 0, 1000), tbc(1000, 0, 1000), T0);
	/* 2.5 times the bucket: passes, and blocks 1.5 refill times */
	CHECK(sqn_rl_consume(&l, 2500, SQN_RL_BYTES, T0));
	CHECK(sqn_rl_blocked(&l, T0 + 1000 * MS));
	CHECK(sqn_rl_blocked(&l, T0 + 1499 * MS));
	CHECK(!sqn_rl_blocked(&l, T0 + 1500 * MS));
	/* the time blocked is credited afterwards: a full bucket */
	CHECK(sqn_rl_consume(&l, 1000, SQN_RL_BYTES, T0 + 1500 * MS));

	rl_new(&l, tbc(1000, 0, 1000), tbc(1000, 0, 1000), T0);
	CHECK(sqn_rl_consume(&l, 1500, SQN_RL_BYTES, T0)); /* 500 ms */
	CHECK(sqn_rl_blocked(&l, T0 + 200 * MS));
	/* refused while blocked, and the deadline is not moved */
	CHECK(!sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0 + 200 * MS));
	CHECK(sqn_rl_blocked(&l, T0 + 300 * MS));
	CHECK(!sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0 + 300 * MS));
	CHECK_EQ(sqn_rl_wait_ms(&l, T0 + 300 * MS), 200);
	CHECK(!sqn_rl_blocked(&l, T0 + 500 * MS));
	CHECK(sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0 + 500 * MS));
	CHECK_EQ(l.blocks, 1);
	CHECK_EQ(l.throttled, 2);

	/* differs from Firecracker: a block that rounds to 0 ms (1.0005
	 * times the bucket) does not block (its timerfd would be disarmed
	 * for good) */
	rl_new(&l, tbc(2000, 0, 1), no_bucket, T0);
	CHECK(sqn_rl_consume(&l, 2001, SQN_RL_BYTES, T0));
	CHECK(!sqn_rl_blocked(&l, T0));
	CHECK_EQ(l.blocks, 0);
}

/* one frame is one op and its bytes; a bytes refusal gives the op back */
static void limiter_frame(void)
{
	struct sqn_rl l;

	rl_new(&l, tbc(1000, 0, 1000), tbc(10, 0, 1000), T0);
	CHECK(sqn_rl_frame(&l, 1000, T0));
	CHECK_EQ(l.ops.budget, 9);
	CHECK_EQ(l.bandwidth.budget, 0);
	CHECK(!sqn_rl_frame(&l, 100, T0));
	CHECK_EQ(l.ops.budget, 9);		     /* given back */
	CHECK(!sqn_rl_frame(&l, 100, T0 + 50 * MS)); /* blocked */
	CHECK_EQ(l.ops.budget, 9);
	CHECK(sqn_rl_frame(&l, 100, T0 + 100 * MS));
	CHECK_EQ(l.ops.budget, 8);

	/* ops alone: 10 frames, then the 11th waits */
	rl_new(&l, no_bucket, tbc(10, 0, 1000), T0);
	for (int i = 0; i < 10; i++)
		CHECK(sqn_rl_frame(&l, 65535, T0));
	CHECK(!sqn_rl_frame(&l, 60, T0));
	CHECK_EQ(sqn_rl_wait_ms(&l, T0), 100);
	CHECK(sqn_rl_frame(&l, 60, T0 + 100 * MS)); /* 1 op per 100 ms */
	CHECK(!sqn_rl_frame(&l, 60, T0 + 100 * MS));
}

/* Firecracker: test_update_buckets, and what an update keeps */
static void limiter_update(void)
{
	struct sqn_rl l;
	struct sqn_rl_update u = {0};

	rl_new(&l, tbc(1000, 2000, 1000), tbc(10, 20, 1000), T0);
	CHECK(sqn_rl_consume(&l, 2500, SQN_RL_BYTES, T0));
	CHECK_EQ(l.bandwidth.budget, 500);
	sqn_rl_update(&l, &u, T0 + MS); /* names nothing: keeps everything */
	CHECK_EQ(l.bandwidth.budget, 500);
	CHECK_EQ(l.bandwidth.burst, 0);
	CHECK_EQ(l.ops.burst, 20);

	u.set_bandwidth = true;
	u.cfg.bandwidth = tbc(123, 0, 57);
	sqn_rl_update(&l, &u, T0 + 2 * MS); /* replaced: full, clock now */
	CHECK_EQ(l.bandwidth.size, 123);
	CHECK_EQ(l.bandwidth.budget, 123);
	CHECK_EQ(l.bandwidth.refill_ms, 57);
	CHECK_EQ(l.bandwidth.last_ns, T0 + 2 * MS);
	CHECK_EQ(l.ops.size, 10); /* not named: kept */
	CHECK_EQ(l.ops.burst, 20);

	u.set_ops = true;
	u.cfg.ops = tbc(321, 12346, 89);
	sqn_rl_update(&l, &u, T0 + 3 * MS);
	CHECK_EQ(l.ops.size, 321);
	CHECK_EQ(l.ops.burst, 12346);
	CHECK_EQ(l.ops.budget, 321);

	/* blocked stays blocked through an update; counters are kept */
	CHECK(sqn_rl_consume(&l, 123, SQN_RL_BYTES, T0 + 3 * MS));
	CHECK(!sqn_rl_consume(&l, 100, SQN_RL_BYTES, T0 + 3 * MS));
	u.cfg.bandwidth = tbc(1000000, 0, 1000);
	sqn_rl_update(&l, &u, T0 + 4 * MS);
	CHECK(sqn_rl_blocked(&l, T0 + 4 * MS));
	CHECK_EQ(l.throttled, 1);
	CHECK(sqn_rl_consume(&l, 1000000, SQN_RL_BYTES, T0 + 103 * MS));

	/* size or refill_time 0 disables */
	u.cfg.bandwidth = tbc(0, 0, 1000);
	u.cfg.ops = tbc(5, 0, 0);
	sqn_rl_update(&l, &u, T0 + 200 * MS);
	CHECK(!sqn_rl_enabled(&l));
	CHECK(sqn_rl_frame(&l, UINT64_MAX, T0 + 200 * MS));
}

/* the wait rounds up: a caller that sleeps it finds the limiter open */
static void limiter_wait_rounding(void)
{
	struct sqn_rl l;

	rl_new(&l, tbc(1, 0, 1000), no_bucket, T0);
	CHECK(sqn_rl_consume(&l, 1, SQN_RL_BYTES, T0));
	CHECK(!sqn_rl_consume(&l, 1, SQN_RL_BYTES, T0 + 1));
	CHECK_EQ(sqn_rl_wait_ms(&l, T0 + 1), 100);
	CHECK_EQ(sqn_rl_wait_ns(&l, T0 + 1), 100 * MS);
	CHECK_EQ(sqn_rl_wait_ms(&l, T0 + 100 * MS), 1);
	CHECK_EQ(sqn_rl_wait_ms(&l, T0 + 100 * MS + 1), -1);
}

/* a clock that goes backwards credits nothing and moves nothing back */
static void clock_backwards(void)
{
	struct sqn_tb b;
	struct sqn_tb_config c = tbc(10, 0, 1000);

	sqn_tb_init(&b, &c, T0 + SEC);
	CHECK_EQ(sqn_tb_reduce(&b, 10, T0 + SEC, NULL), SQN_TB_OK);
	CHECK_EQ(sqn_tb_reduce(&b, 1, T0, NULL), SQN_TB_FAIL);
	CHECK_EQ(b.budget, 0);
	CHECK_EQ(b.last_ns, T0 + SEC);
	CHECK_EQ(sqn_tb_reduce(&b, 1, T0 + SEC + 100 * MS, NULL), SQN_TB_OK);
}

/**
 * struct sender - a guest sending as fast as the limiter lets it
 * @l:		the limiter
 * @now:	the fake clock
 * @frame:	frame length
 * @gap:	time between two frames when nothing limits (the link)
 * @bytes:	bytes passed
 * @frames:	frames passed
 * @max_over:	largest amount by which passed bytes exceeded the bound
 *		size + burst + rate * elapsed (must stay 0)
 */
struct sender {
	struct sqn_rl l;
	uint64_t now;
	uint64_t frame;
	uint64_t gap;
	uint64_t bytes;
	uint64_t frames;
	int64_t max_over;
};

/*
 * send_until() - run the sender up to a time: a frame refused is retried
 * when the limiter says (sqn_rl_wait_ns(), as the core's timer would),
 * never dropped. @bound_bytes/@bound_ms: the bytes bucket the invariant is
 * checked against (0: not checked), from @start.
 */
static void send_until(struct sender *s, uint64_t end, uint64_t bound_size,
		       uint64_t bound_ms, uint64_t start, uint64_t base)
{
	while (s->now < end) {
		if (sqn_rl_frame(&s->l, s->frame, s->now)) {
			s->bytes += s->frame;
			s->frames++;
			s->now += s->gap;
		} else {
			uint64_t w = sqn_rl_wait_ns(&s->l, s->now);

			s->now += w ? w : s->gap;
		}
		if (bound_size) {
			/* passed since start <= size + rate * elapsed */
			long double allowed =
				(long double)bound_size +
				(long double)(s->now - start) * bound_size /
					((long double)bound_ms * MS);
			int64_t over =
				(int64_t)((long double)(s->bytes - base) -
					  allowed);

			if (over > s->max_over)
				s->max_over = over;
		}
	}
}

/* 100 Mbit/s (12.5 MB per s, refilled in 100 ms pieces): a sender at
 * 10 Gbit/s gets 95-105 Mbit/s over 10 simulated seconds, and never more
 * than the bucket plus the rate at any moment */
static void model_bandwidth(void)
{
	struct sender s = {.now = T0, .frame = 1514, .gap = 1211};
	uint64_t size = 1250000; /* 100 Mbit/s * 100 ms */
	double mbit;

	rl_new(&s.l, tbc(size, 0, 100), no_bucket, T0);
	send_until(&s, T0 + 10 * SEC, size, 100, T0, 0);
	mbit = (double)s.bytes * 8 / 10 / 1e6;
	printf("# 100 Mbit/s limit, 10 s: %.2f Mbit/s, %llu frames, "
	       "throttled %llu\n",
	       mbit, (unsigned long long)s.frames,
	       (unsigned long long)s.l.throttled);
	CHECK(mbit >= 95 && mbit <= 105);
	CHECK_EQ(s.max_over, 0);
	CHECK(s.l.throttled > 0);
}

/* 1000 frames/s: 950-1050 frames/s over 10 simulated seconds */
static void model_ops(void)
{
	struct sender s = {.now = T0, .frame = 64, .gap = 10000};
	double fps;

	rl_new(&s.l, no_bucket, tbc(100, 0, 100), T0);
	send_until(&s, T0 + 10 * SEC, 0, 0, T0, 0);
	fps = (double)s.frames / 10;
	printf("# 1000 frames/s limit, 10 s: %.1f frames/s\n", fps);
	CHECK(fps >= 950 && fps <= 1050);
}

/* a one-time burst passes at link speed first, then the rate holds */
static void model_burst(void)
{
	struct sender s = {.now = T0, .frame = 1500, .gap = 1200};
	uint64_t size = 1250000, burst = 50000000;
	uint64_t t_burst, bytes_1s;

	rl_new(&s.l, tbc(size, burst, 100), no_bucket, T0);
	while (s.l.bandwidth.burst)
		send_until(&s, s.now + 1, 0, 0, 0, 0);
	t_burst = s.now - T0;
	/* 50 MB at 1.25 GB/s: 40 ms, never throttled */
	printf("# one-time burst of 50 MB: %.1f ms at link speed\n",
	       (double)t_burst / MS);
	CHECK(t_burst <= 41 * MS);
	CHECK_EQ(s.l.throttled, 0);
	bytes_1s = s.bytes;
	send_until(&s, s.now + 10 * SEC, 0, 0, 0, 0);
	bytes_1s = (s.bytes - bytes_1s) / 10;
	CHECK(bytes_1s >= 12500000 * 95 / 100 &&
	      bytes_1s <= 12500000 * 105 / 100);
}

/* an update from 100 to 300 Mbit/s: the next second runs at 300 */
static void model_update(void)
{
	struct sender s = {.now = T0, .frame = 1514, .gap = 400};
	struct sqn_rl_update u = {.set_bandwidth = true};
	uint64_t before, after;
	double mbit;

	rl_new(&s.l, tbc(1250000, 0, 100), no_bucket, T0);
	send_until(&s, T0 + 5 * SEC, 0, 0, 0, 0);
	u.cfg.bandwidth = tbc(3750000, 0, 100);
	sqn_rl_update(&s.l, &u, s.now);
	before = s.bytes;
	send_until(&s, s.now + SEC, 3750000, 100, s.now, before);
	after = s.bytes;
	mbit = (double)(after - before) * 8 / 1e6;
	printf("# after the update to 300 Mbit/s, the next second: %.1f "
	       "Mbit/s\n",
	       mbit);
	CHECK(mbit >= 285 && mbit <= 330); /* the new full bucket on top */
	CHECK_EQ(s.max_over, 0);
}

/* frames larger than the bucket pass faster than the rate: why a bucket
 * must hold the largest frame (documented in ratelimit.h) */
static void model_oversized_frames(void)
{
	struct sender s = {.now = T0, .frame = 65535, .gap = 1000};
	double rate, limit = 1000000; /* 1 MB/s, in 10 kB pieces */

	rl_new(&s.l, tbc(10000, 0, 10), no_bucket, T0);
	send_until(&s, T0 + 10 * SEC, 0, 0, 0, 0);
	rate = (double)s.bytes / 10;
	printf("# 64 KiB frames through a 10 kB bucket at 1 MB/s: %.2f MB/s\n",
	       rate / 1e6);
	CHECK(rate > limit * 1.1);
	CHECK_EQ(s.l.blocks, s.frames); /* each one passed, and blocked */
}

static const struct check_case cases[] = {
	CASE(bucket_create),
	CASE(config_check),
	CASE(bucket_refill_steps),
	CASE(bucket_refill_carry),
	CASE(bucket_reduce),
	CASE(burst_restarts_clock),
	CASE(limiter_disabled),
	CASE(limiter_new_replenish),
	CASE(limiter_refusal_blocks),
	CASE(limiter_overconsumption),
	CASE(limiter_frame),
	CASE(limiter_update),
	CASE(limiter_wait_rounding),
	CASE(clock_backwards),
	CASE(model_bandwidth),
	CASE(model_ops),
	CASE(model_burst),
	CASE(model_update),
	CASE(model_oversized_frames),
};

CHECK_MAIN(cases)
