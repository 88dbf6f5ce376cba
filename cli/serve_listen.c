/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_listen.c - serve's listening sockets and the files they are bound to
 *
 * A socket file that exists already is either a server's that runs (a
 * connection to it is accepted, or refused for its socket type: refuse to
 * start, with a message) or one left by a server that is gone (a
 * connection is refused: remove it and bind). Anything that is not a
 * socket is never touched. Files are created 0600 (0660 with --group,
 * owned by that group) through the umask, so they never exist with wider
 * permissions, and at exit only a file that is still the one we bound is
 * removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "serve.h"

/**
 * serve_sock_setup() - non-blocking, close-on-exec, large buffers
 * @fd:	a socket
 */
void serve_sock_setup(int fd)
{
	int fl = fcntl(fd, F_GETFL), sz = SERVE_SOCKBUF;

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
#ifdef SO_NOSIGPIPE
	setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &(int){1}, sizeof(int));
#endif
}

/**
 * sock_type() - the socket type of a listener kind
 * @kind:	the URL's kind
 *
 * Return: SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET
 */
static int sock_type(enum sqn_url_kind kind)
{
	return kind == SQN_URL_UNIX	  ? SOCK_STREAM
	       : kind == SQN_URL_UNIXGRAM ? SOCK_DGRAM
					  : SOCK_SEQPACKET;
}

/**
 * take_path() - make way for our socket file, or say why not
 * @o:		the listener's option
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 (the path is free now), or -EADDRINUSE / -EEXIST / another
 * negative errno with the message set
 */
static int take_path(const struct serve_listen_opt *o, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	int s, rc, e;

	if (lstat(o->path, &st)) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen,
			 "serve: --listen %s: cannot look at %s: %s", o->url,
			 o->path, strerror(errno));
		return rc;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen,
			 "serve: --listen %s: %s exists and is not a socket: "
			 "left as it is; remove it or pick another path",
			 o->url, o->path);
		return -EEXIST;
	}
	s = socket(AF_UNIX, sock_type(o->kind), 0);
	if (s < 0) {
		rc = -errno;
		snprintf(err, errlen, "serve: cannot create a socket: %s",
			 strerror(errno));
		return rc;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", o->path);
	rc = connect(s, (struct sockaddr *)&a, sizeof(a));
	e = errno;
	close(s);
	if (rc == 0 || e == EAGAIN || e == EPROTOTYPE) {
		snprintf(
			err, errlen,
			"serve: --listen %s: a server runs on %s already (%s); "
			"stop it or pick another path",
			o->url, o->path,
			rc == 0	      ? "it accepted a connection"
			: e == EAGAIN ? "its backlog is full"
				      : "of another socket type");
		return -EADDRINUSE;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen,
			 "serve: --listen %s: cannot tell whether a server "
			 "runs on %s: %s",
			 o->url, o->path, strerror(e));
		return -e;
	}
	if (unlink(o->path) && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen,
			 "serve: --listen %s: cannot remove the stale socket "
			 "file %s: %s",
			 o->url, o->path, strerror(errno));
		return rc;
	}
	fprintf(stderr,
		"squib-net: serve: removed %s, a socket file nobody serves "
		"(left by a server that was killed)\n",
		o->path);
	return 0;
}

/**
 * serve_listen_open() - bind and listen on one --listen
 * @l:		the listener
 * @o:		its option
 * @so:		all options (group access)
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or a negative errno with the message set; nothing is left
 * behind on failure
 */
int serve_listen_open(struct serve_listener *l,
		      const struct serve_listen_opt *o,
		      const struct serve_opts *so, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct stat st;
	mode_t old;
	int rc;

	memset(l, 0, sizeof(*l));
	l->opt = o;
	l->fd = socket(AF_UNIX, sock_type(o->kind), 0);
	if (l->fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "serve: cannot create a socket: %s",
			 strerror(errno));
		return rc;
	}
	serve_sock_setup(l->fd);
	rc = take_path(o, err, errlen);
	if (rc)
		goto out_close;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", o->path);
	old = umask(so->group ? 0117 : 0177);
	rc = bind(l->fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	umask(old);
	if (rc) {
		snprintf(err, errlen, "serve: --listen %s: cannot bind %s: %s",
			 o->url, o->path, strerror(-rc));
		goto out_close;
	}
	if (lstat(o->path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
		l->bound = true;
	}
	if (so->group && chown(o->path, (uid_t)-1, so->gid)) {
		rc = -errno;
		snprintf(err, errlen,
			 "serve: --listen %s: cannot give %s to group %s: %s",
			 o->url, o->path, so->group, strerror(errno));
		goto out_unbind;
	}
	if (o->kind == SQN_URL_UNIXGRAM) {
		socklen_t n = sizeof(int);
		int sz = 0;

		if (!getsockopt(l->fd, SOL_SOCKET, SO_SNDBUF, &sz, &n))
			l->sndbuf = sz;
	}
	if (o->kind != SQN_URL_UNIXGRAM && listen(l->fd, 64)) {
		rc = -errno;
		snprintf(err, errlen, "serve: --listen %s: cannot listen: %s",
			 o->url, strerror(errno));
		goto out_unbind;
	}
	return 0;

out_unbind:
	serve_listen_close(l);
	return rc;
out_close:
	close(l->fd);
	l->fd = -1;
	return rc;
}

/**
 * serve_listen_close() - close, and remove the file if it is still ours
 * @l:	the listener; one closed already is left alone
 */
void serve_listen_close(struct serve_listener *l)
{
	struct stat st;

	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->bound && lstat(l->opt->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->opt->path);
	l->bound = false;
}

/**
 * serve_listen_accept() - one connection waiting on a stream or seqpacket
 *			   listener
 * @l:	the listener
 *
 * Return: the connected socket (non-blocking, close-on-exec, large
 * buffers), or a negative errno (-EAGAIN: none waiting)
 */
int serve_listen_accept(struct serve_listener *l)
{
	int fd;

	do
		fd = accept(l->fd, NULL, NULL);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -errno;
	serve_sock_setup(fd);
	return fd;
}
