/* SPDX-License-Identifier: Apache-2.0 */
/*
 * microbench.c - per-frame cost of the relay path, without the network
 *
 * Theory of operation: frames go through the public API (sqn_iface_write,
 * then sqn_iface_read) over one backend's transport to a peer that echoes
 * every frame, for 64-, 1514- and 65535-byte frames. One thread keeps a
 * window of frames in flight: it writes a batch while fewer than WINDOW are
 * out, reads whatever came back, and polls the interface's fd only when
 * nothing is waiting. Reported per transport and size (median of --runs):
 *   - frames per second per direction (written, and read back),
 *   - CPU time of this process per frame (getrusage user + sys over the
 *     frames of one direction) and wall time per frame,
 *   - heap allocations per frame after start: malloc, calloc, realloc and
 *     posix_memalign are interposed, as in tests/t_alloc.c (expected 0).
 *
 * Transports are rows of a table. A row whose backend this build or host
 * lacks says why and is skipped, never faked:
 *   loopback		the ring inside the library is the echo. Both
 *			directions run on one thread, so each frame is counted
 *			once as written and once as read, and the CPU time is
 *			that of both directions together.
 *   userspace-u32	SQN_MODE_USERSPACE, helper kind passt (u32-BE): the
 *			helper is this program re-executed as a byte echo on
 *			its --fd (framing is preserved by echoing bytes), or
 *			--helper PATH (e.g. tests/fake_helper, which echoes
 *			frame by frame). Helper CPU is not in the figures.
 *   userspace-u16	the same with helper kind gvproxy (u16-LE on stdio).
 *   socket		SQN_MODE_SOCKET to unix:///path: a thread here accepts
 *			and echoes the byte stream.
 *   tap		SQN_MODE_TAP on a TAP device in a network namespace of
 *			this process's own (unshare(CLONE_NEWNET), so nothing
 *			is left on the host, even after a crash): the kernel
 *			echoes every frame with a tc ingress filter that
 *			redirects it to the same device's egress (u32 match
 *			all + mirred), so no IP processing is involved. Needs
 *			root, `ip` and `tc` (iproute2), IPv6 off on the device
 *			(its router solicitations would be echoed too). The
 *			kernel's CPU on the echo is mostly this process's
 *			system time and is counted.
 *   tap-offload	the same with offloads on: every frame carries a
 *			(zero) virtio-net header through IFF_VNET_HDR.
 *
 * Not a test: wall-clock numbers depend on the machine. bench/bench.py runs
 * it with --json and puts the figures in its report.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <fcntl.h>

#include "../tests/alloc_count.h"
#include "squibnet.h"

#define WINDOW (2 * SQN_BATCH)
#define MAX_RUNS 15
#define SQN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SQN_MIN_U64(a, b) ((a) < (b) ? (a) : (b))

/* ---- allocation counting: tests/alloc_count.h (program and library) */

/* ---- echo peers ------------------------------------------------------- */

/**
 * echo_bytes() - copy everything read on @in to @out until EOF or error
 * @in:		fd to read
 * @out:	fd to write
 *
 * A byte echo preserves any length-prefixed framing, so it is a faithful
 * (and nearly free) peer for the u32-BE and u16-LE stream protocols.
 */
static void echo_bytes(int in, int out)
{
	static uint8_t buf[1 << 18];
	ssize_t r, w, off;

	for (;;) {
		r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		for (off = 0; off < r; off += w) {
			w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0)
				return;
		}
	}
}

/**
 * helper_main() - run as a userspace helper: passt-like or gvproxy-like
 * @argc:	argument count
 * @argv:	passt: ... --fd N ...; gvproxy: ... -listen-stdio ...
 *
 * Return: exit status
 */
static int helper_main(int argc, char **argv)
{
	int i, sz = 4 << 20;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fd") && i + 1 < argc) {
			int fd = atoi(argv[i + 1]);

			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
			echo_bytes(fd, fd);
			return 0;
		}
	}
	echo_bytes(0, 1);
	return 0;
}

/**
 * struct sock_peer - a unix stream listener that echoes its one client
 * @path:	socket path
 * @lfd:	listening fd
 * @thread:	the echo thread
 */
