/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gso.h - cut a GSO frame (a virtio-net header's TCP segmentation offload)
 *	   into the MTU-sized segments it stands for, checksums complete
 *	   (pure)
 */
#ifndef SQN_GSO_H
#define SQN_GSO_H

#include <stdint.h>

#include "squibnet.h"

/* most segments one frame is cut into (a GSO size of 64 at 64 KiB) */
#define SQN_GSO_SEGS_MAX 1024u
/* headers one segment repeats, at most: Ethernet, IPv4 with options or
 * IPv6, TCP with options */
#define SQN_GSO_HDR_MAX (14u + 60u + 60u)
/* room that always holds what a frame of up to SQN_FRAME_MAX bytes is cut
 * into */
#define SQN_GSO_OUT_MAX (SQN_FRAME_MAX + SQN_GSO_SEGS_MAX * SQN_GSO_HDR_MAX)

/**
 * struct sqn_gso_seg - one segment, in the caller's output buffer
 * @data:	its first byte
 * @len:	its length
 */
struct sqn_gso_seg {
	uint8_t *data;
	uint32_t len;
};

int sqn_gso_needed(const struct sqn_vnet_hdr *h);
int sqn_gso_segment(const uint8_t *frame, uint32_t len,
		    const struct sqn_vnet_hdr *h, uint8_t *out, uint32_t cap,
		    struct sqn_gso_seg *seg, unsigned max);

#endif /* SQN_GSO_H */
