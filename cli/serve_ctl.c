/* SPDX-License-Identifier: Apache-2.0 */
/*
 * serve_ctl.c - squib-net serve's controls: the control socket (--control),
 *		 the stats lines (--stats-interval), captures of a port or of
 *		 the whole network
 *
 * Theory of operation: serve has one thread, and its loop (serve_loop.c)
 * polls the control socket's fds beside the ports'; ctl_server answers
 * within the dispatch that completes a request's line and never waits on a
 * client, so a request costs the loop one turn's worth of work. The
 * callbacks act on serve's own state: a port's limiters and capture, a
 * port's end (disconnect), the uplink's forwards and capture through the
 * library. A capture-stop waits for the pcap writer to drain its buffer
 * (at most SQN_CAP_BUF_DEFAULT bytes to a file): the one request that
 * costs the loop that long.
 *
 * Names: the uplink is its interface id (--id, "eth0"); a port is its
 * switch number ("3") or its name, "URL#N" (its listener, and how many
 * ports came before it: never reused, so a name cannot reach the next VM
 * that gets the same number); "network" is the whole network. Counters of
 * a port: its I/O counters (in_*: from the VM, out_*: to it), the
 * switch's, its rate limiters' and its capture's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_iface.h"
#include "ctl_server.h"
#include "serve.h"

/**
 * serve_capture_frame() - offer a frame to a capture point
 * @c:		the capture point
 * @dir:	SQN_CAP_RX (toward a VM) or SQN_CAP_TX (from one)
 * @f:		the frame
 * @len:	its length
 */
void serve_capture_frame(struct sqn_cap *c, unsigned dir, const uint8_t *f,
			 uint32_t len)
{
	if (sqn_cap_on(c))
		sqn_cap_add(c, dir, f, len, 0);
}

/* a request's directions (the public bits) are the capture module's */
_Static_assert(SQN_CAPTURE_RX == SQN_CAP_RX && SQN_CAPTURE_TX == SQN_CAP_TX,
	       "capture directions differ between squibnet.h and capture.h");

/* the switch's drop causes as counter names, in enum sqn_sw_drop's order */
static const char *const drop_names[] = {
	"drop_runt",  "drop_src",      "drop_pin",
	"drop_taken", "drop_isolated", "drop_local",
};
_Static_assert(sizeof(drop_names) / sizeof(drop_names[0]) == SQN_SW_DROP_COUNT,
	       "a drop cause was added to switch.h: name it here");

/**
 * struct counters - a stats object's counters being filled
 * @c:	the pairs
 * @n:	how many
 */
struct counters {
	struct ctl_counter c[CTL_MAX_COUNTERS];
	unsigned n;
};

/**
 * put() - one counter
 * @k:		the counters
 * @name:	its name (static)
 * @v:		its value
 */
static void put(struct counters *k, const char *name, uint64_t v)
{
	if (k->n < CTL_MAX_COUNTERS)
		k->c[k->n++] = (struct ctl_counter){.name = name, .value = v};
}

/**
 * put_sw() - the switch's counters
 * @k:	the counters
 * @a:	the switch's counters of a port, or of the network
 */
static void put_sw(struct counters *k, const struct sqn_sw_port_stats *a)
{
	unsigned i;

	put(k, "switched", a->rx_frames);
	put(k, "unicast", a->unicast);
	put(k, "flood", a->flood);
	put(k, "flood_unknown", a->flood_unknown);
	put(k, "fwd_frames", a->fwd_frames);
	put(k, "fwd_bytes", a->fwd_bytes);
	put(k, "learnt", a->learnt);
	put(k, "macs", a->macs);
	for (i = 0; i < SQN_SW_DROP_COUNT; i++)
		put(k, drop_names[i], a->drops[i]);
}

/**
 * put_io() - a port's I/O and rate counters
 * @k:		the counters
 * @b:		the port's (or the sum's) I/O counters
 * @queued:	frames queued now
 */
static void put_io(struct counters *k, const struct serve_port_stats *b,
		   uint64_t queued)
{
	put(k, "in_frames", b->in_frames);
	put(k, "in_bytes", b->in_bytes);
	put(k, "out_frames", b->out_frames);
	put(k, "out_bytes", b->out_bytes);
	put(k, "queued", queued);
	put(k, "drop_queue", b->drop_queue);
	put(k, "drop_error", b->drop_error);
	put(k, "lost", b->lost);
	put(k, "bad_frames", b->bad_frames);
	put(k, "rx_throttled", b->rx_throttled);
	put(k, "tx_throttled", b->tx_throttled);
	put(k, "drop_rate", b->drop_rate);
	put(k, "gso_cut", b->gso_cut);
	put(k, "gso_extra", b->gso_extra);
}

