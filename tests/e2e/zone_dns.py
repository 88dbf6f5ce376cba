#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""zone_dns.py - a small authoritative DNS server for the policy tests.

Answers from a zone file over UDP and TCP, on an address of the test's own
(never a real resolver): A records, CNAME chains (followed inside the zone,
the CNAMEs and the final addresses in the answer, as a recursive resolver
hands them to a stub), TTLs as written, NXDOMAIN for a name the zone does
not have, an empty answer for another type. Every question is appended to
LOGFILE as "NAME TYPE PROTO", so a test can tell what reached the server.

Zone file: one record per line, "NAME A ADDR TTL" or "NAME CNAME TARGET
TTL"; blank lines and lines starting with # are skipped.

Usage: zone_dns.py LISTEN_ADDR PORT ZONEFILE LOGFILE
"""
import socket, socketserver, struct, sys, threading

ZONE = {}


def load(path):
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith('#'):
            continue
        ZONE.setdefault(f[0].lower().rstrip('.'), []).append((f[1].upper(), f[2], int(f[3])))


def name_wire(name):
    out = b''
    for label in name.split('.'):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b'\0'


def answer(query, log, proto):
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack('!HHH', query[:6])
    i, labels = 12, []
    while i < len(query) and query[i]:
        labels.append(query[i + 1:i + 1 + query[i]].decode('ascii', 'replace'))
        i += 1 + query[i]
    i += 1
    if i + 4 > len(query) or qd != 1:
        return None
    qtype = struct.unpack('!H', query[i:i + 2])[0]
    question = query[12:i + 4]
    qname = '.'.join(labels).lower()
    with open(log, 'a') as f:
        f.write(f'{qname} {qtype} {proto}\n')
    rrs, name, seen = [], qname, set()
    while name in ZONE and name not in seen:
        seen.add(name)
        recs = ZONE[name]
        cname = [r for r in recs if r[0] == 'CNAME']
        if cname:
            target = cname[0][1].lower().rstrip('.')
            rrs.append(name_wire(name) + struct.pack('!HHIH', 5, 1, cname[0][2], len(name_wire(target))) + name_wire(target))
            name = target
            continue
        for t, v, ttl in recs:
            if t == 'A' and qtype == 1:
                rrs.append(name_wire(name) + struct.pack('!HHIH', 1, 1, ttl, 4) + socket.inet_aton(v))
        break
    rcode = 0 if qname in ZONE else 3
    hdr = struct.pack('!HHHHHH', qid, 0x8180 | rcode, 1, len(rrs), 0, 0)
    return hdr + question + b''.join(rrs)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        buf = b''
        while True:
            data = self.request.recv(4096)
            if not data:
                return
            buf += data
            while len(buf) >= 2 and len(buf) >= 2 + struct.unpack('!H', buf[:2])[0]:
                n = struct.unpack('!H', buf[:2])[0]
                msg, buf = buf[2:2 + n], buf[2 + n:]
                r = answer(msg, self.server.log, 'tcp')
                if r:
                    self.request.sendall(struct.pack('!H', len(r)) + r)


class TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(listen, port, log):
    """Answer from ZONE on listen:port, UDP and TCP, until killed."""
    tcp = TCPServer((listen, port), TCPHandler)
    tcp.log = log
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((listen, port))
    while True:
        data, peer = s.recvfrom(2048)
        r = answer(data, log, 'udp')
        if r:
            s.sendto(r, peer)


def main():
    load(sys.argv[3])
    serve(sys.argv[1], int(sys.argv[2]), sys.argv[4])


if __name__ == '__main__':
    main()
