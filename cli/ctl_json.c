/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_json.c - a strict, bounded JSON parser and a JSON writer for the
 *		control protocol (pure)
 *
 * Theory of operation: the parser is a recursive descent over one line,
 * into an array of nodes in document order (depth and node count bounded
 * by the caller, strings decoded into the caller's arena: nothing is
 * allocated). It takes RFC 8259 as written and nothing more: objects,
 * arrays, strings with every escape and valid UTF-8 only (no overlong
 * forms, no surrogates, no \u0000), integers that fit 64 signed bits,
 * true and false; null, fractions and exponents are refused, as are
 * duplicate keys. Every refusal names the value it was reading by its
 * path ("rx_rate_limiter.bandwidth.size", "names[2]", or "request") and
 * the offset where it stopped. The writer appends to a fixed buffer and
 * notes an overflow instead of writing past it; what it writes, the parser
 * reads back to the same bytes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctl_json.h"

/* ------------------------------------------------------------------ */
/* errors                                                             */

/**
 * ctl_err_set() - fill an error: the field and a message
 * @e:		the error (may be NULL)
 * @field:	the field's path, "cmd" or "request"
 * @fmt:	printf format of the message
 */
void ctl_err_set(struct ctl_err *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	snprintf(e->field, sizeof(e->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                              */

/**
 * utf8_len() - length of the valid UTF-8 sequence at @s
 * @s:	bytes, the first >= 0x80
 * @n:	bytes available
 *
 * Refuses overlong forms, surrogates and code points above U+10FFFF.
 *
 * Return: 2..4, or 0 if the bytes are not valid UTF-8
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/**
 * utf8_put() - encode a code point
 * @out:	at least 4 bytes
 * @cp:		the code point, not a surrogate, at most U+10FFFF
 *
 * Return: bytes written
 */
static size_t utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* ------------------------------------------------------------------ */
/* JSON parser                                                        */

/**
 * struct jp - parser state
 * @s:		the text
 * @n:		its length
 * @i:		the next byte
 * @nodes:	the output
 * @max_nodes:	its size
 * @count:	nodes used
 * @max_depth:	deepest nesting allowed (the root object is depth 1)
 * @arena:	where strings are decoded
 * @arena_len:	its size
 * @used:	bytes of it used
 * @err:	the error
 */
struct jp {
	const char *s;
	size_t n;
	size_t i;
	struct ctl_jnode *nodes;
	unsigned max_nodes;
	unsigned count;
	unsigned max_depth;
	char *arena;
	size_t arena_len;
	size_t used;
	struct ctl_err *err;
};

/**
 * jp_field() - the path of a value being parsed, for a message
 * @p:		the parser
 * @parent:	its container, -1 for the root
 * @key:	its key, or NULL for an array element
 * @index:	its index in an array
 * @buf:	gets the path ("request" for the root)
 * @len:	size of @buf
 */
static void jp_field(const struct jp *p, int parent, const char *key,
		     unsigned index, char *buf, size_t len)
{
	size_t k;

	if (parent < 0) {
		snprintf(buf, len, "request");
		return;
	}
	k = ctl_json_path(p->nodes, parent, buf, len);
	if (key)
		snprintf(buf + k, len - k, "%s%s", k ? "." : "", key);
	else
		snprintf(buf + k, len - k, "[%u]", index);
	if (!buf[0])
		snprintf(buf, len, "request");
}

/**
 * jp_fail() - refuse the text, naming the value being parsed
 * @p:		the parser
 * @parent:	the value's container, -1 for the root
 * @key:	its key, or NULL
 * @index:	its index in an array
 * @fmt:	printf format of what is wrong
 *
 * The message starts with the field's path and ends with the offset of
 * the byte where the parser stopped (from 0).
 *
 * Return: -EINVAL
 */
static int jp_fail(struct jp *p, int parent, const char *key, unsigned index,
		   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int jp_fail(struct jp *p, int parent, const char *key, unsigned index,
		   const char *fmt, ...)
{
	char field[sizeof(p->err->field)], what[160];
	va_list ap;

	jp_field(p, parent, key, index, field, sizeof(field));
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ctl_err_set(p->err, field, "%s: %s (at offset %zu)", field, what, p->i);
	return -EINVAL;
}

/**
 * jp_ws() - skip whitespace (space, tab, CR, LF)
 * @p:	the parser
 */
static void jp_ws(struct jp *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
			       p->s[p->i] == '\r' || p->s[p->i] == '\n'))
		p->i++;
}

/**
 * jp_hex4() - four hex digits after \u
 * @p:		the parser, at the first digit
 * @out:	gets the value
 *
 * Return: 0, or -1 if they are not four hex digits
 */
static int jp_hex4(struct jp *p, uint32_t *out)
{
	uint32_t v = 0;
	int k;

	if (p->n - p->i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		char c = p->s[p->i + (size_t)k];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -1;
	}
	p->i += 4;
	*out = v;
	return 0;
}

/**
 * jp_unicode() - decode \uXXXX (and its low surrogate) at p->i
 * @p:		the parser, after "\u"
 * @cp:		gets the code point
 *
 * Return: NULL, or what is wrong
 */
static const char *jp_unicode(struct jp *p, uint32_t *cp)
{
	uint32_t lo;

	if (jp_hex4(p, cp))
		return "\\u needs four hex digits";
	if (*cp == 0)
		return "\\u0000 is not accepted";
	if (*cp >= 0xdc00 && *cp <= 0xdfff)
		return "a low surrogate \\u escape without a high one";
	if (*cp < 0xd800 || *cp > 0xdbff)
		return NULL;
	if (p->n - p->i < 2 || p->s[p->i] != '\\' || p->s[p->i + 1] != 'u')
		return "a high surrogate \\u escape without a low one";
	p->i += 2;
	if (jp_hex4(p, &lo) || lo < 0xdc00 || lo > 0xdfff)
		return "a high surrogate \\u escape without a low one";
	*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
	return NULL;
}

/**
 * jp_escape() - decode one escape after a backslash
 * @p:		the parser, at the character after the backslash
 * @out:	gets the bytes (at least 4)
 * @olen:	gets how many
 *
 * Return: NULL, or what is wrong
 */
static const char *jp_escape(struct jp *p, char *out, size_t *olen)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *k;
	uint32_t cp;
	const char *why;

	if (p->i >= p->n)
		return "the line ends inside a string";
	k = p->s[p->i] ? strchr(from, p->s[p->i]) : NULL;
	if (k) {
		p->i++;
		out[0] = to[k - from];
		*olen = 1;
		return NULL;
	}
	if (p->s[p->i] != 'u')
		return "an unknown escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t "
		       "\\uXXXX)";
	p->i++;
	why = jp_unicode(p, &cp);
	if (!why)
		*olen = utf8_put(out, cp);
	return why;
}

/**
 * jp_string() - decode a string into the arena
 * @p:		the parser, at the opening quote
 * @parent:	its container (for a message)
 * @key:	its key, or NULL (for a message)
 * @index:	its index in an array (for a message)
 * @out:	gets the decoded, NUL-terminated string
 * @olen:	gets its length
 *
 * Return: 0 or -EINVAL
 */
static int jp_string(struct jp *p, int parent, const char *key, unsigned index,
		     const char **out, size_t *olen)
{
	char *d = p->arena + p->used, tmp[4];
	size_t k = 0, m;
	const char *why;

	p->i++; /* the quote */
	for (;;) {
		unsigned char c;

		if (p->i >= p->n)
			return jp_fail(p, parent, key, index,
				       "the line ends inside a string");
		c = (unsigned char)p->s[p->i];
		if (c == '"')
			break;
		if (c == '\\') {
			p->i++;
			why = jp_escape(p, tmp, &m);
			if (why)
				return jp_fail(p, parent, key, index, "%s",
					       why);
		} else if (c < 0x20) {
			return jp_fail(p, parent, key, index,
				       "a control character (0x%02x) in a "
				       "string: escape it",
				       c);
		} else if (c < 0x80) {
			tmp[0] = (char)c;
			m = 1;
			p->i++;
		} else {
			m = utf8_len((const unsigned char *)p->s + p->i,
				     p->n - p->i);
			if (!m)
				return jp_fail(p, parent, key, index,
					       "a string that is not valid "
					       "UTF-8");
			memcpy(tmp, p->s + p->i, m);
			p->i += m;
		}
		if (p->used + k + m + 1 > p->arena_len)
			return jp_fail(p, parent, key, index,
				       "the strings do not fit %zu bytes",
				       p->arena_len);
		memcpy(d + k, tmp, m);
		k += m;
	}
	p->i++; /* the closing quote */
	d[k] = '\0';
	p->used += k + 1;
	*out = d;
	*olen = k;
	return 0;
}

/**
 * jp_number() - an integer, -?(0|[1-9][0-9]*), in 64 signed bits
 * @p:		the parser, at the sign or first digit
 * @parent:	its container (for a message)
 * @key:	its key (for a message)
 * @index:	its index (for a message)
 * @out:	gets the value
 *
 * Return: 0 or -EINVAL
 */
static int jp_number(struct jp *p, int parent, const char *key, unsigned index,
		     int64_t *out)
{
	bool neg = p->s[p->i] == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t start;

	p->i += neg;
	start = p->i;
	if (p->i >= p->n || p->s[p->i] < '0' || p->s[p->i] > '9')
		return jp_fail(p, parent, key, index, "expected a digit");
	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9') {
		unsigned d = (unsigned)(p->s[p->i] - '0');

		if (v > (limit - d) / 10)
			return jp_fail(p, parent, key, index,
				       "the number does not fit 64 bits");
		v = v * 10 + d;
		p->i++;
	}
	if (p->s[start] == '0' && p->i - start > 1)
		return jp_fail(p, parent, key, index,
			       "a number with a leading zero");
	if (p->i < p->n &&
	    (p->s[p->i] == '.' || p->s[p->i] == 'e' || p->s[p->i] == 'E'))
		return jp_fail(p, parent, key, index,
			       "numbers must be integers");
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/**
 * jp_node() - a new node
 * @p:		the parser
 * @type:	its type
 * @parent:	its container, -1 for the root
 * @key:	its key, or NULL
 * @index:	its index in its container
 *
 * Return: its index, or -EINVAL when there are too many values
 */
static int jp_node(struct jp *p, enum ctl_jtype type, int parent,
		   const char *key, unsigned index)
{
	struct ctl_jnode *nd;

	if (p->count >= p->max_nodes)
		return jp_fail(p, parent, key, index,
			       "more than %u values in one request",
			       p->max_nodes);
	nd = &p->nodes[p->count];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	nd->parent = parent;
	nd->index = index;
	nd->key = key;
	if (parent >= 0)
		p->nodes[parent].nkids++;
	return (int)p->count++;
}

static int jp_value(struct jp *p, int parent, const char *key, unsigned index,
		    unsigned depth);

/**
 * jp_key() - an object member's key and its colon
 * @p:		the parser, at the key's quote (after whitespace)
 * @me:		the object's node
 * @index:	the member's index
 * @key:	gets the decoded key
 *
 * Return: 0 or -EINVAL (no key, a key seen before, no colon)
 */
static int jp_key(struct jp *p, int me, unsigned index, const char **key)
{
	size_t klen;
	int rc;

	if (p->i >= p->n || p->s[p->i] != '"')
		return jp_fail(p, p->nodes[me].parent, p->nodes[me].key,
			       p->nodes[me].index,
			       "expected a field name in quotes");
	rc = jp_string(p, me, NULL, index, key, &klen);
	if (rc)
		return rc;
	if (ctl_json_find(p->nodes, (int)p->count, me, *key) >= 0)
		return jp_fail(p, me, *key, index, "the field appears twice");
	jp_ws(p);
	if (p->i >= p->n || p->s[p->i] != ':')
		return jp_fail(p, me, *key, index,
			       "expected ':' after the field name");
	p->i++;
	return 0;
}

/**
 * jp_members() - an object's or array's members, after the opening bracket
 * @p:		the parser
 * @me:		the container's node
 * @depth:	its depth
 *
 * Recursive through jp_value(), as deep as max_depth allows (3 levels
 * for a request).
 *
 * Return: 0 or -EINVAL
 */
// NOLINTNEXTLINE(misc-no-recursion) - bounded by max_depth
static int jp_members(struct jp *p, int me, unsigned depth)
{
	bool obj = p->nodes[me].type == CTL_J_OBJ;
	char close = obj ? '}' : ']';
	const char *key = NULL;
	unsigned index = 0;
	int rc;

	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		return 0;
	}
	for (;; index++) {
		jp_ws(p);
		if (obj) {
			rc = jp_key(p, me, index, &key);
			if (rc)
				return rc;
		}
		rc = jp_value(p, me, key, index, depth + 1);
		if (rc < 0)
			return rc;
		jp_ws(p);
		if (p->i < p->n && p->s[p->i] == ',') {
			p->i++;
			continue;
		}
		if (p->i < p->n && p->s[p->i] == close) {
			p->i++;
			return 0;
		}
		return jp_fail(p, p->nodes[me].parent, p->nodes[me].key,
			       p->nodes[me].index, "expected ',' or '%c'",
			       close);
	}
}

