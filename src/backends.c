/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backends.c - the one table of modes: each mode's backend and its facts
 *
 * Which backends exist is the build's choice (config.h): a mode whose
 * backend was not built maps to NULL, and starting it fails with -ENOTSUP.
 * What a mode is and does (DHCP, one lock, which parameters it reads and
 * needs) is data in its row, asked through sqn_mode_info(), so no caller
 * and no other file names a mode; doc/adding-a-mode.md says how to add one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "internal.h"

extern const struct sqn_backend_ops sqn_be_loopback;
#ifdef SQN_HAVE_VMNET
extern const struct sqn_backend_ops sqn_be_vmnet;
#endif
#ifdef SQN_HAVE_USERSPACE
extern const struct sqn_backend_ops sqn_be_userspace;
extern const struct sqn_backend_ops sqn_be_socket;
#endif
#ifdef SQN_HAVE_TAP
extern const struct sqn_backend_ops sqn_be_tap;
#endif
#ifdef SQN_HAVE_SLIRP
extern const struct sqn_backend_ops sqn_be_slirp;
#endif

/**
 * struct sqn_mode_row - one mode: its backend and what it is
 * @name:	as the command line spells it
 * @ops:	the backend's table, NULL when this build has none
 * @missing:	why the mode cannot start when @ops is NULL
 * @summary:	struct sqn_mode_info.summary
 * @platform:	struct sqn_mode_info.platform
 * @flags:	SQN_MODE_*
 * @uses:	SQN_PARAMS_* groups it reads
 * @needs:	SQN_PARAMS_* groups it cannot start without
 * @no_forwards: without SQN_MODE_LIVE_FORWARDS: how a host port is forwarded
 *		to its guest instead, for sqn_iface_forward_add()'s refusal
 *
 * The facts are here, not in the backend's file, because they answer for
 * modes this build has no backend for too (probe, a command line refusing
 * an option of another platform's mode).
 */
struct sqn_mode_row {
	const char *name;
	const struct sqn_backend_ops *ops;
	const char *missing;
	const char *summary;
	const char *platform;
	uint32_t flags;
	uint32_t uses;
	uint32_t needs;
	const char *no_forwards;
};

#ifndef SQN_HAVE_VMNET
#define VMNET_OPS NULL
#else
#define VMNET_OPS (&sqn_be_vmnet)
#endif
#ifndef SQN_HAVE_USERSPACE
#define USERSPACE_OPS NULL
#define SOCKET_OPS NULL
#else
#define USERSPACE_OPS (&sqn_be_userspace)
#define SOCKET_OPS (&sqn_be_socket)
#endif
#ifndef SQN_HAVE_TAP
#define TAP_OPS NULL
#else
#define TAP_OPS (&sqn_be_tap)
#endif
#ifndef SQN_HAVE_SLIRP
#define SLIRP_OPS NULL
#else
#define SLIRP_OPS (&sqn_be_slirp)
#endif

