#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_vmnet.sh - squib-net run --mode shared|host|bridged through the same
# relay, against the SIMULATED vmnet.framework (tests/vmnet-sim): this runs
# only in the simulator build, and proves the relay and the backend work
# together, not that the real framework does.
#
# Bridged mode: the simulator puts a bridged port on a simulated LAN behind
# the named host interface, whose router (192.168.1.1) answers ARP, ICMP
# echo and DHCP (from 192.168.1.100). squib-net run asks no DHCP server in
# bridged mode (the LAN's is not vmnet's), so the namespace is addressed
# statically once, and once by a DHCP client of its own (busybox udhcpc)
# against the LAN's router.
. "$(dirname "$0")/lib.sh"
require_root
require_cmd busybox
"$SQN" probe | grep -q '^  shared *yes' || skip_all "this build has no (simulated) vmnet"
plan 11

for mode in shared host; do
	out=$("$SQN" run --mode $mode -- sh -c \
		'ip -4 -o addr show eth0; gw=$(ip route show default | cut -d" " -f3); echo "gw $gw"; busybox ping -c 2 -W 2 "$gw" | tail -2' 2>&1)
	diag "$mode: $(echo "$out" | tr '\n' ' ')"
	ok "$mode: DHCP address from the simulated vmnet" sh -c "echo '$out' | grep -q 'inet 192.168.64.[0-9]*/24'"
	ok "$mode: the gateway answers ping" sh -c "echo '$out' | grep -q ' 0% packet loss'"
done

# bridged, static: the LAN's router answers ARP and ping
out=$("$SQN" run --mode bridged --bridged en0 --guest-addr 192.168.1.50/24 \
	--gateway 192.168.1.1 -- sh -c \
	'ip -4 -o addr show eth0; ip route show default; busybox ping -c 2 -W 2 192.168.1.1 | tail -2; busybox ping -c 1 -W 1 192.168.64.1 | tail -1' 2>&1)
rc=$?
diag "bridged static (rc $rc): $(echo "$out" | tr '\n' ' ')"
ok "bridged en0, static: runs" test $rc -eq 0
ok "bridged en0, static: address and route as given" sh -c \
	"echo '$out' | grep -q 'inet 192.168.1.50/24' && echo '$out' | grep -q 'default via 192.168.1.1'"
ok "bridged en0, static: the LAN's router answers ping" sh -c "echo '$out' | grep -q ' 0% packet loss'"
ok "bridged en0: vmnet's NAT gateway is not on the LAN" sh -c "echo '$out' | grep -q ' 100% packet loss'"

# bridged, DHCP from the LAN's router, by a client in the namespace
cat >"$TMP/udhcpc.sh" <<'EOF'
#!/bin/sh
case "$1" in
bound | renew)
	ip addr add "$ip/$mask" dev "$interface"
	ip route add default via "$router"
	echo "lease $ip/$mask router $router"
	;;
esac
EOF
chmod +x "$TMP/udhcpc.sh"
out=$("$SQN" run --mode bridged --bridged en0 --no-dhcp -- sh -c \
	"busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -s $TMP/udhcpc.sh 2>&1; busybox ping -c 2 -W 2 192.168.1.1 | tail -2" 2>&1)
diag "bridged DHCP: $(echo "$out" | tr '\n' ' ')"
ok "bridged en0: a lease from the simulated LAN's router" sh -c \
	"echo '$out' | grep -q 'lease 192.168.1.1[0-9][0-9]/24 router 192.168.1.1$'"
ok "bridged en0, DHCP: the router answers ping" sh -c "echo '$out' | grep -q ' 0% packet loss'"

"$SQN" run --mode bridged -- true 2>"$TMP/err"
ok "bridged without --bridged: refused with a message" grep -q "needs --bridged IFACE" "$TMP/err"
finish
