#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_symbols.sh - libsquibnet.so exports exactly the functions the public
# header declares (hidden visibility and the version script hold), and the
# Debian symbols file lists exactly those (a new function needs a line in
# debian/libsquibnet0.symbols: " NAME@SQUIBNET_0 VERSION")
#
# Usage: t_symbols.sh LIB HEADER [SYMBOLS_FILE]
set -u
lib=$1 header=$2 symfile=${3:-}
[ -n "$symfile" ] && echo "1..2" || echo "1..1"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -o 'sqn_[a-z_0-9]*(' "$header" | tr -d '(' | sort -u)
rc=0
same() { # same NAME LIST1 LIST2 DESCRIPTION: a TAP line, the diff if not
	local n=$1 a=$2 b=$3 what=$4
	if [ "$a" = "$b" ]; then
		echo "ok $n - $what ($(echo "$a" | wc -l) symbols)"
	else
		diff <(echo "$a") <(echo "$b") | sed 's/^/# /'
		echo "not ok $n - $what"
		rc=1
	fi
}
same 1 "$exported" "$declared" "exports match the header"
if [ -n "$symfile" ]; then
	listed=$(awk '/^ sqn_/ {sub(/@.*/, "", $1); print $1}' "$symfile" | sort -u)
	same 2 "$listed" "$declared" "$(basename "$symfile") lists the header's functions"
fi
exit $rc
