#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_guest_fd.sh - squib-net run --guest-fd N: no namespace, the command
# gets the guest's NIC as a SOCK_DGRAM socket on fd N, one frame per
# datagram, relayed through the same relay as the TAP path. tests/fd_guest
# is that guest: it does its own DHCP, ARP and ping through the frames.
#
# Usage: t_run_guest_fd.sh FD_GUEST          slirp, loopback and tap modes
#	 t_run_guest_fd.sh FD_GUEST posix     the same, $SQN being squib-net
#					      as macOS builds it (self-pipe
#					      signals, no namespaces)
#	 t_run_guest_fd.sh FD_GUEST shared    vmnet shared mode (against the
#					      simulator in a -Dvmnet_sim build)
# Needs no root; as root it also runs the guest as nobody.
. "$(dirname "$0")/lib.sh"
GUEST=${1:?usage: t_run_guest_fd.sh FD_GUEST [shared]}

# has OUT TEXT: OUT contains TEXT (and says what it was when not)
has() { grep -qF -- "$2" <<<"$1" || { diag "wanted '$2' in: $(tr '\n' '|' <<<"$1")"; return 1; }; }

if [ "${2:-}" = shared ]; then
	"$SQN" probe | grep -q '^  shared *yes' || skip_all "this build has no (simulated) vmnet"
	plan 3
	out=$("$SQN" run --mode shared --guest-fd 3 -- "$GUEST" 3 net 2>&1)
	rc=$?
	diag "shared: $(tr '\n' '|' <<<"$out")"
	ok "shared: the guest exits 0 and run passes it on (rc $rc)" test $rc -eq 0
	ok "shared: DHCP address from the simulated vmnet" grep -Eq '^dhcp: 192\.168\.64\.[0-9]+/24 router 192\.168\.64\.1$' <<<"$out"
	ok "shared: the gateway answers ARP and 3 pings" \
		eval 'has "$out" "arp: 192.168.64.1 is at" && has "$out" "ping: 3 of 3 answered"'
	finish
fi

posix=0
[ "${2:-}" = posix ] && posix=1
plan $((20 + posix))

if [ $posix = 1 ]; then
	"$SQN" run --mode loopback -- true 2>"$TMP/err"
	rc=$?
	diag "without --guest-fd: rc $rc: $(cat "$TMP/err")"
	ok "POSIX build: run without --guest-fd says it needs namespaces and suggests --guest-fd" \
		eval '[ $rc -eq 2 ] && grep -q "needs Linux network namespaces.*use --guest-fd N" "$TMP/err"'
fi

# an fd the test leaves open without close-on-exec: the command must not get it
exec 7>"$TMP/leak"

out=$("$SQN" run --stats --guest-fd 3 -- "$GUEST" 3 net 10.0.2.15 2>&1)
rc=$?
diag "slirp: $(tr '\n' '|' <<<"$out")"
ok "slirp: the guest exits 0 and run passes it on (rc $rc)" test $rc -eq 0
ok "slirp: fd 3 is a SOCK_DGRAM socket, and the only extra fd (fd 7 closed)" \
	eval 'has "$out" "fd 3: SOCK_DGRAM socket" && has "$out" "inherited fds besides 0 1 2 3: none"'
ok "slirp: the guest's own DHCP gets 10.0.2.15/24, router 10.0.2.2" has "$out" "dhcp: 10.0.2.15/24 router 10.0.2.2"
ok "slirp: the gateway answers ARP and 3 pings" \
	eval 'has "$out" "arp: 10.0.2.2 is at 52:55:0a:00:02:02" && has "$out" "ping: 3 of 3 answered"'
ok "slirp: --stats counts the frames" grep -Eq 'squib-net: eth0 \(slirp\): rx [1-9][0-9]* frames .* tx [1-9][0-9]* frames' <<<"$out"

out=$("$SQN" run --mode loopback --guest-fd 5 -- "$GUEST" 5 echo 2>&1)
rc=$?
diag "loopback: $(tr '\n' '|' <<<"$out")"
ok "loopback, fd 5: 60, 1000 and 1514-byte frames come back byte-exact (rc $rc)" \
	eval '[ $rc -eq 0 ] && has "$out" "fd 5: SOCK_DGRAM socket" && has "$out" "echo: 1514 bytes came back byte-exact"'

out=$("$SQN" run --stats --mode loopback --guest-fd 3 -- "$GUEST" 3 burst 20000 2>&1)
rc=$?
diag "loopback burst: $(tr '\n' '|' <<<"$out")"
ok "loopback: 20000 frames of 1514 bytes, 64 in flight, all come back in order (rc $rc)" \
	eval '[ $rc -eq 0 ] && has "$out" "20000 of 20000 came back in order"'

