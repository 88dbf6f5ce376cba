/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_userspace.c - userspace and socket modes through the public API, with a
 *		   protocol-faithful fake helper (tests/fake_helper.c) and
 *		   in-test fake socket servers: byte-exact frames for every
 *		   framing, bad lengths, helper death and restart, caller
 *		   SIGKILL, 1000 start/stop cycles, queue bounds, validation
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "logcap.h"
#include "res.h"
#include "sockio.h"
#include "squibnet.h"

static uint8_t txbuf[SQN_BATCH][65536];
static uint8_t rxbuf[SQN_BATCH][65536];
static char err[512];
static char tmpdir[64];

#define SQN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *fake(void)
{
	const char *f = getenv("SQN_FAKE_HELPER");

	if (!f || access(f, X_OK))
		SKIP("SQN_FAKE_HELPER is not set: run through meson test");
	return f;
}

static void base_params(struct sqn_params *p)
{
	sqn_params_init(p);
	p->iface_id = "us0";
	p->log = log_cb;
	p->log_level = SQN_LOG_DEBUG;
}

static void fake_params(struct sqn_params *p, enum sqn_helper_kind kind,
			const char *const *args, unsigned nargs, int restart)
{
	base_params(p);
	p->mode = SQN_MODE_USERSPACE;
	p->helper_kind = kind;
	p->helper_path = fake();
	p->helper_args = args;
	p->n_helper_args = nargs;
	p->helper_restart = restart;
	p->mtu = 1500;
}

static struct sqn_iface *start_params(const struct sqn_params *p)
{
	struct sqn_iface *iface = NULL;

	if (sqn_iface_start(p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

static struct sqn_iface *start_fake(enum sqn_helper_kind kind,
				    const char *const *args, unsigned nargs,
				    int restart)
{
	struct sqn_params p;

	fake_params(&p, kind, args, nargs, restart);
	return start_params(&p);
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

/* Read until @want frames arrived or @ms passed; returns frames read. */
static int read_frames(struct sqn_iface *iface, struct sqn_frame *rx,
		       unsigned want, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	unsigned got = 0, i;
	int r;

	while (got < want && now_ms() < end) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int to = sqn_iface_timeout_ms(iface);

		if (to < 0 || to > 50)
			to = 50;
		poll(&pfd, 1, to);
		for (i = got; i < want; i++)
			rx[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = sizeof(rxbuf[i])};
		r = sqn_iface_read(iface, rx + got, want - got);
		if (r < 0)
			return -1;
		got += (unsigned)r;
	}
	return (int)got;
}

/* Frames of 14, 1514, 9000 and 65535 bytes cross both ways byte-exact. */
static void round_trips(struct sqn_iface *iface, uint32_t top)
{
	const uint32_t sizes[] = {14, 1514, 9000, top, 60, 14};
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	unsigned it, i, n = 6;

	for (it = 0; it < 8; it++) {
		for (i = 0; i < n; i++) {
			fill(txbuf[i], sizes[i], it * 10 + i);
			tx[i] = (struct sqn_frame){.data = txbuf[i],
						   .len = sizes[i]};
		}
		CHECK_EQ(sqn_iface_write(iface, tx, n), n);
		ASSERT(read_frames(iface, rx, n, 3000) == (int)n);
		for (i = 0; i < n; i++) {
			CHECK_EQ(rx[i].len, sizes[i]);
			CHECK(!memcmp(rx[i].data, txbuf[i], sizes[i]));
		}
	}
}

static void gvproxy_stdio_u16(void)
{
	struct sqn_iface *iface = start_fake(SQN_HELPER_GVPROXY, NULL, 0, 0);
	struct sqn_stats st;

	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), 65535);
	CHECK(sqn_iface_link(iface, NULL, 0));
	round_trips(iface, 65535);
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_frames, 48);
	CHECK_EQ(st.tx_frames, 48);
	CHECK_EQ(st.rx_errors, 0);
	sqn_iface_free(iface);
}

static void passt_fd_u32(void)
{
	struct sqn_iface *iface = start_fake(SQN_HELPER_PASST, NULL, 0, 0);

	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), SQN_FRAME_MAX);
	round_trips(iface, 65535);
	sqn_iface_free(iface);
}

/* ---- fake socket servers ---- */

struct server {
	int type;
	int lfd;
	char path[108];
	_Atomic int stop;
	_Atomic int greeted;
	pthread_t th;
};

