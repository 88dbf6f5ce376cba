/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sni.c - the server name of a TLS ClientHello (pure)
 *
 * Theory of operation: a TLS client's first bytes are a handshake record
 * (type 22, version 3.x) holding a ClientHello (handshake type 1): legacy
 * version, random, session id, cipher suites, compression methods, then
 * extensions, among them server_name (RFC 6066 3) with its host_name.
 * sqn_sni_parse() reads those fields with a cursor that knows two ends:
 * the bytes the caller has (running past them is SQN_SNI_MORE: the rest
 * of the hello is in a later segment) and the lengths the hello declares
 * (running past those is SQN_SNI_BAD). So the caller can feed the start
 * of a stream, and feed it again with more bytes.
 *
 * Limits (the egress policy's documentation repeats them):
 *  - one handshake message in one TLS record: a ClientHello fragmented
 *    over several records (legal, not seen from common clients) is BAD;
 *  - Encrypted Client Hello (the extension 0xfe0d): the name found is the
 *    outer, public one; @ech says the extension was seen before the name;
 *  - no server_name extension (a client connecting to an address) is
 *    NONE.
 */
#include <string.h>

#include "sni.h"

#define TLS_HANDSHAKE 22
#define TLS_CLIENT_HELLO 1
#define TLS_REC_HLEN 5
#define TLS_HS_HLEN 4
/* a record's plaintext is at most 2^14 bytes; allow the ciphertext bound
 * (RFC 8446 5.2) rather than refuse an odd but valid client */
#define TLS_REC_MAX (16384 + 2048)
#define EXT_SERVER_NAME 0
#define EXT_ECH 0xfe0d
#define SNI_HOST_NAME 0

/**
 * struct cur - a cursor over the hello
 * @d:		the bytes
 * @pos:	next byte
 * @have:	bytes the caller gave
 * @end:	end of the hello as declared
 */
struct cur {
	const uint8_t *d;
	size_t pos;
	size_t have;
	size_t end;
};

/**
 * need() - whether @n more bytes can be read
 * @c:	the cursor
 * @n:	bytes wanted
 *
 * Return: SQN_SNI_FOUND (meaning "yes"), SQN_SNI_BAD past the declared
 * end, SQN_SNI_MORE past the bytes given
 */
static enum sqn_sni_result need(const struct cur *c, size_t n)
{
	if (n > c->end - c->pos)
		return SQN_SNI_BAD;
	if (c->pos + n > c->have)
		return SQN_SNI_MORE;
	return SQN_SNI_FOUND;
}

/**
 * get16() - big-endian 16 bits at the cursor (checked by the caller)
 * @c:	the cursor
 *
 * Return: the value
 */
static size_t get16(const struct cur *c)
{
	return (size_t)c->d[c->pos] << 8 | c->d[c->pos + 1];
}

/**
 * skip_vec() - step over a vector with a 1- or 2-byte length
 * @c:		the cursor
 * @lbytes:	1 or 2
 * @max:	longest length allowed
 *
 * Return: SQN_SNI_FOUND when stepped over, else SQN_SNI_MORE or _BAD
 */
static enum sqn_sni_result skip_vec(struct cur *c, size_t lbytes, size_t max)
{
	enum sqn_sni_result r = need(c, lbytes);
	size_t n;

	if (r != SQN_SNI_FOUND)
		return r;
	n = lbytes == 1 ? c->d[c->pos] : get16(c);
	if (n > max || n > c->end - c->pos - lbytes)
		return SQN_SNI_BAD;
	c->pos += lbytes + n;
	return SQN_SNI_FOUND;
}

/**
 * copy_name() - check a host_name and copy it in lower case
 * @s:		the name
 * @n:		its length
 * @name:	the copy, NUL-terminated, trailing dot removed
 * @cap:	its size
 *
 * Return: SQN_SNI_FOUND, or SQN_SNI_BAD for a name that is not a DNS host
 * name (empty label, a byte other than letter, digit, '-', '_', '.') or
 * does not fit
 */
static enum sqn_sni_result copy_name(const uint8_t *s, size_t n, char *name,
				     size_t cap)
{
	size_t i, lab = 0;

	if (n && s[n - 1] == '.')
		n--;
	if (!n || n > SQN_SNI_NAME_MAX || n >= cap)
		return SQN_SNI_BAD;
	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (uint8_t)(c + 32);
		if (c == '.') {
			if (!lab)
				return SQN_SNI_BAD;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			   c == '-' || c == '_') {
			if (++lab > 63)
				return SQN_SNI_BAD;
		} else {
			return SQN_SNI_BAD;
		}
		name[i] = (char)c;
	}
	if (!lab) /* "a.." : the last label is empty */
		return SQN_SNI_BAD;
	name[n] = '\0';
	return SQN_SNI_FOUND;
}