struct sock_peer {
	char path[108];
	int lfd;
	pthread_t thread;
};

static void *sock_peer_thread(void *arg)
{
	struct sock_peer *sp = arg;
	int c = accept(sp->lfd, NULL, NULL);

	if (c >= 0) {
		echo_bytes(c, c);
		close(c);
	}
	return NULL;
}

/* ---- transports ------------------------------------------------------- */

/**
 * struct mb_opts - command line
 * @seconds:	measuring time per run
 * @runs:	runs per transport and size (median reported)
 * @json:	print JSON instead of a table
 * @only:	transport name, or NULL for all
 * @helper:	userspace helper binary, or NULL for this program
 * @self:	this program's path
 */
struct mb_opts {
	double seconds;
	int runs;
	int json;
	const char *only;
	const char *helper;
	const char *self;
};

/**
 * struct transport - one row of the table
 * @name:	as printed
 * @note:	how its figures read
 * @setup:	fill @p (mode and transport fields), start the peer; return 0,
 *		or a negative errno with a reason in @why
 * @teardown:	stop the peer (after sqn_iface_free), may be NULL
 * @peer:	the peer's state
 */
struct transport {
	const char *name;
	const char *note;
	int (*setup)(struct transport *t, const struct mb_opts *o,
		     struct sqn_params *p, char *why, size_t len);
	void (*teardown)(struct transport *t);
	struct sock_peer peer;
};

static int need_mode(enum sqn_mode m, char *why, size_t len)
{
	char r[256];

	if (sqn_mode_supported(m, r, sizeof(r)))
		return 0;
	snprintf(why, len, "%s", r);
	return -ENOTSUP;
}

static int setup_loopback(struct transport *t, const struct mb_opts *o,
			  struct sqn_params *p, char *why, size_t len)
{
	(void)t;
	(void)o;
	p->mode = SQN_MODE_LOOPBACK;
	return need_mode(p->mode, why, len);
}

static int setup_userspace(struct transport *t, const struct mb_opts *o,
			   struct sqn_params *p, char *why, size_t len)
{
	p->mode = SQN_MODE_USERSPACE;
	p->helper_kind =
		strstr(t->name, "u16") ? SQN_HELPER_GVPROXY : SQN_HELPER_PASST;
	p->helper_path = o->helper ? o->helper : o->self;
	return need_mode(p->mode, why, len);
}

static int setup_socket(struct transport *t, const struct mb_opts *o,
			struct sqn_params *p, char *why, size_t len)
{
	static char url[128];
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct sock_peer *sp = &t->peer;
	int rc = need_mode(SQN_MODE_SOCKET, why, len);

	(void)o;
	if (rc)
		return rc;
	snprintf(sp->path, sizeof(sp->path), "/tmp/sqnb-%d-mb.sock",
		 (int)getpid());
	unlink(sp->path);
	sp->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sp->lfd < 0)
		goto out_err;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sp->path);
	if (bind(sp->lfd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(sp->lfd, 1))
		goto out_close;
	if (pthread_create(&sp->thread, NULL, sock_peer_thread, sp)) {
		errno = EAGAIN;
		goto out_unlink;
	}
	snprintf(url, sizeof(url), "unix://%s", sp->path);
	p->mode = SQN_MODE_SOCKET;
	p->connect_url = url;
	return 0;

out_unlink:
	unlink(sp->path);
out_close:
	close(sp->lfd);
out_err:
	rc = -errno;
	snprintf(why, len, "echo socket %s: %s", sp->path, strerror(errno));
	return rc;
}

static void teardown_socket(struct transport *t)
{
	struct sock_peer *sp = &t->peer;

	/* the interface is stopped: the echo thread sees EOF and returns */
	shutdown(sp->lfd, SHUT_RDWR);
	pthread_join(sp->thread, NULL);
	close(sp->lfd);
	unlink(sp->path);
}

/**
 * run_argv() - run a command (no shell) and wait for it
 * @argv:	the command, NULL-terminated; argv[0] is searched in PATH
 * @why:	gets the reason on failure
 * @len:	size of @why
 *
 * Return: 0 if it exited with status 0, else -EIO
 */
