/* SPDX-License-Identifier: Apache-2.0 */
/*
 * t_cycles.c - 1000 start/stop cycles per mode leave nothing behind
 *
 * For each mode in the table: a warm-up, a snapshot of what the process
 * holds (fds, threads, child processes, RSS), 1000 cycles of start, one
 * frame each way, stop, and a second snapshot. Fds, threads and children
 * must be back where they were; RSS may grow less than 1 MiB (not checked
 * under ASan or valgrind, whose quarantines hold freed memory; they check
 * leaks themselves). The figures are printed as TAP comments.
 *
 * Usage: t_cycles [unit|e2e]. The unit run takes the rows that need no
 * root; the e2e run the others (it fails under CI=true without root).
 * To add a backend, add a row: its mode, a function that fills the params
 * (and creates what the backend needs once, e.g. a namespace), an optional
 * cleanup, and whether it needs root; register the e2e run in
 * tests/meson.build if it is the first root row.
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "check.h"
#include "res.h"
#include "squibnet.h"

#define CYCLES 1000
#define WARMUP 20
#define RSS_BOUND_KIB 1024

/**
 * struct cycle_mode - one row: a mode and how to start it
 * @name:	for the figures
 * @mode:	the mode
 * @setup:	fills the params (iface_id and mode are set already); may
 *		create what the mode needs once; returns 0 or a reason to
 *		skip in @why
 * @cleanup:	optional: undo @setup
 * @needs_root:	the row runs in the e2e run, as root
 */
struct cycle_mode {
	const char *name;
	enum sqn_mode mode;
	int (*setup)(struct sqn_params *p, char *why, size_t len);
	void (*cleanup)(void);
	bool needs_root;
};

/**
 * setup_loopback() - loopback needs nothing more
 * @p:		the params
 * @why:	unused
 * @len:	unused
 *
 * Return: 0
 */
static int setup_loopback(struct sqn_params *p, char *why, size_t len)
{
	(void)why;
	(void)len;
	p->mtu = 9000;
	return 0;
}

static const struct cycle_mode modes[] = {
	{"loopback", SQN_MODE_LOOPBACK, setup_loopback, NULL, false},
	/* userspace, socket, slirp, tap rows go here as they land */
};

static const char *suite = "unit";

/**
 * one_cycle() - start, one frame each way, stop
 * @p:	the params
 *
 * Return: 0, or the failed start's errno (the message is printed)
 */
static int one_cycle(const struct sqn_params *p)
{
	static uint8_t buf[9014];
	struct sqn_frame f = {.data = buf, .len = 60};
	struct sqn_iface *iface;
	char err[256];
	int rc;

	rc = sqn_iface_start(p, &iface, err, sizeof(err));
	if (rc) {
		printf("# start: %s\n", err);
		return rc;
	}
	memset(buf, 0x5a, 60);
	if (sqn_iface_write(iface, &f, 1) != 1)
		printf("# write failed\n");
	f.cap = sizeof(buf);
	if (sqn_iface_read(iface, &f, 1) < 0)
		printf("# read failed\n");
	sqn_iface_stop(iface);
	return 0;
}

/**
 * run_row() - the cycles of one table row
 * @m:	the row
 */
static void run_row(const struct cycle_mode *m)
{
	struct res_snap before, after;
	const char *checker = res_memory_checker();
	struct sqn_params p;
	char why[256] = "";
	int i, rc;

	if (m->needs_root && geteuid() != 0)
		SKIP("needs root");
	if (res_fds() < 0)
		SKIP("no /proc here");
	sqn_params_init(&p);
	p.iface_id = "cyc0";
	p.mode = m->mode;
	if (m->setup(&p, why, sizeof(why)))
		SKIP(why);
	for (i = 0; i < WARMUP; i++) {
		rc = one_cycle(&p);
		if (rc)
			break;
	}
	if (rc == 0) {
		res_snap_take(&before);
		for (i = 0; i < CYCLES && rc == 0; i++)
			rc = one_cycle(&p);
		res_snap_take(&after);
	}
	if (m->cleanup)
		m->cleanup();
	ASSERT(rc == 0);

	printf("# %s: %d cycles, fds %d->%d, threads %d->%d, children %d->%d, "
	       "rss %ld->%ld KiB\n",
	       m->name, CYCLES, before.fds, after.fds, before.threads,
	       after.threads, before.children, after.children, before.rss_kib,
	       after.rss_kib);
	CHECK_EQ(after.fds, before.fds);
	CHECK_EQ(after.threads, before.threads);
	CHECK_EQ(after.children, 0);
	if (checker)
		printf("# %s: rss bound not checked under %s (its quarantine "
		       "holds freed memory; it checks leaks itself)\n",
		       m->name, checker);
	else
		CHECK(after.rss_kib - before.rss_kib < RSS_BOUND_KIB);
}

/* One TAP case per row: check.h cases take no argument. */
#define NMODES (sizeof(modes) / sizeof(modes[0]))
#define ROW_CASE(i)                                                            \
	static void row_##i(void)                                              \
	{                                                                      \
		if ((i) < NMODES)                                              \
			run_row(&modes[(i) < NMODES ? (i) : 0]);               \
	}
ROW_CASE(0)
ROW_CASE(1)
ROW_CASE(2)
ROW_CASE(3)
ROW_CASE(4)
ROW_CASE(5)
ROW_CASE(6)
ROW_CASE(7)
static void (*const row_fns[])(void) = {row_0, row_1, row_2, row_3,
					row_4, row_5, row_6, row_7};
_Static_assert(sizeof(modes) / sizeof(modes[0]) <=
		       sizeof(row_fns) / sizeof(row_fns[0]),
	       "more modes than ROW_CASE()s: add some");

int main(int argc, char **argv)
{
	struct check_case cases[sizeof(row_fns) / sizeof(row_fns[0])];
	char names[sizeof(row_fns) / sizeof(row_fns[0])][64];
	size_t i, n = 0;
	bool e2e;

	if (argc > 1)
		suite = argv[1];
	e2e = !strcmp(suite, "e2e");
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i].needs_root != e2e)
			continue;
		snprintf(names[n], sizeof(names[n]), "cycles_%s",
			 modes[i].name);
		cases[n].name = names[n];
		cases[n].fn = row_fns[i];
		n++;
	}
	return check_main(cases, n);
}
