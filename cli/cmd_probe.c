/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_probe.c - squib-net probe: which backends work here, and why not
 *
 * For each mode: does this build have it, and does it really start? What a
 * mode is and needs comes from sqn_mode_info(); a mode that needs something
 * only the operator can name (a socket URL, a bridged interface) says which
 * option gives it instead of guessing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "opts.h"

/**
 * probe_params() - parameters to try a mode with
 * @mi:		the mode's description
 * @p:		filled
 * @skip:	gets why the mode cannot be tried, when it cannot
 * @len:	its size
 *
 * A device the mode needs (SQN_PARAMS_DEVICE) is made up and created; what
 * only the operator can name (a helper's socket URL, a host interface to
 * bridge to) is not guessed: the mode is not tried, and the option that
 * would give it is named.
 *
 * Return: true if the mode can be tried
 */
static bool probe_params(const struct sqn_mode_info *mi, struct sqn_params *p,
			 char *skip, size_t len)
{
	static char tapname[16];
	uint32_t missing = mi->needs & ~SQN_PARAMS_DEVICE, bit;

	sqn_params_init(p);
	p->iface_id = "probe";
	p->mode = mi->mode;
	p->start_timeout_ms = 2000;
	if (mi->needs & SQN_PARAMS_DEVICE) {
		snprintf(tapname, sizeof(tapname), "sqnprobe%d",
			 (int)(getpid() % 100000));
		p->host_dev_name = tapname;
		p->tap_create = SQN_ON;
	}
	for (bit = 1; bit && missing; bit <<= 1) {
		const struct cli_opt *o =
			(missing & bit) ? cli_opt_needed(CLI_RUN, bit) : NULL;

		if (o) {
			snprintf(skip, len,
				 "needs %s %s (%s): squib-net run --mode %s "
				 "%s %s",
				 o->name, o->arg, o->help, mi->name, o->name,
				 o->arg);
			return false;
		}
	}
	return true;
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
		struct sqn_mode_info mi = {.size = sizeof(mi)};

		sqn_mode_info((enum sqn_mode)mode, &mi);
		if (!mi.supported) {
			printf("  %-10s no: %s\n", mi.name, mi.why_not);
			continue;
		}
		if (!probe_params(&mi, &p, why, sizeof(why))) {
			printf("  %-10s built in; %s\n", mi.name, why);
			continue;
		}
		if (sqn_iface_start(&p, &iface, why, sizeof(why)) < 0) {
			printf("  %-10s no: %s\n", mi.name, why);
			continue;
		}
		printf("  %-10s yes (mtu %u)\n", mi.name, sqn_iface_mtu(iface));
		sqn_iface_free(iface);
		works++;
	}
	return works ? 0 : 1;
}
