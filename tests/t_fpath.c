/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_fpath.c - the core's frame path through the public API: rate limits
 *	       with exact frame and byte accounting, the held-back frame,
 *	       readiness that sleeps while throttled (poll wake-ups counted,
 *	       never time), limits changed at run time, capture matching the
 *	       counters, frames of the core's own, forwards at run time
 *
 * Over loopback (every frame written comes back) and, for forwards, slirp.
 * No assertion is about time: a limiter's effect is counted in frames,
 * bytes and wake-ups.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "fpath.h"
#include "internal.h"
#include "squibnet.h"

#define BUF 2048

static uint8_t txbuf[SQN_BATCH][BUF];
static uint8_t rxbuf[SQN_BATCH][BUF];

/**
 * start_lb() - a loopback interface
 * @p:	parameters filled by the caller (sqn_params_init() done); mode, id
 *	and MTU are set here
 *
 * Return: the interface, or NULL with the message printed
 */
static struct sqn_iface *start_lb(struct sqn_params *p)
{
	struct sqn_iface *iface = NULL;
	char err[256];

	p->iface_id = "fp0";
	p->mode = SQN_MODE_LOOPBACK;
	p->mtu = 1500;
	if (sqn_iface_start(p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

/**
 * frames() - @n numbered frames of @len bytes in txbuf
 * @f:		gets them
 * @n:		how many
 * @len:	bytes each
 * @first:	the number of the first; byte 14..17 carry the number
 */
static void frames(struct sqn_frame *f, unsigned n, uint32_t len,
		   uint32_t first)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		uint32_t num = first + i;

		memset(txbuf[i], 0xab, len);
		memcpy(txbuf[i] + 14, &num, 4);
		f[i] = (struct sqn_frame){.data = txbuf[i], .len = len};
	}
}

/**
 * rx_init() - caller buffers for a read
 * @f:	SQN_BATCH frames
 */
static void rx_init(struct sqn_frame *f)
{
	unsigned i;

	for (i = 0; i < SQN_BATCH; i++)
		f[i] = (struct sqn_frame){.data = rxbuf[i], .cap = BUF};
}

/**
 * num_of() - the number frames() put in a frame
 * @f:	the frame
 *
 * Return: it
 */
static uint32_t num_of(const struct sqn_frame *f)
{
	uint32_t num;

	memcpy(&num, (const uint8_t *)f->data + 14, 4);
	return num;
}

/**
 * readable() - whether an fd polls readable within @ms
 * @fd:	the fd
 * @ms:	poll timeout
 *
 * Return: 1 if readable
 */
static int readable(int fd, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, ms) == 1;
}

/**
 * ext() - the extended counters
 * @iface:	the interface
 *
 * Return: them
 */
static struct sqn_stats_ext ext(struct sqn_iface *iface)
{
	struct sqn_stats_ext st = {.size = sizeof(st)};

	sqn_iface_stats_ext(iface, &st);
	return st;
}

/**
 * drain() - read until @want frames came, polling the readiness fd with
 *	     the interface's timeout, as a VMM's RX loop does
 * @iface:	the interface
 * @want:	frames expected
 * @next:	the number the next frame must carry, advanced
 * @wakeups:	gets the poll wake-ups
 * @empty:	gets the reads that returned nothing
 *
 * Return: frames read
 */
static unsigned drain(struct sqn_iface *iface, unsigned want, uint32_t *next,
		      unsigned *wakeups, unsigned *empty)
{
	struct sqn_frame rx[SQN_BATCH];
	unsigned got = 0, guard = 0;
	int n, i;

	*wakeups = *empty = 0;
	while (got < want && guard++ < 10000) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int t = sqn_iface_timeout_ms(iface);

		/* a limiter's deadline is at most a few hundred ms away: a
		 * poll that waits the full 5 s found nothing to wake it */
		if (poll(&pfd, 1, t < 0 || t > 5000 ? 5000 : t) < 0)
			break;
		(*wakeups)++;
		rx_init(rx);
		n = sqn_iface_read(iface, rx, SQN_BATCH);
		if (n <= 0) {
			(*empty)++;
			continue;
		}
		for (i = 0; i < n; i++) {
			CHECK_EQ(num_of(&rx[i]), *next);
			(*next)++;
		}
		got += (unsigned)n;
	}
	return got;
}

