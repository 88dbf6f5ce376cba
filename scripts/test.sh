#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# test.sh - the whole test suite: installs what it needs, builds, runs
#
# Stages, cheapest first; a failing stage is counted and the next ones still
# run (CI budget: 90 minutes on 2 cores):
#   clang-format  formatting against the committed .clang-format
#   cppcheck      static analysis (scripts/analyze.sh cppcheck)
#   build         warnings-as-errors build (build-test)
#   clang-tidy    static analysis with build-test's compile_commands.json
#   tests         every suite in build-test (the end-to-end ones need root,
#                 and under CI=true a skip is a failure)
#   asan          every suite again under ASan + UBSan + LeakSanitizer
#   vmnet         the vmnet backend built against the simulated framework,
#                 plain and under ASan + UBSan (vmnet, vmnet-asan)
#   rust          the Rust crate (bindings/rust) against build-test:
#                 rustfmt, clippy, cargo test --offline, its example
#                 (scripts/rust-test.sh)
#   deb           the Debian packages built from a copy of the tree,
#                 lintian (errors fail), echo.c built and run against the
#                 extracted packages (scripts/deb-test.sh)
#   valgrind      the unit suite under valgrind memcheck, zero errors
#   fuzz          each libFuzzer target for FUZZ_SECONDS (30) under ASan +
#                 UBSan, after replaying the kept inputs (scripts/fuzz.sh)
# SQN_STAGES="tests asan" runs only the named stages. Ends with one line:
# "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test || exit 1

extra=$(mktemp)
trap 'rm -f "$extra"' EXIT
logs=()
want() { # want NAME: whether the stage is selected
	[ -z "${SQN_STAGES:-}" ] || [[ " $SQN_STAGES " == *" $1 "* ]]
}
stage() { # stage NAME CMD...: one extra result line, and its duration
	local name=$1 t0=$SECONDS rc; shift
	echo "=== stage $name"
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then echo "PASS $name" >>"$extra"; else echo "FAIL $name" >>"$extra"; fi
	echo "=== stage $name: $([ $rc -eq 0 ] && echo passed || echo FAILED) in $((SECONDS - t0)) s"
	return $rc
}
suite() { # suite NAME LOG CMD...: a meson test run counted from its log
	local name=$1 log=$2 t0=$SECONDS; shift 2
	echo "=== stage $name"
	"$@"
	logs+=("$log")
	echo "=== stage $name: ran in $((SECONDS - t0)) s (results in $log)"
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
build() { # build DIR [meson options]: configure and compile
	setup "$@" && ninja -C "$1"
}
format_check() {
	local bad
	bad=$(git ls-files '*.c' '*.h' '*.cc' | xargs clang-format --dry-run 2>&1 | grep -c 'warning:')
	[ "$bad" -eq 0 ] || { echo "clang-format: $bad lines differ (run: git ls-files '*.c' '*.h' | xargs clang-format -i)"; return 1; }
}

# 1. Cheap checks first.
want clang-format && stage clang-format format_check
want cppcheck && stage cppcheck bash scripts/analyze.sh cppcheck

# 2. The main build, warnings as errors; clang-tidy uses its compile
#    commands; then every suite.
built=0
if want build || want clang-tidy || want tests || want valgrind || want rust; then
	stage build build build-test --werror -Dbuildtype=debugoptimized && built=1
fi
want clang-tidy && [ $built -eq 1 ] &&
	stage clang-tidy bash scripts/analyze.sh clang-tidy build-test
want tests && [ $built -eq 1 ] &&
	suite tests build-test/meson-logs/testlog.json \
		meson test -C build-test --print-errorlogs --num-processes 1 \
		--timeout-multiplier 3 ${SQN_TEST_ARGS:-}

# 2b. The Rust crate over build-test's library; the Debian packages (their
#     own build, in a copy of the tree).
want rust && [ $built -eq 1 ] && stage rust bash scripts/rust-test.sh build-test
want deb && stage deb bash scripts/deb-test.sh

# 3. Sanitizers: every suite under ASan + UBSan (LeakSanitizer included).
if want asan && stage asan-build build build-asan --werror \
	-Db_sanitize=address,undefined -Db_lundef=false -Dalloc_test=false; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		suite asan build-asan/meson-logs/testlog.json \
		meson test -C build-asan --print-errorlogs --num-processes 1 \
		--timeout-multiplier 5 ${SQN_TEST_ARGS:-}
fi

# 3b. The vmnet backend against the simulated vmnet.framework (clang
#     -fblocks, libBlocksRuntime): its own builds, suite 'vmnet', plain and
#     under ASan + UBSan. run-tests.sh's exit status is the stage's result
#     (a build failure fails it); each log is deleted first, so a missing
#     log counts as a failure and never an earlier run's results.
if want vmnet; then
	rm -f build-vmnet/meson-logs/testlog.json build-vmnet-asan/meson-logs/testlog.json
	stage vmnet bash tests/vmnet-sim/run-tests.sh build-vmnet
	logs+=(build-vmnet/meson-logs/testlog.json)
	stage vmnet-asan bash tests/vmnet-sim/run-tests.sh --asan build-vmnet-asan
	logs+=(build-vmnet-asan/meson-logs/testlog.json)
fi

# 4. valgrind memcheck over the unit suite of the plain build: any error,
#    or a definite leak, fails the test it happens in (meson names the
#    log after the wrapper: unit-valgrind.json).
want valgrind && [ $built -eq 1 ] &&
	suite valgrind build-test/meson-logs/unit-valgrind.json \
		meson test -C build-test --suite unit --logbase unit \
		--print-errorlogs --num-processes 1 --timeout-multiplier 10 \
		--wrapper "valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite -q"

# 5. Fuzzing: every target, FUZZ_SECONDS each (scripts/fuzz.sh).
want fuzz && stage fuzz bash scripts/fuzz.sh

python3 scripts/summary.py "${logs[@]}" --extra "$extra"
