/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_ctl_proto.c - the control protocol: requests accepted and read right,
 *		   every refusal naming its field, responses and stats
 *		   objects written as doc/control.md shows them
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "ctl_proto.h"

static int parse(const char *line, struct ctl_req *r, struct ctl_err *e)
{
	memset(e, 0, sizeof(*e));
	return ctl_req_parse(line, strlen(line), r, e);
}

/* the smallest request, and one with every capture field */
static void accept_basic(void)
{
	static struct ctl_req r;
	struct ctl_err e;
	char line[CTL_RESP_MAX];

	CHECK_EQ(parse("{\"cmd\":\"list\"}", &r, &e), 0);
	CHECK_EQ(r.cmd, CTL_LIST);
	CHECK(!ctl_req_has(&r, "id"));
	CHECK_EQ(r.names.n, 0);

	CHECK_EQ(parse(" {\"id\": -42 , \"cmd\" : \"capture-start\", "
		       "\"name\":\"eth0\",\"file\":\"/tmp/a b.pcap\","
		       "\"snaplen\":128,\"direction\":\"tx\",\"nsec\":true}\r ",
		       &r, &e),
		 0);
	CHECK_EQ(r.cmd, CTL_CAPTURE_START);
	CHECK(ctl_req_has(&r, "id"));
	CHECK_EQ(r.id, -42);
	CHECK_STR_HAS(r.name, "eth0");
	CHECK(!strcmp(r.file, "/tmp/a b.pcap"));
	CHECK_EQ(r.snaplen, 128);
	CHECK(!strcmp(r.direction, "tx"));
	CHECK(r.nsec);
	CHECK(ctl_req_format(&r, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"cmd\":\"capture-start\",\"id\":-42,\"name\":"
			    "\"eth0\",\"file\":\"/tmp/a b.pcap\",\"snaplen\":"
			    "128,\"direction\":\"tx\",\"nsec\":true}\n"));

	CHECK_EQ(parse("{\"cmd\":\"list\",\"names\":[\"eth0\",\"vm1\"]}", &r,
		       &e),
		 0);
	CHECK_EQ(r.names.n, 2);
	CHECK(!strcmp(r.names.v[1], "vm1"));
	CHECK_EQ(parse("{\"cmd\":\"list\",\"names\":[]}", &r, &e), 0);
	CHECK(ctl_req_has(&r, "names"));
	CHECK_EQ(r.names.n, 0);
	CHECK_EQ(parse("{\"cmd\":\"disconnect\",\"name\":\"vm1\"}", &r, &e), 0);
	CHECK_EQ(parse("{\"cmd\":\"forward-add\",\"forward\":\"tcp::8080-:80\""
		       "}",
		       &r, &e),
		 0);
	CHECK(!r.name);
	CHECK(!strcmp(r.forward, "tcp::8080-:80"));
	CHECK_EQ(parse("{\"cmd\":\"capture-stop\"}", &r, &e), 0);
	CHECK_EQ(parse("{\"cmd\":\"forward-remove\",\"name\":\"eth0\","
		       "\"forward\":\"udp:127.0.0.1:53-:53\"}",
		       &r, &e),
		 0);
}

