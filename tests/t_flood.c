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
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "flood.h"
#include "res.h"
#include "squibnet.h"

#define FLOOD_BYTES (1ULL << 30)
#define DRAIN_EVERY (64ULL << 20)

static uint8_t txbuf[SQN_BATCH][SQN_FRAME_MAX];
static uint8_t rxbuf[SQN_BATCH][SQN_FRAME_MAX];

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
		else {
			if (dt > fl.max_ns)
				fl.max_ns = dt;
			fl.over += dt > WRITE_BOUND_NS;
		}
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
	sqn_iface_free(iface);
	hwm1 = res_status_kib("VmHWM:");

	printf("# %s flood: %.2f GiB in %llu frames, %llu write calls; read "
	       "%llu, dropped %llu (written = read + dropped: %s)\n",
	       name, (double)fl.bytes / (1 << 30),
	       (unsigned long long)fl.frames, (unsigned long long)fl.calls,
	       (unsigned long long)fl.read, (unsigned long long)st.rx_dropped,
	       fl.frames == fl.read + st.rx_dropped ? "exact" : "NO");
	printf("# %s flood: peak RSS +%ld KiB (bound %d); slowest write %lld "
	       "us (bound %lld), %llu over it (at most 1 in 1000, each under "
	       "%lld us), %llu preempted calls left out, %llu blocked\n",
	       name, hwm1 - hwm0, RSS_BOUND_KIB, fl.max_ns / 1000,
	       WRITE_BOUND_NS / 1000, (unsigned long long)fl.over,
	       WRITE_CEIL_NS / 1000, (unsigned long long)fl.preempted,
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
	CHECK(fl.over <= fl.calls / 1000);
	CHECK(fl.max_ns <= WRITE_CEIL_NS);
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

/* ---- userspace: a helper that floods, a helper that is stopped ---- */

/**
 * write_batch() - one timed write call of SQN_BATCH 1514-byte frames
 * @iface:	the interface
 * @tw:		figures
 */
static void write_batch(struct sqn_iface *iface, struct timed *tw)
{
	struct sqn_frame tx[SQN_BATCH];
	unsigned i;

	for (i = 0; i < SQN_BATCH; i++)
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1514};
	timed_write(iface, tw, tx, SQN_BATCH, true);
}

/**
 * flood_bytes() - 1 GiB, or 64 MiB under valgrind (~50x slower; its
 *		   bounds are not checked there anyway)
 *
 * Return: bytes
 */
static unsigned long long flood_bytes(void)
{
	const char *checker = res_memory_checker();

	return checker && !strcmp(checker, "valgrind") ? 64ULL << 20
						       : FLOOD_BYTES;
}

static char tmpdir[64];

/** rm_tmpdir() - remove the test's directory and what is in it */
static void rm_tmpdir(void)
{
	char path[128];
	static const char *const names[] = {"report", "report.tmp",
					    "helper.pid"};
	unsigned i;

	if (!tmpdir[0])
		return;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	tmpdir[0] = '\0';
}

/**
 * make_tmpdir() - a private directory for the helper's files
 *
 * Return: true on success
 */
static bool make_tmpdir(void)
{
	rm_tmpdir();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sqnt-flood-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = '\0';
		return false;
	}
	return true;
}

/**
 * start_fake() - userspace mode with the fake helper and @arg
 * @kind:	framing
 * @args:	helper arguments
 * @nargs:	how many
 *
 * Return: the interface, or NULL (message printed)
 */
static struct sqn_iface *start_fake(enum sqn_helper_kind kind,
				    const char *const *args, unsigned nargs)
{
	const char *f = getenv("SQN_FAKE_HELPER");
	struct sqn_iface *iface = NULL;
	struct sqn_params p;
	char err[256];

	if (!f || access(f, X_OK))
		return NULL;
	sqn_params_init(&p);
	p.iface_id = "flood0";
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = kind;
	p.helper_path = f;
	p.helper_args = args;
	p.n_helper_args = nargs;
	p.mtu = 1500;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

/**
 * read_report() - the flooding helper's "frames bytes", once written
 * @frames:	gets the frames it sent
 *
 * Return: true once the report exists
 */
static bool read_report(uint64_t *frames)
{
	char path[128];
	unsigned long long fr = 0, by = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "%s/report", tmpdir);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fscanf(f, "%llu %llu", &fr, &by);
	fclose(f);
	*frames = fr;
	return n == 2;
}

