/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_proto.c - the control protocol: the request table, requests,
 *		 responses and stats objects (pure)
 *
 * Theory of operation: a line is parsed into an array of nodes in document
 * order (ctl_json.c, strings decoded into the request's own arena), then
 * every node is matched by its path
 * ("rx_rate_limiter.bandwidth.size") against ctl_fields[], the one table
 * that says which fields exist, their kind, the commands they apply to,
 * the commands that require them, and their range. The same table drives
 * the client's FIELD=VALUE arguments (ctl_req_set()), the formatting of a
 * request (ctl_req_format()) and the usage text, so a field is declared
 * once. Every refusal fills struct ctl_err with the field's path and a
 * message that names it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "ctl_proto.h"
#include "policy_rules.h"
#include "ratelimit.h"

/* ------------------------------------------------------------------ */
/* the request table                                                  */

/**
 * enum ctl_kind - what a field holds
 * @K_STR:	a string (no control characters)
 * @K_INT:	an integer in [min, max]
 * @K_BOOL:	true or false
 * @K_OBJ:	an object of further fields
 * @K_STRS:	an array of up to CTL_MAX_STRS strings
 */
enum ctl_kind {
	K_STR,
	K_INT,
	K_BOOL,
	K_OBJ,
	K_STRS,
};

static const char *const kind_names[] = {
	[K_STR] = "a string",
	[K_INT] = "an integer",
	[K_BOOL] = "true or false",
	[K_OBJ] = "an object",
	[K_STRS] = "an array of strings",
};

/* flags of a field */
#define F_ABSPATH 1u /* a string that must be an absolute path */

/**
 * struct ctl_field - one row of the request table
 * @path:	its path, parents first
 * @kind:	what it holds
 * @cmds:	the commands it applies to (bit per enum ctl_cmd)
 * @required:	the commands that require it (when its parent is given)
 * @off:	where it goes in struct ctl_req
 * @min:	K_INT: smallest value
 * @max:	K_INT: largest value
 * @choices:	K_STR: the values allowed, NULL-terminated; NULL: any
 * @flags:	F_*
 * @help:	one line for the usage text
 */
struct ctl_field {
	const char *path;
	enum ctl_kind kind;
	unsigned cmds;
	unsigned required;
	size_t off;
	int64_t min;
	int64_t max;
	const char *const *choices;
	unsigned flags;
	const char *help;
};

#define CMD(c) (1u << (c))
#define ALL_CMDS ((1u << CTL_CMD_COUNT) - 1)
#define TARGETED                                                               \
	(CMD(CTL_FORWARD_ADD) | CMD(CTL_FORWARD_REMOVE) |                      \
	 CMD(CTL_CAPTURE_START) | CMD(CTL_CAPTURE_STOP) |                      \
	 CMD(CTL_RATE_LIMIT) | CMD(CTL_POLICY_SET) | CMD(CTL_DISCONNECT))
#define RL CMD(CTL_RATE_LIMIT)
#define CAP CMD(CTL_CAPTURE_START)
#define FWD (CMD(CTL_FORWARD_ADD) | CMD(CTL_FORWARD_REMOVE))
#define OFF(m) offsetof(struct ctl_req, m)
#define NOOFF ((size_t)-1)
/* refill_time: what 64 bits of nanoseconds hold (ratelimit.h's limit) */
#define REFILL_MAX ((int64_t)(UINT64_MAX / SQN_RL_NS_PER_MS))

static const char *const directions[] = {"rx", "tx", "both", NULL};

/* one row; see struct ctl_field. dir and b are member names, pasted into
 * strings and offsetof(): they cannot be parenthesized. */
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ROW(path, kind, cmds, req, off, min, max, choices, flags, help)        \
	{                                                                      \
		path, kind, cmds, req, off, min, max, choices, flags, help     \
	}

#define BUCKET_ROWS(dir, b)                                                    \
	ROW(#dir "_rate_limiter." #b, K_OBJ, RL, 0, OFF(dir.b.set), 0, 0,      \
	    NULL, 0, "a bucket (size and refill_time required)"),              \
		ROW(#dir "_rate_limiter." #b ".size", K_INT, RL, RL,           \
		    OFF(dir.b.size), 0, INT64_MAX, NULL, 0,                    \
		    "tokens the bucket holds; 0 disables it"),                 \
		ROW(#dir "_rate_limiter." #b ".one_time_burst", K_INT, RL, 0,  \
		    OFF(dir.b.one_time_burst), 0, INT64_MAX, NULL, 0,          \
		    "extra tokens, spent first, never refilled"),              \
		ROW(#dir "_rate_limiter." #b ".refill_time", K_INT, RL, RL,    \
		    OFF(dir.b.refill_time), 0, REFILL_MAX, NULL, 0,            \
		    "ms to refill the bucket; 0 disables it")

#define LIMITER_ROWS(dir)                                                      \
	ROW(#dir "_rate_limiter", K_OBJ, RL, 0, OFF(dir.set), 0, 0, NULL, 0,   \
	    "bandwidth (bytes) and ops (frames) buckets"),                     \
		BUCKET_ROWS(dir, bandwidth), BUCKET_ROWS(dir, ops)
// NOLINTEND(bugprone-macro-parentheses)

/* Every field of every command. Parents come before their members. */
static const struct ctl_field ctl_fields[] = {
	ROW("cmd", K_STR, ALL_CMDS, ALL_CMDS, NOOFF, 0, 0, NULL, 0,
	    "the command"),
	ROW("id", K_INT, ALL_CMDS, 0, OFF(id), INT64_MIN, INT64_MAX, NULL, 0,
	    "any integer, echoed in the response"),
	ROW("name", K_STR, TARGETED, CMD(CTL_DISCONNECT), OFF(name), 0, 0, NULL,
	    0,
	    "the interface or port (default: the only one; capture in "
	    "serve: the whole network)"),
	ROW("names", K_STRS, CMD(CTL_LIST), 0, OFF(names), 0, 0, NULL, 0,
	    "list only these interfaces and ports"),
	ROW("forward", K_STR, FWD, FWD, OFF(forward), 0, 0, NULL, 0,
	    "tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport"),
	ROW("file", K_STR, CAP, CAP, OFF(file), 0, 0, NULL, F_ABSPATH,
	    "the pcap file, an absolute path (created 0600)"),
	ROW("snaplen", K_INT, CAP, 0, OFF(snaplen), SQN_CAP_SNAPLEN_MIN,
	    SQN_CAP_SNAPLEN_MAX, NULL, 0, "bytes kept of each frame"),
	ROW("direction", K_STR, CAP, 0, OFF(direction), 0, 0, directions, 0,
	    "rx, tx or both (default)"),
	ROW("nsec", K_BOOL, CAP, 0, OFF(nsec), 0, 0, NULL, 0,
	    "nanosecond timestamps"),
	LIMITER_ROWS(rx),
	LIMITER_ROWS(tx),
	ROW("rules", K_STRS, CMD(CTL_POLICY_SET), CMD(CTL_POLICY_SET),
	    OFF(rules), 0, 0, NULL, 0,
	    "the egress policy: allow-host=NAME, "
	    "allow-net=CIDR[:PORTS][/PROTO], "
	    "allow-dns=ADDR, deny-all, check-sni ([] turns it off)"),
};

#define ROW_CMD 0
#define ROW_ID 1
#define N_FIELDS (sizeof(ctl_fields) / sizeof(ctl_fields[0]))
_Static_assert(N_FIELDS <= 64, "struct ctl_req.have has 64 bits");

/**
 * struct ctl_cmd_info - one command
 * @name:	as the protocol spells it
 * @reserved:	named but not available yet: refused with a message
 * @summary:	one line for the usage text
 */
struct ctl_cmd_info {
	const char *name;
	bool reserved;
	const char *summary;
};

static const struct ctl_cmd_info ctl_cmds[CTL_CMD_COUNT] = {
	[CTL_LIST] = {"list", false,
		      "interfaces and ports with their counters"},
	[CTL_FORWARD_ADD] = {"forward-add", false, "add a port forward"},
	[CTL_FORWARD_REMOVE] = {"forward-remove", false,
				"remove a port forward"},
	[CTL_CAPTURE_START] = {"capture-start", false, "start a pcap capture"},
	[CTL_CAPTURE_STOP] = {"capture-stop", false, "stop a capture"},
	[CTL_RATE_LIMIT] = {"rate-limit", false,
			    "set rate limits (Firecracker's PATCH body)"},
	[CTL_POLICY_SET] = {"policy-set", false,
			    "set or replace the egress policy"},
	[CTL_DISCONNECT] = {"disconnect", false, "disconnect a serve port"},
};

/**
 * ctl_cmd_name() - a command's name
 * @cmd:	the command
 *
 * Return: its name, or "?" out of range
 */
const char *ctl_cmd_name(enum ctl_cmd cmd)
{
	return (unsigned)cmd < CTL_CMD_COUNT ? ctl_cmds[cmd].name : "?";
}

/**
 * find_row() - a field by its path
 * @path:	the path
 *
 * Return: its row index, or -1
 */
static int find_row(const char *path)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		if (!strcmp(ctl_fields[i].path, path))
			return (int)i;
	return -1;
}

