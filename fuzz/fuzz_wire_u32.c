/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_wire_u32.c - libFuzzer target: the u32-BE stream decoder (qemu, passt)
 */
#include "wire_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_stream(SQN_WIRE_U32BE, data, size);
}
