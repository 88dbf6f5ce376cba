/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_util.h - helpers shared by the fuzz targets: take typed values and
 *		 strings from the fuzzer's bytes, and fail loudly
 *
 * A reader never fails: past the end of the input it yields zeros and
 * empty strings, so every input is a valid test case.
 */
#ifndef SQN_FUZZ_UTIL_H
#define SQN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/**
 * struct fz - a cursor over the fuzzer's input
 * @p:	next byte
 * @n:	bytes left
 */
struct fz {
	const uint8_t *p;
	size_t n;
};

/**
 * FZ_REQUIRE() - a property of the code under test; abort (a crash the
 *		  fuzzer keeps) with the condition when it does not hold
 */
#define FZ_REQUIRE(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: property violated: %s\n",      \
				__FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/**
 * fz_u8() - next byte
 * @f:	the cursor
 *
 * Return: the byte, 0 past the end
 */
static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

/**
 * fz_u32() - next four bytes, little-endian
 * @f:	the cursor
 *
 * Return: the value (missing bytes read as 0)
 */
static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u8(f);

	v |= (uint32_t)fz_u8(f) << 8;
	v |= (uint32_t)fz_u8(f) << 16;
	v |= (uint32_t)fz_u8(f) << 24;
	return v;
}

/**
 * fz_str() - a NUL-terminated string of up to @max bytes from the input
 * @f:		the cursor
 * @max:	longest string
 *
 * The length comes from the next byte. The copy is malloc'd to its exact
 * size, so AddressSanitizer sees any read past its end.
 *
 * Return: the string (caller frees), never NULL unless out of memory
 */
static inline char *fz_str(struct fz *f, size_t max)
{
	size_t len = fz_u8(f);
	char *s;

	if (len > max)
		len = max;
	if (len > f->n)
		len = f->n;
	s = malloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, f->p, len);
	s[len] = '\0';
	f->p += len;
	f->n -= len;
	return s;
}

/**
 * fz_sum() - a one's complement sum of big-endian 16-bit words, folded: a
 *	      reference for the library's checksums, written independently
 * @p:		bytes
 * @n:		their number (an odd last byte is padded with zero)
 * @sum:	running sum (a 16-bit value or an earlier fz_sum())
 *
 * Return: the folded sum, not complemented (0xffff over data that includes
 * its correct checksum)
 */
static inline uint32_t fz_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		sum += (uint32_t)p[i] << 8 | p[i + 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (n & 1) {
		sum += (uint32_t)p[n - 1] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

#endif /* SQN_FUZZ_UTIL_H */
