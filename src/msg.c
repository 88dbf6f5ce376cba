/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.c - a refusal's message into a caller's buffer (pure)
 *
 * The parsers of options and rules (netopt.c, policy_rules.c) say why they
 * refuse an input in a buffer the caller gives, and return -EINVAL, in one
 * call.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "msg.h"

/**
 * sqn_msg_refuse() - format a refusal into @err and return -EINVAL
 * @err:	message buffer, may be NULL
 * @errlen:	its size (the message is cut to fit, always terminated)
 * @fmt:	printf format
 *
 * Return: -EINVAL
 */
int sqn_msg_refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
