#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_serve.sh - squib-net serve end to end: one network for many VMs
#
# 1. slirp uplink, four namespaces joined through `squib-net run --mode
#    socket`, one on each kind of listener (unix twice, unixgram,
#    unixpacket): four distinct DHCP addresses, a host file fetched
#    byte-exact through 10.0.2.2 and over IPv6 through fec0::2 (SLAAC),
#    each namespace's neighbour reached over HTTP byte-exact (IPv4 and
#    global IPv6) and ping (IPv4 and link-local IPv6); every port's frames
#    accounted for; SIGTERM stops serve and removes its socket files.
# 2. --mode none, static addresses: two namespaces talk; a third, idle,
#    gets no more than a handful of the frames of their transfer (counted).
# 3. --isolate with the slirp uplink: the namespaces reach the uplink, not
#    each other (drops counted).
# 4. The slirp uplink's DHCP server answers 16 distinct MACs, not a 17th
#    (libslirp's fixed table: what the README says).
# 5. A TAP as the uplink: a namespace reaches the host's TAP address.
# 6. QEMU joins with -netdev stream and -netdev dgram: its ports and MACs
#    show in serve's statistics, its frames cross.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd busybox
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"
plan 23

export HTTP_PY FETCH_PY WAIT_PY
mkdir -p "$TMP/www" "$TMP/vm"
make_blob "$TMP/www/blob" 4
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
hport=$(free_port)
hport6=$(free_port)
http_serve "$TMP/www" "$hport"
http_serve "$TMP/www" "$hport6" ::1

S=$TMP/s.sock G=$TMP/g.sock P=$TMP/p.sock
LOG=$TMP/serve.log

# ---- 1. four namespaces on the slirp uplink ----
ok "serve listens (slirp uplink, unix + unixgram + unixpacket)" \
	serve_start "$LOG" --listen "unix://$S" --listen "unixgram://$G" \
	--listen "unixpacket://$P"
diag "$(head -1 "$LOG")"
ok "socket files are 0600" sh -c "[ \"\$(stat -c %a '$S' '$G' '$P' | sort -u)\" = 600 ]"

