/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_server.c - the control socket's server side, for a command's poll
 *		  loop (run, serve)
 *
 * Theory of operation: one listening unix stream socket, mode 0600, and up
 * to CTL_MAX_CLIENTS clients, all non-blocking. A client has an input
 * buffer of one line (CTL_LINE_MAX bytes and its newline) and an output
 * buffer of one response (CTL_RESP_MAX). A complete line is parsed,
 * dispatched to the command's callback and answered into the output
 * buffer, which is sent at once as far as the socket takes it; while any
 * of it is left the client is polled for POLLOUT only and its further
 * lines wait, so a client that does not read stalls itself and nobody
 * else. A line longer than CTL_LINE_MAX is answered with an error and
 * skipped up to its newline; the connection stays usable. A client that
 * half-closes still gets the answers to the lines it sent.
 *
 * The socket file: a stale one (nothing listens: connect is refused) is
 * replaced, a live one or a file that is not a socket is refused; it is
 * created 0600 (bind, chmod, then listen: nobody can connect before the
 * mode is set) and removed at close if it is still ours. Where the system
 * says who connected (SO_PEERCRED), a peer that is neither this user nor
 * root is turned away as well.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl_server.h"

#ifdef MSG_NOSIGNAL
#define CTL_SEND_FLAGS MSG_NOSIGNAL
#else
#define CTL_SEND_FLAGS 0
#endif

/**
 * struct ctl_client - one connection
 * @fd:		its socket, -1 for a free slot
 * @in:		bytes of the line being received
 * @in_len:	how many
 * @skipping:	the current line was too long: drop bytes up to its newline
 * @eof:	the client sent its last byte
 * @out:	the response being sent
 * @out_len:	its length
 * @out_off:	bytes of it sent
 */
struct ctl_client {
	int fd;
	char in[CTL_LINE_MAX + 1];
	size_t in_len;
	bool skipping;
	bool eof;
	char out[CTL_RESP_MAX];
	size_t out_len;
	size_t out_off;
};

/**
 * struct ctl_server - the server
 * @lfd:	the listening socket
 * @path:	its file
 * @dev:	the file's device, to know it is still ours at close
 * @ino:	the file's inode
 * @ops:	the embedding command's callbacks
 * @opaque:	their argument
 * @st:		counters
 * @req:	the request being handled
 * @cl:		the clients
 */
struct ctl_server {
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	const struct ctl_ops *ops;
	void *opaque;
	struct ctl_server_stats st;
	struct ctl_req req;
	struct ctl_client cl[CTL_MAX_CLIENTS];
};

/**
 * srv_log() - tell the embedding command something, if it listens
 * @s:		the server
 * @fmt:	printf format
 */
static void srv_log(struct ctl_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void srv_log(struct ctl_server *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!s->ops->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->ops->log(s->opaque, msg);
}

/**
 * ctl_url_path() - the path of a control socket URL
 * @url:	"unix:///path", or an absolute path
 * @path:	gets the path
 * @len:	size of @path (a sockaddr_un path: at most 107 bytes)
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * Return: 0 or -EINVAL
 */
int ctl_url_path(const char *url, char *path, size_t len, char *err,
		 size_t errlen)
{
	const char *p = url;
	size_t n;

	if (p && !strncmp(p, "unix://", 7))
		p += 7;
	if (!p || p[0] != '/') {
		snprintf(err, errlen,
			 "control socket \"%.64s\": use unix:///path or an "
			 "absolute path",
			 url ? url : "");
		return -EINVAL;
	}
	n = strlen(p);
	if (n >= len || n >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen,
			 "control socket: the path \"%.40s...\" is longer than "
			 "a unix socket address holds (%zu bytes)",
			 p, sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
		return -EINVAL;
	}
	memcpy(path, p, n + 1);
	return 0;
}

/**
 * set_flags() - make an fd non-blocking and close-on-exec
 * @fd:	the fd
 *
 * Return: 0, or -1 with errno set
 */
static int set_flags(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/**
 * unix_addr() - a sockaddr_un for a path that fits
 * @path:	the path
 * @a:		gets the address
 */
static void unix_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, strlen(path) + 1);
}

