/* SPDX-License-Identifier: Apache-2.0 */
/*
 * be.h - big-endian (network order) loads and stores of 16 and 32 bits at
 *	  any alignment (pure, header only)
 */
#ifndef SQN_BE_H
#define SQN_BE_H

#include <stdint.h>

/**
 * sqn_get16() - load big-endian 16 bits
 * @p:	where
 *
 * Return: the value
 */
static inline uint16_t sqn_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * sqn_get32() - load big-endian 32 bits
 * @p:	where
 *
 * Return: the value
 */
static inline uint32_t sqn_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/**
 * sqn_put16() - store big-endian 16 bits
 * @p:	where
 * @v:	the value (bits above 16 ignored)
 */
static inline void sqn_put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * sqn_put32() - store big-endian 32 bits
 * @p:	where
 * @v:	the value
 */
static inline void sqn_put32(uint8_t *p, uint32_t v)
{
	sqn_put16(p, v >> 16);
	sqn_put16(p + 2, v);
}

#endif /* SQN_BE_H */