static void *server_main(void *arg)
{
	static uint8_t b[70000];
	struct server *s = arg;
	struct timeval tv = {0, 200000};
	struct sockaddr_un peer;
	socklen_t pl;
	ssize_t r;
	int c;

	if (s->type == SOCK_DGRAM) {
		setsockopt(s->lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (!s->stop) {
			pl = sizeof(peer);
			r = recvfrom(s->lfd, b, sizeof(b), 0,
				     (struct sockaddr *)&peer, &pl);
			if (r < 0)
				continue;
			if (!s->greeted) {
				if (r == 4 && !memcmp(b, "VFKT", 4))
					s->greeted = 1;
				continue;
			}
			sendto(s->lfd, b, (size_t)r, 0,
			       (struct sockaddr *)&peer, pl);
		}
		return NULL;
	}
	while (!s->stop) {
		struct pollfd pfd = {.fd = s->lfd, .events = POLLIN};

		if (poll(&pfd, 1, 100) != 1)
			continue;
		c = accept(s->lfd, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		while (!s->stop) {
			if (s->type == SOCK_SEQPACKET) {
				r = recv(c, b, sizeof(b), 0);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r <= 0)
					break;
				send(c, b, (size_t)r, MSG_NOSIGNAL);
			} else {
				uint32_t len;

				r = recv(c, b, 4, MSG_PEEK);
				if (r < 0 && errno == EAGAIN)
					continue;
				if (r <= 0 || full_io(c, b, 4, 0))
					break;
				len = (uint32_t)b[0] << 24 | b[1] << 16 |
				      b[2] << 8 | b[3];
				if (len > 65536 || full_io(c, b + 4, len, 0) ||
				    full_io(c, b, 4 + len, 1))
					break;
			}
		}
		close(c);
	}
	return NULL;
}

static int server_start(struct server *s, int type, const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	memset(s, 0, sizeof(*s));
	s->type = type;
	snprintf(s->path, sizeof(s->path), "%s/%s", tmpdir, name);
	unlink(s->path);
	s->lfd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", s->path);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	if (type != SOCK_DGRAM && listen(s->lfd, 4))
		return -1;
	return pthread_create(&s->th, NULL, server_main, s);
}

static void server_stop(struct server *s)
{
	s->stop = 1;
	pthread_join(s->th, NULL);
	close(s->lfd);
	unlink(s->path);
}

static struct sqn_iface *start_socket(const char *scheme, const char *path)
{
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	char url[160];

	base_params(&p);
	p.mode = SQN_MODE_SOCKET;
	snprintf(url, sizeof(url), "%s://%s", scheme, path);
	p.connect_url = url;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

static void socket_unix_stream(void)
{
	struct server s;
	struct sqn_iface *iface;

	ASSERT(!server_start(&s, SOCK_STREAM, "qemu.sock"));
	iface = start_socket("unix", s.path);
	if (iface) {
		round_trips(iface, 65535);
		sqn_iface_free(iface);
	}
	CHECK(iface);
	server_stop(&s);
}

static void socket_unixgram_vfkt(void)
{
	struct server s;
	struct sqn_iface *iface;
	char old[64];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	snprintf(old, sizeof(old), "%s", xdg ? xdg : "");
	setenv("XDG_RUNTIME_DIR", tmpdir, 1);
	ASSERT(!server_start(&s, SOCK_DGRAM, "vfkit.sock"));
	iface = start_socket("unixgram", s.path);
	if (iface) {
		char dir[300];
		DIR *d = opendir(tmpdir);
		struct dirent *e;
		struct stat st;

		/* our own socket: 0600 in a 0700 directory */
		while (d && (e = readdir(d))) {
			if (strncmp(e->d_name, "squibnet-", 9))
				continue;
			snprintf(dir, sizeof(dir), "%s/%.200s", tmpdir,
				 e->d_name);
			CHECK(!stat(dir, &st));
			CHECK_EQ(st.st_mode & 0777, 0700);
			strcat(dir, "/vfkit.sock");
			CHECK(!stat(dir, &st));
			CHECK_EQ(st.st_mode & 0777, 0600);
		}
		if (d)
			closedir(d);
		round_trips(iface, 65535);
		CHECK(s.greeted);
		sqn_iface_free(iface);
	}
	CHECK(iface);
	/* removed on stop: only the server's socket is left */
	CHECK_EQ(res_count_dir(tmpdir), 1);
	server_stop(&s);
	if (old[0])
		setenv("XDG_RUNTIME_DIR", old, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
}

static void socket_unixpacket_bess(void)
{
	struct server s;
	struct sqn_iface *iface;

	ASSERT(!server_start(&s, SOCK_SEQPACKET, "bess.sock"));
	iface = start_socket("unixpacket", s.path);
	if (iface) {
		round_trips(iface, 65535);
		sqn_iface_free(iface);
	}
	CHECK(iface);
	server_stop(&s);
}

/* ---- a frame never cut ---- */

/*
 * A frame the caller's buffer cannot hold is never cut: the read fails with
 * -EMSGSIZE, frames[0].len says what it needs, and the next read with room
 * gets it whole. Here on the direct path: nothing is queued, so the read
 * decodes the frame from the socket straight for the caller's buffer.
 */
static void too_small_direct(struct sqn_iface *iface, const char *name)
{
	struct sqn_frame tx = {.data = txbuf[0], .len = 1000}, rx[1];
	struct pollfd pfd = {.fd = sqn_iface_fd(iface), .events = POLLIN};
	struct sqn_stats st;
	uint64_t end;
	char msg[256];
	int r;

	fill(txbuf[0], 1000, 42);
	memset(rxbuf[0], 0, 1000);
	CHECK_EQ(sqn_iface_write(iface, &tx, 1), 1);
	/* every read offers the small buffer: the one that finds the echo
	 * decodes it with nothing queued (other readiness, the helper's
	 * stderr, makes reads that find nothing) */
	end = now_ms() + 3000;
	do {
		poll(&pfd, 1, 50);
		rx[0] = (struct sqn_frame){.data = rxbuf[0], .cap = 999};
		r = sqn_iface_read(iface, rx, 1);
	} while (r == 0 && now_ms() < end);
	printf("# %s: 1000-byte frame, 999-byte buffer: read %d, len %u\n",
	       name, r, rx[0].len);
	CHECK_EQ(r, -EMSGSIZE);
	CHECK_EQ(rx[0].len, 1000);
	sqn_iface_last_error(iface, msg, sizeof(msg));
	CHECK_STR_HAS(msg,
		      "the next frame is 1000 bytes, the buffer holds 999");
	rx[0] = (struct sqn_frame){.data = rxbuf[0], .cap = 1000};
	CHECK_EQ(sqn_iface_read(iface, rx, 1), 1);
	CHECK_EQ(rx[0].len, 1000);
	CHECK(!memcmp(rxbuf[0], txbuf[0], 1000));
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_frames, 1);
	CHECK_EQ(st.rx_dropped, 0);
	CHECK_EQ(st.rx_errors, 0);
}

static void too_small_buffer_userspace(void)
{
	struct sqn_iface *iface = start_fake(SQN_HELPER_PASST, NULL, 0, 0);

	ASSERT(iface);
	too_small_direct(iface, "userspace, u32-BE");
	sqn_iface_free(iface);
	iface = start_fake(SQN_HELPER_GVPROXY, NULL, 0, 0);
	ASSERT(iface);
	too_small_direct(iface, "userspace, u16-LE");
	sqn_iface_free(iface);
}

static void too_small_buffer_socket(void)
{
	static const struct {
		int type;
		const char *scheme, *name;
	} kinds[] = {
		{SOCK_STREAM, "unix", "small-unix.sock"},
		{SOCK_DGRAM, "unixgram", "small-vfkit.sock"},
		{SOCK_SEQPACKET, "unixpacket", "small-bess.sock"},
	};
	struct sqn_iface *iface;
	struct server s;
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ASSERT(!server_start(&s, kinds[i].type, kinds[i].name));
		iface = start_socket(kinds[i].scheme, s.path);
		CHECK(iface);
		if (iface) {
			too_small_direct(iface, kinds[i].scheme);
			sqn_iface_free(iface);
		}
		server_stop(&s);
	}
}

/* ---- faults ---- */

static void one_frame(struct sqn_iface *iface)
{
	struct sqn_frame tx = {.data = txbuf[0], .len = 100};

	fill(txbuf[0], 100, 1);
	CHECK_EQ(sqn_iface_write(iface, &tx, 1), 1);
}

static void wait_link_down(struct sqn_iface *iface, int ms)
{
	struct sqn_frame rx[SQN_BATCH];
	uint64_t end = now_ms() + (uint64_t)ms;

	while (sqn_iface_link(iface, NULL, 0) && now_ms() < end)
		read_frames(iface, rx, 1, 20);
}

static void bad_length_case(enum sqn_helper_kind kind, const char *mode,
			    const char *want)
{
	const char *args[] = {mode};
	struct sqn_iface *iface;
	struct sqn_stats st;
	char why[256];

	log_reset();
	iface = start_fake(kind, args, 1, 0);
	ASSERT(iface);
	one_frame(iface);
	wait_link_down(iface, 3000);
	CHECK(!sqn_iface_link(iface, why, sizeof(why)));
	CHECK_STR_HAS(why, "connection reset");
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.conn_resets, 1);
	CHECK_EQ(st.rx_errors, 1);
	CHECK_EQ(st.rx_frames, 0);
	CHECK_STR_HAS(logbuf, want);
	sqn_iface_free(iface);
}

