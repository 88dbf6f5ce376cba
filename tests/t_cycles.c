/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_cycles.c - 1000 start/stop cycles per mode leave nothing behind
 *
 * For each mode in the table: a warm-up, a snapshot of what the process
 * holds (fds, threads, child processes, RSS), 1000 cycles of start, one
 * frame each way, stop, and a second snapshot. Fds, threads and children
 * must be back where they were; RSS may grow less than 1 MiB (not checked
 * under ASan or valgrind, whose quarantines hold freed memory; they check
 * leaks themselves). The figures are printed as TAP comments.
 *
 * Usage: t_cycles [unit|e2e]. The unit run takes the rows that need no
 * root; the e2e run the others (it fails under CI=true without root).
 * To add a backend, add a row: its mode, a function that fills the params
 * (and creates what the backend needs once, e.g. a namespace), an optional
 * cleanup, and whether it needs root; register the e2e run in
 * tests/meson.build if it is the first root row.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "res.h"
#include "squibnet.h"

#define CYCLES 1000
#define WARMUP 20
#define RSS_BOUND_KIB 1024

/**
 * struct cycle_mode - one row: a mode and how to start it
 * @name:	for the figures
 * @mode:	the mode
 * @setup:	fills the params (iface_id and mode are set already); may
 *		create what the mode needs once; returns 0 or a reason to
 *		skip in @why
 * @cleanup:	optional: undo @setup
 * @needs_root:	the row runs in the e2e run, as root
 * @settle:	optional: wait until the peer let go of the last cycle
 *		(called before each snapshot)
 * @echoes:	the peer sends the frame back: each cycle waits for it
 *		(up to 1 s) and the row checks that every one came back
 */
struct cycle_mode {
	const char *name;
	enum sqn_mode mode;
	int (*setup)(struct sqn_params *p, char *why, size_t len);
	void (*cleanup)(void);
	bool needs_root;
	void (*settle)(void);
	bool echoes;
};

/**
 * setup_loopback() - loopback needs nothing more
 * @p:		the params
 * @why:	unused
 * @len:	unused
 *
 * Return: 0
 */
static int setup_loopback(struct sqn_params *p, char *why, size_t len)
{
	(void)why;
	(void)len;
	p->mtu = 9000;
	return 0;
}

/**
 * fake_helper() - the fake helper's path, from the test's environment
 * @why:	gets the reason when it is missing
 * @len:	size of @why
 *
 * Return: the path, or NULL
 */
static const char *fake_helper(char *why, size_t len)
{
	const char *f = getenv("SQN_FAKE_HELPER");

	if (!f || access(f, X_OK)) {
		snprintf(why, len,
			 "SQN_FAKE_HELPER is not set: run through "
			 "meson test");
		return NULL;
	}
	return f;
}

/**
 * setup_userspace() - the fake helper with gvproxy's u16-LE framing
 * @p:		the params
 * @why:	gets the reason to skip
 * @len:	size of @why
 *
 * Return: 0, or -1 to skip
 */
static int setup_userspace_u16(struct sqn_params *p, char *why, size_t len)
{
	p->helper_kind = SQN_HELPER_GVPROXY;
	p->helper_path = fake_helper(why, len);
	p->mtu = 1500;
	return p->helper_path ? 0 : -1;
}

/**
 * setup_userspace_u32() - the fake helper with passt's u32-BE framing
 * @p:		the params
 * @why:	gets the reason to skip
 * @len:	size of @why
 *
 * Return: 0, or -1 to skip
 */
static int setup_userspace_u32(struct sqn_params *p, char *why, size_t len)
{
	p->helper_kind = SQN_HELPER_PASST;
	p->helper_path = fake_helper(why, len);
	p->mtu = 1500;
	return p->helper_path ? 0 : -1;
}

/*
 * socket: an echo server on a thread of the test, one connection at a
 * time, as the cycles come one at a time: a unix stream (u32-BE framing, as
 * qemu's stream netdev and passt --socket speak it), a unixgram socket
 * (vfkit: it skips the VFKT greeting and answers each datagram to its
 * sender's address) or a unixpacket one (bess: one frame per message).
 */