/* Firecracker's PATCH body, as rate-limit takes it */
static void accept_rate_limit(void)
{
	static struct ctl_req r;
	struct ctl_err e;
	char line[CTL_RESP_MAX];
	const char *req =
		"{\"cmd\":\"rate-limit\",\"name\":\"eth0\","
		"\"rx_rate_limiter\":{\"bandwidth\":{\"size\":12500000,"
		"\"refill_time\":1000},\"ops\":{\"size\":0,\"refill_time\":0}},"
		"\"tx_rate_limiter\":{\"ops\":{\"size\":1000,"
		"\"one_time_burst\":5000,\"refill_time\":1000}}}";

	ASSERT(parse(req, &r, &e) == 0);
	CHECK(r.rx.set);
	CHECK(r.rx.bandwidth.set);
	CHECK_EQ(r.rx.bandwidth.size, 12500000);
	CHECK_EQ(r.rx.bandwidth.one_time_burst, 0);
	CHECK_EQ(r.rx.bandwidth.refill_time, 1000);
	CHECK(r.rx.ops.set);
	CHECK_EQ(r.rx.ops.size, 0);
	CHECK(r.tx.set);
	CHECK(!r.tx.bandwidth.set); /* absent: leave it alone */
	CHECK(r.tx.ops.set);
	CHECK_EQ(r.tx.ops.one_time_burst, 5000);
	/* formatted back, it is the same request */
	CHECK(ctl_req_format(&r, line, sizeof(line)) > 0);
	CHECK(!strncmp(line,
		       "{\"cmd\":\"rate-limit\",\"name\":\"eth0\","
		       "\"rx_rate_limiter\":{\"bandwidth\":{\"size\":"
		       "12500000,\"refill_time\":1000},\"ops\":"
		       "{\"size\":0,\"refill_time\":0}},"
		       "\"tx_rate_limiter\":{\"ops\":{\"size\":1000,"
		       "\"one_time_burst\":5000,\"refill_time\":1000}}}",
		       strlen(req)));

	/* an empty limiter object is a valid PATCH that changes nothing */
	CHECK_EQ(parse("{\"cmd\":\"rate-limit\",\"tx_rate_limiter\":{}}", &r,
		       &e),
		 0);
	CHECK(r.tx.set && !r.tx.bandwidth.set && !r.tx.ops.set);
}

/* escapes and UTF-8 decode; what is decoded is what the field holds */
static void accept_strings(void)
{
	static struct ctl_req r;
	struct ctl_err e;

	ASSERT(parse("{\"cmd\":\"forward-add\",\"forward\":"
		     "\"tcp:\\u0031\\/"
		     "x\\u00e9\\ud83d\\ude00\\\"\\\\\xc3\xa9\"}",
		     &r, &e) == 0);
	CHECK(!strcmp(r.forward,
		      "tcp:1/x\xc3\xa9\xf0\x9f\x98\x80\"\\\xc3\xa9"));
	/* policy-set: the rules as given; none turns the policy off */
	ASSERT(parse("{\"cmd\":\"policy-set\",\"name\":\"eth0\",\"rules\":"
		     "[\"allow-host=pypi.org\",\"allow-net=10.1.0.0/16:5432\","
		     "\"--deny-all\"]}",
		     &r, &e) == 0);
	CHECK_EQ(r.cmd, CTL_POLICY_SET);
	CHECK(!strcmp(r.name, "eth0"));
	CHECK_EQ(r.rules.n, 3);
	CHECK(!strcmp(r.rules.v[1], "allow-net=10.1.0.0/16:5432"));
	ASSERT(parse("{\"cmd\":\"policy-set\",\"rules\":[]}", &r, &e) == 0);
	CHECK_EQ(r.rules.n, 0);
	CHECK(ctl_req_has(&r, "rules"));
}

struct refusal {
	const char *line;
	const char *field;
	const char *msg;
};