/* tx: exactly the frames both buckets allow pass, the rest stay with the
 * caller; nothing is dropped; a write while blocked takes nothing */
static void tx_exact(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sqn_stats_ext st;
	int fd;

	sqn_params_init(&p);
	/* 1000 bytes a second and a 500-byte burst: 15 frames of 100 */
	p.tx_rate_limiter.bandwidth = (struct sqn_bucket){
		.size = 1000, .one_time_burst = 500, .refill_time_ms = 1000};
	p.tx_rate_limiter.ops =
		(struct sqn_bucket){.size = 1000000, .refill_time_ms = 1000};
	iface = start_lb(&p);
	ASSERT(iface);
	fd = sqn_iface_tx_fd(iface);
	CHECK(fd >= 0);
	CHECK_EQ(sqn_iface_tx_wait_ms(iface), -1);

	frames(f, SQN_BATCH, 100, 0);
	CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), 15);
	CHECK(sqn_iface_tx_wait_ms(iface) >= 1);
	CHECK(sqn_iface_tx_wait_ms(iface) <= SQN_RL_REFILL_TIMER_MS);
	CHECK(sqn_iface_timeout_ms(iface) >= 0);
	CHECK(!readable(fd, 0));
	/* blocked: nothing passes, nothing is charged */
	CHECK_EQ(sqn_iface_write(iface, f + 15, SQN_BATCH - 15), 0);
	st = ext(iface);
	CHECK_EQ(st.tx_frames, 15);
	CHECK_EQ(st.tx_bytes, 1500);
	CHECK_EQ(st.tx_dropped, 0);
	CHECK_EQ(st.tx_throttled, 2);
	/* the tx fd wakes a TX thread once the limiter lets frames by */
	CHECK(readable(fd, 5000));
	CHECK_EQ(sqn_iface_tx_wait_ms(iface), -1);
	/* ~100 ms of refill at 1000 B/s: about one frame; the write clears
	 * the fd */
	CHECK(sqn_iface_write(iface, f + 15, SQN_BATCH - 15) >= 0);
	CHECK(!readable(fd, 0) || sqn_iface_tx_wait_ms(iface) == -1);
	st = ext(iface);
	CHECK_EQ(st.tx_dropped, 0);
	CHECK_EQ(st.tx_bytes, st.tx_frames * 100);
	/* every frame taken came back through loopback, none lost */
	CHECK_EQ(st.rx_dropped, 0);
	sqn_iface_free(iface);
}

/* tx ops bucket: 7 frames of any size; a refused (too short) frame is
 * consumed and not charged */
static void tx_ops(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sqn_stats_ext st;

	sqn_params_init(&p);
	p.tx_rate_limiter.ops =
		(struct sqn_bucket){.size = 7, .refill_time_ms = 60000};
	iface = start_lb(&p);
	ASSERT(iface);
	frames(f, SQN_BATCH, 60, 0);
	f[2].len = 10; /* refused by write: tx_errors, no token */
	CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), 8);
	st = ext(iface);
	CHECK_EQ(st.tx_frames, 7);
	CHECK_EQ(st.tx_errors, 1);
	CHECK_EQ(st.tx_throttled, 1);
	sqn_iface_free(iface);
}

/* rx: reads return exactly what the buckets allow, a frame read but
 * refused is held and comes first, order is kept, nothing dropped, and
 * the readiness fd sleeps while throttled */
