#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_cli_portable.sh - the squib-net files macOS builds (run --guest-fd, the
# relay, relay_os_posix.c, ...) compile as for macOS: no Linux-only header
# is included and no Linux-only function is called
#
# Usage: t_cli_portable.sh CC SOURCE_ROOT
#
# In the spirit of t_vmnet_portable.sh, which says why this way: the real
# test is the macOS build, which cannot run here. The files are those
# cli/meson.build builds when the host is not Linux, and the internal
# modules of src/ it compiles in there (child_posix.c, waker_posix.c, ...;
# read from both meson.build files, so a new one is checked too). Each is compiled with __APPLE__ defined and __linux__
# undefined, glibc restricted to strict POSIX.1-2008 (no _GNU_SOURCE) and
# implicit declarations as errors, so signalfd(), eventfd(), prctl(),
# getentropy() and the like fail to compile; then its include tree (-H) is
# walked and every system header that it or a header of this project
# includes must be on an allowlist of ISO C and POSIX headers that macOS
# has. It need not link. Last, two deliberately bad files must fail.
set -u
cc=$1 src=$2
build_args=(-fsyntax-only -std=c11 -Werror -Wall -Wextra
	-Werror=implicit-function-declaration
	-U__linux__ -U__linux -Ulinux -U__gnu_linux__ -U_GNU_SOURCE
	-D__APPLE__ -D__MACH__ -D_POSIX_C_SOURCE=200809L
	-I "$src/include" -I "$src/cli" -I "$src/src")
allowed='assert.h ctype.h errno.h float.h inttypes.h limits.h stdalign.h
stdarg.h stdatomic.h stdbool.h stddef.h stdint.h stdio.h stdlib.h string.h
time.h pthread.h unistd.h fcntl.h poll.h signal.h sys/types.h sys/uio.h
sys/time.h sys/socket.h sys/wait.h sys/stat.h sys/un.h arpa/inet.h
netinet/in.h grp.h'

# check FILE: 0 if FILE compiles as for macOS using portable headers only
check() {
	local file=$1 out line depth path parent base ok a rc=0
	local -a stack
	if ! out=$("$cc" "${build_args[@]}" -H "$file" 2>&1); then
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

# the .c files of cli/meson.build outside its `if is_linux` branch, and the
# internal modules of src/ the command compiles in where it is not Linux
# (shared_src_posix, shared_src and policy_src in src/meson.build, one
# files() per line)
files=$(awk '/^if is_linux/ { linux = 1; next } /^else/ { linux = 0; next }
	/^endif/ { linux = 0; next } !linux' "$src/cli/meson.build" |
	grep -o "'[a-z_0-9]*\.c'" | tr -d "'" | sed 's|^|cli/|')
files+=" "$(grep -E '^(shared|policy)_src(_posix)? \+?= ' "$src/src/meson.build" |
	grep -o "'[a-z_0-9]*\.c'" | tr -d "'" | sed 's|^|src/|')
n=$(echo "$files" | wc -w)
echo "1..$((n + 3))"
i=0
for f in $files; do
	i=$((i + 1))
	if check "$src/$f"; then
		echo "ok $i - $f compiles as for macOS with portable headers only"
	else
		echo "not ok $i - $f compiles as for macOS with portable headers only"
	fi
done
i=$((i + 1))
missing=
for f in cli/relay.c cli/cmd_run_fd.c cli/relay_os_posix.c src/child_posix.c \
	src/waker_posix.c; do
	case " $(echo $files) " in *" $f "*) ;; *) missing+=" $f" ;; esac
done
if [ -z "$missing" ]; then
	echo "ok $i - the list has the relay, run --guest-fd, relay_os_posix.c, child_posix.c and waker_posix.c ($n files)"
else
	echo "not ok $i - the list lacks$missing: $(echo $files)"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <sys/signalfd.h>\nint f(void);\nint f(void) { return 0; }\n' >"$tmp/bad_include.c"
printf '#include <unistd.h>\nint f(void *p);\nint f(void *p) { return getentropy(p, 4); }\n' >"$tmp/bad_call.c"
i=$((i + 1))
if check "$tmp/bad_include.c" >/dev/null; then
	echo "not ok $i - the check catches a Linux-only header"
else
	echo "ok $i - the check catches a Linux-only header"
fi
i=$((i + 1))
if check "$tmp/bad_call.c" >/dev/null; then
	echo "not ok $i - the check catches a Linux-only call"
else
	echo "ok $i - the check catches a Linux-only call"
fi
