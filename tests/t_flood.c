/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_flood.c - 1 GiB of frames into a loopback interface nobody drains for
 *	       a while: memory stays bounded, every drop is counted, no write
 *	       call blocks
 *
 * The writer writes batches of 32 frames; the reader drains only after
 * every 64 MiB written, so most frames find the queue full. Checked: peak
 * RSS (VmHWM, reset before start) grows less than 16 MiB; frames written =
 * frames read + rx_dropped, exactly, and the frames read come in the order
 * written; every write call returns within 1 ms (CLOCK_MONOTONIC), leaving
 * out calls during which the scheduler preempted the thread (an
 * involuntary context switch is the machine's doing, not the library's),
 * and no call blocks (a voluntary context switch inside a write is a
 * block). Memory and time bounds are not checked under valgrind (its
 * slowdown and its own heap); they are under ASan.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "res.h"
#include "squibnet.h"

#define FLOOD_BYTES (1ULL << 30)
#define DRAIN_EVERY (64ULL << 20)
#define RSS_BOUND_KIB (16 * 1024)
#define WRITE_BOUND_NS 1000000LL

#ifndef RUSAGE_THREAD
#define RUSAGE_THREAD RUSAGE_SELF
#endif

static uint8_t txbuf[SQN_BATCH][SQN_FRAME_MAX];
static uint8_t rxbuf[SQN_BATCH][SQN_FRAME_MAX];

/**
 * struct flood - figures of one flood
 * @frames:	frames written (accepted by write)
 * @bytes:	their bytes
 * @calls:	write calls
 * @read:	frames read
 * @max_ns:	slowest write call not preempted
 * @preempted:	write calls left out because the thread was preempted
 * @blocked:	write calls that slept (voluntary context switch)
 * @order_bad:	frames read out of order
 * @last_seq:	sequence number of the last frame read
 */
