/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iface.c - the public API: start, stop, batch read and write, queries
 *
 * Theory of operation: start copies the caller's parameters into a zeroed
 * struct of this library's size (so an older caller's shorter struct reads
 * as defaults), validates the common fields and then the backend's own,
 * before any side effect, and only then lets the backend open anything.
 * Read and write clamp the batch and hand it to the frame path (fpath.c),
 * which checks every frame the caller hands in, applies the rate limits,
 * captures, and keeps the statistics, so that backends only move bytes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iface_policy.h"
#include "internal.h"

#define SQN_STR_(x) #x
#define SQN_STR(x) SQN_STR_(x)

SQN_API const char *sqn_version(void)
{
	return SQN_STR(SQN_VERSION_MAJOR) "." SQN_STR(
		SQN_VERSION_MINOR) "." SQN_STR(SQN_VERSION_PATCH);
}

SQN_API void sqn_params_init(struct sqn_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
}

/**
 * copy_err() - hand the message of a failed start to the caller
 * @iface:	the half-built interface
 * @err:	caller's buffer, may be NULL
 * @errlen:	its size
 */
static void copy_err(const struct sqn_iface *iface, char *err, size_t errlen)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", iface->last_error);
}

/**
 * iface_alloc() - a zeroed interface with no backend yet
 * @p:	parameters, for the log callback
 *
 * Return: the interface, or NULL
 */
static struct sqn_iface *iface_alloc(const struct sqn_params *p)
{
	struct sqn_iface *iface = calloc(1, sizeof(*iface));
	unsigned i;

	if (!iface)
		return NULL;
	pthread_mutex_init(&iface->msg_lock, NULL);
	iface->fd = -1;
	for (i = 0; i < SQN_MAX_QUEUES; i++)
		iface->qfd[i] = -1;
	iface->nqueues = 1;
	iface->log = p->log;
	iface->log_opaque = p->log_opaque;
	iface->log_level = p->log_level;
	snprintf(iface->link_why, sizeof(iface->link_why), "not started");
	sqn_fp_init(iface);
	return iface;
}

/**
 * iface_free() - free an interface whose backend is stopped
 * @iface:	the interface
 */
static void iface_free(struct sqn_iface *iface)
{
	sqn_ipol_free(iface);
	sqn_fp_destroy(iface);
	pthread_mutex_destroy(&iface->msg_lock);
	free(iface);
}

/**
 * resolve_mode() - pick the backend for @p->mode
 * @iface:	for the message
 * @p:		parameters; mode DEFAULT is replaced
 *
 * Return: the backend's table, or NULL (start fails with -ENOTSUP) with a
 * message naming the modes that do work here
 */
static const struct sqn_backend_ops *resolve_mode(struct sqn_iface *iface,
						  struct sqn_params *p)
{
	const struct sqn_backend_ops *ops;
	char why[SQN_MSG_LEN], list[SQN_MSG_LEN];

	if (p->mode == SQN_MODE_DEFAULT)
		p->mode = sqn_mode_default();
	if (!sqn_mode_supported(p->mode, why, sizeof(why))) {
		sqn_backend_list_supported(list, sizeof(list));
		sqn_seterr(iface, -ENOTSUP,
			   "%s on this platform; modes that work here: %s", why,
			   list);
		return NULL;
	}
	ops = sqn_backend_for(p->mode);
	if (!ops) /* supported but no table: backends.c is out of step */
		sqn_seterr(iface, -ENOTSUP, "mode %s has no backend",
			   sqn_mode_name(p->mode));
	return ops;
}

#define SQN_PFIELD(f)                                                          \
	{                                                                      \
		offsetof(struct sqn_params, f),                                \
			sizeof(((struct sqn_params *)0)->f)                    \
	}

