/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_vnet.c - libFuzzer target: the virtio-net header codec (src/vnet.c)
 *
 * Input: 12 bytes (shorter inputs are padded with zeros). Properties: a
 * header read from bytes writes back to the same bytes, and reads back to
 * the same header; nothing past the 12 bytes is touched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t w[SQN_VNET_HDR_LEN] = {0}, back[SQN_VNET_HDR_LEN + 1];
	struct sqn_vnet_hdr h, h2;

	memcpy(w, data, size < sizeof(w) ? size : sizeof(w));
	sqn_vnet_from_wire(w, &h);
	back[SQN_VNET_HDR_LEN] = 0x5a;
	sqn_vnet_to_wire(&h, back);
	if (memcmp(w, back, sizeof(w)) || back[SQN_VNET_HDR_LEN] != 0x5a)
		abort();
	sqn_vnet_from_wire(back, &h2);
	if (memcmp(&h, &h2, sizeof(h)))
		abort();
	return 0;
}
