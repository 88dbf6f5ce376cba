/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_userspace.c - userspace backend: a gvproxy or passt child on a
 *		    socketpair
 *
 * gvproxy runs as `gvproxy -listen-stdio accept -ssh-port -1 -mtu N ...`
 * with its socket end as stdin and stdout (u16-LE framing); passt runs as
 * `passt --fd 3 -f -m N ...` (u32-BE framing). passt started as root drops
 * to user "nobody" on its own; with --fd it needs no files, so we do not pass
 * `--runas 0` (callers who want it pass it in helper_args). Everything else
 * (queues, readiness, restarts) is transport.c; spawning is helper.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport.h"

/* gvproxy's gateway MAC on its default network */
static const uint8_t gvproxy_gw_mac[6] = {0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xdd};

/* the fd number passt gets its socket end on */
#define PASST_FD 3
#define PASST_DEFAULT_MTU 65520

/**
 * struct us_plan - what validation decided, used again by start
 * @kind:	helper kind found
 * @path:	helper binary
 * @wire:	framing
 * @max:	largest frame
 * @mtu:	MTU given to the helper
 */
struct us_plan {
	enum sqn_helper_kind kind;
	char path[SQN_HELPER_PATH_MAX + 1];
	enum sqn_wire_kind wire;
	uint32_t max;
	uint32_t mtu;
};

static const char *const env_names[] = {"SQUIBNET_GVPROXY", "SQUIBNET_PASST"};

/**
 * env_too_long() - which helper variable is too long to be a path
 * @kind:	the helper kind asked for
 * @len:	gets its length
 *
 * Return: the variable's name
 */
static const char *env_too_long(enum sqn_helper_kind kind, size_t *len)
{
	const char *v = getenv(env_names[0]);

	if (kind != SQN_HELPER_PASST && v && strlen(v) > SQN_HELPER_PATH_MAX) {
		*len = strlen(v);
		return env_names[0];
	}
	v = getenv(env_names[1]);
	*len = v ? strlen(v) : 0;
	return env_names[1];
}

/**
 * us_plan() - validate the userspace parameters and find the helper
 * @iface:	for the message
 * @p:		parameters
 * @pl:		gets the plan
 *
 * Nothing here has a side effect (it stats files).
 *
 * Return: 0, or a negative errno with the message set
 */
static int us_plan(struct sqn_iface *iface, const struct sqn_params *p,
		   struct us_plan *pl)
{
	char err[SQN_MSG_LEN];
	int rc;