/**
 * jp_literal() - true or false (null is refused)
 * @p:		the parser
 * @me:		the node to fill
 * @parent:	its container (for a message)
 * @key:	its key (for a message)
 * @index:	its index (for a message)
 *
 * Return: 0 or -EINVAL
 */
static int jp_literal(struct jp *p, int me, int parent, const char *key,
		      unsigned index)
{
	if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "true", 4)) {
		p->nodes[me].b = true;
		p->i += 4;
		return 0;
	}
	if (p->n - p->i >= 5 && !memcmp(p->s + p->i, "false", 5)) {
		p->i += 5;
		return 0;
	}
	if (p->n - p->i >= 4 && !memcmp(p->s + p->i, "null", 4))
		return jp_fail(p, parent, key, index,
			       "null is not accepted: leave the field out");
	return jp_fail(p, parent, key, index, "expected a value");
}

/**
 * jp_type() - the type a value starts with
 * @c:	its first byte
 *
 * Return: the type (CTL_J_BOOL for anything else: jp_literal() refuses)
 */
static enum ctl_jtype jp_type(char c)
{
	if (c == '{')
		return CTL_J_OBJ;
	if (c == '[')
		return CTL_J_ARR;
	if (c == '"')
		return CTL_J_STR;
	if (c == '-' || (c >= '0' && c <= '9'))
		return CTL_J_INT;
	return CTL_J_BOOL;
}

