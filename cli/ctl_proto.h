/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_proto.h - the control protocol of run and serve (doc/control.md):
 *		 one JSON object per line, request and response, pure
 *
 * A request is a JSON object naming its command ("cmd") and its fields,
 * checked against one table of fields (path, kind, the commands it applies
 * to, the commands that require it, range): ctl_req_parse() turns a line
 * into a struct ctl_req or an error naming the field, ctl_req_set() does
 * the same for the client's FIELD=VALUE arguments, ctl_req_format() writes
 * a struct ctl_req back as a line. The JSON itself is ctl_json.h's: strict
 * and bounded (line length, node count, nesting depth). Responses and the
 * stats objects `--stats-interval` prints and `list` answers are written
 * with its writer, struct ctl_w.
 */
#ifndef SQN_CTL_PROTO_H
#define SQN_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl_json.h"
#include "squibnet.h"

/** CTL_LINE_MAX - longest request line, its newline not counted */
#define CTL_LINE_MAX 4096
/** CTL_REQ_DEPTH - objects nest 3 deep: the request, rx_rate_limiter, ops */
#define CTL_REQ_DEPTH 3
/** CTL_REQ_NODES - most JSON values in a request */
#define CTL_REQ_NODES 128
/** CTL_MAX_STRS - most strings in an array field */
#define CTL_MAX_STRS 32
/** CTL_MAX_COUNTERS - counters of an interface's stats object, at most */
#define CTL_MAX_COUNTERS 48
/** CTL_RESP_MAX - longest response line */
#define CTL_RESP_MAX 65536

/**
 * enum ctl_cmd - the commands
 * @CTL_LIST:		interfaces and ports with their counters
 * @CTL_FORWARD_ADD:	add a port forward
 * @CTL_FORWARD_REMOVE:	remove a port forward
 * @CTL_CAPTURE_START:	start a pcap capture
 * @CTL_CAPTURE_STOP:	stop it
 * @CTL_RATE_LIMIT:	set rate limits (Firecracker's PATCH body)
 * @CTL_POLICY_SET:	set or replace the egress policy
 * @CTL_DISCONNECT:	disconnect a serve port
 * @CTL_CMD_COUNT:	number of commands
 */
enum ctl_cmd {
	CTL_LIST,
	CTL_FORWARD_ADD,
	CTL_FORWARD_REMOVE,
	CTL_CAPTURE_START,
	CTL_CAPTURE_STOP,
	CTL_RATE_LIMIT,
	CTL_POLICY_SET,
	CTL_DISCONNECT,
	CTL_CMD_COUNT
};

/**
 * struct ctl_strs - an array of strings
 * @v:	the strings
 * @n:	how many
 */
struct ctl_strs {
	const char *v[CTL_MAX_STRS];
	unsigned n;
};

/**
 * struct ctl_bucket - a token bucket, as Firecracker's TokenBucketConfig
 * @set:		present (an update); absent leaves the bucket alone
 * @size:		tokens; 0 disables the bucket
 * @one_time_burst:	extra tokens spent first (0 if not given)
 * @refill_time:	milliseconds to refill; 0 disables the bucket
 */
struct ctl_bucket {
	bool set;
	int64_t size;
	int64_t one_time_burst;
	int64_t refill_time;
};

/**
 * struct ctl_limiter - a direction's limiter, as Firecracker's
 *			RateLimiterConfig
 * @set:	present
 * @bandwidth:	the bytes bucket
 * @ops:	the frames bucket
 */
struct ctl_limiter {
	bool set;
	struct ctl_bucket bandwidth;
	struct ctl_bucket ops;
};

/**
 * struct ctl_req - a checked request
 * @cmd:	the command
 * @id:		"id": any integer, echoed in the response
 * @name:	"name": the interface or port it is about; NULL: the only
 *		interface (run), the whole network (serve capture)
 * @names:	"names": list only these (list)
 * @forward:	"forward": "tcp|udp:[hostaddr]:hostport-[guestaddr]:guestport"
 * @file:	"file": the pcap file (capture-start)
 * @snaplen:	"snaplen": bytes kept of each frame (capture-start)
 * @direction:	"direction": "rx", "tx" or "both" (capture-start)
 * @nsec:	"nsec": nanosecond timestamps (capture-start)
 * @rx:		"rx_rate_limiter" (rate-limit)
 * @tx:		"tx_rate_limiter" (rate-limit)
 * @rules:	"rules": the egress policy's rules (policy-set), each checked
 *		by the rule parser (policy_rules.h); none: the policy off
 * @have:	bit i set: field table row i was given
 * @arena:	where the parser decodes strings
 */
struct ctl_req {
	enum ctl_cmd cmd;
	int64_t id;
	const char *name;
	struct ctl_strs names;
	const char *forward;
	const char *file;
	int64_t snaplen;
	const char *direction;
	bool nsec;
	struct ctl_limiter rx;
	struct ctl_limiter tx;
	struct ctl_strs rules;
	uint64_t have;
	char arena[CTL_LINE_MAX + 1];
};

/**
 * struct ctl_counter - one named counter of a stats object
 * @name:	its JSON name
 * @value:	its value
 */
struct ctl_counter {
	const char *name;
	uint64_t value;
};

/**
 * struct ctl_stats - one stats object: an interface's or a port's counters
 * @kind:	"iface", "port" or "network"
 * @name:	the interface id or port name
 * @has_port:	write @port (a serve port's switch number)
 * @port:	the port's number
 * @peer:	who is at the other end ("pid 42", a socket path), or NULL
 * @mode:	the backend mode, or NULL
 * @link:	1 up, 0 down, -1 not written
 * @ts_ms:	when, ms since the epoch
 * @c:		the counters, written in this order
 * @n:		how many
 */
struct ctl_stats {
	const char *kind;
	const char *name;
	bool has_port;
	unsigned port;
	const char *peer;
	const char *mode;
	int link;
	uint64_t ts_ms;
	const struct ctl_counter *c;
	unsigned n;
};

/* requests */
const char *ctl_cmd_name(enum ctl_cmd cmd);
int ctl_req_parse(const char *line, size_t len, struct ctl_req *r,
		  struct ctl_err *err);
int ctl_req_init(struct ctl_req *r, const char *cmd, struct ctl_err *err);
int ctl_req_set(struct ctl_req *r, const char *path, const char *value,
		struct ctl_err *err);
int ctl_req_check(struct ctl_req *r, struct ctl_err *err);
int ctl_req_format(const struct ctl_req *r, char *buf, size_t len);
bool ctl_req_has(const struct ctl_req *r, const char *path);
int ctl_req_limiters(const struct ctl_req *r, struct sqn_rate_limiter *rx,
		     struct sqn_rate_limiter *tx, unsigned *which,
		     struct ctl_err *err);
void ctl_usage(FILE *f);

/* responses and stats */
void ctl_resp_ok(struct ctl_w *w, const struct ctl_req *r);
void ctl_resp_error(struct ctl_w *w, const struct ctl_req *r,
		    const struct ctl_err *e);
void ctl_w_stats(struct ctl_w *w, const char *key, const struct ctl_stats *s);
int ctl_stats_line(const struct ctl_stats *s, char *buf, size_t len);
unsigned ctl_counters_from_stats(const struct sqn_stats *st,
				 struct ctl_counter *out, unsigned max);
unsigned ctl_counters_from_ext(const struct sqn_stats_ext *st,
			       struct ctl_counter *out, unsigned max);

#endif /* SQN_CTL_PROTO_H */
