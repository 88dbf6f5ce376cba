#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_vmnet_portable.sh - src/be_vmnet.c builds for macOS: no Linux-only
# header is included and no Linux-only function is called
#
# Usage: t_vmnet_portable.sh CLANG SOURCE_ROOT
#
# How, and why this way: the real test is the macOS build, which cannot run
# here. What stands in for it is a compile of be_vmnet.c as macOS would see
# it: clang with -fblocks, __APPLE__ defined and __linux__ undefined (so any
# #ifdef __linux__ branch drops out and any __APPLE__ branch is compiled),
# the simulator's copies of Apple's headers (same names and signatures), and
# glibc restricted to strict POSIX.1-2008 (_POSIX_C_SOURCE, no _GNU_SOURCE),
# with implicit declarations as errors: a call to pipe2(), accept4(),
# eventfd(), epoll_*() and the like then fails to compile, because glibc
# declares them only for _GNU_SOURCE or in Linux-only headers. Second, the
# include tree of that compile (clang -H) is walked: every header that
# be_vmnet.c, or a header of this project or of the simulator, includes from
# the system must be on an allowlist of ISO C and POSIX headers that macOS
# has. An allowlist rather than a denylist of Linux headers, so that a new
# Linux-only header cannot slip through. Headers that system headers include
# are the platform's business (glibc's <bits/...>) and are not judged.
# Last, the same checks run on two deliberately bad files (one includes
# <sys/eventfd.h>, one calls pipe2()), which must fail: the check proves it
# can catch what it is for.
set -u
clang=$1 src=$2
build_args=(-fsyntax-only -fblocks -std=gnu11 -Werror -Wall
	-Werror=implicit-function-declaration
	-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U_GNU_SOURCE
	-D__APPLE__ -D__MACH__ -D_POSIX_C_SOURCE=200809L
	-I "$src/tests/vmnet-sim" -I "$src/include" -I "$src/src")
allowed='assert.h ctype.h errno.h float.h inttypes.h limits.h stdalign.h
stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h string.h
time.h pthread.h unistd.h fcntl.h poll.h signal.h sys/types.h sys/uio.h
sys/time.h sys/socket.h'

# check FILE: 0 if FILE compiles as for macOS using portable headers only
check() {
	local file=$1 out line depth path parent base ok a rc=0
	local -a stack
	if ! out=$("$clang" "${build_args[@]}" -H "$file" 2>&1); then
		echo "# $file does not compile as for macOS:"
		echo "$out" | grep -v '^\.' | sed 's/^/#   /' | head -20
		return 1
	fi
	stack[0]=$file
	while IFS= read -r line; do
		[[ $line =~ ^(\.+)\ (.*)$ ]] || continue
		depth=${#BASH_REMATCH[1]} path=${BASH_REMATCH[2]}
		stack[depth]=$path
		parent=${stack[depth - 1]}
		case $parent in "$src"/* | "${file}") ;; *) continue ;; esac
		case $path in "$src"/*) continue ;; esac
		ok=0
		for a in $allowed; do
			case $path in */"$a") ok=1 ;; esac
		done
		if [ $ok = 0 ]; then
			base=${path##*/include/}
			echo "# $parent includes $base ($path): not an ISO C or POSIX header macOS has"
			rc=1
		fi
	done <<<"$out"
	return $rc
}

echo "1..3"
if check "$src/src/be_vmnet.c"; then
	echo "ok 1 - be_vmnet.c compiles as for macOS with portable headers only"
else
	echo "not ok 1 - be_vmnet.c compiles as for macOS with portable headers only"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <sys/eventfd.h>\nint f(void);\nint f(void) { return 0; }\n' >"$tmp/bad_include.c"
printf '#include <unistd.h>\nint f(int *p);\nint f(int *p) { return pipe2(p, 0); }\n' >"$tmp/bad_call.c"
if check "$tmp/bad_include.c" >/dev/null; then
	echo "not ok 2 - the check catches a Linux-only header"
else
	echo "ok 2 - the check catches a Linux-only header"
fi
if check "$tmp/bad_call.c" >/dev/null; then
	echo "not ok 3 - the check catches a Linux-only call"
else
	echo "ok 3 - the check catches a Linux-only call"
fi
