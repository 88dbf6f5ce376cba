/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_ctl.c - squib-net ctl: one request to a running run or serve over
 *	       its control socket, its answer on stdout
 *
 * The request is built from FIELD=VALUE arguments with the protocol's own
 * table (ctl_req_set()), so a misspelt field is refused here with the
 * server's message, or given whole with --json. The answer line is printed
 * as it came; the exit status says whether it was an error object.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ctl_proto.h"
#include "ctl_server.h"

#define CTL_TIMEOUT_MS 5000
#define CTL_ANSWER_NODES 8192

/**
 * ctl_cli_usage() - the command's usage and the protocol's commands
 * @f:	where to
 */
static void ctl_cli_usage(FILE *f)
{
	fprintf(f, "usage: squib-net ctl [--timeout-ms N] SOCKET COMMAND "
		   "[FIELD=VALUE...]\n"
		   "       squib-net ctl [--timeout-ms N] SOCKET --json "
		   "REQUEST\n\n"
		   "SOCKET is unix:///path or /path (run --control, serve "
		   "--control). Nested fields\nare written with dots "
		   "(rx_rate_limiter.bandwidth.size=12500000), an array\n"
		   "field is repeated (names=eth0 names=vm1), a relative file= "
		   "is made absolute.\nThe answer is printed as one JSON line; "
		   "the exit status is 0 for \"ok\": true,\n1 for an error "
		   "object or no answer, 2 for a usage error. See "
		   "doc/control.md.\n\n");
	ctl_usage(f);
}

/**
 * abs_file() - a relative file= value made absolute from the cwd
 * @value:	the value
 * @buf:	gets the absolute path
 * @len:	size of @buf
 *
 * Return: @value if absolute, else @buf (or NULL when it does not fit)
 */
static const char *abs_file(const char *value, char *buf, size_t len)
{
	size_t k;

	if (value[0] == '/' || !value[0])
		return value;
	if (!getcwd(buf, len))
		return NULL;
	k = strlen(buf);
	if ((size_t)snprintf(buf + k, len - k, "/%s", value) >= len - k)
		return NULL;
	return buf;
}

/**
 * build() - the request line from COMMAND and FIELD=VALUE arguments
 * @argc:	number of arguments
 * @argv:	COMMAND then FIELD=VALUE...
 * @r:		the request to fill
 * @line:	gets the line
 * @len:	size of @line
 *
 * Return: the line's length, or -1 (message printed)
 */
static int build(int argc, char **argv, struct ctl_req *r, char *line,
		 size_t len)
{
	static char files[4][4096];
	struct ctl_err e;
	unsigned nf = 0;
	int i, n;

	if (ctl_req_init(r, argv[0], &e))
		goto out_err;
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *v;

		if (!eq || eq == argv[i]) {
			fprintf(stderr,
				"squib-net: ctl: \"%s\": arguments are "
				"FIELD=VALUE\n",
				argv[i]);
			return -1;
		}
		*eq = '\0';
		v = eq + 1;
		if (!strcmp(argv[i], "file") && nf < 4) {
			v = abs_file(v, files[nf], sizeof(files[nf]));
			nf++;
			if (!v) {
				fprintf(stderr, "squib-net: ctl: file: the "
						"absolute path is too long\n");
				return -1;
			}
		}
		if (ctl_req_set(r, argv[i], v, &e))
			goto out_err;
	}
	if (ctl_req_check(r, &e))
		goto out_err;
	n = ctl_req_format(r, line, len);
	if (n < 0)
		fprintf(stderr, "squib-net: ctl: the request is too long\n");
	return n;

out_err:
	fprintf(stderr, "squib-net: ctl: %s\n", e.msg);
	return -1;
}

/**
 * ms_now() - a monotonic clock in ms
 *
 * Return: milliseconds
 */
static long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * ctl_connect() - connect to the control socket
 * @path:	its path
 *
 * Return: the fd, or -1 (message printed)
 */
static int ctl_connect(const char *path)
{
	struct sockaddr_un a;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), e;

	if (fd < 0) {
		fprintf(stderr, "squib-net: ctl: socket: %s\n",
			strerror(errno));
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
		return fd;
	e = errno;
	close(fd);
	fprintf(stderr, "squib-net: ctl: %s: %s%s\n", path, strerror(e),
		e == ENOENT || e == ECONNREFUSED
			? " (is squib-net run or serve running with "
			  "--control?)"
		: e == EACCES ? " (only the socket's owner may use it)"
			      : "");
	return -1;
}

/**
 * exchange() - send the line, read one answer line
 * @fd:		the connection
 * @line:	the request, newline included
 * @len:	its length
 * @ans:	gets the answer, newline included, NUL-terminated
 * @cap:	size of @ans
 * @timeout_ms:	how long to wait for the whole answer
 *
 * Return: the answer's length, or -1 (message printed)
 */
