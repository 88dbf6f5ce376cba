/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_iface.c - the control protocol's commands on one library interface
 *
 * run's interface and serve's uplink are both a struct sqn_iface: their
 * stats object, forwards and captures are the library's calls, and a
 * refusal carries the library's own message (sqn_iface_last_error())
 * under the field at fault. The callers check the request's name first.
 */
#include <errno.h>
#include <string.h>

#include "ctl_iface.h"
#include "ctl_server.h"

/**
 * ctl_iface_err() - a library call's refusal as the answer's error
 * @iface:	the interface (its last error is the message)
 * @field:	the field at fault
 * @rc:		what the call returned
 * @err:	gets the field and the message
 *
 * Return: @rc
 */
int ctl_iface_err(struct sqn_iface *iface, const char *field, int rc,
		  struct ctl_err *err)
{
	char msg[256];

	sqn_iface_last_error(iface, msg, sizeof(msg));
	ctl_err_set(err, field, "%s: %s", field, msg[0] ? msg : strerror(-rc));
	return rc;
}

/**
 * ctl_iface_stats() - an interface's stats object
 * @iface:	the interface
 * @s:		filled
 * @st:		holds the counters @s points at
 * @c:		the named counters, CTL_MAX_COUNTERS (the caller may add
 *		its own after s->n of them)
 */
void ctl_iface_stats(struct sqn_iface *iface, struct ctl_stats *s,
		     struct sqn_stats_ext *st, struct ctl_counter *c)
{
	*st = (struct sqn_stats_ext){.size = sizeof(*st)};
	sqn_iface_stats_ext(iface, st);
	*s = (struct ctl_stats){
		.kind = "iface",
		.name = sqn_iface_id(iface),
		.mode = sqn_mode_name(sqn_iface_mode(iface)),
		.link = sqn_iface_link(iface, NULL, 0),
		.ts_ms = ctl_epoch_ms(),
		.c = c,
		.n = ctl_counters_from_ext(st, c, CTL_MAX_COUNTERS),
	};
}

/**
 * ctl_iface_forward() - forward-add or forward-remove
 * @iface:	the interface
 * @req:	the request
 * @add:	add, else remove
 * @err:	gets the refusal
 *
 * Return: 0 or the library's negative errno
 */
int ctl_iface_forward(struct sqn_iface *iface, const struct ctl_req *req,
		      bool add, struct ctl_err *err)
{
	int rc = add ? sqn_iface_forward_add(iface, req->forward)
		     : sqn_iface_forward_remove(iface, req->forward);

	return rc ? ctl_iface_err(iface, "forward", rc, err) : 0;
}

/**
 * ctl_req_capture() - a capture-start request as the library's struct
 * @req:	the request
 * @cap:	filled (its path points into @req)
 */
void ctl_req_capture(const struct ctl_req *req, struct sqn_capture *cap)
{
	*cap = (struct sqn_capture){.size = sizeof(*cap), .path = req->file};
	cap->snaplen = ctl_req_has(req, "snaplen") ? (uint32_t)req->snaplen : 0;
	cap->nsec = req->nsec ? SQN_ON : 0;
	if (req->direction && !strcmp(req->direction, "rx"))
		cap->dirs = SQN_CAPTURE_RX;
	else if (req->direction && !strcmp(req->direction, "tx"))
		cap->dirs = SQN_CAPTURE_TX;
}

/**
 * ctl_iface_capture_start() - capture-start
 * @iface:	the interface
 * @req:	the request
 * @err:	gets the refusal: "cmd" when one runs, else "file"
 *
 * Return: 0 or the library's negative errno
 */
int ctl_iface_capture_start(struct sqn_iface *iface, const struct ctl_req *req,
			    struct ctl_err *err)
{
	struct sqn_capture cap;
	int rc;

	ctl_req_capture(req, &cap);
	rc = sqn_iface_capture_start(iface, &cap);
	return rc ? ctl_iface_err(iface, rc == -EBUSY ? "cmd" : "file", rc, err)
		  : 0;
}

/**
 * ctl_iface_capture_stop() - capture-stop, answering the capture's
 *			      counters (frames, dropped, lost)
 * @iface:	the interface
 * @w:		the answer
 * @err:	gets the refusal (none runs)
 *
 * Return: 0 or the library's negative errno
 */
int ctl_iface_capture_stop(struct sqn_iface *iface, struct ctl_w *w,
			   struct ctl_err *err)
{
	struct sqn_stats_ext st = {.size = sizeof(st)};
	int rc = sqn_iface_capture_stop(iface);

	if (rc)
		return ctl_iface_err(iface, "cmd", rc, err);
	sqn_iface_stats_ext(iface, &st);
	ctl_w_u64(w, "frames", st.capture_frames);
	ctl_w_u64(w, "dropped", st.capture_dropped);
	ctl_w_u64(w, "lost", st.capture_lost);
	return 0;
}
