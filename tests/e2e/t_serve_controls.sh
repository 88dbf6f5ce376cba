#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve_controls.sh - operator controls of `squib-net serve` with real
# traffic (issue 14): a slirp uplink, namespaces joined through `squib-net
# run --mode socket`, serve started with --tx-rate for one listener's
# ports, --control, --stats-interval 1 and --pcap of the whole network.
#
# 1. Rate limits per port: a VM on the limited listener sends with iperf3
#    (100 Mbit/s from the command line); another VM's port gets a
#    100 Mbit/s rx limit through `squib-net ctl rate-limit` at run time and
#    receives with iperf3 -R. The rates measured by the receiver must fall
#    in 80-120 Mbit/s (the only time-based assertions: a generous band
#    around the limit); the limiters dropped nothing (a stream port is not
#    read while its frame waits; drops only where a queue overflows,
#    counted and balanced).
# 2. A forward added on the uplink through ctl carries 10 MiB host to
#    guest byte-exact, under a capture of that VM's port (snaplen 96):
#    tcpdump -r counts the frames the capture wrote, and capture + dropped
#    = the port's in_frames + out_frames over the capture (list before the
#    start and after the stop, in the same request batch: nothing moves
#    between).
#    Meanwhile a second client sends malformed and oversized requests: each
#    refused with a message, the transfer unharmed.
# 3. policy-set on that port: deny-all makes the forward fail (the guest's
#    answers denied, counted), [] lets it through again; removed, the
#    forward's port is closed.
# 4. disconnect: the port goes, serve says why, list no longer has it.
# 5. Refusals naming the field: an unknown port, the uplink as a port,
#    a bad rule, a relative capture file; forward-add on --mode none.
# 6. The network's capture (--pcap) stopped through ctl: tcpdump -r counts
#    what the capture wrote, capture + dropped = every frame the switch
#    took; the --stats-interval lines are JSON, one per port, for the
#    uplink and for the network each second, with the keys list answers.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd iperf3
require_cmd tcpdump
require_cmd python3
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"
plan 23

mkdir -p "$TMP/www" "$TMP/vm"
make_blob "$TMP/www/blob" 10
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
echo "inside-the-namespace" >"$TMP/www/hello"
iport=$(free_port)
bg iperf3 -s -B 127.0.0.1 -p "$iport" >/dev/null 2>&1
listening 127.0.0.1 "$iport"

L=$TMP/lim.sock U=$TMP/free.sock C=$TMP/ctl.sock
LOG=$TMP/serve.log STATS=$TMP/stats.jsonl
LIM100=bytes=2500000,refill=200 # 100 Mbit/s: 200 ms of it per 200 ms
export HTTP_PY

# ctl REQUEST...: the requests (JSON lines) in one write on one connection,
# their answers printed in order (a batch is answered within one turn of
# serve's loop: no frame moves between its requests)
CTL_PY='import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
s.sendall("".join(r + "\n" for r in sys.argv[2:]).encode())
f = s.makefile()
for _ in sys.argv[2:]:
    print(f.readline().strip())'
ctl() { python3 -c "$CTL_PY" "$C" "$@"; }
# jq_py EXPR: EXPR over the answers on stdin (a: the list of them)
jq_py() { python3 -c 'import json,sys; a=[json.loads(l) for l in sys.stdin if l.strip()]; print(eval(sys.argv[1]))' "$1"; }
# port_of PID: the number of the port whose peer is process PID
port_of() {
	ctl '{"cmd":"list"}' | jq_py "[i['port'] for i in a[0]['items'] if i.get('peer') == 'pid $1'][0]" 2>/dev/null
}

"$SQN" serve --listen "unix://$L" --listen "unix://$U" --tx-rate "$LIM100@unix://$L" \
	--control "unix://$C" --stats-interval 1 --pcap "$TMP/net.pcap" \
	>"$STATS" 2>"$LOG" &