/**
 * put_cap() - a capture point's counters
 * @k:	the counters
 * @c:	the capture point, or NULL (none: zeros)
 */
static void put_cap(struct counters *k, struct sqn_cap *c)
{
	struct sqn_cap_stats cs = {0};

	if (c)
		sqn_cap_stats(c, &cs);
	put(k, "capture_frames", cs.frames);
	put(k, "capture_dropped", cs.dropped);
	put(k, "capture_lost", cs.lost);
}

/**
 * put_policy() - a port's egress policy counters (zeros without rules)
 * @k:	the counters
 * @p:	the port
 */
static void put_policy(struct counters *k, const struct serve_port *p)
{
	struct sqn_policy_stats st = {0};
	unsigned rules = 0;

	if (p->pol) {
		sqn_policy_stats(p->pol, &st);
		rules = sqn_policy_rules_in_force(p->pol);
	}
	put(k, "policy_rules", rules);
	put(k, "policy_denied", sqn_policy_denied_total(&st));
	put(k, "policy_replies", st.replies);
	put(k, "policy_dns_queries", st.dns_allowed);
	put(k, "policy_dns_answers", st.dns_answers);
	put(k, "policy_learnt", st.learnt_now);
}

/**
 * uplink_obj() - the uplink's stats object
 * @s:		serve
 * @st:		holds its counters
 * @k:		the counters
 * @o:		filled
 */
static void uplink_obj(struct serve *s, struct sqn_stats_ext *st,
		       struct counters *k, struct ctl_stats *o)
{
	ctl_iface_stats(s->up, o, st, k->c);
	k->n = o->n;
	put(k, "refused", s->up_refused);
	o->n = k->n;
	o->has_port = true;
	o->port = SERVE_UPLINK;
}

/**
 * port_obj() - a port's stats object
 * @s:		serve
 * @p:		the port
 * @name:	gets its name, 200 bytes
 * @peer:	gets its peer, 200 bytes
 * @k:		the counters
 * @o:		filled
 */
static void port_obj(struct serve *s, struct serve_port *p, char *name,
		     char *peer, struct counters *k, struct ctl_stats *o)
{
	struct sqn_sw_port_stats a;

	serve_port_id_name(p, name, 200);
	serve_port_peer(p, peer, 200);
	sqn_sw_port_stats(&s->sw, p->id, &a);
	k->n = 0;
	put_io(k, &p->st, p->txq.count);
	put_sw(k, &a);
	put_cap(k, p->cap);
	put_policy(k, p);
	*o = (struct ctl_stats){.kind = "port",
				.name = name,
				.has_port = true,
				.port = p->id,
				.peer = peer[0] ? peer : NULL,
				.link = -1,
				.ts_ms = ctl_epoch_ms(),
				.c = k->c,
				.n = k->n};
}

/**
 * network_obj() - the whole network's stats object
 * @s:	serve
 * @k:	the counters
 * @o:	filled
 */
static void network_obj(struct serve *s, struct counters *k,
			struct ctl_stats *o)
{
	struct sqn_sw_port_stats tsw;
	struct serve_port_stats tio;
	uint64_t queued = serve_stats_total(s, &tsw, &tio);

	k->n = 0;
	put(k, "ports", s->nports);
	put(k, "peak", s->peak);
	put(k, "closed", s->closed);
	put(k, "refused", s->refused);
	put(k, "resets", s->resets);
	put_io(k, &tio, queued);
	put_sw(k, &tsw);
	put_cap(k, &s->cap);
	put(k, "policy_denied", serve_policy_denied(s));
	put(k, "gso_refused", s->gso_refused);
	*o = (struct ctl_stats){.kind = "network",
				.name = "network",
				.link = -1,
				.ts_ms = ctl_epoch_ms(),
				.c = k->c,
				.n = k->n};
}

/**
 * port_find() - a port by number or name
 * @s:		serve
 * @name:	"3" or "unix:///path#5"
 *
 * Return: the port, or NULL
 */
static struct serve_port *port_find(struct serve *s, const char *name)
{
	char buf[SQN_URL_PATH_MAX + 48], *end;
	unsigned long id;
	unsigned i;