/* Every member of struct sqn_params: offset and size. Append new ones. */
static const struct {
	size_t off, len;
} params_fields[] = {
	SQN_PFIELD(size),
	SQN_PFIELD(iface_id),
	SQN_PFIELD(mode),
	SQN_PFIELD(bridged_iface),
	SQN_PFIELD(mtu),
	SQN_PFIELD(start_timeout_ms),
	SQN_PFIELD(isolation),
	SQN_PFIELD(guest_mac),
	SQN_PFIELD(log),
	SQN_PFIELD(log_opaque),
	SQN_PFIELD(log_level),
	SQN_PFIELD(rx_queue_len),
	SQN_PFIELD(tx_queue_len),
	SQN_PFIELD(max_frame),
	SQN_PFIELD(helper_kind),
	SQN_PFIELD(helper_path),
	SQN_PFIELD(helper_args),
	SQN_PFIELD(n_helper_args),
	SQN_PFIELD(helper_restart),
	SQN_PFIELD(helper_env),
	SQN_PFIELD(connect_url),
	SQN_PFIELD(host_dev_name),
	SQN_PFIELD(tap_create),
	SQN_PFIELD(tap_queues),
	SQN_PFIELD(offload),
	SQN_PFIELD(offload_features),
	SQN_PFIELD(slirp_net),
	SQN_PFIELD(slirp_host),
	SQN_PFIELD(slirp_dns),
	SQN_PFIELD(slirp_dhcp_start),
	SQN_PFIELD(slirp_ipv6),
	SQN_PFIELD(slirp_restrict),
	SQN_PFIELD(slirp_dns_search),
	SQN_PFIELD(n_slirp_dns_search),
	SQN_PFIELD(forwards),
	SQN_PFIELD(n_forwards),
	SQN_PFIELD(reconnect_max),
	SQN_PFIELD(rx_rate_limiter),
	SQN_PFIELD(tx_rate_limiter),
	SQN_PFIELD(live_controls),
	SQN_PFIELD(policy_rules),
	SQN_PFIELD(n_policy_rules),
};

_Static_assert(offsetof(struct sqn_params, n_policy_rules) + sizeof(unsigned) +
			       _Alignof(struct sqn_params) >
		       sizeof(struct sqn_params),
	       "a member was appended to struct sqn_params: add it to "
	       "params_fields[] and to this check");

/**
 * size_cuts_field() - whether a params.size ends inside a member
 * @size:	the caller's size field
 *
 * An older caller's struct ends after a member (plus padding); a size that
 * ends inside one (half a pointer) is garbage, and copying it would hand
 * the library half of a caller's pointer.
 *
 * Return: true if @size falls strictly inside a member
 */
static bool size_cuts_field(size_t size)
{
	size_t i;

	for (i = 0; i < SQN_ARRAY_SIZE(params_fields); i++)
		if (size > params_fields[i].off &&
		    size < params_fields[i].off + params_fields[i].len)
			return true;
	return false;
}

/**
 * copy_params() - check the caller's struct and copy it at this library's size
 * @params:	the caller's struct, may be NULL
 * @out:	the caller's out pointer, may be NULL
 * @p:		gets the copy: fields past params->size read as 0
 * @err:	if not NULL, gets a message on failure
 * @errlen:	size of @err
 *
 * Return: 0, or -EINVAL for a NULL argument or a bad size field
 */
static int copy_params(const struct sqn_params *params, struct sqn_iface **out,
		       struct sqn_params *p, char *err, size_t errlen)
{
	if (!params || !out) {
		if (err && errlen)
			snprintf(err, errlen, "sqn_iface_start: %s is NULL",
				 params ? "out" : "params");
		return -EINVAL;
	}
	if (params->size == 0 || params->size > sizeof(*p) ||
	    size_cuts_field(params->size)) {
		if (err && errlen)
			snprintf(err, errlen,
				 "params.size is %u, this library knows %zu: "
				 "initialise params with sqn_params_init()",
				 params->size, sizeof(*p));
		return -EINVAL;
	}
	memset(p, 0, sizeof(*p));
	memcpy(p, params, params->size);
	return 0;
}

/**
 * resolve_limits() - the MTU, the largest frame and offloads, decided once
 *		      for every backend
 * @iface:	gets mtu, max_frame, frame_from_mtu and offload
 * @p:		parameters, validated, the mode resolved
 *
 * The MTU is the one asked for, else SQN_DEFAULT_MTU. Offloads are on when
 * asked for in a mode that takes them. The largest frame: SQN_FRAME_MAX
 * with offloads (GSO frames of up to 64 KiB), else the max_frame asked for,
 * else SQN_FRAME_MAX in a mode that carries any frame (helpers), else the
 * MTU's frame; never above SQN_FRAME_MAX. A backend that negotiates other
 * values reports them with sqn_iface_negotiated().
 */
