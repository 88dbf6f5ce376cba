/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_socket_offload.c - socket mode with offloads: the hello that agrees on
 *			them, and records that carry the virtio-net header
 *			both ways; every way the agreement can fail
 *
 * A peer thread plays squib-net serve (or a peer that does not know the
 * hello) on a unix stream socket in a private directory.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "squibnet.h"
#include "vnet.h"

static char dir[32], path[64], url[96], err[512];

/* what the peer thread does once it has read the hello */
enum peer_act { PEER_ANSWER, PEER_FRAME, PEER_CLOSE, PEER_OTHER12 };

struct peer {
	int ls;
	enum peer_act act;
	int got_hello;	  /* the client's first 16 bytes were the hello */
	uint8_t rec[256]; /* the first record after the hello */
	uint32_t rec_len;
	pthread_t th;
};

static int read_full(int fd, uint8_t *b, size_t n)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if (poll(&pfd, 1, 5000) != 1)
			return -1;
		r = read(fd, b + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* the record serve would send: zero-length header fields but GSO TCPv6 */
static const struct sqn_vnet_hdr to_client = {
	.flags = SQN_VNET_HDR_F_DATA_VALID,
	.gso_type = SQN_VNET_HDR_GSO_TCPV6,
	.hdr_len = 74,
	.gso_size = 1428,
	.csum_start = 54,
	.csum_offset = 16,
};

static void *peer_main(void *arg)
{
	struct peer *pe = arg;
	uint8_t h[SQN_VNET_HELLO_LEN], want[SQN_VNET_HELLO_LEN],
		rec[4 + 12 + 60];
	int c = accept(pe->ls, NULL, NULL);

	if (c < 0)
		return NULL;
	sqn_vnet_hello(want);
	if (read_full(c, h, sizeof(h)) == 0 && !memcmp(h, want, sizeof(h)))
		pe->got_hello = 1;
	switch (pe->act) {
	case PEER_CLOSE:
		break;
	case PEER_FRAME: /* a plain 60-byte frame, as a peer that ignores it */
		memset(rec, 0xff, sizeof(rec));
		rec[0] = rec[1] = rec[2] = 0;
		rec[3] = 60;
		(void)!write(c, rec, 4 + 60);
		usleep(200000);
		break;
	case PEER_OTHER12:
		want[15] = 16; /* a header length of 16: not ours */
		(void)!write(c, want, sizeof(want));
		usleep(200000);
		break;
	case PEER_ANSWER:
		(void)!write(c, want, sizeof(want));
		/* the client's first record, then one of ours */
		if (read_full(c, pe->rec, 4) == 0) {
			pe->rec_len = (uint32_t)pe->rec[3] | pe->rec[2] << 8;
			if (pe->rec_len <= sizeof(pe->rec) - 4)
				(void)read_full(c, pe->rec + 4, pe->rec_len);
		}
		rec[0] = rec[1] = rec[2] = 0;
		rec[3] = 12 + 60;
		sqn_vnet_to_wire(&to_client, rec + 4);
		memset(rec + 16, 0x5a, 60);
		(void)!write(c, rec, sizeof(rec));
		usleep(300000);
		break;
	}
	close(c);
	return NULL;
}

static int peer_start(struct peer *pe, enum peer_act act)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};

	memset(pe, 0, sizeof(*pe));
	pe->act = act;
	unlink(path);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	pe->ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (pe->ls < 0 || bind(pe->ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(pe->ls, 1))
		return -1;
	return pthread_create(&pe->th, NULL, peer_main, pe);
}

static void peer_end(struct peer *pe)
{
	shutdown(pe->ls, SHUT_RDWR);
	pthread_join(pe->th, NULL);
	close(pe->ls);
	unlink(path);
}

static struct sqn_iface *start(int offload)
{
	struct sqn_iface *iface = NULL;
	struct sqn_params p;

	sqn_params_init(&p);
	p.iface_id = "so0";
	p.mode = SQN_MODE_SOCKET;
	p.connect_url = url;
	p.offload = offload;
	err[0] = '\0';
	if (sqn_iface_start(&p, &iface, err, sizeof(err)))
		printf("# start: %s\n", err);
	return iface;
}

