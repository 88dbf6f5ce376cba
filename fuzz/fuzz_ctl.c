/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ctl.c - libFuzzer target: the control protocol's request parser,
 *		its JSON parser and its JSON writer
 *
 * The input is a request line. Checked:
 * - a refused request names a field, and its message names that field;
 * - an accepted one formats to a line that parses to the same request
 *   (format, parse, format gives the same bytes);
 * - the generic parser, with looser limits, yields strings without a NUL
 *   inside, parents before children, and a path for every node;
 * - the writer turns any bytes into a JSON string the parser reads back,
 *   and writing what it read gives the same line again.
 */
#include <errno.h>
#include <string.h>

#include "ctl_proto.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * check_request() - parse as a request; refusals and round trips
 * @line:	the input
 * @len:	its length
 */
static void check_request(const char *line, size_t len)
{
	static struct ctl_req r, back;
	static char out[CTL_RESP_MAX], again[CTL_RESP_MAX];
	struct ctl_err e;
	int rc, n;

	memset(&e, 0, sizeof(e));
	rc = ctl_req_parse(line, len, &r, &e);
	if (rc) {
		FZ_REQUIRE(rc == -EINVAL || rc == -EMSGSIZE || rc == -ENOTSUP);
		FZ_REQUIRE(e.field[0] && e.msg[0]);
		FZ_REQUIRE(!strcmp(e.field, "request") ||
			   !strncmp(e.msg, e.field, strlen(e.field)));
		return;
	}
	n = ctl_req_format(&r, out, sizeof(out));
	FZ_REQUIRE(n > 0 && out[n - 1] == '\n');
	rc = ctl_req_parse(out, (size_t)n - 1, &back, &e);
	if (rc)
		fprintf(stderr, "%s -> %s\n", out, e.msg);
	FZ_REQUIRE(rc == 0);
	FZ_REQUIRE(back.cmd == r.cmd && back.have == r.have);
	FZ_REQUIRE(ctl_req_format(&back, again, sizeof(again)) == n);
	FZ_REQUIRE(!memcmp(out, again, (size_t)n));
}

/**
 * check_json() - the generic parser with looser limits
 * @line:	the input
 * @len:	its length
 */
static void check_json(const char *line, size_t len)
{
	static struct ctl_jnode nodes[512];
	static char arena[CTL_RESP_MAX + 1];
	char path[128];
	struct ctl_err e;
	int n, i;

	if (len > CTL_RESP_MAX)
		return;
	n = ctl_json_parse(line, len, nodes, 512, 8, arena, len + 1, &e, NULL);
	if (n < 0) {
		FZ_REQUIRE(e.field[0] && e.msg[0]);
		return;
	}
	FZ_REQUIRE(n >= 1 && nodes[0].type == CTL_J_OBJ);
	for (i = 0; i < n; i++) {
		FZ_REQUIRE(nodes[i].parent < i);
		if (nodes[i].type == CTL_J_STR)
			FZ_REQUIRE(strlen(nodes[i].str) == nodes[i].len);
		FZ_REQUIRE(ctl_json_path(nodes, i, path, sizeof(path)) ==
			   strlen(path));
	}
}

/**
 * check_writer() - any bytes, written as a string, read back the same way
 * @s:	NUL-terminated bytes
 */
static void check_writer(const char *s)
{
	static char out[8 * CTL_LINE_MAX + 64], again[8 * CTL_LINE_MAX + 64];
	static char arena[8 * CTL_LINE_MAX + 64];
	struct ctl_jnode nodes[4];
	struct ctl_err e;
	struct ctl_w w;
	int n, m;

	ctl_w_init(&w, out, sizeof(out));
	ctl_w_obj_open(&w, NULL);
	ctl_w_str(&w, "s", s);
	ctl_w_obj_close(&w);
	n = ctl_w_end(&w);
	FZ_REQUIRE(n > 0);
	m = ctl_json_parse(out, (size_t)n - 1, nodes, 4, 2, arena,
			   sizeof(arena), &e, NULL);
	FZ_REQUIRE(m == 2 && nodes[1].type == CTL_J_STR);
	ctl_w_init(&w, again, sizeof(again));
	ctl_w_obj_open(&w, NULL);
	ctl_w_str(&w, "s", nodes[1].str);
	ctl_w_obj_close(&w);
	FZ_REQUIRE(ctl_w_end(&w) == n && !memcmp(out, again, (size_t)n));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	check_request((const char *)data, size);
	check_json((const char *)data, size);
	if (size > CTL_LINE_MAX)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_writer(s);
	free(s);
	return 0;
}
