/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_alloc.c - no heap allocation per frame: count malloc and friends
 *	       across 10,000 frames through loopback and expect zero
 *
 * malloc, calloc, realloc and free are interposed for this executable and
 * the library it loads (alloc_count.h); glibc's own entry points do the
 * work.
 */
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "alloc_count.h"
#include "check.h"
#include "squibnet.h"

static void zero_allocs_per_frame(void)
{
	static uint8_t tx[SQN_BATCH][1514], rx[SQN_BATCH][1514];
	struct sqn_frame tf[SQN_BATCH], rf[SQN_BATCH];
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_stats st;
	char err[256];
	unsigned long before, after;
	int i, frames = 0, n;

	sqn_params_init(&p);
	p.iface_id = "alloc0";
	p.mode = SQN_MODE_LOOPBACK;
	ASSERT(sqn_iface_start(&p, &iface, err, sizeof(err)) == 0);
	for (i = 0; i < SQN_BATCH; i++) {
		memset(tx[i], i, sizeof(tx[i]));
		tf[i] = (struct sqn_frame){.data = tx[i], .len = 1514};
	}
	before = atomic_load(&alloc_count);
	while (frames < 10000) {
		CHECK_EQ(sqn_iface_write(iface, tf, SQN_BATCH), SQN_BATCH);
		for (i = 0; i < SQN_BATCH; i++)
			rf[i] = (struct sqn_frame){.data = rx[i], .cap = 1514};
		n = sqn_iface_read(iface, rf, SQN_BATCH);
		ASSERT(n == SQN_BATCH);
		frames += n;
		sqn_iface_stats(iface, &st);
	}
	after = atomic_load(&alloc_count);
	printf("# %d frames, %lu allocations\n", frames, after - before);
	CHECK_EQ(after - before, 0);
	CHECK(before > 0); /* the interposition works: start allocated */
	sqn_iface_free(iface);
}

/* the frame path with both limiters on (frames held back, throttled
 * writes) and a capture running: still no allocation per frame */
static void zero_allocs_limited(void)
{
	static uint8_t tx[SQN_BATCH][1514], rx[SQN_BATCH][1514];
	char path[] = "/tmp/t_alloc_XXXXXX";
	struct sqn_frame tf[SQN_BATCH], rf[SQN_BATCH];
	struct sqn_capture cap = {.size = sizeof(cap)};
	struct sqn_stats_ext st = {.size = sizeof(st)};
	struct sqn_params p;
	struct sqn_iface *iface;
	char err[256];
	unsigned long before, after;
	int i, in = 0, out = 0, n, fd = mkstemp(path);

	ASSERT(fd >= 0);
	close(fd);
	sqn_params_init(&p);
	p.iface_id = "alloc1";
	p.mode = SQN_MODE_LOOPBACK;
	/* refused often: 64 KiB per 100 ms toward the guest, 128 KiB from
	 * it (a refusal blocks for 100 ms) */
	p.rx_rate_limiter.bandwidth =
		(struct sqn_bucket){.size = 65536, .refill_time_ms = 100};
	p.tx_rate_limiter.bandwidth =
		(struct sqn_bucket){.size = 131072, .refill_time_ms = 100};
	ASSERT(sqn_iface_start(&p, &iface, err, sizeof(err)) == 0);
	cap.path = path;
	ASSERT(sqn_iface_capture_start(iface, &cap) == 0);
	for (i = 0; i < SQN_BATCH; i++) {
		memset(tx[i], i, sizeof(tx[i]));
		tf[i] = (struct sqn_frame){.data = tx[i], .len = 1514};
	}
	before = atomic_load(&alloc_count);
	while (out < 500) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int w;

		w = sqn_iface_write(iface, tf, SQN_BATCH);
		ASSERT(w >= 0);
		in += w;
		for (i = 0; i < SQN_BATCH; i++)
			rf[i] = (struct sqn_frame){.data = rx[i], .cap = 1514};
		n = sqn_iface_read(iface, rf, SQN_BATCH);
		ASSERT(n >= 0);
		out += n;
		sqn_iface_stats_ext(iface, &st);
		/* both throttled: sleep until one may go on */
		if (!w && !n)
			poll(&pfd, 1, sqn_iface_timeout_ms(iface));
	}
	after = atomic_load(&alloc_count);
	printf("# %d frames in, %d out, %llu reads and %llu writes "
	       "throttled, %lu allocations\n",
	       in, out, (unsigned long long)st.rx_throttled,
	       (unsigned long long)st.tx_throttled, after - before);
	CHECK_EQ(after - before, 0);
	CHECK(st.rx_throttled > 0);
	CHECK(st.tx_throttled > 0);
	sqn_iface_free(iface);
	unlink(path);
}

static const struct check_case cases[] = {
	CASE(zero_allocs_per_frame),
	CASE(zero_allocs_limited),
};
CHECK_MAIN(cases)