	if (name[0] >= '1' && name[0] <= '9') {
		id = strtoul(name, &end, 10);
		if (!*end && id <= s->o->max_ports && s->port[id].used)
			return &s->port[id];
		return NULL;
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		if (!s->port[i].used)
			continue;
		serve_port_id_name(&s->port[i], buf, sizeof(buf));
		if (!strcmp(buf, name))
			return &s->port[i];
	}
	return NULL;
}

/**
 * is_uplink() - whether a name is the uplink's
 * @s:		serve
 * @name:	the name
 *
 * Return: true if serve has an uplink by that id
 */
static bool is_uplink(const struct serve *s, const char *name)
{
	return s->up && !strcmp(name, sqn_iface_id(s->up));
}

/**
 * no_such() - the refusal of a name that is nothing here
 * @field:	the field
 * @name:	the name
 * @err:	gets it
 *
 * Return: -ENOENT
 */
static int no_such(const char *field, const char *name, struct ctl_err *err)
{
	ctl_err_set(err, field,
		    "%s: no port, uplink or network named '%s' (a port is "
		    "its number or URL#N, as list shows)",
		    field, name);
	return -ENOENT;
}

/**
 * wanted() - whether list's names ask for an object
 * @req:	the request
 * @a:		its name
 * @b:		another name of it (a port's number), or NULL
 * @seen:	bit i set when names[i] matched
 *
 * Return: true when there are no names or one of them is this
 */
static bool wanted(const struct ctl_req *req, const char *a, const char *b,
		   uint32_t *seen)
{
	bool yes = !req->names.n;
	unsigned i;

	for (i = 0; i < req->names.n; i++)
		if (!strcmp(req->names.v[i], a) ||
		    (b && !strcmp(req->names.v[i], b))) {
			*seen |= 1u << i;
			yes = true;
		}
	return yes;
}

static int do_list(void *opaque, const struct ctl_req *req, struct ctl_w *w,
		   struct ctl_err *err)
{
	struct serve *s = opaque;
	struct counters k;
	struct sqn_stats_ext st;
	struct ctl_stats o;
	char name[200], peer[200], num[16];
	uint32_t seen = 0;
	unsigned i;

	ctl_w_arr_open(w, "items");
	if (s->up && wanted(req, sqn_iface_id(s->up), NULL, &seen)) {
		uplink_obj(s, &st, &k, &o);
		ctl_w_stats(w, NULL, &o);
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		if (!s->port[i].used)
			continue;
		serve_port_id_name(&s->port[i], name, sizeof(name));
		snprintf(num, sizeof(num), "%u", i);
		if (!wanted(req, name, num, &seen))
			continue;
		port_obj(s, &s->port[i], name, peer, &k, &o);
		ctl_w_stats(w, NULL, &o);
	}
	if (wanted(req, "network", NULL, &seen)) {
		network_obj(s, &k, &o);
		ctl_w_stats(w, NULL, &o);
	}
	ctl_w_arr_close(w);
	for (i = 0; i < req->names.n; i++)
		if (!(seen >> i & 1)) {
			char field[32];

			snprintf(field, sizeof(field), "names[%u]", i);
			return no_such(field, req->names.v[i], err);
		}
	return 0;
}

/**
 * uplink_for() - the uplink a forward request is about
 * @s:		serve
 * @req:	the request
 * @err:	gets the refusal
 *
 * Return: 0, or a negative errno with @err set
 */
static int uplink_for(struct serve *s, const struct ctl_req *req,
		      struct ctl_err *err)
{
	if (!s->up) {
		ctl_err_set(err, "cmd",
			    "cmd: serve runs with no uplink (--mode none): "
			    "nothing to forward to");
		return -ENOTSUP;
	}
	if (req->name && !is_uplink(s, req->name)) {
		ctl_err_set(err, "name",
			    "name: forwards are the uplink's ('%s'), not '%s'",
			    sqn_iface_id(s->up), req->name);
		return -EINVAL;
	}
	return 0;
}

static int do_forward(struct serve *s, const struct ctl_req *req,
		      struct ctl_err *err, bool add)
{
	int rc = uplink_for(s, req, err);

