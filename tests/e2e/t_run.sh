#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run.sh - squib-net run itself, over the loopback backend: the command
# runs in its own namespace with only lo and the TAP, its status comes back,
# signals are forwarded and answered with the conventional status, bad
# options get their own messages, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
require_root
plan 11

# processes still in network namespace $1 (e.g. "net:[4026532890]")
ns_users() { ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -cF "$1"; }

out=$("$SQN" run --mode loopback --no-dhcp -- sh -c 'ls /sys/class/net | sort | tr "\n" " "')
ok "namespace has only lo and eth0 ($out)" test "$out" = "eth0 lo "

"$SQN" run --mode loopback --no-dhcp -- sh -c 'exit 7'
ok "exit status passes through" test $? -eq 7

"$SQN" run --mode loopback --no-dhcp -- /nonexistent/cmd 2>"$TMP/err"
rc=$?
ok "missing command: 127 and a message" sh -c "[ $rc -eq 127 ] && grep -q \"cannot run '/nonexistent/cmd'\" '$TMP/err'"

out=$("$SQN" run --mode loopback --guest-addr 10.77.0.5/24 --mac 06:00:aa:bb:cc:dd -- sh -c 'cat /sys/class/net/eth0/address; ip -4 -o addr show eth0')
ok "static address and MAC applied" sh -c "echo '$out' | grep -q 06:00:aa:bb:cc:dd && echo '$out' | grep -q 10.77.0.5/24"

for sig in INT TERM; do
	"$SQN" run --mode loopback --no-dhcp -- sleep 30 &
	pid=$!
	sleep 0.5
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	ok "SIG$sig: exits $want (got $rc)" test $rc -eq $want
done

# refused ARGS... -- MESSAGE: status 2 and the message on stderr
refused() {
	local want=${*: -1} rc
	"$SQN" run "${@:1:$#-1}" 2>"$TMP/err" >/dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -qF -- "$want" "$TMP/err" || { diag "rc $rc: $(cat "$TMP/err")"; return 1; }
}
ok "unknown mode: status 2 and a message" refused --mode nosuch -- true "--mode 'nosuch' is unknown"
bad_options() {
	refused --mtu 12 -- true "--mtu '12' is not a number from 68 to 65535" &&
	refused --mode tap -- true "needs --tap NAME" &&
	refused --mode loopback "no command" &&
	refused --mac 01:00:5e:00:00:01 -- true "is a multicast address" &&
	refused --guest-addr 10.0.0.1 -- true "--guest-addr '10.0.0.1' is not an IPv4 address with a prefix" &&
	refused --mode loopback --offload -- true "--offload needs --mode tap or slirp" &&
	refused --bogus -- true "unknown option '--bogus'"
}
ok "each bad option has its own message" bad_options

# Without root: a user namespace. /dev/net/tun may be 0600 on this host
# (Debian ships 0666): a private mount namespace gives the test a 0666 node.
mknod "$TMP/tun" c 10 200 && chmod 666 "$TMP/tun"
as_nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups env LD_LIBRARY_PATH="$SQN_BUILD_DIR/src" "$@"; }
out=$(unshare -m --propagation private bash -c 'mount --bind "$1" /dev/net/tun && shift && setpriv --reuid 65534 --regid 65534 --clear-groups "$@"' \
	sh "$TMP/tun" "$SQN" run --mode loopback --guest-addr 10.77.0.9/24 -- sh -c 'id -u; ip -4 -o addr show eth0' 2>&1)
diag "$(echo "$out" | tr '\n' ' ')"
ok "not root: runs in a user namespace (uid 0 inside, address set)" sh -c "echo '$out' | head -1 | grep -qx 0 && echo '$out' | grep -q 10.77.0.9/24"
mode=$(stat -c %a /dev/net/tun)
if [ "$mode" = 666 ]; then
	ok "not root, tun 0666: works without a private node" as_nobody "$SQN" run --mode loopback --no-dhcp -- true
else
	as_nobody "$SQN" run --mode loopback --no-dhcp -- true 2>"$TMP/err"
	ok "not root, tun $mode: says exactly what is missing" grep -qF "its mode is 0$mode: without root it must be 0666" "$TMP/err"
fi

# the namespace dies with the command, even if the command left a child
nsid=$("$SQN" run --mode loopback --no-dhcp -- sh -c 'sleep 60 & readlink /proc/self/ns/net')
sleep 0.3
diag "namespace $nsid: $(ns_users "$nsid") processes left"
ok "no process (so no namespace) left behind" test "$(ns_users "$nsid")" -eq 0
finish