static int run_argv(char *const argv[], char *why, size_t len)
{
	extern char **environ;
	pid_t pid;
	int st, rc;

	rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (rc) {
		snprintf(why, len, "%s: %s", argv[0], strerror(rc));
		return -EIO;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			break;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		snprintf(why, len, "'%s %s %s ...' failed", argv[0], argv[1],
			 argv[2]);
		return -EIO;
	}
	return 0;
}

/**
 * own_netns() - move this process into a new network namespace, once
 * @why:	gets the reason on failure
 * @len:	size of @why
 *
 * Return: 0, or -ENOTSUP with the reason
 */
static int own_netns(char *why, size_t len)
{
	static int done;
	int fd;

	if (done)
		return 0;
	if (unshare(CLONE_NEWNET)) {
		snprintf(why, len, "unshare(CLONE_NEWNET): %s (needs root)",
			 strerror(errno));
		return -ENOTSUP;
	}
	/* devices made from now on get no IPv6 (no solicitations to echo) */
	fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6",
		  O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "microbench: cannot disable IPv6\n");
		close(fd);
	}
	done = 1;
	return 0;
}

#define MB_TAP "sqnmb0"

/**
 * make_echo_tap() - a persistent TAP that the kernel echoes frames on
 * @mtu:	its MTU
 * @why:	gets the reason on failure
 * @len:	size of @why
 *
 * Return: 0, or a negative errno (-ENOTSUP when the host cannot)
 */
static int make_echo_tap(uint32_t mtu, char *why, size_t len)
{
	char mtus[16];
	char *up[] = {"ip", "link", "set", MB_TAP, "mtu", mtus, "up", NULL};
	char *qd[] = {"tc", "qdisc", "add", "dev", MB_TAP, "ingress", NULL};
	char *fl[] = {"tc",	"filter", "add",      "dev", MB_TAP,
		      "parent", "ffff:",  "protocol", "all", "u32",
		      "match",	"u32",	  "0",	      "0",   "action",
		      "mirred", "egress", "redirect", "dev", MB_TAP,
		      NULL};
	struct ifreq ifr = {.ifr_flags = IFF_TAP | IFF_NO_PI};
	int fd, rc;

	rc = own_netns(why, len);
	if (rc)
		return rc;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "/dev/net/tun: %s", strerror(errno));
		return -ENOTSUP;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", MB_TAP);
	if (ioctl(fd, TUNSETIFF, &ifr) || ioctl(fd, TUNSETPERSIST, 1)) {
		snprintf(why, len, "TAP %s: %s", MB_TAP, strerror(errno));
		close(fd);
		return -ENOTSUP;
	}
	close(fd);
	snprintf(mtus, sizeof(mtus), "%u", mtu);
	rc = run_argv(up, why, len);
	if (!rc)
		rc = run_argv(qd, why, len);
	if (!rc)
		rc = run_argv(fl, why, len);
	if (rc) {
		char *del[] = {"ip", "link", "del", MB_TAP, NULL};
		char ignored[64];

		run_argv(del, ignored, sizeof(ignored));
	}
	return rc;
}

static int setup_tap(struct transport *t, const struct mb_opts *o,
		     struct sqn_params *p, char *why, size_t len)
{
	int rc = need_mode(SQN_MODE_TAP, why, len);

	(void)o;
	if (!rc)
		rc = make_echo_tap(p->mtu, why, len);
	if (rc)
		return rc;
	p->mode = SQN_MODE_TAP;
	p->host_dev_name = MB_TAP;
	p->offload = strstr(t->name, "offload") ? SQN_ON : SQN_OFF;
	return 0;
}

static void teardown_tap(struct transport *t)
{
	char *del[] = {"ip", "link", "del", MB_TAP, NULL};
	char why[128];

	(void)t;
	if (run_argv(del, why, sizeof(why)))
		fprintf(stderr, "microbench: %s\n", why);
}

