/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csum.h - the Internet checksum, and completing a virtio-net partial
 *	    checksum (pure)
 */
#ifndef SQN_CSUM_H
#define SQN_CSUM_H

#include <stdint.h>

#include "squibnet.h"

uint64_t sqn_csum_add(const uint8_t *data, uint32_t len, uint64_t sum);
uint16_t sqn_csum(const void *data, uint32_t len, uint64_t sum);
uint64_t sqn_csum_pseudo(const uint8_t *addrs, uint32_t alen, uint8_t proto,
			 uint32_t len);
int sqn_csum_complete(uint8_t *frame, uint32_t len,
		      const struct sqn_vnet_hdr *h);

#endif /* SQN_CSUM_H */