/**
 * jp_value() - one value
 * @p:		the parser
 * @parent:	its container, -1 for the root
 * @key:	its key, or NULL
 * @index:	its index in its container
 * @depth:	its depth (the root object is 1)
 *
 * Return: its node index, or -EINVAL
 */
// NOLINTNEXTLINE(misc-no-recursion) - bounded by max_depth
static int jp_value(struct jp *p, int parent, const char *key, unsigned index,
		    unsigned depth)
{
	enum ctl_jtype t;
	int me, rc;

	jp_ws(p);
	if (p->i >= p->n)
		return jp_fail(p, parent, key, index, "the line ends early");
	t = jp_type(p->s[p->i]);
	if ((t == CTL_J_OBJ || t == CTL_J_ARR) && depth > p->max_depth)
		return jp_fail(p, parent, key, index,
			       "nested deeper than %u levels", p->max_depth);
	me = jp_node(p, t, parent, key, index);
	if (me < 0)
		return me;
	switch (t) {
	case CTL_J_OBJ:
	case CTL_J_ARR:
		p->i++;
		rc = jp_members(p, me, depth);
		break;
	case CTL_J_STR:
		rc = jp_string(p, parent, key, index, &p->nodes[me].str,
			       &p->nodes[me].len);
		break;
	case CTL_J_INT:
		rc = jp_number(p, parent, key, index, &p->nodes[me].num);
		break;
	case CTL_J_BOOL:
	default:
		rc = jp_literal(p, me, parent, key, index);
		break;
	}
	if (rc < 0 && t != CTL_J_OBJ && t != CTL_J_ARR) {
		/* a scalar that failed is not a value: take it back */
		p->count--;
		if (parent >= 0)
			p->nodes[parent].nkids--;
	}
	return rc < 0 ? rc : me;
}

