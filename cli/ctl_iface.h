/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_iface.h - the control protocol's commands on one library interface:
 *		 run's interface and serve's uplink answer them alike
 */
#ifndef SQN_CTL_IFACE_H
#define SQN_CTL_IFACE_H

#include <stdbool.h>

#include "ctl_proto.h"
#include "squibnet.h"

int ctl_iface_err(struct sqn_iface *iface, const char *field, int rc,
		  struct ctl_err *err);
void ctl_iface_stats(struct sqn_iface *iface, struct ctl_stats *s,
		     struct sqn_stats_ext *st, struct ctl_counter *c);
int ctl_iface_forward(struct sqn_iface *iface, const struct ctl_req *req,
		      bool add, struct ctl_err *err);
void ctl_req_capture(const struct ctl_req *req, struct sqn_capture *cap);
int ctl_iface_capture_start(struct sqn_iface *iface, const struct ctl_req *req,
			    struct ctl_err *err);
int ctl_iface_capture_stop(struct sqn_iface *iface, struct ctl_w *w,
			   struct ctl_err *err);

#endif /* SQN_CTL_IFACE_H */
