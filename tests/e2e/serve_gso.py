#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""serve_gso.py SQUIB_NET DIR - squib-net serve's offload ports, frame by
frame, without namespaces: raw clients speak the offload hello and the
records themselves (doc/offload.md)

Three clients on one serve --mode none: A and B say the hello, C does not.
Checked, each a TAP line ("ok N - NAME", "not ok N - NAME # why"; the
plan last; exit 1 on any failure):
- the hello is answered with the same 16 bytes;
- a TCPv4 GSO frame from A (partial checksum) reaches B as it is, header
  and all, and C as MTU-sized segments: IPv4 and TCP checksums verify,
  sequence numbers follow, PSH on the last only, payload byte-exact;
- the same for TCPv6 (extension-header free);
- a plain frame from C reaches B with a zero header;
- a 65535-byte frame crosses between offload ports (a 65547-byte record);
- a frame whose GSO type serve cannot cut (UDP) reaches B, not C, and is
  counted (gso_refused);
- serve's counters: C's gso_cut and gso_extra, every port balanced
  (fwd_frames + gso_extra = out_frames + queued + drops).
"""
import os
import signal
import socket
import struct
import subprocess
import sys
import time

SQN, DIR = sys.argv[1], sys.argv[2]
PATH = os.path.join(DIR, "gso.sock")
LOG = os.path.join(DIR, "gso.log")
HELLO = b"\0\0\0\x0cSQN-VNET\0\x01\0\x0c"
MA, MB, MC = bytes([2, 0, 0, 0, 8, 1]), bytes([2, 0, 0, 0, 8, 2]), \
    bytes([2, 0, 0, 0, 8, 3])
failed = 0
count = 0


def check(name, cond, why=""):
    global failed, count
    count += 1
    print("ok %d - %s" % (count, name) if cond else
          "not ok %d - %s # %s" % (count, name, why), flush=True)
    failed |= not cond


def conn(offload):
    s = socket.socket(socket.AF_UNIX)
    s.connect(PATH)
    s.settimeout(5)
    if offload:
        s.sendall(HELLO)
        got = b""
        while len(got) < 16:
            got += s.recv(16 - len(got))
        check("hello answered", got == HELLO, repr(got))
    return s


def rec(s):
    h = b""
    while len(h) < 4:
        h += s.recv(4 - len(h))
    n = struct.unpack(">I", h)[0]
    b = b""
    while len(b) < n:
        b += s.recv(n - len(b))
    return b


def none_waiting(s):
    s.settimeout(0.3)
    try:
        s.recv(1)
        return False
    except (socket.timeout, TimeoutError):
        return True
    finally:
        s.settimeout(5)


def csum(b):
    if len(b) % 2:
        b += b"\0"
    v = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while v >> 16:
        v = (v & 0xffff) + (v >> 16)
    return v


def eth(dst, src, et, pl):
    return dst + src + struct.pack(">H", et) + pl


def send(s, frame, vh=None):
    if vh is None:
        s.sendall(struct.pack(">I", len(frame)) + frame)
    else:
        s.sendall(struct.pack(">I", 12 + len(frame)) + vh + frame)


PAY = bytes((i * 7) & 255 for i in range(4000))


def tcp4(dst):
    ip = bytearray(20)
    ip[0], ip[8], ip[9] = 0x45, 64, 6
    ip[12:20] = bytes([10, 0, 0, 1, 10, 0, 0, 2])
    struct.pack_into(">H", ip, 2, 40 + len(PAY))
    t = bytearray(20)
    struct.pack_into(">HHII", t, 0, 4000, 80, 100, 5)
    t[12], t[13] = 5 << 4, 0x18
    ps = csum(bytes(ip[12:20]) + struct.pack(">BBH", 0, 6, 20 + len(PAY)))
    struct.pack_into(">H", t, 16, ps)
    return eth(dst, MA, 0x800, bytes(ip) + bytes(t) + PAY)


def tcp6(dst):
    ip = bytearray(40)
    ip[0], ip[6], ip[7] = 0x60, 6, 64
    ip[8:24] = bytes([0xfe, 0x80] + [0] * 13 + [1])
    ip[24:40] = bytes([0xfe, 0x80] + [0] * 13 + [2])
    struct.pack_into(">H", ip, 4, 20 + len(PAY))
    t = bytearray(20)
    struct.pack_into(">HHII", t, 0, 4000, 80, 7, 5)
    t[12], t[13] = 5 << 4, 0x18
    ps = csum(bytes(ip[8:40]) + struct.pack(">IxxxB", 20 + len(PAY), 6))
    struct.pack_into(">H", t, 16, ps)
    return eth(dst, MA, 0x86dd, bytes(ip) + bytes(t) + PAY)


def segments_ok(s, v6, seq0):
    l4 = 54 if v6 else 34
    got, why = b"", ""
    for i in range(4):
        seg = rec(s)
        tl = len(seg) - l4
        if len(seg) != l4 + 20 + 1000:
            why = "segment %d: %d bytes" % (i, len(seg))
        elif not v6 and csum(seg[14:34]) != 0xffff:
            why = "segment %d: IPv4 checksum" % i
        elif csum((seg[22:54] + struct.pack(">IxxxB", tl, 6) if v6 else
                   seg[26:34] + struct.pack(">BBH", 0, 6, tl)) +
                  seg[l4:]) != 0xffff:
            why = "segment %d: TCP checksum" % i
        elif struct.unpack(">I", seg[l4 + 4:l4 + 8])[0] != seq0 + i * 1000:
            why = "segment %d: sequence number" % i
        elif seg[l4 + 13] != (0x18 if i == 3 else 0x10):
            why = "segment %d: flags %#x" % (i, seg[l4 + 13])
        if why:
            return why
        got += seg[l4 + 20:]
    return "" if got == PAY else "payload differs"


def stats():
    n = open(LOG).read().count("stats: network")
    sv.send_signal(signal.SIGUSR1)
    for _ in range(100):
        text = open(LOG).read()
        if text.count("stats: network") > n:
            return [ln for ln in text.splitlines() if "serve: stats:" in ln]
        time.sleep(0.05)
    return []


def val(line, key):
    for w in line.split():
        if w.startswith(key + "="):
            return int(w.split("=", 1)[1])
    return None


sv = subprocess.Popen([SQN, "serve", "--mode", "none", "--listen",
                       "unix://" + PATH], stderr=open(LOG, "w"))
try:
    for _ in range(100):
        if "listening on" in open(LOG).read():
            break
        time.sleep(0.05)
    A, B, C = conn(True), conn(True), conn(False)
    # each says who it is (a broadcast); then the others' are drained
    for s, mac, vh in ((A, MA, bytes(12)), (B, MB, bytes(12)),
                       (C, MC, None)):
        send(s, eth(b"\xff" * 6, mac, 0x88b5, bytes(50)), vh)
    for s in (A, B, C):
        rec(s)
        rec(s)
    vh4 = struct.pack("<BBHHHHH", 1, 1, 54, 1000, 34, 16, 0)
    vh6 = struct.pack("<BBHHHHH", 1, 4, 74, 1000, 54, 16, 0)
    send(A, tcp4(MB), vh4)
    r = rec(B)
    check("TCPv4 GSO frame: to an offload port as it is",
          r[:12] == vh4 and r[12:] == tcp4(MB), "%d bytes" % len(r))
    send(A, tcp4(MC), vh4)
    why = segments_ok(C, False, 100)
    check("TCPv4 GSO frame: to a plain port cut, checksums complete",
          not why, why)
    send(A, tcp6(MB), vh6)
    r = rec(B)
    check("TCPv6 GSO frame: to an offload port as it is",
          r[:12] == vh6 and r[12:] == tcp6(MB), "%d bytes" % len(r))
    send(A, tcp6(MC), vh6)
    why = segments_ok(C, True, 7)
    check("TCPv6 GSO frame: to a plain port cut, checksums complete",
          not why, why)
    f = eth(MB, MC, 0x88b5, bytes(range(100)))
    send(C, f)
    r = rec(B)
    check("plain frame: to an offload port with a zero header",
          r == bytes(12) + f, repr(r[:16]))
    # the largest frame: 65535 bytes, a record of 65547 between offload
    # ports (an MTU of 65520 works as without offloads)
    big = eth(MB, MA, 0x88b5, bytes(i & 255 for i in range(65535 - 14)))
    send(A, big, bytes(12))
    r = rec(B)
    check("a 65535-byte frame between offload ports (a 65547-byte record)",
          r == bytes(12) + big, "%d bytes" % len(r))
    # UDP GSO (type 3): nothing serve can cut; a broadcast, so both see it
    udp = eth(b"\xff" * 6, MA, 0x800, bytes(3000))
    send(A, udp, struct.pack("<BBHHHHH", 0, 3, 42, 1000, 0, 0, 0))
    r = rec(B)
    check("UDP GSO frame: to an offload port as it is",
          r[12:] == udp and r[1] == 3, "")
    check("UDP GSO frame: not to a plain port", none_waiting(C),
          "C got bytes")
    lines = stats()
    net = [ln for ln in lines if "stats: network" in ln][-1:]
    pc = [ln for ln in lines if "mac=02:00:00:00:08:03" in ln][-1:]
    check("counted: a frame that could not be cut (gso_refused=1)",
          net and val(net[0], "gso_refused") == 1, net)
    check("counted: C's port, 2 frames cut into 8 segments",
          pc and val(pc[0], "gso_cut") == 2 and
          val(pc[0], "gso_extra") == 6, pc)
    bal = True
    for ln in lines:
        if "stats: port=" not in ln:
            continue
        left = val(ln, "fwd_frames") + val(ln, "gso_extra")
        right = sum(val(ln, k) for k in ("out_frames", "queued",
                                          "drop_queue", "drop_error",
                                          "lost"))
        bal &= left == right
    check("every port balanced: fwd_frames + gso_extra = out + queued + "
          "drops", bal and lines, lines)
    check("offload=on for A and B, off for C",
          sum(" offload=on" in ln for ln in lines) == 2 and
          sum(" offload=off" in ln for ln in lines) == 1, lines)
except (OSError, socket.timeout) as e:
    check("no client error", False, repr(e))
finally:
    sv.terminate()
    sv.wait()
print("1..%d" % count)
sys.exit(1 if failed else 0)
