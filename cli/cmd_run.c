/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run.c - squib-net run: a network namespace whose NIC we relay
 *
 * Not built yet: the userspace issue brings the namespace, the TAP and the
 * relay loop.
 */
#include <stdio.h>

#include "cli.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "squib-net: run: not available in this build yet\n");
	return 2;
}