struct flood {
	uint64_t frames, bytes, calls, read;
	long long max_ns;
	uint64_t preempted, blocked, order_bad;
	int64_t last_seq;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/**
 * drain() - read everything waiting, checking the order
 * @iface:	the interface
 * @fl:		figures
 */
static void drain(struct sqn_iface *iface, struct flood *fl)
{
	struct sqn_frame rx[SQN_BATCH];
	int n, i;

	for (i = 0; i < SQN_BATCH; i++)
		rx[i] = (struct sqn_frame){.data = rxbuf[i],
					   .cap = SQN_FRAME_MAX};
	while ((n = sqn_iface_read(iface, rx, SQN_BATCH)) > 0) {
		for (i = 0; i < n; i++) {
			int64_t seq;

			memcpy(&seq, rx[i].data, sizeof(seq));
			if (seq <= fl->last_seq)
				fl->order_bad++;
			fl->last_seq = seq;
		}
		fl->read += (uint64_t)n;
	}
	CHECK(n == 0);
}

/**
 * flood() - write FLOOD_BYTES in frames of the given sizes, in turn
 * @name:	for the figures
 * @mtu:	the interface's MTU
 * @sizes:	frame sizes
 * @nsizes:	how many
 */
static void flood(const char *name, uint32_t mtu, const uint32_t *sizes,
		  unsigned nsizes)
{
	const char *checker = res_memory_checker();
	struct sqn_frame tx[SQN_BATCH];
	struct flood fl = {.last_seq = -1};
	uint64_t next_drain = DRAIN_EVERY, seq = 0;
	struct sqn_iface *iface;
	struct sqn_params p;
	struct sqn_stats st;
	long hwm0, hwm1;
	char err[256];
	unsigned i;

	/* Touch the test's own buffers before the baseline. */
	memset(txbuf, 0x11, sizeof(txbuf));
	memset(rxbuf, 0x22, sizeof(rxbuf));
	if (!res_reset_peak())
		SKIP("cannot reset the peak RSS (/proc/self/clear_refs)");
	hwm0 = res_status_kib("VmHWM:");

	sqn_params_init(&p);
	p.iface_id = "flood0";
	p.mode = SQN_MODE_LOOPBACK;
	p.mtu = mtu;
	ASSERT(sqn_iface_start(&p, &iface, err, sizeof(err)) == 0);

	while (fl.bytes < FLOOD_BYTES) {
		struct rusage r0, r1;
		long long t0, dt;
		int n;

		for (i = 0; i < SQN_BATCH; i++) {
			uint32_t len = sizes[seq % nsizes];

			memcpy(txbuf[i], &seq, sizeof(seq));
			tx[i] = (struct sqn_frame){.data = txbuf[i],
						   .len = len};
			seq++;
		}
		getrusage(RUSAGE_THREAD, &r0);
		t0 = now_ns();
		n = sqn_iface_write(iface, tx, SQN_BATCH);
		dt = now_ns() - t0;
		getrusage(RUSAGE_THREAD, &r1);
		ASSERT(n == SQN_BATCH);
		fl.calls++;
		if (r1.ru_nvcsw != r0.ru_nvcsw)
			fl.blocked++;
		else if (r1.ru_nivcsw != r0.ru_nivcsw)
			fl.preempted++;
		else if (dt > fl.max_ns)
			fl.max_ns = dt;
		for (i = 0; i < SQN_BATCH; i++)
			fl.bytes += tx[i].len;
		fl.frames += SQN_BATCH;
		if (fl.bytes >= next_drain) { /* the reader wakes up */
			drain(iface, &fl);
			next_drain += DRAIN_EVERY;
		}
	}
	drain(iface, &fl);
	sqn_iface_stats(iface, &st);
	sqn_iface_stop(iface);
	hwm1 = res_status_kib("VmHWM:");

	printf("# %s flood: %.2f GiB in %llu frames, %llu write calls; read "
	       "%llu, dropped %llu (written = read + dropped: %s)\n",
	       name, (double)fl.bytes / (1 << 30),
	       (unsigned long long)fl.frames, (unsigned long long)fl.calls,
	       (unsigned long long)fl.read, (unsigned long long)st.rx_dropped,
	       fl.frames == fl.read + st.rx_dropped ? "exact" : "NO");
	printf("# %s flood: peak RSS +%ld KiB (bound %d); slowest write %lld "
	       "us (bound %lld), %llu preempted calls left out, %llu "
	       "blocked\n",
	       name, hwm1 - hwm0, RSS_BOUND_KIB, fl.max_ns / 1000,
	       WRITE_BOUND_NS / 1000, (unsigned long long)fl.preempted,
	       (unsigned long long)fl.blocked);

	CHECK_EQ(st.tx_frames, fl.frames);
	CHECK_EQ(st.tx_errors, 0);
	CHECK_EQ(st.rx_frames, fl.read);
	CHECK_EQ(fl.frames, fl.read + st.rx_dropped);
	CHECK(st.rx_dropped > 0); /* it did overflow */
	CHECK(fl.read > 0);
	CHECK_EQ(fl.order_bad, 0);
	if (checker && !strcmp(checker, "valgrind")) {
		printf("# %s flood: time and memory bounds not checked under "
		       "valgrind (it runs the code ~50x slower and keeps its "
		       "own heap)\n",
		       name);
		return;
	}
	CHECK(hwm1 - hwm0 < RSS_BOUND_KIB);
	CHECK(fl.max_ns <= WRITE_BOUND_NS);
	CHECK_EQ(fl.blocked, 0);
	/* Preemption is the machine's doing, but not for most calls. */
	CHECK(fl.preempted < fl.calls / 10 + 10);
}

static void flood_mtu_frames(void)
{
	static const uint32_t sizes[] = {1514};

	flood("loopback 1514-byte", 1500, sizes, 1);
}

static void flood_mixed_frames(void)
{
	static const uint32_t sizes[] = {60, 1514, 9014, 65535, 14, 4000};

	flood("loopback mixed 14..65535-byte", 65521, sizes, 6);
}

static const struct check_case cases[] = {
	CASE(flood_mtu_frames),
	CASE(flood_mixed_frames),
};
CHECK_MAIN(cases)
