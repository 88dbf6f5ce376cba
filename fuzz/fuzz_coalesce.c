/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_coalesce.c - the TCP segment coalescer on arbitrary frame batches
 *
 * The input is a sequence of frames, each a 2-byte little-endian length
 * and its bytes (at most 32 frames). Invariants: the result is 1..n; a merge
 * fits the buffer and carries valid IPv4 and TCP checksums. The same batch
 * through the in-place run API (sqn_tcp_run_*): it never leaves 64 KiB, and
 * a merged run has a valid IPv4 checksum and a partial TCP one that
 * completes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "tcp_coalesce.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65535 + 14], ph[12 + 65535];
	struct sqn_frame f[SQN_BATCH];
	uint8_t *copy[SQN_BATCH];
	unsigned n = 0, k, i;
	uint32_t len = 0, tcplen;

	while (size >= 2 && n < SQN_BATCH) {
		size_t l = (size_t)(data[0] | data[1] << 8);

		data += 2;
		size -= 2;
		if (l > size)
			l = size;
		copy[n] =
			malloc(l ? l : 1); /* exact size: ASan sees overreads */
		if (!copy[n])
			break;
		memcpy(copy[n], data, l);
		f[n] = (struct sqn_frame){.data = copy[n], .len = (uint32_t)l};
		n++;
		data += l;
		size -= l;
	}
	k = sqn_tcp_coalesce(f, n, out, sizeof(out), &len, NULL);
	if (k < 1 || (n && k > n) || (!n && k != 1))
		abort();
	if (k > 1) {
		if (len > sizeof(out) || len < 14 + 40)
			abort();
		if (sqn_csum(out + 14, 20, 0))
			abort();
		tcplen = len - 14 - 20;
		memcpy(ph, out + 14 + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		ph[10] = (uint8_t)(tcplen >> 8);
		ph[11] = (uint8_t)tcplen;
		memcpy(ph + 12, out + 34, tcplen);
		if (sqn_csum(ph, 12 + tcplen, 0))
			abort();
	}
	/* the in-place run (trusted input, no checksum check): it stays in
	 * its buffer, and a merged run's partial checksum completes */
	if (n && f[0].len <= sizeof(out)) {
		struct sqn_tcp_run r;
		struct sqn_vnet_hdr h;

		memcpy(out, f[0].data, f[0].len);
		if (sqn_tcp_run_start(&r, out, f[0].len)) {
			for (k = 1; k < n; k++)
				if (!sqn_tcp_run_append(&r, out, sizeof(out),
							f[k].data, f[k].len))
					break;
			len = sqn_tcp_run_finish(&r, out, &h);
			if (len > 65535 || len < 14 + 40 ||
			    (k > 1 && !(h.flags & SQN_VNET_HDR_F_NEEDS_CSUM)))
				abort();
			if (sqn_csum_complete(out, len, &h))
				abort();
			if (k > 1 && sqn_csum(out + 14, 20, 0))
				abort();
		}
	}
	for (i = 0; i < n; i++)
		free(copy[i]);
	return 0;
}
