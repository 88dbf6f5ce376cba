/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_alloc.c - no heap allocation per frame: count malloc and friends
 *	       across 10,000 frames through loopback and expect zero
 *
 * malloc, calloc, realloc and free are interposed for this executable and
 * the library it loads (alloc_count.h); glibc's own entry points do the
 * work.
 */
#include <stddef.h>

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

static const struct check_case cases[] = {
	CASE(zero_allocs_per_frame),
};
CHECK_MAIN(cases)
