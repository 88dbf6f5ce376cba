/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h - the squib-net command: subcommands and what they share
 */
#ifndef SQN_CLI_H
#define SQN_CLI_H

#include <stdbool.h>

#include "squibnet.h"

/**
 * struct cli_cmd - one subcommand
 * @name:	as typed
 * @fn:		runs it with argv[0] being @name; returns the exit status
 * @summary:	one line for the help text
 */
struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_probe(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_ctl(int argc, char **argv);

void cli_log(void *opaque, enum sqn_log_level level, const char *msg);
void cli_log_hold(void);
void cli_log_release(bool print);
extern int cli_verbose;

#endif /* SQN_CLI_H */