static const struct refusal refusals_table[] = {
	{"", "request", "expected '{'"},
	{"[]", "request", "a request is one JSON object"},
	{"{\"cmd\":\"list\"} x", "request", "something follows the object"},
	{"{\"cmd\":\"list\"", "request", "expected ',' or '}'"},
	{"{}", "cmd", "cmd: missing"},
	{"{\"cmd\":5}", "cmd", "cmd: must be a string"},
	{"{\"cmd\":\"lits\"}", "cmd",
	 "unknown command \"lits\" (list, forward-add, forward-remove, "
	 "capture-start, capture-stop, rate-limit, policy-set, disconnect)"},
	{"{\"cmd\":\"policy-set\"}", "rules",
	 "rules: missing: policy-set needs it"},
	{"{\"cmd\":\"policy-set\",\"rules\":[\"allow-host=a.b\","
	 "\"allow-net=10.0.0.1/8\"]}",
	 "rules[1]",
	 "rules[1]: allow-net \"10.0.0.1/8\": host bits set after /8"},
	{"{\"cmd\":\"policy-set\",\"rules\":[\"allow-hots=a.b\"]}", "rules[0]",
	 "unknown kind \"allow-hots\""},
	{"{\"cmd\":\"policy-set\",\"rules\":[\"check-sni\"]}", "rules",
	 "rules: check-sni checks TLS server names against the allow-host "
	 "rules, and there are none"},
	{"{\"cmd\":\"policy-set\",\"rules\":[5]}", "rules[0]",
	 "rules[0]: must be a string"},
	{"{\"cmd\":\"list\",\"cmd\":\"list\"}", "cmd",
	 "cmd: the field appears twice"},
	{"{\"cmd\":\"list\",\"x\":1}", "x",
	 "x: unknown field (list takes: id, names)"},
	{"{\"cmd\":\"list\",\"file\":\"/x\"}", "file",
	 "file: does not apply to list"},
	{"{\"cmd\":\"list\",\"id\":\"7\"}", "id", "id: must be an integer"},
	{"{\"cmd\":\"forward-add\"}", "forward",
	 "forward: missing: forward-add needs it"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\"}", "forward",
	 "forward: empty"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"a\\nb\"}", "forward",
	 "forward: a control character (0x0a) at offset 1"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"a\\u0000\"}", "forward",
	 "\\u0000 is not accepted"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\\ud800\"}", "forward",
	 "a high surrogate \\u escape without a low one"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\\udc00\"}", "forward",
	 "a low surrogate"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\\u12g4\"}", "forward",
	 "\\u needs four hex digits"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\\x\"}", "forward",
	 "an unknown escape"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\xff\"}", "forward",
	 "not valid UTF-8"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\xc0\xaf\"}", "forward",
	 "not valid UTF-8"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"\xed\xa0\x80\"}", "forward",
	 "not valid UTF-8"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"a\x01\"}", "forward",
	 "a control character (0x01) in a string"},
	{"{\"cmd\":\"forward-add\",\"forward\":\"abc", "forward",
	 "the line ends inside a string"},
	{"{\"cmd\" \"list\"}", "cmd", "expected ':' after the field name"},
	{"{\"cmd\":\"list\",}", "request", "expected a field name in quotes"},
	{"{\"cmd\":\"list\" \"id\":1}", "request", "expected ',' or '}'"},
	{"{\"cmd\":\"list\",\"id\":tru}", "id", "expected a value"},
	{"{\"cmd\":\"list\",\"id\":}", "id", "expected a value"},
	{"{\"cmd\":\"list\",\"id\":-}", "id", "expected a digit"},
	{"{\"cmd\":\"capture-start\",\"file\":\"x.pcap\"}", "file",
	 "file: \"x.pcap\" is not an absolute path"},
	{"{\"cmd\":\"capture-start\"}", "file",
	 "file: missing: capture-start needs it"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":10}",
	 "snaplen", "snaplen: 10 is out of range 14..262144"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":1.5}",
	 "snaplen", "numbers must be integers"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":1e3}",
	 "snaplen", "numbers must be integers"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":0123}",
	 "snaplen", "a number with a leading zero"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":"
	 "9223372036854775808}",
	 "snaplen", "the number does not fit 64 bits"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"snaplen\":\"100\"}",
	 "snaplen", "snaplen: must be an integer"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"direction\":\"up\"}",
	 "direction", "direction: \"up\" is not one of rx, tx, both"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"nsec\":null}", "nsec",
	 "null is not accepted"},
	{"{\"cmd\":\"capture-start\",\"file\":\"/x\",\"nsec\":1}", "nsec",
	 "nsec: must be true or false"},
	{"{\"cmd\":\"rate-limit\"}", "rx_rate_limiter",
	 "rate-limit needs rx_rate_limiter or tx_rate_limiter"},
	{"{\"cmd\":\"rate-limit\",\"rx_rate_limiter\":{\"bandwidth\":"
	 "{\"size\":1}}}",
	 "rx_rate_limiter.bandwidth.refill_time",
	 "rx_rate_limiter.bandwidth.refill_time: missing: a bucket needs size "
	 "and refill_time"},
	{"{\"cmd\":\"rate-limit\",\"rx_rate_limiter\":{\"bandwith\":{}}}",
	 "rx_rate_limiter.bandwith",
	 "rx_rate_limiter.bandwith: unknown field (rate-limit rx_rate_limiter "
	 "takes: bandwidth, ops)"},
	{"{\"cmd\":\"rate-limit\",\"tx_rate_limiter\":{\"ops\":{\"size\":-1,"
	 "\"refill_time\":1}}}",
	 "tx_rate_limiter.ops.size", "is out of range 0..9223372036854775807"},
	{"{\"cmd\":\"rate-limit\",\"tx_rate_limiter\":{\"ops\":{\"size\":1,"
	 "\"refill_time\":18446744073710}}}",
	 "tx_rate_limiter.ops.refill_time", "out of range 0..18446744073709"},
	{"{\"cmd\":\"rate-limit\",\"rx_rate_limiter\":{\"ops\":{\"x\":{}}}}",
	 "rx_rate_limiter.ops.x", "nested deeper than 3 levels"},
	{"{\"cmd\":\"rate-limit\",\"rx_rate_limiter\":5}", "rx_rate_limiter",
	 "rx_rate_limiter: must be an object"},
	{"{\"cmd\":\"list\",\"names\":[\"a\",1]}", "names[1]",
	 "names[1]: must be a string"},
	{"{\"cmd\":\"list\",\"names\":[\"a\" 1]}", "names",
	 "expected ',' or ']'"},
	{"{\"cmd\":\"list\",\"names\":\"a\"}", "names",
	 "names: must be an array of strings"},
	{"{\"cmd\":\"disconnect\"}", "name",
	 "name: missing: disconnect needs it"},
};

