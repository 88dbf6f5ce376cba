#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# analyze.sh - static analysis: cppcheck and clang-tidy, warnings as errors
#
# Usage: scripts/analyze.sh cppcheck
#        scripts/analyze.sh clang-tidy [BUILD_DIR]   (default: build-test)
#
# cppcheck checks src/, cli/, fuzz/ and tests/*.c in every #ifdef configuration it finds
# (platform and backend files included). clang-tidy checks the src/ and
# cli/ files the build compiles, with the flags in BUILD_DIR's
# compile_commands.json and the checks in .clang-tidy. Both exit non-zero on
# any finding. To silence a false positive: an inline suppression with the
# reason on the same line (cppcheck: "// cppcheck-suppress ID - reason",
# clang-tidy: "// NOLINT(check) - reason"), or a reasoned entry in
# .cppcheck-suppressions / .clang-tidy.
set -uo pipefail
cd "$(dirname "$0")/.."

run_cppcheck() {
	local out rc
	out=$(cppcheck --enable=warning,performance,portability \
		--error-exitcode=1 --inline-suppr --quiet \
		--suppressions-list=.cppcheck-suppressions \
		--std=c11 -D_GNU_SOURCE -D__linux__ -I include -I src \
		--template='{file}:{line}: {severity} [{id}]: {message}' \
		src cli fuzz tests/*.c 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out"
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "cppcheck: findings above. Fix them, or suppress a false" \
			"positive with its reason (see .cppcheck-suppressions)."
		return 1
	fi
	echo "cppcheck: src/ cli/ fuzz/ tests/*.c clean"
}

run_clang_tidy() {
	local bdir=${1:-build-test} files rc
	if [ ! -f "$bdir/compile_commands.json" ]; then
		echo "clang-tidy: no $bdir/compile_commands.json: run" \
			"'meson setup $bdir' first"
		return 1
	fi
	# The C files of src/ and cli/ this build compiles, once each.
	mapfile -t files < <(python3 - "$bdir" <<'PY'
import json, os, sys
b = sys.argv[1]
seen = set()
for e in json.load(open(os.path.join(b, "compile_commands.json"))):
    f = os.path.relpath(os.path.normpath(os.path.join(e["directory"], e["file"])))
    if f.split(os.sep)[0] in ("src", "cli") and f.endswith(".c") and f not in seen:
        seen.add(f)
        print(f)
PY
	)
	if [ ${#files[@]} -eq 0 ]; then
		echo "clang-tidy: no src/ or cli/ files in $bdir/compile_commands.json"
		return 1
	fi
	# Two at a time (CI has 2 cores); a file's findings print together.
	printf '%s\n' "${files[@]}" |
		xargs -P 2 -n 1 clang-tidy -p "$bdir" --quiet 2>/dev/null
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "clang-tidy: findings above (checks and the reasons for" \
			"every disabled one: .clang-tidy). Fix the code, or" \
			"// NOLINT(check) - reason on a false positive."
		return 1
	fi
	echo "clang-tidy: ${#files[@]} files clean: ${files[*]}"
}

case "${1:-}" in
cppcheck) run_cppcheck ;;
clang-tidy) run_clang_tidy "${2:-}" ;;
*) echo "usage: $0 cppcheck | clang-tidy [BUILD_DIR]" >&2; exit 2 ;;
esac
