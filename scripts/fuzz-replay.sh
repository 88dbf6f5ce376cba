#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# fuzz-replay.sh - run a fuzz target once over every file of some directories
#
# Usage: fuzz-replay.sh TARGET DIR...   (a meson test in the fuzz build)
# Replays each file of each existing DIR (seed corpus, kept regressions)
# through TARGET: libFuzzer runs the files given as arguments once each and
# exits non-zero on the first crash, leak or sanitizer report. Prints TAP.
set -uo pipefail
target=$1; shift
files=()
for d in "$@"; do
	[ -d "$d" ] || continue
	while IFS= read -r -d '' f; do files+=("$f"); done \
		< <(find "$d" -type f ! -name '.*' -print0 | sort -z)
done
name=$(basename "$target")
echo "1..1"
if [ ${#files[@]} -eq 0 ]; then
	echo "ok 1 - $name: no inputs to replay # SKIP no corpus in $*"
	exit 0
fi
if out=$("$target" -runs=1 "${files[@]}" 2>&1); then
	echo "ok 1 - $name replays ${#files[@]} inputs"
else
	echo "$out" | tail -40 | sed 's/^/# /'
	echo "not ok 1 - $name: an input in $* crashes it (see above)"
	exit 1
fi