/**
 * probe_stale() - whether anything listens on an existing socket file
 * @path:	the file
 *
 * Return: 0 if nothing does (stale), -EADDRINUSE if something does, or
 * the errno of a connect that could not tell (EACCES)
 */
static int probe_stale(const char *path)
{
	struct sockaddr_un a;
	int fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	unix_addr(path, &a);
	rc = set_flags(fd) ? -errno : 0;
	if (!rc && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		rc = -errno;
	else if (!rc)
		rc = -EADDRINUSE;
	close(fd);
	if (rc == -ECONNREFUSED)
		return 0;
	if (rc == -EINPROGRESS || rc == -EAGAIN)
		return -EADDRINUSE; /* a full backlog: alive */
	return rc;
}

/**
 * clear_path() - make way for the socket: replace a stale one
 * @s:		the server (for its log)
 * @path:	the file
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * Return: 0, or a negative errno when the path is in use or not a socket
 */
static int clear_path(struct ctl_server *s, const char *path, char *err,
		      size_t errlen)
{
	struct stat st;
	int rc;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, "control socket %s: %s", path,
			 strerror(-rc));
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "control socket %s: the file exists and is not a "
			 "socket: not replaced",
			 path);
		return -EEXIST;
	}
	rc = probe_stale(path);
	if (rc == -EADDRINUSE) {
		snprintf(err, errlen,
			 "control socket %s: another process listens on it",
			 path);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen,
			 "control socket %s: cannot tell whether it is in "
			 "use: %s",
			 path, strerror(-rc));
		return rc;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen,
			 "control socket %s: cannot remove the stale socket: "
			 "%s",
			 path, strerror(-rc));
		return rc;
	}
	srv_log(s, "control socket %s: replaced a stale socket", path);
	return 0;
}

/**
 * listen_path() - create the listening socket, 0600
 * @s:		the server, path set
 * @err:	gets the reason on failure
 * @errlen:	size of @err
 *
 * Return: 0 or a negative errno
 */
static int listen_path(struct ctl_server *s, char *err, size_t errlen)
{
	struct sockaddr_un a;
	struct stat st;
	const char *what;
	int rc;

	s->lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s->lfd < 0) {
		what = "socket";
		goto out_err;
	}
	what = "fcntl";
	if (set_flags(s->lfd))
		goto out_err;
	unix_addr(s->path, &a);
	what = "bind";
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out_err;
	/* before listen: nobody can connect while the mode is wider */
	what = "chmod 0600";
	if (chmod(s->path, 0600) < 0 || lstat(s->path, &st) < 0)
		goto out_unlink;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	what = "listen";
	if (listen(s->lfd, CTL_MAX_CLIENTS) < 0)
		goto out_unlink;
	return 0;

out_unlink:
	rc = errno;
	unlink(s->path);
	errno = rc;
out_err:
	rc = -errno;
	snprintf(err, errlen, "control socket %s: %s: %s", s->path, what,
		 strerror(-rc));
	if (s->lfd >= 0)
		close(s->lfd);
	s->lfd = -1;
	return rc;
}

/**
 * ctl_server_open() - listen on a control socket
 * @out:	gets the server
 * @url:	"unix:///path" or an absolute path
 * @ops:	the embedding command's callbacks; must outlive the server
 * @opaque:	their argument
 * @err:	gets a message on failure
 * @errlen:	size of @err
 *
 * Return: 0, or a negative errno (-EADDRINUSE: a live socket is there,
 * -EEXIST: a file that is not a socket is there)
 */