# vm.sh I N DIR: one namespace's part: its addresses, a server, then fetch
# from the host and from its neighbour (I % N + 1), both IP versions
cat >"$TMP/vm.sh" <<'EOF'
i=$1 n=$2 d=$3 hp=$4 hp6=$5
peer=$((i % n + 1))
put() { echo "$2" >"$d/$1.tmp" && mv "$d/$1.tmp" "$d/$1"; }
until_file() { for _ in $(seq 300); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
python3 -c "$HTTP_PY" :: 8080 "$d/../www" >/dev/null 2>&1 &
put ip4.$i "$(ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1)"
for _ in $(seq 200); do
	g=$(ip -6 -o addr show dev eth0 | awk '$4 ~ /^fec0:/ && !/tentative/ {print $4}' | cut -d/ -f1)
	[ -n "$g" ] && break
	sleep 0.1
done
put ip6.$i "$g"
put ll.$i "$(ip -6 -o addr show dev eth0 scope link | awk '!/tentative/ {print $4}' | cut -d/ -f1)"
python3 -c "$WAIT_PY" "$(cat "$d/ip4.$i")" 8080 # its server is up
touch "$d/ready.$i"
until_file "$d/ready.$peer"
python3 -c "$FETCH_PY" "http://10.0.2.2:$hp/blob" >"$d/host4.$i" 2>&1
python3 -c "$FETCH_PY" "http://[fec0::2]:$hp6/blob" >"$d/host6.$i" 2>&1
p4=$(cat "$d/ip4.$peer") p6=$(cat "$d/ip6.$peer") pll=$(cat "$d/ll.$peer")
python3 -c "$FETCH_PY" "http://$p4:8080/blob" >"$d/peer4.$i" 2>&1
python3 -c "$FETCH_PY" "http://[$p6]:8080/blob" >"$d/peer6.$i" 2>&1
busybox ping -c 2 -W 2 "$p4" >/dev/null 2>&1 && touch "$d/ping4.$i"
busybox ping -6 -c 2 -W 2 -I eth0 "$pll" >/dev/null 2>&1 && touch "$d/ping6.$i"
touch "$d/done.$i"
until_file "$d/finish"
kill %1
EOF
urls=("unix://$S" "unixgram://$G" "unixpacket://$P" "unix://$S")
vpids=()
for i in 1 2 3 4; do
	"$SQN" run --mode socket --connect "${urls[i - 1]}" --mac "02:00:00:00:01:0$i" \
		-- bash "$TMP/vm.sh" "$i" 4 "$TMP/vm" "$hport" "$hport6" \
		>"$TMP/run.$i.log" 2>&1 &
	vpids+=($!)
	_pids+=($!)
done
for i in 1 2 3 4; do wait_file "$TMP/vm/done.$i" 1200; done
serve_stats "$LOG" # all four still connected
touch "$TMP/vm/finish"
rcs=""
for p in "${vpids[@]}"; do wait "$p"; rcs="$rcs $?"; done
diag "run exit codes:$rcs"
for i in 1 2 3 4; do
	diag "vm $i: $(cat "$TMP/vm/ip4.$i" "$TMP/vm/ip6.$i" "$TMP/vm/ll.$i" 2>/dev/null | tr '\n' ' ')"
done
ok "four namespaces got four distinct DHCP addresses in 10.0.2.0/24" sh -c \
	"cat '$TMP'/vm/ip4.* | grep -c '^10\\.0\\.2\\.' | grep -qx 4 && [ \$(sort -u '$TMP'/vm/ip4.* | wc -l) = 4 ]"
all_want() { local i; for i in 1 2 3 4; do [ "$(cat "$TMP/vm/$1.$i" 2>/dev/null)" = "$want" ] || return 1; done; }
all_there() { local i; for i in 1 2 3 4; do [ -e "$TMP/vm/$1.$i" ] || return 1; done; }
ok "each fetched 4 MiB from the host through 10.0.2.2, byte-exact" all_want host4
ok "each reached its neighbour over HTTP (IPv4), 4 MiB byte-exact" all_want peer4
ok "each pinged its neighbour (IPv4)" all_there ping4
ok "each got a distinct fec0::/64 address by SLAAC" sh -c \
	"cat '$TMP'/vm/ip6.* | grep -c '^fec0::' | grep -qx 4 && [ \$(sort -u '$TMP'/vm/ip6.* | wc -l) = 4 ]"
ok "each fetched 4 MiB from the host over IPv6 (fec0::2), byte-exact" all_want host6
ok "each reached its neighbour over HTTP on its global IPv6 address, byte-exact" all_want peer6
ok "each pinged its neighbour's link-local IPv6 address" all_there ping6
grep "serve: stats:" "$LOG" | tail -6 | cut -c1-400 | while read -r l; do diag "$l"; done
balanced=1 onemac=1
for i in 1 2 3 4; do
	stat_balanced "$LOG" "mac=02:00:00:00:01:0$i" || balanced=0
	[ "$(stat_get "$LOG" "mac=02:00:00:00:01:0$i" macs)" = 1 ] || onemac=0
done
ok "serve had four ports with one MAC each, and accounts for every frame it sent them" sh -c \
	"[ '$(stat_get "$LOG" network ports)' = 4 ] && [ $onemac = 1 ] && [ $balanced = 1 ]"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
src=$?
ok "SIGTERM: serve exits 0 and removes its socket files" sh -c \
	"[ $src = 0 ] && [ ! -e '$S' ] && [ ! -e '$G' ] && [ ! -e '$P' ] && grep -q 'stopping (Terminated)' '$LOG'"

# ---- 2. --mode none: static addresses, and a third VM left alone ----
LOG2=$TMP/serve2.log
S2=$TMP/s2.sock
ok "serve --mode none listens" serve_start "$LOG2" --mode none --listen "unix://$S2"
make_blob "$TMP/www/big" 8
wantbig=$(sha256sum "$TMP/www/big" | cut -d' ' -f1)
# C: idle until the transfer is over; A: the file server
"$SQN" run --mode socket --connect "unix://$S2" --mac 02:00:00:00:02:03 \
	--guest-addr 10.9.0.3/24 -- sh -c "while [ ! -e '$TMP/c.done' ]; do sleep 0.1; done" \
	>/dev/null 2>&1 &
cpid=$!
_pids+=($cpid)
"$SQN" run --mode socket --connect "unix://$S2" --mac 02:00:00:00:02:01 \
	--guest-addr 10.9.0.1/24 -- python3 -c "$HTTP_PY" 10.9.0.1 8080 "$TMP/www" \
	>/dev/null 2>&1 &
apid=$!
_pids+=($apid)
# B: once it has said hello (ARP, IPv6 start-up), fetches 8 MiB from A
"$SQN" run --mode socket --connect "unix://$S2" --mac 02:00:00:00:02:02 \
	--guest-addr 10.9.0.2/24 -- sh -c "busybox ping -c 1 -W 2 10.9.0.1 >/dev/null
		python3 -c \"\$WAIT_PY\" 10.9.0.1 8080
		touch '$TMP/b.ready'
		while [ ! -e '$TMP/b.go' ]; do sleep 0.05; done
		python3 -c '$FETCH_PY' http://10.9.0.1:8080/big" >"$TMP/b.out" 2>/dev/null &
bpid=$!
_pids+=($bpid)
wait_file "$TMP/b.ready"
sleep 1 # the namespaces' own start-up frames (IPv6 DAD, MLD) are out
serve_stats "$LOG2"
c0=$(stat_get "$LOG2" "mac=02:00:00:00:02:03" fwd_frames)
touch "$TMP/b.go"
wait "$bpid"
got=$(cat "$TMP/b.out")
ok "--mode none: static addresses, 8 MiB from one namespace to another, byte-exact" \
	test "$got" = "$wantbig"
serve_stats "$LOG2"
c1=$(stat_get "$LOG2" "mac=02:00:00:00:02:03" fwd_frames)
au=$(stat_get "$LOG2" "mac=02:00:00:00:02:01" unicast)
diag "the idle namespace got $((c1 - c0)) frames while the file server sent $au unicast frames"
ok "a third, idle namespace got $((c1 - c0)) frames during that transfer (at most 16; the server sent $au unicast)" \
	sh -c "[ $((c1 - c0)) -le 16 ] && [ ${au:-0} -ge 2000 ]"
touch "$TMP/c.done"
wait "$cpid"
kill -TERM "$apid" 2>/dev/null
wait "$apid"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 3. --isolate: the uplink, not each other ----
LOG3=$TMP/serve3.log
S3=$TMP/s3.sock
ok "serve --isolate listens" serve_start "$LOG3" --isolate --listen "unix://$S3"
"$SQN" run --mode socket --connect "unix://$S3" --mac 02:00:00:00:03:02 \
	-- sh -c "ip -4 -o addr show eth0 | awk '{print \$4}' | cut -d/ -f1 >'$TMP/iso.b.tmp'; mv '$TMP/iso.b.tmp' '$TMP/iso.b'; while [ ! -e '$TMP/iso.done' ]; do sleep 0.1; done" \
	>/dev/null 2>&1 &
bpid=$!
_pids+=($bpid)
wait_file "$TMP/iso.b"
bip=$(cat "$TMP/iso.b")
out=$("$SQN" run --mode socket --connect "unix://$S3" --mac 02:00:00:00:03:01 -- sh -c "
	python3 -c '$FETCH_PY' http://10.0.2.2:$hport/blob
	busybox ping -c 2 -W 1 $bip >/dev/null 2>&1 && echo reached-arp
	ip neigh replace $bip lladdr 02:00:00:00:03:02 dev eth0
	busybox ping -c 2 -W 1 $bip >/dev/null 2>&1 && echo reached-static
	true" 2>/dev/null)
touch "$TMP/iso.done"
wait "$bpid"
diag "isolated namespace: $(echo "$out" | tr '\n' ' ') (neighbour $bip)"
ok "--isolate: a namespace still fetches from the host through the uplink, byte-exact" \
	test "$(echo "$out" | head -1)" = "$want"
serve_stats "$LOG3"
iso=$(stat_get "$LOG3" network drop_isolated)
ok "--isolate: it cannot reach its neighbour, even by its MAC ($iso frames dropped as isolated)" \
	sh -c "! echo '$out' | grep -q reached && [ ${iso:-0} -ge 2 ]"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 4. how many DHCP clients the slirp uplink answers ----
# libslirp's DHCP server (bootp.c) has 16 fixed slots, handed out by MAC
# and never freed: the README says so; this checks it
LOG5=$TMP/serve5.log
S5=$TMP/s5.sock
serve_start "$LOG5" --listen "unix://$S5"
python3 "$(dirname "$0")/dhcp_discover.py" "$S5" 18 >"$TMP/dhcp.out" 2>&1
diag "offers to 18 MACs: $(tr '\n' ' ' <"$TMP/dhcp.out")"
dhcp16() {
	[ "$(head -16 "$TMP/dhcp.out" | sort -u | wc -l)" = 16 ] &&
		grep -qx 10.0.2.30 "$TMP/dhcp.out" &&
		[ "$(tail -2 "$TMP/dhcp.out" | tr '\n' ' ')" = "none none " ]
}
ok "the slirp uplink's DHCP server answers 16 MACs (10.0.2.15-30), not a 17th" dhcp16
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 5. a TAP as the uplink: the host's own stack behind it ----
TAPN=sqnts$$
cleanup_add ip link del "$TAPN"
LOG6=$TMP/serve6.log
S6=$TMP/s6.sock
tport=$(free_port)
http_serve "$TMP/www" "$tport" 10.96.0.1
tap_up() {
	serve_start "$LOG6" --mode tap --tap "$TAPN" --host-addr 10.96.0.1/24 \
		--listen "unix://$S6" &&
		ip -4 -o addr show dev "$TAPN" | grep -q 10.96.0.1/24
}
ok "serve --mode tap listens, its TAP addressed on the host" tap_up
got=$("$SQN" run --mode socket --connect "unix://$S6" --guest-addr 10.96.0.2/24 \
	-- python3 -c "$FETCH_PY" "http://10.96.0.1:$tport/blob" 2>/dev/null)
ok "through the TAP uplink: 4 MiB from the host's 10.96.0.1, byte-exact" test "$got" = "$want"
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"

# ---- 6. QEMU: -netdev stream and -netdev dgram ----
if ! command -v qemu-system-x86_64 >/dev/null; then
	ok "QEMU is installed (qemu-system-x86)" false
	ok "QEMU is installed (qemu-system-x86)" false
	finish
fi
LOG4=$TMP/serve4.log
S4=$TMP/s4.sock G4=$TMP/g4.sock
serve_start "$LOG4" --mode none --listen "unix://$S4" --listen "unixgram://$G4"
# no guest OS: QEMU announces its NICs' MACs itself (RARP, announce_self)
qemu-system-x86_64 -nodefaults -display none -machine pc,accel=tcg -m 64 \
	-netdev "stream,id=n0,server=off,addr.type=unix,addr.path=$S4" \
	-device virtio-net-pci,netdev=n0,mac=52:54:00:5e:00:01,romfile= \
	-netdev "dgram,id=n1,local.type=unix,local.path=$TMP/q.dgram,remote.type=unix,remote.path=$G4" \
	-device virtio-net-pci,netdev=n1,mac=52:54:00:5e:00:02,romfile= \
	-monitor "unix:$TMP/qmon,server=on,wait=off" >"$TMP/qemu.log" 2>&1 &
qpid=$!
_pids+=($qpid)
cleanup_add rm -f "$TMP/q.dgram"
wait_file "$TMP/qmon" 100
for _ in $(seq 50); do grep -q "s4.sock#1 pid $qpid) up" "$LOG4" && break; sleep 0.1; done
python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.3)
s.send(b"announce_self\n")
time.sleep(0.3)' "$TMP/qmon"
for _ in $(seq 50); do
	serve_stats "$LOG4"
	[ "$(stat_get "$LOG4" "mac=52:54:00:5e:00:02" out_frames)" -ge 1 ] 2>/dev/null && break
	sleep 0.1
done
grep "serve: stats: port=" "$LOG4" | tail -2 | cut -c1-300 | while read -r l; do diag "$l"; done
ok "QEMU -netdev stream: its port shows with its pid and MAC, frames both ways" sh -c \
	"grep 'serve: stats: port=.*pid $qpid\" mac=52:54:00:5e:00:01' '$LOG4' | tail -1 | grep -q ' in_frames=[1-9].* out_frames=[1-9]'"
ok "QEMU -netdev dgram: its port shows with its address and MAC, frames both ways" sh -c \
	"grep 'serve: stats: port=.*peer $TMP/q.dgram\" mac=52:54:00:5e:00:02' '$LOG4' | tail -1 | grep -q ' in_frames=[1-9].* out_frames=[1-9]'"
kill "$qpid"
wait "$qpid" 2>/dev/null
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
finish