/**
 * helper_flood() - the helper sends 1 GiB of 1514-byte frames as fast as
 *		    its socket takes them; the caller reads one frame per
 *		    call (what it has no room for stays in the socket, so
 *		    the helper's sends wait for it) and writes a batch of
 *		    32 frames per read
 * @kind:	framing
 * @name:	for the figures
 *
 * Checked: peak RSS growth < 16 MiB; frames sent (the helper's own count)
 * = frames read exactly, none dropped, once what is still in the socket
 * has been read out at the end; frames arrive in order; every write call
 * returns within 1 ms and none blocks; frames written = tx_frames +
 * tx_dropped.
 */
static void helper_flood(enum sqn_helper_kind kind, const char *name)
{
	const char *checker = res_memory_checker();
	char a_flood[64], a_report[128];
	const char *args[] = {a_flood, a_report};
	struct flood fl = {.last_seq = -1};
	struct sqn_frame rx[SQN_BATCH];
	struct timed tw = {0};
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t sent = 0;
	long hwm0, hwm1;
	int idle = 0, i;

	if (!getenv("SQN_FAKE_HELPER"))
		SKIP("SQN_FAKE_HELPER is not set: run through meson test");
	memset(txbuf, 0x11, sizeof(txbuf));
	memset(rxbuf, 0x22, sizeof(rxbuf));
	for (i = 0; i < SQN_BATCH; i++)
		rx[i] = (struct sqn_frame){.data = rxbuf[i],
					   .cap = SQN_FRAME_MAX};
	ASSERT(make_tmpdir());
	snprintf(a_flood, sizeof(a_flood), "--fake=floodbytes=%llu",
		 flood_bytes());
	snprintf(a_report, sizeof(a_report), "--fake=report=%s/report", tmpdir);
	if (!res_reset_peak()) {
		rm_tmpdir();
		SKIP("cannot reset the peak RSS (/proc/self/clear_refs)");
	}
	hwm0 = res_status_kib("VmHWM:");
	iface = start_fake(kind, args, 2);
	if (!iface)
		rm_tmpdir();
	ASSERT(iface);

	/* slow guest: one frame per read, while the helper floods */
	while (!read_report(&sent)) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		poll(&pfd, 1, 100);
		if (read_some(iface, &fl, rx, 1) < 0)
			break;
		write_batch(iface, &tw);
	}
	/* the helper is done: read out what is still queued */
	while (idle < 3) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int r;

		poll(&pfd, 1, 100);
		r = read_some(iface, &fl, rx, SQN_BATCH);
		if (r < 0)
			break;
		idle = r == 0 ? idle + 1 : 0;
	}
	sqn_iface_stats(iface, &st);
	sqn_iface_free(iface);
	hwm1 = res_status_kib("VmHWM:");
	rm_tmpdir();

	printf("# %s: helper sent %llu frames (%.2f GiB); read %llu, "
	       "rx_dropped %llu (sent = read + dropped: %s)\n",
	       name, (unsigned long long)sent, (double)sent * 1514 / (1 << 30),
	       (unsigned long long)fl.read, (unsigned long long)st.rx_dropped,
	       sent == fl.read + st.rx_dropped ? "exact" : "NO");
	printf("# %s: guest wrote %llu frames meanwhile: %llu passed on, "
	       "%llu tx_dropped; peak RSS +%ld KiB (bound %d)\n",
	       name, (unsigned long long)tw.frames,
	       (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped, hwm1 - hwm0, RSS_BOUND_KIB);
	CHECK(sent > 0);
	CHECK_EQ(sent, fl.read + st.rx_dropped);
	CHECK_EQ(st.rx_frames, fl.read);
	CHECK_EQ(st.rx_dropped, 0); /* held back in the socket, not dropped */
	CHECK_EQ(st.rx_errors, 0);
	CHECK_EQ(fl.order_bad, 0);
	CHECK_EQ(tw.frames, st.tx_frames + st.tx_dropped);
	check_timed(name, &tw);
	rss_bound(checker, hwm1 - hwm0);
}

static void flood_from_helper_u32(void)
{
	helper_flood(SQN_HELPER_PASST, "userspace u32 helper flood");
}

static void flood_from_helper_u16(void)
{
	helper_flood(SQN_HELPER_GVPROXY, "userspace u16 helper flood");
}

/**
 * read_pid() - the helper's pid from its pidfile, waiting up to 3 s
 * @path:	the file
 *
 * Return: the pid, or -1
 */
