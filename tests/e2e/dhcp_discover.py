#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dhcp_discover.py - DHCP clients on a stream port of squib-net serve.

Usage: dhcp_discover.py SOCKET N

Connects to SOCKET (u32-BE framing, as QEMU -netdev stream does) and, one
after the other, sends a DHCPDISCOVER from N distinct MACs (02:00:00:00:04:NN);
prints the address offered to each, or "none" when no offer comes within a
second.
"""
import socket
import struct
import sys


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    return ~(s + (s >> 16)) & 0xFFFF


def discover(mac, xid):
    bootp = struct.pack("!BBBBIHH16s16s64s128s", 1, 1, 6, 0, xid, 0, 0x8000,
                        bytes(16), mac + bytes(10), bytes(64), bytes(128))
    bootp += b"\x63\x82\x53\x63" + b"\x35\x01\x01" + b"\xff"
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes(4), b"\xff" * 4)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + ip + udp


def main():
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.settimeout(1)
    buf = b""

    def offer(xid):
        nonlocal buf
        while True:
            while len(buf) >= 4:
                n = struct.unpack("!I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                f, buf = buf[4:4 + n], buf[4 + n:]
                if (f[12:14] == b"\x08\x00" and f[23] == 17
                        and f[34:36] == b"\x00\x43"
                        and struct.unpack("!I", f[46:50])[0] == xid):
                    return socket.inet_ntoa(f[58:62])
            try:
                d = s.recv(65536)
            except socket.timeout:
                return "none"
            if not d:
                return "none"
            buf += d

    for i in range(1, int(sys.argv[2]) + 1):
        f = discover(bytes([2, 0, 0, 0, 4, i]), 0x5000 + i)
        s.sendall(struct.pack("!I", len(f)) + f)
        print(offer(0x5000 + i), flush=True)


main()