static void bad_length_0(void)
{
	bad_length_case(SQN_HELPER_PASST, "--fake=len0",
			"sent a frame length of 0");
	bad_length_case(SQN_HELPER_GVPROXY, "--fake=len0",
			"sent a frame length of 0");
}

static void bad_length_13(void)
{
	bad_length_case(SQN_HELPER_PASST, "--fake=len13",
			"sent a frame length of 13");
	bad_length_case(SQN_HELPER_GVPROXY, "--fake=len13",
			"sent a frame length of 13");
}

static void bad_length_70000(void)
{
	bad_length_case(SQN_HELPER_PASST, "--fake=len70000",
			"sent a frame length of 70000");
}

static void close_mid_frame(void)
{
	bad_length_case(SQN_HELPER_PASST, "--fake=midframe",
			"in the middle of a frame");
	bad_length_case(SQN_HELPER_GVPROXY, "--fake=midframe",
			"in the middle of a frame");
}

static pid_t read_pidfile(const char *path, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;
	FILE *f;
	int pid = 0;

	while (now_ms() < end) {
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
			if (pid > 0)
				return pid;
		}
		usleep(2000);
	}
	return 0;
}

/**
 * killed_case() - SIGKILL the helper while frames flow both ways
 * @kind:	framing
 *
 * Checked: the link goes down within 100 ms with the signal as the
 * reason; every frame write consumed is counted once, as passed on or as
 * dropped; nothing more can be written.
 */
static void killed_case(enum sqn_helper_kind kind)
{
	char arg[128], pf[96], why[256];
	const char *args[] = {arg};
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t t0, dt, written = 0;
	pid_t pid;
	unsigned i;
	int w;

	snprintf(pf, sizeof(pf), "%s/kill.pid", tmpdir);
	unlink(pf);
	snprintf(arg, sizeof(arg), "--fake=pidfile=%s", pf);
	iface = start_fake(kind, args, 1, 0);
	ASSERT(iface);
	pid = read_pidfile(pf, 2000);
	ASSERT(pid > 0);
	/* traffic in flight */
	for (i = 0; i < SQN_BATCH; i++)
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1514};
	w = sqn_iface_write(iface, tx, SQN_BATCH);
	CHECK_EQ(w, SQN_BATCH);
	written += w > 0 ? (unsigned)w : 0;
	read_frames(iface, rx, 8, 1000);
	w = sqn_iface_write(iface, tx, SQN_BATCH);
	CHECK_EQ(w, SQN_BATCH);
	written += w > 0 ? (unsigned)w : 0;

	t0 = now_ms();
	kill(pid, SIGKILL);
	while (sqn_iface_link(iface, NULL, 0) && now_ms() - t0 < 1000) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		poll(&pfd, 1, 100);
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = sizeof(rxbuf[i])};
		while (sqn_iface_read(iface, rx, SQN_BATCH) > 0)
			;
	}
	dt = now_ms() - t0;
	sqn_iface_stats(iface, &st);
	printf("# %s: link down %llu ms after SIGKILL; wrote %llu frames: "
	       "%llu passed on, %llu dropped; %llu read\n",
	       kind == SQN_HELPER_PASST ? "u32" : "u16", (unsigned long long)dt,
	       (unsigned long long)written, (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped,
	       (unsigned long long)st.rx_frames);
	CHECK(!sqn_iface_link(iface, why, sizeof(why)));
	CHECK(dt < 100);
	CHECK_STR_HAS(why, "killed by signal 9");
	CHECK_EQ(st.tx_frames + st.tx_dropped, written);
	CHECK_EQ(st.rx_errors, 0);
	CHECK_EQ(sqn_iface_write(iface, tx, 1), -ENETDOWN);
	sqn_iface_free(iface);
	unlink(pf);
}

static void helper_killed_link_down(void)
{
	killed_case(SQN_HELPER_PASST);
	killed_case(SQN_HELPER_GVPROXY);
}

static void helper_restart_resumes(void)
{
	const char *args[] = {"--fake=exit=3"};
	struct sqn_frame rx[SQN_BATCH];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t end;
	int i;

	iface = start_fake(SQN_HELPER_GVPROXY, args, 1, SQN_ON);
	ASSERT(iface);
	for (i = 0; i < 3; i++) {
		one_frame(iface);
		CHECK_EQ(read_frames(iface, rx, 1, 2000), 1);
	}
	/* it exits after the 3rd: link goes down, comes back */
	wait_link_down(iface, 2000);
	CHECK(!sqn_iface_link(iface, NULL, 0));
	CHECK(sqn_iface_timeout_ms(iface) >= 0);
	end = now_ms() + 3000;
	while (!sqn_iface_link(iface, NULL, 0) && now_ms() < end)
		read_frames(iface, rx, 1, 20);
	ASSERT(sqn_iface_link(iface, NULL, 0));
	one_frame(iface);
	CHECK_EQ(read_frames(iface, rx, 1, 2000), 1);
	CHECK_EQ(rx[0].len, 100);
	CHECK(!memcmp(rx[0].data, txbuf[0], 100));
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.helper_restarts, 1);
	CHECK(st.link_changes >= 3);
	sqn_iface_free(iface);
}

/**
 * restart_killed_case() - with helper_restart on, SIGKILL the helper while
 *			   frames flow: the link comes back, frames cross
 *			   again, and helper_restarts counts it
 * @kind:	framing
 */
