#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_version.sh - the version is meson.build's project version everywhere it
# is written down: the header's SQN_VERSION_MAJOR/MINOR/PATCH, the .TH line
# of both man pages, what `squib-net version` prints (sqn_version()), the
# Rust crate's version (bindings/rust/Cargo.toml) and the newest Debian
# changelog entry (a native package: no revision)
#
# Usage: t_version.sh VERSION SOURCE_ROOT SQUIB_NET
#   VERSION is meson.project_version(), passed by tests/meson.build: the one
#   place the version is set. The shared library's file name and the
#   pkg-config file take it from there by themselves.
set -u
version=$1 src=$2 sqn=$3
echo "1..7"

i=1
if [[ $version =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]]; then
	echo "ok $i - meson.build's version $version is MAJOR.MINOR.PATCH"
else
	echo "not ok $i - meson.build's version \"$version\" is MAJOR.MINOR.PATCH"
fi
want=("${BASH_REMATCH[1]:-}" "${BASH_REMATCH[2]:-}" "${BASH_REMATCH[3]:-}")

i=$((i + 1))
got=()
for part in MAJOR MINOR PATCH; do
	got+=("$(sed -n "s/^#define SQN_VERSION_$part \([0-9][0-9]*\)$/\1/p" \
		"$src/include/squibnet.h")")
done
if [ "${got[*]}" = "${want[*]}" ]; then
	echo "ok $i - squibnet.h says ${got[0]}.${got[1]}.${got[2]}"
else
	echo "not ok $i - squibnet.h's SQN_VERSION_MAJOR/MINOR/PATCH are" \
		"'${got[*]}', meson.build says $version: change the header"
fi

for man in squib-net.1 squibnet.3; do
	i=$((i + 1))
	th=$(grep -m1 '^\.TH ' "$src/doc/$man")
	if [[ $th == *"\"squib-net $version\""* ]]; then
		echo "ok $i - doc/$man's .TH names squib-net $version"
	else
		echo "not ok $i - doc/$man's .TH line ($th) does not name" \
			"\"squib-net $version\": change it"
	fi
done

i=$((i + 1))
out=$("$sqn" version 2>&1)
if [ "$out" = "squib-net $version" ]; then
	echo "ok $i - squib-net version prints \"$out\""
else
	echo "not ok $i - squib-net version prints \"$out\", not" \
		"\"squib-net $version\""
fi

i=$((i + 1))
crate=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$src/bindings/rust/Cargo.toml" | head -n1)
if [ "$crate" = "$version" ]; then
	echo "ok $i - bindings/rust/Cargo.toml says $crate"
else
	echo "not ok $i - bindings/rust/Cargo.toml says \"$crate\", meson.build" \
		"says $version: change it (and its Cargo.lock)"
fi

i=$((i + 1))
deb=$(sed -n '1s/^squib-net (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ "$deb" = "$version" ]; then
	echo "ok $i - debian/changelog's newest entry is $deb"
else
	echo "not ok $i - debian/changelog's newest entry is \"$deb\", meson.build" \
		"says $version: add an entry (dch -v $version)"
fi