	return rc ? rc : ctl_iface_forward(s->up, req, add, err);
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

/**
 * cap_point() - the capture point of serve's own a request names: a
 *		 port's (made when it is first captured), or the network's
 * @s:		serve
 * @req:	the request (not about the uplink)
 * @make:	make a port's capture point if it has none
 * @err:	gets the refusal
 *
 * Return: the point, or NULL with @err set
 */
static struct sqn_cap *cap_point(struct serve *s, const struct ctl_req *req,
				 bool make, struct ctl_err *err)
{
	struct serve_port *p;

	if (!req->name || !strcmp(req->name, "network"))
		return &s->cap;
	p = port_find(s, req->name);
	if (!p) {
		no_such("name", req->name, err);
		return NULL;
	}
	if (!p->cap && make) {
		p->cap = malloc(sizeof(*p->cap));
		if (!p->cap || sqn_cap_init(p->cap)) {
			free(p->cap);
			p->cap = NULL;
			ctl_err_set(err, "cmd", "cmd: out of memory");
		}
	}
	if (!p->cap && !make)
		ctl_err_set(err, "cmd", "cmd: no capture runs on port %u",
			    p->id);
	return p->cap;
}

static int do_capture_start(void *opaque, const struct ctl_req *req,
			    struct ctl_w *w, struct ctl_err *err)
{
	struct serve *s = opaque;
	struct sqn_cap_config cfg;
	struct sqn_capture ic;
	struct sqn_cap *c;
	char msg[256];
	int rc;

	(void)w;
	if (req->name && is_uplink(s, req->name)) /* the library's capture */
		return ctl_iface_capture_start(s->up, req, err);
	c = cap_point(s, req, true, err);
	if (!c)
		return -ENOENT;
	ctl_req_capture(req, &ic);
	cfg = (struct sqn_cap_config){.path = ic.path,
				      .snaplen = ic.snaplen,
				      .dirs = ic.dirs,
				      .nsec = ic.nsec == SQN_ON};
	rc = sqn_cap_start(c, &cfg, msg, sizeof(msg));
	if (rc)
		ctl_err_set(err, rc == -EBUSY ? "cmd" : "file", "%s: %s",
			    rc == -EBUSY ? "cmd" : "file", msg);
	return rc;
}

static int do_capture_stop(void *opaque, const struct ctl_req *req,
			   struct ctl_w *w, struct ctl_err *err)
{
	struct serve *s = opaque;
	struct sqn_cap_stats cs;
	struct sqn_cap *c;

	if (req->name && is_uplink(s, req->name))
		return ctl_iface_capture_stop(s->up, w, err);
	c = cap_point(s, req, false, err);
	if (!c)
		return -ENOENT;
	if (sqn_cap_stop(c, &cs)) {
		ctl_err_set(err, "cmd", "cmd: no capture runs on %s",
			    req->name ? req->name : "the network");
		return -ENOENT;
	}
	ctl_w_u64(w, "frames", cs.frames);
	ctl_w_u64(w, "dropped", cs.dropped);
	ctl_w_u64(w, "lost", cs.lost);
	return 0;
}

/**
 * port_named() - the one port a request is about (rate-limit, policy-set)
 * @s:		serve
 * @req:	the request
 * @what:	what is set, for the refusal ("limits", "rules")
 * @err:	gets the refusal
 *
 * Return: the port, or NULL with @err set
 */
static struct serve_port *port_named(struct serve *s, const struct ctl_req *req,
				     const char *what, struct ctl_err *err)
{
	struct serve_port *p;

	if (!req->name) {
		ctl_err_set(err, "name",
			    "name: serve sets %s port by port: name one (its "
			    "number or URL#N, as list shows)",
			    what);
		return NULL;
	}
	if (is_uplink(s, req->name) || !strcmp(req->name, "network")) {
		ctl_err_set(err, "name",
			    "name: '%s' is shared by every port: set the %s "
			    "of the ports",
			    req->name, what);
		return NULL;
	}
	p = port_find(s, req->name);
	if (!p)
		no_such("name", req->name, err);
	return p;
}

static int do_rate_limit(void *opaque, const struct ctl_req *req,
			 struct ctl_w *w, struct ctl_err *err)
{
	struct serve *s = opaque;
	struct sqn_rate_limiter rx, tx;
	struct serve_port *p;
	unsigned which;
	int rc;

	(void)w;
	p = port_named(s, req, "limits", err);
	if (!p)
		return -ENOENT;
	rc = ctl_req_limiters(req, &rx, &tx, &which, err);
	if (rc)
		return rc;
	if (serve_port_set_limits(p, which, &rx, &tx, s->now_ns)) {
		ctl_err_set(err, "cmd", "cmd: out of memory");
		return -ENOMEM;
	}
	s->limits = true;
	return 0;
}

static int do_policy_set(void *opaque, const struct ctl_req *req,
			 struct ctl_w *w, struct ctl_err *err)
{
	struct serve *s = opaque;
	struct serve_port *p;
	char field[32], msg[400];
	int rc;

