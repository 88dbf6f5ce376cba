/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fpath.h - the core's frame path: what runs between the caller's read and
 *	     write and the backend's, for every backend (rate limits,
 *	     capture, frames of the core's own), and the readiness fds that
 *	     go with it
 *
 * fpath.c's opening comment says how it works and how to add a feature.
 */
#ifndef SQN_FPATH_H
#define SQN_FPATH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "poller.h"
#include "ratelimit.h"
#include "ring.h"
#include "squibnet.h"
#include "waker.h"

/** SQN_FP_INJECT_SLOTS - frames of the core's own waiting for the guest */
#define SQN_FP_INJECT_SLOTS 64
/** SQN_FP_INJECT_MAX - largest frame of the core's own (bigger: refused) */
#define SQN_FP_INJECT_MAX 1514

/**
 * struct sqn_fp_queue - one queue pair's part of the frame path
 * @poller:	the readiness fd the caller polls (with rx_own): holds @be_fd,
 *		@waker and the rx timer
 * @be_fd:	the backend's readiness fd of this queue
 * @waker:	set while the core holds frames for this queue
 * @waker_set:	whether @waker is set (saves a system call per read)
 * @held:	a frame read from the backend but held back by the rx
 *		limiter, @held_cap bytes; NULL until an rx limit is set
 * @held_cap:	its size
 * @held_len:	the held frame's length, 0 when none is held
 * @held_vnet:	its virtio-net header
 */
struct sqn_fp_queue {
	struct sqn_poller poller;
	int be_fd;
	struct sqn_waker waker;
	bool waker_set;
	uint8_t *held;
	uint32_t held_cap;
	uint32_t held_len;
	struct sqn_vnet_hdr held_vnet;
};

/**
 * struct sqn_fp - the frame path of one interface
 * @rx_ready:	the caller's readiness fds wake for frames of the core's
 *		own: the core's pollers (@rx_own), or the backend's fds
 *		holding the queues' wakers (ops->ready_add)
 * @rx_own:	the readiness fds are the core's pollers (struct
 *		sqn_fp_queue.poller), not the backend's own fds: rx may pause
 * @tx_ready:	@tx_timer exists (sqn_iface_tx_fd())
 * @rx_slow:	read must take @rx_lock: an rx limit, a held or injected
 *		frame, or rx paused (read without the lock: false means the
 *		backend's read alone)
 * @tx_on:	write must ask the tx limiter (read without the lock)
 * @rx_lock:	guards the rx side: @rx, @rx_paused, @rx_until, @inj, every
 *		queue's held frame and waker
 * @tx_lock:	guards @tx and @tx_armed
 * @rx:		the rx limiter
 * @tx:		the tx limiter
 * @rx_timer:	in every queue's poller; armed while rx is paused
 * @tx_timer:	sqn_iface_tx_fd(): armed when the tx limiter cut a write
 * @rx_paused:	the backend fds and wakers are out of the pollers: the rx
 *		limiter blocks until @rx_until
 * @rx_until:	when the timer was armed for
 * @tx_armed:	@tx_timer is armed or fired and not yet cleared
 * @inj:	frames of the core's own for the guest (queue 0), allocated
 *		by sqn_fp_inject_init()
 * @nheld:	queues holding a frame
 * @nq:		queues
 * @q:		per queue
 * @cap:	the capture point
 * @rx_throttled: struct sqn_stats_ext.rx_throttled
 * @tx_throttled: struct sqn_stats_ext.tx_throttled
 */
struct sqn_fp {
	bool rx_ready;
	bool rx_own;
	bool tx_ready;
	atomic_bool rx_slow;
	atomic_bool tx_on;
	pthread_mutex_t rx_lock;
	pthread_mutex_t tx_lock;
	struct sqn_rl rx;
	struct sqn_rl tx;
	struct sqn_timer rx_timer;
	struct sqn_timer tx_timer;
	bool rx_paused;
	uint64_t rx_until;
	bool tx_armed;
	struct sqn_ring inj;
	unsigned nheld;
	unsigned nq;
	struct sqn_fp_queue q[SQN_MAX_QUEUES];
	struct sqn_cap cap;
	_Atomic uint64_t rx_throttled;
	_Atomic uint64_t tx_throttled;
};

struct sqn_iface;

void sqn_fp_init(struct sqn_iface *iface);
void sqn_fp_destroy(struct sqn_iface *iface);
int sqn_fp_check(struct sqn_iface *iface, const struct sqn_params *p);
int sqn_fp_start(struct sqn_iface *iface, const struct sqn_params *p);
void sqn_fp_stop(struct sqn_iface *iface);
int sqn_fp_read(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		unsigned n);
int sqn_fp_write(struct sqn_iface *iface, unsigned q, const struct sqn_frame *f,
		 unsigned n);
int sqn_fp_timeout_ms(struct sqn_iface *iface);
int sqn_fp_inject_init(struct sqn_iface *iface);
int sqn_fp_inject(struct sqn_iface *iface, const void *data, uint32_t len,
		  const struct sqn_vnet_hdr *vnet);

#endif /* SQN_FPATH_H */
