#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# deps.sh - install the Debian packages a task needs, if they are missing
#
# Usage: scripts/deps.sh build|test|bench|rust|deb
# Only missing packages are installed; `apt-get update` runs at most once.
# rust: Debian's cargo, only when no cargo is on PATH or in ~/.cargo/bin
# (the crate builds with Debian 12's rustc 1.63 as with rustup's).
set -euo pipefail

build_pkgs=(gcc g++ meson ninja-build pkg-config libslirp-dev libglib2.0-dev
	    iproute2 python3 binutils)
test_pkgs=("${build_pkgs[@]}" clang clang-format clang-tidy cppcheck valgrind
	   libclang-rt-14-dev libblocksruntime-dev passt iperf3 busybox
	   procps psmisc tcpdump qemu-system-x86 cpio linux-image-amd64)
bench_pkgs=("${build_pkgs[@]}" iperf3 passt slirp4netns util-linux librsvg2-bin
	    linux-perf valgrind)
rust_pkgs=("${build_pkgs[@]}")
if ! command -v cargo >/dev/null && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
	rust_pkgs+=(cargo)
fi
deb_pkgs=("${build_pkgs[@]}" build-essential debhelper dpkg-dev fakeroot lintian)
test_pkgs+=("${rust_pkgs[@]}" "${deb_pkgs[@]}")

case "${1:-build}" in
build) want=("${build_pkgs[@]}") ;;
test) want=("${test_pkgs[@]}") ;;
bench) want=("${bench_pkgs[@]}") ;;
rust) want=("${rust_pkgs[@]}") ;;
deb) want=("${deb_pkgs[@]}") ;;
*) echo "usage: $0 build|test|bench|rust|deb" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then SUDO=sudo; else
		echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
