/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.c - Firecracker's token buckets and rate limiter, pure
 *
 * Theory of operation: see ratelimit.h for the semantics and where they
 * come from. The refill is size tokens per refill_time_ms * 10^6 ns; both
 * are divided by their greatest common divisor once, at init, so that
 * elapsed_ns * cap_q fits 128 bits whatever the values, and the time of
 * the tokens credited is rounded up, so a fraction of a token carries over
 * and no nanosecond is credited twice.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ratelimit.h"
#include "squibnet.h"

#ifndef __SIZEOF_INT128__
// cppcheck-suppress preprocessorErrorDirective - cppcheck does not define __SIZEOF_INT128__; gcc and clang do on every 64-bit target
#error "ratelimit.c needs a 128-bit integer type (gcc or clang, 64-bit)"
#endif
typedef unsigned __int128 u128;

#define SQN_RL_MIN(a, b) ((a) < (b) ? (a) : (b))

/**
 * gcd64() - greatest common divisor (Euclid)
 * @x:	a positive number
 * @y:	a positive number
 *
 * Return: the divisor
 */
static uint64_t gcd64(uint64_t x, uint64_t y)
{
	while (y) {
		uint64_t t = y;

		y = x % y;
		x = t;
	}
	return x;
}

/**
 * sqn_tb_config_check() - whether a bucket's configuration can be used
 * @c:		the configuration
 * @what:	its name for the message, e.g. "tx bandwidth"
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * Any size and burst are fine, and 0 disables; the refill time must fit
 * 64 bits of nanoseconds.
 *
 * Return: 0, or -EINVAL
 */
int sqn_tb_config_check(const struct sqn_tb_config *c, const char *what,
			char *err, size_t errlen)
{
	if (c->refill_time_ms > UINT64_MAX / SQN_RL_NS_PER_MS) {
		if (err && errlen)
			snprintf(err, errlen,
				 "%s: refill_time %llu ms is too long: at most "
				 "%llu ms (0 disables the bucket)",
				 what, (unsigned long long)c->refill_time_ms,
				 (unsigned long long)(UINT64_MAX /
						      SQN_RL_NS_PER_MS));
		return -EINVAL;
	}
	return 0;
}

/**
 * sqn_tb_init() - a bucket from its configuration, full
 * @b:		the bucket
 * @c:		the configuration, checked by sqn_tb_config_check()
 * @now_ns:	the clock
 *
 * A size or refill time of 0 gives a disabled bucket.
 */
void sqn_tb_init(struct sqn_tb *b, const struct sqn_tb_config *c,
		 uint64_t now_ns)
{
	uint64_t refill_ns, g;

	memset(b, 0, sizeof(*b));
	if (!c->size || !c->refill_time_ms ||
	    c->refill_time_ms > UINT64_MAX / SQN_RL_NS_PER_MS)
		return;
	refill_ns = c->refill_time_ms * SQN_RL_NS_PER_MS;
	g = gcd64(c->size, refill_ns);
	b->size = c->size;
	b->initial_burst = c->one_time_burst;
	b->burst = c->one_time_burst;
	b->refill_ms = c->refill_time_ms;
	b->budget = c->size;
	b->last_ns = now_ns;
	b->cap_q = c->size / g;
	b->refill_q = refill_ns / g;
}

/**
 * tb_refill() - credit the tokens of the time since the last refill
 * @b:		the bucket
 * @now_ns:	the clock
 *
 * Firecracker's auto_replenish(): a whole refill time or more fills the
 * bucket and restarts the clock; less credits whole tokens and moves the
 * clock by the time they took, rounded up.
 */
static void tb_refill(struct sqn_tb *b, uint64_t now_ns)
{
	uint64_t delta = now_ns > b->last_ns ? now_ns - b->last_ns : 0;
	u128 tokens, t;
	uint64_t adj;

	if (delta >= b->refill_ms * SQN_RL_NS_PER_MS) {
		b->budget = b->size;
		b->last_ns = now_ns;
		return;
	}
	/* delta < refill_ns, so tokens < size: the casts below are exact */
	tokens = (u128)delta * b->cap_q / b->refill_q;
	t = tokens * b->refill_q;
	adj = (uint64_t)(t / b->cap_q) + (t % b->cap_q != 0);
	b->last_ns += adj;
	b->budget = (uint64_t)tokens >= b->size - b->budget
			    ? b->size
			    : b->budget + (uint64_t)tokens;
}

