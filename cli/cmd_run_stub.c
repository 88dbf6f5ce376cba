/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_run_stub.c - squib-net run where network namespaces do not exist
 *		    (macOS): --guest-fd only
 *
 * A namespace with a TAP as its NIC is Linux's. What works everywhere is
 * --guest-fd N: CMD (a VMM) gets the guest's NIC as a datagram socket on
 * fd N (cmd_run_fd.c). Without it, this says so instead of pretending.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run.h"

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	char err[512];
	uint8_t mac[6];
	int rc;

	rc = run_args_parse(argc, argv, &o, err, sizeof(err));
	if (rc == 1) {
		run_usage(stdout);
		return 0;
	}
	if (rc < 0) {
		fprintf(stderr, "squib-net: %s\n", err);
		return 2;
	}
	if (!o.guest_fd) {
		fprintf(stderr,
			"squib-net: run: without --guest-fd, run needs Linux "
			"network namespaces, which this platform does not "
			"have: use --guest-fd N to give CMD (a VMM) the "
			"guest's NIC as a datagram socket on fd N\n");
		return 2;
	}
	cli_verbose = o.m.verbose;
	if (o.have_mac)
		memcpy(mac, o.mac, 6);
	else if (sqn_mac_generate(mac) < 0) {
		fprintf(stderr, "squib-net: run: no random bytes for a MAC\n");
		return 125;
	}
	return cmd_run_fd(&o, mac);
}
