/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run_stub.c - squib-net run where network namespaces do not exist
 *
 * `run` needs Linux network namespaces and TAP devices. On macOS a VMM uses
 * the library directly; this says so instead of pretending.
 */
#include <stdio.h>

#include "cli.h"

int cmd_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "squib-net: run needs Linux network namespaces; on "
			"this platform use libsquibnet from your VMM\n");
	return 2;
}
