/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_loopback.c - the loopback backend through the public API: byte-exact
 *		  round trips, readiness, drops, no truncation, two threads
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>

#include "check.h"
#include "squibnet.h"

static uint8_t txbuf[SQN_BATCH][SQN_FRAME_MAX];
static uint8_t rxbuf[SQN_BATCH][SQN_FRAME_MAX];

static struct sqn_iface *start_lb(uint32_t mtu, uint32_t qlen)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	char err[256];

	sqn_params_init(&p);
	p.iface_id = "lb0";
	p.mode = SQN_MODE_LOOPBACK;
	p.mtu = mtu;
	p.rx_queue_len = qlen;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

static int readable(struct sqn_iface *iface, int ms)
{
	struct pollfd pfd = {.fd = sqn_iface_fd(iface), .events = POLLIN};

	return poll(&pfd, 1, ms) == 1;
}

static void fill(uint8_t *b, uint32_t len, uint32_t seed)
{
	uint32_t i, x = seed * 2654435761u + 1;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
}

static void round_trip_all_sizes(void)
{
	static const uint32_t sizes[] = {14, 15, 60, 1514, 9014, 65535};
	struct sqn_iface *iface = start_lb(65521, 0);
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	unsigned batch, i, s;

	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), 65535);
	CHECK(!readable(iface, 0));
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (batch = 1; batch <= SQN_BATCH; batch++) {
			for (i = 0; i < batch; i++) {
				uint32_t len = sizes[(s + i) % 6];

				fill(txbuf[i], len, batch * 100 + i);
				tx[i] = (struct sqn_frame){.data = txbuf[i],
							   .len = len};
				rx[i] = (struct sqn_frame){
					.data = rxbuf[i], .cap = SQN_FRAME_MAX};
			}
			CHECK_EQ(sqn_iface_write(iface, tx, batch), batch);
			CHECK(readable(iface, 1000));
			CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), batch);
			for (i = 0; i < batch; i++) {
				CHECK_EQ(rx[i].len, tx[i].len);
				CHECK(!memcmp(rx[i].data, tx[i].data,
					      tx[i].len));
			}
			CHECK(!readable(iface, 0));
			CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 0);
		}
	}
	sqn_iface_free(iface);
}

static void full_queue_counts_drops(void)
{
	struct sqn_iface *iface = start_lb(0, 256);
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_stats st;
	unsigned i, total = 0, bad_ids = 0;
	int n;

	ASSERT(iface);
	for (i = 0; i < SQN_BATCH; i++) {
		fill(txbuf[i], 1514, i);
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1514};
	}
	for (i = 0; i < 10; i++) { /* 320 frames into a 256-frame queue */
		unsigned j, id;

		for (j = 0; j < SQN_BATCH; j++) { /* frame ids 0..319 */
			id = i * SQN_BATCH + j;
			memcpy(txbuf[j] + 14, &id, sizeof(id));
		}
		CHECK_EQ(sqn_iface_write(iface, tx, SQN_BATCH), SQN_BATCH);
	}
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.tx_frames, 320);
	CHECK_EQ(st.rx_dropped, 64);
	for (i = 0; i < SQN_BATCH; i++)
		rx[i] = (struct sqn_frame){.data = rxbuf[i], .cap = 1514};
	/* the loopback ring drops the new frame when full: exactly the 256
	 * oldest, ids 0 to 255 in order, come back */
	while ((n = sqn_iface_read(iface, rx, SQN_BATCH)) > 0) {
		for (i = 0; i < (unsigned)n; i++) {
			unsigned id;

			memcpy(&id, rxbuf[i] + 14, sizeof(id));
			if (id != total + i)
				bad_ids++;
		}
		total += (unsigned)n;
	}
	CHECK_EQ(total, 256);
	CHECK_EQ(bad_ids, 0);
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_frames, 256);
	CHECK_EQ(st.rx_bytes, 256 * 1514);
	sqn_iface_free(iface);
}