SERVE_PID=$!
_pids+=($SERVE_PID)
for i in $(seq 100); do grep -q "serve: listening on" "$LOG" && break; sleep 0.05; done
ok "serve listens with --tx-rate ...@URL, --control, --stats-interval, --pcap" \
	sh -c "grep -q 'serve: listening on' '$LOG' && [ \"\$(stat -c %a '$C')\" = 600 ]"

# ---- 1. rate limits per port ----
# VM_SH GO DONE END CMD...: a VM's part: once GO exists, CMD, then DONE;
# its port stays until END exists (its counters are read before it goes)
VM_SH='until [ -e "$1" ]; do sleep 0.05; done; g=$2 e=$3; shift 3; "$@"; touch "$g"
until [ -e "$e" ]; do sleep 0.05; done'
# A: on the limited listener, sends for 5 s (the first second omitted)
"$SQN" run --mode socket --connect "unix://$L" --mac 02:00:00:00:0e:01 -- sh -c "$VM_SH" \
	sh "$TMP" "$TMP/vm/a.done" "$TMP/vm/a.end" \
	iperf3 -c 10.0.2.2 -p "$iport" -t 5 -O 1 -J >"$TMP/a.json" 2>"$TMP/a.err" &
apid=$!
_pids+=($apid)
# B: on the other listener, receives once its limit is set
"$SQN" run --mode socket --connect "unix://$U" --mac 02:00:00:00:0e:02 -- sh -c "$VM_SH" \
	sh "$TMP/vm/b.go" "$TMP/vm/b.done" "$TMP/vm/b.end" \
	iperf3 -c 10.0.2.2 -p "$iport" -t 5 -O 1 -R -J >"$TMP/b.json" 2>"$TMP/b.err" &
bpid=$!
_pids+=($bpid)
for i in $(seq 100); do pa=$(port_of $apid) && [ -n "$pa" ] && break; sleep 0.1; done
wait_file "$TMP/vm/a.done" 300
ra=$(mbps "$TMP/a.json")
ctl "{\"cmd\":\"list\",\"names\":[\"${pa:-0}\"]}" >"$TMP/a.list"
touch "$TMP/vm/a.end"
diag "port $pa: $(cut -c1-600 "$TMP/a.list")"
ok "--tx-rate 100 Mbit/s on A's listener: iperf3 from A measures $ra Mbit/s (80-120)" within "$ra" 80 120
read -r thr drop <<<"$(jq_py "(a[0]['items'][0]['tx_throttled'], a[0]['items'][0]['drop_rate'])" <"$TMP/a.list" | tr -d '(),')"
ok "A's tx limiter held frames back ($thr times) and dropped none (drop_rate $drop)" \
	sh -c "[ '${thr:-0}' -gt 0 ] && [ '$drop' = 0 ]"

for i in $(seq 100); do pb=$(port_of $bpid) && [ -n "$pb" ] && break; sleep 0.1; done
out=$("$SQN" ctl "$C" rate-limit "name=$pb" rx_rate_limiter.bandwidth.size=2500000 \
	rx_rate_limiter.bandwidth.refill_time=200 2>&1)
diag "rate-limit port $pb: $out"
ok "rate-limit on B's port through squib-net ctl: accepted" sh -c "echo '$out' | grep -q '\"ok\":true'"
touch "$TMP/vm/b.go"
wait_file "$TMP/vm/b.done" 300
rb=$(mbps "$TMP/b.json")
ctl "{\"cmd\":\"list\",\"names\":[\"${pb:-0}\"]}" >"$TMP/b.list"
touch "$TMP/vm/b.end"
diag "port $pb: $(cut -c1-600 "$TMP/b.list")"
ok "rx limit 100 Mbit/s set at run time on B's port: iperf3 -R measures $rb Mbit/s (80-120)" within "$rb" 80 120
read -r thr dq f o q e l <<<"$(jq_py "' '.join(str(a[0]['items'][0][k]) for k in ('rx_throttled', 'drop_queue', 'fwd_frames', 'out_frames', 'queued', 'drop_error', 'lost'))" <"$TMP/b.list")"
ok "B's rx limiter held frames back ($thr times); what the switch sent B is accounted for: fwd $f = out $o + queued $q + drop_queue $dq + errors $e + lost $l" \
	sh -c "[ '${thr:-0}' -gt 0 ] && [ '${f:-x}' -eq $((o + q + dq + e + l)) ]"

