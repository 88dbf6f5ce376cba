/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_probe.c - squib-net probe: which backends work here, and why not
 *
 * For each mode: does this build have it, and does it really start? A mode
 * that needs something only the operator can name (a socket URL, a bridged
 * interface) says so instead of guessing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/**
 * probe_params() - parameters to try a mode with
 * @mode:	the mode
 * @p:		filled
 *
 * Return: NULL if the mode can be tried, else why it cannot be
 */
static const char *probe_params(enum sqn_mode mode, struct sqn_params *p)
{
	static char tapname[16];

	sqn_params_init(p);
	p->iface_id = "probe";
	p->mode = mode;
	p->start_timeout_ms = 2000;
	switch (mode) {
	case SQN_MODE_SOCKET:
		return "needs a helper's socket URL: squib-net run --mode "
		       "socket --connect URL";
	case SQN_MODE_BRIDGED:
		return "needs a host interface: --bridged IFACE";
	case SQN_MODE_TAP:
		snprintf(tapname, sizeof(tapname), "sqnprobe%d",
			 (int)(getpid() % 100000));
		p->host_dev_name = tapname;
		p->tap_create = SQN_ON;
		return NULL;
	default:
		return NULL;
	}
}

int cmd_probe(int argc, char **argv)
{
	char why[512];
	struct sqn_params p;
	struct sqn_iface *iface;
	int mode, works = 0;

	if (argc > 1 &&
	    (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: squib-net probe\n\nTries to start every backend "
		       "and says which work on this host.\n");
		return 0;
	}
	printf("squib-net %s; default mode here: %s\n", sqn_version(),
	       sqn_mode_name(sqn_mode_default()));
	for (mode = 1; sqn_mode_name((enum sqn_mode)mode); mode++) {
		const char *name = sqn_mode_name((enum sqn_mode)mode);
		const char *skip;

		if (!sqn_mode_supported((enum sqn_mode)mode, why,
					sizeof(why))) {
			printf("  %-10s no: %s\n", name, why);
			continue;
		}
		skip = probe_params((enum sqn_mode)mode, &p);
		if (skip) {
			printf("  %-10s built in; %s\n", name, skip);
			continue;
		}
		if (sqn_iface_start(&p, &iface, why, sizeof(why)) < 0) {
			printf("  %-10s no: %s\n", name, why);
			continue;
		}
		printf("  %-10s yes (mtu %u)\n", name, sqn_iface_mtu(iface));
		sqn_iface_free(iface);
		works++;
	}
	return works ? 0 : 1;
}