static void never_truncates(void)
{
	struct sqn_iface *iface = start_lb(9000, 0);
	struct sqn_frame tx[2], rx[2];
	char msg[256];

	ASSERT(iface);
	tx[0] = (struct sqn_frame){.data = txbuf[0], .len = 100};
	tx[1] = (struct sqn_frame){.data = txbuf[1], .len = 9000};
	CHECK_EQ(sqn_iface_write(iface, tx, 2), 2);
	rx[0] = (struct sqn_frame){.data = rxbuf[0], .cap = 1514};
	rx[1] = (struct sqn_frame){.data = rxbuf[1], .cap = 1514};
	CHECK_EQ(sqn_iface_read(iface, rx, 2), 1); /* stops before it */
	CHECK_EQ(rx[0].len, 100);
	CHECK_EQ(sqn_iface_read(iface, rx, 2), -EMSGSIZE);
	CHECK_EQ(rx[0].len, 9000); /* the size it needs */
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg,
		      "the next frame is 9000 bytes, the buffer holds 1514");
	CHECK(readable(iface, 0)); /* still queued */
	rx[0].cap = 9014;
	CHECK_EQ(sqn_iface_read(iface, rx, 2), 1);
	CHECK_EQ(rx[0].len, 9000);
	sqn_iface_free(iface);
}

static void refuses_bad_lengths(void)
{
	struct sqn_iface *iface = start_lb(0, 0);
	struct sqn_frame tx[4], rx[4];
	struct sqn_stats st;

	ASSERT(iface);
	tx[0] = (struct sqn_frame){.data = txbuf[0], .len = 13};
	tx[1] = (struct sqn_frame){.data = txbuf[1], .len = 60};
	tx[2] = (struct sqn_frame){.data = txbuf[2], .len = 1515};
	tx[3] = (struct sqn_frame){.data = txbuf[3], .len = 61};
	CHECK_EQ(sqn_iface_write(iface, tx, 4), 4);
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.tx_errors, 2);
	CHECK_EQ(st.tx_frames, 2);
	rx[0] = (struct sqn_frame){.data = rxbuf[0], .cap = 2000};
	rx[1] = (struct sqn_frame){.data = rxbuf[1], .cap = 2000};
	CHECK_EQ(sqn_iface_read(iface, rx, 2), 2);
	CHECK_EQ(rx[0].len, 60);
	CHECK_EQ(rx[1].len, 61);
	sqn_iface_free(iface);
}

static void queries(void)
{
	struct sqn_iface *iface = start_lb(0, 0);
	uint8_t mac[6];
	char why[128];

	ASSERT(iface);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK_EQ(sqn_iface_max_frame(iface), 1514);
	CHECK(!strcmp(sqn_iface_id(iface), "lb0"));
	CHECK_EQ(sqn_iface_mode(iface), SQN_MODE_LOOPBACK);
	CHECK_EQ(sqn_iface_link(iface, why, sizeof(why)), 1);
	CHECK_STR_HAS(why, "loopback backend started");
	CHECK_EQ(sqn_iface_queues(iface), 1);
	CHECK_EQ(sqn_iface_queue_fd(iface, 0), sqn_iface_fd(iface));
	CHECK_EQ(sqn_iface_queue_fd(iface, 1), -EINVAL);
	CHECK_EQ(sqn_iface_timeout_ms(iface), -1);
	sqn_iface_guest_mac(iface, mac);
	CHECK_EQ(mac[0], 0x06);
	sqn_iface_free(iface);
}