/* agreed: a frame with a header goes out in one record, one comes back */
static void header_both_ways(void)
{
	static uint8_t frame[60], back[SQN_FRAME_MAX];
	struct sqn_frame f = {.data = frame, .len = sizeof(frame)};
	struct sqn_frame r = {.data = back, .cap = sizeof(back)};
	struct sqn_vnet_hdr got;
	struct peer pe;
	struct sqn_iface *iface;
	int n = 0, i;

	CHECK_EQ(peer_start(&pe, PEER_ANSWER), 0);
	iface = start(SQN_ON);
	CHECK(iface != NULL);
	if (!iface) {
		peer_end(&pe);
		return;
	}
	CHECK_EQ(sqn_iface_offload(iface), 1);
	/* a record holds the header too, and frames stay up to 64 KiB */
	CHECK_EQ(sqn_iface_max_frame(iface), SQN_FRAME_MAX);
	memset(frame, 0x11, sizeof(frame));
	f.vnet = (struct sqn_vnet_hdr){.flags = SQN_VNET_HDR_F_NEEDS_CSUM,
				       .gso_type = SQN_VNET_HDR_GSO_TCPV4,
				       .hdr_len = 54,
				       .gso_size = 1448,
				       .csum_start = 34,
				       .csum_offset = 16};
	CHECK_EQ(sqn_iface_write(iface, &f, 1), 1);
	for (i = 0; i < 100 && n == 0; i++) {
		struct pollfd pfd = {.fd = sqn_iface_fd(iface),
				     .events = POLLIN};

		poll(&pfd, 1, 50);
		n = sqn_iface_read(iface, &r, 1);
	}
	CHECK_EQ(n, 1);
	CHECK_EQ(r.len, 60);
	CHECK(!memcmp(&r.vnet, &to_client, sizeof(to_client)));
	CHECK_EQ(back[0], 0x5a);
	sqn_iface_stop(iface);
	sqn_iface_free(iface);
	peer_end(&pe);
	CHECK(pe.got_hello);
	/* the client's record: length 72, its header, then the frame */
	CHECK_EQ(pe.rec_len, 12 + 60);
	sqn_vnet_from_wire(pe.rec + 4, &got);
	CHECK(!memcmp(&got, &f.vnet, sizeof(got)));
	CHECK_EQ(pe.rec[4 + 12], 0x11);
}

/* without offload, no hello: the first record is the frame */
static void no_offload_no_hello(void)
{
	static uint8_t frame[60];
	struct sqn_frame f = {.data = frame, .len = sizeof(frame)};
	struct peer pe;
	struct sqn_iface *iface;

	CHECK_EQ(peer_start(&pe, PEER_CLOSE), 0);
	iface = start(0);
	CHECK(iface != NULL);
	if (iface) {
		CHECK_EQ(sqn_iface_offload(iface), 0);
		memset(frame, 0, sizeof(frame));
		sqn_iface_write(iface, &f, 1);
	}
	peer_end(&pe);
	/* it read 16 bytes: a 4-byte length of 60, then frame bytes */
	CHECK(!pe.got_hello);
	if (iface) {
		sqn_iface_stop(iface);
		sqn_iface_free(iface);
	}
}

/* every answer but the hello fails the start, with a message */
static void refused_answers(void)
{
	static const struct {
		enum peer_act act;
		const char *msg;
	} t[] = {
		{PEER_FRAME,
		 "answered the offload hello with a 60-byte record"},
		{PEER_CLOSE, "closed the connection on the offload hello"},
		{PEER_OTHER12, "another 12-byte record"},
	};
	struct sqn_iface *iface;
	struct peer pe;
	unsigned i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK_EQ(peer_start(&pe, t[i].act), 0);
		iface = start(SQN_ON);
		CHECK(iface == NULL);
		CHECK_STR_HAS(err, t[i].msg);
		CHECK_STR_HAS(err, "does not take offloads");
		if (iface) {
			sqn_iface_stop(iface);
			sqn_iface_free(iface);
		}
		peer_end(&pe);
		CHECK(pe.got_hello);
	}
}

/* only a stream carries the header */
static void stream_only(void)
{
	struct sqn_iface *iface;

	snprintf(url, sizeof(url), "unixgram://%s", path);
	iface = start(SQN_ON);
	CHECK(iface == NULL);
	CHECK_STR_HAS(err, "offload needs a unix:// stream");
	snprintf(url, sizeof(url), "unix://%s", path);
}

static const struct check_case cases[] = {
	CASE(header_both_ways),
	CASE(no_offload_no_hello),
	CASE(refused_answers),
	CASE(stream_only),
};

int main(void)
{
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/sqnt-so-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(url, sizeof(url), "unix://%s", path);
	rc = check_main(cases, sizeof(cases) / sizeof(cases[0]));
	rmdir(dir);
	return rc;
}
