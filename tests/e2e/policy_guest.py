#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""policy_guest.py - what the guest of t_run_policy.sh does, and what it saw.

Runs inside the guest's namespace (squib-net run's command, or a VM port's
namespace behind serve) with the egress policy of t_run_policy.sh in force:
  --allow-host www.allowed.test --allow-host cdn-alias.test
  --allow-host short.test
and prints one line per check, "KEY VALUE...", for the test to assert:

  resolver      the guest's nameserver (resolv.conf)
  ttl_first     the first connection to short.test (TTL 1 s: 5 s + 2 s)
  unlearnt      a connection to 10.77.3.1 before its name was resolved
  allowed       www.allowed.test's address, and the SHA-256 of /blob
  denied_name   getaddrinfo() of evil.test: its error number
  direct        a connection to 10.77.2.1 (no name): error, milliseconds
  udp           a connected UDP socket to 10.77.2.1:9: the error of recv
  cname         cdn-alias.test (a CNAME to edge.cdn.test) and /blob's hash
  ttl_expired   a new connection to short.test's address after 8.5 s
  ttl_again     short.test resolved again, then connected
  forged        (PORT2 given) forged answers received on UDP port PORT2

Names are resolved with getaddrinfo(AF_INET): one A query each, so the
test can count them. Connections go to the address resolved (HTTP with the
name in Host), never through another lookup.

Usage: policy_guest.py PORT [PORT2]
"""
import errno, hashlib, http.client, socket, sys, time

PORT = int(sys.argv[1])
# with a second argument: a UDP port where forged resolver answers arrive
# (serve's test: a neighbour VM forges them); how many came is reported
FORGED = socket.socket(socket.AF_INET, socket.SOCK_DGRAM) if len(sys.argv) > 2 else None
if FORGED:
    FORGED.bind(('0.0.0.0', int(sys.argv[2])))
    FORGED.setblocking(False)


def resolve(name):
    try:
        return socket.getaddrinfo(name, PORT, socket.AF_INET, socket.SOCK_STREAM)[0][4][0]
    except socket.gaierror as e:
        return 'gaierror:%d' % e.errno


def err_name(e):
    return errno.errorcode.get(e.errno, str(e)) if e.errno else type(e).__name__


def connect(ip):
    t = time.monotonic()
    try:
        socket.create_connection((ip, PORT), timeout=5).close()
        r = 'connected'
    except OSError as e:
        r = err_name(e)
    return '%s %.1f' % (r, (time.monotonic() - t) * 1000)


def fetch(ip, host):
    try:
        c = http.client.HTTPConnection(ip, PORT, timeout=20)
        c.request('GET', '/blob', headers={'Host': host})
        return hashlib.sha256(c.getresponse().read()).hexdigest()
    except OSError as e:
        return err_name(e)


def say(key, *v):
    print(key, *v, flush=True)


say('resolver', *[l.split()[1] for l in open('/etc/resolv.conf')
                  if l.startswith('nameserver')][:1])
short = resolve('short.test')
say('ttl_first', short, connect(short))
t0 = time.monotonic()
say('unlearnt', connect('10.77.3.1'))
ip = resolve('www.allowed.test')
say('allowed', ip, fetch(ip, 'www.allowed.test'))
say('denied_name', resolve('evil.test'))
say('direct', connect('10.77.2.1'))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(('10.77.2.1', 9))
s.send(b'anyone there?')
t = time.monotonic()
try:
    s.recv(100)
    say('udp', 'answered')
except OSError as e:
    say('udp', err_name(e), '%.1f' % ((time.monotonic() - t) * 1000))
ip = resolve('cdn-alias.test')
say('cname', ip, fetch(ip, 'cdn-alias.test'))
time.sleep(max(0, t0 + 8.5 - time.monotonic()))
say('ttl_expired', connect(short))
again = resolve('short.test')
say('ttl_again', again, connect(again))
if FORGED:
    n = 0
    while True:
        try:
            FORGED.recv(2048)
            n += 1
        except BlockingIOError:
            break
    say('forged', n)