/**
 * sqn_tb_reduce() - take tokens, as Firecracker's TokenBucket::reduce()
 * @b:		an enabled bucket
 * @tokens:	how many
 * @now_ns:	the clock
 * @excess:	on SQN_TB_OVER, gets the tokens taken beyond the budget
 *
 * Return: SQN_TB_OK, SQN_TB_FAIL (nothing taken, except a burst that
 * covered part of the request: Firecracker spends it anyway), or
 * SQN_TB_OVER
 */
enum sqn_tb_result sqn_tb_reduce(struct sqn_tb *b, uint64_t tokens,
				 uint64_t now_ns, uint64_t *excess)
{
	if (b->burst) {
		if (b->burst >= tokens) {
			b->burst -= tokens;
			b->last_ns = now_ns;
			return SQN_TB_OK;
		}
		tokens -= b->burst;
		b->burst = 0;
	}
	if (tokens > b->budget) {
		tb_refill(b, now_ns);
		if (tokens > b->size) {
			if (excess)
				*excess = tokens - b->budget;
			b->budget = 0;
			return SQN_TB_OVER;
		}
		if (tokens > b->budget)
			return SQN_TB_FAIL;
	}
	b->budget -= tokens;
	return SQN_TB_OK;
}

/**
 * sqn_tb_replenish() - give tokens back, as Firecracker's force_replenish()
 * @b:		an enabled bucket
 * @tokens:	how many
 *
 * While the one-time burst lasts, they go back to it (never above its
 * configured size); else to the budget, never above the bucket's size.
 */
void sqn_tb_replenish(struct sqn_tb *b, uint64_t tokens)
{
	uint64_t *v = b->burst ? &b->burst : &b->budget;
	uint64_t cap = b->burst ? b->initial_burst : b->size;

	*v = tokens > cap - *v ? cap : *v + tokens;
}

/**
 * sqn_rl_config_check() - whether a limiter's configuration can be used
 * @c:		the configuration
 * @what:	its name for the message, e.g. "tx_rate_limiter"
 * @err:	gets the reason on failure, naming the bucket
 * @errlen:	size of @err
 *
 * Return: 0, or -EINVAL
 */
int sqn_rl_config_check(const struct sqn_rl_config *c, const char *what,
			char *err, size_t errlen)
{
	char name[96];
	int rc;

	snprintf(name, sizeof(name), "%s.bandwidth", what);
	rc = sqn_tb_config_check(&c->bandwidth, name, err, errlen);
	if (rc)
		return rc;
	snprintf(name, sizeof(name), "%s.ops", what);
	return sqn_tb_config_check(&c->ops, name, err, errlen);
}

/**
 * sqn_rl_init() - a limiter, both buckets full, not blocked
 * @l:		the limiter
 * @c:		the configuration (all zero: a limiter that limits nothing)
 * @now_ns:	the clock
 */
void sqn_rl_init(struct sqn_rl *l, const struct sqn_rl_config *c,
		 uint64_t now_ns)
{
	memset(l, 0, sizeof(*l));
	sqn_tb_init(&l->bandwidth, &c->bandwidth, now_ns);
	sqn_tb_init(&l->ops, &c->ops, now_ns);
}

/**
 * sqn_rl_update() - change the buckets at run time (Firecracker's PATCH)
 * @l:		the limiter
 * @u:		what to change, checked by sqn_rl_config_check(): a bucket
 *		named is replaced by a full new one (or disabled by size or
 *		refill_time 0), one not named is kept with its state; the
 *		blocked state and the counters are kept
 * @now_ns:	the clock
 */
void sqn_rl_update(struct sqn_rl *l, const struct sqn_rl_update *u,
		   uint64_t now_ns)
{
	if (u->set_bandwidth)
		sqn_tb_init(&l->bandwidth, &u->cfg.bandwidth, now_ns);
	if (u->set_ops)
		sqn_tb_init(&l->ops, &u->cfg.ops, now_ns);
}

/**
 * rl_block() - block the limiter for a while
 * @l:		the limiter
 * @ms:		how long; 0 does not block
 * @now_ns:	the clock
 */
static void rl_block(struct sqn_rl *l, uint64_t ms, uint64_t now_ns)
{
	uint64_t ns;

	if (!ms)
		return;
	ns = ms > UINT64_MAX / SQN_RL_NS_PER_MS ? UINT64_MAX
						: ms * SQN_RL_NS_PER_MS;
	l->blocked = true;
	l->until_ns = ns > UINT64_MAX - now_ns ? UINT64_MAX : now_ns + ns;
	l->blocks++;
}

