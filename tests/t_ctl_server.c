/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_ctl_server.c - the control socket: a server embedded in a poll loop
 *		    with fake callbacks, talked to over raw sockets and by
 *		    `squib-net ctl`
 *
 * The loop runs in a thread, as a command's main loop would; the cases
 * are its clients. What they show: the socket is 0600 and owned by us
 * (another user cannot connect), several clients at once, a client that
 * sends half a line or never reads stalls nobody, malformed and oversized
 * lines are answered with messages naming the field and the connection
 * goes on, a stale socket file is replaced and a live one refused, and
 * `squib-net ctl` exits by the answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "ctl_server.h"

static char tmpdir[] = "/tmp/sqn-t_ctl_server.XXXXXX";
static char sock_path[100];

/* (the callbacks leave parameters unused: the build has
 * -Wno-unused-parameter) */

/**
 * struct fake - what the fake callbacks saw
 * @forward:	the last forward added
 * @file:	the last capture file
 * @rx_size:	the last rx bandwidth size set
 * @calls:	callbacks run
 */
static struct fake {
	char forward[256];
	char file[512];
	int64_t rx_size;
	atomic_int calls;
} fake;

static int fake_list(void *opaque, const struct ctl_req *req, struct ctl_w *w,
		     struct ctl_err *err)
{
	struct sqn_stats st = {.rx_frames = 10, .tx_frames = 20};
	struct ctl_counter c[16];
	struct ctl_stats s = {.kind = "iface",
			      .name = "eth0",
			      .mode = "slirp",
			      .link = 1,
			      .ts_ms = 1,
			      .c = c};

	atomic_fetch_add(&fake.calls, 1);
	s.n = ctl_counters_from_stats(&st, c, 16);
	ctl_w_arr_open(w, "items");
	ctl_w_stats(w, NULL, &s);
	s.kind = "port";
	s.name = "vm1";
	s.mode = NULL;
	s.link = -1;
	ctl_w_stats(w, NULL, &s);
	ctl_w_arr_close(w);
	return 0;
}

static int fake_forward_add(void *opaque, const struct ctl_req *req,
			    struct ctl_w *w, struct ctl_err *err)
{
	atomic_fetch_add(&fake.calls, 1);
	if (!strcmp(req->forward, "tcp::1-:1")) {
		ctl_err_set(err, "forward", "forward: port 1 is busy");
		return -EADDRINUSE;
	}
	snprintf(fake.forward, sizeof(fake.forward), "%s", req->forward);
	return 0;
}

static int fake_capture_start(void *opaque, const struct ctl_req *req,
			      struct ctl_w *w, struct ctl_err *err)
{
	atomic_fetch_add(&fake.calls, 1);
	snprintf(fake.file, sizeof(fake.file), "%s", req->file);
	ctl_w_str(w, "file", req->file);
	return 0;
}

static int fake_rate_limit(void *opaque, const struct ctl_req *req,
			   struct ctl_w *w, struct ctl_err *err)
{
	atomic_fetch_add(&fake.calls, 1);
	fake.rx_size = req->rx.bandwidth.size;
	return 0;
}

/* fails without a message: the server supplies one */
static int fake_capture_stop(void *opaque, const struct ctl_req *req,
			     struct ctl_w *w, struct ctl_err *err)
{
	ctl_w_str(w, "discarded", "yes");
	return -ENOENT;
}

/* an answer too big for CTL_RESP_MAX */
static int fake_forward_remove(void *opaque, const struct ctl_req *req,
			       struct ctl_w *w, struct ctl_err *err)
{
	int i;

	ctl_w_arr_open(w, "junk");
	for (i = 0; i < 20000; i++)
		ctl_w_str(w, NULL, "0123456789");
	ctl_w_arr_close(w);
	return 0;
}

static const struct ctl_ops fake_ops = {
	.who = "t_ctl_server",
	.fn = {[CTL_LIST] = fake_list,
	       [CTL_FORWARD_ADD] = fake_forward_add,
	       [CTL_FORWARD_REMOVE] = fake_forward_remove,
	       [CTL_CAPTURE_START] = fake_capture_start,
	       [CTL_CAPTURE_STOP] = fake_capture_stop,
	       [CTL_RATE_LIMIT] = fake_rate_limit},
};