static pid_t read_pid(const char *path)
{
	int i, pid = -1;

	for (i = 0; i < 300 && pid <= 0; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = -1;
			fclose(f);
		}
		if (pid <= 0)
			usleep(10000);
	}
	return pid;
}

/**
 * stopped_helper() - the guest writes 256 MiB of 1514-byte frames while
 *		      the helper is SIGSTOPped
 * @kind:	framing
 * @name:	for the figures
 *
 * Checked: every write call returns within 1 ms and none blocks; frames
 * written = tx_frames + tx_dropped exactly (the socket buffer and the TX
 * queue fill, then drops); peak RSS growth < 16 MiB. Then the stopped
 * helper is SIGKILLed: the link goes down, and written = tx_frames +
 * tx_dropped still holds (each frame counted once).
 */
static void stopped_helper(enum sqn_helper_kind kind, const char *name)
{
	const char *checker = res_memory_checker();
	char a_pid[128], pidfile[96];
	const char *args[] = {a_pid};
	struct sqn_iface *iface;
	struct timed tw = {0};
	struct sqn_stats st, st2;
	unsigned long long bytes = flood_bytes() / 4, written = 0;
	long hwm0, hwm1;
	pid_t pid;
	int i;

	if (!getenv("SQN_FAKE_HELPER"))
		SKIP("SQN_FAKE_HELPER is not set: run through meson test");
	memset(txbuf, 0x11, sizeof(txbuf));
	ASSERT(make_tmpdir());
	snprintf(pidfile, sizeof(pidfile), "%s/helper.pid", tmpdir);
	snprintf(a_pid, sizeof(a_pid), "--fake=pidfile=%s", pidfile);
	if (!res_reset_peak()) {
		rm_tmpdir();
		SKIP("cannot reset the peak RSS (/proc/self/clear_refs)");
	}
	hwm0 = res_status_kib("VmHWM:");
	iface = start_fake(kind, args, 1);
	if (!iface)
		rm_tmpdir();
	ASSERT(iface);
	pid = read_pid(pidfile);
	if (pid <= 0) {
		sqn_iface_free(iface);
		rm_tmpdir();
	}
	ASSERT(pid > 0);
	kill(pid, SIGSTOP);
	while (written < bytes) {
		write_batch(iface, &tw);
		written += SQN_BATCH * 1514ULL;
	}
	sqn_iface_stats(iface, &st);
	/* killed while stopped: what its queue held is dropped, and counted
	 * once (it was counted as passed on when queued) */
	kill(pid, SIGKILL);
	for (i = 0; i < 100 && sqn_iface_link(iface, NULL, 0); i++) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		struct sqn_frame rx = {.data = rxbuf[0], .cap = SQN_FRAME_MAX};

		poll(&pfd, 1, 10);
		while (sqn_iface_read(iface, &rx, 1) > 0)
			;
	}
	sqn_iface_stats(iface, &st2);
	sqn_iface_free(iface);
	hwm1 = res_status_kib("VmHWM:");
	rm_tmpdir();

	printf("# %s: guest wrote %llu frames (%.2f GiB): %llu passed on, "
	       "%llu tx_dropped (written = passed + dropped: %s); peak RSS "
	       "+%ld KiB (bound %d)\n",
	       name, (unsigned long long)tw.frames, (double)written / (1 << 30),
	       (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped,
	       tw.frames == st.tx_frames + st.tx_dropped ? "exact" : "NO",
	       hwm1 - hwm0, RSS_BOUND_KIB);
	printf("# %s: then SIGKILLed: link %s; written %llu = %llu passed on "
	       "+ %llu tx_dropped (%s)\n",
	       name, st2.link_changes > st.link_changes ? "went down" : "up",
	       (unsigned long long)tw.frames, (unsigned long long)st2.tx_frames,
	       (unsigned long long)st2.tx_dropped,
	       tw.frames == st2.tx_frames + st2.tx_dropped ? "exact" : "NO");
	CHECK_EQ(tw.frames, st.tx_frames + st.tx_dropped);
	CHECK(st.tx_dropped > 0);
	CHECK_EQ(st.tx_errors, 0);
	CHECK(st2.link_changes > st.link_changes);
	CHECK_EQ(tw.frames, st2.tx_frames + st2.tx_dropped);
	check_timed(name, &tw);
	rss_bound(checker, hwm1 - hwm0);
}