/**
 * server_name() - read a server_name extension's body
 * @c:		the cursor at the body (wholly given and declared)
 * @elen:	its length
 * @name:	gets the host name
 * @cap:	its size
 *
 * Return: SQN_SNI_FOUND, SQN_SNI_NONE when the list holds no host_name,
 * or SQN_SNI_BAD
 */
static enum sqn_sni_result server_name(const struct cur *c, size_t elen,
				       char *name, size_t cap)
{
	const uint8_t *e = c->d + c->pos;
	size_t list, i;

	if (elen < 2)
		return SQN_SNI_BAD;
	list = (size_t)e[0] << 8 | e[1];
	if (list != elen - 2)
		return SQN_SNI_BAD;
	for (i = 2; i < elen;) {
		size_t n;

		if (elen - i < 3)
			return SQN_SNI_BAD;
		n = (size_t)e[i + 1] << 8 | e[i + 2];
		if (n > elen - i - 3)
			return SQN_SNI_BAD;
		if (e[i] == SNI_HOST_NAME)
			return copy_name(e + i + 3, n, name, cap);
		i += 3 + n;
	}
	return SQN_SNI_NONE;
}

/**
 * extensions() - find server_name among the extensions
 * @c:		the cursor at the extensions' length
 * @name:	gets the host name
 * @cap:	its size
 * @ech:	set when the ECH extension is seen before the name
 *
 * Return: the parse's result
 */
static enum sqn_sni_result extensions(struct cur *c, char *name, size_t cap,
				      bool *ech)
{
	enum sqn_sni_result r = need(c, 2);
	size_t end;

	if (r != SQN_SNI_FOUND)
		return r;
	end = c->pos + 2 + get16(c);
	if (end > c->end)
		return SQN_SNI_BAD;
	c->pos += 2;
	c->end = end;
	while (c->pos < end) {
		size_t type, elen;

		r = need(c, 4);
		if (r != SQN_SNI_FOUND)
			return r;
		type = get16(c);
		c->pos += 2;
		elen = get16(c);
		c->pos += 2;
		if (elen > end - c->pos)
			return SQN_SNI_BAD;
		if (type == EXT_ECH)
			*ech = true;
		if (type == EXT_SERVER_NAME) {
			r = need(c, elen);
			if (r != SQN_SNI_FOUND)
				return r;
			r = server_name(c, elen, name, cap);
			if (r != SQN_SNI_NONE)
				return r;
		}
		c->pos += elen;
	}
	return SQN_SNI_NONE;
}

/**
 * sqn_sni_parse() - the host name a TLS stream's ClientHello asks for
 * @data:	the stream's first bytes (a TCP connection's payload)
 * @len:	how many
 * @name:	gets the name, lower case, no trailing dot, NUL-terminated
 * @cap:	its size, SQN_SNI_NAME_MAX + 1 for any name
 * @ech:	set when an Encrypted Client Hello extension comes before the
 *		name (then the name is the outer, public one)
 *
 * Return: see enum sqn_sni_result; @name is set for SQN_SNI_FOUND only
 */
enum sqn_sni_result sqn_sni_parse(const uint8_t *data, size_t len, char *name,
				  size_t cap, bool *ech)
{
	struct cur c = {.d = data, .have = len};
	enum sqn_sni_result r;
	size_t rl, hl;

	*ech = false;
	if ((len >= 1 && data[0] != TLS_HANDSHAKE) ||
	    (len >= 2 && data[1] != 3))
		return SQN_SNI_NOT_HELLO;
	if (len >= 6 && data[5] != TLS_CLIENT_HELLO)
		return SQN_SNI_NOT_HELLO;
	if (len < TLS_REC_HLEN + TLS_HS_HLEN)
		return SQN_SNI_MORE;
	rl = (size_t)data[3] << 8 | data[4];
	hl = (size_t)data[6] << 16 | (size_t)data[7] << 8 | data[8];
	if (!rl || rl > TLS_REC_MAX || hl + TLS_HS_HLEN > rl)
		return SQN_SNI_BAD; /* also: a hello spanning records */
	c.pos = TLS_REC_HLEN + TLS_HS_HLEN;
	c.end = c.pos + hl;
	r = need(&c, 2 + 32); /* legacy version, random */
	if (r != SQN_SNI_FOUND)
		return r;
	c.pos += 2 + 32;
	r = skip_vec(&c, 1, 32); /* session id */
	if (r == SQN_SNI_FOUND)
		r = skip_vec(&c, 2, 65534); /* cipher suites */
	if (r == SQN_SNI_FOUND)
		r = skip_vec(&c, 1, 255); /* compression methods */
	if (r != SQN_SNI_FOUND)
		return r;
	if (c.pos == c.end)
		return SQN_SNI_NONE; /* no extensions at all */
	return extensions(&c, name, cap, ech);
}