/**
 * over_ms() - how long an over-consumption blocks
 * @b:		the bucket
 * @excess:	tokens taken beyond its budget
 *
 * Firecracker's ratio * refill_time (ratio = excess / size), in integers.
 *
 * Return: milliseconds, rounded down, capped at UINT64_MAX
 */
static uint64_t over_ms(const struct sqn_tb *b, uint64_t excess)
{
	u128 ms = (u128)excess * b->refill_ms / b->size;

	return ms > UINT64_MAX ? UINT64_MAX : (uint64_t)ms;
}

/**
 * sqn_rl_blocked() - whether the limiter refuses everything now
 * @l:		the limiter
 * @now_ns:	the clock; once it reaches the deadline the limiter
 *		unblocks (Firecracker's timer event)
 *
 * Return: true while blocked
 */
bool sqn_rl_blocked(struct sqn_rl *l, uint64_t now_ns)
{
	if (l->blocked && now_ns >= l->until_ns)
		l->blocked = false;
	return l->blocked;
}

/**
 * sqn_rl_consume() - take tokens from one bucket, as Firecracker's consume()
 * @l:		the limiter
 * @tokens:	how many
 * @kind:	which bucket
 * @now_ns:	the clock
 *
 * A disabled bucket allows anything. A refusal blocks the limiter for
 * SQN_RL_REFILL_TIMER_MS; an over-consumption passes and blocks it for the
 * time the excess takes to refill.
 *
 * Return: true if the tokens were taken
 */
bool sqn_rl_consume(struct sqn_rl *l, uint64_t tokens, enum sqn_rl_kind kind,
		    uint64_t now_ns)
{
	struct sqn_tb *b = kind == SQN_RL_BYTES ? &l->bandwidth : &l->ops;
	uint64_t excess = 0;

	if (sqn_rl_blocked(l, now_ns)) {
		l->throttled++;
		return false;
	}
	if (!sqn_tb_enabled(b))
		return true;
	switch (sqn_tb_reduce(b, tokens, now_ns, &excess)) {
	case SQN_TB_FAIL:
		rl_block(l, SQN_RL_REFILL_TIMER_MS, now_ns);
		l->throttled++;
		return false;
	case SQN_TB_OVER:
		rl_block(l, over_ms(b, excess), now_ns);
		return true;
	case SQN_TB_OK:
	default:
		return true;
	}
}

/**
 * sqn_rl_replenish() - give tokens back to one bucket
 * @l:		the limiter
 * @tokens:	how many
 * @kind:	which bucket (a disabled one ignores it)
 */
void sqn_rl_replenish(struct sqn_rl *l, uint64_t tokens, enum sqn_rl_kind kind)
{
	struct sqn_tb *b = kind == SQN_RL_BYTES ? &l->bandwidth : &l->ops;

	if (sqn_tb_enabled(b))
		sqn_tb_replenish(b, tokens);
}

/**
 * sqn_rl_frame() - let one frame pass, or not
 * @l:		the limiter
 * @len:	the frame's length in bytes
 * @now_ns:	the clock
 *
 * One op, then @len bytes; if the bytes are refused the op is given back
 * (Firecracker's rate_limiter_consume_op()).
 *
 * Return: true if the frame may pass
 */
bool sqn_rl_frame(struct sqn_rl *l, uint64_t len, uint64_t now_ns)
{
	if (!sqn_rl_consume(l, 1, SQN_RL_OPS, now_ns))
		return false;
	if (!sqn_rl_consume(l, len, SQN_RL_BYTES, now_ns)) {
		sqn_rl_replenish(l, 1, SQN_RL_OPS);
		return false;
	}
	return true;
}

/**
 * sqn_rl_wait_ns() - how long until the limiter unblocks
 * @l:		the limiter
 * @now_ns:	the clock
 *
 * Return: nanoseconds, 0 when not blocked
 */
uint64_t sqn_rl_wait_ns(const struct sqn_rl *l, uint64_t now_ns)
{
	return l->blocked && l->until_ns > now_ns ? l->until_ns - now_ns : 0;
}

/**
 * sqn_rl_wait_ms() - sqn_rl_wait_ns() as a poll timeout
 * @l:		the limiter
 * @now_ns:	the clock
 *
 * Rounded up, so a caller that sleeps this long finds the limiter
 * unblocked; capped at INT32_MAX.
 *
 * Return: milliseconds (at least 1) while blocked, -1 when not blocked
 */