static void guest_flood_stopped_helper(void)
{
	stopped_helper(SQN_HELPER_PASST, "stopped u32 helper");
}

static void guest_flood_stopped_helper_u16(void)
{
	stopped_helper(SQN_HELPER_GVPROXY, "stopped u16 helper");
}

/* ---- slirp: host -> guest UDP through a port forward ---- */

#define SLIRP_PAYLOAD 8000
/* 8008 bytes of UDP in 1480-byte IP fragments (MTU 1500) */
#define SLIRP_FRAGS ((SLIRP_PAYLOAD + 8 + 1479) / 1480)

/**
 * struct udp_sender - the host side of the slirp flood
 * @port:	the forwarded host port
 * @bytes:	payload bytes to send
 * @sent:	datagrams sent (sendto succeeded)
 * @done:	set when finished
 */
struct udp_sender {
	uint16_t port;
	unsigned long long bytes;
	uint64_t sent;
	atomic_int done;
};

static void *udp_send_main(void *arg)
{
	static uint8_t dgram[SLIRP_PAYLOAD];
	struct udp_sender *u = arg;
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(u->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	unsigned long long done = 0;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s >= 0 && !connect(s, (struct sockaddr *)&a, sizeof(a))) {
		while (done < u->bytes) {
			memcpy(dgram, &u->sent, sizeof(u->sent));
			if (send(s, dgram, sizeof(dgram), 0) ==
			    (ssize_t)sizeof(dgram))
				u->sent++;
			done += sizeof(dgram);
		}
	}
	if (s >= 0)
		close(s);
	u->done = 1;
	return NULL;
}

/**
 * udp_socket_drops() - the kernel's drop count and queued bytes of the
 *			UDP socket bound to 127.0.0.1:@port (/proc/net/udp)
 * @port:	the port
 * @queued:	gets the bytes waiting in its receive queue
 *
 * Return: the drops, or -1 if no such socket
 */
static long long udp_socket_drops(uint16_t port, unsigned long *queued)
{
	char line[512], want[32];
	long long drops = -1;
	FILE *f = fopen("/proc/net/udp", "r");

	snprintf(want, sizeof(want), "0100007F:%04X", port);
	while (f && fgets(line, sizeof(line), f)) {
		char local[64], rem[64];
		unsigned long tx, rx;
		int n;

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode
		 * ref pointer drops */
		n = sscanf(line,
			   " %*s %63s %63s %*x %lx:%lx %*s %*s %*s %*s %*s "
			   "%*s %*s %lld",
			   local, rem, &tx, &rx, &drops);
		if (n == 5 && !strcmp(local, want)) {
			*queued = rx;
			break;
		}
		drops = -1;
	}
	if (f)
		fclose(f);
	return drops;
}

/**
 * slirp_flood() - 1 GiB of UDP from a host socket to a forwarded port,
 *		   as fast as the host sends, while the guest reads one
 *		   frame per call (each datagram becomes 6 IP fragments,
 *		   into a 4-frame RX queue)
 *
 * What is counted where: a datagram the host sent is either dropped by
 * the kernel because slirp's socket buffer was full (the socket's "drops"
 * in /proc/net/udp), or received by libslirp, which turns it into
 * SLIRP_FRAGS frames; each of those is read by the guest or dropped by
 * the RX queue (rx_dropped). Checked: sent = kernel drops + received, and
 * received * SLIRP_FRAGS = frames read + rx_dropped, exactly (libslirp
 * drops nothing itself on this path); peak RSS growth < 16 MiB.
 */
