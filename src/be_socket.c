/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_socket.c - socket backend: connect to a helper that already listens
 *
 * unix:///path is a qemu stream (u32-BE framing; gvproxy -listen-qemu,
 * passt --socket); unixgram:///path is vfkit's datagram protocol: we bind a
 * socket of our own (0600, in a fresh 0700 directory), connect, and send the
 * 4 bytes "VFKT" first; unixpacket:///path is bess (SOCK_SEQPACKET), one
 * frame per message. A lost connection is retried with backoff.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

/**
 * sock_validate() - the backend's validate op: parse connect_url
 * @iface:	for the message
 * @p:		parameters
 *
 * Return: 0 or -EINVAL
 */
static int sock_validate(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_url url;
	char err[SQN_MSG_LEN];
	uint32_t max;
	int rc;

	rc = sqn_url_parse(p->connect_url, &url, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	max = p->max_frame ? p->max_frame : SQN_HELPER_MAX_FRAME;
	if (p->mtu && p->mtu + SQN_ETH_HLEN > max)
		return sqn_seterr(
			iface, -EINVAL,
			"mtu %u needs %u-byte frames but max_frame is "
			"%u",
			p->mtu, p->mtu + SQN_ETH_HLEN, max);
	return 0;
}

/**
 * sweep_stale() - remove what a killed caller left in @base
 * @base:	the directory our private directories are made in
 *
 * A SIGKILLed process cannot remove its socket file, and the vfkit peer
 * needs the path while it answers, so it exists until stop. Each private
 * directory is named squibnet-<pid>-XXXXXX: at the next start, those of
 * this user whose process is gone are removed with their socket.
 */
static void sweep_stale(const char *base)
{
	char path[64 + sizeof(((struct dirent *)0)->d_name) + 16];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(base);
	long pid;
	char *end;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "squibnet-", 9) != 0)
			continue;
		pid = strtol(e->d_name + 9, &end, 10);
		if (end == e->d_name + 9 || *end != '-' || pid <= 0)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* alive, or not ours to judge */
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		snprintf(path, sizeof(path), "%s/%s/vfkit.sock", base,
			 e->d_name);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		rmdir(path);
	}
	closedir(d);
}

/**
 * make_local() - unixgram: our own bound address in a private directory
 * @t:		the transport
 * @s:		the socket
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int make_local(struct sqn_transport *t, int s, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	const char *base = getenv("XDG_RUNTIME_DIR");
	int rc;

	if (!t->localdir[0]) {
		if (!base || !*base || strlen(base) > 60)
			base = "/tmp";
		sweep_stale(base);
		snprintf(t->localdir, sizeof(t->localdir),
			 "%s/squibnet-%ld-XXXXXX", base, (long)getpid());
		if (!mkdtemp(t->localdir)) { /* mode 0700 */
			rc = -errno;
			snprintf(err, errlen,
				 "cannot create a directory "
				 "for our vfkit socket: %s",
				 strerror(errno));
			t->localdir[0] = '\0';
			return rc;
		}
		snprintf(t->localpath, sizeof(t->localpath), "%s/vfkit.sock",
			 t->localdir);
	}
	unlink(t->localpath);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", t->localpath);
	if (bind(s, (struct sockaddr *)&a, sizeof(a))) {
		rc = -errno;
		snprintf(err, errlen, "cannot bind %s: %s", t->localpath,
			 strerror(errno));
		return rc;
	}
	chmod(t->localpath, 0600);
	return 0;
}

