#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve_faults.sh - squib-net serve when its clients misbehave or die
#
# 1. A client SIGSTOPped while it is flooded and the others transfer: the
#    others finish byte-exact, the stopped one's drops are counted.
# 2. A client SIGKILLed: its port and its MAC are gone at once.
# 3. Garbage lengths (0, 13, 70000) reset those stream ports, counted; a
#    runt datagram is dropped and counted; the others carry on.
# 4. 65 clients: 64 ports, the 65th is told why it is refused.
# 5. serve SIGKILLed: only its socket files stay; restarted on the same
#    paths it replaces them, its clients come back by themselves; a second
#    serve on live paths is refused with a message.
# 6. One port floods 1 GiB at a stopped peer: serve's memory grows by less
#    than 32 MiB, every frame is forwarded, queued or counted dropped.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd busybox
plan 16

export HTTP_PY FETCH_PY
mkdir -p "$TMP/www"
make_blob "$TMP/www/big" 16
wantbig=$(sha256sum "$TMP/www/big" | cut -d' ' -f1)

# cl.py: raw clients of serve's sockets, as a misbehaving VMM would be
cat >"$TMP/cl.py" <<'EOF'
import os, socket, struct, sys, time

def frame(dst, src, n=60):
    return bytes(dst) + bytes(src) + b"\x08\x00" + bytes(n - 14)

def mac(last):
    return [2, 0, 0, 0, 9, last]