# slirp's one-thread relay polls for the answers to what the guest sent
# only briefly (150 us, relay_wait_rx()), then sleeps: an idle second after
# DHCP, ARP and pings costs it next to no CPU
"$SQN" run --guest-fd 3 -- \
	sh -c '"$1" 3 net >"$2"; sleep 3' sh "$GUEST" "$TMP/idle.out" &
pid=$!
for i in $(seq 100); do grep -q "^ping: " "$TMP/idle.out" 2>/dev/null && break; sleep 0.1; done
sleep 0.2
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
sleep 1
c1=$(cpu)
wait $pid
rc=$?
diag "idle relay: $((c1 - c0)) clock ticks of CPU in 1 s (rc $rc): $(tr '\n' '|' <"$TMP/idle.out")"
ok "slirp: an idle relay sleeps: under 10 clock ticks of CPU in an idle second (rc $rc)" \
	eval '[ $rc -eq 0 ] && [ -n "$c0" ] && [ -n "$c1" ] && [ $((c1 - c0)) -lt 10 ] &&
	      has "$(cat "$TMP/idle.out")" "ping: 3 of 3 answered"'

# warnings are shown by default: a normal run has none to show
"$SQN" run --mode loopback --guest-fd 3 -- "$GUEST" 3 echo >"$TMP/out" 2>"$TMP/err"
rc=$?
ok "a normal run prints nothing on stderr (rc $rc)" eval '[ $rc -eq 0 ] && ! [ -s "$TMP/err" ] || { diag "stderr: $(cat "$TMP/err")"; false; }'

# frames too large for the MTU: warned about by default, rate-limited (the
# 1st and 2nd of 3, then the 4th, 8th...), and a frame that fits still goes
"$SQN" run --mode loopback --guest-fd 3 -- "$GUEST" 3 oversize 3 >"$TMP/out" 2>"$TMP/err"
rc=$?
diag "oversize: rc $rc, stdout: $(tr '\n' '|' <"$TMP/out") stderr: $(tr '\n' '|' <"$TMP/err")"
ok "oversized guest frames: 2 warnings for 3 frames, without -v (rc $rc)" eval \
	'[ $rc -eq 0 ] && has "$(cat "$TMP/out")" "a 1514-byte one came back" &&
	 [ "$(grep -c "warning: eth0: write: refused a 2000-byte frame: frames are 14 to 1514 bytes" "$TMP/err")" -eq 2 ] &&
	 grep -q "(1 refused so far)" "$TMP/err" && grep -q "(2 refused so far)" "$TMP/err"'

# -v says the guest's MAC, as its frames show it (not squib-net's own)
"$SQN" run -v --mode loopback --guest-fd 3 -- "$GUEST" 3 echo >"$TMP/out" 2>"$TMP/err"
rc=$?
gmac=$(sed -n 's/^mac: //p' "$TMP/out")
diag "guest MAC $gmac; run said: $(grep "MAC" "$TMP/err")"
ok "-v: the guest's MAC is the one its frames carry ($gmac)" eval \
	'[ $rc -eq 0 ] && [ -n "$gmac" ] && grep -qx "squib-net: run: the guest.s MAC is $gmac (its first frame.s source)" "$TMP/err"'

# a start that fails is said once: run's own message, not also the log's
"$SQN" run --mode socket --connect "unix://$TMP/nobody-listens.sock" --guest-fd 3 -- true 2>"$TMP/err"
rc=$?
diag "failed start: rc $rc, stderr: $(tr '\n' '|' <"$TMP/err")"
ok "a failed start is printed once (rc $rc)" eval '[ $rc -eq 125 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
	grep -q "run: cannot start socket mode: .*nobody-listens.sock: No such file" "$TMP/err"'

"$SQN" run --mode loopback --guest-fd 3 -- sh -c 'exit 7'
ok "exit status passes through" test $? -eq 7
"$SQN" run --mode loopback --guest-fd 3 -- /nonexistent/cmd 2>"$TMP/err"
rc=$?
ok "missing command: 127 and a message" eval "[ $rc -eq 127 ] && grep -q \"cannot run '/nonexistent/cmd'\" '$TMP/err'"

for sig in INT TERM; do
	"$SQN" run --mode loopback --guest-fd 3 -- sleep 30 &
	pid=$!
	sleep 0.5
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	ok "SIG$sig is forwarded: exits $want (got $rc)" test $rc -eq $want
done