int ctl_server_open(struct ctl_server **out, const char *url,
		    const struct ctl_ops *ops, void *opaque, char *err,
		    size_t errlen)
{
	struct ctl_server *s;
	unsigned i;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "control socket: out of memory");
		return -ENOMEM;
	}
	s->lfd = -1;
	s->ops = ops;
	s->opaque = opaque;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		s->cl[i].fd = -1;
	rc = ctl_url_path(url, s->path, sizeof(s->path), err, errlen);
	if (!rc)
		rc = clear_path(s, s->path, err, errlen);
	if (!rc)
		rc = listen_path(s, err, errlen);
	if (rc) {
		free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/**
 * client_close() - drop a client
 * @c:	the client
 */
static void client_close(struct ctl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_len = c->out_len = c->out_off = 0;
	c->skipping = c->eof = false;
}

/**
 * ctl_server_close() - close every socket, remove the socket file
 * @s:	the server, or NULL
 *
 * The file is removed only if it is still the one this server made.
 */
void ctl_server_close(struct ctl_server *s)
{
	struct stat st;
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(&s->cl[i]);
	if (s->lfd >= 0) {
		close(s->lfd);
		if (!lstat(s->path, &st) && st.st_dev == s->dev &&
		    st.st_ino == s->ino)
			unlink(s->path);
	}
	free(s);
}

/**
 * line_ready() - whether a client has a complete line to handle now
 * @c:	the client
 *
 * Return: true if its answer buffer is free and a newline is buffered
 */
static bool line_ready(const struct ctl_client *c)
{
	return c->fd >= 0 && !c->out_len && c->in_len &&
	       memchr(c->in, '\n', c->in_len);
}

/**
 * ctl_server_pollfds() - the fds to poll
 * @s:		the server
 * @pfd:	gets them (events set, revents cleared)
 * @max:	size of @pfd; CTL_SERVER_MAX_FDS is always enough
 *
 * Return: how many were filled
 */
unsigned ctl_server_pollfds(const struct ctl_server *s, struct pollfd *pfd,
			    unsigned max)
{
	unsigned i, n = 0;

	if (max && s->lfd >= 0)
		pfd[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (i = 0; i < CTL_MAX_CLIENTS && n < max; i++) {
		const struct ctl_client *c = &s->cl[i];

		if (c->fd < 0)
			continue;
		pfd[n++] = (struct pollfd){
			.fd = c->fd,
			.events = (short)(c->out_len ? POLLOUT
						     : (c->eof ? 0 : POLLIN))};
	}
	return n;
}

/**
 * ctl_server_timeout_ms() - how long the loop may poll
 * @s:	the server
 *
 * Return: 0 when a client has lines waiting that the last dispatch left
 * (CTL_REQS_PER_WAKE), else -1 (no timer of its own)
 */
int ctl_server_timeout_ms(const struct ctl_server *s)
{
	unsigned i;

	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (line_ready(&s->cl[i]))
			return 0;
	return -1;
}

/**
 * ctl_server_path() - the socket file's path
 * @s:	the server
 *
 * Return: the path
 */
const char *ctl_server_path(const struct ctl_server *s)
{
	return s->path;
}

/**
 * ctl_server_stats() - copy the counters
 * @s:	the server
 * @st:	gets them
 */
void ctl_server_stats(const struct ctl_server *s, struct ctl_server_stats *st)
{
	*st = s->st;
}

/**
 * flush() - send what is left of a client's answer
 * @c:	the client
 *
 * Return: 0 (sent, or the socket is full for now), or -1: drop the client
 */
static int flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, CTL_SEND_FLAGS);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	return 0;
}

/**
 * answer() - handle one request line into the client's answer buffer
 * @s:		the server
 * @c:		the client
 * @line:	the line, without its newline
 * @len:	its length
 */
static void answer(struct ctl_server *s, struct ctl_client *c, const char *line,
		   size_t len)
{
	struct ctl_err e;
	struct ctl_w w;
	ctl_fn fn = NULL;
	int rc, n;

	memset(&e, 0, sizeof(e));
	rc = ctl_req_parse(line, len, &s->req, &e);
	if (!rc) {
		fn = s->ops->fn[s->req.cmd];
		if (!fn) {
			ctl_err_set(&e, "cmd", "cmd: %s is not available in %s",
				    ctl_cmd_name(s->req.cmd), s->ops->who);
			rc = -ENOTSUP;
		}
	}
	if (!rc) {
		ctl_w_init(&w, c->out, sizeof(c->out));
		ctl_resp_ok(&w, &s->req);
		rc = fn(s->opaque, &s->req, &w, &e);
		if (!rc) {
			ctl_w_obj_close(&w);
			n = ctl_w_end(&w);
			if (n > 0) {
				c->out_len = (size_t)n;
				s->st.answered++;
				return;
			}
			ctl_err_set(&e, "cmd",
				    "cmd: the answer does not fit %d bytes",
				    CTL_RESP_MAX);
		} else if (!e.msg[0]) {
			ctl_err_set(&e, "cmd", "cmd: %s failed: %s",
				    ctl_cmd_name(s->req.cmd), strerror(-rc));
		}
	}
	ctl_w_init(&w, c->out, sizeof(c->out));
	ctl_resp_error(&w, &s->req, &e);
	n = ctl_w_end(&w);
	c->out_len = n > 0 ? (size_t)n : 0;
	s->st.refused++;
}

