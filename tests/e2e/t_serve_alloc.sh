#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve_alloc.sh - squib-net serve allocates nothing per frame
#
# Usage: t_serve_alloc.sh ALLOC_SHIM.so
#
# Two runs of serve (--mode none) under an LD_PRELOAD that counts heap
# allocations (tests/alloc_shim.c), with the same three clients (stream,
# datagram, seqpacket) each sending frames round the ring A -> B -> C -> A:
# 10 frames each in the first run, 5 000 in the second. Everything else is
# the same, so the counts are equal if and only if nothing is allocated per
# frame. No root needed.
. "$(dirname "$0")/lib.sh"
SHIM=$1
[ -f "$SHIM" ] || skip_all "no allocation shim at $SHIM"
plan 3

cat >"$TMP/ring.py" <<'PY'
import os, socket, struct, sys, time
d, n = sys.argv[1], int(sys.argv[2])
def frame(dst, src):
    return bytes(dst) + bytes(src) + b"\x08\x00" + bytes(1000)
A, B, C = [2, 0, 0, 0, 8, 1], [2, 0, 0, 0, 8, 2], [2, 0, 0, 0, 8, 3]
a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); a.connect(d + "/s.sock")
b = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
b.bind("\0sqnt-alloc-%d" % os.getpid()); b.connect(d + "/g.sock"); b.send(b"VFKT")
c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); c.connect(d + "/p.sock")
def send(who, f):
    if who is a:
        a.sendall(struct.pack(">I", len(f)) + f)
    else:
        who.send(f)
for s, m in ((a, A), (b, B), (c, C)):       # say who each is
    send(s, frame([255] * 6, m))
time.sleep(0.3)
def drain():
    for s in (a, b, c):
        try:
            while s.recv(1 << 16, socket.MSG_DONTWAIT):
                pass
        except BlockingIOError:
            pass
for i in range(n):
    send(a, frame(B, A)); send(b, frame(C, B)); send(c, frame(A, C))
    if i % 16 == 0:
        time.sleep(0.001)
        drain()
time.sleep(0.3)
drain()
print("done")
PY

run_counted() { # run_counted N: serve's allocations with N frames each
	local d=$TMP/run$1 pid
	mkdir -p "$d"
	SQN_ALLOC_COUNT=$d/count LD_PRELOAD=$SHIM "$SQN" serve --mode none \
		--listen "unix://$d/s.sock" --listen "unixgram://$d/g.sock" \
		--listen "unixpacket://$d/p.sock" --stats 2>"$d/log" &
	pid=$!
	_pids+=($pid)
	for _ in $(seq 100); do grep -q "listening on" "$d/log" && break; sleep 0.05; done
	python3 "$TMP/ring.py" "$d" "$1" >/dev/null
	kill -TERM "$pid"
	wait "$pid"
	diag "$1 frames each: $(cat "$d/count" 2>/dev/null) allocations; $(grep 'stats: network' "$d/log" | grep -o ' switched=[0-9]*')"
	cat "$d/count" 2>/dev/null
}
c1=$(run_counted 10 | tail -1)
c2=$(run_counted 5000 | tail -1)
sw=$(grep 'stats: network' "$TMP/run5000/log" | sed -n 's/.* switched=\([0-9]*\).*/\1/p')
ok "serve counted its allocations both times ($c1, $c2)" sh -c "[ -n '$c1' ] && [ -n '$c2' ]"
ok "the second run switched 15 000 frames more ($sw)" test "${sw:-0}" -ge 15000
ok "the same allocations for 30 and 15 003 frames: none per frame ($c1 = $c2)" test "$c1" = "$c2"
finish