static int exchange(int fd, const char *line, size_t len, char *ans, size_t cap,
		    int timeout_ms)
{
	long long deadline = ms_now() + timeout_ms;
	size_t got = 0, off = 0;
	ssize_t n;

	while (off < len) {
		n = write(fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "squib-net: ctl: send: %s\n",
				strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	while (!got || !memchr(ans, '\n', got)) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - ms_now();

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			fprintf(stderr, "squib-net: ctl: no answer in %d ms\n",
				timeout_ms);
			return -1;
		}
		if (got + 1 >= cap) {
			fprintf(stderr,
				"squib-net: ctl: the answer is longer "
				"than %zu bytes\n",
				cap - 1);
			return -1;
		}
		n = read(fd, ans + got, cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "squib-net: ctl: the server closed the "
					"connection without an answer\n");
			return -1;
		}
		got += (size_t)n;
	}
	ans[got] = '\0';
	return (int)((char *)memchr(ans, '\n', got) - ans + 1);
}

/**
 * judge() - whether the answer says "ok": true; tell the error if not
 * @ans:	the answer line
 * @len:	its length, newline included
 *
 * Return: 0 for ok, 1 otherwise
 */
static int judge(const char *ans, size_t len)
{
	struct ctl_jnode *nodes = calloc(CTL_ANSWER_NODES, sizeof(*nodes));
	char *arena = malloc(len + 1);
	struct ctl_err e;
	int n, ok, er, rc = 1;

	if (!nodes || !arena) {
		fprintf(stderr, "squib-net: ctl: out of memory\n");
		goto out;
	}
	n = ctl_json_parse(ans, len - 1, nodes, CTL_ANSWER_NODES, CTL_W_DEPTH,
			   arena, len + 1, &e, NULL);
	if (n < 0) {
		fprintf(stderr, "squib-net: ctl: a malformed answer: %s\n",
			e.msg);
		goto out;
	}
	ok = ctl_json_find(nodes, n, 0, "ok");
	er = ctl_json_find(nodes, n, 0, "error");
	if (ok > 0 && nodes[ok].type == CTL_J_BOOL && nodes[ok].b)
		rc = 0;
	else if (er > 0 && nodes[er].type == CTL_J_STR)
		fprintf(stderr, "squib-net: ctl: %s\n", nodes[er].str);
	else
		fprintf(stderr, "squib-net: ctl: the answer has no \"ok\"\n");
out:
	free(nodes);
	free(arena);
	return rc;
}

/**
 * cmd_ctl() - squib-net ctl
 * @argc:	argument count
 * @argv:	"ctl" and its arguments
 *
 * Return: 0 ok, 1 error answer or no answer, 2 usage
 */
int cmd_ctl(int argc, char **argv)
{
	static struct ctl_req r;
	static char line[CTL_LINE_MAX + 2], ans[CTL_RESP_MAX + 1];
	char path[128], err[256];
	int timeout = CTL_TIMEOUT_MS, i = 1, n, fd, rc;

	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		ctl_cli_usage(stdout);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--timeout-ms")) {
		char *end;
		long v = strtol(argv[2], &end, 10);

		timeout = *end || v <= 0 || v > INT32_MAX ? 0 : (int)v;
		i = 3;
		if (timeout <= 0) {
			fprintf(stderr,
				"squib-net: ctl: --timeout-ms %s: a "
				"positive number of ms\n",
				argv[2]);
			return 2;
		}
	}
	if (argc - i < 2) {
		ctl_cli_usage(stderr);
		return 2;
	}
	if (ctl_url_path(argv[i], path, sizeof(path), err, sizeof(err))) {
		fprintf(stderr, "squib-net: ctl: %s\n", err);
		return 2;
	}
	if (!strcmp(argv[i + 1], "--json")) {
		if (argc - i != 3 || strlen(argv[i + 2]) > CTL_LINE_MAX ||
		    strchr(argv[i + 2], '\n')) {
			fprintf(stderr, "squib-net: ctl: --json takes one "
					"request of one line\n");
			return 2;
		}
		n = snprintf(line, sizeof(line), "%s\n", argv[i + 2]);
	} else {
		n = build(argc - i - 1, argv + i + 1, &r, line, sizeof(line));
		if (n < 0)
			return 2;
	}
	fd = ctl_connect(path);
	if (fd < 0)
		return 1;
	rc = exchange(fd, line, (size_t)n, ans, sizeof(ans), timeout);
	close(fd);
	if (rc < 0)
		return 1;
	if (fwrite(ans, 1, (size_t)rc, stdout) != (size_t)rc || fflush(stdout))
		return 1;
	return judge(ans, (size_t)rc);
}
