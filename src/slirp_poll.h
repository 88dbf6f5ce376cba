/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slirp_poll.h - libslirp's sockets in a readiness set, and its timers, for
 *		  the slirp backend (slirp_poll.c)
 */
#ifndef SQN_SLIRP_POLL_H
#define SQN_SLIRP_POLL_H

#include <stdbool.h>
#include <stdint.h>

#include <libslirp.h>

#include "internal.h"
#include "poller.h"

#define SQN_SLIRP_MAX_TIMERS 8
/* the tag of the one fd in the set that is not libslirp's (the waker) */
#define SQN_SLIRP_TAG_WAKER UINT64_MAX
#define SQN_SLIRP_NO_DEADLINE INT64_MAX

/**
 * struct sqn_slirp_fd - what is known about one fd number
 * @reg:	SQN_POLL_* bits registered, | SLIRP_FD_REG; 0: not in the set
 * @want:	bits libslirp asked for in the current fill
 * @revents:	SLIRP_POLL_* bits from the last collection
 * @idx:	its index in the current fill
 * @want_gen:	fill generation @want belongs to
 * @rev_gen:	collection generation @revents belongs to
 */
struct sqn_slirp_fd {
	uint8_t reg;
	uint8_t want;
	uint8_t revents;
	int idx;
	uint32_t want_gen;
	uint32_t rev_gen;
};

/**
 * struct sqn_slirp_set - the readiness set and what libslirp asked of it
 * @iface:	the interface, for logs
 * @poller:	the set (the interface's fd)
 * @fds:	per-fd state, indexed by fd number, @nfds entries
 * @nfds:	size of @fds
 * @round:	fds of the last two fills: @round[@cur] is the current one
 *		(index = the idx libslirp got), the other the one before
 * @nround:	entries used in each @round
 * @cround:	capacity of each @round
 * @cur:	which @round is current
 * @gen:	fill generation
 * @rgen:	revents collection generation
 */
struct sqn_slirp_set {
	struct sqn_iface *iface;
	struct sqn_poller poller;
	struct sqn_slirp_fd *fds;
	unsigned nfds;
	int *round[2];
	unsigned nround[2];
	unsigned cround;
	unsigned cur;
	uint32_t gen;
	uint32_t rgen;
};

/**
 * struct sqn_slirp_timer - one libslirp timer
 * @used:	slot taken
 * @armed:	@expire_ms is set
 * @expire_ms:	when it fires, on the CLOCK_MONOTONIC millisecond scale
 * @id:		timer id, for slirp_handle_timer() (timer_new_opaque)
 * @cb_opaque:	libslirp's argument for the timer
 * @cb:		legacy timer_new() callback, NULL for an opaque timer
 */
struct sqn_slirp_timer {
	bool used;
	bool armed;
	int64_t expire_ms;
	SlirpTimerId id;
	void *cb_opaque;
	SlirpTimerCb cb;
};

/**
 * struct sqn_slirp_timers - libslirp's timers, in a small fixed array
 * @iface:	the interface, for logs
 * @t:		the timers
 * @next:	earliest armed timer (ms), SQN_SLIRP_NO_DEADLINE if none
 */
struct sqn_slirp_timers {
	struct sqn_iface *iface;
	struct sqn_slirp_timer t[SQN_SLIRP_MAX_TIMERS];
	int64_t next;
};

int sqn_slirp_set_open(struct sqn_slirp_set *s, struct sqn_iface *iface);
void sqn_slirp_set_close(struct sqn_slirp_set *s);
uint32_t sqn_slirp_set_sync(struct sqn_slirp_set *s, Slirp *slirp);
void sqn_slirp_set_poll(struct sqn_slirp_set *s, Slirp *slirp);
void sqn_slirp_set_drop(struct sqn_slirp_set *s, int fd);

void sqn_slirp_timers_init(struct sqn_slirp_timers *ts,
			   struct sqn_iface *iface);
void sqn_slirp_timers_run(struct sqn_slirp_timers *ts, Slirp *slirp,
			  int64_t now);
struct sqn_slirp_timer *sqn_slirp_timer_new(struct sqn_slirp_timers *ts,
					    SlirpTimerCb cb, SlirpTimerId id,
					    void *cb_opaque);
void sqn_slirp_timer_free(struct sqn_slirp_timers *ts,
			  struct sqn_slirp_timer *t);
void sqn_slirp_timer_mod(struct sqn_slirp_timers *ts, struct sqn_slirp_timer *t,
			 int64_t expire_ms);

#endif /* SQN_SLIRP_POLL_H */
