/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_run_args.c - squib-net run's option parser on arbitrary argv
 *
 * The input is split at NUL bytes into at most 63 arguments after "run".
 * Invariants: the parser returns 0, 1 or -EINVAL; on -EINVAL it wrote a
 * message; on 0 the command vector is inside argv and NULL-terminated, the
 * mode is resolved, the MTU in range, the lists within their bounds, and
 * no option of another mode was kept (nor one the mode needs left out).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy, *argv[65], err[512];
	struct run_opts o;
	size_t i, start = 0;
	int argc = 1, rc;

	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "run";
	for (i = 0; i <= size && argc < 64; i++) {
		if (copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	}
	argv[argc] = NULL;
	rc = run_args_parse(argc, argv, &o, err, sizeof(err));
	if (rc != 0 && rc != 1 && rc != -EINVAL)
		abort();
	if (rc == -EINVAL && !err[0])
		abort();
	if (rc == 0) {
		if (o.argv < argv + 1 || o.argv >= argv + argc || !o.argv[0])
			abort();
		struct sqn_mode_info mi = {.size = sizeof(mi)};

		if (o.m.mode == SQN_MODE_DEFAULT || o.m.mtu > SQN_MTU_MAX ||
		    (o.m.mtu && o.m.mtu < SQN_MTU_MIN))
			abort();
		/* every option kept is one the mode reads (the rows' rule) */
		if (sqn_mode_info(o.m.mode, &mi) ||
		    (o.m.connect_url && !(mi.uses & SQN_PARAMS_URL)) ||
		    (o.m.n_publish && !(mi.uses & SQN_PARAMS_SLIRP)) ||
		    (o.m.offload && !(mi.uses & SQN_PARAMS_OFFLOAD)) ||
		    ((mi.needs & SQN_PARAMS_URL) && !o.m.connect_url) ||
		    o.m.n_publish > CLI_MAX_PUBLISH ||
		    o.m.n_helper_args > CLI_MAX_HELPER_ARGS)
			abort();
	}
	free(copy);
	return 0;
}