# run SIGKILLed: its child dies with it (Linux: parent-death signal)
mark=60.$$ # sleep's argument, to find it by
"$SQN" run --mode loopback --guest-fd 3 -- sh -c 'echo $$ >"$1"; exec sleep "$2"' sh "$TMP/cmd.pid" $mark &
pid=$!
for i in $(seq 50); do [ -s "$TMP/cmd.pid" ] && break; sleep 0.1; done
cmd=$(cat "$TMP/cmd.pid")
kill -KILL $pid
wait $pid 2>/dev/null
for i in $(seq 20); do kill -0 "$cmd" 2>/dev/null || break; sleep 0.1; done
left=$(ps -eo pid=,args= | grep -F "sleep $mark" | grep -v grep | tr '\n' ' ')
diag "after SIGKILL of run: command $cmd $(kill -0 "$cmd" 2>/dev/null && echo alive || echo gone); left: ${left:-nothing}"
if [ $posix = 0 ]; then
	ok "run SIGKILLed: its command dies with it, nothing is left" eval '! kill -0 "$cmd" 2>/dev/null && [ -z "$left" ]'
else
	# no parent-death signal in POSIX: the limitation relay_os_posix.c states
	ok "POSIX build: a SIGKILLed run cannot take its command along (it is still there)" kill -0 "$cmd"
	kill "$cmd" 2>/dev/null
fi

# tap mode as the backend: a static guest reaches the host's end of the TAP
if [ $posix = 1 ]; then
	"$SQN" run --mode tap --tap sqnfd$$ --host-addr 10.251.0.1/24 --guest-fd 3 -- true 2>"$TMP/err"
	rc=$?
	ok "POSIX build: tap mode refused (rc $rc), no TAP left" \
		eval '[ $rc -eq 125 ] && ! ip link show sqnfd$$ >/dev/null 2>&1'
elif [ "$(id -u)" -eq 0 ]; then
	tap=sqnfd$$ net=10.251.$(($$ % 250))
	cleanup_add ip link del "$tap"
	out=$("$SQN" run --mode tap --tap $tap --host-addr $net.1/24 --guest-fd 3 -- \
		"$GUEST" 3 static $net.2 $net.1 2>&1)
	rc=$?
	diag "tap: $(tr '\n' '|' <<<"$out")"
	ok "tap backend: the host answers the guest's ARP and pings, and the TAP is gone after (rc $rc)" \
		eval '[ $rc -eq 0 ] && has "$out" "ping: 3 of 3 answered" && ! ip link show $tap >/dev/null 2>&1'
elif [ "${CI:-}" = true ]; then
	ok "tap backend: skipped under CI=true, which is a failure: needs root" false
else
	_n=$((_n + 1))
	echo "ok $_n - tap backend # SKIP needs root to create a TAP"
fi

refused() {
	local want=${*: -1} rc
	"$SQN" run "${@:1:$#-1}" 2>"$TMP/err" >/dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -qF -- "$want" "$TMP/err" || { diag "rc $rc: $(cat "$TMP/err")"; return 1; }
}
bad_options() {
	refused --guest-fd 2 -- true "--guest-fd 2 is CMD's stderr: use 3 or above" &&
	refused --guest-fd 0 -- true "--guest-fd 0 is CMD's stdin" &&
	refused --guest-fd three -- true "--guest-fd 'three' is not a number from 3 to 65535" &&
	refused --guest-fd 3 --ifname eth1 -- true "--ifname does not apply with --guest-fd" &&
	refused --guest-addr 10.0.2.9/24 --guest-fd 3 -- true "--guest-addr does not apply with --guest-fd" &&
	refused --guest-fd 3 --no-dhcp -- true "--no-dhcp does not apply with --guest-fd" &&
	refused --guest-fd 3 --dns 10.0.2.3 -- true "--dns does not apply with --guest-fd" &&
	refused --guest-fd 3 --offload -- true "--offload does not apply with --guest-fd" &&
	# an option's value that looks like a refused option is a value
	"$SQN" run --guest-fd 3 --dns-search --no-dhcp -- true
}
ok "options without meaning for --guest-fd are refused, each with its message" bad_options

if [ "$(id -u)" -eq 0 ]; then
	# copies nobody can reach (lib.sh: nobody_copy)
	nsqn=$(nobody_copy "$SQN") && nguest=$(nobody_copy "$GUEST")
	out=$(as_nobody "$nsqn" run --guest-fd 3 -- \
		sh -c 'id -u; exec "$@"' sh "$nguest" 3 net 10.0.2.15 2>&1)
	rc=$?
	diag "as nobody: $(tr '\n' '|' <<<"$out")"
	ok "not root (nobody): DHCP, ARP and ping work all the same (rc $rc)" \
		eval '[ $rc -eq 0 ] && [ "$(head -1 <<<"$out")" = 65534 ] && has "$out" "ping: 3 of 3 answered"'
else
	out=$("$SQN" run --guest-fd 3 -- "$GUEST" 3 net 10.0.2.15 2>&1)
	ok "not root ($(id -u)): DHCP, ARP and ping work" has "$out" "ping: 3 of 3 answered"
fi
finish
