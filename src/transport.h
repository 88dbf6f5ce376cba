/* SPDX-License-Identifier: Apache-2.0 */
/*
 * transport.h - what the userspace and socket backends share: one helper
 *		 connection with its framing, queues and readiness
 */
#ifndef SQN_TRANSPORT_H
#define SQN_TRANSPORT_H

#include <stdbool.h>

#include "helper.h"
#include "internal.h"
#include "poller.h"
#include "ring.h"
#include "sock.h"
#include "url.h"
#include "waker.h"
#include "wire.h"

/* One large read: many frames per system call */
#define SQN_TP_READ_SIZE (256u << 10)
/*
 * What a stream connection's receive buffer holds ahead of the caller: a
 * helper that finds its socket full must not have to wait (passt of
 * 2023-03 drops the frames a short send leaves out), so what it sends is
 * read on while the caller has no room, up to this much.
 */
#define SQN_TP_READ_AHEAD (4u << 20)
#define SQN_TP_BACKOFF_MIN_MS 100u
#define SQN_TP_BACKOFF_MAX_MS 5000u
/* A helper's stderr kept for the link-down reason: its first line (what
 * went wrong, before any usage text) and its last two, each cut here */
#define SQN_TP_TAIL_LEN 80

struct sqn_transport;

/**
 * struct sqn_tp_ops - how a transport (re)connects
 * @connect:	establish the connection: set t->sock with sqn_tp_attach()
 *		(after starting a helper, watched with sqn_tp_watch_helper());
 *		on failure leave no fd open and fill @err; a helper it started
 *		may be left killed in t->helper, for the transport to reap
 *
 * Ending a connection is the transport's: it closes the socket and reaps
 * t->helper, if any, without waiting for it (see transport.c).
 */
struct sqn_tp_ops {
	int (*connect)(struct sqn_transport *t, char *err, size_t errlen);
};

/**
 * struct sqn_transport - state of a userspace or socket backend
 * @iface:	the interface
 * @ops:	how to connect
 * @wire:	framing on the socket
 * @max:	largest frame either way (with @vnet: its header included)
 * @vnet:	stream records carry a virtio-net header before the frame
 *		(SQN_VNET_HDR_LEN bytes, inside the length; socket mode with
 *		offloads, negotiated by be_socket.c)
 * @sock:	the connection, -1 while down; changed by the reader thread
 *		only, with @tx_lock held
 * @poller:	the readiness fd's set: socket, pidfd, stderr pipe, waker
 * @waker:	set while @rxbuf holds whole frames, or to wake the reader
 * @waker_on:	@waker may be set (it is cleared only then)
 * @rxbuf:	receive buffer, SQN_TP_READ_AHEAD (datagrams:
 *		SQN_TP_READ_SIZE) + header + @max: frames received beyond
 *		what the caller took wait here (reader only)
 * @dec:	decoder over @rxbuf
 * @service_skips: reads in a row that did not ask the poller
 * @rx_got:	the last read handed over frames
 * @tx_lock:	guards @txq, @tx_off, @sock_out and writes on @sock
 * @txq:	framed records (header and frame) waiting to be sent
 * @tx_off:	bytes of the first record of @txq already sent
 * @sock_out:	whether writability of @sock is watched
 * @tx_broken:	the writer saw the connection fail; the reader tears down
 * @restart:	reconnect (restart the helper) after a failure
 * @backoff_ms:	delay before the next reconnection attempt
 * @restart_at:	monotonic ms of the next attempt, 0 for none
 * @tries:	reconnection attempts since the connection last delivered
 *		a frame
 * @tries_max:	give up after this many (struct sqn_params.reconnect_max),
 *		0: never
 * @next_waitpoll: monotonic ms of the next waitpid() poll (no pidfd)
 * @helper_gone: the helper exited; the connection ends once what it sent
 *		before is read
 * @rx_idle:	the last read of the socket found nothing (EAGAIN)
 * @ending:	the connection ended but the helper still runs: the link
 *		goes down when it exits, or at @end_at (then it is killed)
 * @end_killed:	SIGKILL was sent to the helper of the ended connection
 * @end_at:	monotonic ms when @ending gives up waiting
 * @end_why:	why the connection ended, for the link-down message
 * @exit_known:	the helper was reaped: @exit_pid and @exit_status say how
 * @exit_pid:	its pid
 * @exit_status: its wait status
 * @buf_warned:	the small socket buffers were reported (once)
 * @err_first:	the current helper's first stderr line
 * @err_last:	its last two lines after the first: line k (k >= 1) in
 *		@err_last[(k - 1) % 2]
 * @err_n:	its stderr lines so far
 * @helper:	the child (userspace mode)
 * @helper_name: "gvproxy", "passt", or the socket URL, for messages
 * @helper_kind: which helper
 * @path:	helper binary
 * @argv:	its argument vector
 * @argstore:	copies of the caller's extra arguments
 * @keep_env:	pass the environment
 * @url:	socket mode: where to connect
 * @local:	unixgram: our own bound address
 */