static void resolve_limits(struct sqn_iface *iface, const struct sqn_params *p)
{
	struct sqn_mode_info mi = {.size = sizeof(mi)};

	sqn_mode_info(p->mode, &mi);
	iface->mtu = p->mtu ? p->mtu : SQN_DEFAULT_MTU;
	iface->offload = p->offload == SQN_ON && (mi.uses & SQN_PARAMS_OFFLOAD);
	iface->frame_from_mtu = false;
	if (p->max_frame && !iface->offload)
		iface->max_frame = p->max_frame;
	else if (iface->offload || (mi.flags & SQN_MODE_LARGE_FRAMES))
		iface->max_frame = SQN_FRAME_MAX;
	else {
		iface->max_frame = sqn_mtu_frame(iface->mtu);
		iface->frame_from_mtu = true;
	}
	iface->max_frame = SQN_MIN(iface->max_frame, (uint32_t)SQN_FRAME_MAX);
}

/**
 * sqn_iface_negotiated() - a backend reports the values it settled on
 * @iface:	the interface being started
 * @mtu:	the MTU negotiated (a device's, a helper's), 0 to keep the
 *		resolved one
 * @max_frame:	the largest frame the backend carries, 0 to keep the
 *		resolved one (re-derived from @mtu when it was the MTU's frame)
 *
 * The result is capped at SQN_FRAME_MAX, so every backend's report keeps
 * the public promise of sqn_iface_max_frame().
 */
void sqn_iface_negotiated(struct sqn_iface *iface, uint32_t mtu,
			  uint32_t max_frame)
{
	if (mtu) {
		iface->mtu = mtu;
		if (iface->frame_from_mtu)
			iface->max_frame = sqn_mtu_frame(mtu);
	}
	if (max_frame)
		iface->max_frame = max_frame;
	iface->max_frame = SQN_MIN(iface->max_frame, (uint32_t)SQN_FRAME_MAX);
}

/**
 * set_guest_mac() - take the caller's guest MAC, or generate one
 * @iface:	gets the MAC
 * @p:		parameters; an all-zero guest_mac is replaced by the new one
 *
 * Return: 0, or a negative errno when no random bytes could be had
 */
static int set_guest_mac(struct sqn_iface *iface, struct sqn_params *p)
{
	static const uint8_t zero[6];
	int rc;

	if (memcmp(p->guest_mac, zero, 6) != 0) {
		memcpy(iface->guest_mac, p->guest_mac, 6);
		return 0;
	}
	rc = sqn_mac_generate(iface->guest_mac);
	if (rc)
		return sqn_seterr(iface, rc,
				  "no random bytes for the guest MAC: %s",
				  strerror(-rc));
	memcpy(p->guest_mac, iface->guest_mac, 6);
	return 0;
}

SQN_API int sqn_iface_start(const struct sqn_params *params,
			    struct sqn_iface **out, char *err, size_t errlen)
{
	const struct sqn_backend_ops *ops;
	struct sqn_params p;
	struct sqn_iface *iface;
	int rc;

	if (out)
		*out = NULL;
	rc = copy_params(params, out, &p, err, errlen);
	if (rc)
		return rc;

	iface = iface_alloc(&p);
	if (!iface) {
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}

	rc = sqn_params_check(iface, &p);
	if (!rc)
		rc = sqn_ipol_init(iface);
	if (!rc)
		rc = sqn_ipol_check(iface, &p);
	if (!rc)
		rc = sqn_fp_check(iface, &p);
	if (rc)
		goto out_free;
	ops = resolve_mode(iface, &p);
	if (!ops) {
		rc = -ENOTSUP;
		goto out_free;
	}
	resolve_limits(iface, &p);
	rc = ops->validate ? ops->validate(iface, &p) : 0;
	if (rc)
		goto out_free;

	snprintf(iface->id, sizeof(iface->id), "%s", p.iface_id);
	iface->mode = p.mode;
	iface->ops = ops;
	rc = set_guest_mac(iface, &p);
	if (rc)
		goto out_free;