int sqn_rl_wait_ms(const struct sqn_rl *l, uint64_t now_ns)
{
	uint64_t ns = sqn_rl_wait_ns(l, now_ns), ms;

	if (!ns)
		return -1;
	ms = ns / SQN_RL_NS_PER_MS + (ns % SQN_RL_NS_PER_MS != 0);
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

/**
 * tb_room() - tokens in hand: the burst left and the budget, no refill
 * @b:	an enabled bucket
 *
 * Return: tokens, saturated at UINT64_MAX
 */
static uint64_t tb_room(const struct sqn_tb *b)
{
	return b->burst > UINT64_MAX - b->budget ? UINT64_MAX
						 : b->burst + b->budget;
}

/**
 * sqn_rl_sure() - how many frames would pass for certain, now
 * @l:			the limiter
 * @frame_bytes:	the largest a frame can be (bytes it may cost)
 * @max:		most frames asked about
 * @now_ns:		the clock (a limiter past its deadline is unblocked)
 *
 * Counts only the tokens in hand (a refill may add more): frames of up to
 * @frame_bytes bytes each, that many in a row, are each allowed by
 * sqn_rl_frame() without a refusal and without an over-consumption, so
 * they never block the limiter. A caller that must take frames before it
 * knows their size (the core's reads) takes that many, or one at a time
 * when the answer is 0.
 *
 * Return: 0 while blocked, else up to @max
 */
uint64_t sqn_rl_sure(const struct sqn_rl *l, uint64_t frame_bytes, uint64_t max,
		     uint64_t now_ns)
{
	uint64_t k = max;

	if (l->blocked && now_ns < l->until_ns)
		return 0;
	if (sqn_tb_enabled(&l->ops))
		k = SQN_RL_MIN(k, tb_room(&l->ops));
	if (sqn_tb_enabled(&l->bandwidth))
		k = SQN_RL_MIN(k, frame_bytes
					  ? tb_room(&l->bandwidth) / frame_bytes
					  : k);
	return k;
}

/**
 * sqn_rl_config_get() - the configuration a limiter runs with
 * @l:	the limiter
 * @c:	gets each bucket's size, configured one-time burst and refill
 *	time (all 0 for a disabled bucket)
 */
void sqn_rl_config_get(const struct sqn_rl *l, struct sqn_rl_config *c)
{
	c->bandwidth = (struct sqn_tb_config){
		.size = l->bandwidth.size,
		.one_time_burst = l->bandwidth.initial_burst,
		.refill_time_ms = l->bandwidth.refill_ms};
	c->ops = (struct sqn_tb_config){.size = l->ops.size,
					.one_time_burst = l->ops.initial_burst,
					.refill_time_ms = l->ops.refill_ms};
}

/**
 * sqn_rl_config_from() - a public limiter (struct sqn_rate_limiter) as a
 *			  limiter's configuration
 * @l:	the public struct
 * @c:	gets it
 */
void sqn_rl_config_from(const struct sqn_rate_limiter *l,
			struct sqn_rl_config *c)
{
	c->bandwidth = (struct sqn_tb_config){
		.size = l->bandwidth.size,
		.one_time_burst = l->bandwidth.one_time_burst,
		.refill_time_ms = l->bandwidth.refill_time_ms};
	c->ops =
		(struct sqn_tb_config){.size = l->ops.size,
				       .one_time_burst = l->ops.one_time_burst,
				       .refill_time_ms = l->ops.refill_time_ms};
}

/**
 * sqn_rl_limits_any() - whether a public limiter limits anything
 * @l:	the public struct
 *
 * Return: true with a bucket whose size and refill time are both set
 */
bool sqn_rl_limits_any(const struct sqn_rate_limiter *l)
{
	return (l->bandwidth.size && l->bandwidth.refill_time_ms) ||
	       (l->ops.size && l->ops.refill_time_ms);
}

/**
 * sqn_rl_update_from() - the buckets of one direction that SQN_LIMIT_* bits
 *			  name, as a run-time update
 * @l:		the new buckets, or NULL when @which names none of them
 * @which:	SQN_LIMIT_* bits
 * @bw_bit:	the direction's bandwidth bit (SQN_LIMIT_RX_BANDWIDTH...)
 * @ops_bit:	its ops bit
 * @u:		gets the update
 */
void sqn_rl_update_from(const struct sqn_rate_limiter *l, unsigned which,
			unsigned bw_bit, unsigned ops_bit,
			struct sqn_rl_update *u)
{
	memset(u, 0, sizeof(*u));
	u->set_bandwidth = (which & bw_bit) != 0;
	u->set_ops = (which & ops_bit) != 0;
	if (l)
		sqn_rl_config_from(l, &u->cfg);
}