static void rx_exact_and_held(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_stats_ext st;
	unsigned wakeups, empty;
	uint32_t next = 0;

	sqn_params_init(&p);
	/* 10 frames of 100 bytes per 100 ms, bucket full at start */
	p.rx_rate_limiter.bandwidth =
		(struct sqn_bucket){.size = 1000, .refill_time_ms = 100};
	iface = start_lb(&p);
	ASSERT(iface);
	frames(f, 25, 100, 0);
	CHECK_EQ(sqn_iface_write(iface, f, 25), 25);

	rx_init(rx);
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 10);
	CHECK_EQ(num_of(&rx[0]), 0);
	CHECK_EQ(num_of(&rx[9]), 9);
	next = 10;
	/* blocked now: nothing, and the fd is quiet though 15 wait */
	rx_init(rx);
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 0);
	CHECK(!readable(sqn_iface_fd(iface), 0));
	CHECK(sqn_iface_timeout_ms(iface) >= 0);
	st = ext(iface);
	CHECK_EQ(st.rx_frames, 10);
	CHECK_EQ(st.rx_bytes, 1000);
	CHECK_EQ(st.rx_throttled, 1);

	/* the rest, 10 per refill: two wake-ups by the timer, and no
	 * spinning: a spin would show thousands */
	CHECK_EQ(drain(iface, 15, &next, &wakeups, &empty), 15);
	printf("# 15 frames in %u wake-ups, %u of them empty\n", wakeups,
	       empty);
	CHECK(wakeups <= 4);
	CHECK(empty <= 2);
	st = ext(iface);
	CHECK_EQ(st.rx_frames, 25);
	CHECK_EQ(st.rx_bytes, 2500);
	CHECK_EQ(st.rx_dropped, 0);
	CHECK(!readable(sqn_iface_fd(iface), 0));
	sqn_iface_free(iface);
}

/* rx ops with a burst, and a held frame that does not fit the next read's
 * buffer: -EMSGSIZE with the size, and it stays */
static void rx_held_too_big(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH], rx[SQN_BATCH];
	unsigned wakeups, empty;
	uint32_t next;

	sqn_params_init(&p);
	p.rx_rate_limiter.ops = (struct sqn_bucket){
		.size = 2, .one_time_burst = 3, .refill_time_ms = 100};
	iface = start_lb(&p);
	ASSERT(iface);
	frames(f, 8, 200, 0);
	CHECK_EQ(sqn_iface_write(iface, f, 8), 8);
	rx_init(rx);
	/* the burst (3), then the budget (2) */
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 5);
	/* wait for the limiter; then a buffer too small for the held one */
	CHECK(readable(sqn_iface_fd(iface), 5000));
	rx_init(rx);
	rx[0].cap = 100;
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), -EMSGSIZE);
	CHECK_EQ(rx[0].len, 200);
	next = 5;
	CHECK_EQ(drain(iface, 3, &next, &wakeups, &empty), 3);
	CHECK_EQ(ext(iface).rx_frames, 8);
	sqn_iface_free(iface);
}

