/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c - squib-net: dispatch to a subcommand
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_verbose;

static const struct cli_cmd cli_cmds[] = {
	{"run", cmd_run,
	 "run a command in a network namespace whose NIC "
	 "squib-net relays"},
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
	fprintf(stderr, "squib-net: %s: %s\n", names[level], msg);
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
