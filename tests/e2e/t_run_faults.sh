#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_faults.sh - squib-net run under faults, during traffic: killed with
# SIGKILL (slirp, userspace/passt, socket/unix to a passt of ours,
# socket/unixgram, tap), and interrupted with SIGINT and SIGTERM (slirp,
# passt, socket/unix, tap). Afterwards: no child process of run (each found
# by pid as a child of the run process before the signal: the namespace's
# process, the passt child), no namespace (its inode, read from inside, held
# by no process), no TAP left in the host namespace, no socket file run
# made; SIGINT/SIGTERM exit 130/143.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd passt
require_cmd python3
"$SQN" probe | grep -q '^  userspace' || skip_all "no userspace backend in this build"
"$SQN" probe | grep -q '^  tap *yes' || skip_all "no tap backend in this build"
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"
plan 62

# passt gets explicit addresses; the namespace's resolv.conf names its own
# loopback (--dns 127.0.0.1), so no lookup inside can go through passt to
# the DNS address it hands out (which it would send off this machine)
PASST_NET=(-a 10.0.2.15 -n 24 -g 10.0.2.2 --dns 10.0.2.3)
passt_args=(--dns 127.0.0.1)
for a in "${PASST_NET[@]}"; do passt_args+=(--helper-arg "$a"); done

# A 10 MiB file served on the host's loopback (the gateway of slirp and
# passt reaches it) and on the tap case's host address (bound before the
# TAP exists: IP_FREEBIND); the command fetches it in a loop.
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 10
port=$(free_port)
http_serve "$TMP/www" "$port" || skip_all "cannot start the HTTP server"
n=$(( $$ % 200 + 20 ))
tap=sqf$$
host=10.98.$n.1 guest=10.98.$n.2
cleanup_add "ip link del $tap"
http_serve "$TMP/www" "$port" "$host" || skip_all "cannot start the HTTP server on $host"

# processes holding network namespace $1 (e.g. "net:[4026532890]")
ns_users() { ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -cF "$1"; }
alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
# gone PID / ns_gone NSID: the process / namespace is gone within 3 s
gone() { local i; [ -n "$1" ] || return 1; for i in $(seq 30); do alive "$1" || return 0; sleep 0.1; done; return 1; }
ns_gone() {
	local i p
	[ -n "$1" ] || return 1
	for i in $(seq 30); do [ "$(ns_users "$1")" -eq 0 ] && return 0; sleep 0.1; done
	for p in $(ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -F "$1" | sed 's|.*/proc/\([0-9]*\)/.*|\1|'); do
		diag "still in $1: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) (killed now)"
		kill -KILL "$p" 2>/dev/null # ours: it runs in our test's namespace
	done
	return 1
}

# start_run NAME ARGS... -- : squib-net run fetching in a loop; sets
# $run (its pid), $nsid (the namespace, read from inside), $kids (run's
# child processes), $helper (the passt child's pid, or empty); waits until
# bytes flowed
start_run() {
	local name=$1 i; shift
	rm -f "$TMP/ns" "$TMP/got"
	"$SQN" run "$@" -- sh -c \
		"readlink /proc/self/ns/net >$TMP/ns.tmp; mv $TMP/ns.tmp $TMP/ns
		 while :; do python3 -c '$FETCH_PY' http://\$SQNT_HOST:$port/blob >>$TMP/got; done" \
		>/dev/null 2>"$TMP/$name.err" &
	run=$!
	for i in $(seq 100); do [ -s "$TMP/ns" ] && [ -s "$TMP/got" ] && break; sleep 0.1; done
	nsid=$(cat "$TMP/ns" 2>/dev/null)
	kids=$(ps -o pid= --ppid "$run" | tr -s ' \n' ' ')
	helper=$(ps -o pid=,comm= --ppid "$run" | awk '$2 ~ /^passt/ { print $1 }')
	diag "$name: run $run, children ${kids:-none}, namespace $nsid, passt ${helper:-none}, $(wc -l <"$TMP/got" 2>/dev/null) transfers done"
}

