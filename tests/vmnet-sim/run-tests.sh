#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# run-tests.sh - build the vmnet backend against the simulated
# vmnet.framework and run its tests (suite 'vmnet'), from a clean tree
#
# Usage: tests/vmnet-sim/run-tests.sh [--asan] [BUILD_DIR]
#   default BUILD_DIR: build-vmnet, or build-vmnet-asan with --asan, which
#   builds with ASan + UBSan (LeakSanitizer included) and fails a test on
#   the first report.
# Needs clang and libblocksruntime-dev (scripts/deps.sh test installs them).
# What passes here was tested against the simulator, not the real framework.
# Exits non-zero when the build or any test fails, or when the build would
# install anything (a simulator build must not: src/meson.build). The
# build's meson-logs/testlog.json is deleted first, so a log left by an
# earlier run is never mistaken for this one's.
set -euo pipefail
cd "$(dirname "$0")/../.."
asan=0
if [ "${1:-}" = --asan ]; then
	asan=1
	shift
fi
dir=${1:-$([ $asan = 1 ] && echo build-vmnet-asan || echo build-vmnet)}
opts=(-Dvmnet_sim=true --werror)
if [ $asan = 1 ]; then
	opts+=(-Db_sanitize=address,undefined -Db_lundef=false -Dalloc_test=false)
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fi
if [ -d "$dir" ]; then
	CC=clang meson setup --reconfigure "$dir" "${opts[@]}"
else
	CC=clang meson setup "$dir" "${opts[@]}"
fi
rm -f "$dir/meson-logs/testlog.json"
ninja -C "$dir"
installed=$(meson introspect "$dir" --installed)
if [ "$installed" != "{}" ]; then
	echo "run-tests.sh: a vmnet simulator build would install: $installed" >&2
	exit 1
fi
meson test -C "$dir" --suite vmnet --print-errorlogs \
	--timeout-multiplier $([ $asan = 1 ] && echo 3 || echo 1)
