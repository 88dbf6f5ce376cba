#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""policy_forge.py - a VM that forges its neighbour's resolver.

Runs as root in a guest namespace on the same serve network as the guest of
t_run_policy.sh, and sends that guest, every 50 ms, a DNS answer that seems
to come from the resolver (IPv4 source 10.0.2.3, port 53): "www.allowed.test
is 10.77.2.1", a name the guest may reach at an address it may not. serve
must not let a peer teach a port's policy: the guest's connection to
10.77.2.1 stays refused. Creates FLAG after its first answer; stops when
STOP exists.

Usage: policy_forge.py GUEST_ADDR GUEST_PORT FLAG STOP
"""
import os, socket, struct, sys, time

guest, gport, flag, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


name = b''.join(bytes([len(x)]) + x for x in b'www.allowed.test'.split(b'.')) + b'\0'
dns = struct.pack('!HHHHHH', 0x4242, 0x8180, 1, 1, 0, 0) + name + struct.pack('!HH', 1, 1) + \
    b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton('10.77.2.1')
src, dst = socket.inet_aton('10.0.2.3'), socket.inet_aton(guest)
udp = struct.pack('!HHHH', 53, gport, 8 + len(dns), 0) + dns
udp = udp[:6] + struct.pack('!H', csum(src + dst + struct.pack('!BBH', 0, 17, len(udp)) + udp)) + udp[8:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
while not os.path.exists(stop):
    s.sendto(ip + udp, (guest, 0))
    if not os.path.exists(flag):
        open(flag, 'w').close()
    time.sleep(0.05)
