/* SPDX-License-Identifier: Apache-2.0 */
/*
 * helper.h - helper child processes (gvproxy, passt): find, validate,
 *	      spawn, reap
 */
#ifndef SQN_HELPER_H
#define SQN_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "squibnet.h"

#define SQN_HELPER_PATH_MAX 1024
#define SQN_HELPER_ARGS_MAX 32
#define SQN_HELPER_ARG_LEN 512
#define SQN_HELPER_LINE 512

/**
 * struct sqn_helper - a running helper child
 * @pid:	its pid, 0 when none
 * @pidfd:	pidfd (Linux), -1 where there is none (waitpid polling)
 * @errfd:	read end of the pipe on its stderr, -1 when closed
 * @line:	the stderr line being assembled
 * @linelen:	bytes in @line
 */
struct sqn_helper {
	pid_t pid;
	int pidfd;
	int errfd;
	char line[SQN_HELPER_LINE];
	size_t linelen;
};

/**
 * struct sqn_helper_spec - how to start a helper
 * @path:	absolute or relative path of the binary (no PATH search)
 * @argv:	argument vector, NULL-terminated, argv[0] included
 * @sock:	our socket end for the child
 * @child_fd:	fd number the socket gets in the child; 0 means stdin and
 *		stdout (gvproxy -listen-stdio)
 * @keep_env:	pass this process's environment (else PATH and HOME only)
 */
struct sqn_helper_spec {
	const char *path;
	char *const *argv;
	int sock;
	int child_fd;
	bool keep_env;
};

/**
 * typedef sqn_helper_line_fn - one line the helper wrote on stderr
 * @opaque:	caller's pointer
 * @line:	the line, NUL-terminated, no newline
 */
typedef void (*sqn_helper_line_fn)(void *opaque, const char *line);

void sqn_helper_init(struct sqn_helper *h);
int sqn_helper_spawn(struct sqn_helper *h, const struct sqn_helper_spec *s,
		     char *err, size_t errlen);
int sqn_helper_poll_exit(struct sqn_helper *h, int wait_ms, int *status);
void sqn_helper_signal_kill(struct sqn_helper *h);
void sqn_helper_kill(struct sqn_helper *h, int *status);
int sqn_helper_read_stderr(struct sqn_helper *h, sqn_helper_line_fn fn,
			   void *opaque);
void sqn_helper_describe_exit(int status, char *buf, size_t len);

int sqn_helper_find(enum sqn_helper_kind kind, const char *given, char *out,
		    size_t outlen, enum sqn_helper_kind *found);
int sqn_helper_check_path(const char *path, char *err, size_t errlen);
int sqn_helper_check_args(const char *const *args, unsigned n, char *err,
			  size_t errlen);

#endif /* SQN_HELPER_H */