static struct transport transports[] = {
	{.name = "loopback",
	 .note = "one thread writes a batch and reads it back: both "
		 "directions together, CPU time covers both",
	 .setup = setup_loopback},
	{.name = "userspace-u32",
	 .note = "helper kind passt (u32-BE) echoing; helper CPU not counted",
	 .setup = setup_userspace},
	{.name = "userspace-u16",
	 .note = "helper kind gvproxy (u16-LE) echoing; helper CPU not "
		 "counted",
	 .setup = setup_userspace},
	{.name = "socket",
	 .note = "unix stream (u32-BE) to an echo thread in this process "
		 "(its CPU is counted)",
	 .setup = setup_socket,
	 .teardown = teardown_socket},
	{.name = "tap",
	 .note = "TAP in a namespace of our own, echoed by the kernel (tc "
		 "mirred); kernel CPU mostly counted as our sys time",
	 .setup = setup_tap,
	 .teardown = teardown_tap},
	{.name = "tap-offload",
	 .note = "the same with IFF_VNET_HDR (a zero virtio-net header per "
		 "frame)",
	 .setup = setup_tap,
	 .teardown = teardown_tap},
};

/* ---- the measuring loop ----------------------------------------------- */

/**
 * struct sample - one run
 * @tx:		frames written (passed on)
 * @rx:		frames read back
 * @wall:	seconds
 * @cpu:	seconds of user + sys time of this process
 * @allocs:	heap allocations during the run
 * @lost:	frames given up on (dropped somewhere, counted in stats)
 */
