#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_tap.sh - tap mode end to end: the namespace's TAP is the guest's
# NIC, a backend TAP in the host namespace has the host address, squib-net
# relays between them. Ping and a 10 MiB byte-exact transfer, with offloads
# off and on; with offloads on, frames larger than the MTU cross the API
# (GSO passes through), seen in the interface's statistics.
. "$(dirname "$0")/lib.sh"
require_root
"$SQN" probe | grep -q '^  tap *yes' || skip_all "no tap backend in this build"
plan 7

n=$(( $$ % 200 + 20 ))
tap=sqt$$
host=10.99.$n.1 guest=10.99.$n.2
cleanup_add "ip link del $tap"

mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 10
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
port=$(free_port)
# the host address comes and goes with the TAP that squib-net run makes:
# the server binds it (IP_FREEBIND) before it exists, and keeps listening
# across the runs
http_serve "$TMP/www" "$port" "$host" || skip_all "cannot start the HTTP server on $host:$port"

for mode in off on; do
	extra=()
	[ $mode = on ] && extra=(--offload)
	out=$("$SQN" run --mode tap --tap "$tap" --host-addr "$host/24" --guest-addr "$guest/24" \
		"${extra[@]}" --stats -- sh -c \
		"busybox ping -c 2 -W 2 $host | tail -1; sleep 0.3; python3 -c '$FETCH_PY' http://$host:$port/blob" 2>"$TMP/stats")
	diag "offload $mode: $(echo "$out" | head -1)"
	diag "$(cat "$TMP/stats")"
	ok "offload $mode: ping the host address" sh -c "echo '$out' | head -1 | grep -q 'round-trip'"
	ok "offload $mode: 10 MiB byte-exact" sh -c "echo '$out' | tail -1 | grep -qx '$want'"
	if [ $mode = on ]; then
		# rx: frames toward the namespace; bytes/frames above the MTU + 14
		# can only happen if GSO frames crossed the API
		avg=$(sed -n 's/.*rx \([0-9]*\) frames \([0-9]*\) bytes.*/\2 \1/p' "$TMP/stats" | awk '{ if ($2) print int($1 / $2); else print 0 }')
		ok "offload on: frames larger than the MTU crossed the API (average $avg bytes)" test "${avg:-0}" -gt 1514
	fi
done
# multi-queue backend TAP: replies arrive on whichever queue the host's
# flow hash picks; the relay reads every queue
out=$("$SQN" run --mode tap --tap "$tap" --host-addr "$host/24" --guest-addr "$guest/24" --queues 4 -- sh -c \
	"sleep 0.3; for i in 1 2 3 4 5 6 7 8; do python3 -c '$FETCH_PY' http://$host:$port/blob; done" | sort -u)
ok "--queues 4: eight transfers byte-exact" test "$out" = "$want"
ok "the backend TAP is gone afterwards" sh -c "! ip link show $tap >/dev/null 2>&1"
finish