static void restart_killed_case(enum sqn_helper_kind kind)
{
	char arg[128], pf[96], why[256];
	const char *args[] = {arg};
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t t0, t_down = 0, t_up = 0;
	pid_t pid, pid2;
	unsigned i;
	int got;

	snprintf(pf, sizeof(pf), "%s/restart.pid", tmpdir);
	unlink(pf);
	snprintf(arg, sizeof(arg), "--fake=pidfile=%s", pf);
	iface = start_fake(kind, args, 1, SQN_ON);
	ASSERT(iface);
	pid = read_pidfile(pf, 2000);
	ASSERT(pid > 0);
	unlink(pf);
	for (i = 0; i < SQN_BATCH; i++) {
		fill(txbuf[i], 1514, i);
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1514};
	}
	CHECK_EQ(sqn_iface_write(iface, tx, SQN_BATCH), SQN_BATCH);
	CHECK_EQ(read_frames(iface, rx, SQN_BATCH, 2000), SQN_BATCH);
	/* mid-transfer: a batch on its way when the helper dies */
	CHECK_EQ(sqn_iface_write(iface, tx, SQN_BATCH), SQN_BATCH);
	t0 = now_ms();
	kill(pid, SIGKILL);
	while (now_ms() - t0 < 3000 && !t_up) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int to = sqn_iface_timeout_ms(iface);

		poll(&pfd, 1, to < 0 || to > 5 ? 5 : to);
		for (i = 0; i < SQN_BATCH; i++)
			rx[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = sizeof(rxbuf[i])};
		sqn_iface_read(iface, rx, SQN_BATCH);
		if (!t_down && !sqn_iface_link(iface, why, sizeof(why)))
			t_down = now_ms();
		if (t_down && sqn_iface_link(iface, NULL, 0))
			t_up = now_ms();
	}
	pid2 = read_pidfile(pf, 2000);
	printf("# %s: link down %llu ms after SIGKILL (\"%s\"), up again %llu "
	       "ms later, new helper pid %d\n",
	       kind == SQN_HELPER_PASST ? "u32" : "u16",
	       (unsigned long long)(t_down ? t_down - t0 : 0), why,
	       (unsigned long long)(t_up ? t_up - t_down : 0), (int)pid2);
	CHECK(t_down && t_down - t0 < 100);
	CHECK_STR_HAS(why, "killed by signal 9");
	CHECK_STR_HAS(why, "reconnecting in");
	ASSERT(t_up);
	CHECK(pid2 > 0 && pid2 != pid);
	/* traffic resumes, byte-exact */
	CHECK_EQ(sqn_iface_write(iface, tx, SQN_BATCH), SQN_BATCH);
	got = read_frames(iface, rx, SQN_BATCH, 2000);
	CHECK_EQ(got, SQN_BATCH);
	for (i = 0; got == SQN_BATCH && i < SQN_BATCH; i++)
		CHECK(rx[i].len == 1514 && !memcmp(rx[i].data, txbuf[i], 1514));
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.helper_restarts, 1);
	CHECK_EQ(st.link_changes, 3); /* up, down, up */
	sqn_iface_free(iface);
	unlink(pf);
}

static void helper_restart_after_sigkill(void)
{
	restart_killed_case(SQN_HELPER_PASST);
	restart_killed_case(SQN_HELPER_GVPROXY);
}

/**
 * helper_restart_backoff_grows() - a helper that exits at once, every
 *				    time: the gaps between its starts grow
 *
 * Each start appends its CLOCK_MONOTONIC time to a file; the caller polls
 * as documented (the fd, with sqn_iface_timeout_ms() as the timeout). The
 * backoff starts at 100 ms and doubles while the helper delivers nothing:
 * each gap must be at least 1.5 times the one before it.
 */
static void helper_restart_backoff_grows(void)
{
	char arg[128], log[96];
	const char *args[] = {"--fake=exit=0", arg};
	long long t[8];
	struct sqn_frame rx[1];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t end;
	int n = 0, i, ok = 1, pid;
	FILE *f;

	snprintf(log, sizeof(log), "%s/starts.log", tmpdir);
	unlink(log);
	snprintf(arg, sizeof(arg), "--fake=startlog=%s", log);
	iface = start_fake(SQN_HELPER_PASST, args, 2, SQN_ON);
	ASSERT(iface);
	/* 100 + 200 + 400 + 800 ms of backoff: 5 starts in about 1.5 s */
	end = now_ms() + 4000;
	while (now_ms() < end && n < 5) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int to = sqn_iface_timeout_ms(iface);

		poll(&pfd, 1, to < 0 || to > 50 ? 50 : to);
		rx[0] = (struct sqn_frame){.data = rxbuf[0],
					   .cap = sizeof(rxbuf[0])};
		sqn_iface_read(iface, rx, 1);
		n = 0;
		f = fopen(log, "r");
		while (f && n < 8 && fscanf(f, "%d %lld", &pid, &t[n]) == 2)
			n++;
		if (f)
			fclose(f);
	}
	sqn_iface_stats(iface, &st);
	sqn_iface_free(iface);
	printf("# %d starts; gaps:", n);
	for (i = 1; i < n; i++)
		printf(" %lld", t[i] - t[i - 1]);
	printf(" ms; helper_restarts %llu\n",
	       (unsigned long long)st.helper_restarts);
	CHECK(n >= 5);
	CHECK(n < 2 || t[1] - t[0] >= 90);
	for (i = 2; i < n; i++)
		if ((t[i] - t[i - 1]) * 2 < (t[i - 1] - t[i - 2]) * 3)
			ok = 0;
	CHECK(ok);
	CHECK(st.helper_restarts >= 4);
	unlink(log);
}

static void crash_reported(void)
{
	const char *args[] = {"--fake=crash"};
	struct sqn_iface *iface = start_fake(SQN_HELPER_PASST, args, 1, 0);
	char why[256];

	ASSERT(iface);
	one_frame(iface);
	wait_link_down(iface, 2000);
	CHECK(!sqn_iface_link(iface, why, sizeof(why)));
	CHECK_STR_HAS(why, "killed by signal 6");
	sqn_iface_free(iface);
}

/*
 * A helper that exits at once says why on stderr: the link-down reason
 * carries its first line and its last two (the first says what went wrong,
 * before any usage text; the last are its final words).
 */
