/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_transport.c - regression tests of the helper transport: the writer's
 *		   wake-up, exact TX counts, reads that never wait for a
 *		   helper, the frame size limit, unixgram addresses that leave
 *		   no file, and the helper path and socket buffer messages
 *
 * The helper here is this very binary: run with --fd N (as the library runs
 * passt), it acts by its --t=MODE argument instead of running the cases.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "logcap.h"
#include "res.h"
#include "squibnet.h"

static uint8_t txbuf[SQN_BATCH][1514];
static uint8_t rxbuf[SQN_BATCH][SQN_FRAME_MAX];
static char self[4096];
static char err[512];
static char tmpdir[64];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the helper: this binary run as `passt --fd N -f -m MTU --t=MODE` ---- */

static int full_write(int fd, const void *p, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = write(fd, (const uint8_t *)p + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

/**
 * helper_main() - the helper's modes
 * @fd:		its socket
 * @mode:	linger: close the socket, then keep running (until killed);
 *		stall: never read (the caller's frames pile up); big: send
 *		one 65536-byte u32 frame, then read until EOF
 *
 * Return: the exit status
 */
static int helper_main(int fd, const char *mode)
{
	static uint8_t b[4 + 65536];

	if (!strcmp(mode, "linger")) {
		close(fd);
		for (;;)
			pause();
	}
	if (!strcmp(mode, "stall")) {
		for (;;)
			pause();
	}
	if (!strcmp(mode, "big")) {
		b[0] = 0;
		b[1] = 1; /* 65536, big-endian */
		b[2] = 0;
		b[3] = 0;
		memset(b + 4, 0xff, 65536);
		if (full_write(fd, b, sizeof(b)))
			return 1;
		while (read(fd, b, sizeof(b)) > 0)
			;
		return 0;
	}
	return 2;
}

/* ---- helpers of the cases ---- */

static int log_count(const char *needle)
{
	const char *p = logbuf;
	int n = 0;

	pthread_mutex_lock(&loglock);
	while ((p = strstr(p, needle))) {
		n++;
		p++;
	}
	pthread_mutex_unlock(&loglock);
	return n;
}

static void base_params(struct sqn_params *p)
{
	sqn_params_init(p);
	p->iface_id = "tp0";
	p->log = log_cb;
	p->log_level = SQN_LOG_DEBUG;
	p->mtu = 1500;
}

/* A userspace interface whose helper is this binary in @mode (passt kind). */
static struct sqn_iface *start_self(const char *mode, int restart)
{
	char arg[64];
	const char *args[] = {arg};
	struct sqn_iface *iface = NULL;
	struct sqn_params p;

	snprintf(arg, sizeof(arg), "--t=%s", mode);
	base_params(&p);
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_PASST;
	p.helper_path = self;
	p.helper_args = args;
	p.n_helper_args = 1;
	p.helper_restart = restart;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

/* The helper's pid, from the link-up reason "passt started (pid N)". */
static pid_t helper_pid(struct sqn_iface *iface)
{
	char why[256];
	const char *p;

	sqn_iface_link(iface, why, sizeof(why));
	p = strstr(why, "(pid ");
	return p ? (pid_t)atoi(p + 5) : 0;
}

static void rx_frames(struct sqn_frame *rx)
{
	unsigned i;

	for (i = 0; i < SQN_BATCH; i++)
		rx[i] = (struct sqn_frame){.data = rxbuf[i],
					   .cap = SQN_FRAME_MAX};
}

static bool proc_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return access(path, F_OK) == 0;
}

/* Whether @pid exists and is not a zombie. */
static bool proc_running(pid_t pid)
{
	char path[64], buf[256];
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && p[1] && p[2] != 'Z' && p[2] != 'X';
}

/* Poll and read for @ms (the reads drive the reaping); -EMSGSIZE counted. */
static void drive(struct sqn_iface *iface, int ms, int *emsgsize)
{
	struct sqn_frame rx[SQN_BATCH];
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int r;

		poll(&pfd, 1, 10);
		rx_frames(rx);
		r = sqn_iface_read(iface, rx, SQN_BATCH);
		if (r == -EMSGSIZE && emsgsize)
			(*emsgsize)++;
	}
}

static bool make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/t_transport-%d-XXXXXX",
		 (int)getpid());
	return mkdtemp(tmpdir) != NULL;
}

