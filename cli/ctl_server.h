/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_server.h - the control socket's server side, for a command's poll
 *		  loop (run, serve)
 *
 * The embedding command opens the server (ctl_server_open()), adds its fds
 * to each poll (ctl_server_pollfds(), with ctl_server_timeout_ms() folded
 * into the poll timeout) and hands the results back
 * (ctl_server_dispatch()). Every socket is non-blocking: a request is
 * answered within the dispatch call that completes its line, a client that
 * does not read its answers is not read from until it does, and nothing
 * here ever waits, so the data path sharing the loop never stalls. Each
 * command is answered by the embedding command's callback in struct
 * ctl_ops, called from the dispatching thread; a NULL callback answers
 * "not available in <who>".
 */
#ifndef SQN_CTL_SERVER_H
#define SQN_CTL_SERVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

/** CTL_MAX_CLIENTS - clients connected at once; more are refused */
#define CTL_MAX_CLIENTS 8
/** CTL_SERVER_MAX_FDS - most pollfds ctl_server_pollfds() fills */
#define CTL_SERVER_MAX_FDS (1 + CTL_MAX_CLIENTS)
/** CTL_REQS_PER_WAKE - most requests one client gets answered per dispatch */
#define CTL_REQS_PER_WAKE 8

/**
 * typedef ctl_fn - a command's callback
 * @opaque:	the server's opaque
 * @req:	the checked request
 * @w:		the response, opened ({"id":..,"ok":true): add members to it
 *		(ctl_w_*), leave it open; its buffer holds CTL_RESP_MAX bytes
 * @err:	on failure, the field and message (ctl_err_set()); left
 *		empty, the answer names "cmd" and the errno
 *
 * Return: 0, or a negative errno: the answer is then an error object and
 * whatever was added to @w is discarded
 */
typedef int (*ctl_fn)(void *opaque, const struct ctl_req *req, struct ctl_w *w,
		      struct ctl_err *err);

/**
 * struct ctl_ops - what the embedding command answers
 * @who:	its name for messages, e.g. "squib-net run"
 * @fn:		one callback per command; NULL: not available here
 * @log:	optional: told of refused connections (one line, no newline)
 */
struct ctl_ops {
	const char *who;
	ctl_fn fn[CTL_CMD_COUNT];
	void (*log)(void *opaque, const char *msg);
};

/**
 * struct ctl_server_stats - what the server did
 * @answered:	requests answered with "ok": true
 * @refused:	requests answered with an error object
 * @clients:	connections accepted
 * @turned_away: connections refused (too many, or not the owner)
 */
struct ctl_server_stats {
	uint64_t answered;
	uint64_t refused;
	uint64_t clients;
	uint64_t turned_away;
};

struct ctl_server;

int ctl_url_path(const char *url, char *path, size_t len, char *err,
		 size_t errlen);
int ctl_server_open(struct ctl_server **out, const char *url,
		    const struct ctl_ops *ops, void *opaque, char *err,
		    size_t errlen);
void ctl_server_close(struct ctl_server *s);
unsigned ctl_server_pollfds(const struct ctl_server *s, struct pollfd *pfd,
			    unsigned max);
void ctl_server_dispatch(struct ctl_server *s, const struct pollfd *pfd,
			 unsigned n);
int ctl_server_timeout_ms(const struct ctl_server *s);
const char *ctl_server_path(const struct ctl_server *s);
void ctl_server_stats(const struct ctl_server *s, struct ctl_server_stats *st);
uint64_t ctl_epoch_ms(void);
bool ctl_stats_due(uint64_t *next, uint64_t now, uint64_t interval_ms);
int ctl_wait_ms(int t, uint64_t due, uint64_t now);

#endif /* SQN_CTL_SERVER_H */
