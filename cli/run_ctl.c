/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run_ctl.c - squib-net run's controls: --pcap at start, the control
 *	       socket (--control) and the stats lines (--stats-interval)
 *
 * Theory of operation: the control socket and the stats timer have a
 * thread of their own, polling ctl_server's fds with ctl_server's timeout
 * and the next stats line's deadline. Its callbacks call the library's
 * controls (rate limits, capture, forwards, counters), which may run on
 * any thread while the relay's threads read and write: so the relay never
 * waits on a client, and a request never waits on the data path (a
 * capture-stop, which waits for the pcap writer to drain its buffer to
 * the disk, keeps only this thread). The commands run has are list,
 * forward-add, forward-remove, capture-start, capture-stop, rate-limit and
 * policy-set (--control turns live_controls on, which a policy set at run
 * time needs); disconnect (serve's ports) is refused by ctl_server with
 * "not available in squib-net run".
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ctl_iface.h"
#include "ctl_server.h"
#include "run.h"
#include "waker.h"

/**
 * mono_ms() - the monotonic clock, for the stats deadline
 *
 * Return: milliseconds
 */
static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * name_ok() - whether a request's name is run's interface
 * @iface:	the interface
 * @req:	the request
 * @err:	gets the refusal
 *
 * Return: 0, or -ENOENT with @err set
 */
static int name_ok(struct sqn_iface *iface, const struct ctl_req *req,
		   struct ctl_err *err)
{
	if (!req->name || !strcmp(req->name, sqn_iface_id(iface)))
		return 0;
	ctl_err_set(err, "name",
		    "name: no interface '%s': squib-net run has one, '%s'",
		    req->name, sqn_iface_id(iface));
	return -ENOENT;
}

static int do_list(void *opaque, const struct ctl_req *req, struct ctl_w *w,
		   struct ctl_err *err)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	struct ctl_counter c[CTL_MAX_COUNTERS];
	struct sqn_stats_ext st;
	struct ctl_stats s;
	unsigned i;

	for (i = 0; i < req->names.n; i++) {
		char field[32];

		if (!strcmp(req->names.v[i], sqn_iface_id(iface)))
			continue;
		snprintf(field, sizeof(field), "names[%u]", i);
		ctl_err_set(err, field,
			    "%s: no interface '%s': squib-net run has one, "
			    "'%s'",
			    field, req->names.v[i], sqn_iface_id(iface));
		return -ENOENT;
	}
	ctl_iface_stats(iface, &s, &st, c);
	ctl_w_arr_open(w, "items");
	ctl_w_stats(w, NULL, &s);
	ctl_w_arr_close(w);
	return 0;
}

static int do_forward(void *opaque, const struct ctl_req *req,
		      struct ctl_err *err, bool add)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	int rc = name_ok(iface, req, err);

	return rc ? rc : ctl_iface_forward(iface, req, add, err);
}

static int do_forward_add(void *opaque, const struct ctl_req *req,
			  struct ctl_w *w, struct ctl_err *err)
{
	(void)w;
	return do_forward(opaque, req, err, true);
}

static int do_forward_remove(void *opaque, const struct ctl_req *req,
			     struct ctl_w *w, struct ctl_err *err)
{
	(void)w;
	return do_forward(opaque, req, err, false);
}

static int do_capture_start(void *opaque, const struct ctl_req *req,
			    struct ctl_w *w, struct ctl_err *err)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	int rc = name_ok(iface, req, err);

	(void)w;
	return rc ? rc : ctl_iface_capture_start(iface, req, err);
}

static int do_capture_stop(void *opaque, const struct ctl_req *req,
			   struct ctl_w *w, struct ctl_err *err)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	int rc = name_ok(iface, req, err);

	return rc ? rc : ctl_iface_capture_stop(iface, w, err);
}

static int do_rate_limit(void *opaque, const struct ctl_req *req,
			 struct ctl_w *w, struct ctl_err *err)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	struct sqn_rate_limiter rx, tx;
	unsigned which;
	int rc = name_ok(iface, req, err);

	(void)w;
	if (rc)
		return rc;
	rc = ctl_req_limiters(req, &rx, &tx, &which, err);
	if (rc)
		return rc;
	rc = sqn_iface_set_rate_limit(iface, which, &rx, &tx);
	if (rc)
		return ctl_iface_err(iface,
				     which & SQN_LIMIT_RX ? "rx_rate_limiter"
							  : "tx_rate_limiter",
				     rc, err);
	return 0;
}

static int do_policy_set(void *opaque, const struct ctl_req *req,
			 struct ctl_w *w, struct ctl_err *err)
{
	struct sqn_iface *iface = ((struct run_ctl *)opaque)->iface;
	int rc = name_ok(iface, req, err);

	(void)w;
	if (rc)
		return rc;
	rc = sqn_iface_set_policy(iface, req->rules.v, req->rules.n, NULL, 0);
	return rc ? ctl_iface_err(iface, "rules", rc, err) : 0;
}

