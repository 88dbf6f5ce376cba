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

/*
 * The offload hello on a u32-BE stream (socket mode with offloads, and
 * squib-net serve): one record of 12 bytes, "SQN-VNET", a u16-BE version
 * (1) and the u16-BE header length (12). A record shorter than an Ethernet
 * header is never a frame: a peer that does not know the hello refuses it
 * (serve resets the connection; QEMU, passt drop it) and never answers
 * with it. The client sends it first and waits for the same record back;
 * from then on every record either way is the 12-byte virtio-net header,
 * then the frame (the length counts both).
 */
#define SQN_VNET_HELLO_PAYLOAD 12
#define SQN_VNET_HELLO_LEN (4 + SQN_VNET_HELLO_PAYLOAD)

void sqn_vnet_hello(uint8_t rec[SQN_VNET_HELLO_LEN]);
int sqn_vnet_is_hello(const uint8_t *payload, uint32_t len);
void sqn_vnet_from_wire(const uint8_t *w, struct sqn_vnet_hdr *h);
void sqn_vnet_to_wire(const struct sqn_vnet_hdr *h, uint8_t *w);

#endif /* SQN_VNET_H */
