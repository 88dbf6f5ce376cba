/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iface_policy.h - the egress policy in the library core (iface_policy.c):
 *		    what iface.c calls on start, write, read and free
 *
 * On write, iface.c begins a call with sqn_ipol_tx_begin(); with an engine
 * it asks sqn_ipol_tx() once per frame, in order, and settles each denied
 * frame with sqn_ipol_denied() (before it judges another: the replies are
 * kept in struct sqn_ipol_tx until then). On read, sqn_ipol_rx() goes over
 * what the backend filled.
 */
#ifndef SQN_IFACE_POLICY_H
#define SQN_IFACE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "squibnet.h"

struct sqn_iface;

/**
 * struct sqn_ipol_tx - one write call's policy state
 * @eng:	the engine, NULL when the interface has no policy
 * @now:	the time of the call (ms, CLOCK_MONOTONIC)
 * @out:	the last verdict's extras
 * @reply:	its frame to the guest
 * @net:	its frame to the network
 */
struct sqn_ipol_tx {
	struct sqn_policy *eng;
	uint64_t now;
	struct sqn_policy_out out;
	uint8_t reply[SQN_POLICY_REPLY_MAX];
	uint8_t net[SQN_POLICY_REPLY_MAX];
};

int sqn_ipol_init(struct sqn_iface *iface);
int sqn_ipol_check(struct sqn_iface *iface, const struct sqn_params *p);
int sqn_ipol_start(struct sqn_iface *iface);
void sqn_ipol_free(struct sqn_iface *iface);
void sqn_ipol_tx_begin(struct sqn_iface *iface, struct sqn_ipol_tx *t);
bool sqn_ipol_tx(struct sqn_ipol_tx *t, const struct sqn_frame *f);
void sqn_ipol_denied(struct sqn_iface *iface, unsigned q,
		     struct sqn_ipol_tx *t);
int sqn_ipol_rx(struct sqn_iface *iface, struct sqn_frame *f, int n);
uint64_t sqn_ipol_denied_count(const struct sqn_iface *iface);

#endif /* SQN_IFACE_POLICY_H */
