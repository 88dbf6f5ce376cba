#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dns_server.py - a tiny authoritative DNS server for the tests.

Answers A queries for NAME with ADDR (and NXDOMAIN for anything else) on
the host's loopback, so that no test ever sends a query to a real resolver.
Usage: dns_server.py LISTEN_ADDR PORT NAME ADDR LOGFILE
"""
import socket, struct, sys

def main():
    listen, port, name, addr, log = sys.argv[1], int(sys.argv[2]), sys.argv[3].lower().rstrip('.'), sys.argv[4], sys.argv[5]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((listen, port))
    while True:
        data, peer = s.recvfrom(2048)
        if len(data) < 12:
            continue
        qid, flags, qd = struct.unpack('!HHH', data[:6])
        i, labels = 12, []
        while i < len(data) and data[i]:
            labels.append(data[i + 1:i + 1 + data[i]].decode('ascii', 'replace'))
            i += 1 + data[i]
        i += 1
        if i + 4 > len(data):
            continue
        qtype, qclass = struct.unpack('!HH', data[i:i + 4])
        question = data[12:i + 4]
        qname = '.'.join(labels).lower()
        with open(log, 'a') as f:
            f.write(f'{qname} {qtype}\n')
        if qname == name and qtype == 1:
            ans = b'\xc0\x0c' + struct.pack('!HHIH', 1, 1, 60, 4) + socket.inet_aton(addr)
            hdr = struct.pack('!HHHHHH', qid, 0x8180, 1, 1, 0, 0)
        else:
            ans = b''
            rcode = 0 if qname == name else 3
            hdr = struct.pack('!HHHHHH', qid, 0x8180 | rcode, 1, 0, 0, 0)
        s.sendto(hdr + question + ans, peer)

if __name__ == '__main__':
    main()
