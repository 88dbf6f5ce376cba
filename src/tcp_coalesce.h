/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tcp_coalesce.h - merge a guest's consecutive TCP segments (pure)
 */
#ifndef SQN_TCP_COALESCE_H
#define SQN_TCP_COALESCE_H

#include <stdbool.h>
#include <stdint.h>

#include "squibnet.h"

/**
 * struct sqn_tcp_run - a run of one flow's segments being merged in place
 * @hlen:	Ethernet, IP and TCP header length
 * @len:	frame length so far
 * @next_seq:	sequence number the next segment must start at
 * @ack:	the last segment's acknowledgement number
 * @mss:	the first segment's payload length (the GSO size)
 * @last:	the last segment's payload length
 * @segs:	segments in the run
 */
struct sqn_tcp_run {
	uint32_t hlen;
	uint32_t len;
	uint32_t next_seq;
	uint32_t ack;
	uint32_t mss;
	uint32_t last;
	unsigned segs;
};

bool sqn_tcp_run_start(struct sqn_tcp_run *r, const uint8_t *out, uint32_t len);
bool sqn_tcp_run_append(struct sqn_tcp_run *r, uint8_t *out, uint32_t cap,
			const uint8_t *frame, uint32_t len);
uint32_t sqn_tcp_run_finish(const struct sqn_tcp_run *r, uint8_t *out,
			    struct sqn_vnet_hdr *h);
unsigned sqn_tcp_coalesce(const struct sqn_frame *f, unsigned n, uint8_t *out,
			  uint32_t max, uint32_t *out_len,
			  struct sqn_vnet_hdr *gso);

#endif /* SQN_TCP_COALESCE_H */