/* Every mode; adding one is a row here and the backend's own file. */
static const struct sqn_mode_row sqn_modes[SQN_MODE_COUNT_] = {
	[SQN_MODE_DEFAULT] = {.name = "default"},
	[SQN_MODE_SHARED] =
		{.name = "shared",
		 .ops = VMNET_OPS,
		 .missing = "needs macOS vmnet.framework",
		 .summary = "vmnet.framework, NAT",
		 .platform = "macOS",
		 .flags = SQN_MODE_HAS_DHCP,
		 .no_forwards = "vmnet's NAT forwards no host ports: connect "
				"to the guest's address from the host"},
	[SQN_MODE_HOST] = {.name = "host",
			   .ops = VMNET_OPS,
			   .missing = "needs macOS vmnet.framework",
			   .summary = "vmnet.framework, host-only",
			   .platform = "macOS",
			   .flags = SQN_MODE_HAS_DHCP,
			   .no_forwards = "host-only: the host reaches the "
					  "guest's address directly"},
	[SQN_MODE_BRIDGED] = {.name = "bridged",
			      .ops = VMNET_OPS,
			      .missing = "needs macOS vmnet.framework",
			      .summary = "vmnet.framework, bridged to a host "
					 "interface",
			      .platform = "macOS",
			      .uses = SQN_PARAMS_BRIDGED,
			      .needs = SQN_PARAMS_BRIDGED,
			      .no_forwards = "bridged: the guest has an "
					     "address on the host's network"},
	[SQN_MODE_USERSPACE] =
		{.name = "userspace",
		 .ops = USERSPACE_OPS,
		 .missing = "was not built in",
		 .summary = "a helper child (gvproxy, passt) on "
			    "a socketpair",
		 .platform = "any",
		 .flags = SQN_MODE_HAS_DHCP | SQN_MODE_LARGE_FRAMES,
		 .uses = SQN_PARAMS_HELPER,
		 .no_forwards = "forwards are the helper's own: gvproxy's "
				"HTTP API (-listen, /services/forwarder/"
				"expose), passt's -t/-u options (helper_args)"},
	[SQN_MODE_SOCKET] =
		{.name = "socket",
		 .ops = SOCKET_OPS,
		 .missing = "was not built in",
		 .summary = "an already running helper's socket",
		 .platform = "any",
		 .flags = SQN_MODE_HAS_DHCP | SQN_MODE_LARGE_FRAMES,
		 /* offloads: unix:// to squib-net serve (be_socket.c) */
		 .uses = SQN_PARAMS_URL | SQN_PARAMS_OFFLOAD,
		 .needs = SQN_PARAMS_URL,
		 .no_forwards = "forwards are the helper's own, set where it "
				"runs (gvproxy's HTTP API, passt's -t/-u)"},
	[SQN_MODE_TAP] = {.name = "tap",
			  .ops = TAP_OPS,
			  .missing = "needs Linux TAP devices",
			  .summary = "a Linux TAP device",
			  .platform = "Linux",
			  .uses = SQN_PARAMS_DEVICE | SQN_PARAMS_QUEUES |
				  SQN_PARAMS_OFFLOAD,
			  .needs = SQN_PARAMS_DEVICE,
			  .no_forwards =
				  "the TAP is a host device: forward with the "
				  "host's own means (an nftables or iptables "
				  "DNAT rule to the guest's address)"},
	[SQN_MODE_SLIRP] = {.name = "slirp",
			    .ops = SLIRP_OPS,
			    .missing = "was built without libslirp",
			    .summary = "libslirp in this process",
			    .platform = "any",
			    .flags = SQN_MODE_HAS_DHCP | SQN_MODE_ONE_LOCK |
				     SQN_MODE_LIVE_FORWARDS,
			    .uses = SQN_PARAMS_SLIRP | SQN_PARAMS_OFFLOAD},
	[SQN_MODE_LOOPBACK] = {.name = "loopback",
			       .ops = &sqn_be_loopback,
			       .summary = "every frame written comes back",
			       .platform = "any",
			       .no_forwards =
				       "loopback has no network behind it"},
};

/**
 * sqn_backend_for() - the backend table of a mode
 * @mode:	a mode other than SQN_MODE_DEFAULT
 *
 * Return: the table, or NULL when this build has no backend for @mode
 */
const struct sqn_backend_ops *sqn_backend_for(enum sqn_mode mode)
{
	if ((unsigned)mode >= SQN_MODE_COUNT_)
		return NULL;
	return sqn_modes[mode].ops;
}

SQN_API enum sqn_mode sqn_mode_default(void)
{
	/* vmnet shared mode on macOS, the default of the squib-net crate
	 * this library succeeds; a Linux build against the vmnet simulator
	 * (tests only) keeps the embedded default */
#if defined(SQN_HAVE_VMNET) && defined(__APPLE__)
	return SQN_MODE_SHARED;
#elif defined(SQN_HAVE_SLIRP) || !defined(SQN_HAVE_VMNET)
	return SQN_MODE_SLIRP;
#else
	return SQN_MODE_SHARED;
#endif
}

