/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_json.h - a strict, bounded JSON parser and a JSON writer, for the
 *		control protocol (pure, no allocation)
 */
#ifndef SQN_CTL_JSON_H
#define SQN_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** CTL_W_DEPTH - deepest nesting ctl_w writes */
#define CTL_W_DEPTH 8

/**
 * struct ctl_err - why a request was refused
 * @field:	the field, as a path ("rx_rate_limiter.bandwidth.size"),
 *		"cmd", or "request" for the line as a whole
 * @msg:	what is wrong, naming the field
 */
struct ctl_err {
	char field[96];
	char msg[256];
};

/**
 * enum ctl_jtype - a JSON value's type (null and fractions are refused)
 * @CTL_J_OBJ:	object
 * @CTL_J_ARR:	array
 * @CTL_J_STR:	string
 * @CTL_J_INT:	integer, 64-bit signed
 * @CTL_J_BOOL:	true or false
 */
enum ctl_jtype {
	CTL_J_OBJ,
	CTL_J_ARR,
	CTL_J_STR,
	CTL_J_INT,
	CTL_J_BOOL,
};

/**
 * struct ctl_jnode - one parsed JSON value, in document order
 * @type:	its type
 * @parent:	index of the object or array holding it, -1 for the root
 * @index:	its position in its parent
 * @key:	its key in an object (decoded, NUL-terminated), else NULL
 * @str:	a string's value (decoded, NUL-terminated; never holds a NUL)
 * @len:	its length
 * @num:	an integer's value
 * @b:		a boolean's value
 * @nkids:	members of an object or array
 */
struct ctl_jnode {
	enum ctl_jtype type;
	int parent;
	unsigned index;
	const char *key;
	const char *str;
	size_t len;
	int64_t num;
	bool b;
	unsigned nkids;
};

/**
 * struct ctl_w - a JSON writer into a fixed buffer
 * @buf:	the buffer
 * @cap:	its size
 * @len:	bytes written
 * @overflow:	something did not fit: the output is invalid
 * @depth:	open objects and arrays
 * @first:	bit d set: the next member at depth d is the first
 */
struct ctl_w {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	unsigned depth;
	uint32_t first;
};

void ctl_err_set(struct ctl_err *e, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int ctl_json_parse(const char *text, size_t len, struct ctl_jnode *nodes,
		   unsigned max_nodes, unsigned max_depth, char *arena,
		   size_t arena_len, struct ctl_err *err, unsigned *filled);
size_t ctl_json_path(const struct ctl_jnode *nodes, int idx, char *buf,
		     size_t len);
int ctl_json_find(const struct ctl_jnode *nodes, int count, int obj,
		  const char *key);

void ctl_w_init(struct ctl_w *w, char *buf, size_t cap);
void ctl_w_obj_open(struct ctl_w *w, const char *key);
void ctl_w_obj_close(struct ctl_w *w);
void ctl_w_arr_open(struct ctl_w *w, const char *key);
void ctl_w_arr_close(struct ctl_w *w);
void ctl_w_str(struct ctl_w *w, const char *key, const char *v);
void ctl_w_int(struct ctl_w *w, const char *key, int64_t v);
void ctl_w_u64(struct ctl_w *w, const char *key, uint64_t v);
void ctl_w_bool(struct ctl_w *w, const char *key, bool v);
int ctl_w_end(struct ctl_w *w);

#endif /* SQN_CTL_JSON_H */