static void slirp_flood(void)
{
	char fwd[64], why[256];
	const char *fwds[] = {fwd};
	const char *checker = res_memory_checker();
	static const uint8_t gmac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	uint8_t arp[42] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct udp_sender u = {0};
	struct sqn_frame f = {.data = txbuf[0], .len = sizeof(arp)};
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	struct sqn_iface *iface;
	struct sqn_params p;
	struct sqn_stats st;
	uint64_t frames_ip = 0, frames_other = 0, received;
	unsigned long queued = 0;
	long long kdrops;
	long hwm0, hwm1;
	pthread_t th;
	char err[256];
	int s, idle = 0;

	if (!sqn_mode_supported(SQN_MODE_SLIRP, why, sizeof(why)))
		SKIP(why);
	signal(SIGPIPE, SIG_IGN); /* libslirp needs it */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ASSERT(s >= 0);
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(s, (struct sockaddr *)&a, &alen)) {
		close(s);
		ASSERT(!"a free UDP port");
	}
	close(s);
	u.port = ntohs(a.sin_port);
	u.bytes = flood_bytes();
	snprintf(fwd, sizeof(fwd), "udp:127.0.0.1:%u-:5000", u.port);

	memset(rxbuf, 0x22, sizeof(rxbuf));
	if (!res_reset_peak())
		SKIP("cannot reset the peak RSS (/proc/self/clear_refs)");
	hwm0 = res_status_kib("VmHWM:");
	sqn_params_init(&p);
	p.iface_id = "flood0";
	p.mode = SQN_MODE_SLIRP;
	p.forwards = fwds;
	p.n_forwards = 1;
	/* a datagram's 6 fragments overflow it: the RX queue drops too */
	p.rx_queue_len = 4;
	iface = NULL;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	ASSERT(iface);

	/* the guest (10.0.2.15) asks for the gateway: slirp learns its MAC */
	memcpy(arp + 6, gmac, 6);
	memcpy(arp + 12, "\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01", 10);
	memcpy(arp + 22, gmac, 6);
	memcpy(arp + 28, "\x0a\x00\x02\x0f", 4);
	memcpy(arp + 38, "\x0a\x00\x02\x02", 4);
	memcpy(txbuf[0], arp, sizeof(arp));
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);

	ASSERT(!pthread_create(&th, NULL, udp_send_main, &u));
	/* slow guest: one frame per read while the host floods, then all */
	while (idle < 3) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		struct sqn_frame rx[SQN_BATCH];
		bool flooding = !u.done;
		int i, r, to = sqn_iface_timeout_ms(iface);

		if (to < 0 || to > 100)
			to = 100;
		poll(&pfd, 1, to);
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = SQN_FRAME_MAX};
		r = sqn_iface_read(iface, rx, flooding ? 1 : SQN_BATCH);
		if (r < 0)
			break;
		for (i = 0; i < r; i++) {
			const uint8_t *d = rx[i].data;

			if (rx[i].len > 23 && d[12] == 0x08 && d[13] == 0 &&
			    d[23] == 17)
				frames_ip++;
			else
				frames_other++;
		}
		if (!flooding)
			idle = r == 0 ? idle + 1 : 0;
	}
	pthread_join(th, NULL);
	kdrops = udp_socket_drops(u.port, &queued);
	sqn_iface_stats(iface, &st);
	sqn_iface_free(iface);
	hwm1 = res_status_kib("VmHWM:");
	received = kdrops >= 0 ? u.sent - (uint64_t)kdrops : 0;

	printf("# slirp UDP flood: host sent %llu datagrams of %d bytes "
	       "(%.2f GiB); kernel dropped %lld at slirp's socket (%lu bytes "
	       "still queued); libslirp received %llu = %llu frames\n",
	       (unsigned long long)u.sent, SLIRP_PAYLOAD,
	       (double)u.sent * SLIRP_PAYLOAD / (1 << 30), kdrops, queued,
	       (unsigned long long)received,
	       (unsigned long long)received * SLIRP_FRAGS);
	printf("# slirp UDP flood: guest read %llu UDP frames (+%llu other), "
	       "rx_dropped %llu (frames = read + dropped: %s); peak RSS +%ld "
	       "KiB (bound %d)\n",
	       (unsigned long long)frames_ip, (unsigned long long)frames_other,
	       (unsigned long long)st.rx_dropped,
	       received * SLIRP_FRAGS == frames_ip + st.rx_dropped ? "exact"
								   : "NO",
	       hwm1 - hwm0, RSS_BOUND_KIB);
	CHECK(u.sent > 0);
	CHECK(kdrops >= 0);
	CHECK_EQ(queued, 0);
	CHECK_EQ(received * SLIRP_FRAGS, frames_ip + st.rx_dropped);
	CHECK(frames_ip > 0);
	CHECK(st.rx_dropped > 0);
	rss_bound(checker, hwm1 - hwm0);
}

static const struct check_case cases[] = {
	CASE(flood_mtu_frames),
	CASE(flood_mixed_frames),
	CASE(flood_from_helper_u32),
	CASE(flood_from_helper_u16),
	CASE(guest_flood_stopped_helper),
	CASE(guest_flood_stopped_helper_u16),
	CASE(slirp_flood),
};
CHECK_MAIN(cases)
