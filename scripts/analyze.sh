#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# analyze.sh - static analysis: cppcheck and clang-tidy, warnings as errors
#
# Usage: scripts/analyze.sh cppcheck
#        scripts/analyze.sh clang-tidy [BUILD_DIR]   (default: build-test)
#
# cppcheck checks src/, cli/, fuzz/ and tests/*.c three times: in every
# #if configuration it finds in each file (--force, so there is no limit on
# their number: backend, platform and feature-test macros), then as the
# Linux build and as the macOS build (-D__APPLE__, vmnet, SO_NOSIGPIPE, no
# SOCK_CLOEXEC) with the macros config.h and the system headers would set,
# each over the files that build compiles. Apple Blocks in src/be_vmnet.c
# are beyond cppcheck 2.10's parser (the one file suppression).
# clang-tidy checks the src/ and cli/ files the build compiles, with the
# flags in BUILD_DIR's compile_commands.json and the checks in .clang-tidy,
# then the files a Linux build leaves out that it can parse: the macOS
# build's waker_posix.c, child_posix.c and sock_posix.c, and be_vmnet.c
# with -fblocks against tests/vmnet-sim's headers (poller_kqueue.c needs a
# macOS run).
# Both exit non-zero on
# any finding. To silence a false positive: an inline suppression with the
# reason on the same line (cppcheck: "// cppcheck-suppress ID - reason",
# clang-tidy: "// NOLINT(check) - reason"), or a reasoned entry in
# .cppcheck-suppressions / .clang-tidy.
set -uo pipefail
cd "$(dirname "$0")/.."

# cppcheck_pass NAME ARGS...: one cppcheck run; prints its findings and
# how many file configurations it checked. Returns non-zero on a finding.
cppcheck_pass() {
	local name=$1 out rc files cfgs t0
	shift
	t0=$SECONDS
	out=$(cppcheck --enable=warning,performance,portability \
		--error-exitcode=1 --inline-suppr \
		--suppressions-list=.cppcheck-suppressions --std=c11 \
		-I include -I src \
		--template='{file}:{line}: {severity} [{id}]: {message}' \
		"$@" 2>&1)
	rc=$?
	# without --quiet cppcheck prints "Checking FILE ..." (the file in
	# its first configuration), "Checking FILE: CONFIG..." for every
	# other, and progress lines; with -D the one configuration is the
	# -D set, printed as a second line
	files=$(grep -c '^Checking [^:]* \.\.\.$' <<<"$out")
	cfgs=$(grep -c '^Checking ' <<<"$out")
	[ "$name" = "$force_name" ] || cfgs=$files
	out=$(grep -v -e '^Checking ' -e 'files checked .* done$' <<<"$out")
	[ -n "$out" ] && echo "$out"
	echo "cppcheck: $name: $files files, $cfgs configurations," \
		"$((SECONDS - t0)) s"
	[ $rc -eq 0 ] && [ -z "$out" ]
}

force_name="every configuration (--force)"

run_cppcheck() {
	local fail=0 le=(-D__BYTE_ORDER=1234 -D__LITTLE_ENDIAN=1234
		-D__BIG_ENDIAN=4321) linux=() mac=() f

	# 1. every #if configuration cppcheck finds in each file (--force:
	# no limit on their number), system headers' macros unknown
	cppcheck_pass "$force_name" --force \
		src cli fuzz tests/*.c || fail=1

	# 2. the Linux build as meson configures it (config.h and the system
	# headers' macros given), over the files it compiles
	for f in src/*.c cli/*.c fuzz/*.c tests/*.c; do
		case $f in
		src/waker_posix.c | src/poller_kqueue.c | src/child_posix.c | \
			src/sock_posix.c | cli/serve_os_posix.c) ;;
		*) linux+=("$f") ;;
		esac
	done
	cppcheck_pass "Linux build" -D__linux__ -D_GNU_SOURCE -D__GNUC__=12 \
		"${le[@]}" -DSQN_HAVE_USERSPACE=1 -DSQN_HAVE_TAP=1 \
		-DSQN_HAVE_SLIRP=1 -DSOCK_CLOEXEC=02000000 \
		-DMSG_NOSIGNAL=0x4000 -DSO_SNDBUFFORCE=32 \
		-DSO_RCVBUFFORCE=33 "${linux[@]}" || fail=1

	# 3. the macOS build: kqueue, the posix helper and waker, vmnet,
	# SO_NOSIGPIPE instead of MSG_NOSIGNAL, no SOCK_CLOEXEC
	for f in src/*.c cli/*.c; do
		case $f in
		src/waker_linux.c | src/poller_epoll.c | src/child_linux.c | \
			src/sock_linux.c | src/be_tap_linux.c | \
			src/tap_inspect_linux.c | cli/cmd_run.c | \
			cli/netns_linux.c | cli/relay.c | \
			cli/serve_os_linux.c) ;;
		*) mac+=("$f") ;;
		esac
	done
	cppcheck_pass "macOS build" -D__APPLE__ -D__MACH__ -D__GNUC__=4 \
		"${le[@]}" -DSQN_HAVE_USERSPACE=1 -DSQN_HAVE_SLIRP=1 \
		-DSQN_HAVE_VMNET=1 -DSO_NOSIGPIPE=0x1022 "${mac[@]}" || fail=1

	if [ $fail -ne 0 ]; then
		echo "cppcheck: findings above. Fix them, or suppress a false" \
			"positive with its reason (see .cppcheck-suppressions)."
		return 1
	fi
	echo "cppcheck: src/ cli/ fuzz/ tests/*.c clean"
}

run_clang_tidy() {
	local bdir=${1:-build-test} files rc extra
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
	# Files a Linux build does not compile, with the flags it would use:
	# the macOS build's portable files, and be_vmnet.c against the
	# simulated frameworks' headers (tests/vmnet-sim) with -fblocks, as
	# the vmnet-sim build compiles it. poller_kqueue.c needs
	# <sys/event.h>, which Linux lacks: only a macOS run covers it.
	local base=(-std=gnu11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -pthread
		-DSQN_BUILDING_LIBRARY -I"$bdir/src" -Isrc -Iinclude) f
	extra=()
	for f in src/waker_posix.c src/child_posix.c src/sock_posix.c \
		src/be_vmnet.c; do
		[[ " ${files[*]} " == *" $f "* ]] && continue
		extra+=("$f")
		case $f in
		src/be_vmnet.c)
			clang-tidy --quiet "$f" -- "${base[@]}" \
				-Itests/vmnet-sim -fblocks 2>/dev/null ;;
		*) clang-tidy --quiet "$f" -- "${base[@]}" 2>/dev/null ;;
		esac || rc=1
	done
	if [ $rc -ne 0 ]; then
		echo "clang-tidy: findings above (checks and the reasons for" \
			"every disabled one: .clang-tidy). Fix the code, or" \
			"// NOLINT(check) - reason on a false positive."
		return 1
	fi
	echo "clang-tidy: ${#files[@]} files clean: ${files[*]}"
	echo "clang-tidy: and ${#extra[@]} outside this build clean:" \
		"${extra[*]} (not covered: src/poller_kqueue.c)"
}

case "${1:-}" in
cppcheck) run_cppcheck ;;
clang-tidy) run_clang_tidy "${2:-}" ;;
*) echo "usage: $0 cppcheck | clang-tidy [BUILD_DIR]" >&2; exit 2 ;;
esac