/* limits set and changed at run time, as Firecracker's PATCH */
static void update_at_run_time(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_rate_limiter rx_l = {0}, tx_l = {0}, got;
	char msg[256];
	unsigned wakeups, empty;
	uint32_t next = 0;

	/* not ready for limits: refused, with a message */
	sqn_params_init(&p);
	iface = start_lb(&p);
	ASSERT(iface);
	tx_l.ops = (struct sqn_bucket){.size = 5, .refill_time_ms = 1000};
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_TX, NULL, &tx_l),
		 -EOPNOTSUPP);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg, "live_controls");
	CHECK_EQ(sqn_iface_tx_fd(iface), -EOPNOTSUPP);
	sqn_iface_free(iface);

	sqn_params_init(&p);
	p.live_controls = SQN_ON;
	iface = start_lb(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_set_rate_limit(iface, 1u << 7, NULL, NULL), -EINVAL);
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_RX_OPS, NULL, &tx_l),
		 -EINVAL);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg, "rx is NULL");
	tx_l.bandwidth.refill_time_ms = UINT64_MAX;
	tx_l.bandwidth.size = 1;
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_TX, NULL, &tx_l),
		 -EINVAL);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg, "tx_rate_limiter.bandwidth");

	/* no limit: all 32 pass */
	frames(f, SQN_BATCH, 100, 0);
	CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), SQN_BATCH);
	CHECK_EQ(drain(iface, SQN_BATCH, &next, &wakeups, &empty), SQN_BATCH);

	/* tx ops 5 (only the ops bucket named) */
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_TX_OPS, NULL, &tx_l),
		 0);
	CHECK_EQ(sqn_iface_rate_limit(iface, NULL, &got), 0);
	CHECK_EQ(got.ops.size, 5);
	CHECK_EQ(got.bandwidth.size, 0);
	frames(f, SQN_BATCH, 100, SQN_BATCH);
	CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), 5);
	/* disabled again: the limiter stays blocked to its deadline, then
	 * everything passes */
	tx_l.ops.size = 0;
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_TX_OPS, NULL, &tx_l),
		 0);
	CHECK(readable(sqn_iface_tx_fd(iface), 5000));
	CHECK_EQ(sqn_iface_write(iface, f + 5, SQN_BATCH - 5), SQN_BATCH - 5);
	CHECK_EQ(sqn_iface_tx_wait_ms(iface), -1);

	/* rx ops 4 per 100 ms on a running interface: the frames come 4 at
	 * a time, in order, and all of them */
	rx_l.ops = (struct sqn_bucket){.size = 4, .refill_time_ms = 100};
	CHECK_EQ(sqn_iface_set_rate_limit(iface, SQN_LIMIT_RX, &rx_l, NULL), 0);
	rx_init(rx);
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 4);
	CHECK_EQ(num_of(&rx[0]), SQN_BATCH);
	next = SQN_BATCH + 4;
	CHECK_EQ(drain(iface, SQN_BATCH - 4, &next, &wakeups, &empty),
		 SQN_BATCH - 4);
	printf("# 28 frames at 4 per refill: %u wake-ups, %u empty\n", wakeups,
	       empty);
	CHECK(wakeups <= 2 * (SQN_BATCH - 4) / 4 + 2);
	CHECK_EQ(ext(iface).rx_dropped, 0);
	CHECK_EQ(ext(iface).rx_frames, 2 * SQN_BATCH);
	sqn_iface_free(iface);
}

/**
 * struct pcap_count - what a pcap file holds
 * @records:	records
 * @bytes:	original lengths summed
 */
struct pcap_count {
	uint64_t records;
	uint64_t bytes;
};

/**
 * pcap_read() - count a classic pcap file's records
 * @path:	the file
 * @c:		gets the counts
 *
 * Return: 0, or -1 when it is not a whole pcap file
 */
