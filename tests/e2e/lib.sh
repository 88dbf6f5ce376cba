#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# lib.sh - shared helpers for the end-to-end tests of squib-net run
#
# A test sources this, calls `plan N`, then `ok COND-EXIT-CODE "name"`
# style checks. Everything a test starts is recorded and removed by the EXIT
# trap, even when the test fails. Traffic stays on this machine: servers
# listen on the host's loopback, namespaces are squib-net's own.

set -u

# No test may send a DNS query to a real resolver: the whole script runs in
# a private mount namespace whose /etc/resolv.conf names the test's own DNS
# address on the loopback (answered only while dns_start runs, refused
# otherwise), so a stray lookup (Python's getfqdn(), a resolver inside a
# namespace that kept the host's resolv.conf, a backend forwarding DNS)
# stays on this machine. SQNT_DNS_GUARDED says this is done.
#
# The test's DNS address: one of this process's own on the loopback (the
# pid survives the exec below), so tests running at once don't clash.
TEST_DNS_ADDR=127.77.$((($$ >> 8) % 256)).$(($$ % 254 + 1))
if [ -z "${SQNT_DNS_GUARDED:-}" ] && [ "$(id -u)" -eq 0 ] && [ -e /etc/resolv.conf ]; then
	export SQNT_DNS_GUARDED=1
	_g=$(mktemp /tmp/sqnt-resolv-XXXXXX)
	echo "nameserver $TEST_DNS_ADDR" >"$_g" && chmod 644 "$_g"
	export SQNT_DNS_GUARD_FILE=$_g # removed by _cleanup (kept while mounted:
	# a bind mount over a deleted file cannot be mounted over again)
	exec unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/resolv.conf || { rm -f "$1"
			echo "1..1"; echo "not ok 1 - cannot bind a test resolv.conf on /etc/resolv.conf"; exit 1; }
		 shift; exec bash "$@"' sh "$_g" "$0" "$@"
fi

: "${SQN_BUILD_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
SQN=${SQN:-$SQN_BUILD_DIR/cli/squib-net}
TMP=$(mktemp -d /tmp/sqnt-e2e-XXXXXX)
chmod 755 "$TMP"
_pids=()
_n=0
_failed=0
_cleanups=()

cleanup_add() { _cleanups+=("$*"); }

# descendants PID: every process below PID, deepest first
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1"); do descendants "$c"; echo "$c"; done
}

_cleanup() {
	local p c
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	# anything a test started and lost track of (our descendants only)
	for p in $(descendants $$); do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${_pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
	[ -n "${SQNT_DNS_GUARD_FILE:-}" ] && rm -f "$SQNT_DNS_GUARD_FILE"
}
trap _cleanup EXIT

plan() { echo "1..$1"; }

# ok NAME CMD...: run CMD, pass if it exits 0
ok() {
	local name=$1; shift
	_n=$((_n + 1))
	if "$@"; then echo "ok $_n - $name"; else echo "not ok $_n - $name"; _failed=1; fi
}

# skip_all WHY: skip (a failure under CI=true)
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"; echo "not ok 1 - skipped under CI=true, which is a failure: $1"; exit 1
	fi
	echo "1..0 # SKIP $1"; exit 0
}

require_root() { [ "$(id -u)" -eq 0 ] || skip_all "needs root"; }
require_cmd() { command -v "$1" >/dev/null || skip_all "needs $1"; }

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

finish() { exit $_failed; }

# User nobody (uid and gid 65534) may be unable to reach the build tree: a
# clone in root's home or under a `mktemp -d` directory (0700) is out of its
# reach. What a test runs as nobody is therefore copied into $TMP/nobody
# first (0755, under /tmp), with the shared library it loads; _cleanup
# removes it with $TMP.
NOBODY_DIR=$TMP/nobody

# nobody_copy FILE: copy FILE (a program of the build tree) where nobody
# can run it; prints the copy's path
nobody_copy() {
	local lib=$SQN_BUILD_DIR/src/libsquibnet.so.0
	if [ ! -d "$NOBODY_DIR" ]; then
		mkdir -m 755 "$NOBODY_DIR" || return 1
		if [ -e "$lib" ]; then cp -L "$lib" "$NOBODY_DIR/" || return 1; fi
	fi
	cp -L "$1" "$NOBODY_DIR/" && chmod 755 "$NOBODY_DIR/${1##*/}" &&
		echo "$NOBODY_DIR/${1##*/}"
}

# as_nobody CMD...: run CMD as nobody, no supplementary groups, from /, with
# the copies of nobody_copy (and their shared library) found first
as_nobody() {
	(cd / && setpriv --reuid 65534 --regid 65534 --clear-groups \
		env LD_LIBRARY_PATH="$NOBODY_DIR" "$@")
}

# bg CMD...: start CMD in the background, remember its pid
bg() { "$@" & _pids+=($!); }

# free_port: a TCP port nobody listens on, from the ephemeral range
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# HTTP_PY ADDR PORT DIR: a static file server. Not `python3 -m http.server`:
# its server_bind() calls socket.getfqdn(ADDR), a reverse DNS lookup. It
# binds with IP_FREEBIND (15), so ADDR may be one that appears later (a
# TAP's address, made by squib-net run). An ADDR with a colon is IPv6; "::"
# takes IPv4 too.
HTTP_PY='import functools, http.server, socket, socketserver, sys
class S(http.server.ThreadingHTTPServer):
    daemon_threads = True
    address_family = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
    def server_bind(self):
        self.socket.setsockopt(socket.SOL_IP, 15, 1)
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)  # no getfqdn()
        self.server_name, self.server_port = self.server_address[:2]
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
S((sys.argv[1], int(sys.argv[2])), functools.partial(H, directory=sys.argv[3])).serve_forever()'