/**
 * answer_oversized() - refuse a line longer than CTL_LINE_MAX
 * @s:	the server
 * @c:	the client
 */
static void answer_oversized(struct ctl_server *s, struct ctl_client *c)
{
	struct ctl_err e;
	struct ctl_w w;
	int n;

	ctl_err_set(&e, "request",
		    "request: longer than %d bytes: refused (one JSON object "
		    "per line)",
		    CTL_LINE_MAX);
	ctl_w_init(&w, c->out, sizeof(c->out));
	ctl_resp_error(&w, NULL, &e);
	n = ctl_w_end(&w);
	c->out_len = n > 0 ? (size_t)n : 0;
	s->st.refused++;
}

/**
 * take_lines() - answer the client's complete lines, a few at a time
 * @s:	the server
 * @c:	the client
 *
 * Stops as soon as an answer is not wholly sent: the rest waits for
 * POLLOUT.
 */
static void take_lines(struct ctl_server *s, struct ctl_client *c)
{
	unsigned k;

	for (k = 0; k < CTL_REQS_PER_WAKE && line_ready(c); k++) {
		char *nl = memchr(c->in, '\n', c->in_len);
		size_t len = (size_t)(nl - c->in);

		if (len)
			answer(s, c, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (flush(c)) {
			client_close(c);
			return;
		}
	}
}

/**
 * skip_line() - drop bytes of an oversized line up to its newline
 * @c:	the client, skipping
 */
static void skip_line(struct ctl_client *c)
{
	char *nl = memchr(c->in, '\n', c->in_len);

	if (!nl) {
		c->in_len = 0;
		return;
	}
	c->skipping = false;
	c->in_len -= (size_t)(nl + 1 - c->in);
	memmove(c->in, nl + 1, c->in_len);
}

/**
 * receive() - read what the client sent, as far as its buffer holds
 * @s:	the server
 * @c:	the client, with no answer pending
 *
 * Return: 0, or -1: drop the client
 */
static int receive(struct ctl_server *s, struct ctl_client *c)
{
	for (;;) {
		ssize_t n;

		if (c->skipping)
			skip_line(c);
		if (c->in_len == sizeof(c->in) && !line_ready(c)) {
			/* a full buffer without a newline: too long */
			c->in_len = 0;
			c->skipping = true;
			answer_oversized(s, c);
			return flush(c);
		}
		if (c->in_len == sizeof(c->in) || c->out_len)
			return 0;
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		c->in_len += (size_t)n;
		if (!c->skipping &&
		    memchr(c->in + c->in_len - (size_t)n, '\n', (size_t)n))
			return 0;
	}
}

/**
 * client_event() - a client's socket is ready
 * @s:		the server
 * @c:		the client
 * @revents:	what poll said
 */
static void client_event(struct ctl_server *s, struct ctl_client *c,
			 short revents)
{
	if (c->out_len && flush(c)) {
		client_close(c);
		return;
	}
	if (!c->out_len && !c->eof &&
	    (revents & (POLLIN | POLLHUP | POLLERR)) && receive(s, c)) {
		client_close(c);
		return;
	}
	take_lines(s, c);
	/* all said and answered (it hung up and nothing is left), or broken */
	if (c->fd >= 0 && ((c->eof && !c->out_len && !line_ready(c)) ||
			   (revents & (POLLERR | POLLNVAL))))
		client_close(c);
}

/**
 * peer_allowed() - whether the connecting process is this user or root
 * @fd:	the connection
 * @uid: gets its uid where the system says
 *
 * Return: true if allowed (or the system does not say: the socket's mode
 * decides)
 */
static bool peer_allowed(int fd, long *uid)
{
#if defined(SO_PEERCRED) && defined(__linux__)
	struct ucred uc;
	socklen_t l = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0) {
		*uid = (long)uc.uid;
		return uc.uid == geteuid() || uc.uid == 0;
	}
#endif
	(void)fd;
	*uid = -1;
	return true;
}