/**
 * jp_run() - parse the whole text as one object
 * @p:	the parser, set up
 *
 * On failure the nodes before p->count hold every scalar read whole
 * (and the containers open around them).
 *
 * Return: the number of nodes, or -EINVAL
 */
static int jp_run(struct jp *p)
{
	int rc;

	jp_ws(p);
	if (p->i >= p->n || p->s[p->i] != '{')
		return jp_fail(p, -1, NULL, 0,
			       "a request is one JSON object: expected '{'");
	rc = jp_value(p, -1, NULL, 0, 1);
	if (rc < 0)
		return rc;
	jp_ws(p);
	if (p->i < p->n)
		return jp_fail(p, -1, NULL, 0, "something follows the object");
	return (int)p->count;
}

/**
 * ctl_json_parse() - parse one JSON object (the whole of @text)
 * @text:	the text (need not be NUL-terminated)
 * @len:	its length
 * @nodes:	gets the values in document order; nodes[0] is the object
 * @max_nodes:	size of @nodes
 * @max_depth:	deepest nesting of objects and arrays (the root is 1)
 * @arena:	where strings and keys are decoded; @len + 1 bytes always
 *		suffice
 * @arena_len:	its size
 * @err:	gets the field and what is wrong on failure
 * @filled:	if not NULL, gets the number of nodes filled, also on
 *		failure: then every scalar read whole before the error and
 *		the containers open around it (a request's id, for its answer)
 *
 * Return: the number of nodes, or -EINVAL
 */