/**
 * parent_row() - the row of a field's parent object
 * @row:	the field
 *
 * Return: its parent's row, or -1 for a top-level field
 */
static int parent_row(int row)
{
	const char *path = ctl_fields[row].path, *dot = strrchr(path, '.');
	char parent[96];

	if (!dot || (size_t)(dot - path) >= sizeof(parent))
		return -1;
	memcpy(parent, path, (size_t)(dot - path));
	parent[dot - path] = '\0';
	return find_row(parent);
}

/**
 * list_fields() - the fields under a parent that apply to a command
 * @cmd:	the command
 * @parent:	the parent's path, "" for the top level
 * @buf:	gets "a, b, c"
 * @len:	size of @buf
 */
static void list_fields(enum ctl_cmd cmd, const char *parent, char *buf,
			size_t len)
{
	size_t i, k = 0, plen = strlen(parent);

	buf[0] = '\0';
	for (i = ROW_ID; i < N_FIELDS && k < len; i++) {
		const char *p = ctl_fields[i].path, *rest;

		if (!(ctl_fields[i].cmds & CMD(cmd)))
			continue;
		if (plen && (strncmp(p, parent, plen) != 0 || p[plen] != '.'))
			continue;
		rest = plen ? p + plen + 1 : p;
		if (strchr(rest, '.'))
			continue;
		k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "",
				      rest);
	}
}