/**
 * struct loop - the embedding command's poll loop, in a thread
 * @s:		the server
 * @stop:	a pipe: writing to it ends the loop
 * @t:		the thread
 * @turns:	poll rounds run
 */
struct loop {
	struct ctl_server *s;
	int stop[2];
	pthread_t t;
	atomic_int turns;
};

static void *loop_main(void *arg)
{
	struct loop *l = arg;
	struct pollfd pfd[1 + CTL_SERVER_MAX_FDS];
	unsigned n;

	for (;;) {
		pfd[0] = (struct pollfd){.fd = l->stop[0], .events = POLLIN};
		n = ctl_server_pollfds(l->s, pfd + 1, CTL_SERVER_MAX_FDS);
		if (poll(pfd, n + 1, ctl_server_timeout_ms(l->s)) < 0 &&
		    errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		ctl_server_dispatch(l->s, pfd + 1, n);
		atomic_fetch_add(&l->turns, 1);
	}
	return NULL;
}

static int loop_start(struct loop *l, const char *path)
{
	char err[256] = "";
	int rc;

	memset(l, 0, sizeof(*l));
	rc = ctl_server_open(&l->s, path, &fake_ops, NULL, err, sizeof(err));
	if (rc) {
		printf("# ctl_server_open: %s\n", err);
		return rc;
	}
	if (pipe(l->stop) || pthread_create(&l->t, NULL, loop_main, l))
		return -errno;
	return 0;
}

static void loop_stop(struct loop *l)
{
	if (write(l->stop[1], "x", 1) != 1)
		return;
	pthread_join(l->t, NULL);
	close(l->stop[0]);
	close(l->stop[1]);
	ctl_server_close(l->s);
}

static int client(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);

		if (k <= 0)
			return -1;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

static int send_str(int fd, const char *s)
{
	return send_all(fd, s, strlen(s));
}

/* read one line (blocking, with a generous poll bound against a hang) */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got + 1 < cap) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, 30000) <= 0)
			return -1;
		n = recv(fd, buf + got, 1, 0);
		if (n <= 0)
			return got ? -1 : 0;
		if (buf[got++] == '\n')
			break;
	}
	buf[got] = '\0';
	return (int)got;
}

/* the socket file: a socket, 0600, ours; another user cannot connect */
static void permissions(void)
{
	struct loop l;
	struct stat st;
	int status;
	pid_t pid;

	ASSERT(loop_start(&l, sock_path) == 0);
	ASSERT(lstat(sock_path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0600);
	CHECK_EQ(st.st_uid, geteuid());
	if (geteuid() == 0) {
		pid = fork();
		ASSERT(pid >= 0);
		if (pid == 0) {
			int fd;

			if (setgid(65534) || setuid(65534))
				_exit(3);
			fd = client(sock_path);
			_exit(fd < 0 && errno == EACCES ? 0 : 1);
		}
		waitpid(pid, &status, 0);
		CHECK(WIFEXITED(status));
		CHECK_EQ(WEXITSTATUS(status), 0); /* EACCES for user nobody */
	} else {
		printf("# not root: the other-user connect is not tried\n");
	}
	loop_stop(&l);
	CHECK_EQ(access(sock_path, F_OK), -1); /* removed at close */
}

/* a request, an answer; pipelined requests answered in order */
static void request_answer(void)
{
	struct loop l;
	char line[CTL_RESP_MAX];
	int fd;

	ASSERT(loop_start(&l, sock_path) == 0);
	fd = client(sock_path);
	ASSERT(fd >= 0);
	ASSERT(send_str(fd, "{\"id\":1,\"cmd\":\"list\"}\n") == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":1,\"ok\":true,\"items\":[{\"type\":"
			    "\"stats\",\"ts_ms\":1,\"kind\":\"iface\","
			    "\"name\":\"eth0\",\"mode\":\"slirp\",\"link\":"
			    "\"up\",\"rx_frames\":10,");
	CHECK_STR_HAS(line, "{\"type\":\"stats\",\"ts_ms\":1,\"kind\":"
			    "\"port\",\"name\":\"vm1\",\"rx_frames\":10");

	ASSERT(send_str(fd, "{\"id\":2,\"cmd\":\"forward-add\",\"forward\":"
			    "\"tcp::8080-:80\"}\r\n\n{\"id\":3,\"cmd\":"
			    "\"rate-limit\",\"rx_rate_limiter\":{\"bandwidth\":"
			    "{\"size\":1000,\"refill_time\":10}}}\n{\"id\":4,"
			    "\"cmd\":\"forward-add\",\"forward\":\"tcp::1-:1\"}"
			    "\n") == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"id\":2,\"ok\":true}\n"));
	CHECK(!strcmp(fake.forward, "tcp::8080-:80"));
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"id\":3,\"ok\":true}\n"));
	CHECK_EQ(fake.rx_size, 1000);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"id\":4,\"ok\":false,\"field\":\"forward\","
			    "\"error\":\"forward: port 1 is busy\"}\n"));

	/* no callback here; one that fails without a message; an answer
	 * that does not fit */
	ASSERT(send_str(fd,
			"{\"cmd\":\"disconnect\",\"name\":\"vm1\"}\n"
			"{\"cmd\":\"capture-stop\"}\n"
			"{\"cmd\":\"forward-remove\",\"forward\":\"x\"}\n") ==
	       0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"ok\":false,\"field\":\"cmd\",\"error\":"
			    "\"cmd: disconnect is not available in "
			    "t_ctl_server\"}\n"));
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"ok\":false,\"field\":\"cmd\",\"error\":"
			    "\"cmd: capture-stop failed: No such file or "
			    "directory\"}\n"));
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "the answer does not fit 65536 bytes");
	close(fd);
	loop_stop(&l);
}