static int pcap_read(const char *path, struct pcap_count *c)
{
	uint8_t hdr[24], rec[16];
	FILE *f = fopen(path, "rb");
	uint32_t magic, caplen, len;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (!f)
		return -1;
	if (fread(hdr, 1, 24, f) != 24)
		goto out;
	memcpy(&magic, hdr, 4);
	if (magic != 0xa1b2c3d4u && magic != 0xa1b23c4du)
		goto out;
	for (;;) {
		size_t r = fread(rec, 1, 16, f);

		if (r == 0)
			break;
		if (r != 16)
			goto out;
		memcpy(&caplen, rec + 8, 4);
		memcpy(&len, rec + 12, 4);
		if (fseek(f, caplen, SEEK_CUR))
			goto out;
		c->records++;
		c->bytes += len;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* a capture holds exactly the frames the counters count, both ways */
static void capture_matches_counters(void)
{
	char path[] = "/tmp/t_fpath_XXXXXX";
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH];
	struct sqn_capture cap = {.size = sizeof(cap)};
	struct sqn_stats_ext st;
	struct pcap_count pc;
	char msg[256];
	unsigned wakeups, empty, round;
	uint32_t next = 0;
	int fd = mkstemp(path);

	ASSERT(fd >= 0);
	close(fd);
	sqn_params_init(&p);
	iface = start_lb(&p);
	ASSERT(iface);
	/* a frame before the capture is not in it */
	frames(f, 1, 60, 0);
	CHECK_EQ(sqn_iface_write(iface, f, 1), 1);
	CHECK_EQ(drain(iface, 1, &next, &wakeups, &empty), 1);

	cap.path = path;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), 0);
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), -EBUSY);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg, "runs already");
	CHECK_EQ(ext(iface).capturing, 1);
	for (round = 0; round < 20; round++) {
		frames(f, SQN_BATCH, 60 + round * 50, next);
		CHECK_EQ(sqn_iface_write(iface, f, SQN_BATCH), SQN_BATCH);
		CHECK_EQ(drain(iface, SQN_BATCH, &next, &wakeups, &empty),
			 SQN_BATCH);
	}
	CHECK_EQ(sqn_iface_capture_stop(iface), 0);
	CHECK_EQ(sqn_iface_capture_stop(iface), -ENOENT);
	st = ext(iface);
	CHECK_EQ(st.capturing, 0);
	CHECK_EQ(st.capture_frames, 2 * 20 * SQN_BATCH);
	CHECK_EQ(st.capture_dropped, 0);
	CHECK_EQ(st.capture_lost, 0);
	CHECK_EQ(pcap_read(path, &pc), 0);
	CHECK_EQ(pc.records, st.rx_frames - 1 + st.tx_frames - 1);
	CHECK_EQ(pc.bytes, st.rx_bytes - 60 + st.tx_bytes - 60);
	printf("# %llu frames captured, %llu bytes\n",
	       (unsigned long long)pc.records, (unsigned long long)pc.bytes);

	/* one direction only; a bad size and bad directions refused */
	cap.dirs = SQN_CAPTURE_TX;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), 0);
	frames(f, 5, 100, next);
	CHECK_EQ(sqn_iface_write(iface, f, 5), 5);
	CHECK_EQ(drain(iface, 5, &next, &wakeups, &empty), 5);
	CHECK_EQ(sqn_iface_capture_stop(iface), 0);
	CHECK_EQ(pcap_read(path, &pc), 0);
	CHECK_EQ(pc.records, 5);
	cap.dirs = 4;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), -EINVAL);
	cap.dirs = 0;
	cap.size = 3;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), -EINVAL);
	cap.size = sizeof(cap);
	cap.snaplen = 5;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), -EINVAL);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg, "snaplen");
	/* stop stops a running capture; the counters still answer */
	cap.snaplen = 0;
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), 0);
	sqn_iface_stop(iface);
	CHECK_EQ(ext(iface).capturing, 0);
	CHECK_EQ(sqn_iface_capture_start(iface, &cap), -ESHUTDOWN);
	sqn_iface_free(iface);
	unlink(path);
}

/* the extended counters honour the caller's size */
static void stats_ext_size(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_stats_ext st;
	struct sqn_frame f[1];

	sqn_params_init(&p);
	iface = start_lb(&p);
	ASSERT(iface);
	frames(f, 1, 60, 0);
	CHECK_EQ(sqn_iface_write(iface, f, 1), 1);
	memset(&st, 0x55, sizeof(st));
	st.size = (uint32_t)offsetof(struct sqn_stats_ext, rx_bytes);
	CHECK_EQ(sqn_iface_stats_ext(iface, &st), 0);
	CHECK_EQ(st.size, offsetof(struct sqn_stats_ext, rx_bytes));
	CHECK_EQ(st.rx_frames, 0);
	CHECK_EQ(st.tx_frames, 0x5555555555555555ull);
	st.size = 4;
	CHECK_EQ(sqn_iface_stats_ext(iface, &st), -EINVAL);
	CHECK_EQ(sqn_iface_stats_ext(iface, NULL), -EINVAL);
	st.size = sizeof(st) + 64;
	CHECK_EQ(sqn_iface_stats_ext(iface, &st), 0);
	CHECK_EQ(st.size, sizeof(st));
	CHECK_EQ(st.tx_frames, 1);
	sqn_iface_free(iface);
}