static void rm_tree(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) && errno == EISDIR)
			rm_tree(path);
		else
			rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A unixgram server in @dir: bound, 0600. */
static int dgram_server(const char *dir, char *path, size_t len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(path, len, "%s/srv.sock", dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a))) {
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* Receive the VFKT greeting; the client's address goes to @peer. */
static bool greeted(int s, struct sockaddr_un *peer, socklen_t *pl)
{
	struct pollfd pfd = {.fd = s, .events = POLLIN};
	char b[16];

	*pl = sizeof(*peer);
	if (poll(&pfd, 1, 2000) != 1)
		return false;
	return recvfrom(s, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)peer,
			pl) == 4 &&
	       !memcmp(b, "VFKT", 4);
}

static struct sqn_iface *start_unixgram(const char *path)
{
	char url[160];
	struct sqn_iface *iface = NULL;
	struct sqn_params p;

	snprintf(url, sizeof(url), "unixgram://%s", path);
	base_params(&p);
	p.mode = SQN_MODE_SOCKET;
	p.connect_url = url;
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

/* ---- 1: the writer's failure is never lost ---- */

static pthread_mutex_t wk_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wk_cond = PTHREAD_COND_INITIALIZER;
static int wk_stage; /* 1: writer, go; 2: writer done */
static int wk_rc;
static struct sqn_iface *wk_iface;

/*
 * In the reader's sqn_iface_read(), after it looked at the writer's state
 * and before it clears the waker: let the writer fail right there.
 */
/* Wait until wk_stage is @stage, at most 10 s; wk_lock held. */
static bool wk_wait(int stage)
{
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	while (wk_stage != stage)
		if (pthread_cond_timedwait(&wk_cond, &wk_lock, &dl))
			return false;
	return true;
}

static void wk_hook(const char *msg)
{
	if (!strstr(msg, "sent a 5-byte message"))
		return;
	pthread_mutex_lock(&wk_lock);
	wk_stage = 1;
	pthread_cond_broadcast(&wk_cond);
	wk_wait(2);
	pthread_mutex_unlock(&wk_lock);
}

static void *wk_writer(void *arg)
{
	struct sqn_frame tx = {.data = txbuf[0], .len = 100};
	bool go;

	(void)arg;
	pthread_mutex_lock(&wk_lock);
	go = wk_wait(1);
	pthread_mutex_unlock(&wk_lock);
	/* the reader never got there (the hook never ran): give up */
	wk_rc = go ? sqn_iface_write(wk_iface, &tx, 1) : -ETIMEDOUT;
	pthread_mutex_lock(&wk_lock);
	wk_stage = 2;
	pthread_cond_broadcast(&wk_cond);
	pthread_mutex_unlock(&wk_lock);
	return NULL;
}

/*
 * unixgram: the peer goes away; the writer's send fails (ECONNREFUSED,
 * which does not make the socket readable) while the reader is between
 * its look at the writer's state and its clearing of the waker. The fd
 * must still turn readable and the link go down.
 */
static void writer_failure_wakes_reader(void)
{
	struct sqn_frame rx[SQN_BATCH];
	struct sockaddr_un peer;
	struct sqn_stats st;
	char path[128], why[256];
	socklen_t pl;
	pthread_t th;
	uint64_t t0;
	int s, r, woke;
	bool hello;

	ASSERT(make_tmpdir());
	s = dgram_server(tmpdir, path, sizeof(path));
	ASSERT(s >= 0);
	wk_iface = start_unixgram(path);
	if (!wk_iface) {
		close(s);
		rm_tree(tmpdir);
	}
	ASSERT(wk_iface);
	/* no greeting within 2 s: fail now, before anything waits on it */
	hello = greeted(s, &peer, &pl);
	if (!hello) {
		sqn_iface_free(wk_iface);
		close(s);
		rm_tree(tmpdir);
	}
	ASSERT(hello);
	/* a bad datagram (logged in the read), then the peer is gone */
	sendto(s, "hello", 5, 0, (struct sockaddr *)&peer, pl);
	close(s);
	wk_stage = 0;
	log_hook = wk_hook;
	pthread_create(&th, NULL, wk_writer, NULL);
	{
		struct pollfd pfd = {.fd = sqn_iface_fd(wk_iface),
				     .events = POLLIN};

		poll(&pfd, 1, 2000);
	}
	rx_frames(rx);
	r = sqn_iface_read(wk_iface, rx, SQN_BATCH);
	pthread_join(th, NULL);
	log_hook = NULL;
	CHECK_EQ(r, 0);
	CHECK_EQ(wk_stage, 2);
	CHECK_EQ(wk_rc, 1); /* consumed: dropped and counted */
	t0 = now_ms();
	{
		struct pollfd pfd = {.fd = sqn_iface_fd(wk_iface),
				     .events = POLLIN};

		woke = poll(&pfd, 1, 1000);
	}
	printf("# after the writer's failure the fd was %s (%llu ms)\n",
	       woke == 1 ? "readable" : "NOT readable",
	       (unsigned long long)(now_ms() - t0));
	CHECK_EQ(woke, 1);
	rx_frames(rx);
	sqn_iface_read(wk_iface, rx, SQN_BATCH);
	CHECK(!sqn_iface_link(wk_iface, why, sizeof(why)));
	CHECK_STR_HAS(why, "writing to");
	{
		struct sqn_frame tx = {.data = txbuf[0], .len = 100};

		CHECK_EQ(sqn_iface_write(wk_iface, &tx, 1), -ENETDOWN);
	}
	sqn_iface_stats(wk_iface, &st);
	CHECK_EQ(st.tx_dropped, 1);
	CHECK_EQ(st.rx_errors, 1);
	sqn_iface_free(wk_iface);
	rm_tree(tmpdir);
}

/* ---- 2: every frame written is counted once ---- */

/*
 * The helper never reads: the socket buffer and the TX queue fill, then
 * writes drop. It is killed with frames still queued: written must equal
 * tx_frames + tx_dropped (queued frames lost with the connection stay in
 * tx_frames, as those in the socket buffer do).
 */
static void tx_counts_once(void)
{
	struct sqn_frame tx[SQN_BATCH];
	struct sqn_iface *iface;
	struct sqn_stats st;
	uint64_t written = 0;
	pid_t pid;
	int i, r;

	log_reset();
	iface = start_self("stall", 0);
	ASSERT(iface);
	pid = helper_pid(iface);
	ASSERT(pid > 0);
	for (i = 0; i < SQN_BATCH; i++)
		tx[i] = (struct sqn_frame){.data = txbuf[i], .len = 1514};
	for (i = 0; i < 20000; i++) {
		r = sqn_iface_write(iface, tx, SQN_BATCH);
		CHECK_EQ(r, SQN_BATCH);
		written += SQN_BATCH;
		sqn_iface_stats(iface, &st);
		if (st.tx_dropped > 0)
			break;
	}
	sqn_iface_stats(iface, &st);
	printf("# before the kill: wrote %llu, tx_frames %llu, tx_dropped "
	       "%llu\n",
	       (unsigned long long)written, (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped);
	CHECK(st.tx_dropped > 0);
	CHECK_EQ(st.tx_frames + st.tx_dropped, written);
	kill(pid, SIGKILL);
	{
		uint64_t end = now_ms() + 2000;

		while (sqn_iface_link(iface, NULL, 0) && now_ms() < end)
			drive(iface, 20, NULL);
	}
	CHECK(!sqn_iface_link(iface, NULL, 0));
	sqn_iface_stats(iface, &st);
	printf("# after the kill: tx_frames %llu + tx_dropped %llu = %llu "
	       "(written %llu)\n",
	       (unsigned long long)st.tx_frames,
	       (unsigned long long)st.tx_dropped,
	       (unsigned long long)(st.tx_frames + st.tx_dropped),
	       (unsigned long long)written);
	CHECK_EQ(st.tx_frames + st.tx_dropped, written);
	CHECK_STR_HAS(logbuf, "frames in the TX queue were lost");
	sqn_iface_free(iface);
}

/* ---- 3: a helper that closes its socket but lives on ---- */

/*
 * Every read returns at once (the old code waited 100 ms, then for the
 * kill, inside sqn_iface_read()); the link goes down within about 100 ms
 * saying the helper was killed; it is reaped, with no read waiting for it.
 */
static void read_never_waits_for_helper(void)
{
	const char *checker = res_memory_checker();
	bool slow = checker && !strcmp(checker, "valgrind");
	struct sqn_frame rx[SQN_BATCH];
	struct sqn_iface *iface;
	uint64_t t0, t1, dt, maxdt = 0, down = 0, gone = 0;
	int waiting = 0;
	char why[256];
	pid_t pid;

	iface = start_self("linger", 0);
	ASSERT(iface);
	pid = helper_pid(iface);
	ASSERT(pid > 0);
	t0 = now_ms();
	while (now_ms() - t0 < 2000 && (!down || !gone)) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};
		int to = sqn_iface_timeout_ms(iface);

		poll(&pfd, 1, to < 0 || to > 50 ? 50 : to);
		rx_frames(rx);
		t1 = now_ms();
		sqn_iface_read(iface, rx, SQN_BATCH);
		dt = now_ms() - t1;
		maxdt = dt > maxdt ? dt : maxdt;
		/* returned with the EOF seen (a kill timer set), the link
		 * still up and the helper still running: it did not wait */
		if (sqn_iface_timeout_ms(iface) >= 0 &&
		    sqn_iface_link(iface, NULL, 0) && proc_running(pid))
			waiting++;
		if (!down && !sqn_iface_link(iface, NULL, 0))
			down = now_ms() - t0;
		if (down && !gone && !proc_exists(pid))
			gone = now_ms() - t0;
	}
	sqn_iface_link(iface, why, sizeof(why));
	printf("# slowest read %llu ms; %d reads returned while the helper "
	       "was given its 100 ms; link down after %llu ms; helper reaped "
	       "after %llu ms; \"%s\"\n",
	       (unsigned long long)maxdt, waiting, (unsigned long long)down,
	       (unsigned long long)gone, why);
	CHECK(waiting > 0);
	CHECK(slow || maxdt < 20); /* valgrind: ~50x slower */
	CHECK(down > 0 && (slow || down < 400));
	CHECK(gone > 0);
	CHECK_STR_HAS(why, "closed the connection");
	CHECK_STR_HAS(why, "did not exit within 100 ms: killed");
	sqn_iface_free(iface);
	CHECK(!proc_exists(pid));
}