static void exit_reason_has_stderr(void)
{
	static const struct {
		const char *say;
		const char *want;
	} cases[] = {
		{"--fake=say=0",
		 "exited with status 3; its stderr: \"fake_helper: ready, "
		 "u32-BE framing, mode echo\""},
		{"--fake=say=1", "exited with status 3; its stderr: "
				 "\"fake_helper: line 1 of 1\" \"fake_helper: "
				 "ready, u32-BE framing, mode echo\""},
		{"--fake=say=2", "its stderr: \"fake_helper: line 1 of 2\" "
				 "\"fake_helper: line 2 of 2\" \"fake_helper: "
				 "ready, u32-BE framing, mode echo\""},
		{"--fake=say=7", "its stderr: \"fake_helper: line 1 of 7\" ... "
				 "\"fake_helper: line 7 of 7\" \"fake_helper: "
				 "ready, u32-BE framing, mode echo\""},
	};
	struct sqn_iface *iface;
	char why[640];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[] = {cases[i].say, "--fake=exit=0"};

		iface = start_fake(SQN_HELPER_PASST, args, 2, 0);
		ASSERT(iface);
		wait_link_down(iface, 2000);
		CHECK(!sqn_iface_link(iface, why, sizeof(why)));
		printf("# %s: \"%s\"\n", cases[i].say, why);
		CHECK_STR_HAS(why, cases[i].want);
		sqn_iface_free(iface);
	}
}

/*
 * With helper_restart and a bound (reconnect_max), a helper that dies at
 * once every time is restarted that many times, then given up: the link
 * stays down, its reason says so, and no timer is left.
 */
static void helper_restart_bounded(void)
{
	const char *args[] = {"--fake=exit=0"};
	struct sqn_iface *iface;
	struct sqn_params p;
	struct sqn_stats st;
	char why[640] = "";
	uint64_t end;

	fake_params(&p, SQN_HELPER_PASST, args, 1, SQN_ON);
	p.reconnect_max = 3;
	iface = start_params(&p);
	ASSERT(iface);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		struct sqn_frame rx[1] = {
			{.data = rxbuf[0], .cap = sizeof(rxbuf[0])}};
		int to = sqn_iface_timeout_ms(iface);

		poll(&pfd, 1, to < 0 || to > 50 ? 50 : to);
		sqn_iface_read(iface, rx, 1);
		sqn_iface_link(iface, why, sizeof(why));
		if (strstr(why, "gave up"))
			break;
	}
	sqn_iface_stats(iface, &st);
	printf("# \"%s\", helper restarts %llu\n", why,
	       (unsigned long long)st.helper_restarts);
	CHECK(!sqn_iface_link(iface, NULL, 0));
	CHECK_STR_HAS(why, "exited with status 3");
	CHECK_STR_HAS(why, "gave up after 3 reconnection attempts");
	CHECK_EQ(st.helper_restarts, 3);
	CHECK_EQ(sqn_iface_timeout_ms(iface), -1);
	sqn_iface_free(iface);
}

static int proc_alive(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[2] != 'Z' && p[2] != 'X';
}

/**
 * linger_outlives_eof() - the control for caller_sigkill: --fake=linger
 *			   really ignores its socket closing
 *
 * Started by hand (not by the library) on a socketpair whose other end is
 * then closed, it is still running 300 ms later. So when caller_sigkill
 * sees such a helper die, only the parent-death signal can have done it.
 */