/**
 * struct injector - a writer thread putting frames of the core's own in
 * @iface:	the interface
 * @n:		how many
 */
struct injector {
	struct sqn_iface *iface;
	unsigned n;
};

static void *inject_thread(void *arg)
{
	struct injector *in = arg;
	uint8_t frame[64];
	uint32_t i;

	for (i = 0; i < in->n; i++) {
		memset(frame, 0xcd, sizeof(frame));
		memcpy(frame + 14, &(uint32_t){1000 + i}, 4);
		if (sqn_fp_inject(in->iface, frame, sizeof(frame), NULL))
			break;
	}
	return NULL;
}

/* frames of the core's own: returned first, wake the reader, counted and
 * bounded */
static void injected_frames(void)
{
	struct sqn_params p;
	struct sqn_iface *iface;
	struct sqn_frame f[SQN_BATCH], rx[SQN_BATCH];
	struct injector in;
	pthread_t t;
	uint8_t frame[64] = {0};
	unsigned i;
	int n;

	sqn_params_init(&p);
	iface = start_lb(&p);
	ASSERT(iface);
	/* without the core's readiness nothing could wake the reader */
	CHECK_EQ(sqn_fp_inject_init(iface), -EOPNOTSUPP);
	sqn_iface_free(iface);

	sqn_params_init(&p);
	p.live_controls = SQN_ON;
	iface = start_lb(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_fp_inject(iface, frame, sizeof(frame), NULL), -EOPNOTSUPP);
	CHECK_EQ(sqn_fp_inject_init(iface), 0);
	CHECK(!readable(sqn_iface_fd(iface), 0));
	/* backend frames first in the queue, then three injected from a
	 * writer thread: the injected come out first */
	frames(f, 4, 80, 0);
	CHECK_EQ(sqn_iface_write(iface, f, 4), 4);
	in = (struct injector){.iface = iface, .n = 3};
	ASSERT(!pthread_create(&t, NULL, inject_thread, &in));
	pthread_join(t, NULL);
	CHECK(readable(sqn_iface_fd(iface), 0));
	rx_init(rx);
	n = sqn_iface_read(iface, rx, SQN_BATCH);
	CHECK_EQ(n, 7);
	for (i = 0; i < 3 && (int)i < n; i++) {
		CHECK_EQ(num_of(&rx[i]), 1000 + i);
		CHECK_EQ(rx[i].len, 64);
	}
	for (; (int)i < n; i++)
		CHECK_EQ(num_of(&rx[i]), i - 3);
	CHECK(!readable(sqn_iface_fd(iface), 0));
	CHECK_EQ(ext(iface).rx_frames, 7);
	/* the ring is bounded: the 65th is refused and counted */
	for (i = 0; i < SQN_FP_INJECT_SLOTS; i++)
		CHECK_EQ(sqn_fp_inject(iface, frame, sizeof(frame), NULL), 0);
	CHECK_EQ(sqn_fp_inject(iface, frame, sizeof(frame), NULL), -ENOBUFS);
	CHECK_EQ(ext(iface).rx_dropped, 1);
	CHECK_EQ(sqn_fp_inject(iface, frame, 10, NULL), -EINVAL);
	/* injected frames wake a poll that sleeps already */
	for (i = 0; i < SQN_FP_INJECT_SLOTS / SQN_BATCH; i++) {
		rx_init(rx);
		CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), SQN_BATCH);
	}
	rx_init(rx);
	CHECK_EQ(sqn_iface_read(iface, rx, SQN_BATCH), 0);
	CHECK(!readable(sqn_iface_fd(iface), 0));
	in = (struct injector){.iface = iface, .n = 1};
	ASSERT(!pthread_create(&t, NULL, inject_thread, &in));
	CHECK(readable(sqn_iface_fd(iface), 5000));
	pthread_join(t, NULL);
	sqn_iface_free(iface);
}