/* The same with restarts on: the old helper is reaped, a new one runs. */
static void restart_after_linger(void)
{
	struct sqn_iface *iface;
	struct sqn_stats st;
	pid_t pid, pid2 = 0;
	uint64_t end;

	iface = start_self("linger", SQN_ON);
	ASSERT(iface);
	pid = helper_pid(iface);
	ASSERT(pid > 0);
	end = now_ms() + 3000;
	while (now_ms() < end) {
		drive(iface, 20, NULL);
		sqn_iface_stats(iface, &st);
		if (st.helper_restarts > 0 && sqn_iface_link(iface, NULL, 0)) {
			pid2 = helper_pid(iface);
			break;
		}
	}
	printf("# helper %d lingered; restarted as %d\n", (int)pid, (int)pid2);
	CHECK(pid2 > 0 && pid2 != pid);
	CHECK(!proc_exists(pid));
	sqn_iface_free(iface);
	CHECK(pid2 <= 0 || !proc_exists(pid2));
	CHECK_EQ(waitpid(-1, NULL, WNOHANG), -1);
}

/* ---- 4: no frame larger than SQN_FRAME_MAX ---- */

/*
 * Buffers of SQN_FRAME_MAX (or sqn_iface_max_frame()) bytes never wedge a
 * read: the default maximum is at most SQN_FRAME_MAX for every helper and
 * socket mode, a larger max_frame is capped, and a helper that sends a
 * 65536-byte u32 frame is reset for it, not read -EMSGSIZE forever.
 */
