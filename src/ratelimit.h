/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.h - Firecracker's token buckets and rate limiter, pure
 *
 * A limiter holds a bandwidth bucket (bytes) and an ops bucket (frames),
 * each {size, one_time_burst, refill_time_ms} as in Firecracker's
 * TokenBucketConfig; a bucket whose size or refill time is 0 is disabled.
 * Time comes in as a parameter (nanoseconds of a monotonic clock), so the
 * module does no I/O and tests drive it with a fake clock. Not thread-safe:
 * the owner locks when two threads share a limiter.
 *
 * Semantics (firecracker src/vmm/src/rate_limiter/mod.rs, kept exactly
 * except where marked "differs"):
 * - A bucket starts full (budget = size) with its one-time burst on top.
 *   reduce(n) spends the burst first; a request the burst covers leaves the
 *   budget alone and restarts the refill clock. Otherwise the rest comes
 *   from the budget, which is refilled lazily, only when a request does not
 *   fit: time since the last refill, at size tokens per refill_time, the
 *   fraction of a token carried over to the next refill; a full refill_time
 *   or more fills the bucket.
 * - A request larger than the bucket (n > size after the refill) always
 *   passes: it empties the budget and "over-consumes" the excess. The
 *   limiter then blocks for excess * refill_time / size ms (Firecracker
 *   computes this in floating point; here it is exact in integers). The
 *   time blocked is refilled afterwards like any other, so frames larger
 *   than the bucket pass faster than the rate: size a bucket for the
 *   largest frame (SQN_FRAME_MAX with offloads, MTU + 14 without).
 * - A request that still does not fit fails, and the limiter blocks for
 *   SQN_RL_REFILL_TIMER_MS (100 ms), whatever the bucket's rate: that is
 *   the retry granularity. While blocked every consume fails and leaves
 *   the buckets alone. Firecracker arms a timerfd and unblocks when it
 *   fires; here the limiter unblocks once now reaches the deadline.
 * - A frame takes one op, then its length in bytes; when the bytes bucket
 *   refuses, the op is given back (Firecracker's rate_limiter_consume_op).
 * - An update (Firecracker's PATCH, update_buckets) leaves a bucket as it
 *   is when not named, disables it when named with size or refill_time 0,
 *   and otherwise replaces it with a new, full bucket (fresh burst, refill
 *   clock restarted). The blocked state is kept.
 * - differs: a refill_time whose nanoseconds overflow 64 bits (over 584
 *   years) makes Firecracker disable the bucket silently; here the check
 *   refuses it with a message. An over-consumption whose block rounds down
 *   to 0 ms arms Firecracker's timerfd with 0, which disarms it while the
 *   limiter stays marked blocked (blocked for good); here it does not
 *   block. A clock that goes backwards counts as no time passed.
 *
 * How the core is to use it (issue 14's proposal; the module knows no
 * struct sqn_iface, so serve's ports use it the same way):
 * - One limiter per direction, each behind its own mutex (the reader or
 *   writer thread, and the control thread's update); the clock is read
 *   once per call (CLOCK_MONOTONIC), a relaxed flag skips it all when no
 *   limit is set. A frame costs its Ethernet length in bytes (Firecracker
 *   also charges the 12-byte virtio-net header its descriptors carry).
 * - TX: sqn_iface_write() passes frames while sqn_rl_frame() allows them
 *   and returns how many it took; the rest stay with the caller (as in a
 *   VMM's virtqueue: Firecracker undoes the pop). 0 is a valid answer.
 *   The caller retries after sqn_rl_wait_ms(): sqn_iface_timeout_ms()
 *   includes it, the readiness fd turns readable then, and a writer thread
 *   that sleeps on the guest's kick asks a new sqn_iface_tx_wait_ms().
 * - RX: sqn_iface_read() hands out frames while sqn_rl_frame() allows
 *   them; frames read from the backend but refused wait in the core (one
 *   batch: SQN_BATCH slots of max_frame, allocated when an rx limit is
 *   first set, never per frame) and go first next time. While blocked the
 *   core takes nothing from the backend, which keeps arriving frames in
 *   its bounded queue (drops counted as today), but is still serviced
 *   (its timers and sockets) through a read of 0 frames.
 * - Readiness: sqn_iface_fd() becomes a core poller (sqn_poller) holding
 *   the backend's fd and a timer (timerfd; EVFILT_TIMER on kqueue). While
 *   rx is blocked the backend's fd is taken out of it and the timer armed
 *   for sqn_rl_wait_ms(), so the fd does not report frames the caller may
 *   not have and the loop sleeps instead of spinning; read puts it back.
 */
#ifndef SQN_RATELIMIT_H
#define SQN_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SQN_RL_REFILL_TIMER_MS - how long a limiter blocks after a refusal */
#define SQN_RL_REFILL_TIMER_MS 100
/** SQN_RL_NS_PER_MS - nanoseconds in a millisecond */
#define SQN_RL_NS_PER_MS 1000000ULL

/**
 * struct sqn_tb_config - one bucket, as Firecracker's TokenBucketConfig
 * @size:		tokens the bucket holds (bytes or frames); 0 disables
 * @one_time_burst:	extra tokens spent first, never refilled
 * @refill_time_ms:	milliseconds to refill an empty bucket; 0 disables
 */
struct sqn_tb_config {
	uint64_t size;
	uint64_t one_time_burst;
	uint64_t refill_time_ms;
};

/**
 * struct sqn_tb - a token bucket
 * @size:		capacity; 0 when disabled
 * @initial_burst:	the configured one-time burst
 * @refill_ms:		refill time of an empty bucket, ms
 * @burst:		one-time burst left
 * @budget:		tokens left (the burst aside)
 * @last_ns:		refill clock: time up to which tokens were credited
 * @cap_q:		size / gcd(size, refill_ms * 10^6)
 * @refill_q:		refill_ms * 10^6 / the same gcd
 */
struct sqn_tb {
	uint64_t size;
	uint64_t initial_burst;
	uint64_t refill_ms;
	uint64_t burst;
	uint64_t budget;
	uint64_t last_ns;
	uint64_t cap_q;
	uint64_t refill_q;
};

/**
 * enum sqn_tb_result - what sqn_tb_reduce() did
 * @SQN_TB_FAIL:	not enough tokens: nothing taken
 * @SQN_TB_OK:		the tokens were taken
 * @SQN_TB_OVER:	more than the bucket holds was asked: the budget was
 *			emptied and the excess over-consumed
 */
enum sqn_tb_result {
	SQN_TB_FAIL,
	SQN_TB_OK,
	SQN_TB_OVER,
};

/**
 * enum sqn_rl_kind - which bucket of a limiter
 * @SQN_RL_BYTES:	bandwidth
 * @SQN_RL_OPS:		frames
 */
enum sqn_rl_kind {
	SQN_RL_BYTES,
	SQN_RL_OPS,
};

/**
 * struct sqn_rl_config - a limiter, as Firecracker's RateLimiterConfig
 * @bandwidth:	the bytes bucket
 * @ops:	the frames bucket
 */
struct sqn_rl_config {
	struct sqn_tb_config bandwidth;
	struct sqn_tb_config ops;
};

/**
 * struct sqn_rl_update - a run-time change, as Firecracker's PATCH body
 * @set_bandwidth:	replace (or, with size or refill 0, disable) the
 *			bytes bucket; false leaves it as it is
 * @set_ops:		the same for the ops bucket
 * @cfg:		the new buckets, read where set
 */
struct sqn_rl_update {
	bool set_bandwidth;
	bool set_ops;
	struct sqn_rl_config cfg;
};

/**
 * struct sqn_rl - a limiter
 * @bandwidth:		bytes bucket
 * @ops:		frames bucket
 * @blocked:		a refusal or over-consumption blocked it until @until_ns
 * @until_ns:		when it unblocks
 * @throttled:		consumes refused (the bucket was short, or blocked)
 * @blocks:		times it was blocked
 */
struct sqn_rl {
	struct sqn_tb bandwidth;
	struct sqn_tb ops;
	bool blocked;
	uint64_t until_ns;
	uint64_t throttled;
	uint64_t blocks;
};

int sqn_tb_config_check(const struct sqn_tb_config *c, const char *what,
			char *err, size_t errlen);
void sqn_tb_init(struct sqn_tb *b, const struct sqn_tb_config *c,
		 uint64_t now_ns);
enum sqn_tb_result sqn_tb_reduce(struct sqn_tb *b, uint64_t tokens,
				 uint64_t now_ns, uint64_t *excess);
void sqn_tb_replenish(struct sqn_tb *b, uint64_t tokens);

int sqn_rl_config_check(const struct sqn_rl_config *c, const char *what,
			char *err, size_t errlen);
void sqn_rl_init(struct sqn_rl *l, const struct sqn_rl_config *c,
		 uint64_t now_ns);
void sqn_rl_update(struct sqn_rl *l, const struct sqn_rl_update *u,
		   uint64_t now_ns);
bool sqn_rl_consume(struct sqn_rl *l, uint64_t tokens, enum sqn_rl_kind kind,
		    uint64_t now_ns);
void sqn_rl_replenish(struct sqn_rl *l, uint64_t tokens, enum sqn_rl_kind kind);
bool sqn_rl_frame(struct sqn_rl *l, uint64_t len, uint64_t now_ns);
bool sqn_rl_blocked(struct sqn_rl *l, uint64_t now_ns);
uint64_t sqn_rl_wait_ns(const struct sqn_rl *l, uint64_t now_ns);
int sqn_rl_wait_ms(const struct sqn_rl *l, uint64_t now_ns);
uint64_t sqn_rl_sure(const struct sqn_rl *l, uint64_t frame_bytes, uint64_t max,
		     uint64_t now_ns);
void sqn_rl_config_get(const struct sqn_rl *l, struct sqn_rl_config *c);

/* the public struct sqn_rate_limiter (squibnet.h), for the core and serve */
struct sqn_rate_limiter;
void sqn_rl_config_from(const struct sqn_rate_limiter *l,
			struct sqn_rl_config *c);
bool sqn_rl_limits_any(const struct sqn_rate_limiter *l);
void sqn_rl_update_from(const struct sqn_rate_limiter *l, unsigned which,
			unsigned bw_bit, unsigned ops_bit,
			struct sqn_rl_update *u);

/**
 * sqn_tb_enabled() - whether a bucket limits anything
 * @b:	the bucket
 *
 * Return: true unless disabled (size or refill time 0)
 */
static inline bool sqn_tb_enabled(const struct sqn_tb *b)
{
	return b->size != 0;
}

/**
 * sqn_rl_enabled() - whether a limiter limits anything
 * @l:	the limiter
 *
 * Return: true if either bucket is enabled
 */
static inline bool sqn_rl_enabled(const struct sqn_rl *l)
{
	return sqn_tb_enabled(&l->bandwidth) || sqn_tb_enabled(&l->ops);
}

#endif /* SQN_RATELIMIT_H */