/**
 * free_port() - a TCP port of 127.0.0.1 nobody listens on now
 *
 * Return: the port, or 0
 */
static uint16_t free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	if (s < 0)
		return 0;
	if (!bind(s, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(s, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	close(s);
	return port;
}

/**
 * connects() - whether a TCP connect to 127.0.0.1:@port succeeds
 * @port:	the port
 *
 * Return: 1 if it does
 */
static int connects(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM, 0), ok;

	if (s < 0)
		return 0;
	ok = connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(s);
	return ok;
}

/* forwards added and removed on a running interface (slirp), refused with
 * the mode's own means elsewhere */
static void forwards_at_run_time(void)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sqn_mode_info mi = {.size = sizeof(mi)};
	char err[256], spec[96], bad[96];
	uint16_t port;

	sqn_params_init(&p);
	iface = start_lb(&p);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_forward_add(iface, "tcp::8080-:80"), -ENOTSUP);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "loopback mode has no port forwards");
	CHECK_EQ(sqn_iface_forward_add(iface, NULL), -EINVAL);
	sqn_iface_free(iface);
	CHECK_EQ(sqn_mode_info(SQN_MODE_TAP, &mi), 0);
	CHECK(!(mi.flags & SQN_MODE_LIVE_FORWARDS));

#ifndef SQN_HAVE_SLIRP
	SKIP("built without libslirp");
#else
	CHECK_EQ(sqn_mode_info(SQN_MODE_SLIRP, &mi), 0);
	CHECK(mi.flags & SQN_MODE_LIVE_FORWARDS);
	sqn_params_init(&p);
	p.iface_id = "fw0";
	p.mode = SQN_MODE_SLIRP;
	iface = NULL;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	ASSERT(iface);
	port = free_port();
	ASSERT(port);
	snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u-:80", port);
	CHECK(!connects(port));
	CHECK_EQ(sqn_iface_forward_add(iface, spec), 0);
	CHECK(connects(port));
	/* the same host port twice: what listening failed with */
	CHECK(sqn_iface_forward_add(iface, spec) < 0);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "cannot listen on TCP 127.0.0.1:");
	CHECK_EQ(sqn_iface_forward_remove(iface, spec), 0);
	CHECK(!connects(port));
	CHECK_EQ(sqn_iface_forward_remove(iface, spec), -ENOENT);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "no TCP forward listens on 127.0.0.1:");
	snprintf(bad, sizeof(bad), "sctp::%u-:80", port);
	CHECK_EQ(sqn_iface_forward_add(iface, bad), -EINVAL);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "unknown protocol");
	snprintf(bad, sizeof(bad), "tcp::%u-10.0.2.2:80", port);
	CHECK_EQ(sqn_iface_forward_add(iface, bad), -EINVAL);
	sqn_iface_last_error(iface, err, sizeof(err));
	CHECK_STR_HAS(err, "not a guest address");
	sqn_iface_free(iface);
#endif
}

static const struct check_case cases[] = {
	CASE(tx_exact),
	CASE(tx_ops),
	CASE(rx_exact_and_held),
	CASE(rx_held_too_big),
	CASE(update_at_run_time),
	CASE(capture_matches_counters),
	CASE(stats_ext_size),
	CASE(injected_frames),
	CASE(forwards_at_run_time),
};

CHECK_MAIN(cases)
