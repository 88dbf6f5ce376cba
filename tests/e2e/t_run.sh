#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run.sh - squib-net run itself, over the loopback backend: the command
# runs in its own namespace with only lo and the TAP, its status comes back,
# signals are forwarded and answered with the conventional status, bad
# options get their own messages, and nothing is left behind.
. "$(dirname "$0")/lib.sh"
require_root
plan 19

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

# gone_within PID: the process is gone (or a zombie) within 3 s
gone_within() {
	local i
	for i in $(seq 30); do
		[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}
# ns_gone_within NSID: no process holds the namespace within 3 s
ns_gone_within() {
	local i
	for i in $(seq 30); do [ "$(ns_users "$1")" -eq 0 ] && return 0; sleep 0.1; done
	return 1
}
# SIGINT, SIGTERM (the conventional status) and SIGKILL of run: its
# children (found by pid before the signal) and the namespace are gone
for sig in INT TERM KILL; do
	rm -f "$TMP/ns"
	"$SQN" run --mode loopback --no-dhcp -- sh -c "readlink /proc/self/ns/net >$TMP/ns.tmp; mv $TMP/ns.tmp $TMP/ns; sleep 30" &
	pid=$!
	for i in $(seq 50); do [ -s "$TMP/ns" ] && break; sleep 0.1; done
	nsid=$(cat "$TMP/ns" 2>/dev/null)
	kids=$(echo $(ps -o pid= --ppid $pid))
	kill -$sig $pid
	wait $pid 2>/dev/null
	rc=$?
	if [ $sig != KILL ]; then
		want=$((128 + $(kill -l $sig)))
		ok "SIG$sig: exits $want (got $rc)" test $rc -eq $want
	fi
	kids_gone() { local k; [ -n "$(echo $kids)" ] || return 1; for k in $kids; do gone_within $k || return 1; done; }
	ok "SIG$sig: no child of run left (${kids:-none found})" kids_gone
	ns_check() { [ -n "$nsid" ] && ns_gone_within "$nsid"; }
	ok "SIG$sig: the namespace is gone (${nsid:-not read})" ns_check
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
	refused --mode loopback --offload -- true "--offload needs --mode socket, tap or slirp" &&
	refused --mode loopback -p tcp::8080-:80 -- true "-p/--publish is for --mode slirp: mode loopback would ignore it" &&
	refused --mode slirp --helper-arg -4 -- true "--helper-arg is for --mode userspace: mode slirp would ignore it" &&
	refused --bogus -- true "unknown option '--bogus'"
}
ok "each bad option has its own message" bad_options

# warnings are shown by default, so a normal run must have none to show:
# the default mode (slirp here), its DHCP, a command, the end
"$SQN" run -- true 2>"$TMP/err"
rc=$?
diag "a normal run: rc $rc, stderr: $(tr '\n' '|' <"$TMP/err")"
ok "a normal run prints nothing on stderr (rc $rc)" eval '[ $rc -eq 0 ] && ! [ -s "$TMP/err" ]'

# a start that fails is said once: run's own message, not also the log's
"$SQN" run --mode socket --connect "unix://$TMP/nobody-listens.sock" -- true 2>"$TMP/err"
rc=$?
diag "failed start: rc $rc, stderr: $(tr '\n' '|' <"$TMP/err")"
ok "a failed start is printed once (rc $rc)" eval '[ $rc -eq 125 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	grep -q "run: cannot start socket mode: .*nobody-listens.sock: No such file" "$TMP/err"'

# Without root: a user namespace. /dev/net/tun may be 0600 on this host
# (Debian ships 0666): a private mount namespace gives the test a 0666 node.
# nobody runs a copy of squib-net it can reach (lib.sh: nobody_copy).
mknod "$TMP/tun" c 10 200 && chmod 666 "$TMP/tun"
nsqn=$(nobody_copy "$SQN") || nsqn="(no copy of $SQN for nobody)"
out=$(unshare -m --propagation private bash -c 'mount --bind "$1" /dev/net/tun && cd / &&
	exec setpriv --reuid 65534 --regid 65534 --clear-groups env LD_LIBRARY_PATH="$2" "${@:3}"' \
	sh "$TMP/tun" "$NOBODY_DIR" "$nsqn" run --mode loopback --guest-addr 10.77.0.9/24 -- sh -c 'id -u; ip -4 -o addr show eth0' 2>&1)
diag "$(echo "$out" | tr '\n' ' ')"
ok "not root: runs in a user namespace (uid 0 inside, address set)" sh -c "echo '$out' | head -1 | grep -qx 0 && echo '$out' | grep -q 10.77.0.9/24"
mode=$(stat -c %a /dev/net/tun)
if [ "$mode" = 666 ]; then
	ok "not root, tun 0666: works without a private node" as_nobody "$nsqn" run --mode loopback --no-dhcp -- true
else
	as_nobody "$nsqn" run --mode loopback --no-dhcp -- true 2>"$TMP/err"
	ok "not root, tun $mode: says exactly what is missing" grep -qF "its mode is 0$mode: without root it must be 0666" "$TMP/err"
fi

# the namespace dies with the command, even if the command left a child
nsid=$("$SQN" run --mode loopback --no-dhcp -- sh -c 'sleep 60 & readlink /proc/self/ns/net')
sleep 0.3
diag "namespace $nsid: $(ns_users "$nsid") processes left"
ok "no process (so no namespace) left behind" test "$(ns_users "$nsid")" -eq 0
finish
