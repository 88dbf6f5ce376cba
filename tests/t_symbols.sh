#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_symbols.sh - libsquibnet.so exports exactly the functions the public
# header declares (hidden visibility and the version script hold)
set -u
lib=$1 header=$2
echo "1..1"
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort -u)
declared=$(grep -o 'sqn_[a-z_0-9]*(' "$header" | tr -d '(' | sort -u)
if [ "$exported" = "$declared" ]; then
	echo "ok 1 - exports match the header ($(echo "$exported" | wc -l) symbols)"
else

	echo "$exported" > /tmp/sqn_exp.$$; echo "$declared" > /tmp/sqn_dec.$$
	diff /tmp/sqn_exp.$$ /tmp/sqn_dec.$$ | sed 's/^/# /'; rm -f /tmp/sqn_exp.$$ /tmp/sqn_dec.$$
	echo "not ok 1 - exports match the header"
	exit 1
fi
