/* SPDX-License-Identifier: Apache-2.0 */
/*
 * msg.h - a refusal's message into a caller's buffer (pure)
 */
#ifndef SQN_MSG_H
#define SQN_MSG_H

#include <stddef.h>

int sqn_msg_refuse(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* SQN_MSG_H */