static void frame_max_consistent(void)
{
	static const enum sqn_helper_kind kinds[] = {SQN_HELPER_PASST,
						     SQN_HELPER_GVPROXY};
	struct sqn_iface *iface;
	struct sqn_params p;
	struct sqn_stats st;
	char why[256];
	int emsg = 0;
	unsigned k;

	for (k = 0; k < 2; k++) {
		base_params(&p);
		p.mode = SQN_MODE_USERSPACE;
		p.helper_kind = kinds[k];
		p.helper_path = self;
		p.mtu = 0;
		p.max_frame = k ? 0 : 65536;
		iface = NULL;
		ASSERT(!sqn_iface_start(&p, &iface, err, sizeof(err)));
		printf("# %s: max_frame %u\n", k ? "gvproxy" : "passt",
		       sqn_iface_max_frame(iface));
		CHECK(sqn_iface_max_frame(iface) <= SQN_FRAME_MAX);
		sqn_iface_free(iface);
	}
	log_reset();
	iface = start_self("big", 0);
	ASSERT(iface);
	CHECK_EQ(sqn_iface_max_frame(iface), SQN_FRAME_MAX);
	drive(iface, 300, &emsg);
	CHECK(!sqn_iface_link(iface, why, sizeof(why)));
	CHECK_STR_HAS(why, "frame length of 65536");
	CHECK_EQ(emsg, 0);
	sqn_iface_stats(iface, &st);
	CHECK_EQ(st.rx_errors, 1);
	CHECK_EQ(st.conn_resets, 1);
	sqn_iface_free(iface);
}