/* every refusal names its field, and says what is wrong */
static void refusals(void)
{
	static struct ctl_req r;
	struct ctl_err e;
	size_t i;

	for (i = 0; i < sizeof(refusals_table) / sizeof(refusals_table[0]);
	     i++) {
		const struct refusal *t = &refusals_table[i];
		int rc = parse(t->line, &r, &e);

		if (rc == 0 || strcmp(e.field, t->field) ||
		    !strstr(e.msg, t->msg))
			printf("# %s -> %d field \"%s\" msg \"%s\"\n", t->line,
			       rc, e.field, e.msg);
		CHECK(rc < 0);
		CHECK(!strcmp(e.field, t->field));
		CHECK_STR_HAS(e.msg, t->msg);
		CHECK_STR_HAS(e.msg, strchr(t->field, '[') ? "[" : t->field);
	}
}

/* the bounds: line length, values, strings in an array */
static void bounds(void)
{
	static struct ctl_req r;
	static char line[CTL_LINE_MAX + 64];
	struct ctl_err e;
	size_t k;
	int i;

	memset(line, ' ', sizeof(line));
	memcpy(line, "{\"cmd\":\"list\"}", 14);
	CHECK_EQ(ctl_req_parse(line, CTL_LINE_MAX, &r, &e), 0);
	CHECK_EQ(ctl_req_parse(line, CTL_LINE_MAX + 1, &r, &e), -EMSGSIZE);
	CHECK(!strcmp(e.field, "request"));
	CHECK_STR_HAS(e.msg, "4097 bytes, longer than 4096");

	k = (size_t)sprintf(line, "{\"cmd\":\"list\",\"names\":[");
	for (i = 0; i < 33; i++)
		k += (size_t)sprintf(line + k, "%s\"n%d\"", i ? "," : "", i);
	strcpy(line + k, "]}");
	CHECK_EQ(parse(line, &r, &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "names: more than 32 strings");

	k = (size_t)sprintf(line, "{\"cmd\":\"list\",\"names\":[");
	for (i = 0; i < 200; i++)
		k += (size_t)sprintf(line + k, "%s\"\"", i ? "," : "");
	strcpy(line + k, "]}");
	CHECK_EQ(parse(line, &r, &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "more than 128 values in one request");
}

/* an error echoes the id when the request had one */
static void responses(void)
{
	static struct ctl_req r;
	struct ctl_err e;
	struct ctl_w w;
	char buf[512];

	CHECK_EQ(parse("{\"id\":7,\"cmd\":\"list\",\"x\":1}", &r, &e), -EINVAL);
	ctl_w_init(&w, buf, sizeof(buf));
	ctl_resp_error(&w, &r, &e);
	CHECK(ctl_w_end(&w) > 0);
	CHECK(!strcmp(buf, "{\"id\":7,\"ok\":false,\"field\":\"x\",\"error\":"
			   "\"x: unknown field (list takes: id, names)\"}\n"));

	ctl_w_init(&w, buf, sizeof(buf));
	ctl_resp_error(&w, NULL, &e);
	CHECK(ctl_w_end(&w) > 0);
	CHECK(!strncmp(buf, "{\"ok\":false,\"field\":\"x\"", 23));

	/* a line that breaks after its id still has it; a broken id is none */
	CHECK_EQ(parse("{\"id\":8,\"cmd\":\"list\",}", &r, &e), -EINVAL);
	CHECK(ctl_req_has(&r, "id"));
	CHECK_EQ(r.id, 8);
	CHECK_EQ(parse("{\"id\":99999999999999999999}", &r, &e), -EINVAL);
	CHECK(!ctl_req_has(&r, "id"));

	CHECK_EQ(parse("{\"id\":9,\"cmd\":\"list\"}", &r, &e), 0);
	ctl_w_init(&w, buf, sizeof(buf));
	ctl_resp_ok(&w, &r);
	ctl_w_arr_open(&w, "items");
	ctl_w_arr_close(&w);
	ctl_w_obj_close(&w);
	CHECK_EQ(ctl_w_end(&w), 30);
	CHECK(!strcmp(buf, "{\"id\":9,\"ok\":true,\"items\":[]}\n"));
}

/* the writer escapes what JSON needs, and says when it ran out of room */
static void writer(void)
{
	struct ctl_w w;
	char buf[128], small[16];

	ctl_w_init(&w, buf, sizeof(buf));
	ctl_w_obj_open(&w, NULL);
	ctl_w_str(&w, "s", "q\"b\\c\x01\n\xc3\xa9\xff.");
	ctl_w_int(&w, "i", INT64_MIN);
	ctl_w_u64(&w, "u", UINT64_MAX);
	ctl_w_bool(&w, "b", false);
	ctl_w_arr_open(&w, "a");
	ctl_w_str(&w, NULL, "x");
	ctl_w_obj_open(&w, NULL);
	ctl_w_obj_close(&w);
	ctl_w_arr_close(&w);
	ctl_w_obj_close(&w);
	CHECK(ctl_w_end(&w) > 0);
	CHECK(!strcmp(
		buf,
		"{\"s\":\"q\\\"b\\\\c\\u0001\\u000a\xc3\xa9\xef\xbf\xbd.\","
		"\"i\":-9223372036854775808,\"u\":"
		"18446744073709551615,\"b\":false,"
		"\"a\":[\"x\",{}]}\n"));

	ctl_w_init(&w, small, sizeof(small));
	ctl_w_obj_open(&w, NULL);
	ctl_w_str(&w, "key", "a value longer than sixteen bytes");
	ctl_w_obj_close(&w);
	CHECK_EQ(ctl_w_end(&w), -ENOSPC);
	CHECK_EQ(small[0], '\0');

	ctl_w_init(&w, buf, sizeof(buf));
	ctl_w_obj_open(&w, NULL);
	CHECK_EQ(ctl_w_end(&w), -ENOSPC); /* not closed */
}

/* a stats line, exactly, and parsed back by the generic parser */
static void stats_objects(void)
{
	struct sqn_stats st = {.rx_frames = 1,
			       .rx_bytes = 60,
			       .tx_frames = 2,
			       .tx_dropped = 3,
			       .helper_restarts = UINT64_MAX};
	struct ctl_counter c[16];
	struct ctl_stats s = {.kind = "iface",
			      .name = "eth0",
			      .mode = "slirp",
			      .link = 1,
			      .ts_ms = 1733000000123ULL,
			      .c = c};
	struct ctl_jnode nodes[64];
	char line[1024], arena[1024];
	struct ctl_err e;
	int n, k;

	s.n = ctl_counters_from_stats(&st, c, 16);
	CHECK_EQ(s.n, 11);
	CHECK_EQ(ctl_counters_from_stats(&st, c, 3), 3);
	s.n = ctl_counters_from_stats(&st, c, 16);
	n = ctl_stats_line(&s, line, sizeof(line));
	CHECK_EQ(n, (int)strlen(line));
	CHECK(!strcmp(line,
		      "{\"type\":\"stats\",\"ts_ms\":1733000000123,\"kind\":"
		      "\"iface\",\"name\":\"eth0\",\"mode\":\"slirp\",\"link\":"
		      "\"up\",\"rx_frames\":1,\"rx_bytes\":60,\"tx_frames\":2,"
		      "\"tx_bytes\":0,\"rx_dropped\":0,\"tx_dropped\":3,"
		      "\"rx_errors\":0,\"tx_errors\":0,\"conn_resets\":0,"
		      "\"link_changes\":0,\"helper_restarts\":"
		      "18446744073709551615}\n"));
	/* a u64 above INT64_MAX does not fit the parser's integers */
	n = ctl_json_parse(line, strlen(line) - 1, nodes, 64, 4, arena,
			   sizeof(arena), &e, NULL);
	CHECK_EQ(n, -EINVAL);
	CHECK_STR_HAS(e.msg, "helper_restarts: the number does not fit");
	st.helper_restarts = 5;
	s.n = ctl_counters_from_stats(&st, c, 16);
	s.link = -1;
	s.mode = NULL;
	s.kind = "port";
	ASSERT(ctl_stats_line(&s, line, sizeof(line)) > 0);
	n = ctl_json_parse(line, strlen(line) - 1, nodes, 64, 4, arena,
			   sizeof(arena), &e, NULL);
	CHECK_EQ(n, 1 + 4 + 11);
	k = ctl_json_find(nodes, n, 0, "tx_dropped");
	ASSERT(k > 0);
	CHECK_EQ(nodes[k].num, 3);
	CHECK_EQ(ctl_json_find(nodes, n, 0, "link"), -1);
	k = ctl_json_find(nodes, n, 0, "kind");
	ASSERT(k > 0);
	CHECK(!strcmp(nodes[k].str, "port"));
}

/* the client's FIELD=VALUE path: same table, same checks, same format */
static void client_set(void)
{
	static struct ctl_req r, back;
	struct ctl_err e;
	char line[CTL_RESP_MAX], again[CTL_RESP_MAX];

	CHECK_EQ(ctl_req_init(&r, "rate-limit", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "name", "eth0", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "tx_rate_limiter.bandwidth.size", "12500000",
			     &e),
		 0);
	CHECK_EQ(ctl_req_check(&r, &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "tx_rate_limiter.bandwidth.refill_time: missing");
	CHECK_EQ(ctl_req_set(&r, "tx_rate_limiter.bandwidth.refill_time", "100",
			     &e),
		 0);
	CHECK_EQ(ctl_req_set(&r, "id", "12", &e), 0);
	CHECK_EQ(ctl_req_check(&r, &e), 0);
	CHECK(r.tx.set && r.tx.bandwidth.set);
	ASSERT(ctl_req_format(&r, line, sizeof(line)) > 0);
	CHECK(!strcmp(line,
		      "{\"cmd\":\"rate-limit\",\"id\":12,\"name\":\"eth0\","
		      "\"tx_rate_limiter\":{\"bandwidth\":{\"size\":"
		      "12500000,\"refill_time\":100}}}\n"));
	ASSERT(ctl_req_parse(line, strlen(line) - 1, &back, &e) == 0);
	ASSERT(ctl_req_format(&back, again, sizeof(again)) > 0);
	CHECK(!strcmp(line, again));

	CHECK_EQ(ctl_req_set(&r, "tx_rate_limiter.ops.size", "many", &e),
		 -EINVAL);
	CHECK(!strcmp(e.field, "tx_rate_limiter.ops.size"));
	CHECK_STR_HAS(e.msg, "\"many\" is not an integer");
	CHECK_EQ(ctl_req_set(&r, "tx_rate_limiter", "1", &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "an object: set its fields");
	CHECK_EQ(ctl_req_set(&r, "file", "/x", &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "file: does not apply to rate-limit");
	CHECK_EQ(ctl_req_set(&r, "cmd", "list", &e), -EINVAL);

	CHECK_EQ(ctl_req_init(&r, "capture-start", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "nsec", "yes", &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "nsec: must be true or false");
	CHECK_EQ(ctl_req_set(&r, "nsec", "true", &e), 0);
	CHECK_EQ(ctl_req_check(&r, &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "file: missing");
	CHECK_EQ(ctl_req_init(&r, "list", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "names", "a", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "names", "b", &e), 0);
	ASSERT(ctl_req_format(&r, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"cmd\":\"list\",\"names\":[\"a\",\"b\"]}\n"));
	CHECK_EQ(ctl_req_init(&r, "nope", &e), -EINVAL);
	CHECK_EQ(ctl_req_init(&r, "policy-set", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "rules", "allow-host=pypi.org", &e), 0);
	CHECK_EQ(ctl_req_set(&r, "rules", "deny-all", &e), 0);
	CHECK_EQ(ctl_req_check(&r, &e), 0);
	ASSERT(ctl_req_format(&r, line, sizeof(line)) > 0);
	CHECK(!strcmp(line, "{\"cmd\":\"policy-set\",\"rules\":"
			    "[\"allow-host=pypi.org\",\"deny-all\"]}\n"));
	CHECK_EQ(ctl_req_set(&r, "rules", "allow-dns=nope", &e), 0);
	CHECK_EQ(ctl_req_check(&r, &e), -EINVAL);
	CHECK_STR_HAS(e.msg, "rules[2]: allow-dns \"nope\" is not an IPv4 or "
			     "IPv6 address");
}

/* the usage text comes from the table: every command, required marks */
static void usage_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ASSERT(f);
	ctl_usage(f);
	fclose(f);
	CHECK_STR_HAS(text, "  capture-start   start a pcap capture\n");
	CHECK_STR_HAS(text, "      file*  the pcap file");
	CHECK_STR_HAS(text, "      rx_rate_limiter.bandwidth.size*  tokens");
	CHECK_STR_HAS(text, "policy-set");
	CHECK_STR_HAS(text, "      name*  the interface or port");
	free(text);
}

static const struct check_case cases[] = {
	CASE(accept_basic),   CASE(accept_rate_limit),
	CASE(accept_strings), CASE(refusals),
	CASE(bounds),	      CASE(responses),
	CASE(writer),	      CASE(stats_objects),
	CASE(client_set),     CASE(usage_text),
};

CHECK_MAIN(cases)