/**
 * list_cmds() - the commands' names
 * @buf:	gets "list, forward-add, ..."
 * @len:	size of @buf
 */
static void list_cmds(char *buf, size_t len)
{
	size_t k = 0;
	unsigned c;

	buf[0] = '\0';
	for (c = 0; c < CTL_CMD_COUNT && k < len; c++)
		k += (size_t)snprintf(buf + k, len - k, "%s%s", k ? ", " : "",
				      ctl_cmds[c].name);
}

/**
 * unknown_field() - refuse a path the table does not have for a command
 * @cmd:	the command
 * @path:	the path
 * @err:	gets the message
 *
 * Return: -EINVAL
 */
static int unknown_field(enum ctl_cmd cmd, const char *path,
			 struct ctl_err *err)
{
	char parent[96], fields[200];
	const char *dot = strrchr(path, '.');
	int row = find_row(path);

	if (!path[0])
		path = "\"\""; /* an empty key */
	if (row >= 0) {
		ctl_err_set(err, path, "%s: does not apply to %s", path,
			    ctl_cmds[cmd].name);
		return -EINVAL;
	}
	snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - path) : 0,
		 path);
	list_fields(cmd, parent, fields, sizeof(fields));
	ctl_err_set(err, path, "%s: unknown field (%s%s%s takes: %s)", path,
		    ctl_cmds[cmd].name, parent[0] ? " " : "", parent,
		    fields[0] ? fields : "no fields");
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* storing values                                                     */

/**
 * field_ptr() - where a row's value goes in a request
 * @r:		the request
 * @row:	the row
 *
 * Return: the address
 */
static void *field_ptr(struct ctl_req *r, int row)
{
	return (char *)r + ctl_fields[row].off;
}

/**
 * mark() - record a row and its parent objects as given
 * @r:		the request
 * @row:	the row
 */
static void mark(struct ctl_req *r, int row)
{
	for (; row >= 0; row = parent_row(row)) {
		r->have |= 1ULL << row;
		if (ctl_fields[row].kind == K_OBJ)
			*(bool *)field_ptr(r, row) = true;
	}
}

/**
 * check_str() - the rules every string field follows
 * @f:		the row
 * @path:	the value's path (an array element's own)
 * @s:		the string
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL
 */
static int check_str(const struct ctl_field *f, const char *path, const char *s,
		     struct ctl_err *err)
{
	const char *const *c;
	char list[96];
	size_t i, k;

	if (!s[0]) {
		ctl_err_set(err, path, "%s: empty", path);
		return -EINVAL;
	}
	for (i = 0; s[i]; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			ctl_err_set(err, path,
				    "%s: a control character (0x%02x) at "
				    "offset %zu",
				    path, (unsigned char)s[i], i);
			return -EINVAL;
		}
	}
	if ((f->flags & F_ABSPATH) && s[0] != '/') {
		ctl_err_set(err, path, "%s: \"%.64s\" is not an absolute path",
			    path, s);
		return -EINVAL;
	}
	if (!f->choices)
		return 0;
	k = 0;
	list[0] = '\0';
	for (c = f->choices; *c; c++) {
		if (!strcmp(*c, s))
			return 0;
		if (k < sizeof(list))
			k += (size_t)snprintf(list + k, sizeof(list) - k,
					      "%s%s", k ? ", " : "", *c);
	}
	ctl_err_set(err, path, "%s: \"%.32s\" is not one of %s", path, s, list);
	return -EINVAL;
}

/**
 * store_str() - a string value
 * @r:		the request
 * @row:	its row (K_STR or K_STRS)
 * @path:	its path for messages
 * @s:		the value; must outlive the request
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL
 */
