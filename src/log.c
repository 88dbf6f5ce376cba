/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c - messages: the caller's log callback, last error, link reason
 *
 * The library never prints. Every message goes to the caller's callback
 * (when it wants that level); failures are also kept as the interface's
 * last error, so a caller without a callback can still ask what went wrong.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/**
 * msg_clean() - make a formatted message one printable line
 * @s:	the message, changed in place
 *
 * Messages quote what the caller passed in (ids, names, paths, URLs), which
 * may hold any byte: control characters (newlines, escapes) become '?', so
 * a message is always one line and cannot forge another log entry or drive
 * a terminal. Bytes from 0x80 up are left alone (UTF-8).
 */
static void msg_clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/**
 * sqn_vlog() - format a message and pass it to the log callback
 * @iface:	the interface
 * @level:	severity
 * @fmt:	printf format
 * @ap:		arguments
 */
static void sqn_vlog(struct sqn_iface *iface, enum sqn_log_level level,
		     const char *fmt, va_list ap) SQN_PRINTF(3, 0);
static void sqn_vlog(struct sqn_iface *iface, enum sqn_log_level level,
		     const char *fmt, va_list ap)
{
	char msg[SQN_MSG_LEN + 128];

	if (!iface->log || level > iface->log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg_clean(msg);
	iface->log(iface->log_opaque, level, msg);
}

/**
 * sqn_log() - log a message at @level
 * @iface:	the interface
 * @level:	severity
 * @fmt:	printf format, then its arguments
 */
void sqn_log(struct sqn_iface *iface, enum sqn_log_level level, const char *fmt,
	     ...)
{
	va_list ap;

	va_start(ap, fmt);
	sqn_vlog(iface, level, fmt, ap);
	va_end(ap);
}

/**
 * sqn_vseterr() - record a failure as the last error and log it
 * @iface:	the interface
 * @err:	negative errno to return
 * @fmt:	printf format
 * @ap:		arguments
 *
 * Return: @err, so that callers can write `return sqn_seterr(...)`
 */
int sqn_vseterr(struct sqn_iface *iface, int err, const char *fmt, va_list ap)
{
	char msg[SQN_MSG_LEN];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg_clean(msg);
	pthread_mutex_lock(&iface->msg_lock);
	memcpy(iface->last_error, msg, sizeof(msg));
	pthread_mutex_unlock(&iface->msg_lock);
	sqn_log(iface, SQN_LOG_ERROR, "%s", msg);
	return err;
}

/**
 * sqn_seterr() - record a failure as the last error and log it
 * @iface:	the interface
 * @err:	negative errno to return
 * @fmt:	printf format, then its arguments
 *
 * Return: @err
 */
int sqn_seterr(struct sqn_iface *iface, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = sqn_vseterr(iface, err, fmt, ap);
	va_end(ap);
	return err;
}

/**
 * sqn_set_link() - change the link state, count it, log why
 * @iface:	the interface
 * @up:		new state
 * @fmt:	printf format of the reason, then its arguments
 */
void sqn_set_link(struct sqn_iface *iface, bool up, const char *fmt, ...)
{
	char why[SQN_MSG_LEN];
	va_list ap;
	int was;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	msg_clean(why);

	pthread_mutex_lock(&iface->msg_lock);
	memcpy(iface->link_why, why, sizeof(why));
	pthread_mutex_unlock(&iface->msg_lock);

	was = atomic_exchange(&iface->link_up, up ? 1 : 0);
	if (was != (up ? 1 : 0))
		SQN_STAT_ADD(iface, link_changes, 1);
	sqn_log(iface, up ? SQN_LOG_INFO : SQN_LOG_WARN, "%s: link %s: %s",
		iface->id, up ? "up" : "down", why);
}

/**
 * sqn_log_every() - whether the @count'th repeat of a message is logged
 * @count:	how many times the event happened, including this one
 *
 * Per-frame events (bad lengths, drops) would flood a log: only the 1st,
 * 2nd, 4th, 8th ... occurrence is logged; the counters have the rest.
 *
 * Return: true when @count is a power of two
 */
bool sqn_log_every(uint64_t count)
{
	return count && !(count & (count - 1));
}