static struct {
	int type;
	int lfd;
	char dir[64];
	char path[108];
	char url[128];
	char xdg[128]; /* XDG_RUNTIME_DIR before setup, "" if unset */
	pthread_t th;
	atomic_int stop;
	atomic_int open; /* accepted connections not yet closed */
} echo_srv = {.lfd = -1};

/**
 * echo_conn() - echo u32-BE frames on one connection until it ends
 * @c:	the connection
 */
static void echo_conn(int c)
{
	static uint8_t b[4 + 65536];
	size_t have = 0;
	uint32_t len;
	ssize_t r;

	for (;;) {
		struct pollfd pfd = {.fd = c, .events = POLLIN};

		if (echo_srv.stop)
			return;
		if (poll(&pfd, 1, 100) != 1)
			continue;
		r = recv(c, b + have, sizeof(b) - have, 0);
		if (r <= 0)
			return;
		have += (size_t)r;
		while (have >= 4) {
			len = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			      (uint32_t)b[2] << 8 | b[3];
			if (len > 65536)
				return;
			if (have < 4 + len)
				break;
			send(c, b, 4 + len, MSG_NOSIGNAL);
			memmove(b, b + 4 + len, have - 4 - len);
			have -= 4 + len;
		}
	}
}

/**
 * echo_packets() - echo messages on one seqpacket connection until it ends
 * @c:	the connection
 */
static void echo_packets(int c)
{
	static uint8_t b[65536];
	ssize_t r;

	for (;;) {
		struct pollfd pfd = {.fd = c, .events = POLLIN};

		if (echo_srv.stop)
			return;
		if (poll(&pfd, 1, 100) != 1)
			continue;
		r = recv(c, b, sizeof(b), 0);
		if (r <= 0)
			return;
		send(c, b, (size_t)r, MSG_NOSIGNAL);
	}
}

