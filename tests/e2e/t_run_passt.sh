#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_passt.sh - userspace mode with the real passt, and socket mode to a
# passt of our own: DHCP address, ARP for the gateway, 10 MiB byte-exact
# from the host's loopback. passt gets explicit addresses, so nothing
# depends on (or reaches) the host's real network; this passt does not
# answer pings to the gateway, so none is sent.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd passt
"$SQN" probe | grep -q '^  userspace' || skip_all "no userspace backend in this build"
plan 7

PASST_NET=(-a 10.0.2.15 -n 24 -g 10.0.2.2 --dns 10.0.2.3)
helper_args=()
for a in "${PASST_NET[@]}"; do helper_args+=(--helper-arg "$a"); done

mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 10
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
port=$(free_port)
http_serve "$TMP/www" "$port"

out=$("$SQN" run --mode userspace --helper passt "${helper_args[@]}" -- sh -c \
	'ip -4 -o addr show eth0; ip route show default; busybox arping -c 1 -w 3 -I eth0 10.0.2.2; busybox ping -c 1 -W 1 10.0.2.2 >/dev/null; ip neigh show 10.0.2.2')
diag "$out"
ok "passt: DHCP gives 10.0.2.15/24" sh -c "echo '$out' | grep -q 'inet 10.0.2.15/24'"
ok "passt: default route via 10.0.2.2" sh -c "echo '$out' | grep -q 'default via 10.0.2.2'"
ok "passt: the gateway resolves by ARP" sh -c "echo '$out' | grep -q 'Received 1 response' && echo '$out' | grep -q '10.0.2.2 dev eth0 lladdr'"

got=$("$SQN" run --mode userspace --helper passt --mtu 65520 "${helper_args[@]}" -- \
	python3 -c "$FETCH_PY" "http://10.0.2.2:$port/blob")
ok "passt: 10 MiB from the host's loopback, byte-exact" test "$got" = "$want"

got=$("$SQN" run --mode userspace --helper passt "${helper_args[@]}" -- \
	python3 -c "$FETCH_PY" "http://10.0.2.2:$port/blob")
ok "passt at MTU 1500: 10 MiB byte-exact" test "$got" = "$want"

# socket mode: a passt we start, listening on a unix socket
sock="$TMP/passt.sock"
bg passt -f --runas 0 --socket "$sock" -m 65520 "${PASST_NET[@]}" -1 >"$TMP/passt.log" 2>&1
for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
out=$("$SQN" run --mode socket --connect "unix://$sock" -- sh -c \
	"ip -4 -o addr show eth0; python3 -c '$FETCH_PY' http://10.0.2.2:$port/blob")
diag "$(echo "$out" | head -1)"
ok "socket mode to passt --socket: DHCP address" sh -c "echo '$out' | grep -q 'inet 10.0.2.15/24'"
ok "socket mode to passt --socket: 10 MiB byte-exact" sh -c "echo '$out' | tail -1 | grep -qx '$want'"
finish