static void stop_is_idempotent(void)
{
	struct sqn_iface *iface = start_lb(0, 0);
	struct sqn_frame f = {.data = txbuf[0], .len = 60};
	struct sqn_stats st;
	uint8_t mac[6] = {1, 1, 1, 1, 1, 1};
	char why[128];

	ASSERT(iface);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	sqn_iface_stop(iface);
	sqn_iface_stop(iface); /* a second stop does nothing */
	CHECK_EQ(sqn_iface_link(iface, why, sizeof(why)), 0);
	CHECK_STR_HAS(why, "stopped");
	CHECK_EQ(sqn_iface_fd(iface), -ESHUTDOWN);
	CHECK_EQ(sqn_iface_queue_fd(iface, 0), -ESHUTDOWN);
	CHECK_EQ(sqn_iface_timeout_ms(iface), -1);
	CHECK_EQ(sqn_iface_write(iface, &f, 1), -ESHUTDOWN);
	f.data = rxbuf[0];
	f.cap = SQN_FRAME_MAX;
	CHECK_EQ(sqn_iface_read(iface, &f, 1), -ESHUTDOWN);
	sqn_iface_last_error(iface, why, sizeof(why));
	CHECK_STR_HAS(why, "read after sqn_iface_stop()");
	/* the final counters are still there to report */
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.tx_frames, 1);
	CHECK_EQ(st.tx_bytes, 60);
	CHECK_EQ(sqn_iface_mtu(iface), 1500);
	CHECK(!strcmp(sqn_iface_id(iface), "lb0"));
	sqn_iface_free(iface);

	/* NULL is fine everywhere */
	sqn_iface_stop(NULL);
	sqn_iface_free(NULL);
	memset(&st, 0xff, sizeof(st));
	sqn_iface_stats(NULL, &st);
	CHECK_EQ(st.rx_frames, 0);
	sqn_iface_host_mac(NULL, mac);
	CHECK_EQ(mac[0], 0);
	sqn_iface_guest_mac(NULL, mac);
	CHECK_EQ(mac[5], 0);
	CHECK_EQ(sqn_iface_fd(NULL), -EINVAL);
}

#define THREAD_FRAMES 200000

static void *writer(void *arg)
{
	struct sqn_iface *iface = arg;
	static uint8_t buf[SQN_BATCH][128];
	struct sqn_frame tx[SQN_BATCH];
	uint32_t seq = 0, i;

	while (seq < THREAD_FRAMES) {
		for (i = 0; i < SQN_BATCH; i++) {
			memcpy(buf[i], &seq, 4);
			memset(buf[i] + 4, 0xab, 60);
			tx[i] = (struct sqn_frame){.data = buf[i], .len = 64};
			seq++;
		}
		sqn_iface_write(iface, tx, SQN_BATCH);
	}
	return NULL;
}

static void two_threads(void)
{
	struct sqn_iface *iface = start_lb(0, 256);
	static uint8_t buf[SQN_BATCH][128];
	struct sqn_frame rx[SQN_BATCH];
	struct sqn_stats st;
	uint32_t got = 0, last = 0, seq, i;
	int first = 1, n, ordered = 1;
	pthread_t t;

	ASSERT(iface);
	ASSERT(!pthread_create(&t, NULL, writer, iface));
	for (;;) {
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = buf[i], .cap = 128};
		n = sqn_iface_read(iface, rx, SQN_BATCH);
		if (n == 0) {
			sqn_iface_stats(iface, &st);
			if (st.tx_frames == THREAD_FRAMES &&
			    got + st.rx_dropped == THREAD_FRAMES)
				break;
			readable(iface, 10);
			continue;
		}
		for (i = 0; i < (uint32_t)n; i++) {
			memcpy(&seq, buf[i], 4);
			if (!first && seq <= last)
				ordered = 0;
			first = 0;
			last = seq;
		}
		got += (uint32_t)n;
	}
	pthread_join(t, NULL);
	sqn_iface_stats(iface, &st);
	printf("# %u frames read, %llu dropped\n", got,
	       (unsigned long long)st.rx_dropped);
	CHECK(ordered);
	CHECK_EQ(got + st.rx_dropped, THREAD_FRAMES);
	CHECK_EQ(st.rx_frames, got);
	sqn_iface_free(iface);
}

static const struct check_case cases[] = {
	CASE(round_trip_all_sizes),
	CASE(full_queue_counts_drops),
	CASE(never_truncates),
	CASE(refuses_bad_lengths),
	CASE(queries),
	CASE(stop_is_idempotent),
	CASE(two_threads),
};
CHECK_MAIN(cases)