	memset(pl, 0, sizeof(*pl));
	if ((unsigned)p->helper_kind > SQN_HELPER_PASST)
		return sqn_seterr(iface, -EINVAL,
				  "helper_kind %d is unknown: use "
				  "SQN_HELPER_GVPROXY, SQN_HELPER_PASST or 0 "
				  "for either",
				  (int)p->helper_kind);
	rc = sqn_helper_check_args(p->helper_args, p->n_helper_args, err,
				   sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	if (p->helper_path) {
		rc = sqn_helper_check_path(p->helper_path, err, sizeof(err));
		if (rc)
			return sqn_seterr(iface, rc, "%s", err);
	}
	rc = sqn_helper_find(p->helper_kind, p->helper_path, pl->path,
			     sizeof(pl->path), &pl->kind);
	if (rc == -ENAMETOOLONG) {
		size_t len;
		const char *var = env_too_long(p->helper_kind, &len);

		return sqn_seterr(
			iface, -EINVAL,
			"$%s is %zu bytes long: a helper path is at "
			"most %d bytes (set helper_path, or a shorter "
			"$%s)",
			var, len, SQN_HELPER_PATH_MAX, var);
	}
	if (rc)
		return sqn_seterr(
			iface, rc,
			"no %s found: set helper_path, $SQUIBNET_GVPROXY or "
			"$SQUIBNET_PASST, or install one (searched $PATH, "
			"/usr/libexec/podman, /usr/local/libexec/podman, "
			"/usr/lib/podman, /opt/homebrew/bin, /usr/local/bin, "
			"/usr/bin)",
			p->helper_kind == SQN_HELPER_PASST ? "passt"
			: p->helper_kind == SQN_HELPER_GVPROXY
				? "gvproxy"
				: "gvproxy or passt");
	if (!p->helper_path) {
		rc = sqn_helper_check_path(pl->path, err, sizeof(err));
		if (rc)
			return sqn_seterr(iface, rc, "%s (found by search)",
					  err);
	}
	pl->wire =
		pl->kind == SQN_HELPER_PASST ? SQN_WIRE_U32BE : SQN_WIRE_U16LE;
	pl->max = SQN_MIN(iface->max_frame, sqn_wire_max(pl->wire));
	/* the core's MTU, unless none was asked for: passt's own default */
	pl->mtu = !p->mtu && pl->kind == SQN_HELPER_PASST ? PASST_DEFAULT_MTU
							  : iface->mtu;
	if (sqn_mtu_frame(pl->mtu) > pl->max)
		return sqn_seterr(
			iface, -EINVAL,
			"mtu %u needs %u-byte frames but max_frame is "
			"%u (the %s framing carries at most %u)",
			pl->mtu, sqn_mtu_frame(pl->mtu), pl->max,
			sqn_wire_name(pl->wire), sqn_wire_max(pl->wire));
	return 0;
}

/**
 * us_validate() - the backend's validate op
 * @iface:	for the message
 * @p:		parameters
 *
 * Return: 0 or a negative errno
 */
static int us_validate(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct us_plan pl;

	return us_plan(iface, p, &pl);
}

/**
 * us_connect() - a socketpair and a helper on its other end
 * @t:		the transport
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Return: 0 or a negative errno (nothing left open or running)
 */
static int us_connect(struct sqn_transport *t, char *err, size_t errlen)
{
	struct sqn_helper_spec spec = {
		.path = t->path,
		.argv = t->argv,
		.child_fd = t->helper_kind == SQN_HELPER_PASST ? PASST_FD : 0,
		.keep_env = t->keep_env,
	};
	int sv[2], rc;

#ifdef SOCK_CLOEXEC
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
#else
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
#endif
		rc = -errno;
		snprintf(err, errlen, "cannot create a socketpair: %s",
			 strerror(errno));
		return rc;
	}
#ifndef SOCK_CLOEXEC
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	fcntl(sv[1], F_SETFD, FD_CLOEXEC);
#endif
#ifdef SO_NOSIGPIPE
	setsockopt(sv[0], SOL_SOCKET, SO_NOSIGPIPE, &(int){1}, sizeof(int));
#endif
	sqn_tp_socket_buffers(t, sv[0]);
	sqn_socket_buffers(sv[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	spec.sock = sv[1];
	rc = sqn_helper_spawn(&t->helper, &spec, err, errlen);
	close(sv[1]);
	if (rc) {
		close(sv[0]);
		return rc;
	}
	sqn_tp_watch_helper(t);
	rc = sqn_tp_attach(t, sv[0]);
	if (rc) {
		snprintf(err, errlen, "cannot watch the helper socket: %s",
			 strerror(-rc));
		/* reaped by the transport, through the pidfd it watches */
		sqn_helper_signal_kill(&t->helper);
		close(sv[0]);
		return rc;
	}
	sqn_log(t->iface, SQN_LOG_DEBUG, "%s: started %s as pid %d",
		t->iface->id, t->path, (int)t->helper.pid);
	return 0;
}

static const struct sqn_tp_ops us_tp_ops = {
	.connect = us_connect,
};

/**
 * build_argv() - the helper's argument vector: fixed flags, then extras
 * @t:	the transport
 * @p:	parameters (extra arguments)
 * @pl:	the plan
 *
 * Return: 0 or -ENOMEM
 */
static int build_argv(struct sqn_transport *t, const struct sqn_params *p,
		      const struct us_plan *pl)
{
	size_t need = 16, off;
	unsigned i, a = 0;
	char *s;

	for (i = 0; i < p->n_helper_args; i++)
		need += strlen(p->helper_args[i]) + 1;
	t->argstore = malloc(need);
	if (!t->argstore)
		return -ENOMEM;
	s = t->argstore;
	off = (size_t)snprintf(s, 16, "%u", pl->mtu) + 1;
	t->argv[a++] = t->path;
	if (pl->kind == SQN_HELPER_PASST) {
		t->argv[a++] = "--fd";
		t->argv[a++] = "3";
		t->argv[a++] = "-f";
		t->argv[a++] = "-m";
	} else {
		t->argv[a++] = "-listen-stdio";
		t->argv[a++] = "accept";
		t->argv[a++] = "-ssh-port";
		t->argv[a++] = "-1";
		t->argv[a++] = "-mtu";
	}
	t->argv[a++] = s;
	for (i = 0; i < p->n_helper_args; i++) {
		size_t n = strlen(p->helper_args[i]) + 1;

		memcpy(s + off, p->helper_args[i], n);
		t->argv[a++] = s + off;
		off += n;
	}
	t->argv[a] = NULL;
	return 0;
}

/**
 * us_start() - find the helper, start it, watch it
 * @iface:	the interface
 * @p:		parameters
 *
 * Return: 0 or a negative errno with the message set
 */
static int us_start(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_transport *t;
	struct us_plan pl;
	int rc;

	rc = us_plan(iface, p, &pl);
	if (rc)
		return rc;
	rc = sqn_tp_open(iface, &t, &us_tp_ops, pl.wire, pl.max, p);
	if (rc)
		return rc;
	t->helper_kind = pl.kind;
	t->restart = p->helper_restart == SQN_ON;
	t->keep_env = p->helper_env == SQN_ON;
	memcpy(t->path, pl.path, sizeof(t->path));
	snprintf(t->helper_name, sizeof(t->helper_name), "%s",
		 pl.kind == SQN_HELPER_PASST ? "passt" : "gvproxy");
	rc = build_argv(t, p, &pl);
	if (rc) {
		sqn_seterr(iface, rc, "%s: out of memory", iface->id);
		goto out_close;
	}
	rc = sqn_tp_first_connect(t);
	if (rc)
		goto out_close;
	iface->be = t;
	iface->fd = t->poller.fd;
	sqn_iface_negotiated(iface, pl.mtu, pl.max);
	if (pl.kind == SQN_HELPER_GVPROXY)
		memcpy(iface->host_mac, gvproxy_gw_mac, 6);
	sqn_set_link(iface, true, "%s started (pid %d)", t->helper_name,
		     (int)t->helper.pid);
	return 0;

out_close:
	sqn_tp_close(t);
	return rc;
}

const struct sqn_backend_ops sqn_be_userspace = {
	.name = "userspace",
	.validate = us_validate,
	.start = us_start,
	.stop = sqn_tp_stop,
	.read = sqn_tp_read,
	.write = sqn_tp_write,
	.timeout_ms = sqn_tp_timeout_ms,
};