	(void)w;
	p = port_named(s, req, "rules", err);
	if (!p)
		return -ENOENT;
	rc = serve_policy_port_set(s, p, req->rules.v, req->rules.n, field, msg,
				   sizeof(msg));
	if (rc)
		ctl_err_set(err, field, "%s", msg);
	return rc;
}

static int do_disconnect(void *opaque, const struct ctl_req *req,
			 struct ctl_w *w, struct ctl_err *err)
{
	struct serve *s = opaque;
	struct serve_port *p;

	(void)w;
	if (is_uplink(s, req->name) || !strcmp(req->name, "network")) {
		ctl_err_set(err, "name",
			    "name: '%s' is no VM's port: disconnect takes a "
			    "port (its number or URL#N, as list shows)",
			    req->name);
		return -EINVAL;
	}
	p = port_find(s, req->name);
	if (!p)
		return no_such("name", req->name, err);
	serve_close_port(s, p, "disconnected through the control socket");
	return 0;
}

/**
 * ctl_log() - a refused connection, said on stderr
 * @opaque:	serve
 * @msg:	what happened
 */
static void ctl_log(void *opaque, const char *msg)
{
	(void)opaque;
	fprintf(stderr, "squib-net: serve: control: %s\n", msg);
}

static const struct ctl_ops serve_ctl_ops = {
	.who = "squib-net serve",
	.fn = {[CTL_LIST] = do_list,
	       [CTL_FORWARD_ADD] = do_forward_add,
	       [CTL_FORWARD_REMOVE] = do_forward_remove,
	       [CTL_CAPTURE_START] = do_capture_start,
	       [CTL_CAPTURE_STOP] = do_capture_stop,
	       [CTL_RATE_LIMIT] = do_rate_limit,
	       [CTL_POLICY_SET] = do_policy_set,
	       [CTL_DISCONNECT] = do_disconnect},
	.log = ctl_log,
};

/**
 * serve_ctl_open() - the network capture (--pcap) and the control socket
 *		      (--control)
 * @s:		serve, its uplink started
 * @err:	gets the message
 * @errlen:	its size
 *
 * Return: 0 or a negative errno
 */
int serve_ctl_open(struct serve *s, char *err, size_t errlen)
{
	char msg[256];
	int rc;

	if (s->o->m.pcap) {
		struct sqn_cap_config cfg = {.path = s->o->m.pcap,
					     .snaplen = s->o->m.pcap_snaplen};

		rc = sqn_cap_start(&s->cap, &cfg, msg, sizeof(msg));
		if (rc) {
			snprintf(err, errlen, "serve: --pcap: %s", msg);
			return rc;
		}
	}
	if (!s->o->m.control)
		return 0;
	rc = ctl_server_open(&s->ctl, s->o->m.control, &serve_ctl_ops, s, msg,
			     sizeof(msg));
	if (rc)
		snprintf(err, errlen, "serve: --control: %s", msg);
	return rc;
}

/**
 * serve_ctl_close() - close the control socket (its file removed)
 * @s:	serve
 */
void serve_ctl_close(struct serve *s)
{
	ctl_server_close(s->ctl);
	s->ctl = NULL;
}

/**
 * serve_stats_lines() - one stats JSON line per port, for the uplink and
 *			 for the network (--stats-interval)
 * @s:	serve
 * @f:	where to
 */
void serve_stats_lines(struct serve *s, FILE *f)
{
	struct counters k;
	struct sqn_stats_ext st;
	struct ctl_stats o;
	char name[200], peer[200], line[4096];
	unsigned i;

	if (s->up) {
		uplink_obj(s, &st, &k, &o);
		if (ctl_stats_line(&o, line, sizeof(line)) > 0)
			fputs(line, f);
	}
	for (i = 1; i <= s->o->max_ports; i++) {
		if (!s->port[i].used)
			continue;
		port_obj(s, &s->port[i], name, peer, &k, &o);
		if (ctl_stats_line(&o, line, sizeof(line)) > 0)
			fputs(line, f);
	}
	network_obj(s, &k, &o);
	if (ctl_stats_line(&o, line, sizeof(line)) > 0)
		fputs(line, f);
	(void)fflush(f);
}
