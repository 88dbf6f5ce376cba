/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h - what the core and the backends share, never installed
 *
 * struct sqn_iface is the one object a caller holds. The core (iface.c)
 * fills its common part, picks a backend table (backends.c) and calls the
 * backend through it; the backend keeps its own state behind iface->be.
 */
#ifndef SQN_INTERNAL_H
#define SQN_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fpath.h"
#include "squibnet.h"

#define SQN_DEFAULT_MTU 1500
#define SQN_DEFAULT_TIMEOUT_MS 5000
#define SQN_DEFAULT_QUEUE_LEN 256
#define SQN_MSG_LEN 512

#define SQN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SQN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SQN_MAX(a, b) ((a) > (b) ? (a) : (b))

#if defined(__GNUC__)
#define SQN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SQN_UNUSED __attribute__((unused))
#else
#define SQN_PRINTF(f, a)
#define SQN_UNUSED
#endif

struct sqn_iface;
struct sqn_ipol;
struct sqn_policy_env;

/** SQN_WRITE_SKIP - or'ed into a write op's k: frame k alone was dropped */
#define SQN_WRITE_SKIP (1 << 16)

/**
 * struct sqn_backend_ops - one backend, as a table of operations
 * @name:	the mode's backend name, for messages
 * @supported:	optional: 0 if the backend cannot run here, with the reason
 *		in @why; NULL means always supported
 * @validate:	optional: check the backend's own params, pure, before any
 *		side effect; on failure set the message with sqn_seterr()
 * @start:	set up: fill iface->be, iface->fd, host_mac, nqueues, qfd[];
 *		iface->mtu, max_frame and offload arrive resolved by the core
 *		(the request, or the defaults), and a backend that settled on
 *		other values reports them with sqn_iface_negotiated(); on
 *		failure undo everything it did, set a message and return a
 *		negative errno
 * @stop:	undo @start; called once, only after a successful start
 * @read:	move up to @n waiting frames of queue @q into caller buffers;
 *		same contract as sqn_iface_read() (the core counts the stats)
 * @write:	take @n valid frames for queue @q: return k when frames
 *		[0, k) were passed on or queued and [k, n) dropped (the core
 *		counts them in tx_dropped), or a negative errno when nothing
 *		was consumed; k | SQN_WRITE_SKIP when frame k alone was
 *		dropped (the core counts it and calls again with the rest)
 * @timeout_ms:	optional: milliseconds until the next timer, -1 for none
 * @policy_env:	optional: the DNS and gateway addresses this backend is
 *		configured with, for the egress policy (iface_policy.c);
 *		called when a policy is made or replaced. A backend whose
 *		DHCP server announces them leaves it NULL: the core hears
 *		its DHCP answers
 * @ready_add:	optional: add @fd (readable: frames of the core's own wait)
 *		to queue @q's readiness fd, which the backend's own waits
 *		must then ignore; the caller's poll wakes for them without a
 *		poller of the core's around the backend's fd (one epoll hop
 *		less per wake-up). Called at start, after @start; the fd is
 *		closed after @stop. NULL: the core makes its own pollers
 * @forward:	optional: add (@add) or remove a host port forward at run
 *		time, @spec as params.forwards spells it; may be called
 *		from any thread while read and write run; on failure set
 *		the message. NULL: the mode has none (the mode table says
 *		what its own means are)
 */
struct sqn_backend_ops {
	const char *name;
	int (*supported)(char *why, size_t len);
	int (*validate)(struct sqn_iface *iface, const struct sqn_params *p);
	int (*start)(struct sqn_iface *iface, const struct sqn_params *p);
	void (*stop)(struct sqn_iface *iface);
	int (*read)(struct sqn_iface *iface, unsigned q, struct sqn_frame *f,
		    unsigned n);
	int (*write)(struct sqn_iface *iface, unsigned q,
		     const struct sqn_frame *f, unsigned n);
	int (*timeout_ms)(struct sqn_iface *iface);
	void (*policy_env)(struct sqn_iface *iface, struct sqn_policy_env *env);
	int (*ready_add)(struct sqn_iface *iface, unsigned q, int fd);
	int (*forward)(struct sqn_iface *iface, const char *spec, bool add);
};

/**
 * struct sqn_counters - struct sqn_stats, updated from two threads
 *
 * Same members as struct sqn_stats, in the same order, but atomic: the
 * reader thread, the writer thread and a stats query may run at once.
 */
struct sqn_counters {
	_Atomic uint64_t rx_frames;
	_Atomic uint64_t rx_bytes;
	_Atomic uint64_t tx_frames;
	_Atomic uint64_t tx_bytes;
	_Atomic uint64_t rx_dropped;
	_Atomic uint64_t tx_dropped;
	_Atomic uint64_t rx_errors;
	_Atomic uint64_t tx_errors;
	_Atomic uint64_t conn_resets;
	_Atomic uint64_t link_changes;
	_Atomic uint64_t helper_restarts;
};