SQN_API const char *sqn_mode_name(enum sqn_mode mode)
{
	if ((unsigned)mode >= SQN_MODE_COUNT_)
		return NULL;
	return sqn_modes[mode].name;
}

SQN_API int sqn_mode_parse(const char *name, enum sqn_mode *mode)
{
	unsigned i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < SQN_MODE_COUNT_; i++) {
		if (!strcmp(name, sqn_modes[i].name)) {
			*mode = (enum sqn_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

SQN_API int sqn_mode_supported(enum sqn_mode mode, char *why, size_t len)
{
	const struct sqn_backend_ops *ops;

	if (mode == SQN_MODE_DEFAULT)
		mode = sqn_mode_default();
	if ((unsigned)mode >= SQN_MODE_COUNT_) {
		if (why && len)
			snprintf(why, len, "mode %d is unknown", (int)mode);
		return 0;
	}
	ops = sqn_modes[mode].ops;
	if (!ops) {
		if (why && len)
			snprintf(why, len, "mode %s %s", sqn_modes[mode].name,
				 sqn_modes[mode].missing);
		return 0;
	}
	if (ops->supported && !ops->supported(why, len))
		return 0;
	if (why && len)
		why[0] = '\0';
	return 1;
}

/**
 * sqn_backend_list_supported() - "a, b, c": the modes that work here
 * @buf:	gets the list
 * @len:	its size
 *
 * Return: number of modes listed
 */
int sqn_backend_list_supported(char *buf, size_t len)
{
	size_t off = 0;
	int n = 0;
	unsigned i;

	if (len)
		buf[0] = '\0';
	for (i = 1; i < SQN_MODE_COUNT_; i++) {
		if (!sqn_mode_supported((enum sqn_mode)i, NULL, 0))
			continue;
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						n ? ", " : "",
						sqn_modes[i].name);
		n++;
	}
	return n;
}

SQN_API int sqn_mode_info(enum sqn_mode mode, struct sqn_mode_info *info)
{
	struct sqn_mode_info mi;
	const struct sqn_mode_row *row;
	uint32_t size;

	if (!info || info->size < offsetof(struct sqn_mode_info, name) ||
	    (unsigned)mode >= SQN_MODE_COUNT_)
		return -EINVAL;
	if (mode == SQN_MODE_DEFAULT)
		mode = sqn_mode_default();
	row = &sqn_modes[mode];
	memset(&mi, 0, sizeof(mi));
	size = info->size < sizeof(mi) ? info->size : (uint32_t)sizeof(mi);
	mi.size = info->size;
	mi.mode = mode;
	mi.name = row->name;
	mi.summary = row->summary;
	mi.platform = row->platform;
	mi.flags = row->flags;
	mi.uses = row->uses;
	mi.needs = row->needs;
	mi.supported = sqn_mode_supported(mode, mi.why_not, sizeof(mi.why_not));
	memcpy(info, &mi, size);
	return 0;
}

/**
 * sqn_mode_no_forwards() - how a mode without live forwards forwards a port
 * @mode:	a mode other than SQN_MODE_DEFAULT
 *
 * Return: the reason, never NULL
 */
const char *sqn_mode_no_forwards(enum sqn_mode mode)
{
	const char *why = (unsigned)mode < SQN_MODE_COUNT_
				  ? sqn_modes[mode].no_forwards
				  : NULL;

	return why ? why : "it has none";
}

/**
 * sqn_mode_list() - every mode's name, "a, b, c or d", for a message
 * @buf:	gets the list
 * @len:	its size
 *
 * Return: @buf
 */
const char *sqn_mode_list(char *buf, size_t len)
{
	size_t off = 0;
	unsigned i;

	if (len)
		buf[0] = '\0';
	for (i = 0; i < SQN_MODE_COUNT_ && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					!i			  ? ""
					: i + 1 < SQN_MODE_COUNT_ ? ", "
								  : " or ",
					sqn_modes[i].name);
	return buf;
}