# ---- 2. a forward on the uplink, a port's capture, bad requests meanwhile ----
"$SQN" run --mode socket --connect "unix://$U" --mac 02:00:00:00:0e:03 -- sh -c \
	"ip -4 -o addr show eth0 | awk '{print \$4}' | cut -d/ -f1 >'$TMP/vm/c.ip'
	 exec python3 -c \"\$HTTP_PY\" 0.0.0.0 8080 '$TMP/www'" 2>"$TMP/c.err" &
cpid=$!
_pids+=($cpid)
wait_file "$TMP/vm/c.ip" 200
cip=$(cat "$TMP/vm/c.ip")
for i in $(seq 100); do pc=$(port_of $cpid) && [ -n "$pc" ] && break; sleep 0.1; done
cname=$(ctl '{"cmd":"list"}' | jq_py "[i['name'] for i in a[0]['items'] if i.get('port') == ${pc:-0}][0]")
diag "C: $cip, port $pc ($cname)"
fport=$(free_port)
out=$("$SQN" ctl "$C" forward-add "forward=tcp:127.0.0.1:$fport-$cip:8080" 2>&1)
diag "forward-add: $out"
ok "forward-add on the uplink to C: accepted" sh -c "echo '$out' | grep -q '\"ok\":true'"
HELLO_PY="import sys, urllib.request; print(urllib.request.build_opener(urllib.request.ProxyHandler({})).open('http://127.0.0.1:%s/hello' % sys.argv[1], timeout=3).read().decode().strip())"
for i in $(seq 50); do
	[ "$(python3 -c "$HELLO_PY" "$fport" 2>/dev/null)" = inside-the-namespace ] && break
	sleep 0.2
done
ctl '{"id":1,"cmd":"list","names":["'"$pc"'"]}' \
	'{"id":2,"cmd":"capture-start","name":"'"$pc"'","file":"'"$TMP/port.pcap"'","snaplen":96}' >"$TMP/cap0"
# a second client: bad requests while the transfer runs
python3 - "$C" >"$TMP/bad.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
f = s.makefile()
bad = [b'{"cmd":"list",', b'{"cmd":"list","x":"' + b"y" * 5000 + b'"}',
       b'{"cmd":"rate-limit","name":"1","rx_rate_limiter":{"bandwidth":{"size":-1,"refill_time":1}}}',
       b'\xff\xfe', b'[1,2]', b'{"cmd":"nosuch"}']
n = 0
for k in range(40):
    for b in bad:
        s.sendall(b + b"\n")
        l = f.readline()
        n += '"ok":false' in l
    time.sleep(0.02)
print(n, 40 * len(bad))
PY
badpid=$!
got=$(python3 -c "import hashlib,urllib.request; print(hashlib.sha256(urllib.request.build_opener(urllib.request.ProxyHandler({})).open('http://127.0.0.1:$fport/blob', timeout=30).read()).hexdigest())" 2>&1)
wait $badpid
ctl '{"id":3,"cmd":"capture-stop","name":"'"$pc"'"}' \
	'{"id":4,"cmd":"list","names":["'"$pc"'"]}' >"$TMP/cap1"
ok "the forward carries 10 MiB host to guest, byte-exact" test "$got" = "$want"
read -r nbad nall <"$TMP/bad.out"
ok "meanwhile a second client's $nall malformed and oversized requests were each refused ($nbad)" \
	sh -c "[ '${nbad:-0}' = '${nall:-x}' ]"