/**
 * sock_connect() - connect to the helper's socket
 * @t:		the transport
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
static int sock_connect(struct sqn_transport *t, char *err, size_t errlen)
{
	static const int types[] = {
		[SQN_URL_UNIX] = SOCK_STREAM,
		[SQN_URL_UNIXGRAM] = SOCK_DGRAM,
		[SQN_URL_UNIXPACKET] = SOCK_SEQPACKET,
	};
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int s, rc;

	s = socket(AF_UNIX, types[t->url.kind], 0);
	if (s < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create a socket: %s",
			 strerror(errno));
		return rc;
	}
	fcntl(s, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
	setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &(int){1}, sizeof(int));
#endif
	sqn_socket_buffers(s);
	if (t->url.kind == SQN_URL_UNIXGRAM) {
		rc = make_local(t, s, err, errlen);
		if (rc)
			goto out_close;
	}
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", t->url.path);
	if (connect(s, (struct sockaddr *)&a, sizeof(a))) {
		rc = -errno;
		snprintf(err, errlen, "cannot connect to %s: %s",
			 t->helper_name, strerror(errno));
		goto out_close;
	}
	if (t->url.kind == SQN_URL_UNIXGRAM && send(s, "VFKT", 4, 0) != 4) {
		rc = -errno;
		snprintf(err, errlen, "cannot send the VFKT greeting to %s: %s",
			 t->helper_name, strerror(errno));
		goto out_close;
	}
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
	rc = sqn_tp_attach(t, s);
	if (rc) {
		snprintf(err, errlen, "cannot watch the socket: %s",
			 strerror(-rc));
		goto out_close;
	}
	return 0;

out_close:
	close(s);
	return rc;
}

/**
 * sock_teardown() - nothing to reap in socket mode
 * @t:		the transport
 * @hard:	unused
 * @why:	left empty
 * @len:	unused
 */
static void sock_teardown(struct sqn_transport *t, bool hard, char *why,
			  size_t len)
{
	(void)t;
	(void)hard;
	if (len)
		why[0] = '\0';
}

static const struct sqn_tp_ops sock_tp_ops = {
	.connect = sock_connect,
	.teardown = sock_teardown,
};

/**
 * remove_local() - unixgram: remove our socket file and directory
 * @t:	the transport
 */
static void remove_local(struct sqn_transport *t)
{
	if (!t->localdir[0])
		return;
	unlink(t->localpath);
	rmdir(t->localdir);
	t->localdir[0] = '\0';
}

/**
 * sock_start() - connect to the URL
 * @iface:	the interface
 * @p:		parameters
 *
 * Return: 0 or a negative errno with the message set
 */
static int sock_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_transport *t;
	struct sqn_url url;
	char err[SQN_MSG_LEN];
	enum sqn_wire_kind wire;
	uint32_t max;
	int rc;

	rc = sqn_url_parse(p->connect_url, &url, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	wire = url.kind == SQN_URL_UNIX ? SQN_WIRE_U32BE : SQN_WIRE_DGRAM;
	max = p->max_frame ? p->max_frame : SQN_HELPER_MAX_FRAME;
	if (max > sqn_wire_max(wire))
		max = sqn_wire_max(wire);
	rc = sqn_tp_open(iface, &t, &sock_tp_ops, wire, max, p);
	if (rc)
		return rc;
	t->url = url;
	t->restart = true;
	snprintf(t->helper_name, sizeof(t->helper_name), "%s", p->connect_url);
	rc = sqn_tp_first_connect(t);
	if (rc) {
		remove_local(t);
		sqn_tp_close(t);
		return rc;
	}
	iface->be = t;
	iface->fd = t->poller.fd;
	iface->mtu = p->mtu ? p->mtu : SQN_DEFAULT_MTU;
	iface->max_frame = max;
	sqn_set_link(iface, true, "connected to %s", t->helper_name);
	return 0;
}

/**
 * sock_stop() - close, remove our socket file, free
 * @iface:	the interface
 */
static void sock_stop(struct sqn_iface *iface)
{
	remove_local(iface->be);
	sqn_tp_stop(iface);
}

const struct sqn_backend_ops sqn_be_socket = {
	.name = "socket",
	.validate = sock_validate,
	.start = sock_start,
	.stop = sock_stop,
	.read = sqn_tp_read,
	.write = sqn_tp_write,
	.timeout_ms = sqn_tp_timeout_ms,
};
