#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# deb-test.sh - build the Debian packages from a copy of the tree, lintian
# them, and use them as a user would: extract them, build examples/echo.c
# against the extracted header and pkg-config file, run it against the
# extracted library, run the extracted command
#
# Usage: scripts/deb-test.sh [--check]
# The tree (tracked files and new ones not ignored: uncommitted work too) is
# copied to a temporary directory, since dpkg-buildpackage writes its
# results next to the source directory; nothing is left in the tree or
# behind. By default the package build skips its unit suite
# (DEB_BUILD_OPTIONS=nocheck: the `tests` stage runs that suite already);
# --check runs it inside the package build too. lintian errors fail; its
# warnings and info tags are printed. SQN_DEB_KEEP=1 keeps the temporary
# directory (packages, build log, extracted tree) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
check=0
[ "${1:-}" = --check ] && check=1

tmp=$(mktemp -d /tmp/sqn-deb.XXXXXX)
[ -n "${SQN_DEB_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
tree=$tmp/squib-net-$version
mkdir "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$src" ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf - | tar -C "$tree" -xf -
else
	tar --exclude='./build*' --exclude=./.git -cf - . | tar -C "$tree" -xf -
fi

echo "--- dpkg-buildpackage -us -uc -b (squib-net $version)"
opts="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)"
[ $check -eq 1 ] || opts="$opts nocheck"
t0=$SECONDS
if ! (cd "$tree" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	tail -n 60 "$tmp/build.log"
	echo "deb-test.sh: dpkg-buildpackage failed (log above)" >&2
	exit 1
fi
grep -E '^dpkg-gensymbols|^dpkg-deb: building' "$tmp/build.log" || true
echo "built in $((SECONDS - t0)) s"
changes=$(ls "$tmp"/squib-net_"$version"_*.changes)

echo "--- lintian"
lintian --fail-on error --display-info "$changes" | tee "$tmp/lintian.log" || {
	echo "deb-test.sh: lintian found errors" >&2
	exit 1
}
echo "lintian: $(grep -c "^E:" "$tmp/lintian.log" || true) errors, $(grep -c "^W:" "$tmp/lintian.log" || true) warnings, $(grep -c "^I:" "$tmp/lintian.log" || true) info"

echo "--- contents"
root=$tmp/root
for deb in "$tmp"/*.deb; do
	echo "$(basename "$deb"):"
	dpkg-deb -c "$deb" | awk '{print "  " $6}' | grep -v '/$'
	dpkg -x "$deb" "$root"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
libdir=$root/usr/lib/$multiarch
for f in usr/include/squibnet.h "usr/lib/$multiarch/libsquibnet.so.0" \
	"usr/lib/$multiarch/libsquibnet.a" "usr/lib/$multiarch/pkgconfig/squibnet.pc" \
	usr/bin/squib-net usr/share/man/man3/squibnet.3.gz usr/share/man/man1/squib-net.1.gz; do
	[ -e "$root/$f" ] || { echo "deb-test.sh: $f is in no package" >&2; exit 1; }
done

echo "--- examples/echo.c against the extracted packages"
# The extracted tree as the sysroot, as for a cross build: -I and -L point
# into it. (The flags of libslirp, from Requires.private, are prefixed
# too and name directories that do not exist there: echo.c needs none.)
flags=$(PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root \
	pkg-config --cflags --libs squibnet)
echo "pkg-config: $flags"
case $flags in *"-I$root/usr/include"*"-L$libdir"*) ;; *)
	echo; echo "deb-test.sh: pkg-config does not point into the extracted packages" >&2
	exit 1 ;;
esac
# shellcheck disable=SC2086 # word splitting of the flags is wanted
cc -Wall -Werror -o "$tmp/echo" "$src/examples/echo.c" $flags
loaded=$(LD_LIBRARY_PATH=$libdir ldd "$tmp/echo" | awk '/libsquibnet/ {print $3}')
echo "libsquibnet loaded from: $loaded"
[ "$(realpath "$loaded")" = "$(realpath "$libdir/libsquibnet.so.0")" ] ||
	{ echo "deb-test.sh: echo does not load the extracted library" >&2; exit 1; }
out=$(LD_LIBRARY_PATH=$libdir "$tmp/echo" 2>&1)
echo "$out"
for want in '^started eth0 in loopback mode: mtu 1500' '^wrote 8 frames$' \
	'^read 8 frames; stats: tx 8 frames 508 bytes, rx 8 frames 508 bytes, drops 0/0$'; do
	grep -q "$want" <<<"$out" || { echo "deb-test.sh: echo printed no line $want" >&2; exit 1; }
done

echo "--- the extracted command"
out=$(LD_LIBRARY_PATH=$libdir "$root/usr/bin/squib-net" version)
echo "$out"
grep -q "$version" <<<"$out" || { echo "deb-test.sh: squib-net version does not say $version" >&2; exit 1; }
echo "deb-test.sh: packages built, lintian clean of errors, echo and squib-net run from them"
[ -z "${SQN_DEB_KEEP:-}" ] || echo "deb-test.sh: kept $tmp"