read -r cf cd cl <<<"$(sed -n 1p "$TMP/cap1" | jq_py "' '.join(str(a[0][k]) for k in ('frames', 'dropped', 'lost'))")"
in0=$(sed -n 1p "$TMP/cap0" | jq_py "a[0]['items'][0]['in_frames'] + a[0]['items'][0]['out_frames']")
in1=$(sed -n 2p "$TMP/cap1" | jq_py "a[0]['items'][0]['in_frames'] + a[0]['items'][0]['out_frames']")
n=$(tcpdump -n -r "$TMP/port.pcap" 2>/dev/null | wc -l)
diag "port capture: $(sed -n 2p "$TMP/cap0") $(sed -n 1p "$TMP/cap1"); tcpdump reads $n; the port's frames $in0 -> $in1"
ok "tcpdump -r reads the port's capture: $n frames = captured $cf - lost $cl" \
	sh -c "[ '$n' -gt 1000 ] && [ '$n' -eq $((${cf:-0} - ${cl:-0})) ]"
ok "captured $cf + dropped $cd = the port's in_frames + out_frames over the capture ($((in1 - in0)))" \
	test "$((${cf:-0} + ${cd:-0}))" -eq "$((in1 - in0))"
tcpdump -n -r "$TMP/port.pcap" 2>/dev/null | grep -q "$cip.8080 > 10.0.2.2" &&
	tcpdump -n -r "$TMP/port.pcap" 2>/dev/null | grep -q "10.0.2.2.[0-9]* > $cip.8080" &&
	tcpdump -n -r "$TMP/port.pcap" 2>&1 >/dev/null | grep -q "snapshot length 96" &&
	[ "$(stat -c %s "$TMP/port.pcap")" -le $((24 + n * (16 + 96))) ]
ok "both directions are in it, each frame cut to the snap length asked (96)" test $? -eq 0

# ---- 3. policy-set on C's port ----
out=$(ctl '{"cmd":"policy-set","name":"'"$pc"'","rules":["deny-all"]}')
diag "policy-set deny-all: $out"
got=$(python3 -c "$HELLO_PY" "$fport" 2>&1 | tail -1)
diag "the forward under deny-all: $got"
den=$(ctl '{"cmd":"list","names":["'"$pc"'"]}' | jq_py "a[0]['items'][0]['policy_denied']")
ok "policy-set deny-all on C's port: its answers are denied ($den), the fetch fails" \
	sh -c "echo '$out' | grep -q '\"ok\":true' && [ '$got' != inside-the-namespace ] && [ '${den:-0}' -gt 0 ]"
out=$(ctl '{"cmd":"policy-set","name":"'"$pc"'","rules":[]}')
got=$(python3 -c "$HELLO_PY" "$fport" 2>&1 | tail -1)
ok "policy-set [] lets it through again" sh -c "echo '$out' | grep -q '\"ok\":true' && [ '$got' = inside-the-namespace ]"
out=$("$SQN" ctl "$C" forward-remove "forward=tcp:127.0.0.1:$fport-$cip:8080" 2>&1)
ok "forward-remove: the host port is closed" sh -c \
	"echo '$out' | grep -q '\"ok\":true' && ! (exec 3<>/dev/tcp/127.0.0.1/$fport) 2>/dev/null"

# ---- 4. disconnect ----
out=$("$SQN" ctl "$C" disconnect "name=$cname" 2>&1)
diag "disconnect $cname: $out"
gone=$(ctl '{"cmd":"list"}' | jq_py "'$cname' not in [i['name'] for i in a[0]['items']]")
ok "disconnect: serve closes the port and says why; list no longer has $cname" sh -c \
	"echo '$out' | grep -q '\"ok\":true' && grep -q 'port $pc ($cname.*down: disconnected through the control socket' '$LOG' && [ '$gone' = True ]"

# ---- 5. refusals naming the field ----
ctl '{"cmd":"rate-limit","name":"999","tx_rate_limiter":{"ops":{"size":10,"refill_time":100}}}' \
	'{"cmd":"rate-limit","name":"eth0","tx_rate_limiter":{"ops":{"size":10,"refill_time":100}}}' \
	'{"cmd":"policy-set","name":"'"$pb"'","rules":["deny-all","allow-net=10.0.0.1/8"]}' \
	'{"cmd":"capture-start","name":"'"$pb"'","file":"rel.pcap"}' \
	'{"cmd":"disconnect","name":"eth0"}' >"$TMP/refused"
