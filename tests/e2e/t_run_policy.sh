#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_policy.sh - the egress policy end to end, with real traffic, in
# slirp, tap and userspace (passt) modes: the guest (policy_guest.py)
# resolves names through a DNS server of the test's own (zone_dns.py) and
# reaches HTTP servers of the test's own, under
#   --allow-host www.allowed.test --allow-host cdn-alias.test
#   --allow-host short.test
# An allowed name downloads byte-exact; a name not allowed gets NXDOMAIN
# and its query never reaches the server; a direct connection to an
# address not allowed is refused at once (ECONNREFUSED: a RST, not a
# timeout; its time is printed), UDP to it gets the ICMP (EHOSTUNREACH on
# a connected socket); a CNAME chain from an allowed name works; an
# address whose TTL ran out is refused until its name is resolved again;
# the policy's counters (--stats) are exactly what the guest did.
#
# Everything runs in a network namespace of the test's own (unshare -n),
# whose loopback holds the "hosts" 10.77.1.1 (www.allowed.test), 10.77.2.1
# (evil.test, and the direct target), 10.77.3.1 (edge.cdn.test) and
# 10.77.4.1 (short.test), one HTTP server on all of them, and the DNS
# server on port 53: nothing leaves this machine, nothing of the host's
# network changes.
if [ -z "${SQNT_POLICY_NETNS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	export SQNT_POLICY_NETNS=1
	exec unshare -n bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
require_root
require_cmd python3
require_cmd passt
"$SQN" probe | grep -q '^  slirp *yes' || skip_all "no slirp backend in this build"
plan 39

HERE=$(cd "$(dirname "$0")" && pwd)
ip link set lo up
for a in 10.77.1.1 10.77.2.1 10.77.3.1 10.77.4.1; do ip addr add "$a/32" dev lo; done
# a default route for the helpers that copy the host's (passt): a veth
# pair of this namespace's own; nothing answers on it
ip link add sqnt-up type veth peer name sqnt-up1 && ip addr add 10.99.0.1/24 dev sqnt-up &&
	ip link set sqnt-up1 up && ip link set sqnt-up up &&
	ip route add default via 10.99.0.2 || diag "no default route: passt will not start"

cat >"$TMP/zone" <<'EOF'
www.allowed.test A 10.77.1.1 60
evil.test A 10.77.2.1 60
cdn-alias.test CNAME edge.cdn.test 60
edge.cdn.test A 10.77.3.1 60
short.test A 10.77.4.1 1
EOF
: >"$TMP/dns.log"
bg python3 "$HERE/zone_dns.py" 0.0.0.0 53 "$TMP/zone" "$TMP/dns.log"
mkdir -p "$TMP/www"
make_blob "$TMP/www/blob" 4
want=$(sha256sum "$TMP/www/blob" | cut -d' ' -f1)
port=$(free_port)
http_serve "$TMP/www" "$port" 0.0.0.0 || diag "no HTTP server"
# the guest resolves through the backend to "the host's resolver": the
# test's (lib.sh's resolv.conf names TEST_DNS_ADDR, a loopback address,
# and the server listens on all of them)
for i in $(seq 50); do ss -Hlun 'sport = :53' | grep -q . && break; sleep 0.1; done
cp "$HERE/policy_guest.py" "$TMP/guest.py"

RULES=(--allow-host www.allowed.test --allow-host cdn-alias.test --allow-host short.test)

# val KEY FILE: the words after KEY on its line of the guest's output
val() { sed -n "s/^$1 //p" "$2" | head -1; }
# counter NAME FILE: a policy counter from run --stats ("addr 3")
counter() { sed -n "s/.* policy: .*[ (]$1 \([0-9]*\)[,) ].*/\1/p" "$2" | head -1; }

# counters FILE: the policy's counters in one line, from run --stats or
# from one of serve's port lines (policy_addr=3 ...)
counters() {
	if grep -q 'policy_rules=' "$1"; then
		w() { sed -n "s/.* policy_$1=\([0-9]*\).*/\1/p" "$2" | head -1; }
		echo "addr $(w addr "$1"), expired $(w expired "$1"), dns_name $(w dns_name "$1"), dns_server $(w dns_server "$1"), denied $(w denied "$1"), dns queries $(w dns_queries "$1"), learnt $(w learnt "$1")"
		return
	fi
	echo "addr $(counter addr "$1"), expired $(counter expired "$1"), dns_name $(counter dns_name "$1"), dns_server $(counter dns_server "$1"), denied $(sed -n 's/.* policy: .*denied \([0-9]*\) (.*/\1/p' "$1"), dns queries $(counter 'dns queries' "$1"), learnt $(counter learnt "$1")"
}

# check MODE OUT ERR: the assertions on one run's output (ERR: a file
# whose counters() are the policy's)
check() {
	local m=$1 out=$2 err=$3 v
	diag "$m: $(tr '\n' ';' <"$out")"
	diag "$m: $(grep -E "policy: [0-9]* rules" "$err")$(sed -n "s/.*\(policy_rules=.*\)/\1/p" "$err")"
	v=$(val allowed "$out")
	ok "$m: an allowed name resolves and downloads 4 MiB byte-exact ($v)" \
		test "$v" = "10.77.1.1 $want"
	v=$(val denied_name "$out")
	ok "$m: a name not allowed gets NXDOMAIN (getaddrinfo: $v), and its query never reached the server" \
		sh -c "[ '$v' = gaierror:-2 ] && ! grep -q '^evil.test ' '$TMP/dns.log.$m'"
	v=$(val direct "$out")
	ok "$m: a direct connection to a denied address is refused by a RST (${v% *} after ${v#* } ms)" \
		test "${v% *}" = ECONNREFUSED
	v=$(val udp "$out")
	ok "$m: UDP to a denied address gets ICMP prohibited (recv: ${v% *} after ${v#* } ms)" \
		test "${v% *}" = EHOSTUNREACH
	v=$(val unlearnt "$out")
	ok "$m: an address not yet resolved is refused (${v% *})" test "${v% *}" = ECONNREFUSED
	v=$(val cname "$out")
	ok "$m: a CNAME chain from an allowed name works, 4 MiB byte-exact" \
		test "$v" = "10.77.3.1 $want"
	v="$(val ttl_first "$out" | cut -d' ' -f1-2) / $(val ttl_expired "$out" | cut -d' ' -f1) / $(val ttl_again "$out" | cut -d' ' -f1-2)"
	ok "$m: after the TTL (1 s: 5 s + 2 s grace) a new connection is refused until the name is resolved again ($v)" \
		test "$v" = "10.77.4.1 connected / ECONNREFUSED / 10.77.4.1 connected"
	v=$(counters "$err")
	ok "$m: the counters are what the guest did ($v)" \
		test "$v" = "addr 3, expired 1, dns_name 1, dns_server 0, denied 5, dns queries 4, learnt 3"
}

# run_mode MODE ARGS...: squib-net run with the rules and ARGS, the guest
# script as its command; output in $TMP/MODE.out, .err
run_mode() {
	local m=$1
	shift
	cp "$TMP/dns.log" "$TMP/dns.log.before" && : >"$TMP/dns.log"
	"$SQN" run --stats -v "${RULES[@]}" "$@" -- python3 "$TMP/guest.py" "$port" \
		>"$TMP/$m.out" 2>"$TMP/$m.err"
	echo $? >"$TMP/$m.rc"
	cp "$TMP/dns.log" "$TMP/dns.log.$m"
}

# ---- slirp: the guest's DNS is 10.0.2.3, libslirp's own ----
run_mode slirp
ok "slirp: run exits 0 (got $(cat "$TMP/slirp.rc"))" test "$(cat "$TMP/slirp.rc")" = 0
check slirp "$TMP/slirp.out" "$TMP/slirp.err"
ok "slirp: the denials are logged with their 5-tuple and name" sh -c \
	"grep -q 'policy: denied tcp 10.0.2.15:[0-9]* -> 10.77.2.1:$port: destination not allowed' '$TMP/slirp.err' &&
	 grep -q 'policy: denied udp 10.0.2.15:[0-9]* -> 10.0.2.3:53: DNS query for a name not allowed (name evil.test)' '$TMP/slirp.err' &&
	 grep -q -- '-> 10.77.4.1:$port: destination learnt from DNS, lifetime over (name short.test)' '$TMP/slirp.err'"

# ---- tap: the guest's DNS and gateway are the host's address on the TAP
# (the library reads it from the device; run gives it after start) ----
run_mode tap --mode tap --tap sqnt-pol0 --host-addr 10.66.0.1/24 \
	--guest-addr 10.66.0.2/24 --gateway 10.66.0.1 --dns 10.66.0.1
ok "tap: run exits 0 (got $(cat "$TMP/tap.rc"))" test "$(cat "$TMP/tap.rc")" = 0
check tap "$TMP/tap.out" "$TMP/tap.err"

# ---- userspace (passt): the guest's DNS is what passt's DHCP announces
# (10.0.2.3, which passt forwards to the resolver in resolv.conf) ----
run_mode passt --mode userspace --helper passt \
	--helper-arg -a --helper-arg 10.0.2.15 --helper-arg -n --helper-arg 24 \
	--helper-arg -g --helper-arg 10.0.2.2 \
	--helper-arg --dns-forward --helper-arg 10.0.2.3
ok "passt: run exits 0 (got $(cat "$TMP/passt.rc"))" test "$(cat "$TMP/passt.rc")" = 0
check passt "$TMP/passt.out" "$TMP/passt.err"
# ---- serve: one engine per VM port, here a listener's own rules; the slirp
# uplink's DHCP answer names the port's resolver. A neighbour VM on
# another listener (no rules) forges the resolver's answers, making the
# allowed name www.allowed.test point at the denied 10.77.2.1: a port's
# engine learns only from the uplink, so the guest's direct connection to
# 10.77.2.1 stays refused ----
S1=$TMP/pol.sock S2=$TMP/free.sock
cp "$HERE/policy_forge.py" "$TMP/forge.py"
cp "$TMP/dns.log" "$TMP/dns.log.before" && : >"$TMP/dns.log"
rule_opts=$(printf ',%s' allow-host=www.allowed.test allow-host=cdn-alias.test allow-host=short.test)
ok "serve: listens with a policy on one listener" serve_start "$TMP/serve.err" -v \
	--listen "unix://$S1$rule_opts" --listen "unix://$S2"
"$SQN" run --mode socket --connect "unix://$S1" -- sh -c \
	"touch $TMP/vm1.up; while [ ! -e $TMP/forging ]; do sleep 0.05; done
	 python3 $TMP/guest.py $port 5300; while [ ! -e $TMP/stats.done ]; do sleep 0.05; done" \
	>"$TMP/serve.out" 2>"$TMP/vm1.err" &
vm1=$!
for i in $(seq 200); do [ -e "$TMP/vm1.up" ] && break; sleep 0.05; done
"$SQN" run --mode socket --connect "unix://$S2" -- \
	python3 "$TMP/forge.py" 10.0.2.15 5300 "$TMP/forging" "$TMP/forge.stop" \
	>/dev/null 2>"$TMP/vm2.err" &
vm2=$!
cleanup_add "touch $TMP/forge.stop $TMP/stats.done"
for i in $(seq 600); do grep -q '^forged ' "$TMP/serve.out" && break; sleep 0.05; done
serve_stats "$TMP/serve.err"
touch "$TMP/forge.stop" "$TMP/stats.done"
wait $vm1; rc1=$?
wait $vm2
cp "$TMP/dns.log" "$TMP/dns.log.serve"
line=$(grep 'stats: port=.*policy_rules=3' "$TMP/serve.err" | tail -1)
pc() { echo "$line" | sed -n "s/.* policy_$1=\([0-9]*\).*/\1/p"; }
echo "$line" >"$TMP/serve.ctr"
ok "serve: the guest's run exits 0 (got $rc1)" test "$rc1" = 0
check serve "$TMP/serve.out" "$TMP/serve.ctr"
ok "serve: the forged answers reached the guest ($(val forged "$TMP/serve.out")) and taught its port nothing (answers read $(pc dns_answers), learnt $(pc learnt))" \
	sh -c "[ '$(val forged "$TMP/serve.out")' -gt 0 ] && [ '$(pc dns_answers)' = 4 ] && [ '$(pc learnt)' = 3 ]"
kill -TERM "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null
finish
