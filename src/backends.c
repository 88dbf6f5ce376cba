/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backends.c - the one place that maps a mode to its backend table
 *
 * Which backends exist is the build's choice (config.h): a mode whose
 * backend was not built maps to NULL, and starting it fails with -ENOTSUP.
 */
#include <errno.h>
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

static const struct sqn_backend_ops *const sqn_backends[SQN_MODE_COUNT_] = {
	[SQN_MODE_LOOPBACK] = &sqn_be_loopback,
#ifdef SQN_HAVE_VMNET
	[SQN_MODE_SHARED] = &sqn_be_vmnet,
	[SQN_MODE_HOST] = &sqn_be_vmnet,
	[SQN_MODE_BRIDGED] = &sqn_be_vmnet,
#endif
#ifdef SQN_HAVE_USERSPACE
	[SQN_MODE_USERSPACE] = &sqn_be_userspace,
	[SQN_MODE_SOCKET] = &sqn_be_socket,
#endif
#ifdef SQN_HAVE_TAP
	[SQN_MODE_TAP] = &sqn_be_tap,
#endif
#ifdef SQN_HAVE_SLIRP
	[SQN_MODE_SLIRP] = &sqn_be_slirp,
#endif
};

/* Why a mode is missing from this build, for the -ENOTSUP message. */
static const char *const sqn_missing_why[SQN_MODE_COUNT_] = {
	[SQN_MODE_SHARED] = "needs macOS vmnet.framework",
	[SQN_MODE_HOST] = "needs macOS vmnet.framework",
	[SQN_MODE_BRIDGED] = "needs macOS vmnet.framework",
	[SQN_MODE_USERSPACE] = "was not built in",
	[SQN_MODE_SOCKET] = "was not built in",
	[SQN_MODE_TAP] = "needs Linux TAP devices",
	[SQN_MODE_SLIRP] = "was built without libslirp",
};

static const char *const sqn_mode_names[SQN_MODE_COUNT_] = {
	[SQN_MODE_DEFAULT] = "default",
	[SQN_MODE_SHARED] = "shared",
	[SQN_MODE_HOST] = "host",
	[SQN_MODE_BRIDGED] = "bridged",
	[SQN_MODE_USERSPACE] = "userspace",
	[SQN_MODE_SOCKET] = "socket",
	[SQN_MODE_TAP] = "tap",
	[SQN_MODE_SLIRP] = "slirp",
	[SQN_MODE_LOOPBACK] = "loopback",
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
	return sqn_backends[mode];
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
	return sqn_mode_names[mode];
}

SQN_API int sqn_mode_parse(const char *name, enum sqn_mode *mode)
{
	unsigned i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < SQN_MODE_COUNT_; i++) {
		if (!strcmp(name, sqn_mode_names[i])) {
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
	ops = sqn_backends[mode];
	if (!ops) {
		if (why && len)
			snprintf(why, len, "mode %s %s", sqn_mode_names[mode],
				 sqn_missing_why[mode]);
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
						sqn_mode_names[i]);
		n++;
	}
	return n;
}
