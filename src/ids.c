/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ids.c - MAC addresses, interface ids and TAP names (pure, no I/O but
 *	   the random bytes of sqn_mac_generate())
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/**
 * hexval() - value of one hex digit
 * @c:	the character
 *
 * Return: 0..15, or -1 if @c is not a hex digit
 */
static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

SQN_API int sqn_mac_parse(const char *s, uint8_t mac[6])
{
	uint8_t out[6];
	int i;

	if (!s || !mac)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo;

		if (hi < 0)
			return -EINVAL;
		lo = hexval(s[1]);
		if (lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	memcpy(mac, out, 6);
	return 0;
}

SQN_API int sqn_mac_parse_msg(const char *s, uint8_t mac[6], char *err,
			      size_t errlen)
{
	const char *p, *start;
	int octets = 1, i;

	if (sqn_mac_parse(s, mac) == 0)
		return 0;
	if (!err || !errlen)
		return -EINVAL;
	if (!s || !*s) {
		snprintf(err, errlen,
			 "MAC address is empty: give six two-digit "
			 "hex octets, e.g. 06:00:12:34:56:78");
		return -EINVAL;
	}
	for (p = s; *p; p++)
		octets += *p == ':';
	if (octets != 6) {
		snprintf(err, errlen,
			 "MAC address '%.40s' has %d octet%s: a MAC has six "
			 "two-digit hex octets separated by colons, e.g. "
			 "06:00:12:34:56:78",
			 s, octets, octets == 1 ? "" : "s");
		return -EINVAL;
	}
	for (start = s, i = 1;; i++) {
		for (p = start; *p && *p != ':'; p++)
			;
		if (p - start != 2 || hexval(start[0]) < 0 ||
		    hexval(start[1]) < 0) {
			snprintf(err, errlen,
				 "MAC address '%.40s': octet %d '%.*s' is not "
				 "two hex digits (0-9, a-f)",
				 s, i, (int)(p - start > 8 ? 8 : p - start),
				 start);
			return -EINVAL;
		}
		if (!*p)
			break;
		start = p + 1;
	}
	snprintf(err, errlen, "MAC address '%.40s' is malformed", s);
	return -EINVAL;
}

SQN_API char *sqn_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * sqn_random_bytes() - fill @buf from the kernel's random source
 * @buf:	destination
 * @len:	bytes, at most 256
 *
 * Return: 0, or a negative errno
 */
int sqn_random_bytes(void *buf, size_t len)
{
	if (getentropy(buf, len) < 0)
		return -errno;
	return 0;
}

SQN_API int sqn_mac_generate(uint8_t mac[6])
{
	int rc;

	mac[0] = 0x06; /* locally administered (bit 1), unicast (bit 0 clear) */
	mac[1] = 0x00;
	rc = sqn_random_bytes(mac + 2, 4);
	return rc;
}

SQN_API int sqn_iface_id_valid(const char *id)
{
	size_t n;

	if (!id)
		return 0;
	for (n = 0; id[n]; n++) {
		char c = id[n];

		if (n >= 64)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return n > 0;
}

/**
 * sqn_hash64() - FNV-1a over @len bytes, then a final avalanche
 * @data:	bytes
 * @len:	their number
 * @seed:	mixed in first
 *
 * Return: the 64-bit hash; stable across platforms and versions, since
 * TAP names and vmnet interface UUIDs are derived from it
 */
uint64_t sqn_hash64(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33; /* splitmix64 finaliser */
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

SQN_API int sqn_tap_name(const char *iface_id, char *buf, size_t len)
{
	static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
	static const char prefix[] = "squib-tap-";
	size_t idlen, room, i;
	uint64_t h;

	if (!sqn_iface_id_valid(iface_id))
		return -EINVAL;
	if (!buf || len < 12)
		return -ENOSPC;
	idlen = strlen(iface_id);
	if (sizeof(prefix) - 1 + idlen < len) {
		snprintf(buf, len, "%s%s", prefix, iface_id);
		return 0;
	}
	/*
	 * Too long: "squib-" and as many base32 hash characters as fit. The
	 * short form has no '-' after "squib-", the long form always does, so
	 * the two never collide; two long ids collide only if their 64-bit
	 * hashes agree in the bits kept (45 bits with a 16-byte buffer).
	 */
	h = sqn_hash64(iface_id, idlen, 0);
	room = SQN_MIN(len - 1 - 6, (size_t)12);
	memcpy(buf, "squib-", 6);
	for (i = 0; i < room; i++) {
		buf[6 + i] = b32[h & 31];
		h >>= 5;
	}
	buf[6 + room] = '\0';
	return 0;
}
