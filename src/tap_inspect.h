/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tap_inspect.h - what RTNL says about a TAP device, and the message that
 *		   explains why it cannot be attached (tap_inspect_linux.c)
 */
#ifndef SQN_TAP_INSPECT_H
#define SQN_TAP_INSPECT_H

#include <stdbool.h>

#include "internal.h"

/**
 * struct sqn_tap_info - what RTNL says about a device, for error messages
 * @known:	the query answered
 * @exists:	a device of that name exists in this network namespace
 * @kind:	its link kind ("tun", "veth", ...), "" if it has none
 * @tun_type:	IFF_TUN or IFF_TAP for a tun device, else 0
 * @mq:		created with multi_queue (-1 unknown)
 * @persist:	persistent (-1 unknown)
 * @owner:	owning uid, -1 if none
 * @group:	owning gid, -1 if none
 */
struct sqn_tap_info {
	bool known;
	bool exists;
	char kind[16];
	int tun_type;
	int mq;
	int persist;
	long owner;
	long group;
};

void sqn_tap_inspect(const char *name, struct sqn_tap_info *ti);
int sqn_tap_explain(struct sqn_iface *iface, const char *name, int err,
		    unsigned nq, const struct sqn_tap_info *known);

#endif /* SQN_TAP_INSPECT_H */
