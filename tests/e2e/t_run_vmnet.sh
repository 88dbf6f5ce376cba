#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# t_run_vmnet.sh - squib-net run --mode shared|host|bridged through the same
# relay, against the SIMULATED vmnet.framework (tests/vmnet-sim): this runs
# only in the simulator build, and proves the relay and the backend work
# together, not that the real framework does.
. "$(dirname "$0")/lib.sh"
require_root
"$SQN" probe | grep -q '^  shared *yes' || skip_all "this build has no (simulated) vmnet"
plan 5

for mode in shared host; do
	out=$("$SQN" run --mode $mode -- sh -c \
		'ip -4 -o addr show eth0; gw=$(ip route show default | cut -d" " -f3); echo "gw $gw"; busybox ping -c 2 -W 2 "$gw" | tail -2' 2>&1)
	diag "$mode: $(echo "$out" | tr '\n' ' ')"
	ok "$mode: DHCP address from the simulated vmnet" sh -c "echo '$out' | grep -q 'inet 192.168.64.[0-9]*/24'"
	ok "$mode: the gateway answers ping" sh -c "echo '$out' | grep -q ' 0% packet loss'"
done
"$SQN" run --mode bridged -- true 2>"$TMP/err"
ok "bridged without --bridged: refused with a message" grep -q "needs --bridged IFACE" "$TMP/err"
finish
