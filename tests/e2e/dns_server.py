#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""dns_server.py - a tiny authoritative DNS server for the tests.

Answers A queries for NAME with ADDR (TTL 60) and NXDOMAIN for anything
else, over UDP and TCP, on the host's loopback, so that no test ever sends
a query to a real resolver: zone_dns.py's server with a zone of one record.
Every question is appended to LOGFILE as "NAME TYPE PROTO".
Usage: dns_server.py LISTEN_ADDR PORT NAME ADDR LOGFILE
"""
import os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zone_dns  # noqa: E402

if __name__ == '__main__':
    listen, port, name, addr, log = sys.argv[1:6]
    zone_dns.ZONE[name.lower().rstrip('.')] = [('A', addr, 60)]
    zone_dns.serve(listen, int(port), log)