# listening ADDR PORT: a TCP socket listens on ADDR:PORT (within 5 s)
listening() {
	local i a=$1
	case $a in *:*) a="[$a]" ;; esac
	for i in $(seq 50); do
		ss -Hltn "src $a:$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# http_serve DIR PORT [ADDR]: a static file server on the host (ADDR may
# not exist yet); returns once it listens
http_serve() {
	bg python3 -c "$HTTP_PY" "${3:-127.0.0.1}" "$2" "$1" >/dev/null 2>&1
	listening "${3:-127.0.0.1}" "$2"
}

# make_blob FILE MIB: random data
make_blob() { head -c $(($2 * 1048576)) /dev/urandom >"$1"; }

# wait_port ADDR PORT: until something listens
wait_port() {
	local i
	for i in $(seq 100); do
		(exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# in_run ARGS... -- CMD: squib-net run, output to $TMP/out, status to $?
BUSYBOX=$(command -v busybox || true)

# Test DNS: a server of ours on a loopback address, and a private mount
# namespace whose resolv.conf names it, so a backend that forwards DNS to
# "the host's resolver" reaches ours and nothing else.
TEST_DNS_NAME=squib.test
TEST_DNS_ANSWER=10.9.8.7
dns_start() {
	bg python3 "$(dirname "${BASH_SOURCE[0]}")/dns_server.py" "$TEST_DNS_ADDR" 53 \
		"$TEST_DNS_NAME" "$TEST_DNS_ANSWER" "$TMP/dns.log"
	echo "nameserver $TEST_DNS_ADDR" >"$TMP/resolv.conf"
	touch "$TMP/dns.log"
	sleep 0.3
}
# with_test_dns CMD...: CMD with /etc/resolv.conf naming the test server
with_test_dns() {
	unshare -m --propagation private sh -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' \
		sh "$TMP/resolv.conf" "$@"
}

# fetch_sha URL: inside the namespace, the SHA-256 of what URL serves
# (no proxy from the environment: straight to URL; optional timeout in s)
FETCH_PY='import hashlib,sys,urllib.request; o=urllib.request.build_opener(urllib.request.ProxyHandler({})); print(hashlib.sha256(o.open(sys.argv[1], timeout=float(sys.argv[2]) if len(sys.argv) > 2 else 60).read()).hexdigest())'

# WAIT_PY ADDR PORT: until a TCP server there accepts (at most 10 s)
WAIT_PY='import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()
        break
    except OSError:
        time.sleep(0.05)'

# sink_serve ADDR PORT OUT: accept one TCP connection, write the SHA-256 of
# everything received to OUT (what the namespace uploads)
sink_serve() {
	bg python3 -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1)
c, _ = s.accept(); h = hashlib.sha256()
while True:
    b = c.recv(1 << 20)
    if not b: break
    h.update(b)
open(sys.argv[3], "w").write(h.hexdigest() + "\n")' "$1" "$2" "$3"
	local i # listening? (a test connection would be the one it accepts)
	for i in $(seq 50); do
		ss -Hltn "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
# SEND_PY: inside the namespace, send FILE to ADDR:PORT
SEND_PY='import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60); s.sendall(open(sys.argv[3],"rb").read()); s.close()'

# ---- squib-net serve ----
# serve_start LOG ARGS...: squib-net serve ARGS in the background, its pid
# in SERVE_PID; returns once it listens (within 5 s), 1 if it failed
serve_start() {
	local log=$1 i
	shift
	"$SQN" serve "$@" 2>"$log" &
	SERVE_PID=$!
	_pids+=($SERVE_PID)
	for i in $(seq 100); do
		grep -q "serve: listening on" "$log" && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# serve_stats LOG: SIGUSR1 to serve; returns once its statistics are in LOG
serve_stats() {
	local n i
	n=$(grep -c "stats: network" "$1")
	kill -USR1 "$SERVE_PID" || return 1
	for i in $(seq 100); do
		[ "$(grep -c "stats: network" "$1")" -gt "$n" ] && return 0
		sleep 0.05
	done
	return 1
}

# stat_get LOG WHAT KEY: KEY's number on the last statistics line of LOG
# that contains WHAT ("network", "mac=02:00:00:00:00:01", "port=0 ")
stat_get() {
	grep "serve: stats: .*$2" "$1" | tail -1 | sed -n "s/.* $3=\([0-9]*\).*/\1/p"
}

# stat_balanced LOG WHAT: every frame the switch sent the port is written,
# queued, or dropped and counted: fwd_frames + gso_extra (segments added by
# cutting GSO frames for it) = out_frames + queued + drop_queue +
# drop_error + lost
stat_balanced() {
	local f o q d e l x
	f=$(stat_get "$1" "$2" fwd_frames) o=$(stat_get "$1" "$2" out_frames)
	q=$(stat_get "$1" "$2" queued) d=$(stat_get "$1" "$2" drop_queue)
	e=$(stat_get "$1" "$2" drop_error) l=$(stat_get "$1" "$2" lost)
	x=$(stat_get "$1" "$2" gso_extra)
	[ -n "$f" ] && [ $((f + ${x:-0})) -eq $((o + q + d + e + l)) ]
}

# mbps JSON: the receiver's rate of an iperf3 -J run, in Mbit/s
mbps() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))' "$1" 2>/dev/null || echo 0
}
# within V LO HI: LO <= V <= HI (decimals)
within() { python3 -c 'import sys; v,lo,hi=map(float,sys.argv[1:]); sys.exit(not lo <= v <= hi)' "$1" "$2" "$3"; }

# wait_file FILE [TENTHS]: until FILE exists (default 30 s)
wait_file() {
	local i
	for i in $(seq "${2:-300}"); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
