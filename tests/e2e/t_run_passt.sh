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
plan 16

# (and the namespace's resolv.conf names its own loopback: --dns 127.0.0.1,
# so no lookup inside can go through passt to the DNS address it hands out,
# which passt would send off this machine)
PASST_NET=(-a 10.0.2.15 -n 24 -g 10.0.2.2 --dns 10.0.2.3)
helper_args=(--dns 127.0.0.1)
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

# a helper that exits at once: run stops waiting for DHCP as soon as the
# link goes down (it does not wait out its 10 s and blame DHCP), and the
# warning above its message says why, with what the helper said on stderr
"$SQN" run --mode userspace --helper passt --helper-arg --bogus-flag -- true 2>"$TMP/bogus.err"
rc=$?
diag "passt --bogus-flag: rc $rc: $(head -c 600 "$TMP/bogus.err" | tr '\n' '|')"
ok "passt exits at once: run stops at the link-down, says why with passt's stderr (rc $rc)" eval \
	'[ $rc -eq 125 ] && grep -q "warning: eth0: link down: .*passt (pid [0-9]*) exited with status 1; its stderr: .*unrecognized option .--bogus-flag." "$TMP/bogus.err" &&
	 grep -q "run: stopped waiting for DHCP: the userspace backend.s link went down" "$TMP/bogus.err" &&
	 ! grep -q "no DHCP offer" "$TMP/bogus.err"'
"$SQN" run --mode userspace --helper gvproxy --helper-path /bin/ls -- true 2>"$TMP/ls.err"
rc=$?
diag "a helper path that is not gvproxy: rc $rc: $(tr '\n' '|' <"$TMP/ls.err")"
ok "a helper that is not gvproxy: the same, with its own stderr (rc $rc)" eval \
	'[ $rc -eq 125 ] && grep -q "link down: .*gvproxy (pid [0-9]*) exited with status [1-9][0-9]*; its stderr: \"/bin/ls: " "$TMP/ls.err" &&
	 grep -q "stopped waiting for DHCP" "$TMP/ls.err"'

# socket mode: a passt we start, listening on a unix socket
sock="$TMP/passt.sock"
bg passt -f --runas 0 --socket "$sock" -m 65520 "${PASST_NET[@]}" -1 >"$TMP/passt.log" 2>&1
for i in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
out=$("$SQN" run --mode socket --connect "unix://$sock" --dns 127.0.0.1 -- sh -c \
	"ip -4 -o addr show eth0; python3 -c '$FETCH_PY' http://10.0.2.2:$port/blob")
diag "$(echo "$out" | head -1)"
ok "socket mode to passt --socket: DHCP address" sh -c "echo '$out' | grep -q 'inet 10.0.2.15/24'"
ok "socket mode to passt --socket: 10 MiB byte-exact" sh -c "echo '$out' | tail -1 | grep -qx '$want'"

# --helper-restart: the passt child, found by pid as a child of the run
# process, killed in the middle of a transfer; a new passt child comes, the
# link comes back up, and a transfer that starts after that is byte-exact.
# The command fetches in a loop (5 s timeout each) until told to stop; the
# first transfer, once it holds 1 MiB, marks it and pauses 1 s: the kill
# comes in that pause, with the rest of the file in flight. A short read
# fails (never a wrong checksum).
SLOW_FETCH_PY='import hashlib, os, sys, time, urllib.request
r = urllib.request.build_opener(urllib.request.ProxyHandler({})).open(sys.argv[1], timeout=5)
h, n, size = hashlib.sha256(), 0, int(r.headers["Content-Length"])
while True:
    b = r.read(1 << 16)
    if not b: break
    h.update(b); n += len(b)
    if n >= 1 << 20 and not os.path.exists(sys.argv[2]):
        open(sys.argv[2], "w").close(); time.sleep(1)
sys.exit("short read: %d of %d" % (n, size)) if n != size else print(h.hexdigest())'
rm -f "$TMP/stop" "$TMP/r.got" "$TMP/midway"
"$SQN" run --mode userspace --helper passt --helper-restart --stats -v "${helper_args[@]}" -- sh -c \
	"while [ ! -e $TMP/stop ]; do python3 -c '$SLOW_FETCH_PY' http://10.0.2.2:$port/blob $TMP/midway >>$TMP/r.got 2>>$TMP/r.fetch || echo failed >>$TMP/r.got; done" \
	>/dev/null 2>"$TMP/r.err" &
run=$!
cleanup_add "touch $TMP/stop"
lines() { cat "$TMP/r.got" 2>/dev/null | wc -l; }
passt_child() { ps -o pid=,comm= --ppid "$run" | awk '$2 ~ /^passt/ { print $1 }'; }
for i in $(seq 100); do [ -e "$TMP/midway" ] && break; sleep 0.05; done
old=$(passt_child)
before=$(lines)
midway=$([ -e "$TMP/midway" ] && echo yes || echo no)
kill -KILL "$old"
new=
for i in $(seq 100); do new=$(passt_child); [ -n "$new" ] && [ "$new" != "$old" ] && break; new=; sleep 0.1; done
m=$(lines)
for i in $(seq 300); do [ "$(lines)" -ge $((m + 2)) ] && break; sleep 0.1; done
inflight=$(sed -n 1p "$TMP/r.got")
after=$(sed -n "$((m + 2))p" "$TMP/r.got")
touch "$TMP/stop"
wait "$run"; rc=$?
diag "helper restart: passt $old killed after $before transfers, new passt ${new:-none}; transfers: $(sort "$TMP/r.got" | uniq -c | sed "s/$want/ok/" | tr -s ' \n' ' ')"
diag "$(grep -E 'link (up|down)' "$TMP/r.err" | head -5)"
diag "$(grep 'helper restarts' "$TMP/r.err")"
restarts=$(sed -n 's/.*helper restarts \([0-9]*\).*/\1/p' "$TMP/r.err")
diag "helper restart: the transfer in flight at the kill: ${inflight/$want/byte-exact} ($(grep -v "^ " "$TMP/r.fetch" 2>/dev/null | grep -v "^Traceback" | head -1 | tail -c 100))"
ok "helper restart: killed in the middle of a transfer (midway $midway, $before done before)" \
	sh -c "[ $midway = yes ] && [ $before -eq 0 ]"
ok "helper restart: the transfer cut by the kill failed or is byte-exact (never wrong)" \
	sh -c "[ '$inflight' = failed ] || [ '$inflight' = '$want' ]"
ok "helper restart: the link went down naming the kill, and came back with the new passt" sh -c \
	"grep -q 'link down: .*(pid $old) was killed by signal 9 (SIGKILL); reconnecting' '$TMP/r.err' &&
	 grep -q 'link up: passt restarted (pid $new)' '$TMP/r.err'"
ok "helper restart: the killed passt ($old) is reaped, a new one ($new) runs" sh -c \
	"[ -n '$new' ] && [ '$new' != '$old' ] && ! [ -d /proc/$old ]"
ok "helper restart: a transfer started after the restart is byte-exact" test "$after" = "$want"
ok "helper restart: run exits 0 when the command does (got $rc)" test $rc -eq 0
ok "helper restart: --stats counts it (helper restarts ${restarts:-?})" test "${restarts:-0}" -ge 1
finish