/* malformed and oversized lines: an answer naming the field, and the
 * connection goes on */
static void refusals(void)
{
	static char big[3 * CTL_LINE_MAX];
	struct ctl_server_stats st;
	struct loop l;
	char line[CTL_RESP_MAX];
	int fd;

	ASSERT(loop_start(&l, sock_path) == 0);
	fd = client(sock_path);
	ASSERT(fd >= 0);
	ASSERT(send_str(fd, "{\"id\":5,\"cmd\":\"list\",}\n") == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"id\":5,\"ok\":false,\"field\":\"request\","
			    "\"error\":\"request: expected a field name in "
			    "quotes (at offset 21)\"}\n"));
	ASSERT(send_str(fd, "not json\n") == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "expected '{'");
	ASSERT(send_str(fd, "{\"cmd\":\"capture-start\",\"file\":\"x\"}\n") ==
	       0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "\"field\":\"file\",\"error\":\"file: \\\"x\\\" is "
			    "not an absolute path\"");

	/* 12 KiB without a newline, then the newline, then a good line */
	memset(big, 'x', sizeof(big));
	ASSERT(send_all(fd, big, sizeof(big)) == 0);
	ASSERT(send_str(fd, "\n{\"id\":6,\"cmd\":\"list\"}\n") == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"ok\":false,\"field\":\"request\",\"error\":"
			    "\"request: longer than 4096 bytes: refused (one "
			    "JSON object per line)\"}\n"));
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":6,\"ok\":true,\"items\":");

	/* exactly CTL_LINE_MAX bytes is still a line */
	memset(big, ' ', CTL_LINE_MAX);
	memcpy(big, "{\"id\":7,\"cmd\":\"list\"}", 21);
	big[CTL_LINE_MAX] = '\n';
	ASSERT(send_all(fd, big, CTL_LINE_MAX + 1) == 0);
	ASSERT(read_line(fd, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":7,\"ok\":true");
	close(fd);
	ctl_server_stats(l.s, &st);
	CHECK_EQ(st.refused, 4);
	CHECK_EQ(st.answered, 2);
	loop_stop(&l);
}