static void linger_outlives_eof(void)
{
	const char *f = fake();
	int sv[2], st;
	pid_t pid;

	ASSERT(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT(pid >= 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		close(sv[0]);
		dup2(sv[1], 3);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execl(f, f, "--fd", "3", "--fake=linger", (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	usleep(50000);
	close(sv[0]); /* EOF, and writes fail with EPIPE */
	usleep(300000);
	CHECK(proc_alive(pid));
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

/**
 * sigkill_case() - a caller with traffic flowing is SIGKILLed; its helper,
 *		    which ignores its socket closing (--fake=linger), dies by
 *		    the parent-death signal
 * @kind:	framing
 */
static void sigkill_case(enum sqn_helper_kind kind)
{
	char arg[128], pf[96];
	const char *args[] = {arg, "--fake=linger"};
	pid_t child, hpid;
	uint64_t end, t0;
	int st;

	snprintf(pf, sizeof(pf), "%s/orphan.pid", tmpdir);
	unlink(pf);
	snprintf(arg, sizeof(arg), "--fake=pidfile=%s", pf);
	(void)fake();
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		struct sqn_frame rx[SQN_BATCH];
		struct sqn_iface *iface = start_fake(kind, args, 2, 0);

		if (!iface)
			_exit(1);
		for (;;) { /* traffic both ways until killed */
			one_frame(iface);
			read_frames(iface, rx, 1, 5);
		}
	}
	hpid = read_pidfile(pf, 3000);
	CHECK(hpid > 0);
	usleep(100000); /* let frames flow */
	CHECK(hpid > 0 && proc_alive(hpid));
	t0 = now_ms();
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	end = now_ms() + 2000;
	while (hpid > 0 && proc_alive(hpid) && now_ms() < end)
		usleep(2000);
	printf("# %s: the lingering helper died %llu ms after its caller was "
	       "SIGKILLed\n",
	       kind == SQN_HELPER_PASST ? "u32" : "u16",
	       (unsigned long long)(now_ms() - t0));
	CHECK(hpid > 0 && !proc_alive(hpid));
	if (hpid > 0 && proc_alive(hpid))
		kill(hpid, SIGKILL);
	unlink(pf);
}

static void caller_sigkill(void)
{
	sigkill_case(SQN_HELPER_PASST);
	sigkill_case(SQN_HELPER_GVPROXY);
}

static void cycles_1000(void)
{
	struct sqn_iface *iface;
	int fds0, fds1, i, ok = 0;
	uint64_t t0 = now_ms();

	(void)fake();
	fds0 = res_fds();
	for (i = 0; i < 1000; i++) {
		iface = start_fake(i % 2 ? SQN_HELPER_PASST
					 : SQN_HELPER_GVPROXY,
				   NULL, 0, 0);
		if (!iface)
			break;
		if (i % 100 == 0)
			one_frame(iface);
		sqn_iface_free(iface);
		ok++;
	}
	fds1 = res_fds();
	printf("# 1000 start/stop cycles took %llu ms\n",
	       (unsigned long long)(now_ms() - t0));
	CHECK_EQ(ok, 1000);
	CHECK_EQ(fds1, fds0);
	/* no zombie or live child left */
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	CHECK_EQ(errno, ECHILD);
}

static void tx_queue_bound(void)
{
	char arg[128], pf[96];
	const char *args[] = {arg};
	struct sqn_frame tx[SQN_BATCH], rx[SQN_BATCH];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t t0, dt, maxdt = 0, written = 0, got = 0;
	struct sqn_params p;
	pid_t pid;
	int r, i, calls;

	snprintf(pf, sizeof(pf), "%s/stop.pid", tmpdir);
	unlink(pf);
	snprintf(arg, sizeof(arg), "--fake=pidfile=%s", pf);
	base_params(&p);
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_PASST;
	p.helper_path = fake();
	p.helper_args = args;
	p.n_helper_args = 1;
	p.mtu = 1500;
	p.log_level = SQN_LOG_ERROR;
	iface = NULL;
	ASSERT(!sqn_iface_start(&p, &iface, err, sizeof(err)));
	pid = read_pidfile(pf, 2000);
	ASSERT(pid > 0);
	kill(pid, SIGSTOP);
	for (i = 0; i < SQN_BATCH; i++)
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1000};
	/* far more than socket buffers and the queue hold */
	for (calls = 0; calls < 2000; calls++) {
		t0 = now_ms();
		r = sqn_iface_write(iface, tx, SQN_BATCH);
		dt = now_ms() - t0;
		maxdt = dt > maxdt ? dt : maxdt;
		CHECK_EQ(r, SQN_BATCH);
		written += SQN_BATCH;
	}
	sqn_iface_stats(iface, &st);
	printf("# flooded %llu frames at a stopped helper: %llu passed on, "
	       "%llu dropped, slowest write %llu ms\n",
	       (unsigned long long)written, (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped, (unsigned long long)maxdt);
	CHECK(maxdt < 100);
	CHECK(st.tx_dropped > 0);
	CHECK_EQ(st.tx_frames + st.tx_dropped, written);
	kill(pid, SIGCONT);
	/* every frame passed on comes back */
	for (;;) {
		r = read_frames(iface, rx, SQN_BATCH, 300);
		if (r <= 0)
			break;
		got += (uint64_t)r;
	}
	sqn_iface_stats(iface, &st);
	printf("# echoed back %llu, rx_dropped %llu\n", (unsigned long long)got,
	       (unsigned long long)st.rx_dropped);
	CHECK_EQ(got, st.rx_frames);
	CHECK_EQ(st.rx_frames + st.rx_dropped, st.tx_frames);
	sqn_iface_free(iface);
	unlink(pf);
}

/*
 * What passt 2023-03 needs of the stream it reads (tap_handler_passt()): a
 * recv() of all there is must not end inside a frame's length header, and
 * the rest of a frame cut short must come in one piece; either breaks its
 * framing for good. The fake helper reads exactly as passt does and
 * counts both, reading as soon as bytes are queued (it spins). 1000
 * batches of 8 frames (most of 65535 bytes, larger than one socket
 * buffer: what passt met stalling; some of 7001, 1514 and 14) go out a
 * millisecond apart. Checked: every frame passed on arrives, 0 header
 * cuts, 0 rests in pieces. (Sent as one sendmsg() per batch, as before,
 * three runs counted 55, 26 and 5 rests in pieces.)
 */
static void frames_end_where_passt_reads(void)
{
	static const uint32_t sizes[] = {65535, 65535, 7001,  65535,
					 14,	65535, 65535, 1514};
	char a_report[128], rep[96];
	const char *args[] = {"--fake=passtreads", a_report};
	unsigned long got = 0, cuts = 1, pieces = 1;
	struct sqn_frame tx[8], rx[1];
	struct sqn_iface *iface;
	struct sqn_stats st;
	unsigned i, b;
	uint64_t end;
	FILE *f = NULL;

	snprintf(rep, sizeof(rep), "%s/passtreads", tmpdir);
	snprintf(a_report, sizeof(a_report), "--fake=report=%s", rep);
	iface = start_fake(SQN_HELPER_PASST, args, 2, 0);
	ASSERT(iface);
	for (i = 0; i < 8; i++) {
		memset(txbuf[i], 0x5a, sizeof(txbuf[i]));
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = sizes[i]};
	}
	for (b = 0; b < 1000; b++) {
		CHECK_EQ(sqn_iface_write(iface, tx, 8), 8);
		rx[0] = (struct sqn_frame){.data = rxbuf[0],
					   .cap = sizeof(rxbuf[0])};
		sqn_iface_read(iface, rx, 1); /* flushes what had to wait */
		usleep(1000);
	}
	end = now_ms() + 15000;
	while (!f && now_ms() < end) {
		read_frames(iface, rx, 1, 20);
		f = fopen(rep, "r");
	}
	ASSERT(f);
	CHECK_EQ(fscanf(f, "%lu %lu %lu", &got, &cuts, &pieces), 3);
	fclose(f);
	unlink(rep);
	sqn_iface_stats(iface, &st);
	printf("# 8000 frames written: %llu passed on, %llu dropped; the "
	       "helper read %lu as passt does: %lu reads ended inside a "
	       "length header, %lu rests came in pieces\n",
	       (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped, got, cuts, pieces);
	CHECK_EQ(got, st.tx_frames);
	CHECK(got >= 4000);
	CHECK_EQ(cuts, 0);
	CHECK_EQ(pieces, 0);
	sqn_iface_free(iface);
}

/*
 * A helper faster than the guest: what the guest has no room for stays in
 * the socket (and the receive buffer), none dropped. 1000 frames wait; a
 * buffer too small for the first fails with -EMSGSIZE and leaves it; then
 * reads of one frame each take all 1000, in order, and the fd polls
 * readable (without waiting) before each of them; after the last, a read
 * finds nothing and the fd is no longer readable.
 */
static void rx_held_not_dropped(void)
{
	const char *args[] = {"--fake=flood=1000"};
	struct sqn_frame rx[1];
	struct sqn_iface *iface;
	struct sqn_params p;
	struct sqn_stats st;
	struct pollfd pfd = {.events = POLLIN};
	uint8_t small[50];
	int r, total, order_bad = 0, not_ready = 0, id;

	base_params(&p);
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_PASST;
	p.helper_path = fake();
	p.helper_args = args;
	p.n_helper_args = 1;
	p.rx_queue_len = 16; /* not used: there is no queue to overflow */
	p.mtu = 1500;
	p.log_level = SQN_LOG_ERROR;
	iface = NULL;
	ASSERT(!sqn_iface_start(&p, &iface, err, sizeof(err)));
	pfd.fd = sqn_iface_fd(iface);
	usleep(300000); /* all 1000 frames wait in the socket */
	rx[0] = (struct sqn_frame){.data = small, .cap = sizeof(small)};
	CHECK_EQ(sqn_iface_read(iface, rx, 1), -EMSGSIZE);
	CHECK_EQ(rx[0].len, 100);
	for (total = 0; total < 1000; total++) {
		if (poll(&pfd, 1, 0) != 1)
			not_ready++;
		rx[0] = (struct sqn_frame){.data = rxbuf[0],
					   .cap = sizeof(rxbuf[0])};
		r = sqn_iface_read(iface, rx, 1);
		if (r != 1)
			break;
		memcpy(&id, (uint8_t *)rx[0].data + 14, sizeof(id));
		order_bad += id != total;
	}
	rx[0] = (struct sqn_frame){.data = rxbuf[0], .cap = sizeof(rxbuf[0])};
	CHECK_EQ(sqn_iface_read(iface, rx, 1), 0);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	sqn_iface_stats(iface, &st);
	printf("# 1000 frames waiting, read one per call: %d read in order "
	       "(%d out of order), fd not readable before %d of them, %llu "
	       "dropped\n",
	       total, order_bad, not_ready, (unsigned long long)st.rx_dropped);
	CHECK_EQ(total, 1000);
	CHECK_EQ(order_bad, 0);
	CHECK_EQ(not_ready, 0);
	CHECK_EQ(st.rx_dropped, 0);
	CHECK_EQ(st.rx_frames, 1000);
	sqn_iface_free(iface);
}

/*
 * plain_fds_open() - fill every free fd number below 16 with /dev/null,
 *		      opened without close-on-exec, so that a helper started
 *		      now inherits them unless the child closes them itself
 * @fds:	gets the fds (-1 where none was opened)
 *
 * Return: how many were opened
 */
static int plain_fds_open(int fds[16])
{
	int i, n = 0, fd;

	for (i = 0; i < 16; i++)
		fds[i] = -1;
	while ((fd = open("/dev/null", O_RDONLY)) >= 0 && fd < 16) {
		fds[fd] = fd;
		n++;
	}
	if (fd >= 16)
		close(fd);
	return n;
}

static void plain_fds_close(int fds[16])
{
	int i;

	for (i = 0; i < 16; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void stderr_lines_and_hardening(void)
{
	const char *args[] = {"--fake=fds"};
	struct sqn_iface *iface;
	struct sqn_frame rx[1];
	struct sqn_params p;
	uint64_t end;
	int plain[16], n;

	/* fds the caller holds without close-on-exec, at every free number
	 * from 3 up, so the helper's own fd numbers (3 for passt's socket)
	 * and the ones right above them are taken too: the child must close
	 * them itself, execve() would not */
	n = plain_fds_open(plain);
	printf("# %d plain (not close-on-exec) fds held below 16 during the "
	       "starts; fd 3 %s, fd 4 %s\n",
	       n, plain[3] == 3 ? "plain" : "taken before",
	       plain[4] == 4 ? "plain" : "taken before");
	CHECK(n > 0);
	log_reset();
	iface = start_fake(SQN_HELPER_PASST, args, 1, 0);
	ASSERT(iface);
	end = now_ms() + 2000;
	while (!strstr(logbuf, "sid:") && now_ms() < end)
		read_frames(iface, rx, 1, 20);
	/* only its own fds (stdin, stdout: /dev/null; stderr; socket 3), a
	 * minimal environment (PATH, HOME), its own session and process
	 * group, no-new-privileges, no controlling terminal */
	CHECK_STR_HAS(
		logbuf,
		"passt: fds: 0 1 2 3 env: 2 sid: 1 nnp: 1 pgrp: 1 tty: 0");
	CHECK_STR_HAS(logbuf, "passt: fake_helper: ready, u32-BE");
	sqn_iface_free(iface);

	log_reset();
	iface = start_fake(SQN_HELPER_GVPROXY, args, 1, 0);
	ASSERT(iface);
	end = now_ms() + 2000;
	while (!strstr(logbuf, "sid:") && now_ms() < end)
		read_frames(iface, rx, 1, 20);
	CHECK_STR_HAS(
		logbuf,
		"gvproxy: fds: 0 1 2 env: 2 sid: 1 nnp: 1 pgrp: 1 tty: 0");
	sqn_iface_free(iface);

	/* helper_env on passes the environment through */
	log_reset();
	setenv("SQN_T_MARK", "1", 1);
	base_params(&p);
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_GVPROXY;
	p.helper_path = fake();
	p.helper_args = args;
	p.n_helper_args = 1;
	p.helper_env = SQN_ON;
	iface = NULL;
	ASSERT(!sqn_iface_start(&p, &iface, err, sizeof(err)));
	end = now_ms() + 2000;
	while (!strstr(logbuf, "sid:") && now_ms() < end)
		read_frames(iface, rx, 1, 20);
	CHECK(strstr(logbuf, "sid:") && !strstr(logbuf, "env: 2 "));
	sqn_iface_free(iface);
	plain_fds_close(plain);
}

/**
 * helper_no_ctty() - a caller that has a controlling terminal starts a
 *		      helper that has none
 *
 * A forked child makes itself a session leader and opens a pseudo-terminal,
 * which becomes its controlling terminal (it checks that /dev/tty opens),
 * then starts the fake helper with --fake=fds: the helper must report that
 * /dev/tty does not open. Exit status of the child: 0 as required, 2 when
 * the helper had a terminal, 3 when the child got none (the check would
 * prove nothing), 4 when there are no pseudo-terminals (a skip), 1 on
 * another failure.
 */
static void helper_no_ctty(void)
{
	const char *args[] = {"--fake=fds"};
	pid_t child;
	int st;

	(void)fake();
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		struct sqn_frame rx[1];
		struct sqn_iface *iface;
		uint64_t end;
		int m, sl, tty;

		if (setsid() < 0)
			_exit(1);
		m = posix_openpt(O_RDWR | O_NOCTTY);
		if (m < 0 || grantpt(m) || unlockpt(m) || !ptsname(m))
			_exit(4);
		sl = open(ptsname(m), O_RDWR); /* becomes our terminal */
		tty = open("/dev/tty", O_RDWR);
		if (sl < 0 || tty < 0)
			_exit(3);
		close(tty);
		log_reset();
		iface = start_fake(SQN_HELPER_PASST, args, 1, 0);
		if (!iface)
			_exit(1);
		end = now_ms() + 2000;
		while (!strstr(logbuf, "sid:") && now_ms() < end)
			read_frames(iface, rx, 1, 20);
		sqn_iface_free(iface);
		if (!strstr(logbuf, "sid:"))
			_exit(1);
		_exit(strstr(logbuf, "tty: 0") ? 0 : 2);
	}
	ASSERT(waitpid(child, &st, 0) == child);
	printf("# caller with a controlling terminal: child exit status %d "
	       "(0: the helper had none)\n",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	CHECK(WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 4)
		SKIP("no pseudo-terminal (posix_openpt) to be a terminal of");
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* ---- validation ---- */

static int refused(struct sqn_params *p, const char *want)
{
	struct sqn_iface *iface = (struct sqn_iface *)1;
	int rc = sqn_iface_start(p, &iface, err, sizeof(err));

	CHECK(rc < 0);
	CHECK(iface == NULL);
	CHECK_STR_HAS(err, want);
	if (iface)
		sqn_iface_free(iface);
	return rc;
}

static void validation_messages(void)
{
	static char longp[1100], longarg[600];
	const char *many[33], *one[1];
	char noexec[96];
	struct sqn_params p;
	int fds0 = res_fds(), fd, i;

	(void)fake();
	snprintf(noexec, sizeof(noexec), "%s/noexec", tmpdir);
	fd = open(noexec, O_CREAT | O_WRONLY, 0644);
	close(fd);
	memset(longp, 'a', 1050);
	longp[0] = '/';
	memset(longarg, 'x', 599);
	for (i = 0; i < 33; i++)
		many[i] = "-q";

#define US()                                                                   \
	do {                                                                   \
		base_params(&p);                                               \
		p.mode = SQN_MODE_USERSPACE;                                   \
		p.helper_path = fake();                                        \
	} while (0)

	US();
	p.helper_path = "";
	CHECK_EQ(refused(&p, "helper_path is empty"), -EINVAL);
	US();
	p.helper_path = longp;
	refused(&p, "longer than 1024 bytes");
	US();
	p.helper_path = "/usr/bin/pas\nst";
	refused(&p, "control character (0x0a) at offset 12");
	US();
	p.helper_path = "/nonexistent/gvproxy";
	CHECK_EQ(refused(&p, "\"/nonexistent/gvproxy\": No such file"),
		 -ENOENT);
	US();
	p.helper_path = "/tmp";
	refused(&p, "is not a regular file");
	US();
	p.helper_path = noexec;
	CHECK_EQ(refused(&p, "is not executable"), -EACCES);
	US();
	p.helper_args = many;
	p.n_helper_args = 33;
	refused(&p, "helper_args has 33 arguments: at most 32");
	US();
	one[0] = longarg;
	p.helper_args = one;
	p.n_helper_args = 1;
	refused(&p, "helper_args[0] \"xxxx");
	US();
	one[0] = NULL;
	p.helper_args = one;
	p.n_helper_args = 1;
	refused(&p, "helper_args[0] is NULL");
	US();
	p.helper_kind = (enum sqn_helper_kind)7;
	refused(&p, "helper_kind 7 is unknown");
	US();
	p.helper_kind = SQN_HELPER_GVPROXY;
	p.max_frame = 1000;
	p.mtu = 1500;
	refused(&p, "mtu 1500 needs 1514-byte frames but max_frame is 1000");
	US();
	p.helper_path = NULL;
	p.helper_kind = SQN_HELPER_GVPROXY;
	{
		char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

		setenv("PATH", "/nonexistent", 1);
		unsetenv("SQUIBNET_GVPROXY");
		if (access("/usr/libexec/podman/gvproxy", X_OK) &&
		    access("/usr/bin/gvproxy", X_OK) &&
		    access("/usr/local/bin/gvproxy", X_OK))
			CHECK_EQ(refused(&p, "no gvproxy found: set "
					     "helper_path"),
				 -ENOENT);
		/* the environment variable is used and checked */
		setenv("SQUIBNET_GVPROXY", "/nonexistent/gv", 1);
		refused(&p, "\"/nonexistent/gv\": No such file");
		unsetenv("SQUIBNET_GVPROXY");
		if (path) {
			setenv("PATH", path, 1);
			free(path);
		}
	}

	base_params(&p);
	p.mode = SQN_MODE_SOCKET;
	refused(&p, "connect_url is missing");
	p.connect_url = "tcp://1.2.3.4:5";
	refused(&p, "unknown scheme");
	p.connect_url = "unix://relative/path";
	refused(&p, "the path must be absolute");
	p.connect_url = "unixgram://";
	refused(&p, "has no path");
	p.connect_url =
		"unix:///tmp/"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	refused(&p, "longer than 103 bytes");
	p.connect_url = "unix:///nonexistent/sqn.sock";
	refused(&p, "cannot connect to unix:///nonexistent/sqn.sock: No such");

	/* nothing was left behind */
	CHECK_EQ(res_fds(), fds0);
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
	unlink(noexec);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sqnt-us-%d", (int)getpid());
	mkdir(tmpdir, 0700);
	signal(SIGPIPE, SIG_IGN);
}

static const struct check_case cases[] = {
	CASE(validation_messages),
	CASE(gvproxy_stdio_u16),
	CASE(passt_fd_u32),
	CASE(socket_unix_stream),
	CASE(socket_unixgram_vfkt),
	CASE(socket_unixpacket_bess),
	CASE(too_small_buffer_userspace),
	CASE(too_small_buffer_socket),
	CASE(bad_length_0),
	CASE(bad_length_13),
	CASE(bad_length_70000),
	CASE(close_mid_frame),
	CASE(helper_killed_link_down),
	CASE(helper_restart_resumes),
	CASE(helper_restart_after_sigkill),
	CASE(helper_restart_backoff_grows),
	CASE(crash_reported),
	CASE(exit_reason_has_stderr),
	CASE(helper_restart_bounded),
	CASE(linger_outlives_eof),
	CASE(caller_sigkill),
	CASE(stderr_lines_and_hardening),
	CASE(helper_no_ctty),
	CASE(tx_queue_bound),
	CASE(rx_held_not_dropped),
	CASE(frames_end_where_passt_reads),
	CASE(cycles_1000),
};

int main(void)
{
	int rc;

	setup();
	rc = check_main(cases, sizeof(cases) / sizeof(cases[0]));
	rmdir(tmpdir);
	return rc;
}