/* ---- 5: unixgram: an abstract address, no file ---- */

/*
 * Our unixgram end has an abstract address the peer answers to, frames
 * cross both ways, and nothing appears in $XDG_RUNTIME_DIR, even when the
 * caller is SIGKILLed.
 */
static void unixgram_leaves_no_file(void)
{
	char srvdir[128], rundir[128], path[160];
	struct sqn_frame rx[SQN_BATCH], tx = {.data = txbuf[0], .len = 60};
	struct sockaddr_un peer;
	struct sqn_iface *iface;
	const char *old = getenv("XDG_RUNTIME_DIR");
	char oldv[256] = "";
	uint8_t b[2048];
	socklen_t pl;
	pid_t child;
	int s, st, got = 0, i, p[2];
	bool hello;
	ssize_t r;

	if (old)
		snprintf(oldv, sizeof(oldv), "%s", old);
	ASSERT(make_tmpdir());
	snprintf(srvdir, sizeof(srvdir), "%s/srv", tmpdir);
	snprintf(rundir, sizeof(rundir), "%s/run", tmpdir);
	ASSERT(!mkdir(srvdir, 0700) && !mkdir(rundir, 0700));
	setenv("XDG_RUNTIME_DIR", rundir, 1);
	s = dgram_server(srvdir, path, sizeof(path));
	ASSERT(s >= 0);
	iface = start_unixgram(path);
	if (!iface) {
		close(s);
		rm_tree(tmpdir);
	}
	ASSERT(iface);
	hello = greeted(s, &peer, &pl);
	if (!hello) {
		sqn_iface_free(iface);
		close(s);
		rm_tree(tmpdir);
	}
	ASSERT(hello); /* within 2 s */
	printf("# our address: %u bytes, sun_path[0] %d\n", (unsigned)pl,
	       peer.sun_path[0]);
	CHECK(pl > sizeof(sa_family_t) && peer.sun_path[0] == '\0');
	CHECK_EQ(res_count_dir(rundir), 0);
	/* both ways */
	memset(b, 0x5a, 60);
	CHECK_EQ(sendto(s, b, 60, 0, (struct sockaddr *)&peer, pl), 60);
	for (i = 0; i < 100 && !got; i++) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		poll(&pfd, 1, 20);
		rx_frames(rx);
		got = sqn_iface_read(iface, rx, SQN_BATCH);
	}
	CHECK_EQ(got, 1);
	CHECK(got != 1 || (rx[0].len == 60 && !memcmp(rx[0].data, b, 60)));
	memset(txbuf[0], 0xa5, 60);
	CHECK_EQ(sqn_iface_write(iface, &tx, 1), 1);
	{
		struct pollfd pfd = {.fd = s, .events = POLLIN};

		poll(&pfd, 1, 2000);
	}
	r = recv(s, b, sizeof(b), MSG_DONTWAIT);
	CHECK_EQ(r, 60);
	CHECK(r != 60 || !memcmp(b, txbuf[0], 60));
	sqn_iface_free(iface);

	/* a caller SIGKILLed while connected */
	ASSERT(!pipe(p));
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		struct sqn_iface *c = start_unixgram(path);

		if (write(p[1], c ? "y" : "n", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	CHECK(read(p[0], b, 1) == 1 && b[0] == 'y');
	close(p[0]);
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	printf("# entries left in $XDG_RUNTIME_DIR after the SIGKILL: %d\n",
	       res_count_dir(rundir));
	CHECK_EQ(res_count_dir(rundir), 0);
	close(s);
	if (oldv[0])
		setenv("XDG_RUNTIME_DIR", oldv, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	rm_tree(tmpdir);
}

/* ---- 6: messages: a too long $SQUIBNET_PASST, small socket buffers ---- */

static void helper_env_too_long(void)
{
	static char v[1200];
	struct sqn_iface *iface = NULL;
	struct sqn_params p;
	int rc;

	memset(v, 'a', 1100);
	v[0] = '/';
	v[1100] = '\0';
	setenv("SQUIBNET_PASST", v, 1);
	base_params(&p);
	p.mode = SQN_MODE_USERSPACE;
	p.helper_kind = SQN_HELPER_PASST;
	rc = sqn_iface_start(&p, &iface, err, sizeof(err));
	unsetenv("SQUIBNET_PASST");
	printf("# %s\n", err);
	CHECK_EQ(rc, -EINVAL);
	CHECK(!iface);
	CHECK_STR_HAS(err, "$SQUIBNET_PASST is 1100 bytes long");
	CHECK_STR_HAS(err, "at most 1024 bytes");
}

/* Drop CAP_NET_ADMIN from this (child) process: SO_*BUFFORCE then fails. */
static int drop_net_admin(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	d[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	return (int)syscall(SYS_capset, &h, d);
}

/*
 * Without CAP_NET_ADMIN the 8 MiB buffers are capped by the kernel: one
 * warning says the size obtained (a restart does not repeat it).
 */
static void small_buffers_warned_once(void)
{
	pid_t child;
	int st;

	fflush(stdout);
	child = fork();
	ASSERT(child >= 0);
	if (child == 0) {
		struct sqn_iface *iface;
		int n;

		if (drop_net_admin())
			_exit(3);
		log_reset();
		iface = start_self("linger", SQN_ON);
		if (!iface)
			_exit(4);
		{
			struct sqn_stats s;
			uint64_t end = now_ms() + 3000;

			do {
				drive(iface, 20, NULL);
				sqn_iface_stats(iface, &s);
			} while (!s.helper_restarts && now_ms() < end);
		}
		n = log_count("socket buffers toward passt are ");
		{
			/* its line only: the lines after it are no TAP */
			const char *w = strstr(logbuf, "socket buffers toward");

			printf("# warnings: %d (%.*s)\n", n,
			       w ? (int)strcspn(w, "\n") : 4, w ? w : "none");
		}
		sqn_iface_free(iface);
		_exit(n == 1 ? 0 : 5);
	}
	waitpid(child, &st, 0);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

static const struct check_case cases[] = {
	CASE(writer_failure_wakes_reader), CASE(tx_counts_once),
	CASE(read_never_waits_for_helper), CASE(restart_after_linger),
	CASE(frame_max_consistent),	   CASE(unixgram_leaves_no_file),
	CASE(helper_env_too_long),	   CASE(small_buffers_warned_once),
};

int main(int argc, char **argv)
{
	const char *mode = NULL;
	int i, fd = -1;
	ssize_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fd") && i + 1 < argc)
			fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-listen-stdio"))
			fd = 0; /* as gvproxy */
		else if (!strncmp(argv[i], "--t=", 4))
			mode = argv[i] + 4;
	}
	if (fd >= 0) {
		/* run as the helper; no mode: echo nothing, wait for EOF */
		if (!mode) {
			while (read(fd, rxbuf[0], sizeof(rxbuf[0])) > 0)
				;
			_exit(0);
		}
		_exit(helper_main(fd, mode));
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	return check_main(cases, sizeof(cases) / sizeof(cases[0]));
}