int ctl_json_parse(
	const char *text, size_t len, struct ctl_jnode *nodes,
	unsigned max_nodes, unsigned max_depth,
	char *arena, // NOLINT(readability-non-const-parameter) - written through struct jp
	size_t arena_len, struct ctl_err *err, unsigned *filled)
{
	struct jp p = {
		.s = text,
		.n = len,
		.nodes = nodes,
		.max_nodes = max_nodes,
		.max_depth = max_depth,
		.arena = arena,
		.arena_len = arena_len,
		.err = err,
	};
	int rc = jp_run(&p);

	if (filled)
		*filled = p.count;
	return rc;
}

/**
 * ctl_json_path() - a node's path: keys joined by '.', array indices [k]
 * @nodes:	the parsed nodes
 * @idx:	the node
 * @buf:	gets the path ("" for the root)
 * @len:	size of @buf
 *
 * Return: the path's length (as written, at most @len - 1)
 */
size_t ctl_json_path(const struct ctl_jnode *nodes, int idx, char *buf,
		     size_t len)
{
	int chain[64], n = 0, w;
	size_t k = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	/* the ancestors below the root, innermost first (depth is bounded
	 * by the parser; a deeper chain keeps its innermost 64) */
	for (; idx >= 0 && nodes[idx].parent >= 0 && n < 64;
	     idx = nodes[idx].parent)
		chain[n++] = idx;
	while (n-- > 0 && k < len - 1) {
		const struct ctl_jnode *nd = &nodes[chain[n]];

		if (nd->key)
			w = snprintf(buf + k, len - k, "%s%s", k ? "." : "",
				     nd->key);
		else
			w = snprintf(buf + k, len - k, "[%u]", nd->index);
		if (w < 0)
			break;
		k += (size_t)w;
	}
	return k < len ? k : len - 1;
}

/**
 * ctl_json_find() - a member of an object by its key
 * @nodes:	the parsed nodes
 * @count:	how many
 * @obj:	the object's index
 * @key:	the key
 *
 * Return: the member's index, or -1
 */
