/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wire_u16.c - libFuzzer target: the u16-LE stream decoder (gvproxy
 *		     -listen-stdio)
 */
#include "wire_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_stream(SQN_WIRE_U16LE, data, size);
}