	rc = ops->start(iface, &p);
	if (rc)
		goto out_free;
	if (iface->qfd[0] < 0)
		iface->qfd[0] = iface->fd;
	rc = sqn_fp_start(iface, &p);
	if (rc) {
		ops->stop(iface);
		goto out_free;
	}
	rc = sqn_ipol_start(iface);
	if (rc) {
		ops->stop(iface);
		sqn_fp_stop(iface);
		goto out_free;
	}
	if (!atomic_load(&iface->link_up))
		sqn_set_link(iface, true, "%s backend started", ops->name);
	sqn_log(iface, SQN_LOG_INFO, "%s: started in %s mode, mtu %u",
		iface->id, sqn_mode_name(iface->mode), iface->mtu);
	*out = iface;
	return 0;

out_free:
	copy_err(iface, err, errlen);
	iface_free(iface);
	return rc;
}

SQN_API void sqn_iface_stop(struct sqn_iface *iface)
{
	unsigned i;

	if (!iface || iface->stopped)
		return;
	sqn_cap_stop(&iface->fp.cap, NULL); /* -ENOENT when none runs */
	iface->ops->stop(iface);
	sqn_fp_stop(iface);
	iface->stopped = true;
	iface->fd = -1;
	for (i = 0; i < SQN_MAX_QUEUES; i++)
		iface->qfd[i] = -1;
	/* not a link change the caller must react to: not counted, not logged */
	pthread_mutex_lock(&iface->msg_lock);
	snprintf(iface->link_why, sizeof(iface->link_why), "stopped");
	pthread_mutex_unlock(&iface->msg_lock);
	atomic_store(&iface->link_up, 0);
}

SQN_API void sqn_iface_free(struct sqn_iface *iface)
{
	if (!iface)
		return;
	sqn_iface_stop(iface);
	iface_free(iface);
}

/**
 * stopped_err() - the failure of a frame call on a stopped interface
 * @iface:	the interface
 * @what:	"read" or "write"
 *
 * Return: -ESHUTDOWN
 */
static int stopped_err(struct sqn_iface *iface, const char *what)
{
	return sqn_seterr(iface, -ESHUTDOWN,
			  "%s: %s after sqn_iface_stop(): the interface is "
			  "stopped",
			  iface->id, what);
}

SQN_API int sqn_iface_queue_read(struct sqn_iface *iface, unsigned queue,
				 struct sqn_frame *frames, unsigned n)
{
	if (!iface || (!frames && n))
		return -EINVAL;
	if (iface->stopped)
		return stopped_err(iface, "read");
	if (queue >= iface->nqueues)
		return sqn_seterr(iface, -EINVAL,
				  "read: queue %u does not exist (%u queues)",
				  queue, iface->nqueues);
	if (n > SQN_BATCH)
		n = SQN_BATCH;
	return sqn_fp_read(iface, queue, frames, n);
}

SQN_API int sqn_iface_read(struct sqn_iface *iface, struct sqn_frame *frames,
			   unsigned n)
{
	return sqn_iface_queue_read(iface, 0, frames, n);
}

SQN_API int sqn_iface_queue_write(struct sqn_iface *iface, unsigned queue,
				  const struct sqn_frame *frames, unsigned n)
{
	if (!iface || (!frames && n))
		return -EINVAL;
	if (iface->stopped)
		return stopped_err(iface, "write");
	if (queue >= iface->nqueues)
		return sqn_seterr(iface, -EINVAL,
				  "write: queue %u does not exist (%u queues)",
				  queue, iface->nqueues);
	if (n > SQN_BATCH)
		n = SQN_BATCH;
	return sqn_fp_write(iface, queue, frames, n);
}

SQN_API int sqn_iface_write(struct sqn_iface *iface,
			    const struct sqn_frame *frames, unsigned n)
{
	return sqn_iface_queue_write(iface, 0, frames, n);
}

SQN_API int sqn_iface_fd(const struct sqn_iface *iface)
{
	if (!iface)
		return -EINVAL;
	return iface->stopped ? -ESHUTDOWN : iface->fd;
}

SQN_API int sqn_iface_queue_fd(const struct sqn_iface *iface, unsigned queue)
{
	if (!iface || queue >= iface->nqueues)
		return -EINVAL;
	return iface->stopped ? -ESHUTDOWN : iface->qfd[queue];
}

SQN_API unsigned sqn_iface_queues(const struct sqn_iface *iface)
{
	return iface ? iface->nqueues : 0;
}

SQN_API int sqn_iface_timeout_ms(struct sqn_iface *iface)
{
	if (!iface || iface->stopped)
		return -1;
	return sqn_fp_timeout_ms(iface);
}

