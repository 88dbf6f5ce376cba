#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve_offload.sh - virtio-net offloads through squib-net serve: two
# namespaces joined with `run --mode socket --offload` move GSO frames
# through serve --mode none as they are; a third, plain, namespace on the
# same serve gets them cut into checksummed MTU-sized segments
#
# 1. A (offload) serves files; B (offload) fetches 8 MiB from A byte-exact:
#    A's frames average more than an MTU's frame (GSO crossed serve) and
#    nothing was cut for B.
# 2. C (plain) fetches the same file from A byte-exact: serve cut A's GSO
#    frames for C (gso_cut, gso_extra counted; C's port balanced).
# 3. B fetches from C: plain frames reach an offload port with a zero
#    header, byte-exact.
# 4. Agreement: --offload to a peer that does not answer the hello fails
#    with a message, as does --offload on a unixgram URL; a 12-byte record
#    that is not the hello resets the port (counted).
. "$(dirname "$0")/lib.sh"
require_root
require_cmd busybox
plan 14

# has TEXT PATTERN: TEXT has a line matching PATTERN
has() { printf '%s\n' "$1" | grep -q -- "$2"; }

export HTTP_PY FETCH_PY WAIT_PY
mkdir -p "$TMP/www"
make_blob "$TMP/www/big" 8
want=$(sha256sum "$TMP/www/big" | cut -d' ' -f1)

LOG=$TMP/serve.log
S=$TMP/o.sock
ok "serve --mode none listens" serve_start "$LOG" --mode none --listen "unix://$S"
MA=02:00:00:00:07:01 MB=02:00:00:00:07:02 MC=02:00:00:00:07:03

# A: offload, the file server
"$SQN" run --mode socket --offload --connect "unix://$S" --mac $MA \
	--guest-addr 10.9.7.1/24 -- python3 -c "$HTTP_PY" 10.9.7.1 8080 "$TMP/www" \
	>"$TMP/a.log" 2>&1 &
apid=$!
_pids+=($apid)
# C: plain, a file server too, and it fetches from A when told
"$SQN" run --mode socket --connect "unix://$S" --mac $MC --guest-addr 10.9.7.3/24 \
	-- sh -c "python3 -c \"\$HTTP_PY\" 10.9.7.3 8080 '$TMP/www' >/dev/null 2>&1 &
		python3 -c \"\$WAIT_PY\" 10.9.7.1 8080
		touch '$TMP/c.ready'
		while [ ! -e '$TMP/c.go' ]; do sleep 0.05; done
		python3 -c '$FETCH_PY' http://10.9.7.1:8080/big >'$TMP/c.out' 2>&1
		while [ ! -e '$TMP/c.done' ]; do sleep 0.1; done" >"$TMP/c.log" 2>&1 &
cpid=$!
_pids+=($cpid)
# B: offload, fetches from A, then from C
"$SQN" run --mode socket --offload --connect "unix://$S" --mac $MB \
	--guest-addr 10.9.7.2/24 -- sh -c "python3 -c \"\$WAIT_PY\" 10.9.7.1 8080
		python3 -c \"\$WAIT_PY\" 10.9.7.3 8080
		python3 -c '$FETCH_PY' http://10.9.7.1:8080/big >'$TMP/b.out' 2>&1
		python3 -c '$FETCH_PY' http://10.9.7.3:8080/big >'$TMP/b2.out' 2>&1
		touch '$TMP/b.fetched'
		while [ ! -e '$TMP/b.done' ]; do sleep 0.1; done" \
	>"$TMP/b.log" 2>&1 &
bpid=$!
_pids+=($bpid)
wait_file "$TMP/b.fetched" 1200
ok "offload to offload: 8 MiB from A to B through serve, byte-exact" \
	test "$(cat "$TMP/b.out")" = "$want"
ok "plain to offload: 8 MiB from C to B, byte-exact" \
	test "$(cat "$TMP/b2.out")" = "$want"
