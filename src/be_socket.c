/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be_socket.c - socket backend: connect to a helper that already listens
 *
 * unix:///path is a qemu stream (u32-BE framing; gvproxy -listen-qemu,
 * passt --socket); unixgram:///path is vfkit's datagram protocol: we bind a
 * socket of our own, connect, and send the 4 bytes "VFKT" first (the peer
 * answers to the address it got them from); unixpacket:///path is bess
 * (SOCK_SEQPACKET), one frame per message. A lost connection is retried
 * with backoff.
 *
 * Offloads (params.offload, unix:// only): right after connecting we send
 * the offload hello (vnet.h) and wait, up to SOCK_HELLO_MS, for the same
 * record back; only then does every record carry the 12-byte virtio-net
 * header before the frame. Anything else (the connection closed, a frame,
 * silence) fails the connection with a message: a peer that does not
 * answer the hello takes plain frames, and nothing is guessed from bytes.
 *
 * Our unixgram address is the platform's (sqn_dgram_bind_local()): on Linux
 * an autobound abstract address, so there is no file to leave behind even
 * when we are SIGKILLed; elsewhere a socket file (0600) in a fresh private
 * directory (0700), removed at stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"
#include "vnet.h"

/* how long the peer has to answer the offload hello */
#define SOCK_HELLO_MS 3000

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket */
#endif

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
	int rc;

	rc = sqn_url_parse(p->connect_url, &url, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	if (iface->offload && url.kind != SQN_URL_UNIX)
		return sqn_seterr(iface, -EINVAL,
				  "offload needs a unix:// stream (its records "
				  "carry the virtio-net header), not %s",
				  p->connect_url);
	if (p->mtu && sqn_mtu_frame(iface->mtu) > iface->max_frame)
		return sqn_seterr(
			iface, -EINVAL,
			"mtu %u needs %u-byte frames but max_frame is "
			"%u",
			iface->mtu, sqn_mtu_frame(iface->mtu),
			iface->max_frame);
	return 0;
}

/**
 * hello() - agree on offloads: send the hello, wait for it back
 * @t:		the transport (t->vnet set)
 * @s:		the connected socket, blocking
 * @err:	gets a message on failure
 * @errlen:	its size
 *
 * Reads exactly the answer's bytes, so a frame sent after it stays in the
 * socket for the transport.
 *
 * Return: 0 or a negative errno
 */
static int hello(struct sqn_transport *t, int s, char *err, size_t errlen)
{
	static const char nope[] = "it does not take offloads (squib-net "
				   "serve does; QEMU, passt, gvproxy do not): "
				   "connect without offload";
	uint8_t rec[SQN_VNET_HELLO_LEN], got[SQN_VNET_HELLO_LEN];
	uint64_t until = sqn_tp_now_ms() + SOCK_HELLO_MS, now;
	struct pollfd pfd = {.fd = s, .events = POLLIN};
	uint32_t have = 0, len;
	ssize_t r;

	sqn_vnet_hello(rec);
	if (send(s, rec, sizeof(rec), MSG_NOSIGNAL) != (ssize_t)sizeof(rec)) {
		snprintf(err, errlen, "cannot send the offload hello to %s: %s",
			 t->helper_name, strerror(errno));
		return -EIO;
	}
	while (have < sizeof(got)) {
		now = sqn_tp_now_ms();
		if (now >= until || poll(&pfd, 1, (int)(until - now)) == 0) {
			snprintf(err, errlen,
				 "%s did not answer the offload hello within "
				 "%d ms: %s",
				 t->helper_name, SOCK_HELLO_MS, nope);
			return -EPROTO;
		}
		r = recv(s, got + have, sizeof(got) - have, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			snprintf(err, errlen,
				 "%s closed the connection on the offload "
				 "hello%s%s: %s",
				 t->helper_name, r ? ": " : "",
				 r ? strerror(errno) : "", nope);
			return -EPROTO;
		}
		have += (uint32_t)r;
		len = (uint32_t)got[0] << 24 | (uint32_t)got[1] << 16 |
		      (uint32_t)got[2] << 8 | got[3];
		if (have >= 4 && len != SQN_VNET_HELLO_PAYLOAD) {
			snprintf(err, errlen,
				 "%s answered the offload hello with a "
				 "%u-byte record: %s",
				 t->helper_name, len, nope);
			return -EPROTO;
		}
	}
	if (!sqn_vnet_is_hello(got + 4, SQN_VNET_HELLO_PAYLOAD)) {
		snprintf(err, errlen,
			 "%s answered the offload hello with another 12-byte "
			 "record: %s",
			 t->helper_name, nope);
		return -EPROTO;
	}
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

	s = sqn_socket_cloexec(AF_UNIX, types[t->url.kind]);
	if (s < 0) {
		rc = s;
		snprintf(err, errlen, "cannot create a socket: %s",
			 strerror(-rc));
		return rc;
	}
#ifdef SO_NOSIGPIPE
	setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &(int){1}, sizeof(int));
#endif
	sqn_tp_socket_buffers(t, s);
	if (t->url.kind == SQN_URL_UNIXGRAM) {
		rc = sqn_dgram_bind_local(&t->local, s, err, errlen);
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
	if (t->vnet) {
		rc = hello(t, s, err, errlen);
		if (rc)
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

static const struct sqn_tp_ops sock_tp_ops = {
	.connect = sock_connect,
};

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
	uint32_t max, vh;
	int rc;

	rc = sqn_url_parse(p->connect_url, &url, err, sizeof(err));
	if (rc)
		return sqn_seterr(iface, rc, "%s", err);
	wire = url.kind == SQN_URL_UNIX ? SQN_WIRE_U32BE : SQN_WIRE_DGRAM;
	/* with offloads a record holds the virtio-net header too (wire.h:
	 * SQN_WIRE_VNET_EXTRA): frames stay up to SQN_FRAME_MAX */
	vh = iface->offload ? SQN_VNET_HDR_LEN : 0;
	max = SQN_MIN(iface->max_frame, sqn_wire_max(wire));
	rc = sqn_tp_open(iface, &t, &sock_tp_ops, wire, max + vh, p);
	if (rc)
		return rc;
	t->vnet = vh;
	t->url = url;
	t->restart = true;
	snprintf(t->helper_name, sizeof(t->helper_name), "%s", p->connect_url);
	rc = sqn_tp_first_connect(t);
	if (rc) {
		sqn_dgram_unbind_local(&t->local);
		sqn_tp_close(t);
		return rc;
	}
	iface->be = t;
	iface->fd = t->poller.fd;
	sqn_iface_negotiated(iface, 0, max);
	sqn_set_link(iface, true, "connected to %s", t->helper_name);
	return 0;
}

/**
 * sock_stop() - close, remove our socket file, free
 * @iface:	the interface
 */
static void sock_stop(struct sqn_iface *iface)
{
	struct sqn_transport *t = iface->be;

	sqn_dgram_unbind_local(&t->local);
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
