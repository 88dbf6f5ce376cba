#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# fuzz.sh - build the libFuzzer targets, replay the kept inputs, then fuzz
#	    every target for a fixed time under ASan + UBSan
#
# Usage: scripts/fuzz.sh [NAME...]   (default: every fuzz_* the build makes)
# Environment:
#   FUZZ_SECONDS   seconds per target (default 30: 23 targets on 2 cores
#                  take about 6 minutes; longer runs by hand)
#   FUZZ_JOBS      targets fuzzed at once (default 2: CI has 2 cores)
#   FUZZ_MAX_LEN   longest input (default 70000: any frame and its framing)
#   FUZZ_BUILD     build directory (default build-fuzz)
#
# Targets are discovered from the build (FUZZ_BUILD/fuzz/fuzz_*), so a new
# entry in fuzz/meson.build's fuzz_targets is fuzzed with no change here.
# New inputs go to a temporary corpus: the committed seed corpus
# (fuzz/corpus/NAME) is read, never grown. A crash, leak, timeout or
# out-of-memory fails the run; its input is copied to
# fuzz/regressions/NAME/, which the replay test (meson test --suite fuzz)
# runs from then on: commit it with the fix.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
secs=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-2}
max_len=${FUZZ_MAX_LEN:-70000}
bdir=${FUZZ_BUILD:-build-fuzz}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

opts=(-Dfuzz=true -Dtests=false -Db_sanitize=address,undefined
      -Db_lundef=false -Dalloc_test=false --werror)
if [ -f "$bdir/build.ninja" ]; then
	meson configure "$bdir" "${opts[@]}" >/dev/null
else
	CC=clang meson setup "$bdir" "${opts[@]}" >"$bdir.setup.log" 2>&1 ||
		{ cat "$bdir.setup.log"; echo "fuzz.sh: meson setup failed"; exit 1; }
fi
ninja -C "$bdir" >"$bdir/fuzz-ninja.log" 2>&1 ||
	{ tail -40 "$bdir/fuzz-ninja.log"; echo "fuzz.sh: build failed"; exit 1; }

# 1. Replay the seed corpora and kept regressions (fast, every time).
if ! meson test -C "$bdir" --suite fuzz --print-errorlogs >"$bdir/fuzz-replay.log" 2>&1; then
	grep -E '^(not ok|#)|FAIL' "$bdir/fuzz-replay.log" | head -60
	echo "fuzz.sh: a kept input crashes its target (replay above)"
	exit 1
fi

# 2. Fuzz each target for $secs seconds.
if [ $# -gt 0 ]; then
	names=("$@")
else
	names=()
	for exe in "$bdir"/fuzz/fuzz_*; do
		[ -f "$exe" ] && [ -x "$exe" ] && names+=("${exe##*/fuzz_}")
	done
fi
if [ ${#names[@]} -eq 0 ]; then
	echo "fuzz.sh: no fuzz targets in $bdir/fuzz"
	exit 1
fi

work=$(mktemp -d /tmp/sqn-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

# fuzz_one NAME: fuzz one target; writes $work/NAME.result
fuzz_one() {
	local name=$1 exe=$top/$bdir/fuzz/fuzz_$1 dir=$work/$1 seeds=() rc
	mkdir -p "$dir/corpus"
	for d in "$top/fuzz/corpus/$name" "$top/fuzz/regressions/$name"; do
		[ -d "$d" ] && seeds+=("$d")
	done
	# The first corpus directory receives new inputs: the temporary one.
	(cd "$dir" && "$exe" -max_total_time="$secs" -max_len="$max_len" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$dir/" "$dir/corpus" "${seeds[@]}") \
		>"$dir/log" 2>&1
	rc=$?
	echo "$rc" >"$work/$name.result"
}

running=0
for name in "${names[@]}"; do
	if [ ! -x "$bdir/fuzz/fuzz_$name" ]; then
		echo "fuzz.sh: no target $bdir/fuzz/fuzz_$name"
		echo 1 >"$work/$name.result"
		continue
	fi
	fuzz_one "$name" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
for name in "${names[@]}"; do
	dir=$work/$name log=$work/$name/log
	rc=$(cat "$work/$name.result" 2>/dev/null || echo 1)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -1)
	cov=$(grep -ao 'cov: [0-9]*' "$log" 2>/dev/null | tail -1)
	new=$(find "$dir/corpus" -type f 2>/dev/null | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz_$name: ok, ${runs:-?} runs in ${secs}s, ${cov:-cov: ?}, $new new corpus inputs (not kept)"
		continue
	fi
	failed=1
	echo "fuzz_$name: FAILED (exit $rc); the end of its log:"
	tail -30 "$log" 2>/dev/null | sed 's/^/    /'
	mkdir -p "fuzz/regressions/$name"
	found=0
	for a in "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*; do
		[ -f "$a" ] || continue
		found=1
		cp "$a" "fuzz/regressions/$name/"
		echo "fuzz_$name: reproducer fuzz/regressions/$name/${a##*/}"
		echo "    reproduce: $bdir/fuzz/fuzz_$name fuzz/regressions/$name/${a##*/}"
		echo "    it is in the work tree now: fix the bug, then commit it" \
			"(git add fuzz/regressions/$name) so the replay test keeps it fixed"
	done
	[ $found -eq 1 ] || echo "fuzz_$name: the target died without writing" \
		"a reproducer (see its log above)"
done
[ $failed -eq 0 ] && echo "fuzz.sh: ${#names[@]} targets, ${secs}s each: no crash"
exit $failed