SQN_API uint32_t sqn_iface_mtu(const struct sqn_iface *iface)
{
	return iface ? iface->mtu : SQN_DEFAULT_MTU;
}

SQN_API uint32_t sqn_iface_max_frame(const struct sqn_iface *iface)
{
	return iface ? iface->max_frame : sqn_mtu_frame(SQN_DEFAULT_MTU);
}

SQN_API void sqn_iface_host_mac(const struct sqn_iface *iface, uint8_t mac[6])
{
	if (!mac)
		return;
	if (iface)
		memcpy(mac, iface->host_mac, 6);
	else
		memset(mac, 0, 6);
}

SQN_API void sqn_iface_guest_mac(const struct sqn_iface *iface, uint8_t mac[6])
{
	if (!mac)
		return;
	if (iface)
		memcpy(mac, iface->guest_mac, 6);
	else
		memset(mac, 0, 6);
}

SQN_API const char *sqn_iface_id(const struct sqn_iface *iface)
{
	return iface ? iface->id : NULL;
}

SQN_API enum sqn_mode sqn_iface_mode(const struct sqn_iface *iface)
{
	return iface ? iface->mode : SQN_MODE_DEFAULT;
}

SQN_API int sqn_iface_offload(const struct sqn_iface *iface)
{
	return iface ? iface->offload : 0;
}

SQN_API int sqn_iface_link(const struct sqn_iface *iface, char *why, size_t len)
{
	struct sqn_iface *mut = (struct sqn_iface *)iface;

	if (!iface)
		return 0;
	if (why && len) {
		pthread_mutex_lock(&mut->msg_lock);
		snprintf(why, len, "%s", iface->link_why);
		pthread_mutex_unlock(&mut->msg_lock);
	}
	return atomic_load(&iface->link_up);
}

SQN_API void sqn_iface_stats(const struct sqn_iface *iface, struct sqn_stats *s)
{
	const struct sqn_counters *c;

	if (!s)
		return;
	if (!iface) {
		memset(s, 0, sizeof(*s));
		return;
	}
	c = &iface->ctr;
#define LOAD(f) s->f = atomic_load_explicit(&c->f, memory_order_relaxed)
	LOAD(rx_frames);
	LOAD(rx_bytes);
	LOAD(tx_frames);
	LOAD(tx_bytes);
	LOAD(rx_dropped);
	LOAD(tx_dropped);
	LOAD(rx_errors);
	LOAD(tx_errors);
	LOAD(conn_resets);
	LOAD(link_changes);
	LOAD(helper_restarts);
#undef LOAD
}

SQN_API void sqn_iface_last_error(const struct sqn_iface *iface, char *buf,
				  size_t len)
{
	struct sqn_iface *mut = (struct sqn_iface *)iface;

	if (!buf || !len)
		return;
	if (!iface) {
		buf[0] = '\0';
		return;
	}
	pthread_mutex_lock(&mut->msg_lock);
	snprintf(buf, len, "%s", iface->last_error);
	pthread_mutex_unlock(&mut->msg_lock);
}

/**
 * forward() - add or remove a host port forward
 * @iface:	the interface
 * @spec:	the forward
 * @add:	add, else remove
 *
 * Return: 0 or a negative errno with the message set
 */
static int forward(struct sqn_iface *iface, const char *spec, bool add)
{
	const char *what = add ? "forward_add" : "forward_remove";

	if (!iface)
		return -EINVAL;
	if (iface->stopped)
		return sqn_seterr(iface, -ESHUTDOWN,
				  "%s: %s after sqn_iface_stop(): the "
				  "interface is stopped",
				  iface->id, what);
	if (!spec)
		return sqn_seterr(iface, -EINVAL, "%s: %s: spec is NULL",
				  iface->id, what);
	if (!iface->ops->forward)
		return sqn_seterr(iface, -ENOTSUP,
				  "%s: %s mode has no port forwards at run "
				  "time: %s",
				  iface->id, sqn_mode_name(iface->mode),
				  sqn_mode_no_forwards(iface->mode));
	return iface->ops->forward(iface, spec, add);
}

SQN_API int sqn_iface_forward_add(struct sqn_iface *iface, const char *spec)
{
	return forward(iface, spec, true);
}

SQN_API int sqn_iface_forward_remove(struct sqn_iface *iface, const char *spec)
{
	return forward(iface, spec, false);
}
