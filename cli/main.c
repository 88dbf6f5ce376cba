/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - squib-net: dispatch to a subcommand
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define CLI_HELD_MAX 4

int cli_verbose;

/* errors the library logs while an interface starts: held, then printed
 * if the start succeeds, dropped if it fails (its message says them) */
static pthread_mutex_t cli_log_lock = PTHREAD_MUTEX_INITIALIZER;
static bool cli_holding;
static char cli_held[CLI_HELD_MAX][600];
static int cli_n_held;

static const struct cli_cmd cli_cmds[] = {
	{"run", cmd_run,
	 "run a command in a network namespace whose NIC "
	 "squib-net relays"},
	{"serve", cmd_serve,
	 "one network for many VMs: a switch with an uplink, "
	 "VMs on unix sockets"},
	{"probe", cmd_probe,
	 "say which backends work on this host, and why "
	 "not"},
	{"ctl", cmd_ctl,
	 "send a request to a running run or serve over its control "
	 "socket"},
	{"version", cmd_version, "print the library's version"},
};

/**
 * cli_log() - the library's log callback: one line on stderr
 * @opaque:	unused
 * @level:	severity
 * @msg:	the message
 */
void cli_log(void *opaque, enum sqn_log_level level, const char *msg)
{
	static const char *const names[] = {"error", "warning", "info",
					    "debug"};

	(void)opaque;
	if (level == SQN_LOG_ERROR) {
		pthread_mutex_lock(&cli_log_lock);
		if (cli_holding) {
			if (cli_n_held < CLI_HELD_MAX)
				snprintf(cli_held[cli_n_held++],
					 sizeof(cli_held[0]), "%s", msg);
			pthread_mutex_unlock(&cli_log_lock);
			return;
		}
		pthread_mutex_unlock(&cli_log_lock);
	}
	fprintf(stderr, "squib-net: %s: %s\n", names[level], msg);
}

/**
 * cli_log_hold() - hold the library's error messages from now on
 *
 * For a call that returns its failure's message itself (sqn_iface_start()):
 * the caller prints that once, with its context, instead of the log
 * printing it too.
 */
void cli_log_hold(void)
{
	pthread_mutex_lock(&cli_log_lock);
	cli_holding = true;
	cli_n_held = 0;
	pthread_mutex_unlock(&cli_log_lock);
}

/**
 * cli_log_release() - stop holding; print what was held, or drop it
 * @print:	print the held errors (the call succeeded: they were not its
 *		failure)
 */
void cli_log_release(bool print)
{
	int i;

	pthread_mutex_lock(&cli_log_lock);
	cli_holding = false;
	for (i = 0; print && i < cli_n_held; i++)
		fprintf(stderr, "squib-net: error: %s\n", cli_held[i]);
	cli_n_held = 0;
	pthread_mutex_unlock(&cli_log_lock);
}

/**
 * usage() - print the subcommands
 * @f:	where to
 */
static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: squib-net COMMAND [OPTIONS]\n\ncommands:\n");
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cli_cmds[i].name,
			cli_cmds[i].summary);
	fprintf(f, "\n'squib-net COMMAND --help' tells more.\n");
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("squib-net %s\n", sqn_version());
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (!strcmp(argv[1], cli_cmds[i].name))
			return cli_cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "squib-net: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