#define SQN_STAT_ADD(iface, field, n)                                          \
	atomic_fetch_add_explicit(&(iface)->ctr.field, (uint64_t)(n),          \
				  memory_order_relaxed)

/**
 * struct sqn_iface - a started interface
 * @ops:	the backend's table
 * @be:		the backend's private state
 * @mode:	the mode running (never SQN_MODE_DEFAULT)
 * @id:		interface id, copied
 * @mtu:	the MTU: resolved by the core before validate and start
 *		(the request, or SQN_DEFAULT_MTU), then what the backend
 *		negotiated; never 0
 * @max_frame:	largest frame either way: resolved by the core likewise,
 *		never 0 and never above SQN_FRAME_MAX
 * @frame_from_mtu: @max_frame is the MTU's frame (no max_frame asked for,
 *		no offloads, no SQN_MODE_LARGE_FRAMES): re-derived when the
 *		backend negotiates another MTU
 * @host_mac:	host side MAC (zero when the backend has none)
 * @guest_mac:	the guest's MAC
 * @offload:	frames carry a virtio-net header
 * @nqueues:	queue pairs, at least 1
 * @fd:		readiness fd (queue 0's)
 * @qfd:	readiness fd per queue
 * @log:	log callback, may be NULL
 * @log_opaque:	its argument
 * @log_level:	most verbose level passed on
 * @ctr:	counters
 * @fp:		the frame path: rate limits, capture, frames of the core's
 *		own, and their readiness fds (fpath.c)
 * @stopped:	sqn_iface_stop() ran: the backend holds nothing
 * @link_up:	link state
 * @msg_lock:	guards @link_why and @last_error
 * @link_why:	reason of the last link change
 * @last_error:	message of the last failure
 * @pol:	the egress policy's state (iface_policy.c)
 */
struct sqn_iface {
	const struct sqn_backend_ops *ops;
	void *be;
	enum sqn_mode mode;
	char id[65];
	uint32_t mtu;
	uint32_t max_frame;
	bool frame_from_mtu;
	uint8_t host_mac[6];
	uint8_t guest_mac[6];
	int offload;
	unsigned nqueues;
	int fd;
	int qfd[SQN_MAX_QUEUES];

	sqn_log_fn log;
	void *log_opaque;
	enum sqn_log_level log_level;

	struct sqn_counters ctr;
	struct sqn_fp fp;
	bool stopped;
	_Atomic int link_up;
	pthread_mutex_t msg_lock;
	char link_why[SQN_MSG_LEN];
	char last_error[SQN_MSG_LEN];
	struct sqn_ipol *pol;
};

/* backends.c: the one place that maps a mode to its table */
const struct sqn_backend_ops *sqn_backend_for(enum sqn_mode mode);
int sqn_backend_list_supported(char *buf, size_t len);
const char *sqn_mode_list(char *buf, size_t len);
const char *sqn_mode_no_forwards(enum sqn_mode mode);

/**
 * sqn_mtu_frame() - the frame an MTU-sized packet makes
 * @mtu:	the MTU
 *
 * Return: @mtu plus the Ethernet header (SQN_FRAME_MIN bytes)
 */
static inline uint32_t sqn_mtu_frame(uint32_t mtu)
{
	return mtu + SQN_FRAME_MIN;
}

/* iface.c: what a backend negotiated, reported to the core */
void sqn_iface_negotiated(struct sqn_iface *iface, uint32_t mtu,
			  uint32_t max_frame);

/* log.c */
void sqn_log(struct sqn_iface *iface, enum sqn_log_level level, const char *fmt,
	     ...) SQN_PRINTF(3, 4);
int sqn_seterr(struct sqn_iface *iface, int err, const char *fmt, ...)
	SQN_PRINTF(3, 4);
int sqn_vseterr(struct sqn_iface *iface, int err, const char *fmt, va_list ap)
	SQN_PRINTF(3, 0);
void sqn_set_link(struct sqn_iface *iface, bool up, const char *fmt, ...)
	SQN_PRINTF(3, 4);
bool sqn_log_every(uint64_t count);

/* params.c: pure validation of the common parameters */
int sqn_params_check(struct sqn_iface *iface, const struct sqn_params *p);
int sqn_check_host_dev_name(struct sqn_iface *iface, const char *name);

/* ids.c */
int sqn_random_bytes(void *buf, size_t len);
uint64_t sqn_hash64(const void *data, size_t len, uint64_t seed);

#endif /* SQN_INTERNAL_H */
