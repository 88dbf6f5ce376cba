/* SPDX-License-Identifier: Apache-2.0 */
/*
 * logcap.h - a log callback for tests that keeps what the library said
 *
 * log_cb() appends each message (one line) to logbuf under loglock, so a
 * test can look for a message with strstr(); log_reset() empties it.
 * T_VERBOSE=1 also prints every message as a TAP comment. A test may set
 * log_hook to see each message as it is logged.
 */
#ifndef SQN_LOGCAP_H
#define SQN_LOGCAP_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "squibnet.h"

static char logbuf[32768];
static pthread_mutex_t loglock = PTHREAD_MUTEX_INITIALIZER;
static void (*log_hook)(const char *msg);

/**
 * log_cb() - sqn_log_fn that keeps the message in logbuf
 * @opaque:	unused
 * @level:	unused
 * @msg:	the message
 */
static inline void log_cb(void *opaque, enum sqn_log_level level,
			  const char *msg)
{
	size_t n;

	(void)opaque;
	(void)level;
	pthread_mutex_lock(&loglock);
	n = strlen(logbuf);
	if (n + strlen(msg) + 2 < sizeof(logbuf))
		snprintf(logbuf + n, sizeof(logbuf) - n, "%s\n", msg);
	pthread_mutex_unlock(&loglock);
	if (getenv("T_VERBOSE"))
		printf("# log: %s\n", msg);
	if (log_hook)
		log_hook(msg);
}

/** log_reset() - forget what was logged so far */
static inline void log_reset(void)
{
	pthread_mutex_lock(&loglock);
	logbuf[0] = '\0';
	pthread_mutex_unlock(&loglock);
}

#endif /* SQN_LOGCAP_H */
