#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test.sh - the whole test suite: installs what it needs, builds, runs
#
# Stages: warnings-as-errors build and every suite (the end-to-end ones need
# root, and under CI=true they must run); the unit suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer; the formatting check. Ends
# with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
bash scripts/deps.sh test || exit 1

extra=$(mktemp)
trap 'rm -f "$extra"' EXIT
stage() { # stage NAME CMD...: one extra result line
	local name=$1; shift
	if "$@"; then echo "PASS $name" >>"$extra"; else echo "FAIL $name" >>"$extra"; fi
}
setup() { # setup DIR [meson options]
	local dir=$1; shift
	if [ -d "$dir" ]; then
		meson setup --reconfigure "$dir" "$@" >"$dir.setup.log" 2>&1 ||
			{ rm -rf "$dir"; meson setup "$dir" "$@" >"$dir.setup.log" 2>&1; }
	else
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1
	fi || { cat "$dir.setup.log"; return 1; }
}

logs=()
# 1. The main build, warnings as errors, all suites.
if stage build setup build-test --werror -Dbuildtype=debugoptimized &&
	stage compile ninja -C build-test; then
	meson test -C build-test --print-errorlogs --num-processes 1 \
		--timeout-multiplier 3 ${SQN_TEST_ARGS:-}
	logs+=(build-test/meson-logs/testlog.json)
fi

# 2. Sanitizers: the unit suite under ASan + UBSan (LeakSanitizer included).
if stage asan-build setup build-asan --werror -Db_sanitize=address,undefined \
	-Db_lundef=false -Dalloc_test=false &&
	stage asan-compile ninja -C build-asan; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --suite unit --print-errorlogs
	logs+=(build-asan/meson-logs/testlog.json)
fi

# 3. Formatting against the committed .clang-format.
format_check() {
	local bad
	bad=$(git ls-files '*.c' '*.h' '*.cc' | xargs clang-format --dry-run 2>&1 | grep -c 'warning:')
	[ "$bad" -eq 0 ] || { echo "clang-format: $bad lines differ (run: git ls-files '*.c' '*.h' | xargs clang-format -i)"; return 1; }
}
stage clang-format format_check

python3 scripts/summary.py "${logs[@]}" --extra "$extra"