serve_stats "$LOG"
A="mac=$MA" B="mac=$MB" C="mac=$MC"
ain=$(stat_get "$LOG" "$A" in_frames) aby=$(stat_get "$LOG" "$A" in_bytes)
diag "A sent $ain frames, $aby bytes: $((aby / (ain ? ain : 1))) bytes a frame"
ok "A and B negotiated offloads, C did not" sh -c \
	"grep 'stats: port=' '$LOG' | tail -3 | grep -q '$A.* offload=on' &&
	 grep 'stats: port=' '$LOG' | tail -3 | grep -q '$B.* offload=on' &&
	 grep 'stats: port=' '$LOG' | tail -3 | grep -q '$C.* offload=off'"
ok "A's frames crossed as GSO frames ($((aby / (ain ? ain : 1))) bytes on average, > 1514)" \
	test $((aby / (ain ? ain : 1))) -gt 1514
ok "nothing was cut for B (an offload port)" \
	test "$(stat_get "$LOG" "$B" gso_cut)" = 0

wait_file "$TMP/c.ready"
touch "$TMP/c.go"
wait_file "$TMP/c.out"
for _ in $(seq 300); do [ -s "$TMP/c.out" ] && break; sleep 0.1; done
ok "offload to plain: 8 MiB from A to C, byte-exact (cut by serve)" \
	test "$(cat "$TMP/c.out")" = "$want"
serve_stats "$LOG"
cut=$(stat_get "$LOG" "$C" gso_cut) extra=$(stat_get "$LOG" "$C" gso_extra)
cout=$(stat_get "$LOG" "$C" out_frames) cby=$(stat_get "$LOG" "$C" out_bytes)
diag "for C: $cut frames cut into $((cut + extra)) segments; C got $cout frames, $cby bytes"
ok "serve cut A's GSO frames for C ($cut frames, $extra segments added)" \
	sh -c "[ ${cut:-0} -ge 100 ] && [ ${extra:-0} -ge ${cut:-1} ]"
ok "C got MTU-sized frames only ($((cby / (cout ? cout : 1))) bytes on average)" \
	test $((cby / (cout ? cout : 1))) -le 1514
ok "every frame for C accounted for (fwd_frames + gso_extra = out + queued + drops)" \
	stat_balanced "$LOG" "$C"
touch "$TMP/c.done" "$TMP/b.done"
wait "$cpid" "$bpid"

# ---- 4. agreement ----
# a stream peer that reads and never answers (as passt or gvproxy would)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); c.recv(100); time.sleep(30)' "$TMP/mute.sock" &
_pids+=($!)
for _ in $(seq 100); do [ -S "$TMP/mute.sock" ] && break; sleep 0.05; done
out=$(timeout 20 "$SQN" run --mode socket --offload --connect "unix://$TMP/mute.sock" \
	-- true 2>&1)
diag "$(echo "$out" | grep -m1 hello)"
ok "--offload to a peer that does not answer the hello: refused, with a message" \
	has "$out" 'did not answer the offload hello'

out=$("$SQN" run --mode socket --offload --connect "unixgram://$TMP/x.sock" -- true 2>&1)
ok "--offload with a unixgram URL: refused, with a message" \
	has "$out" 'offload needs a unix:// stream'

r0=$(stat_get "$LOG" network resets)
python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b"\0\0\0\x0cSQN-VNET\0\x02\0\x0c")
s.settimeout(10)
print("closed" if s.recv(100) == b"" else "open")' "$S" >"$TMP/bad.out" 2>&1
serve_stats "$LOG"
ok "a 12-byte record that is not the hello (version 2) resets the port, counted" \
	sh -c "[ \"\$(cat '$TMP/bad.out')\" = closed ] && [ $(stat_get "$LOG" network resets) -gt ${r0:-0} ]"
kill -TERM "$apid" 2>/dev/null
wait "$apid"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
ok "serve stops cleanly" sh -c "[ ! -e '$S' ]"
finish