# all_gone PIDS: every one of them is gone within 3 s
all_gone() {
	local p
	[ -n "$(echo $1)" ] || return 1
	for p in $1; do gone "$p" || { diag "still alive: $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; return 1; }; done
}

# checks NAME: the common after-checks. The command runs under the init of
# its own PID namespace, so whatever it started dies with it and nothing
# holds the network namespace.
checks() {
	local name=$1
	ok "$name: traffic was flowing" test -s "$TMP/got"
	ok "$name: no child of run is left (${kids:-none found})" all_gone "$kids"
	ok "$name: the namespace is gone ($nsid)" ns_gone "$nsid"
	if [ -n "${want_helper:-}" ]; then
		ok "$name: the passt child (${helper:-not found}) is gone" gone "$helper"
	fi
}

# signal_run NAME SIG: send SIG to run; for INT/TERM, check the status
signal_run() {
	local rc want
	kill -"$2" "$run"; wait "$run" 2>/dev/null; rc=$?
	if [ "$2" != KILL ]; then
		want=$((128 + $(kill -l "$2")))
		ok "$1: exits $want (got $rc)" test $rc -eq $want
	fi
}

# 1. slirp (the default mode): SIGKILL, SIGINT, SIGTERM during a transfer
export SQNT_HOST=10.0.2.2
for sig in KILL INT TERM; do
	start_run "slirp-$sig"
	signal_run "slirp, SIG$sig" $sig
	checks "slirp, SIG$sig"
done

# 2. userspace/passt: SIGKILL (the passt child dies too: parent-death
# signal), SIGINT and SIGTERM during traffic
want_helper=1
for sig in KILL INT TERM; do
	start_run "passt-$sig" --mode userspace --helper passt --mtu 65520 "${passt_args[@]}"
	signal_run "passt, SIG$sig" $sig
	checks "passt, SIG$sig"
done
want_helper=

# 3. socket/unix to a passt --socket of ours (one-off: it exits when our
# connection closes): SIGKILL, SIGINT, SIGTERM. run connects, it makes no
# socket file: none appears in its XDG_RUNTIME_DIR or as /tmp/squibnet-PID-*
mkdir -m 700 "$TMP/xdg-unix"
for sig in KILL INT TERM; do
	sock=$TMP/passt-$sig.sock
	bg passt -f --runas 0 --socket "$sock" -m 65520 "${PASST_NET[@]}" -1 >"$TMP/passt-$sig.log" 2>&1
	peer=$!
	for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	XDG_RUNTIME_DIR=$TMP/xdg-unix start_run "unix-$sig" --mode socket --connect "unix://$sock" --dns 127.0.0.1
	signal_run "socket unix, SIG$sig" $sig
	checks "socket unix, SIG$sig"
	ok "socket unix, SIG$sig: our passt saw the connection close and exited" gone "$peer"
	left=$(echo $(find "$TMP/xdg-unix" -mindepth 1) $(ls -d /tmp/squibnet-"$run"-* 2>/dev/null))
	ok "socket unix, SIG$sig: run left no socket file (${left:-nothing} left)" test -z "$left"
done

# 4. tap: SIGKILL, SIGINT, SIGTERM during a transfer from the host address
export SQNT_HOST=$host
tap_args=(--mode tap --tap "$tap" --host-addr "$host/24" --guest-addr "$guest/24")
for sig in KILL INT TERM; do
	start_run "tap-$sig" "${tap_args[@]}"
	signal_run "tap, SIG$sig" $sig
	checks "tap, SIG$sig"
	ok "tap, SIG$sig: no TAP $tap left in the host namespace" sh -c "sleep 0.2; ! ip link show $tap >/dev/null 2>&1"
done

# 5. socket/unixgram (vfkit protocol) to a server of ours: SIGKILL. On
# Linux the library binds its own end to an abstract address: no file in
# XDG_RUNTIME_DIR, ever (elsewhere a 0600 file in a 0700 directory).
export SQNT_HOST=10.77.0.1
mkdir -m 700 "$TMP/xdg"
cat >"$TMP/vfkit.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
while True:
    s.recvfrom(65536)  # a sink: frames go nowhere
PY
bg python3 "$TMP/vfkit.py" "$TMP/vfkit.sock"
for i in $(seq 50); do [ -S "$TMP/vfkit.sock" ] && break; sleep 0.1; done
XDG_RUNTIME_DIR=$TMP/xdg "$SQN" run --mode socket --connect "unixgram://$TMP/vfkit.sock" \
	--guest-addr 10.77.0.5/24 -- sh -c \
	"readlink /proc/self/ns/net >$TMP/ns2; ip neigh replace 10.77.0.1 lladdr 02:00:00:00:00:01 dev eth0;
	 python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True: s.sendto(bytes(1400), (\"10.77.0.1\", 9))'" >/dev/null 2>"$TMP/sock.err" &
run=$!
for i in $(seq 50); do [ -s "$TMP/ns2" ] && break; sleep 0.1; done
sleep 0.5
nsid=$(cat "$TMP/ns2" 2>/dev/null)
kids=$(ps -o pid= --ppid "$run" | tr -s ' \n' ' ')
own=$(find "$TMP/xdg" -type s | head -1)
diag "unixgram: run $run, namespace $nsid, our socket ${own:-none}"
ok "unixgram: our end has no socket file (abstract address)" test -z "$own"
kill -KILL "$run"; wait "$run" 2>/dev/null
ok "unixgram, SIGKILL: no child of run is left (${kids:-none found})" all_gone "$kids"
ok "unixgram, SIGKILL: the namespace is gone ($nsid)" ns_gone "$nsid"
left=$(find "$TMP/xdg" -mindepth 1 | tr '\n' ' ')
diag "unixgram, SIGKILL: left in XDG_RUNTIME_DIR: ${left:-nothing}"
# A SIGKILLed process cannot remove files: with an abstract address there
# are none to remove.
ok "unixgram, SIGKILL: nothing is left in XDG_RUNTIME_DIR" test -z "$left"
XDG_RUNTIME_DIR=$TMP/xdg "$SQN" run --mode socket --connect "unixgram://$TMP/vfkit.sock" \
	--guest-addr 10.77.0.5/24 -- true 2>>"$TMP/sock.err"
left=$(find "$TMP/xdg" -mindepth 1 | tr '\n' ' ')
ok "unixgram: the next start (and its stop) leave no socket file (${left:-nothing} left)" test -z "$left"
ok "unixgram, SIGKILL: the server's socket is still the only other file" test -S "$TMP/vfkit.sock"
finish