static int store_str(struct ctl_req *r, int row, const char *path,
		     const char *s, struct ctl_err *err)
{
	const struct ctl_field *f = &ctl_fields[row];
	struct ctl_strs *v;
	int rc = check_str(f, path, s, err);

	if (rc)
		return rc;
	if (f->kind == K_STR) {
		*(const char **)field_ptr(r, row) = s;
		return 0;
	}
	v = field_ptr(r, row);
	if (v->n >= CTL_MAX_STRS) {
		ctl_err_set(err, f->path, "%s: more than %d strings", f->path,
			    CTL_MAX_STRS);
		return -EINVAL;
	}
	v->v[v->n++] = s;
	return 0;
}

/**
 * store_int() - an integer value, checked against its range
 * @r:		the request
 * @row:	its row
 * @v:		the value
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL
 */
static int store_int(struct ctl_req *r, int row, int64_t v, struct ctl_err *err)
{
	const struct ctl_field *f = &ctl_fields[row];

	if (v < f->min || v > f->max) {
		ctl_err_set(err, f->path,
			    "%s: %" PRId64 " is out of range %" PRId64
			    "..%" PRId64,
			    f->path, v, f->min, f->max);
		return -EINVAL;
	}
	*(int64_t *)field_ptr(r, row) = v;
	return 0;
}

/**
 * store_node() - one parsed value into its field
 * @r:		the request
 * @row:	the field's row
 * @nodes:	the parsed nodes
 * @count:	how many
 * @i:		the value's node
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL
 */
