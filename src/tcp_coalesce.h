/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_coalesce.h - merge a guest's consecutive TCP segments (pure)
 */
#ifndef SQN_TCP_COALESCE_H
#define SQN_TCP_COALESCE_H

#include <stdint.h>

#include "squibnet.h"

unsigned sqn_tcp_coalesce(const struct sqn_frame *f, unsigned n, uint8_t *out,
			  uint32_t max, uint32_t *out_len,
			  struct sqn_vnet_hdr *gso);
int sqn_csum_complete(uint8_t *frame, uint32_t len,
		      const struct sqn_vnet_hdr *h);
uint16_t sqn_csum(const void *data, uint32_t len, uint64_t sum);

#endif /* SQN_TCP_COALESCE_H */