int ctl_json_find(const struct ctl_jnode *nodes, int count, int obj,
		  const char *key)
{
	int i;

	if (!key)
		return -1;
	for (i = obj + 1; i < count; i++)
		if (nodes[i].parent == obj && nodes[i].key &&
		    !strcmp(nodes[i].key, key))
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* writing JSON                                                       */

/**
 * ctl_w_init() - a writer over a buffer
 * @w:		the writer
 * @buf:	the buffer
 * @cap:	its size (at least 2)
 */
void ctl_w_init(struct ctl_w *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->first = 1;
	if (cap)
		buf[0] = '\0';
}

/**
 * w_raw() - append bytes
 * @w:	the writer
 * @s:	the bytes
 * @n:	how many
 */
static void w_raw(struct ctl_w *w, const char *s, size_t n)
{
	if (w->overflow || n >= w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/**
 * w_escaped() - append a string in quotes, escaped; bytes that are not
 *		 valid UTF-8 become U+FFFD (written as UTF-8, as a valid one
 *		 is, so writing what the parser read back gives the same line)
 * @w:	the writer
 * @s:	the string
 */
static void w_escaped(struct ctl_w *w, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, m;
	char esc[8];

	w_raw(w, "\"", 1);
	while (i < n) {
		if (u[i] == '"' || u[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)u[i++];
			w_raw(w, esc, 2);
		} else if (u[i] < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", u[i++]);
			w_raw(w, esc, 6);
		} else if (u[i] < 0x80) {
			w_raw(w, s + i++, 1);
		} else if ((m = utf8_len(u + i, n - i))) {
			w_raw(w, s + i, m);
			i += m;
		} else {
			w_raw(w, "\xef\xbf\xbd", 3); /* U+FFFD, as itself */
			i++;
		}
	}
	w_raw(w, "\"", 1);
}

/**
 * w_member() - the separator and key before a value
 * @w:		the writer
 * @key:	the key in an object, NULL in an array or at the top
 */
static void w_member(struct ctl_w *w, const char *key)
{
	uint32_t bit = 1u << w->depth;

	if (!(w->first & bit))
		w_raw(w, ",", 1);
	w->first &= ~bit;
	if (key) {
		w_escaped(w, key);
		w_raw(w, ":", 1);
	}
}

/**
 * w_open() - open an object or array
 * @w:		the writer
 * @key:	its key, or NULL
 * @c:		'{' or '['
 */
static void w_open(struct ctl_w *w, const char *key, char c)
{
	w_member(w, key);
	w_raw(w, &c, 1);
	if (w->depth + 1 >= CTL_W_DEPTH) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->first |= 1u << w->depth;
}

/**
 * w_close() - close an object or array
 * @w:	the writer
 * @c:	'}' or ']'
 */
static void w_close(struct ctl_w *w, char c)
{
	if (w->depth)
		w->depth--;
	w_raw(w, &c, 1);
}

/**
 * ctl_w_obj_open() - open an object
 * @w:		the writer
 * @key:	its key in the enclosing object, NULL in an array or at the top
 */
void ctl_w_obj_open(struct ctl_w *w, const char *key)
{
	w_open(w, key, '{');
}

/**
 * ctl_w_obj_close() - close the innermost object
 * @w:	the writer
 */
void ctl_w_obj_close(struct ctl_w *w)
{
	w_close(w, '}');
}

/**
 * ctl_w_arr_open() - open an array
 * @w:		the writer
 * @key:	its key, or NULL
 */
void ctl_w_arr_open(struct ctl_w *w, const char *key)
{
	w_open(w, key, '[');
}

/**
 * ctl_w_arr_close() - close the innermost array
 * @w:	the writer
 */
void ctl_w_arr_close(struct ctl_w *w)
{
	w_close(w, ']');
}

/**
 * ctl_w_str() - a string member
 * @w:		the writer
 * @key:	its key, or NULL in an array
 * @v:		the value (NULL writes "")
 */
void ctl_w_str(struct ctl_w *w, const char *key, const char *v)
{
	w_member(w, key);
	w_escaped(w, v ? v : "");
}

/**
 * ctl_w_int() - an integer member
 * @w:		the writer
 * @key:	its key, or NULL in an array
 * @v:		the value
 */
void ctl_w_int(struct ctl_w *w, const char *key, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRId64, v);

	w_member(w, key);
	w_raw(w, num, (size_t)n);
}

/**
 * ctl_w_u64() - an unsigned integer member (counters)
 * @w:		the writer
 * @key:	its key, or NULL in an array
 * @v:		the value
 */
void ctl_w_u64(struct ctl_w *w, const char *key, uint64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%" PRIu64, v);

	w_member(w, key);
	w_raw(w, num, (size_t)n);
}

/**
 * ctl_w_bool() - a boolean member
 * @w:		the writer
 * @key:	its key, or NULL in an array
 * @v:		the value
 */
void ctl_w_bool(struct ctl_w *w, const char *key, bool v)
{
	w_member(w, key);
	w_raw(w, v ? "true" : "false", v ? 4 : 5);
}

/**
 * ctl_w_end() - end the line
 * @w:	the writer, every object and array closed
 *
 * Return: the line's length with its newline, or -ENOSPC when something
 * did not fit (the buffer then holds no usable line)
 */
int ctl_w_end(struct ctl_w *w)
{
	w_raw(w, "\n", 1);
	if (w->overflow || w->depth) {
		if (w->cap)
			w->buf[0] = '\0';
		return -ENOSPC;
	}
	return (int)w->len;
}