/**
 * turn_away() - refuse a connection with one line, best effort
 * @s:		the server
 * @fd:		the connection (closed here)
 * @why:	the message
 */
static void turn_away(struct ctl_server *s, int fd, const char *why)
{
	char buf[512];
	struct ctl_err e;
	struct ctl_w w;
	int n;

	ctl_err_set(&e, "request", "%s", why);
	ctl_w_init(&w, buf, sizeof(buf));
	ctl_resp_error(&w, NULL, &e);
	n = ctl_w_end(&w);
	if (n > 0) /* best effort: a client that is not reading gets EOF */
		(void)send(fd, buf, (size_t)n, CTL_SEND_FLAGS);
	close(fd);
	s->st.turned_away++;
	srv_log(s, "control socket %s: %s", s->path, why);
}

/**
 * accept_clients() - take waiting connections
 * @s:	the server
 */
static void accept_clients(struct ctl_server *s)
{
	char why[160];
	unsigned k, i;
	long uid;
	int fd;

	for (k = 0; k < CTL_MAX_CLIENTS; k++) {
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			return; /* EAGAIN, or a connection that went away */
		if (set_flags(fd)) {
			close(fd);
			continue;
		}
		if (!peer_allowed(fd, &uid)) {
			snprintf(why, sizeof(why),
				 "request: uid %ld is not the socket's owner",
				 uid);
			turn_away(s, fd, why);
			continue;
		}
		for (i = 0; i < CTL_MAX_CLIENTS && s->cl[i].fd >= 0; i++)
			;
		if (i == CTL_MAX_CLIENTS) {
			snprintf(why, sizeof(why),
				 "request: %d clients are connected already: "
				 "try again later",
				 CTL_MAX_CLIENTS);
			turn_away(s, fd, why);
			continue;
		}
		s->cl[i].fd = fd;
		s->st.clients++;
	}
}

/**
 * ctl_server_dispatch() - act on what poll found
 * @s:		the server
 * @pfd:	the poll results: the server's entries (others are ignored)
 * @n:		their number
 *
 * Never blocks. Also answers lines left waiting by an earlier call.
 */
void ctl_server_dispatch(struct ctl_server *s, const struct pollfd *pfd,
			 unsigned n)
{
	unsigned i, k;

	for (k = 0; k < n; k++) {
		if (!pfd[k].revents || pfd[k].fd < 0)
			continue;
		if (pfd[k].fd == s->lfd) {
			accept_clients(s);
			continue;
		}
		for (i = 0; i < CTL_MAX_CLIENTS; i++)
			if (s->cl[i].fd == pfd[k].fd)
				client_event(s, &s->cl[i], pfd[k].revents);
	}
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (line_ready(&s->cl[i]))
			client_event(s, &s->cl[i], 0);
}

/**
 * ctl_epoch_ms() - the wall clock, for stats objects (their ts_ms)
 *
 * Return: milliseconds since the epoch
 */
uint64_t ctl_epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * ctl_stats_due() - whether a stats line is due (--stats-interval), and
 *		     when the next one is
 * @next:	the deadline, ms on the caller's monotonic clock (0: no
 *		stats lines); moved on by @interval_ms when due, or to
 *		@now + @interval_ms after a stall (no burst of lines)
 * @now:	the clock
 * @interval_ms: the interval
 *
 * Return: true when a line is due now
 */
bool ctl_stats_due(uint64_t *next, uint64_t now, uint64_t interval_ms)
{
	if (!*next || now < *next)
		return false;
	*next += interval_ms;
	if (*next <= now)
		*next = now + interval_ms;
	return true;
}

/**
 * ctl_wait_ms() - a poll timeout shortened to a deadline
 * @t:		the timeout so far, ms (negative: none)
 * @due:	the deadline on the caller's clock, 0 for none
 * @now:	the clock
 *
 * Return: the shorter of @t and the time left until @due (0 if past)
 */
int ctl_wait_ms(int t, uint64_t due, uint64_t now)
{
	uint64_t left;

	if (!due)
		return t;
	left = due > now ? due - now : 0;
	return t < 0 || left < (uint64_t)t
		       ? (int)(left < INT32_MAX ? left : INT32_MAX)
		       : t;
}