diag "$(cat "$TMP/refused")"
fields=$(jq_py "' '.join(x['field'] for x in a if not x['ok'])" <"$TMP/refused")
ok "refused, each naming its field: an unknown port, the uplink's limits, a bad rule, a relative file, the uplink disconnected" \
	test "$fields" = "name name rules[1] file name"
ok "the messages say what is wrong" sh -c "grep -q \"no port, uplink or network named '999'\" '$TMP/refused' &&
	grep -q 'host bits set' '$TMP/refused' && grep -q \"'eth0' is no VM's port\" '$TMP/refused'"
N=$TMP/none.sock NC=$TMP/none-ctl.sock
"$SQN" serve --mode none --listen "unix://$N" --control "unix://$NC" >/dev/null 2>"$TMP/none.log" &
npid=$!
_pids+=($npid)
for i in $(seq 100); do [ -S "$NC" ] && break; sleep 0.05; done
out=$("$SQN" ctl "$NC" forward-add forward=tcp:127.0.0.1:1-:80 2>&1)
diag "--mode none: $out"
ok "forward-add without an uplink (--mode none) is refused, saying so" sh -c \
	"echo '$out' | grep -q 'serve runs with no uplink (--mode none)'"
kill -TERM $npid
wait $npid

# ---- 6. the network's capture and the stats lines ----
ctl '{"id":5,"cmd":"capture-stop"}' '{"id":6,"cmd":"list","names":["network"]}' >"$TMP/net1"
read -r cf cd cl <<<"$(sed -n 1p "$TMP/net1" | jq_py "' '.join(str(a[0][k]) for k in ('frames', 'dropped', 'lost'))")"
sw=$(sed -n 2p "$TMP/net1" | jq_py "a[0]['items'][0]['switched']")
n=$(tcpdump -n -r "$TMP/net.pcap" 2>/dev/null | wc -l)
diag "network capture: $(cat "$TMP/net1" | cut -c1-300); tcpdump reads $n"
ok "tcpdump -r reads the network's capture: $n = captured $cf - lost $cl; + dropped $cd = the $sw frames the switch took" \
	sh -c "[ '$n' -eq $((${cf:-0} - ${cl:-0})) ] && [ $((${cf:-0} + ${cd:-0})) -eq '${sw:-x}' ]"
sleep 1.2 # one more tick after the last change
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
src=$?
ok "SIGTERM: serve exits 0, its control socket removed" sh -c "[ $src = 0 ] && [ ! -e '$C' ]"
res=$(python3 - "$STATS" "$TMP/b.list" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
net = [o for o in lines if o["kind"] == "network"]
ports = [o for o in lines if o["kind"] == "port"]
up = [o for o in lines if o["kind"] == "iface"]
ref = json.loads(open(sys.argv[2]).readline())["items"][0]
same = all(set(o) == set(ref) for o in ports)
# each second: the uplink's line, one per port, the network's last
tick = all(o["type"] == "stats" for o in lines) and lines[-1]["kind"] == "network"
print(len(lines), len(net), len(ports), len(up), int(same), int(tick),
      max(o["in_frames"] for o in ports) if ports else 0)
PY
)
read -r nl nn np nu same tick maxin <<<"$res"
diag "stats lines: $nl ($nn network, $np port, $nu uplink), most in_frames of a port $maxin"
ok "--stats-interval: every line parses; each second the uplink's, the ports', the network's" \
	sh -c "[ '${nn:-0}' -ge 10 ] && [ '$nu' = '$nn' ] && [ '${np:-0}' -ge '$nn' ] && [ '$tick' = 1 ]"
ok "a port's line has the keys list answers, and counts traffic ($maxin frames)" \
	sh -c "[ '$same' = 1 ] && [ '${maxin:-0}' -gt 1000 ]"

finish