struct sample {
	uint64_t tx, rx;
	double wall, cpu;
	unsigned long allocs;
	uint64_t lost;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint8_t (*txbuf)[SQN_FRAME_MAX];
static uint8_t (*rxbuf)[SQN_FRAME_MAX];

/**
 * pump() - keep frames in flight for @seconds (or @max_frames frames)
 * @iface:	the interface
 * @size:	frame size
 * @seconds:	how long
 * @max_frames:	stop after this many written (0: no limit)
 * @s:		filled
 *
 * Return: 0, or a negative errno from the API
 */
static int pump(struct sqn_iface *iface, uint32_t size, double seconds,
		uint64_t max_frames, struct sample *s)
{
	struct sqn_frame tf[SQN_BATCH], rf[SQN_BATCH];
	struct pollfd pfd = {.fd = sqn_iface_fd(iface), .events = POLLIN};
	struct sqn_stats st0, st;
	uint64_t inflight = 0, drops0, iter = 0;
	double t0, c0, end;
	unsigned long a0;
	int i, n, idle = 0;

	for (i = 0; i < SQN_BATCH; i++)
		tf[i] = (struct sqn_frame){.data = txbuf[i], .len = size};
	memset(s, 0, sizeof(*s));
	sqn_iface_stats(iface, &st0);
	drops0 = st0.rx_dropped + st0.tx_dropped;
	a0 = atomic_load(&alloc_count);
	c0 = cpu_s();
	t0 = now_s();
	end = t0 + seconds;
	for (;;) {
		if (inflight + SQN_BATCH <= WINDOW &&
		    (!max_frames || s->tx < max_frames)) {
			n = sqn_iface_write(iface, tf, SQN_BATCH);
			if (n < 0)
				return n;
			s->tx += (uint64_t)n;
			inflight += (uint64_t)n;
		}
		for (i = 0; i < SQN_BATCH; i++)
			rf[i] = (struct sqn_frame){.data = rxbuf[i],
						   .cap = SQN_FRAME_MAX};
		n = sqn_iface_read(iface, rf, SQN_BATCH);
		if (n < 0)
			return n;
		if (n > 0) {
			if (rf[0].len != size || rf[n - 1].len != size) {
				fprintf(stderr,
					"microbench: echoed frame of %u bytes, "
					"sent %u\n",
					rf[0].len, size);
				return -EPROTO;
			}
			s->rx += (uint64_t)n;
			inflight -= SQN_MIN_U64(inflight, (uint64_t)n);
			idle = 0;
		} else if (inflight + SQN_BATCH > WINDOW ||
			   (max_frames && s->tx >= max_frames)) {
			if (poll(&pfd, 1, 100) == 0 && ++idle >= 5) {
				/* frames dropped on the way: count them */
				sqn_iface_stats(iface, &st);
				s->lost =
					st.rx_dropped + st.tx_dropped - drops0;
				inflight = 0;
				idle = 0;
			}
		}
		if ((++iter & 63) == 0 && now_s() >= end)
			break;
		if (max_frames && s->rx >= max_frames)
			break;
	}
	s->wall = now_s() - t0;
	s->cpu = cpu_s() - c0;
	s->allocs = atomic_load(&alloc_count) - a0;
	sqn_iface_stats(iface, &st);
	s->lost = st.rx_dropped + st.tx_dropped - drops0;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/**
 * struct result - the medians of one transport and size
 * @fps_tx:	frames written per second
 * @fps_rx:	frames read back per second
 * @fps:	the smaller of the two: frames per second per direction
 * @cpu_ns:	CPU ns of this process per frame (per written frame)
 * @wall_ns:	wall ns per frame
 * @allocs:	allocations per frame
 * @lost:	frames lost, total over the runs
 * @runs_fps:	each run's @fps
 */
struct result {
	double fps_tx, fps_rx, fps, cpu_ns, wall_ns, allocs;
	uint64_t lost;
	double runs_fps[MAX_RUNS];
};

/**
 * bench_one() - start the transport, warm up, measure @o->runs times
 * @t:		the transport
 * @o:		options
 * @size:	frame size
 * @r:		filled
 * @why:	gets the reason when the transport cannot run
 * @len:	size of @why
 *
 * Return: 0, -ENOTSUP (unavailable here), or another negative errno
 */
static int bench_one(struct transport *t, const struct mb_opts *o,
		     uint32_t size, struct result *r, char *why, size_t len)
{
	double ftx[MAX_RUNS], frx[MAX_RUNS], f[MAX_RUNS], cpu[MAX_RUNS],
		wall[MAX_RUNS], al[MAX_RUNS];
	struct sqn_params p;
	struct sqn_iface *iface = NULL;
	struct sample s;
	int rc, i;

	sqn_params_init(&p);
	p.iface_id = "mb0";
	p.max_frame = size < 1514 ? 1514 : size;
	p.mtu = p.max_frame - 14;
	rc = t->setup(t, o, &p, why, len);
	if (rc)
		return rc;
	rc = sqn_iface_start(&p, &iface, why, len);
	if (rc)
		goto out_peer;
	/* warm up: caches, socket buffers, first-use allocations */
	rc = pump(iface, size, 0.2, 0, &s);
	if (rc)
		goto out_stop;
	memset(r, 0, sizeof(*r));
	for (i = 0; i < o->runs; i++) {
		rc = pump(iface, size, o->seconds, 0, &s);
		if (rc)
			goto out_stop;
		ftx[i] = (double)s.tx / s.wall;
		frx[i] = (double)s.rx / s.wall;
		f[i] = ftx[i] < frx[i] ? ftx[i] : frx[i];
		r->runs_fps[i] = f[i];
		cpu[i] = s.cpu * 1e9 / (double)(s.tx ? s.tx : 1);
		wall[i] = s.wall * 1e9 / (double)(s.tx ? s.tx : 1);
		al[i] = (double)s.allocs / (double)(s.tx ? s.tx : 1);
		r->lost += s.lost;
	}
	r->fps_tx = median(ftx, o->runs);
	r->fps_rx = median(frx, o->runs);
	r->fps = median(f, o->runs);
	r->cpu_ns = median(cpu, o->runs);
	r->wall_ns = median(wall, o->runs);
	r->allocs = median(al, o->runs);
out_stop:
	if (rc && rc != -ENOTSUP)
		snprintf(why, len, "%s", strerror(-rc));
	sqn_iface_free(iface);
out_peer:
	if (t->teardown)
		t->teardown(t);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: microbench [--seconds S] [--runs N] [--json] "
		   "[--only TRANSPORT] [--helper PATH]\n"
		   "transports:");
	for (size_t i = 0; i < SQN_ARRAY_LEN(transports); i++)
		fprintf(f, " %s", transports[i].name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = {64, 1514, 65535};
	struct mb_opts o = {.seconds = 1, .runs = 3, .self = argv[0]};
	char why[256], self[4096];
	struct result r;
	int i, first = 1, rc;
	size_t ti, si;
	ssize_t n;

	/* re-executed as the userspace helper (see helper_main()) */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fd") ||
		    !strcmp(argv[i], "-listen-stdio"))
			return helper_main(argc, argv);
	}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o.json = 1;
		} else if (!strcmp(a, "--seconds") && v) {
			o.seconds = atof(v);
			i++;
		} else if (!strcmp(a, "--runs") && v) {
			o.runs = atoi(v);
			i++;
		} else if (!strcmp(a, "--only") && v) {
			o.only = v;
			i++;
		} else if (!strcmp(a, "--helper") && v) {
			o.helper = v;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "microbench: unknown argument '%s'\n",
				a);
			usage(stderr);
			return 2;
		}
	}
	if (o.runs < 1 || o.runs > MAX_RUNS || !(o.seconds > 0)) {
		fprintf(stderr,
			"microbench: --runs is 1..%d and --seconds "
			"positive\n",
			MAX_RUNS);
		return 2;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		o.self = self;
	}
	signal(SIGPIPE, SIG_IGN);
	txbuf = calloc(SQN_BATCH, sizeof(*txbuf));
	rxbuf = calloc(SQN_BATCH, sizeof(*rxbuf));
	if (!txbuf || !rxbuf) {
		fprintf(stderr, "microbench: out of memory\n");
		return 1;
	}
	for (i = 0; i < SQN_BATCH; i++) {
		memset(txbuf[i], 0x5a, SQN_FRAME_MAX);
		memset(txbuf[i], 0xff, 6); /* broadcast destination */
		txbuf[i][12] = 0x88;	   /* local experimental */
		txbuf[i][13] = 0xb5;	   /* ethertype 0x88b5 */
	}

	if (o.json)
		printf("{\"seconds\": %g, \"runs\": %d, \"window\": %d, "
		       "\"batch\": %d, \"note\": \"frames/s per direction = "
		       "min(written, read back)/s; cpu ns per written frame\", "
		       "\"results\": [",
		       o.seconds, o.runs, WINDOW, SQN_BATCH);
	else
		printf("%-14s %6s %13s %13s %11s %11s %10s  %s\n", "transport",
		       "bytes", "frames/s tx", "frames/s rx", "cpu ns/frm",
		       "wall ns/frm", "allocs/frm", "note");
	for (ti = 0; ti < SQN_ARRAY_LEN(transports); ti++) {
		struct transport *t = &transports[ti];

		if (o.only && strcmp(o.only, t->name))
			continue;
		for (si = 0; si < SQN_ARRAY_LEN(sizes); si++) {
			why[0] = '\0';
			rc = bench_one(t, &o, sizes[si], &r, why, sizeof(why));
			if (rc) {
				fprintf(stderr, "microbench: %s: %s: %s\n",
					t->name,
					rc == -ENOTSUP ? "unavailable"
						       : "failed",
					why);
				break;
			}
			if (o.json) {
				printf("%s\n {\"transport\": \"%s\", \"size\": "
				       "%u, \"fps_per_dir\": %.0f, \"fps_tx\": "
				       "%.0f, \"fps_rx\": %.0f, "
				       "\"cpu_ns_per_frame\": %.1f, "
				       "\"wall_ns_per_frame\": %.1f, "
				       "\"allocs_per_frame\": %.6f, \"lost\": "
				       "%llu, \"note\": \"%s\", \"runs_fps\": "
				       "[",
				       first ? "" : ",", t->name, sizes[si],
				       r.fps, r.fps_tx, r.fps_rx, r.cpu_ns,
				       r.wall_ns, r.allocs,
				       (unsigned long long)r.lost, t->note);
				for (i = 0; i < o.runs; i++)
					printf("%s%.0f", i ? ", " : "",
					       r.runs_fps[i]);
				printf("]}");
				first = 0;
			} else {
				printf("%-14s %6u %13.0f %13.0f %11.1f %11.1f "
				       "%10.4f  %s\n",
				       t->name, sizes[si], r.fps_tx, r.fps_rx,
				       r.cpu_ns, r.wall_ns, r.allocs,
				       si ? "" : t->note);
			}
			fflush(stdout);
		}
	}
	if (o.json)
		printf("\n]}\n");
	free(txbuf);
	free(rxbuf);
	return 0;
}