static int store_node(struct ctl_req *r, int row, const struct ctl_jnode *nodes,
		      int count, int i, struct ctl_err *err)
{
	static const enum ctl_jtype want[] = {[K_STR] = CTL_J_STR,
					      [K_INT] = CTL_J_INT,
					      [K_BOOL] = CTL_J_BOOL,
					      [K_OBJ] = CTL_J_OBJ,
					      [K_STRS] = CTL_J_ARR};
	const struct ctl_field *f = &ctl_fields[row];
	char path[96];
	int k, rc;

	if (nodes[i].type != want[f->kind]) {
		ctl_err_set(err, f->path, "%s: must be %s", f->path,
			    kind_names[f->kind]);
		return -EINVAL;
	}
	switch (f->kind) {
	case K_STR:
		return store_str(r, row, f->path, nodes[i].str, err);
	case K_INT:
		return store_int(r, row, nodes[i].num, err);
	case K_BOOL:
		*(bool *)field_ptr(r, row) = nodes[i].b;
		return 0;
	case K_STRS:
		for (k = i + 1; k < count && nodes[k].parent == i; k++) {
			ctl_json_path(nodes, k, path, sizeof(path));
			if (nodes[k].type != CTL_J_STR) {
				ctl_err_set(err, path, "%s: must be a string",
					    path);
				return -EINVAL;
			}
			rc = store_str(r, row, path, nodes[k].str, err);
			if (rc)
				return rc;
		}
		return 0;
	case K_OBJ:
	default:
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* requests                                                           */

/**
 * set_cmd() - the command of a request, by name
 * @r:		the request
 * @name:	the name
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL (unknown, or reserved)
 */
static int set_cmd(struct ctl_req *r, const char *name, struct ctl_err *err)
{
	char list[200];
	unsigned c;

	for (c = 0; c < CTL_CMD_COUNT; c++)
		if (!strcmp(ctl_cmds[c].name, name))
			break;
	if (c == CTL_CMD_COUNT) {
		list_cmds(list, sizeof(list));
		ctl_err_set(err, "cmd", "cmd: unknown command \"%.32s\" (%s)",
			    name, list);
		return -EINVAL;
	}
	if (ctl_cmds[c].reserved) {
		ctl_err_set(err, "cmd",
			    "cmd: %s is reserved for the egress policy; this "
			    "squib-net does not have it yet",
			    name);
		return -ENOTSUP;
	}
	r->cmd = (enum ctl_cmd)c;
	r->have |= 1ULL << ROW_CMD;
	return 0;
}

/**
 * ctl_req_init() - an empty request for a command (the client's start)
 * @r:		the request
 * @cmd:	the command's name
 * @err:	gets what is wrong
 *
 * Return: 0, -EINVAL for an unknown command, -ENOTSUP for a reserved one
 */
int ctl_req_init(struct ctl_req *r, const char *cmd, struct ctl_err *err)
{
	memset(r, 0, sizeof(*r));
	return set_cmd(r, cmd, err);
}

/**
 * take_id() - the request's id, if the object has one that parsed
 * @r:		the request
 * @nodes:	the nodes parsed (maybe from a line that failed later)
 * @count:	how many
 */
static void take_id(struct ctl_req *r, const struct ctl_jnode *nodes, int count)
{
	int id = count ? ctl_json_find(nodes, count, 0, "id") : -1;

	if (id >= 0 && nodes[id].type == CTL_J_INT) {
		r->id = nodes[id].num;
		r->have |= 1ULL << ROW_ID;
	}
}

/**
 * parse_head() - the command and the id of a parsed request
 * @r:		the request
 * @nodes:	the parsed nodes
 * @count:	how many
 * @err:	gets what is wrong
 *
 * The id is taken first, so that even a refused request's error echoes it.
 *
 * Return: 0 or a negative errno
 */
static int parse_head(struct ctl_req *r, const struct ctl_jnode *nodes,
		      int count, struct ctl_err *err)
{
	int cmd = ctl_json_find(nodes, count, 0, "cmd");

	take_id(r, nodes, count);
	if (cmd < 0) {
		ctl_err_set(err, "cmd",
			    "cmd: missing: every request names "
			    "its command");
		return -EINVAL;
	}
	if (nodes[cmd].type != CTL_J_STR) {
		ctl_err_set(err, "cmd", "cmd: must be a string");
		return -EINVAL;
	}
	return set_cmd(r, nodes[cmd].str, err);
}

/**
 * ctl_req_parse() - check one request line
 * @line:	the line, without its newline
 * @len:	its length
 * @r:		gets the request (strings point into its arena)
 * @err:	gets the field and what is wrong
 *
 * The id is taken as soon as it is read, so the error about a request
 * that breaks after it still echoes it.
 *
 * Return: 0, -EINVAL for a malformed or refused request, -EMSGSIZE for a
 * line over CTL_LINE_MAX, -ENOTSUP for a reserved command
 */
int ctl_req_parse(const char *line, size_t len, struct ctl_req *r,
		  struct ctl_err *err)
{
	struct ctl_jnode nodes[CTL_REQ_NODES];
	unsigned filled = 0;
	char path[96];
	int n, i, row, rc;

	memset(r, 0, offsetof(struct ctl_req, arena));
	if (len > CTL_LINE_MAX) {
		ctl_err_set(err, "request",
			    "request: %zu bytes, longer than %d", len,
			    CTL_LINE_MAX);
		return -EMSGSIZE;
	}
	n = ctl_json_parse(line, len, nodes, CTL_REQ_NODES, CTL_REQ_DEPTH,
			   r->arena, sizeof(r->arena), err, &filled);
	if (n < 0) {
		take_id(r, nodes, (int)filled);
		return n;
	}
	rc = parse_head(r, nodes, n, err);
	if (rc)
		return rc;
	for (i = 1; i < n; i++) {
		if (nodes[nodes[i].parent].type == CTL_J_ARR)
			continue; /* stored with its array */
		ctl_json_path(nodes, i, path, sizeof(path));
		row = find_row(path);
		if (row == ROW_CMD)
			continue;
		if (row < 0 || !(ctl_fields[row].cmds & CMD(r->cmd)))
			return unknown_field(r->cmd, path, err);
		rc = store_node(r, row, nodes, n, i, err);
		if (rc)
			return rc;
		mark(r, row);
	}
	return ctl_req_check(r, err);
}

/**
 * parse_i64() - a decimal integer argument, whole
 * @s:		the text
 * @out:	gets the value
 *
 * Return: 0, or -1 if it is not an integer that fits 64 bits
 */
static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s[0] || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/**
 * ctl_req_set() - set one field from text (the client's FIELD=VALUE)
 * @r:		a request from ctl_req_init()
 * @path:	the field's path, e.g. "rx_rate_limiter.bandwidth.size"
 * @value:	its value as text; strings are kept by pointer; an array
 *		field grows by one string per call
 * @err:	gets what is wrong
 *
 * Return: 0 or -EINVAL
 */
int ctl_req_set(struct ctl_req *r, const char *path, const char *value,
		struct ctl_err *err)
{
	int row = find_row(path), rc;
	const struct ctl_field *f;
	int64_t v;

	if (row == ROW_CMD || row < 0 || !(ctl_fields[row].cmds & CMD(r->cmd)))
		return unknown_field(r->cmd, path, err);
	f = &ctl_fields[row];
	switch (f->kind) {
	case K_STR:
	case K_STRS:
		rc = store_str(r, row, path, value, err);
		break;
	case K_INT:
		if (parse_i64(value, &v)) {
			ctl_err_set(err, path,
				    "%s: \"%.32s\" is not an integer", path,
				    value);
			return -EINVAL;
		}
		rc = store_int(r, row, v, err);
		break;
	case K_BOOL:
		if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
			ctl_err_set(err, path, "%s: must be true or false",
				    path);
			return -EINVAL;
		}
		*(bool *)field_ptr(r, row) = !strcmp(value, "true");
		rc = 0;
		break;
	case K_OBJ:
	default:
		ctl_err_set(err, path,
			    "%s: an object: set its fields (%s.FIELD=VALUE)",
			    path, path);
		return -EINVAL;
	}
	if (!rc)
		mark(r, row);
	return rc;
}

/**
 * check_rules() - a policy-set's rules, through the rule parser
 * @v:		the rules
 * @err:	gets what is wrong: "rules[N]: " and the parser's message
 *
 * Return: 0 or -EINVAL (-ENOMEM when no room to parse them)
 */
static int check_rules(const struct ctl_strs *v, struct ctl_err *err)
{
	struct sqn_policy_rules *set = malloc(sizeof(*set));
	char why[200], path[24];
	unsigned i;
	int rc = 0;

	if (!set) {
		ctl_err_set(err, "rules", "rules: out of memory");
		return -ENOMEM;
	}
	sqn_policy_rules_init(set);
	for (i = 0; i < v->n && !rc; i++) {
		rc = sqn_policy_rule_parse(set, v->v[i], why, sizeof(why));
		if (rc) {
			snprintf(path, sizeof(path), "rules[%u]", i);
			ctl_err_set(err, path, "%s: %s", path, why);
		}
	}
	if (!rc && sqn_policy_rules_check(set, why, sizeof(why))) {
		ctl_err_set(err, "rules", "rules: %s", why);
		rc = -EINVAL;
	}
	free(set);
	return rc;
}

/**
 * ctl_req_check() - what a whole request needs: required fields, and
 *		     rate-limit naming a direction
 * @r:		the request
 * @err:	gets what is wrong
 *
 * A field is required when its command requires it and its parent object
 * (if any) was given: a bucket needs size and refill_time.
 *
 * Return: 0 or -EINVAL
 */
int ctl_req_check(struct ctl_req *r, struct ctl_err *err)
{
	size_t i;
	int parent;

	for (i = 0; i < N_FIELDS; i++) {
		const struct ctl_field *f = &ctl_fields[i];

		if (!(f->required & CMD(r->cmd)) || (r->have >> i & 1))
			continue;
		parent = parent_row((int)i);
		if (parent >= 0 && !(r->have >> parent & 1))
			continue;
		if (parent >= 0)
			ctl_err_set(err, f->path,
				    "%s: missing: a bucket needs size and "
				    "refill_time",
				    f->path);
		else
			ctl_err_set(err, f->path, "%s: missing: %s needs it",
				    f->path, ctl_cmds[r->cmd].name);
		return -EINVAL;
	}
	if (r->cmd == CTL_RATE_LIMIT && !r->rx.set && !r->tx.set) {
		ctl_err_set(err, "rx_rate_limiter",
			    "rx_rate_limiter: missing: rate-limit needs "
			    "rx_rate_limiter or tx_rate_limiter");
		return -EINVAL;
	}
	return r->cmd == CTL_POLICY_SET ? check_rules(&r->rules, err) : 0;
}

/**
 * ctl_req_has() - whether a request gave a field
 * @r:		the request
 * @path:	the field's path
 *
 * Return: true if given
 */
bool ctl_req_has(const struct ctl_req *r, const char *path)
{
	int row = find_row(path);

	return row >= 0 && (r->have >> row & 1);
}

/**
 * bucket_in() - a request's bucket as the library's, and its bit
 * @b:		the request's bucket
 * @out:	gets it
 * @bit:	its SQN_LIMIT_* bit
 *
 * Return: @bit if the request names the bucket, else 0
 */
static unsigned bucket_in(const struct ctl_bucket *b, struct sqn_bucket *out,
			  unsigned bit)
{
	if (!b->set)
		return 0;
	*out = (struct sqn_bucket){.size = (uint64_t)b->size,
				   .one_time_burst =
					   (uint64_t)b->one_time_burst,
				   .refill_time_ms = (uint64_t)b->refill_time};
	return bit;
}

/**
 * ctl_req_limiters() - a rate-limit request's buckets as the library's
 *			limiters, as sqn_iface_set_rate_limit() takes them
 * @r:		the request
 * @rx:		gets the rx buckets named (the others zero)
 * @tx:		gets the tx buckets named
 * @which:	gets the SQN_LIMIT_* bits of the buckets named
 * @err:	gets the refusal
 *
 * Return: 0, or -EINVAL when the request names no bucket
 */
int ctl_req_limiters(const struct ctl_req *r, struct sqn_rate_limiter *rx,
		     struct sqn_rate_limiter *tx, unsigned *which,
		     struct ctl_err *err)
{
	memset(rx, 0, sizeof(*rx));
	memset(tx, 0, sizeof(*tx));
	*which = bucket_in(&r->rx.bandwidth, &rx->bandwidth,
			   SQN_LIMIT_RX_BANDWIDTH) |
		 bucket_in(&r->rx.ops, &rx->ops, SQN_LIMIT_RX_OPS) |
		 bucket_in(&r->tx.bandwidth, &tx->bandwidth,
			   SQN_LIMIT_TX_BANDWIDTH) |
		 bucket_in(&r->tx.ops, &tx->ops, SQN_LIMIT_TX_OPS);
	if (*which)
		return 0;
	ctl_err_set(err, "cmd",
		    "cmd: rate-limit names no bucket: give rx_rate_limiter or "
		    "tx_rate_limiter with a bandwidth or ops bucket");
	return -EINVAL;
}

/**
 * last_seg() - the last part of a path
 * @path:	the path
 *
 * Return: what follows its last '.'
 */
static const char *last_seg(const char *path)
{
	const char *dot = strrchr(path, '.');

	return dot ? dot + 1 : path;
}

/**
 * format_row() - write one given field (not an object)
 * @w:		the writer
 * @r:		the request
 * @row:	the field's row
 */
static void format_row(struct ctl_w *w, const struct ctl_req *r, int row)
{
	const struct ctl_field *f = &ctl_fields[row];
	const void *p = (const char *)r + f->off;
	const char *key = last_seg(f->path);
	const struct ctl_strs *v;
	unsigned k;

	switch (f->kind) {
	case K_STR:
		ctl_w_str(w, key, *(const char *const *)p);
		break;
	case K_INT:
		ctl_w_int(w, key, *(const int64_t *)p);
		break;
	case K_BOOL:
		ctl_w_bool(w, key, *(const bool *)p);
		break;
	case K_STRS:
		v = p;
		ctl_w_arr_open(w, key);
		for (k = 0; k < v->n; k++)
			ctl_w_str(w, NULL, v->v[k]);
		ctl_w_arr_close(w);
		break;
	case K_OBJ:
	default:
		break;
	}
}

/**
 * ctl_req_format() - a request as one line, newline included
 * @r:		the request
 * @buf:	gets the line, NUL-terminated
 * @len:	size of @buf
 *
 * Return: the line's length, or -ENOSPC
 */
int ctl_req_format(const struct ctl_req *r, char *buf, size_t len)
{
	int stack[CTL_REQ_DEPTH] = {0}, depth = 0, parent;
	struct ctl_w w;
	size_t i;

	ctl_w_init(&w, buf, len);
	ctl_w_obj_open(&w, NULL);
	ctl_w_str(&w, "cmd", ctl_cmds[r->cmd].name);
	for (i = ROW_ID; i < N_FIELDS; i++) {
		if (!(r->have >> i & 1))
			continue;
		parent = parent_row((int)i);
		while (depth && stack[depth - 1] != parent) {
			ctl_w_obj_close(&w);
			depth--;
		}
		if (ctl_fields[i].kind == K_OBJ && depth < CTL_REQ_DEPTH) {
			ctl_w_obj_open(&w, last_seg(ctl_fields[i].path));
			stack[depth++] = (int)i;
		} else {
			format_row(&w, r, (int)i);
		}
	}
	while (depth--)
		ctl_w_obj_close(&w);
	ctl_w_obj_close(&w);
	return ctl_w_end(&w);
}

/**
 * ctl_usage() - the commands and their fields, from the table
 * @f:	where to
 */
void ctl_usage(FILE *f)
{
	unsigned c;
	size_t i;

	fprintf(f, "commands and their fields (FIELD=VALUE; * required):\n");
	for (c = 0; c < CTL_CMD_COUNT; c++) {
		fprintf(f, "  %-15s %s\n", ctl_cmds[c].name,
			ctl_cmds[c].summary);
		for (i = ROW_ID + 1; i < N_FIELDS; i++) {
			const struct ctl_field *fl = &ctl_fields[i];

			if (!(fl->cmds & CMD(c)) || fl->kind == K_OBJ)
				continue;
			fprintf(f, "      %s%s  %s\n", fl->path,
				fl->required & CMD(c) ? "*" : "", fl->help);
		}
	}
}

/* ------------------------------------------------------------------ */
/* responses and stats                                                */

/**
 * ctl_resp_ok() - open a success response: {"id":N,"ok":true
 * @w:	the writer, empty
 * @r:	the request (its id is echoed if it had one)
 *
 * The caller adds its members and closes the object (ctl_w_obj_close()).
 */
void ctl_resp_ok(struct ctl_w *w, const struct ctl_req *r)
{
	ctl_w_obj_open(w, NULL);
	if (r && (r->have >> ROW_ID & 1))
		ctl_w_int(w, "id", r->id);
	ctl_w_bool(w, "ok", true);
}

/**
 * ctl_resp_error() - a whole error response:
 *		      {"id":N,"ok":false,"field":F,"error":MSG}
 * @w:	the writer, empty
 * @r:	the request as far as it was parsed, or NULL
 * @e:	the error
 */
void ctl_resp_error(struct ctl_w *w, const struct ctl_req *r,
		    const struct ctl_err *e)
{
	ctl_w_obj_open(w, NULL);
	if (r && (r->have >> ROW_ID & 1))
		ctl_w_int(w, "id", r->id);
	ctl_w_bool(w, "ok", false);
	ctl_w_str(w, "field", e->field[0] ? e->field : "request");
	ctl_w_str(w, "error", e->msg[0] ? e->msg : "refused");
	ctl_w_obj_close(w);
}

/**
 * ctl_w_stats() - one stats object (doc/control.md "Stats objects")
 * @w:		the writer
 * @key:	its key, or NULL in an array or at the top
 * @s:		what to write
 */
void ctl_w_stats(struct ctl_w *w, const char *key, const struct ctl_stats *s)
{
	unsigned i;

	ctl_w_obj_open(w, key);
	ctl_w_str(w, "type", "stats");
	ctl_w_u64(w, "ts_ms", s->ts_ms);
	ctl_w_str(w, "kind", s->kind);
	ctl_w_str(w, "name", s->name);
	if (s->has_port)
		ctl_w_u64(w, "port", s->port);
	if (s->peer)
		ctl_w_str(w, "peer", s->peer);
	if (s->mode)
		ctl_w_str(w, "mode", s->mode);
	if (s->link >= 0)
		ctl_w_str(w, "link", s->link ? "up" : "down");
	for (i = 0; i < s->n; i++)
		ctl_w_u64(w, s->c[i].name, s->c[i].value);
	ctl_w_obj_close(w);
}

/**
 * ctl_stats_line() - a stats object as one line (`--stats-interval`)
 * @s:		what to write
 * @buf:	gets the line, newline included, NUL-terminated
 * @len:	size of @buf
 *
 * Return: the line's length, or -ENOSPC
 */
int ctl_stats_line(const struct ctl_stats *s, char *buf, size_t len)
{
	struct ctl_w w;

	ctl_w_init(&w, buf, len);
	ctl_w_stats(&w, NULL, s);
	return ctl_w_end(&w);
}

#define STAT(f)                                                                \
	{                                                                      \
#f, offsetof(struct sqn_stats, f)                              \
	}

/* The interface counters, named as struct sqn_stats names them. */
static const struct {
	const char *name;
	size_t off;
} stat_fields[] = {
	STAT(rx_frames),    STAT(rx_bytes),	   STAT(tx_frames),
	STAT(tx_bytes),	    STAT(rx_dropped),	   STAT(tx_dropped),
	STAT(rx_errors),    STAT(tx_errors),	   STAT(conn_resets),
	STAT(link_changes), STAT(helper_restarts),
};

_Static_assert(sizeof(stat_fields) / sizeof(stat_fields[0]) ==
		       sizeof(struct sqn_stats) / sizeof(uint64_t),
	       "a counter was added to struct sqn_stats: name it here");

/**
 * ctl_counters_from_stats() - an interface's counters, named
 * @st:		the counters
 * @out:	gets name/value pairs
 * @max:	size of @out
 *
 * Return: how many were filled
 */
unsigned ctl_counters_from_stats(const struct sqn_stats *st,
				 struct ctl_counter *out, unsigned max)
{
	unsigned i;

	for (i = 0; i < max && i < sizeof(stat_fields) / sizeof(stat_fields[0]);
	     i++) {
		out[i].name = stat_fields[i].name;
		memcpy(&out[i].value, (const char *)st + stat_fields[i].off,
		       sizeof(uint64_t));
	}
	return i;
}

#define STATX(f)                                                               \
	{                                                                      \
#f, offsetof(struct sqn_stats_ext, f)                          \
	}

/* Every counter of struct sqn_stats_ext, named as it names them. */
static const struct {
	const char *name;
	size_t off;
} statx_fields[] = {
	STATX(rx_frames),    STATX(rx_bytes),	     STATX(tx_frames),
	STATX(tx_bytes),     STATX(rx_dropped),	     STATX(tx_dropped),
	STATX(rx_errors),    STATX(tx_errors),	     STATX(conn_resets),
	STATX(link_changes), STATX(helper_restarts), STATX(rx_throttled),
	STATX(tx_throttled), STATX(capture_frames),  STATX(capture_dropped),
	STATX(capture_lost), STATX(policy_denied),
};

_Static_assert(sizeof(statx_fields) / sizeof(statx_fields[0]) ==
		       (sizeof(struct sqn_stats_ext) -
			offsetof(struct sqn_stats_ext, rx_frames)) /
			       sizeof(uint64_t),
	       "a counter was added to struct sqn_stats_ext: name it here");

/**
 * ctl_counters_from_ext() - every counter of an interface, named: struct
 *			     sqn_stats's, then the frame path's
 * @st:		the counters (sqn_iface_stats_ext(), full size)
 * @out:	gets name/value pairs
 * @max:	size of @out (CTL_MAX_COUNTERS holds them all)
 *
 * Return: how many were filled
 */
unsigned ctl_counters_from_ext(const struct sqn_stats_ext *st,
			       struct ctl_counter *out, unsigned max)
{
	unsigned i;

	for (i = 0;
	     i < max && i < sizeof(statx_fields) / sizeof(statx_fields[0]);
	     i++) {
		out[i].name = statx_fields[i].name;
		memcpy(&out[i].value, (const char *)st + statx_fields[i].off,
		       sizeof(uint64_t));
	}
	return i;
}