/**
 * ctl_log() - a refused connection, said on stderr
 * @opaque:	the controls
 * @msg:	what happened
 */
static void ctl_log(void *opaque, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "squib-net: run: control: %s\n", msg);
}

static const struct ctl_ops run_ctl_ops = {
	.who = "squib-net run",
	.fn = {[CTL_LIST] = do_list,
	       [CTL_FORWARD_ADD] = do_forward_add,
	       [CTL_FORWARD_REMOVE] = do_forward_remove,
	       [CTL_CAPTURE_START] = do_capture_start,
	       [CTL_CAPTURE_STOP] = do_capture_stop,
	       [CTL_RATE_LIMIT] = do_rate_limit,
	       [CTL_POLICY_SET] = do_policy_set},
	.log = ctl_log,
};

/**
 * stats_line() - one stats line on stderr
 * @iface:	the interface
 */
static void stats_line(struct sqn_iface *iface)
{
	struct ctl_counter c[CTL_MAX_COUNTERS];
	struct sqn_stats_ext st;
	struct ctl_stats s;
	char line[2048];

	ctl_iface_stats(iface, &s, &st, c);
	if (ctl_stats_line(&s, line, sizeof(line)) > 0)
		fputs(line, stderr);
}

/**
 * ctl_thread() - the control socket and the stats lines
 * @arg:	struct run_ctl
 *
 * Return: NULL
 */
static void *ctl_thread(void *arg)
{
	struct run_ctl *c = arg;
	struct pollfd pfd[1 + CTL_SERVER_MAX_FDS];
	uint64_t next = c->interval_ms ? mono_ms() + c->interval_ms : 0;

	for (;;) {
		unsigned n = 0;
		int t = -1;

		pfd[0] = (struct pollfd){.fd = c->stop.rfd, .events = POLLIN};
		if (c->server) {
			n = ctl_server_pollfds(c->server, pfd + 1,
					       CTL_SERVER_MAX_FDS);
			t = ctl_server_timeout_ms(c->server);
		}
		t = ctl_wait_ms(t, next, mono_ms());
		if (poll(pfd, 1 + n, t) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents)
			break;
		if (c->server)
			ctl_server_dispatch(c->server, pfd + 1, n);
		if (ctl_stats_due(&next, mono_ms(), c->interval_ms))
			stats_line(c->iface);
	}
	return NULL;
}

/**
 * run_ctl_start() - the controls of a run: capture, socket, stats
 * @c:		filled
 * @o:		options
 * @iface:	the started interface
 *
 * Return: 0, or a negative errno with the message printed (nothing is
 * left running)
 */
int run_ctl_start(struct run_ctl *c, const struct run_opts *o,
		  struct sqn_iface *iface)
{
	char err[512];
	int rc;

	memset(c, 0, sizeof(*c));
	c->iface = iface;
	c->stop.rfd = c->stop.wfd = -1;
	c->interval_ms = (uint64_t)o->m.stats_interval * 1000;
	if (o->m.pcap) {
		struct sqn_capture cap = {.size = sizeof(cap),
					  .path = o->m.pcap,
					  .snaplen = o->m.pcap_snaplen};

		rc = sqn_iface_capture_start(iface, &cap);
		if (rc) {
			sqn_iface_last_error(iface, err, sizeof(err));
			fprintf(stderr, "squib-net: run: --pcap: %s\n", err);
			return rc;
		}
	}
	if (!o->m.control && !o->m.stats_interval)
		return 0;
	if (o->m.control) {
		rc = ctl_server_open(&c->server, o->m.control, &run_ctl_ops, c,
				     err, sizeof(err));
		if (rc) {
			fprintf(stderr, "squib-net: run: --control: %s\n", err);
			goto out_capture;
		}
	}
	rc = sqn_waker_open(&c->stop);
	if (!rc)
		rc = pthread_create(&c->thread, NULL, ctl_thread, c) ? -EAGAIN
								     : 0;
	if (rc) {
		fprintf(stderr,
			"squib-net: run: cannot start the control thread: "
			"%s\n",
			strerror(-rc));
		goto out_server;
	}
	c->running = true;
	return 0;

out_server:
	sqn_waker_close(&c->stop);
	ctl_server_close(c->server);
	c->server = NULL;
out_capture:
	if (o->m.pcap)
		sqn_iface_capture_stop(iface);
	return rc;
}

/**
 * run_ctl_stop() - stop the controls: the thread, the socket (its file
 *		    removed), the capture (its buffer written out)
 * @c:	the controls, started or zeroed
 */
void run_ctl_stop(struct run_ctl *c)
{
	if (c->running) {
		sqn_waker_wake(&c->stop);
		pthread_join(c->thread, NULL);
		c->running = false;
	}
	sqn_waker_close(&c->stop);
	ctl_server_close(c->server);
	c->server = NULL;
	if (c->iface) {
		struct sqn_stats_ext st = {.size = sizeof(st)};

		sqn_iface_stats_ext(c->iface, &st);
		if (st.capturing)
			sqn_iface_capture_stop(c->iface);
	}
}