def stream(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def until(path):
    while not os.path.exists(path):
        time.sleep(0.05)

cmd = sys.argv[1]
if cmd == "garbage":            # garbage PATH LEN: a bad length, then wait
    s = stream(sys.argv[2])     # for serve to close the connection
    s.sendall(struct.pack(">I", int(sys.argv[3])) + bytes(64))
    s.settimeout(10)
    print("closed" if s.recv(100) == b"" else "open")
elif cmd == "runt":             # runt PATH: a 5-byte datagram, then a frame
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind("\0sqnt-runt-%d" % os.getpid())
    s.connect(sys.argv[2])
    s.send(b"VFKT")
    s.send(b"12345")
    s.send(frame([255] * 6, mac(50)))
    until(sys.argv[3])
elif cmd == "many":             # many PATH N DONE: N connections; what the
    socks = []                  # last is told, until DONE exists
    for i in range(int(sys.argv[3])):
        socks.append(stream(sys.argv[2]))
    socks[-1].settimeout(10)
    msg = b""
    while True:
        b = socks[-1].recv(1000)
        if not b:
            break
        msg += b
    print(msg.decode(errors="replace").strip())
    sys.stdout.flush()
    until(sys.argv[4])
elif cmd == "peer":             # peer PATH: say who it is, never read again
    s = stream(sys.argv[2])
    f = frame([255] * 6, mac(1))
    s.sendall(struct.pack(">I", len(f)) + f)
    print("ready", flush=True)
    time.sleep(3600)
elif cmd == "flood":            # flood PATH MIB: MIB MiB of 1514-byte frames
    s = stream(sys.argv[2])     # for the peer
    f = frame(mac(1), mac(2), 1514)
    rec = struct.pack(">I", len(f)) + f
    per = (1 << 20) // len(rec)
    chunk = rec * per
    n = 0
    for _ in range(int(sys.argv[3])):
        s.sendall(chunk)
        n += per
    print(n, flush=True)
    until(sys.argv[4])
EOF

# ---- 1, 2, 3: one --mode none network with three namespaces ----
LOG=$TMP/serve.log
S=$TMP/f.sock G=$TMP/fg.sock
serve_start "$LOG" --mode none --listen "unix://$S" --listen "unixgram://$G"
MC=02:00:00:00:05:03
# C says who it is (an ARP broadcast), then idles
"$SQN" run --mode socket --connect "unix://$S" --mac $MC --guest-addr 10.9.1.3/24 \
	-- sh -c "busybox ping -c 1 -W 1 10.9.1.1 >/dev/null 2>&1; touch '$TMP/c.ready'; sleep 600" \
	>/dev/null 2>&1 &
cpid=$!
_pids+=($cpid)
# A: the file server; floods C (a static neighbour entry) once told to
"$SQN" run --mode socket --connect "unix://$S" --mac 02:00:00:00:05:01 --guest-addr 10.9.1.1/24 \
	-- sh -c "ip neigh replace 10.9.1.3 lladdr $MC dev eth0 nud permanent
		python3 -c \"\$HTTP_PY\" 10.9.1.1 8080 '$TMP/www' >/dev/null 2>&1 &
		until ss -Hltn 'src 10.9.1.1:8080' | grep -q .; do sleep 0.05; done
		touch '$TMP/a.ready'
		while [ ! -e '$TMP/go' ]; do sleep 0.05; done
		python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
n = 0
for i in range(60000):
    try:
        s.sendto(bytes(1400), (\"10.9.1.3\", 9)); n += 1
    except OSError:
        time.sleep(0.001)
print(n)' >'$TMP/flood.sent'
		while [ ! -e '$TMP/a.done' ]; do sleep 0.1; done; kill %1" >"$TMP/a.log" 2>&1 &
apid=$!
_pids+=($apid)
wait_file "$TMP/c.ready"
wait_file "$TMP/a.ready"
kill -STOP "$cpid"
touch "$TMP/go"
got=$("$SQN" run --mode socket --connect "unix://$S" --mac 02:00:00:00:05:02 --guest-addr 10.9.1.2/24 \
	-- python3 -c "$FETCH_PY" http://10.9.1.1:8080/big 2>"$TMP/fetch.err")
wait_file "$TMP/flood.sent"
serve_stats "$LOG"
cd=$(stat_get "$LOG" "mac=$MC" drop_queue) cf=$(stat_get "$LOG" "mac=$MC" fwd_frames)
diag "A sent $(cat "$TMP/flood.sent") datagrams to the stopped C; serve forwarded $cf to C's port: $(stat_get "$LOG" "mac=$MC" out_frames) written, $(stat_get "$LOG" "mac=$MC" queued) queued, $cd dropped"
[ "$got" = "$wantbig" ] || diag "the fetch said: $(tail -n 1 "$TMP/fetch.err")"
ok "a client is SIGSTOPped: the others' 16 MiB transfer is byte-exact" test "$got" = "$wantbig"
drops_counted() { [ "${cd:-0}" -gt 0 ] && stat_balanced "$LOG" "mac=$MC"; }
ok "its own drops are counted ($cd), every frame for it accounted for" drops_counted
kill -CONT "$cpid"

# 2. SIGKILL a client: its port goes, its MAC with it
ports0=$(stat_get "$LOG" network ports)
kill -KILL "$cpid"
wait "$cpid" 2>/dev/null
for _ in $(seq 50); do grep -q "pid $cpid) down" "$LOG" && break; sleep 0.1; done
serve_stats "$LOG"
ok "a client is SIGKILLed: its port goes at once ($ports0 -> $(stat_get "$LOG" network ports) ports)" sh -c \
	"grep -q 'pid $cpid) down: ' '$LOG' && [ $(stat_get "$LOG" network ports) = $((ports0 - 1)) ]"
last=$(grep -n "stats: network" "$LOG" | tail -2 | head -1 | cut -d: -f1)
ok "its MAC is forgotten with it" sh -c \
	"! tail -n +$((last + 1)) '$LOG' | grep -q 'stats: port=.*mac=$MC'"

# 3. garbage lengths reset those ports; a runt datagram is only dropped
for len in 0 13 70000; do
	r=$(python3 "$TMP/cl.py" garbage "$S" $len)
	[ "$r" = closed ] || diag "length $len: connection $r"
done
python3 "$TMP/cl.py" runt "$G" "$TMP/runt.done" &
rpid=$!
for _ in $(seq 50); do
	serve_stats "$LOG"
	[ "$(stat_get "$LOG" "mac=02:00:00:00:09:32" in_frames)" = 1 ] && break
	sleep 0.1
done
touch "$TMP/runt.done"
wait "$rpid"
diag "$(grep 'reset: ' "$LOG" | cut -c1-160 | tr '\n' ';')"
ok "lengths 0, 13 and 70000 reset their ports, each counted and named" sh -c \
	"[ '$(stat_get "$LOG" network resets)' = 3 ] && grep -q 'frame length of 70000, not 14..65535' '$LOG' && grep -q 'frame length of 13,' '$LOG'"
ok "a runt datagram is dropped and counted, its sender stays a port" sh -c \
	"[ '$(stat_get "$LOG" "mac=02:00:00:00:09:32" bad_frames)' = 1 ]"
out=$("$SQN" run --mode socket --connect "unix://$S" --mac 02:00:00:00:05:04 --guest-addr 10.9.1.4/24 \
	-- busybox ping -c 2 -W 2 10.9.1.1 2>&1)
ok "the others carry on: a new namespace pings the file server" sh -c "echo '$out' | grep -q ' 0% packet loss'"
touch "$TMP/a.done"
wait "$apid"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 4. 65 clients on a limit of 64 ----
LOG4=$TMP/serve4.log
S4=$TMP/f4.sock
serve_start "$LOG4" --mode none --listen "unix://$S4"
python3 "$TMP/cl.py" many "$S4" 65 "$TMP/many.done" >"$TMP/many.out" &
mpid=$!
for _ in $(seq 100); do [ -s "$TMP/many.out" ] && break; sleep 0.1; done
serve_stats "$LOG4"
touch "$TMP/many.done"
wait "$mpid"
diag "the 65th client read: $(cat "$TMP/many.out")"
ok "65 clients: 64 ports, one refused and counted" sh -c \
	"[ '$(stat_get "$LOG4" network ports)' = 64 ] && [ '$(stat_get "$LOG4" network refused)' = 1 ] && grep -q 'refused a connection (pid [0-9]*): the port limit (64) is reached' '$LOG4'"
ok "the 65th client is told why" grep -q "every port is taken (--max-ports)" "$TMP/many.out"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 5. serve SIGKILLed and restarted on the same paths ----
LOG5=$TMP/serve5.log
S5=$TMP/r.sock G5=$TMP/rg.sock P5=$TMP/rp.sock
L5=(--mode none --listen "unix://$S5" --listen "unixgram://$G5" --listen "unixpacket://$P5")
serve_start "$LOG5" "${L5[@]}"
for i in 1 2; do
	url="unix://$S5"
	[ $i = 2 ] && url="unixpacket://$P5"
	"$SQN" run --mode socket --connect "$url" --mac 02:00:00:00:06:0$i --guest-addr 10.9.2.$i/24 \
		-- sh -c "touch '$TMP/r.ready.$i'; while [ ! -e '$TMP/r.go' ]; do sleep 0.1; done
			[ $i = 1 ] && busybox ping -c 3 -W 3 10.9.2.2 >'$TMP/r.ping' 2>&1
			while [ ! -e '$TMP/r.done' ]; do sleep 0.1; done" >/dev/null 2>&1 &
	_pids+=($!)
	eval "rpid$i=$!"
done
wait_file "$TMP/r.ready.1"
wait_file "$TMP/r.ready.2"
before=$(ls "$TMP" | sort)
kill -KILL "$SERVE_PID"
wait "$SERVE_PID" 2>/dev/null
ok "serve SIGKILLed: its three socket files are left, nothing else" sh -c \
	"[ -S '$S5' ] && [ -S '$G5' ] && [ -S '$P5' ] && [ \"\$(ls '$TMP' | sort)\" = '$before' ]"
LOG5b=$TMP/serve5b.log
restarted() {
	serve_start "$LOG5b" "${L5[@]}" &&
		[ "$(grep -c 'a socket file nobody serves' "$LOG5b")" = 3 ]
}
ok "restarted on the same paths, it replaces the stale files" restarted
for _ in $(seq 150); do [ "$(grep -c ' up$' "$LOG5b")" -ge 2 ] && break; sleep 0.1; done
touch "$TMP/r.go"
wait_file "$TMP/r.ping" 100
for _ in $(seq 100); do grep -q 'packet loss' "$TMP/r.ping" && break; sleep 0.1; done
diag "after the restart: $(grep 'packet loss' "$TMP/r.ping")"
ok "its clients came back by themselves and reach each other" grep -q ' 0% packet loss' "$TMP/r.ping"
"$SQN" serve "${L5[@]}" 2>"$TMP/serve5c.log"
rc=$?
diag "$(head -1 "$TMP/serve5c.log")"
ok "a second serve on the same, live paths is refused with a message" sh -c \
	"[ $rc = 1 ] && grep -q 'a server runs on $S5 already (it accepted a connection)' '$TMP/serve5c.log' && [ -S '$S5' ] && kill -0 $SERVE_PID"
touch "$TMP/r.done"
wait "$rpid1" "$rpid2"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 6. one port floods 1 GiB at a stopped peer ----
LOG6=$TMP/serve6.log
S6=$TMP/fl.sock
serve_start "$LOG6" --mode none --listen "unix://$S6"
python3 "$TMP/cl.py" peer "$S6" >"$TMP/peer.out" &
ppid_=$!
_pids+=($ppid_)
for _ in $(seq 100); do [ -s "$TMP/peer.out" ] && break; sleep 0.05; done
kill -STOP "$ppid_"
rss0=$(awk '/^VmRSS/ {print $2}' "/proc/$SERVE_PID/status")
python3 "$TMP/cl.py" flood "$S6" 1024 "$TMP/flood.done" >"$TMP/flood.out" &
fpid=$!
for _ in $(seq 600); do [ -s "$TMP/flood.out" ] && break; sleep 0.1; done
sent=$(cat "$TMP/flood.out")
for _ in $(seq 100); do
	serve_stats "$LOG6"
	[ "$(stat_get "$LOG6" "mac=02:00:00:00:09:02" in_frames)" = "$sent" ] && break
	sleep 0.1
done
hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$SERVE_PID/status")
touch "$TMP/flood.done"
wait "$fpid"
P=mac=02:00:00:00:09:01
diag "flood: $sent frames of 1514 bytes; serve read $(stat_get "$LOG6" mac=02:00:00:00:09:02 in_frames); the stopped peer's port: fwd $(stat_get "$LOG6" $P fwd_frames), written $(stat_get "$LOG6" $P out_frames), queued $(stat_get "$LOG6" $P queued), dropped $(stat_get "$LOG6" $P drop_queue)"
diag "serve's memory: VmRSS $rss0 KiB before, peak (VmHWM) $hwm KiB: +$(((hwm - rss0) / 1024)) MiB"
ok "1 GiB at a stopped peer: every frame read and forwarded to it" sh -c \
	"[ '$(stat_get "$LOG6" mac=02:00:00:00:09:02 in_frames)' = '$sent' ] && [ '$(stat_get "$LOG6" mac=02:00:00:00:09:02 unicast)' = '$sent' ] && [ '$(stat_get "$LOG6" $P fwd_frames)' = '$sent' ]"
ok "every frame for the stopped peer written, queued or counted dropped" stat_balanced "$LOG6" "$P"
ok "serve's memory grew by less than 32 MiB ($(((hwm - rss0) / 1024)) MiB)" test $((hwm - rss0)) -lt 32768
kill -CONT "$ppid_"
kill "$ppid_"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
finish
