/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vnet.h - the virtio-net header as a TAP carries it (12 bytes,
 *	    little-endian, virtio 1.x) to and from struct sqn_vnet_hdr (pure)
 *
 * Compiled into the library (the tap backend) and into the command (the
 * relay's TAP in the namespace); nothing here is exported.
 */
#ifndef SQN_VNET_H
#define SQN_VNET_H

#include <stdint.h>

#include "squibnet.h"

/* struct virtio_net_hdr_mrg_rxbuf: with num_buffers, as TUNSETVNETHDRSZ 12 */
#define SQN_VNET_HDR_LEN 12

void sqn_vnet_from_wire(const uint8_t *w, struct sqn_vnet_hdr *h);
void sqn_vnet_to_wire(const struct sqn_vnet_hdr *h, uint8_t *w);

#endif /* SQN_VNET_H */
