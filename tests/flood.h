/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flood.h - figures of a flood: timed write calls, frames read in order,
 *	     the peak-RSS bound (t_flood, t_faults)
 *
 * A write call is timed with CLOCK_MONOTONIC and its thread's context
 * switches are counted around it: a voluntary switch inside the call is a
 * block (always a failure); an involuntary one means the scheduler
 * preempted the thread (the machine's doing), so that call's time is left
 * out. Time and memory bounds are not checked under valgrind; the RSS bound
 * of a flood that starts a backend inside the measurement is not checked
 * under any memory checker (see rss_bound()).
 */
#ifndef SQN_FLOOD_H
#define SQN_FLOOD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check.h"
#include "res.h"
#include "squibnet.h"

#define RSS_BOUND_KIB (16 * 1024)
#define WRITE_BOUND_NS 1000000LL
/* A call the scheduler never switched out can still see the clock jump when
 * the VM's vCPU itself is paused by the host (measured here: up to 5.5 ms,
 * with the thread's CPU time equal to its wall time). Such calls may exceed
 * WRITE_BOUND_NS, but at most 1 in 1000 of them, and none this long: */
#define WRITE_CEIL_NS 20000000LL

#ifndef RUSAGE_THREAD
#define RUSAGE_THREAD RUSAGE_SELF
#endif

/**
 * now_ns() - monotonic nanoseconds
 *
 * Return: ns since an arbitrary point
 */
static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/**
 * struct flood - figures of one flood
 * @frames:	frames written (accepted by write)
 * @bytes:	their bytes
 * @calls:	write calls
 * @read:	frames read
 * @max_ns:	slowest write call not preempted
 * @preempted:	write calls left out because the thread was preempted
 * @blocked:	write calls that slept (voluntary context switch)
 * @over:	write calls over WRITE_BOUND_NS, not switched out
 * @order_bad:	frames read out of order
 * @last_seq:	sequence number of the last frame read
 */
struct flood {
	uint64_t frames, bytes, calls, read;
	long long max_ns;
	uint64_t preempted, blocked, over, order_bad;
	int64_t last_seq;
};

/**
 * struct timed - figures of the timed write calls
 * @calls:	write calls
 * @max_ns:	slowest call not preempted
 * @preempted:	calls left out: the thread was preempted
 * @blocked:	calls that slept (voluntary context switch)
 * @frames:	frames consumed
 */
struct timed {
	uint64_t calls;
	long long max_ns;
	uint64_t preempted, blocked, frames;
	uint64_t over; /* calls over WRITE_BOUND_NS, not switched out */
};

/**
 * timed_write() - one write call, timed
 * @iface:	the interface
 * @tw:		figures
 * @tx:		the frames
 * @n:		how many
 * @expect:	check that the call consumed all @n (false: the link may be
 *		down, -ENETDOWN is fine)
 *
 * Return: what the write returned
 */
static inline int timed_write(struct sqn_iface *iface, struct timed *tw,
			      const struct sqn_frame *tx, unsigned n,
			      bool expect)
{
	struct rusage r0, r1;
	long long t0, dt;
	int w;

	getrusage(RUSAGE_THREAD, &r0);
	t0 = now_ns();
	w = sqn_iface_write(iface, tx, n);
	dt = now_ns() - t0;
	getrusage(RUSAGE_THREAD, &r1);
	if (expect)
		CHECK_EQ(w, (int)n);
	tw->calls++;
	tw->frames += w > 0 ? (uint64_t)w : 0;
	if (r1.ru_nvcsw != r0.ru_nvcsw)
		tw->blocked++;
	else if (r1.ru_nivcsw != r0.ru_nivcsw)
		tw->preempted++;
	else {
		if (dt > tw->max_ns)
			tw->max_ns = dt;
		tw->over += dt > WRITE_BOUND_NS;
	}
	return w;
}

/**
 * report_timed() - print the write figures and check them
 * @name:	for the figures
 * @tw:		figures
 * @bound:	check the 1 ms bound too (else only that no call slept)
 */
static inline void report_timed(const char *name, const struct timed *tw,
				bool bound)
{
	const char *checker = res_memory_checker();

	printf("# %s: %llu write calls, slowest %lld us (bound %lld%s), %llu "
	       "over it (at most 1 in 1000, each under %lld us), %llu "
	       "preempted calls left out, %llu blocked\n",
	       name, (unsigned long long)tw->calls, tw->max_ns / 1000,
	       WRITE_BOUND_NS / 1000, bound ? "" : ", not checked here",
	       (unsigned long long)tw->over, WRITE_CEIL_NS / 1000,
	       (unsigned long long)tw->preempted,
	       (unsigned long long)tw->blocked);
	if (checker && !strcmp(checker, "valgrind"))
		return;
	CHECK_EQ(tw->blocked, 0);
	if (!bound)
		return;
	CHECK(tw->over <= tw->calls / 1000);
	CHECK(tw->max_ns <= WRITE_CEIL_NS);
	CHECK(tw->preempted < tw->calls / 10 + 10);
}

/**
 * check_timed() - print and check the write figures, 1 ms bound included
 * @name:	for the figures
 * @tw:		figures
 */
static inline void check_timed(const char *name, const struct timed *tw)
{
	report_timed(name, tw, true);
}

/**
 * rss_bound() - check peak RSS growth, except under a memory checker
 * @checker:	res_memory_checker()
 * @kib:	the growth
 *
 * These floods start and stop a backend inside the measurement (the
 * helper's queues, libslirp's per-packet mbufs): under ASan its quarantine
 * keeps all that freed memory resident, so the bound means nothing there.
 */
static inline void rss_bound(const char *checker, long kib)
{
	if (checker)
		printf("# peak RSS bound not checked under %s (its quarantine "
		       "holds freed memory; it checks leaks itself)\n",
		       checker);
	else
		CHECK(kib < RSS_BOUND_KIB);
}

/**
 * read_some() - one read call, checking the order of the frames' sequence
 *		 numbers (8 bytes at offset 14, after the Ethernet header)
 * @iface:	the interface
 * @fl:		figures (read, order_bad, last_seq)
 * @rx:		frames with their buffers set
 * @n:		frames to ask for
 *
 * Return: what the read returned
 */
static inline int read_some(struct sqn_iface *iface, struct flood *fl,
			    struct sqn_frame *rx, unsigned n)
{
	int r, i;

	r = sqn_iface_read(iface, rx, n);
	for (i = 0; i < r; i++) {
		int64_t seq;

		memcpy(&seq, (uint8_t *)rx[i].data + 14, sizeof(seq));
		if (seq <= fl->last_seq)
			fl->order_bad++;
		fl->last_seq = seq;
	}
	if (r > 0)
		fl->read += (uint64_t)r;
	return r;
}

#endif /* SQN_FLOOD_H */