/* a client with half a line and one that never reads stall nobody */
static void several_clients(void)
{
	struct ctl_server_stats st;
	struct loop l;
	char line[CTL_RESP_MAX];
	int a, b, c, i, sent = 0;

	ASSERT(loop_start(&l, sock_path) == 0);
	a = client(sock_path);
	b = client(sock_path);
	c = client(sock_path);
	ASSERT(a >= 0 && b >= 0 && c >= 0);
	ASSERT(send_str(a, "{\"id\":1,\"cmd\":\"li") == 0);
	/* c asks and asks and never reads: its answers fill its socket */
	ASSERT(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	for (i = 0; i < 5000; i++) {
		if (send(c, "{\"cmd\":\"list\"}\n", 15, MSG_NOSIGNAL) != 15)
			break;
		sent++;
	}
	ASSERT(send_str(b, "{\"id\":2,\"cmd\":\"list\"}\n") == 0);
	ASSERT(read_line(b, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":2,\"ok\":true");
	ASSERT(send_str(a, "st\"}\n") == 0);
	ASSERT(read_line(a, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":1,\"ok\":true");
	ctl_server_stats(l.s, &st);
	printf("# a client sent %d requests without reading: %llu answered "
	       "so far, the others were served\n",
	       sent, (unsigned long long)st.answered);
	CHECK(st.answered < (uint64_t)sent + 2);

	/* half-close: the answer still comes, then EOF */
	ASSERT(send_str(b, "{\"id\":3,\"cmd\":\"list\"}\n") == 0);
	ASSERT(shutdown(b, SHUT_WR) == 0);
	ASSERT(read_line(b, line, sizeof(line)) > 0);
	CHECK_STR_HAS(line, "{\"id\":3,\"ok\":true");
	CHECK_EQ(read_line(b, line, sizeof(line)), 0);
	close(a);
	close(b);
	close(c);
	loop_stop(&l);
}

/* more than CTL_MAX_CLIENTS: the next one is told and closed */
static void too_many_clients(void)
{
	struct loop l;
	char line[512];
	int fd[CTL_MAX_CLIENTS + 1], i;

	ASSERT(loop_start(&l, sock_path) == 0);
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		fd[i] = client(sock_path);
		ASSERT(fd[i] >= 0);
		/* an answer proves it was accepted before the next one */
		ASSERT(send_str(fd[i], "{\"cmd\":\"list\"}\n") == 0);
		ASSERT(read_line(fd[i], line, sizeof(line)) > 0);
	}
	fd[i] = client(sock_path);
	ASSERT(fd[i] >= 0);
	ASSERT(read_line(fd[i], line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"ok\":false,\"field\":\"request\",\"error\":"
			    "\"request: 8 clients are connected already: try "
			    "again later\"}\n"));
	CHECK_EQ(read_line(fd[i], line, sizeof(line)), 0);
	close(fd[i]);
	/* one leaves: there is room again */
	close(fd[0]);
	do {
		fd[0] = client(sock_path);
		ASSERT(fd[0] >= 0);
		ASSERT(send_str(fd[0], "{\"cmd\":\"list\"}\n") == 0);
		ASSERT(read_line(fd[0], line, sizeof(line)) > 0);
		if (strstr(line, "\"ok\":true"))
			break;
		close(fd[0]); /* the close was not seen yet: again */
	} while (1);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fd[i]);
	loop_stop(&l);
}

/* a stale socket is replaced, a live one or a plain file refused */
static void socket_file(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ctl_server *s2;
	struct loop l;
	char err[256] = "", other[300];
	int fd;

	/* stale: bound, never listening, closed */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock_path);
	ASSERT(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
	close(fd);
	ASSERT(loop_start(&l, sock_path) == 0);

	CHECK_EQ(ctl_server_open(&s2, sock_path, &fake_ops, NULL, err,
				 sizeof(err)),
		 -EADDRINUSE);
	CHECK_STR_HAS(err, "another process listens on it");
	CHECK(s2 == NULL);
	fd = client(sock_path); /* the first is untouched */
	ASSERT(fd >= 0);
	close(fd);
	loop_stop(&l);

	snprintf(other, sizeof(other), "%s/plain", tmpdir);
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	ASSERT(fd >= 0);
	close(fd);
	CHECK_EQ(ctl_server_open(&s2, other, &fake_ops, NULL, err, sizeof(err)),
		 -EEXIST);
	CHECK_STR_HAS(err, "exists and is not a socket: not replaced");
	CHECK_EQ(access(other, F_OK), 0);
	unlink(other);

	CHECK_EQ(ctl_server_open(&s2, "relative.sock", &fake_ops, NULL, err,
				 sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "use unix:///path or an absolute path");
	snprintf(other, sizeof(other), "unix://%s/%0120d", tmpdir, 0);
	CHECK_EQ(ctl_server_open(&s2, other, &fake_ops, NULL, err, sizeof(err)),
		 -EINVAL);
	CHECK_STR_HAS(err, "longer than a unix socket address holds");
	snprintf(other, sizeof(other), "unix://%s/nodir/x.sock", tmpdir);
	CHECK_EQ(ctl_server_open(&s2, other, &fake_ops, NULL, err, sizeof(err)),
		 -ENOENT);
	CHECK_STR_HAS(err, "bind: No such file or directory");
}

/* run squib-net ctl ARGS; its stdout in @out; returns its exit status */
static int run_ctl(char *out, size_t cap, const char *args)
{
	const char *bdir = getenv("SQN_BUILD_DIR");
	char cmd[1024];
	size_t got = 0;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "cd %s && %s/cli/squib-net ctl %s 2>&1",
		 tmpdir, bdir ? bdir : ".", args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	got = fread(out, 1, cap - 1, p);
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* the client: the answer printed, the exit status by the answer */
static void ctl_command(void)
{
	struct loop l;
	char out[CTL_RESP_MAX], args[1024];

	if (!getenv("SQN_BUILD_DIR"))
		SKIP("SQN_BUILD_DIR is not set (run through meson test)");
	ASSERT(loop_start(&l, sock_path) == 0);
	snprintf(args, sizeof(args), "unix://%s list", sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 0);
	CHECK_STR_HAS(out, "{\"ok\":true,\"items\":[{\"type\":\"stats\"");

	snprintf(args, sizeof(args), "%s forward-add forward=tcp::1-:1",
		 sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 1);
	CHECK_STR_HAS(out, "\"ok\":false");
	CHECK_STR_HAS(out, "squib-net: ctl: forward: port 1 is busy");

	snprintf(args, sizeof(args),
		 "%s capture-start file=rel.pcap snaplen=128 nsec=true",
		 sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 0);
	CHECK(!strncmp(fake.file, tmpdir, strlen(tmpdir)));
	CHECK_STR_HAS(fake.file, "/rel.pcap");

	snprintf(args, sizeof(args),
		 "%s rate-limit rx_rate_limiter.bandwidth.size=4242 "
		 "rx_rate_limiter.bandwidth.refill_time=100",
		 sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 0);
	CHECK_EQ(fake.rx_size, 4242);

	/* refused before sending: the same messages, exit 2 */
	snprintf(args, sizeof(args), "%s list x=1", sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 2);
	CHECK_STR_HAS(out, "x: unknown field (list takes: id, names)");
	snprintf(args, sizeof(args), "%s rate-limit", sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 2);
	CHECK_STR_HAS(out, "rate-limit needs rx_rate_limiter");

	/* --json: as given; the server's refusal, exit 1 */
	snprintf(args, sizeof(args), "%s --json '{\"cmd\":\"disconnect\"}'",
		 sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 1);
	CHECK_STR_HAS(out, "name: missing: disconnect needs it");
	snprintf(args, sizeof(args),
		 "%s --json '{\"cmd\":\"disconnect\",\"name\":\"vm1\"}'",
		 sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 1);
	CHECK_STR_HAS(out, "disconnect is not available in t_ctl_server");
	loop_stop(&l);

	snprintf(args, sizeof(args), "%s list", sock_path);
	CHECK_EQ(run_ctl(out, sizeof(out), args), 1);
	CHECK_STR_HAS(out, "No such file or directory (is squib-net run or "
			   "serve running with --control?)");
	CHECK_EQ(run_ctl(out, sizeof(out), "relative list"), 2);
	CHECK_EQ(run_ctl(out, sizeof(out), "--help"), 0);
	CHECK_STR_HAS(out, "rx_rate_limiter.bandwidth.size*");
}

static const struct check_case cases[] = {
	CASE(permissions),     CASE(request_answer),   CASE(refusals),
	CASE(several_clients), CASE(too_many_clients), CASE(socket_file),
	CASE(ctl_command),
};

int main(void)
{
	int rc;

	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	/* user nobody must reach the socket's directory for the test to
	 * show that the socket's own mode stops it */
	chmod(tmpdir, 0755);
	snprintf(sock_path, sizeof(sock_path), "%s/ctl.sock", tmpdir);
	rc = check_main(cases, sizeof(cases) / sizeof(cases[0]));
	unlink(sock_path);
	rmdir(tmpdir);
	return rc;
}