/** echo_dgrams() - answer each datagram but the greeting to its sender */
static void echo_dgrams(void)
{
	static uint8_t b[65536];
	struct sockaddr_un from;
	socklen_t fl;
	ssize_t r;

	while (!echo_srv.stop) {
		struct pollfd pfd = {.fd = echo_srv.lfd, .events = POLLIN};

		if (poll(&pfd, 1, 100) != 1)
			continue;
		fl = sizeof(from);
		r = recvfrom(echo_srv.lfd, b, sizeof(b), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (r < 0 || (r == 4 && !memcmp(b, "VFKT", 4)))
			continue;
		/* the sender may be gone already: nothing to do then */
		sendto(echo_srv.lfd, b, (size_t)r, MSG_DONTWAIT,
		       (struct sockaddr *)&from, fl);
	}
}

static void *echo_main(void *arg)
{
	(void)arg;
	if (echo_srv.type == SOCK_DGRAM) {
		echo_dgrams();
		return NULL;
	}
	while (!echo_srv.stop) {
		struct pollfd pfd = {.fd = echo_srv.lfd, .events = POLLIN};
		int c;

		if (poll(&pfd, 1, 100) != 1)
			continue;
		c = accept(echo_srv.lfd, NULL, NULL);
		if (c < 0)
			continue;
		echo_srv.open++;
		if (echo_srv.type == SOCK_SEQPACKET)
			echo_packets(c);
		else
			echo_conn(c);
		close(c);
		echo_srv.open--;
	}
	return NULL;
}

/**
 * setup_echo() - start the echo server; connect_url names it
 * @p:		the params
 * @why:	gets the reason to skip
 * @len:	size of @why
 * @type:	SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 * @scheme:	its URL scheme
 *
 * Our own unixgram sockets (a directory per start) are made in the
 * server's directory too (XDG_RUNTIME_DIR), so cleanup sees any left.
 *
 * Return: 0, or -1 to skip
 */
static int setup_echo(struct sqn_params *p, char *why, size_t len, int type,
		      const char *scheme)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	echo_srv.type = type;
	echo_srv.stop = 0;
	snprintf(echo_srv.dir, sizeof(echo_srv.dir), "/tmp/sqnt-cyc-XXXXXX");
	if (!mkdtemp(echo_srv.dir)) {
		snprintf(why, len, "mkdtemp: %s", strerror(errno));
		return -1;
	}
	snprintf(echo_srv.path, sizeof(echo_srv.path), "%s/echo.sock",
		 echo_srv.dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", echo_srv.path);
	echo_srv.lfd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (echo_srv.lfd < 0 ||
	    bind(echo_srv.lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type != SOCK_DGRAM && listen(echo_srv.lfd, 8)) ||
	    pthread_create(&echo_srv.th, NULL, echo_main, NULL)) {
		snprintf(why, len, "echo server: %s", strerror(errno));
		if (echo_srv.lfd >= 0)
			close(echo_srv.lfd);
		echo_srv.lfd = -1;
		unlink(echo_srv.path);
		rmdir(echo_srv.dir);
		return -1;
	}
	snprintf(echo_srv.xdg, sizeof(echo_srv.xdg), "%s", xdg ? xdg : "");
	setenv("XDG_RUNTIME_DIR", echo_srv.dir, 1);
	snprintf(echo_srv.url, sizeof(echo_srv.url), "%s://%s", scheme,
		 echo_srv.path);
	p->connect_url = echo_srv.url;
	p->mtu = 1500;
	return 0;
}

static int setup_socket(struct sqn_params *p, char *why, size_t len)
{
	return setup_echo(p, why, len, SOCK_STREAM, "unix");
}

static int setup_unixgram(struct sqn_params *p, char *why, size_t len)
{
	return setup_echo(p, why, len, SOCK_DGRAM, "unixgram");
}

static int setup_unixpacket(struct sqn_params *p, char *why, size_t len)
{
	return setup_echo(p, why, len, SOCK_SEQPACKET, "unixpacket");
}

/** settle_socket() - wait (up to 2 s) until the server closed its end */
static void settle_socket(void)
{
	int i;

	for (i = 0; i < 2000 && echo_srv.open; i++)
		usleep(1000);
}

/**
 * cleanup_socket() - stop the echo server, remove its socket file and
 *		      directory, restore XDG_RUNTIME_DIR
 *
 * A directory that holds more than the server's socket means a cycle
 * left a socket behind: the row fails (and the directory is left).
 */
static void cleanup_socket(void)
{
	int n;

	echo_srv.stop = 1;
	pthread_join(echo_srv.th, NULL);
	close(echo_srv.lfd);
	echo_srv.lfd = -1;
	n = res_count_dir(echo_srv.dir);
	printf("# %s: %d entries left beside the server's socket\n",
	       echo_srv.url, n - 1);
	CHECK_EQ(n, 1);
	unlink(echo_srv.path);
	rmdir(echo_srv.dir);
	if (echo_srv.xdg[0])
		setenv("XDG_RUNTIME_DIR", echo_srv.xdg, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
}

/**
 * setup_slirp() - libslirp with its defaults, if this build has it
 * @p:		the params
 * @why:	gets the reason to skip
 * @len:	size of @why
 *
 * Return: 0, or -1 to skip
 */
static int setup_slirp(struct sqn_params *p, char *why, size_t len)
{
	if (!sqn_mode_supported(SQN_MODE_SLIRP, why, len))
		return -1;
	p->mtu = 1500;
	return 0;
}

/**
 * setup_tap() - a TAP created (and gone) each cycle, in a network
 *		 namespace of this process's own
 * @p:		the params
 * @why:	gets the reason to skip
 * @len:	size of @why
 *
 * The e2e run moves the whole process into a new network namespace once
 * (it only runs root rows): whatever a cycle might leave dies with the
 * process, and nothing touches the host's namespace.
 *
 * Return: 0, or -1 to skip
 */
static int setup_tap(struct sqn_params *p, char *why, size_t len)
{
	static bool unshared;

	if (!sqn_mode_supported(SQN_MODE_TAP, why, len))
		return -1;
	if (!unshared && unshare(CLONE_NEWNET)) {
		snprintf(why, len, "unshare(CLONE_NEWNET): %s",
			 strerror(errno));
		return -1;
	}
	unshared = true;
	p->host_dev_name = "sqntcyc0";
	p->tap_create = SQN_ON;
	p->mtu = 1500;
	return 0;
}

static const struct cycle_mode modes[] = {
	{"loopback", SQN_MODE_LOOPBACK, setup_loopback, NULL, false, NULL,
	 true},
	{"userspace_u16", SQN_MODE_USERSPACE, setup_userspace_u16, NULL, false,
	 NULL, true},
	{"userspace_u32", SQN_MODE_USERSPACE, setup_userspace_u32, NULL, false,
	 NULL, true},
	{"socket_unix", SQN_MODE_SOCKET, setup_socket, cleanup_socket, false,
	 settle_socket, true},
	{"socket_unixgram", SQN_MODE_SOCKET, setup_unixgram, cleanup_socket,
	 false, settle_socket, true},
	{"socket_unixpacket", SQN_MODE_SOCKET, setup_unixpacket, cleanup_socket,
	 false, settle_socket, true},
	{"slirp", SQN_MODE_SLIRP, setup_slirp, NULL, false, NULL, false},
	{"tap", SQN_MODE_TAP, setup_tap, NULL, true, NULL, false},
};

static const char *suite = "unit";

/* What the cycles of one row saw go wrong, beside a failed start. */
struct cycle_faults {
	int io;	     /* a write or read of the one frame failed */
	int stop;    /* after sqn_iface_stop(), a call did not say -ESHUTDOWN */
	int fd_leak; /* fds after stop (handle not yet freed) != before start */
};

/**
 * one_cycle() - start, one frame each way, stop twice, free
 * @p:		the params
 * @echoes:	wait (up to 1 s) for the frame to come back
 * @echoed:	incremented when it did
 * @fx:		gets what went wrong
 * @count_fds:	compare the fds before start with those after stop
 * @settle:	NULL, or wait for the peer to let go (before each count)
 *
 * Return: 0, or the failed start's errno (the message is printed)
 */
static int one_cycle(const struct sqn_params *p, bool echoes, int *echoed,
		     struct cycle_faults *fx, bool count_fds,
		     void (*settle)(void))
{
	static uint8_t buf[9014];
	struct sqn_frame f = {.data = buf, .len = 60};
	struct sqn_iface *iface;
	struct sqn_stats st;
	char err[256];
	int rc, n, tries, fds0 = 0;

	if (count_fds && settle)
		settle();
	if (count_fds)
		fds0 = res_fds();
	rc = sqn_iface_start(p, &iface, err, sizeof(err));
	if (rc) {
		printf("# start: %s\n", err);
		return rc;
	}
	memset(buf, 0x5a, 60);
	if (sqn_iface_write(iface, &f, 1) != 1 && fx->io++ < 3)
		printf("# write failed\n");
	for (tries = 0; tries < (echoes ? 100 : 1); tries++) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		if (echoes)
			poll(&pfd, 1, 10);
		f.cap = sizeof(buf);
		n = sqn_iface_read(iface, &f, 1);
		if (n < 0 && fx->io++ < 3)
			printf("# read failed: %d\n", n);
		if (n == 1 && f.len == 60 && buf[59] == 0x5a) {
			(*echoed)++;
			break;
		}
	}
	/* stop is idempotent; the handle still answers queries, frame calls
	 * say -ESHUTDOWN; everything but the handle is released */
	sqn_iface_stop(iface);
	sqn_iface_stop(iface);
	f.cap = sizeof(buf);
	sqn_iface_stats(iface, &st);
	if (sqn_iface_read(iface, &f, 1) != -ESHUTDOWN ||
	    sqn_iface_write(iface, &f, 1) != -ESHUTDOWN ||
	    sqn_iface_fd(iface) != -ESHUTDOWN ||
	    sqn_iface_link(iface, NULL, 0) != 0 || st.tx_frames != 1 ||
	    sqn_iface_mtu(iface) == 0) {
		if (fx->stop++ < 3)
			printf("# after stop: read/write/fd/link/stats/mtu not "
			       "as documented (tx_frames %llu)\n",
			       (unsigned long long)st.tx_frames);
	}
	if (count_fds && settle)
		settle();
	if (count_fds && res_fds() != fds0 && fx->fd_leak++ < 3)
		printf("# fds %d before start, %d after stop\n", fds0,
		       res_fds());
	sqn_iface_free(iface);
	return 0;
}

/**
 * run_row() - the cycles of one table row
 * @m:	the row
 */
static void run_row(const struct cycle_mode *m)
{
	struct res_snap before, after;
	const char *checker = res_memory_checker();
	struct sqn_params p;
	char why[256] = "";
	struct cycle_faults fx = {0, 0, 0};
	int i, rc, echoed = 0;

	if (m->needs_root && geteuid() != 0)
		SKIP("needs root");
	if (res_fds() < 0)
		SKIP("no /proc here");
	sqn_params_init(&p);
	p.iface_id = "cyc0";
	p.mode = m->mode;
	if (m->setup(&p, why, sizeof(why)))
		SKIP(why);
	for (i = 0; i < WARMUP; i++) {
		rc = one_cycle(&p, m->echoes, &echoed, &fx, false, NULL);
		if (rc)
			break;
	}
	if (rc == 0) {
		if (m->settle)
			m->settle();
		res_snap_take(&before);
		echoed = 0;
		for (i = 0; i < CYCLES && rc == 0; i++)
			rc = one_cycle(&p, m->echoes, &echoed, &fx, true,
				       m->settle);
		if (m->settle)
			m->settle();
		res_snap_take(&after);
	}
	if (m->cleanup)
		m->cleanup();
	ASSERT(rc == 0);

	printf("# %s: %d cycles, fds %d->%d, threads %d->%d, children %d->%d, "
	       "rss %ld->%ld KiB\n",
	       m->name, CYCLES, before.fds, after.fds, before.threads,
	       after.threads, before.children, after.children, before.rss_kib,
	       after.rss_kib);
	printf("# %s: %d failed frame calls, %d stops not as documented, "
	       "%d stops that left an fd\n",
	       m->name, fx.io, fx.stop, fx.fd_leak);
	CHECK_EQ(fx.io, 0);
	CHECK_EQ(fx.stop, 0);
	CHECK_EQ(fx.fd_leak, 0);
	if (m->echoes) {
		printf("# %s: %d of %d frames came back\n", m->name, echoed,
		       CYCLES);
		CHECK_EQ(echoed, CYCLES);
	}
	CHECK_EQ(after.fds, before.fds);
	CHECK_EQ(after.threads, before.threads);
	CHECK_EQ(after.children, 0);
	if (checker)
		printf("# %s: rss bound not checked under %s (its quarantine "
		       "holds freed memory; it checks leaks itself)\n",
		       m->name, checker);
	else
		CHECK(after.rss_kib - before.rss_kib < RSS_BOUND_KIB);
}

/* One TAP case per row: check.h cases take no argument. */
#define NMODES (sizeof(modes) / sizeof(modes[0]))
#define ROW_CASE(i)                                                            \
	static void row_##i(void)                                              \
	{                                                                      \
		if ((i) < NMODES)                                              \
			run_row(&modes[(i) < NMODES ? (i) : 0]);               \
	}
ROW_CASE(0)
ROW_CASE(1)
ROW_CASE(2)
ROW_CASE(3)
ROW_CASE(4)
ROW_CASE(5)
ROW_CASE(6)
ROW_CASE(7)
ROW_CASE(8)
ROW_CASE(9)
static void (*const row_fns[])(void) = {row_0, row_1, row_2, row_3, row_4,
					row_5, row_6, row_7, row_8, row_9};
_Static_assert(sizeof(modes) / sizeof(modes[0]) <=
		       sizeof(row_fns) / sizeof(row_fns[0]),
	       "more modes than ROW_CASE()s: add some");

int main(int argc, char **argv)
{
	struct check_case cases[sizeof(row_fns) / sizeof(row_fns[0])];
	char names[sizeof(row_fns) / sizeof(row_fns[0])][64];
	size_t i, n = 0;
	bool e2e;

	if (argc > 1)
		suite = argv[1];
	e2e = !strcmp(suite, "e2e");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i].needs_root != e2e)
			continue;
		snprintf(names[n], sizeof(names[n]), "cycles_%s",
			 modes[i].name);
		cases[n].name = names[n];
		cases[n].fn = row_fns[i];
		n++;
	}
	return check_main(cases, n);
}