struct sqn_transport {
	struct sqn_iface *iface;
	const struct sqn_tp_ops *ops;
	enum sqn_wire_kind wire;
	uint32_t max;
	uint32_t vnet;
	int sock;
	struct sqn_poller poller;
	struct sqn_waker waker;
	_Atomic bool waker_on;
	uint8_t *rxbuf;
	struct sqn_wire_dec dec;
	unsigned service_skips;
	bool rx_got;

	pthread_mutex_t tx_lock;
	struct sqn_ring txq;
	uint32_t tx_off;
	bool sock_out;
	_Atomic int tx_broken;

	bool restart;
	uint32_t backoff_ms;
	uint64_t restart_at;
	uint32_t tries;
	uint32_t tries_max;
	uint64_t next_waitpoll;
	bool helper_gone;
	bool rx_idle;
	bool ending;
	bool end_killed;
	uint64_t end_at;
	char end_why[SQN_MSG_LEN];
	bool exit_known;
	pid_t exit_pid;
	int exit_status;
	bool buf_warned;

	char err_first[SQN_TP_TAIL_LEN];
	char err_last[2][SQN_TP_TAIL_LEN];
	unsigned err_n;
	struct sqn_helper helper;
	char helper_name[128];
	enum sqn_helper_kind helper_kind;
	char path[SQN_HELPER_PATH_MAX + 1];
	char *argv[SQN_HELPER_ARGS_MAX + 16];
	char *argstore;
	bool keep_env;

	struct sqn_url url;
	struct sqn_dgram_local local;
};

enum sqn_tp_tag {
	SQN_TP_TAG_SOCK = 1,
	SQN_TP_TAG_PIDFD,
	SQN_TP_TAG_STDERR,
	SQN_TP_TAG_WAKER,
};

int sqn_tp_open(struct sqn_iface *iface, struct sqn_transport **out,
		const struct sqn_tp_ops *ops, enum sqn_wire_kind wire,
		uint32_t max, const struct sqn_params *p);
int sqn_tp_first_connect(struct sqn_transport *t);
void sqn_tp_close(struct sqn_transport *t);
int sqn_tp_attach(struct sqn_transport *t, int sock);
void sqn_tp_watch_helper(struct sqn_transport *t);
void sqn_tp_socket_buffers(struct sqn_transport *t, int fd);
uint64_t sqn_tp_now_ms(void);

void sqn_tp_stop(struct sqn_iface *iface);
int sqn_tp_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		unsigned n);
int sqn_tp_write(struct sqn_iface *iface, unsigned q, const struct sqn_frame *f,
		 unsigned n);
int sqn_tp_timeout_ms(struct sqn_iface *iface);

#endif /* SQN_TRANSPORT_H */
