#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_slirp.sh - the embedded default (libslirp) end to end: `squib-net
# run` with no --mode gets 10.0.2.15 by DHCP, pings the gateway, downloads
# 10 MiB byte-exact from the host's loopback (over IPv4, and over IPv6 from
# a fec0::/64 address it took by SLAAC), resolves a name through
# 10.0.2.3 to our own DNS server, serves a published port to the host, and
# with --restrict refuses outbound connections while the forward still works.
. "$(dirname "$0")/lib.sh"
require_root
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"
plan 15

dns_start
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 10
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
port=$(free_port)
http_serve "$TMP/www" "$port"

run() { with_test_dns "$SQN" run "$@"; }

out=$(run -- sh -c 'ip -4 -o addr show eth0; ip route show default')
diag "$out"
ok "DHCP gives 10.0.2.15/24 and a default route via 10.0.2.2" sh -c \
	"echo '$out' | grep -q 'inet 10.0.2.15/24' && echo '$out' | grep -q 'default via 10.0.2.2'"

out=$(run -- busybox ping -c 3 -W 2 10.0.2.2 2>&1)
diag "$(echo "$out" | tail -2)"
ok "the gateway answers ping" sh -c "echo '$out' | grep -q ' 0% packet loss'"

got=$(run -- python3 -c "$FETCH_PY" "http://10.0.2.2:$port/blob")
ok "10 MiB from the host's loopback, byte-exact ($got)" test "$got" = "$want"

# IPv6: the namespace takes a fec0::/64 address by SLAAC (libslirp's router
# advertisement) and fetches from the host's ::1 through fec0::2
port6=$(free_port)
http_serve "$TMP/www" "$port6" ::1
out=$(run -- sh -c 'for i in $(seq 100); do
		a=$(ip -6 -o addr show dev eth0 | awk '"'"'$4 ~ /^fec0:/ && !/tentative/ {print $4}'"'"')
		[ -n "$a" ] && break; sleep 0.1; done
	echo "$a"; python3 -c "$1" "http://[fec0::2]:$2/blob"' sh "$FETCH_PY" "$port6" 2>&1)
diag "IPv6: $(echo "$out" | tr '\n' ' ')"
ok "IPv6: a fec0::/64 address by SLAAC" sh -c "echo '$out' | head -1 | grep -q '^fec0::.*/64$'"
ok "IPv6: 10 MiB from the host through fec0::2, byte-exact" test "$(echo "$out" | tail -1)" = "$want"

# upload: the namespace sends 10 MiB to the host (its TCP segments are
# merged before libslirp sees them: tcp_coalesce.c)
sport=$(free_port)
sink_serve 127.0.0.1 "$sport" "$TMP/up.sha"
run -- python3 -c "$SEND_PY" 10.0.2.2 "$sport" "$TMP/www/blob"
for i in $(seq 50); do [ -s "$TMP/up.sha" ] && break; sleep 0.1; done
ok "10 MiB from the namespace to the host, byte-exact" test "$(cat "$TMP/up.sha" 2>/dev/null)" = "$want"

# the same without offloads: plain frames both ways
got=$(run --no-offload -- python3 -c "$FETCH_PY" "http://10.0.2.2:$port/blob")
ok "--no-offload: 10 MiB download byte-exact" test "$got" = "$want"
sport=$(free_port)
sink_serve 127.0.0.1 "$sport" "$TMP/up2.sha"
run --no-offload -- python3 -c "$SEND_PY" 10.0.2.2 "$sport" "$TMP/www/blob"
for i in $(seq 50); do [ -s "$TMP/up2.sha" ] && break; sleep 0.1; done
ok "--no-offload: 10 MiB upload byte-exact" test "$(cat "$TMP/up2.sha" 2>/dev/null)" = "$want"
# with offloads (the default), runs of segments cross as GSO frames: more
# bytes per frame than the MTU allows
run --stats -- python3 -c "$FETCH_PY" "http://10.0.2.2:$port/blob" >/dev/null 2>"$TMP/stats"
avg=$(sed -n 's/.*rx \([0-9]*\) frames \([0-9]*\) bytes.*/\2 \1/p' "$TMP/stats" | awk '{ if ($2) print int($1 / $2); else print 0 }')
diag "$(cat "$TMP/stats")"
ok "offloads: GSO frames toward the namespace (average $avg bytes per frame)" test "${avg:-0}" -gt 1514

out=$(run -- busybox nslookup "$TEST_DNS_NAME" 10.0.2.3 2>&1)
diag "$(echo "$out" | tr '\n' ' ')"
ok "DNS via 10.0.2.3 reaches the test's server and answers" sh -c \
	"echo '$out' | grep -q '$TEST_DNS_ANSWER' && grep -q '^$TEST_DNS_NAME 1' '$TMP/dns.log'"

out=$(run -- cat /etc/resolv.conf)
ok "the namespace's resolv.conf names 10.0.2.3" sh -c "echo '$out' | grep -q 'nameserver 10.0.2.3'"

# published port: a server inside, a client on the host
hport=$(free_port)
echo "inside-the-namespace" >"$TMP/www/hello"
publish_check() {
	local extra=$1 pid got
	# a plain command in the background (not a function: its $! would be
	# a subshell), so the TERM below reaches squib-net itself
	unshare -m --propagation private sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
		sh "$TMP/resolv.conf" "$SQN" run $extra -p "tcp:127.0.0.1:$hport-:8080" -- \
		python3 -c "$HTTP_PY" 0.0.0.0 8080 "$TMP/www" >/dev/null 2>&1 &
	pid=$!
	wait_port 127.0.0.1 "$hport" && sleep 0.5
	got=$(python3 -c "import urllib.request; print(urllib.request.build_opener(urllib.request.ProxyHandler({})).open('http://127.0.0.1:$hport/hello', timeout=10).read().decode().strip())" 2>&1)
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null
	diag "published: $got"
	[ "$got" = "inside-the-namespace" ]
}
ok "--publish lets a host client reach a server inside" publish_check ""

# --restrict: libslirp answers an outbound SYN with a RST, so the connect
# fails at once with "refused" (or "reset"), not by timing out; nothing
# reaches the host's listener (a sink that would record a connection)
rport=$(free_port)
sink_serve 127.0.0.1 "$rport" "$TMP/restricted.sha"
out=$(run --restrict -- python3 -c 'import socket, sys, time
t = time.monotonic()
try:
    socket.create_connection(("10.0.2.2", int(sys.argv[1])), timeout=20).close(); r = "connected"
except OSError as e:
    r = type(e).__name__
print(r, "%.3f" % (time.monotonic() - t))' "$rport" 2>&1)
diag "restricted connect to 10.0.2.2:$rport: $out (seconds)"
ok "--restrict: outbound connect refused or reset, not timed out ($out)" sh -c \
	"echo '$out' | grep -Eq '^(ConnectionRefusedError|ConnectionResetError) '"
sleep 0.3
ok "--restrict: nothing reached the host's listener" test ! -e "$TMP/restricted.sha"
ok "--restrict: the published port still works" publish_check --restrict
finish
