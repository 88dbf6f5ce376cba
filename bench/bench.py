#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench.py - throughput and latency of every squib-net path against the
anchors, one run

Theory of operation: every path is one line of PATHS. Setting a path up
yields a network namespace (found by the pid of a process living in it) and
the address, in that namespace, of an iperf3 server that runs on the host
side: the host's 127.0.0.1 behind the address a userspace stack maps to the
host (10.0.2.2), a host TAP's address, or the far end of a veth pair. The
iperf3 client always runs in the namespace (nsenter -n), so the same
measurement is made the same way for every path: -c is namespace -> host,
-c -R is host -> namespace. Each (path, MTU) is set up once, then every
repetition measures both directions; the median of the receiver's Gbit/s is
reported, with the ratio to each anchor measured in the same run. Then, on
the same path, latency: bench/rr request/response round trips (1 B and
1 KiB) and ICMP echoes, median and p99, and what each adds to veth's.

Everything created is named sqnb-<pid>-..., registered as it is made and
torn down in a finally block, from atexit and on SIGINT/SIGTERM. Only
processes this script started (and their descendants) are ever signalled,
each by pid.

Output, in --out: bench.txt (tables), bench.json (machine, versions, raw
samples), bench.svg (grouped bar charts). Standard library only; the
naive-relay anchor and the rr tool are C programs built with the tree.
"""

import argparse
import atexit
import datetime
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PID = os.getpid()
TAG = "sqnb-%d" % PID

DIRS = ("ns->host", "host->ns")
# A sample under this is a stalled transfer (passt 2023-03 stalls bulk
# namespace-to-host TCP); a stalled anchor gives no ratio.
STALL_GBPS = 0.05
ANCHORS = ("veth", "pasta", "slirp4netns", "naive-relay")
# Latency: TCP request/response (bench/rr) with these message sizes, and
# ICMP echo where the path answers it
RR_SIZES = (1, 1024)
LAT_TESTS = ("rr 1 B", "rr 1 KiB", "ping")

# The userspace stacks' view of the host: 10.0.2.2 is the gateway they map
# to the host's loopback (libslirp's default; passt and pasta get it with
# explicit -a/-n/-g and map the gateway to the host, their default). gvproxy
# maps 192.168.127.254 to the host's 127.0.0.1.
SLIRP_NET = ["-a", "10.0.2.15", "-n", "24", "-g", "10.0.2.2"]
HOST_ALIAS = "10.0.2.2"
GVPROXY_HOST = "192.168.127.254"
TAP_HOST, TAP_GUEST = "10.99.0.1", "10.99.0.2"
VETH_A, VETH_B = "10.98.0.1", "10.98.0.2"


class Unavailable(Exception):
    """A path that cannot run here: its message goes in the table."""


# --------------------------------------------------------------------------
# processes and cleanup


class Reaper:
    """What this run created, undone in reverse order, once."""

    def __init__(self):
        self.undo = []
        self.done = False

    def add(self, what, fn):
        self.undo.append((what, fn))
        return len(self.undo) - 1

    def run_one(self, idx):
        what, fn = self.undo[idx]
        self.undo[idx] = (what, None)
        if fn:
            try:
                fn()
            except Exception as e:  # cleanup goes on
                log("cleanup of %s: %s" % (what, e))

    def all(self):
        for idx in range(len(self.undo) - 1, -1, -1):
            self.run_one(idx)
        self.undo = []


REAPER = Reaper()
VERBOSE = False


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def vlog(msg):
    if VERBOSE:
        log(msg)


def ppid_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def is_ours(pid):
    """True if pid is a descendant of this script (so ours to signal)."""
    if pid <= 1:
        return False
    for _ in range(64):
        pid = ppid_of(pid)
        if pid == PID:
            return True
        if pid <= 1:
            return False
    return False


def children_of(pid):
    out = []
    try:
        for t in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, t)) as f:
                out += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return out


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children_of(p):
            out.append(c)
            todo.append(c)
    return out


def netns_of(pid):
    try:
        return os.readlink("/proc/%d/ns/net" % pid)
    except OSError:
        return None


MY_NETNS = netns_of(PID)


def start_time(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def kill_pid(pid, sig=signal.SIGTERM):
    if is_ours(pid):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def kill_known(procs, sig=signal.SIGKILL):
    """Signal (pid, start time) pairs recorded while they were ours, if the
    same process still exists (an orphan is reparented away from us)."""
    for pid, st in procs:
        if pid > 1 and st is not None and start_time(pid) == st:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass


def stop_proc(p, grace=3.0):
    """Stop a child we started and everything under it.

    The processes holding a namespace are killed first (SIGKILL: a sleep
    that is PID 1 of its own PID namespace, as under pasta, ignores
    SIGTERM), which makes pasta, slirp4netns and squib-net run finish on
    their own; what is left gets SIGTERM, then SIGKILL after @grace seconds.
    """
    if p.poll() is not None:
        return
    subs = [(d, start_time(d)) for d in descendants(p.pid)]
    holders = [x for x in subs if netns_of(x[0]) != MY_NETNS]
    if netns_of(p.pid) != MY_NETNS:
        holders.append((p.pid, start_time(p.pid)))
    kill_known(holders)
    try:
        p.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        kill_pid(p.pid)
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            kill_known(subs)
            kill_pid(p.pid, signal.SIGKILL)
            p.wait()
    kill_known(subs)


def spawn(what, argv, log_path=None, **kw):
    """Start a child we own; stop it at cleanup. Its output goes to a log."""
    vlog("start %s: %s" % (what, " ".join(argv)))
    out = open(log_path, "wb") if log_path else subprocess.DEVNULL
    try:
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT if log_path else
                             subprocess.DEVNULL, **kw)
    except OSError as e:
        raise Unavailable("%s: %s" % (argv[0], e.strerror))
    finally:
        if log_path:
            out.close()
    p.sqnb_log = log_path
    p.sqnb_idx = REAPER.add(what, lambda: stop_proc(p))
    return p


def release(p):
    REAPER.run_one(p.sqnb_idx)


def sh(argv, check=True, timeout=30):
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=timeout)
    if check and r.returncode:
        raise Unavailable("%s: %s" % (" ".join(argv[:4]),
                                      first_line(r.stderr or r.stdout)))
    return r


def first_line(text):
    for line in (text or "").splitlines():
        line = line.strip()
        if line and "syslog" not in line:
            return line
    return "(no message)"


def log_first_line(p):
    if not p.sqnb_log:
        return "(no log)"
    try:
        with open(p.sqnb_log, errors="replace") as f:
            return first_line(f.read())
    except OSError:
        return "(no log)"


def in_ns(pid, argv):
    return ["nsenter", "-t", str(pid), "-n", "--"] + argv


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(pred, timeout, what, proc=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        if proc is not None and proc.poll() is not None:
            raise Unavailable(log_first_line(proc))
        time.sleep(0.05)
    if proc is not None and proc.poll() is not None:
        raise Unavailable(log_first_line(proc))
    raise Unavailable("timed out waiting for " + what)


def ns_holder(proc):
    """The first process under @proc (or @proc) in another netns."""
    for c in [proc.pid] + descendants(proc.pid):
        ns = netns_of(c)
        if ns and ns != MY_NETNS:
            return c
    return None


def ns_ready(pid, target):
    """True once the namespace has an IPv4 address and a route to target."""
    r = sh(in_ns(pid, ["ip", "-4", "-j", "route", "get", target]),
           check=False, timeout=10)
    if r.returncode:
        return False
    try:
        routes = json.loads(r.stdout)
    except ValueError:
        return False
    return bool(routes and routes[0].get("prefsrc"))


def ns_mtu(pid, target):
    r = sh(in_ns(pid, ["ip", "-4", "-j", "route", "get", target]),
           check=False)
    try:
        dev = json.loads(r.stdout)[0]["dev"]
        r = sh(in_ns(pid, ["ip", "-j", "link", "show", "dev", dev]))
        return json.loads(r.stdout)[0]["mtu"]
    except (ValueError, KeyError, IndexError, Unavailable):
        return None


def listening(pid, port):
    """True when a TCP socket listens on @port in @pid's namespace."""
    for name in ("tcp", "tcp6"):
        try:
            with open("/proc/%d/net/%s" % (pid, name)) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if (fields[3] == "0A" and
                            int(fields[1].split(":")[1], 16) == port):
                        return True
        except OSError:
            pass
    return False


# --------------------------------------------------------------------------
# the paths


class Env:
    """A set-up path: where the client runs and where the server listens.

    @ns_pid:	a process in the client's namespace
    @server_ns:	a process in the server's namespace, None for the host
    @bind:	address the server binds
    @target:	address the client connects to
    """

    def __init__(self, ns_pid, bind, target, server_ns=None):
        self.ns_pid, self.bind, self.target = ns_pid, bind, target
        self.server_ns = server_ns


def holder(what):
    """A sleeping process in a fresh network namespace."""
    p = spawn(what, ["unshare", "-n", "sleep", "1000000"])
    wait_for(lambda: netns_of(p.pid) not in (None, MY_NETNS), 5,
             "unshare -n", p)
    return p


def setup_veth(ctx, mtu):
    a, b = holder("veth ns A"), holder("veth ns B")
    va, vb = TAG + "-va", TAG + "-vb"
    sh(["ip", "link", "add", va, "type", "veth", "peer", "name", vb])
    REAPER.add("veth " + va,
               lambda: sh(["ip", "link", "del", va], check=False))
    sh(["ip", "link", "set", va, "netns", str(a.pid)])
    sh(["ip", "link", "set", vb, "netns", str(b.pid)])
    for p, dev, addr in ((a, va, VETH_A), (b, vb, VETH_B)):
        sh(in_ns(p.pid, ["ip", "link", "set", "lo", "up"]))
        sh(in_ns(p.pid, ["ip", "link", "set", dev, "mtu", str(mtu), "up"]))
        sh(in_ns(p.pid, ["ip", "addr", "add", addr + "/24", "dev", dev]))
    wait_for(lambda: ns_ready(b.pid, VETH_A), 5, "veth address")
    return Env(b.pid, VETH_A, VETH_A, server_ns=a.pid)


def setup_pasta(ctx, mtu):
    p = spawn("pasta", ["pasta", "--runas", "0", "--config-net", "-f", "-q",
                        "-4"] + SLIRP_NET +
              ["--mtu", str(mtu), "-t", "none", "-u", "none", "-T", "none",
               "-U", "none", "--", "sleep", "1000000"],
              log_path=ctx.logfile("pasta-%d" % mtu))
    pid = wait_for(lambda: ns_holder(p), 10, "pasta's namespace", p)
    wait_for(lambda: ns_ready(pid, HOST_ALIAS), 10, "pasta's address", p)
    return Env(pid, "127.0.0.1", HOST_ALIAS)


def setup_slirp4netns(ctx, mtu):
    h = holder("slirp4netns ns")
    r, w = os.pipe()
    try:
        p = spawn("slirp4netns",
                  ["slirp4netns", "--configure", "--mtu=%d" % mtu,
                   "--ready-fd=%d" % w, str(h.pid), "tap0"],
                  log_path=ctx.logfile("slirp4netns-%d" % mtu),
                  pass_fds=(w,))
    finally:
        os.close(w)
    try:
        os.set_blocking(r, False)
        wait_for(lambda: _read_ready(r), 10, "slirp4netns --ready-fd", p)
    finally:
        os.close(r)
    wait_for(lambda: ns_ready(h.pid, HOST_ALIAS), 10, "slirp4netns address",
             p)
    return Env(h.pid, "127.0.0.1", HOST_ALIAS)


def _read_ready(fd):
    try:
        return os.read(fd, 1) == b"1"
    except BlockingIOError:
        return False


def setup_naive(ctx, mtu):
    """bench/naive-relay: passt --fd and a TAP in a fresh namespace, one
    blocking thread per direction; the namespace is configured here as
    passt's DHCP would (address, MTU, default route)."""
    if not ctx.naive:
        raise Unavailable("bench/naive-relay not built (ninja -C build)")
    h = holder("naive-relay ns")
    tap = ctx.tap_name[:-1] + "n"
    p = spawn("naive-relay", [ctx.naive, "/proc/%d/ns/net" % h.pid, tap,
                              "--", "passt", "-f", "-m", str(mtu)] +
              SLIRP_NET, log_path=ctx.logfile("naive-relay-%d" % mtu))
    wait_for(lambda: sh(in_ns(h.pid, ["ip", "link", "show", tap]),
                        check=False).returncode == 0, 10,
             "naive-relay's TAP", p)
    for argv in (["ip", "link", "set", "lo", "up"],
                 ["ip", "link", "set", tap, "mtu", str(mtu), "up"],
                 ["ip", "addr", "add", "10.0.2.15/24", "dev", tap],
                 ["ip", "route", "add", "default", "via", HOST_ALIAS]):
        sh(in_ns(h.pid, argv))
    wait_for(lambda: ns_ready(h.pid, HOST_ALIAS), 10, "naive-relay address",
             p)
    return Env(h.pid, "127.0.0.1", HOST_ALIAS)


def run_path(args_fn, target, bind="127.0.0.1", pre=None, post=None):
    """A path of ours: squib-net run ARGS --mtu N -- sleep, then nsenter."""

    def setup(ctx, mtu):
        exe = ctx.cur_squib
        if not exe:
            raise Unavailable("squib-net not built (looked in %s; give "
                              "--squib-net PATH)" % ", ".join(ctx.looked))
        if pre:
            pre(ctx, mtu)
        argv = [exe, "run", "--mtu", str(mtu)] + args_fn(ctx) + \
            ["--", "sleep", "1000000"]
        p = spawn("squib-net run", argv,
                  log_path=ctx.logfile("run-%s-%d" % (ctx.cur, mtu)))
        pid = wait_for(lambda: ns_holder(p), 20, "squib-net run's namespace",
                       p)
        wait_for(lambda: ns_ready(pid, target), 20,
                 "the namespace's address (squib-net run)", p)
        if post:
            post(ctx, mtu)
        return Env(pid, bind, target)

    return setup


def start_passt_socket(ctx, mtu):
    # one name per path: a passt of a path measured before (socket-passt
    # before socket-passt@base) leaves its file, which would look ready
    sock = os.path.join(ctx.tmp, "passt-%s-%d.sock" % (ctx.cur, mtu))
    p = spawn("passt --socket", ["passt", "-f", "-q", "--runas", "0",
                                 "--socket", sock, "-m", str(mtu), "-4"] +
              SLIRP_NET + ["-t", "none", "-u", "none"],
              log_path=ctx.logfile("passt-socket-%d" % mtu))
    wait_for(lambda: os.path.exists(sock), 10, "passt's socket " + sock, p)
    ctx.passt_sock = sock


def drop_tap(ctx, mtu):
    """After squib-net run is gone, remove its TAP if it stayed behind."""
    name = ctx.tap_name

    def undo():
        if os.path.exists("/sys/class/net/" + name):
            sh(["ip", "link", "del", name], check=False)

    REAPER.add("tap " + name, undo)


def tap_args(offload):
    def fn(ctx):
        a = ["--mode", "tap", "--tap", ctx.tap_name, "--host-addr",
             TAP_HOST + "/24", "--guest-addr", TAP_GUEST + "/24"]
        return a + (["--offload"] if offload else [])
    return fn


def helper_args(kind):
    def fn(ctx):
        a = ["--mode", "userspace", "--helper", kind]
        if kind == "passt":
            for x in SLIRP_NET:
                a += ["--helper-arg", x]
        else:
            a += ["--helper-path", ctx.gvproxy]
        return a
    return fn


def policy_args(base, target):
    """base's arguments and a 50-rule egress policy (25 allow-host, 25
    allow-net), the rule that lets the benchmark's traffic to target
    through last: every frame is checked against every network rule."""
    def fn(ctx):
        a = base(ctx)
        for i in range(25):
            a += ["--allow-host", "h%d.bench.example" % i]
        for i in range(24):
            a += ["--allow-net", "198.18.%d.0/24:443/tcp" % i]
        return a + ["--allow-net", target]
    return fn


class PathDef:
    """One line of the table.

    @name:	its name in the table
    @kind:	"anchor" or "ours"
    @setup:	fn(ctx, mtu) -> Env, registering its own cleanup
    @desc:	what it is, for the README and the JSON
    @needs:	fn(ctx) -> None or why the path is skipped
    @vs:	a path of ours it is compared to, measured just before it
    """

    def __init__(self, name, kind, setup, desc, needs=None, base=False,
                 vs=None):
        self.name, self.kind, self.setup, self.desc = name, kind, setup, desc
        self.needs = needs
        self.base = base  # run with --compare's squib-net
        self.vs = vs


def _need_tool(tool):
    return lambda ctx: None if shutil.which(tool) else \
        "unavailable: %s not installed (scripts/deps.sh bench)" % tool


PATHS = [
    PathDef("veth", "anchor", setup_veth,
            "veth pair between two namespaces (the kernel's limit)"),
    PathDef("pasta", "anchor", setup_pasta,
            "pasta --config-net: passt's namespace mode, host loopback via "
            "the mapped gateway 10.0.2.2", _need_tool("pasta")),
    PathDef("slirp4netns", "anchor", setup_slirp4netns,
            "slirp4netns --configure (libslirp), host loopback via 10.0.2.2",
            _need_tool("slirp4netns")),
    PathDef("naive-relay", "anchor", setup_naive,
            "bench/naive-relay: passt --fd <-> a TAP, blocking, one frame "
            "per system call, a thread per direction", _need_tool("passt")),
    PathDef("slirp", "ours",
            run_path(lambda ctx: ["--mode", "slirp"], HOST_ALIAS),
            "squib-net run --mode slirp (embedded libslirp)"),
    PathDef("slirp-policy", "ours",
            run_path(policy_args(lambda ctx: ["--mode", "slirp"],
                                 HOST_ALIAS), HOST_ALIAS),
            "slirp with a 50-rule egress policy (every frame judged)",
            vs="slirp"),
    PathDef("userspace-passt", "ours",
            run_path(helper_args("passt"), HOST_ALIAS),
            "squib-net run --mode userspace --helper passt (passt --fd)"),
    PathDef("userspace-gvproxy", "ours",
            run_path(helper_args("gvproxy"), GVPROXY_HOST),
            "squib-net run --mode userspace --helper gvproxy "
            "(host via 192.168.127.254)",
            lambda ctx: None if ctx.gvproxy else
            "skipped: no --gvproxy PATH given"),
    PathDef("socket-passt", "ours",
            run_path(lambda ctx: ["--mode", "socket", "--connect",
                                  "unix://" + ctx.passt_sock], HOST_ALIAS,
                     pre=start_passt_socket),
            "squib-net run --mode socket to a passt --socket we start",
            _need_tool("passt")),
    PathDef("tap", "ours",
            run_path(tap_args(False), TAP_HOST, bind=TAP_HOST, pre=drop_tap),
            "squib-net run --mode tap, offloads off; server on the host "
            "TAP's address"),
    PathDef("tap-offload", "ours",
            run_path(tap_args(True), TAP_HOST, bind=TAP_HOST, pre=drop_tap),
            "squib-net run --mode tap --offload (virtio-net header, "
            "GSO/checksum offload)"),
    PathDef("tap-offload-policy", "ours",
            run_path(policy_args(tap_args(True), TAP_HOST), TAP_HOST,
                     bind=TAP_HOST, pre=drop_tap),
            "tap-offload with a 50-rule egress policy", vs="tap-offload"),
]
# the same path without a feature, for a path's ratio to it
VS = {p.name: p.vs for p in PATHS if p.vs}

# The targets this project set itself: (path, direction or None for both, mtu or None for
# both, kind, value, anchor or None)
TARGETS = [
    ("slirp", None, 65520, "ratio", 1.3, "slirp4netns"),
    ("slirp", None, 1500, "ratio", 2.0, "slirp4netns"),
    ("userspace-passt", "host->ns", 65520, "ratio", 0.9, "pasta"),
    ("userspace-passt", "ns->host", 65520, "gbps", 5.0, None),
    ("tap-offload", None, None, "ratio", 0.5, "veth"),
    ("slirp-policy", None, None, "ratio", 0.9, "slirp"),
    ("tap-offload-policy", None, None, "ratio", 0.9, "tap-offload"),
    ("userspace-passt", None, None, "ratio", 1.1, "naive-relay"),
    ("socket-passt", None, None, "ratio", 1.1, "naive-relay"),
]


# --------------------------------------------------------------------------
# measuring


class Ctx:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix=TAG + "-")
        REAPER.add("dir " + self.tmp, lambda: shutil.rmtree(self.tmp, True))
        self.tap_name = TAG + "-t"
        if len(self.tap_name) > 15:
            self.tap_name = "sqnb-%x-t" % (PID & 0xffffff)
        self.gvproxy = args.gvproxy
        self.passt_sock = None
        self.cur = None
        self.looked = [os.path.join(ROOT, "build/cli/squib-net"),
                       os.path.join(ROOT, "build-*/cli/squib-net")]
        self.squib_net = find_squib_net(args.squib_net)
        self.base_squib = args.compare
        self.cur_squib = self.squib_net
        self.naive = find_bench_tool(self.squib_net, "naive-relay")
        self.rr = find_bench_tool(self.squib_net, "rr")
        self.ping = (["ping"] if shutil.which("ping") else
                     ["busybox", "ping"] if shutil.which("busybox") else
                     None)

    def logfile(self, what):
        return os.path.join(self.tmp, what + ".log")


def sanitized(build_dir):
    """True if a meson build dir was configured with sanitizers."""
    try:
        with open(os.path.join(build_dir, "meson-info",
                               "intro-buildoptions.json")) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
        return opts.get("b_sanitize", "none") != "none"
    except (OSError, ValueError, KeyError):
        return False


def find_squib_net(given):
    """--squib-net, else build/, else a build-*/ without sanitizers."""
    if given:
        return given if os.access(given, os.X_OK) else None
    import glob
    cands = [os.path.join(ROOT, "build/cli/squib-net")]
    cands += sorted(glob.glob(os.path.join(ROOT, "build-*/cli/squib-net")))
    for c in cands:
        if os.access(c, os.X_OK) and \
                not sanitized(os.path.dirname(os.path.dirname(c))):
            return c
    return None


def find_bench_tool(squib_net, name):
    """bench/NAME in squib-net's build directory, else in build*/."""
    import glob
    cands = []
    if squib_net:
        cands.append(os.path.join(os.path.dirname(os.path.dirname(
            os.path.abspath(squib_net))), "bench", name))
    cands += sorted(glob.glob(os.path.join(ROOT, "build*/bench", name)))
    for c in cands:
        if os.access(c, os.X_OK):
            return c
    return None


def start_server(ctx, env, exe="iperf3"):
    """A server (iperf3 or bench/rr: both take -s -B ADDR -p PORT) where
    the path's server side is, once it listens."""
    port = free_port()
    argv = [exe, "-s", "-B", env.bind, "-p", str(port)]
    if env.server_ns:
        argv = in_ns(env.server_ns, argv)
    name = os.path.basename(exe)
    p = spawn(name + " server", argv,
              log_path=ctx.logfile("%s-s-%s-%d" % (name, ctx.cur, port)))
    wait_for(lambda: listening(env.server_ns or p.pid, port), 10,
             "%s -s on %s:%d" % (name, env.bind, port), p)
    return p, port


def iperf_sample(ctx, env, port, reverse):
    a = ctx.args
    argv = in_ns(env.ns_pid, ["iperf3", "-c", env.target, "-p", str(port),
                              "-t", str(a.seconds), "-O", str(a.omit), "-J",
                              "--connect-timeout", "3000"] +
                 (["-R"] if reverse else []))
    try:
        r = sh(argv, check=False, timeout=a.seconds + a.omit + 30)
    except subprocess.TimeoutExpired:
        return None, "iperf3 client timed out"
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return None, first_line(r.stderr) or "iperf3: no JSON"
    if "error" in j:
        return None, "iperf3: " + j["error"]
    end = j.get("end", {})
    rcv = end.get("sum_received", {})
    snd = end.get("sum_sent", {})
    if not rcv.get("seconds"):
        return None, "iperf3: no result"
    return {
        "gbps": rcv["bits_per_second"] / 1e9,
        "bytes": rcv.get("bytes"),
        "seconds": rcv.get("seconds"),
        "retransmits": snd.get("retransmits"),
        "cpu": end.get("cpu_utilization_percent"),
    }, None


def pctl(xs, q):
    """The q-quantile of @xs (nearest rank)."""
    xs = sorted(xs)
    return xs[max(0, math.ceil(q * len(xs)) - 1)]


def pooled(t, runs, **extra):
    """Median, p99, min, mean and max of the round trips @t (us) of all
    @runs (each run's own median kept too)."""
    d = {"median_us": statistics.median(t), "p99_us": pctl(t, 0.99),
         "min_us": min(t), "mean_us": statistics.mean(t), "max_us": max(t),
         "runs": len(runs), "run_medians_us": runs}
    d.update(extra)
    return d


def rr_sample(ctx, env, port, size):
    """--rr-runs bench/rr clients in a row, --rr-rounds round trips in all:
    the pooled figures, or None and the error."""
    a = ctx.args
    n = max(1, a.rr_rounds // a.rr_runs)
    t, runs = [], []
    for _ in range(a.rr_runs):
        argv = in_ns(env.ns_pid, [ctx.rr, "-c", env.target, "-p", str(port),
                                  "-m", str(size), "-n", str(n), "-a"])
        try:
            r = sh(argv, check=False, timeout=120)
        except subprocess.TimeoutExpired:
            return None, "rr client timed out"
        if r.returncode:
            return None, first_line(r.stderr) or "rr failed"
        try:
            j = json.loads(r.stdout)
        except ValueError:
            return None, "rr: no JSON"
        t += j["samples_us"]
        runs.append(j["median_us"])
    return pooled(t, runs, size=size, rounds=len(t)), None


def ping_sample(ctx, env):
    """--rr-runs pings in a row, ICMP echoes back to back (-A), --ping-count
    in all, each run's first 5 left out: the pooled figures."""
    a = ctx.args
    per = max(1, a.ping_count // a.rr_runs)
    t, runs, sent = [], [], 0
    for _ in range(a.rr_runs):
        argv = in_ns(env.ns_pid, ctx.ping + ["-A", "-c", str(per + 5), "-W",
                                             "2", "-w", "30", env.target])
        try:
            r = sh(argv, check=False, timeout=60)
        except subprocess.TimeoutExpired:
            return None, "ping timed out"
        sent += per + 5
        x = [float(v) * 1000 for v in re.findall(r"time=([0-9.]+) ms",
                                                 r.stdout)][5:]
        if len(x) < per // 2:
            return None, "no reply (%d of %d)" % (len(x), per + 5)
        t += x
        runs.append(statistics.median(x))
    return pooled(t, runs, count=len(t), sent=sent), None


def measure_latency(ctx, pd, env, mtu, lat):
    """rr round trips of each RR_SIZES and pings over a set-up path."""
    a = ctx.args
    key = "%s|%d" % (pd.name, mtu)
    L = lat[key] = {"path": pd.name, "kind": pd.kind, "mtu": mtu,
                    "tests": {}, "errors": {}}
    if not ctx.rr:
        L["errors"]["rr"] = "bench/rr not built (ninja -C build)"
    else:
        srv, port = start_server(ctx, env, ctx.rr)
        for size, test in zip(RR_SIZES, LAT_TESTS):
            s, err = rr_sample(ctx, env, port, size)
            if s is None:
                L["errors"][test] = err
                log("%s mtu %d %s: %s" % (pd.name, mtu, test, err))
            else:
                L["tests"][test] = s
                log("%s mtu %d %s: median %.1f us, p99 %.1f us" %
                    (pd.name, mtu, test, s["median_us"], s["p99_us"]))
        release(srv)
    if not a.ping_count:
        return
    if not ctx.ping:
        L["errors"]["ping"] = "no ping (iputils-ping or busybox)"
        return
    s, err = ping_sample(ctx, env)
    if s is None:
        L["errors"]["ping"] = err
        log("%s mtu %d ping: %s" % (pd.name, mtu, err))
    else:
        L["tests"]["ping"] = s
        log("%s mtu %d ping: median %.1f us, p99 %.1f us" %
            (pd.name, mtu, s["median_us"], s["p99_us"]))


def measure_path(ctx, pd, mtu, results, lat, with_lat=True):
    """Set @pd up at @mtu, run reps x both directions and (@with_lat) the
    latency tests, tear it down. Samples add to those of earlier rounds."""
    a = ctx.args
    ctx.cur = pd.name
    ctx.cur_squib = ctx.base_squib if pd.base else ctx.squib_net
    key = lambda d: "%s|%s|%d" % (pd.name, d, mtu)
    for d in DIRS:
        results.setdefault(key(d), {"path": pd.name, "kind": pd.kind,
                                    "dir": d, "mtu": mtu, "samples": [],
                                    "errors": []})
    mark = len(REAPER.undo)
    try:
        why = pd.needs(ctx) if pd.needs else None
        if why:
            raise Unavailable(why)
        env = pd.setup(ctx, mtu)
        got_mtu = ns_mtu(env.ns_pid, env.target)
        server, port = start_server(ctx, env)
        for d in DIRS:
            results[key(d)]["ns_mtu"] = got_mtu
        if got_mtu != mtu:
            log("%s: namespace MTU is %s, asked for %d" % (pd.name, got_mtu,
                                                            mtu))
        for rep in range(0 if a.latency_only else a.reps):
            for d in DIRS:
                s, err = iperf_sample(ctx, env, port, d == "host->ns")
                if s is None and rep == 0 and not results[key(d)]["samples"]:
                    time.sleep(0.5)  # first contact: ARP, DHCP settling
                    s, err = iperf_sample(ctx, env, port, d == "host->ns")
                r = results[key(d)]
                if s is None:
                    r["errors"].append(err)
                    log("%s %s mtu %d: %s" % (pd.name, d, mtu, err))
                else:
                    r["samples"].append(s)
                    log("%s %s mtu %d rep %d: %.2f Gbit/s" %
                        (pd.name, d, mtu, rep + 1, s["gbps"]))
                if server.poll() is not None:
                    raise Unavailable("iperf3 server died: " +
                                      log_first_line(server))
        release(server)
        if with_lat and not a.no_latency:
            measure_latency(ctx, pd, env, mtu, lat)
    except Unavailable as e:
        msg = str(e)
        if not msg.startswith(("unavailable", "skipped")):
            msg = "unavailable: " + msg
        for d in DIRS:
            if not results[key(d)]["samples"]:
                results[key(d)]["status"] = msg
        L = lat.setdefault("%s|%d" % (pd.name, mtu), {
            "path": pd.name, "kind": pd.kind, "mtu": mtu, "tests": {},
            "errors": {}})
        if not L["tests"]:
            L["status"] = msg
        log("%s mtu %d: %s" % (pd.name, mtu, msg))
    finally:
        for idx in range(len(REAPER.undo) - 1, mark - 1, -1):
            REAPER.run_one(idx)
        del REAPER.undo[mark:]


def summarize(results):
    for r in results.values():
        g = [s["gbps"] for s in r["samples"]]
        if g:
            r["median"] = statistics.median(g)
            r["min"], r["max"] = min(g), max(g)
            notes = []
            stalled = sum(1 for x in g if x < STALL_GBPS)
            if stalled:
                notes.append("%d/%d samples stalled (< %g Gbit/s)" %
                             (stalled, len(g), STALL_GBPS))
            if r["errors"]:
                notes.append("%d failed samples" % len(r["errors"]))
            r.setdefault("status", "ok" + (": " + ", ".join(notes)
                                           if notes else ""))
        else:
            r["median"] = None
            r.setdefault("status", "failed: " + (r["errors"][0] if
                                                 r["errors"] else "?"))
    for r in results.values():
        r["ratio"], r["ratio_note"] = {}, {}
        for an in ANCHORS + ((VS[r["path"]],) if r["path"] in VS
                             else ()):
            ref = results.get("%s|%s|%d" % (an, r["dir"], r["mtu"]))
            if r["median"] is None or not ref or ref["median"] is None:
                continue
            if ref["median"] < STALL_GBPS:
                r["ratio_note"][an] = "anchor stalled"
            else:
                r["ratio"][an] = r["median"] / ref["median"]


def summarize_latency(lat):
    """Each test's median minus veth's (same test and MTU): what the path
    adds to the kernel's own round trip."""
    for L in lat.values():
        ref = lat.get("veth|%d" % L["mtu"])
        L["added_us"] = {}
        for t, v in L["tests"].items():
            if ref and t in ref["tests"]:
                L["added_us"][t] = v["median_us"] - \
                    ref["tests"][t]["median_us"]


# Latency targets: (path, test, anchors): the path's added latency is no
# more than each anchor's, every MTU
LAT_TARGETS = [
    (p, t, ("slirp4netns", "pasta"))
    for p in ("slirp", "userspace-passt", "tap") for t in LAT_TESTS[:2]
]


def check_lat_targets(lat):
    out = []
    for path, test, anchors in LAT_TARGETS:
        for L in lat.values():
            if L["path"] != path:
                continue
            for an in anchors:
                ref = lat.get("%s|%d" % (an, L["mtu"]))
                got = L.get("added_us", {}).get(test)
                want = ref.get("added_us", {}).get(test) if ref else None
                t = {"path": path, "dir": test, "mtu": L["mtu"],
                     "kind": "latency", "want": want, "anchor": an,
                     "got": got,
                     "what": "added <= %s's" % an}
                if got is None or want is None:
                    t["verdict"] = "not measured"
                else:
                    t["verdict"] = "met" if got <= want else "missed"
                    t["margin_us"] = want - got
                out.append(t)
    return out


def check_targets(results, micro):
    out = []
    for path, d, mtu, kind, want, anchor in TARGETS:
        for r in results.values():
            if r["path"] != path or (d and r["dir"] != d) or \
                    (mtu and r["mtu"] != mtu):
                continue
            t = {"path": path, "dir": r["dir"], "mtu": r["mtu"],
                 "kind": kind, "want": want, "anchor": anchor}
            if kind == "ratio":
                got = r["ratio"].get(anchor)
                t["what"] = ">= %.1fx %s" % (want, anchor)
                if r["ratio_note"].get(anchor):
                    t["note"] = r["ratio_note"][anchor]
                elif "stalled" in r.get("status", ""):
                    t["note"] = "the path's own samples stalled"
            else:
                got = r["median"]
                t["what"] = ">= %.1f Gbit/s" % want
            t["got"] = got
            if got is None:
                t["verdict"] = "not measured"
            else:
                t["factor"] = got / want
                t["verdict"] = "met" if got >= want else "missed"
            out.append(t)
        if not any(t["path"] == path for t in out):
            out.append({"path": path, "dir": d or "both", "mtu": mtu or "all",
                        "kind": kind, "want": want, "anchor": anchor,
                        "what": (">= %.1fx %s" % (want, anchor)) if anchor
                        else ">= %.1f Gbit/s" % want, "got": None,
                        "verdict": "not measured"})
    if micro:
        for row in micro.get("results", []):
            if row.get("transport") == "loopback" and row.get("size") == 1514:
                got = row.get("fps_per_dir")
                t = {"path": "microbench loopback", "dir": "per direction",
                     "mtu": 1514, "kind": "fps", "want": 1e6,
                     "anchor": None, "what": ">= 1M frames/s", "got": got}
                t["factor"] = got / 1e6 if got else None
                t["verdict"] = "met" if got and got >= 1e6 else "missed"
                out.append(t)
    return out


# --------------------------------------------------------------------------
# machine and versions


def cmd_out(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return first_line(r.stdout + "\n" + r.stderr)
    except (OSError, subprocess.TimeoutExpired):
        return None


def dpkg_version(pkg):
    return cmd_out(["dpkg-query", "-W", "-f=${Version}", pkg])


def machine_info(ctx):
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1) if m else None
    except OSError:
        pass
    s4n = subprocess.run(["slirp4netns", "--version"], capture_output=True,
                         text=True).stdout if shutil.which("slirp4netns") \
        else ""
    m = re.search(r"libslirp:\s*(\S+)", s4n)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "kernel": platform.release(),
        "machine": platform.machine(),
        "cpu": cpu,
        "ncpu": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "versions": {
            "iperf3": cmd_out(["iperf3", "--version"]),
            "passt": dpkg_version("passt"),
            "slirp4netns": first_line(s4n) if s4n else None,
            "libslirp (slirp4netns)": m.group(1) if m else None,
            "libslirp0 (package)": dpkg_version("libslirp0"),
            "squib-net": cmd_out([ctx.squib_net, "version"])
            if ctx.squib_net else None,
            "squib-net binary": ctx.squib_net,
            "squib-net --compare": ctx.base_squib,
            "git": cmd_out(["git", "-C", ROOT, "describe", "--always",
                            "--dirty"]),
            "gvproxy": ctx.gvproxy,
        },
    }


# --------------------------------------------------------------------------
# output


def fmt_g(v):
    if v is None:
        return "-"
    return "%.3f" % v if v < 0.1 else "%.2f" % v if v < 100 else "%.0f" % v


def fmt_x(v, note=None):
    if v is None:
        return "stall" if note else "-"
    return "%.2fx" % v


def fmt_us(v):
    return "-" if v is None else "%.1f" % v


def latency_lines(lat_rows, args):
    """The latency table: median / p99 per test, and what the path adds to
    veth's median."""
    lines = ["Latency, microseconds: median / p99 (rr: TCP request/response "
             "of 1 B and 1 KiB, %d round trips; ping: ICMP echo back to "
             "back, %d; each from %d client processes in a row, pooled), "
             "+veth: median minus veth's, same MTU" %
             (args.rr_rounds, args.ping_count, args.rr_runs)]
    hdr = ("path", "MTU") + LAT_TESTS + tuple("+veth " + t
                                              for t in LAT_TESTS) + \
        ("status",)
    table = [hdr]
    for L in lat_rows:
        cells = [L["path"], str(L["mtu"])]
        for t in LAT_TESTS:
            v = L["tests"].get(t)
            cells.append("%s / %s" % (fmt_us(v["median_us"]),
                                      fmt_us(v["p99_us"])) if v else "-")
        for t in LAT_TESTS:
            a = L.get("added_us", {}).get(t)
            cells.append("-" if a is None else "%+.1f" % a)
        st = L.get("status") or "; ".join(
            "%s: %s" % kv for kv in sorted(L["errors"].items())) or "ok"
        cells.append(st)
        table.append(tuple(cells))
    w = [max(len(t[i]) for t in table) for i in range(len(hdr) - 1)]
    for t in table:
        cells = [t[i].ljust(w[i]) if i < 2 else t[i].rjust(w[i])
                 for i in range(len(w))]
        lines.append("  ".join(cells) + "  " + t[-1])
    return lines


def text_report(meta, rows, targets, micro, args, lat_rows=(),
                lat_targets=()):
    lines = []
    rounds = getattr(args, "rounds", 1)
    lines.append("squib-net benchmark  %s  kernel %s  %s cpus  (%s s x %d "
                 "reps%s, omit %s s)" % (
                     meta["date"][:19], meta["kernel"], meta["ncpu"],
                     args.seconds, args.reps,
                     " x %d rounds, paths in turn" % rounds
                     if rounds > 1 else "", args.omit))
    hdr = ("path", "direction", "MTU", "median", "min", "max", "x veth",
           "x pasta", "x slirp4netns", "x naive", "status")
    table = [hdr]
    for r in rows:
        table.append((r["path"], r["dir"], str(r["mtu"]), fmt_g(r["median"]),
                      fmt_g(r.get("min")), fmt_g(r.get("max")),
                      fmt_x(r["ratio"].get("veth"),
                            r.get("ratio_note", {}).get("veth")),
                      fmt_x(r["ratio"].get("pasta"),
                            r.get("ratio_note", {}).get("pasta")),
                      fmt_x(r["ratio"].get("slirp4netns"),
                            r.get("ratio_note", {}).get("slirp4netns")),
                      fmt_x(r["ratio"].get("naive-relay"),
                            r.get("ratio_note", {}).get("naive-relay")),
                      r["status"]))
    w = [max(len(t[i]) for t in table) for i in range(len(hdr) - 1)]
    if rows:
        lines.append("Gbit/s (iperf3 receiver, median of reps)")
        for t in table:
            cells = [t[i].ljust(w[i]) if i < 3 else t[i].rjust(w[i])
                     for i in range(len(w))]
            lines.append("  ".join(cells) + "  " + t[-1])
        lines.append("(ratio = median / the anchor's median, same direction "
                     "and MTU, this run; stall: the anchor's median is under "
                     "%g Gbit/s; naive: bench/naive-relay)" % STALL_GBPS)
        lines.append("")
    if lat_rows:
        lines += latency_lines(lat_rows, args)
        lines.append("")
    lines.append("Targets")
    for t in targets:
        got = t["got"]
        if t["kind"] == "fps":
            gs = "-" if got is None else "%.2fM frames/s" % (got / 1e6)
        elif t["kind"] == "gbps":
            gs = fmt_g(got) + " Gbit/s"
        else:
            gs = fmt_x(got) + " " + t["anchor"]
        f = t.get("factor")
        extra = "" if f is None else " (%.2f of target%s)" % (
            f, "" if f >= 1 else ", needs x%.2f" % (1 / f) if f else "")
        if t.get("note"):
            extra += " (%s)" % t["note"]
        lines.append("  %-12s %-20s %-13s %-5s %-18s got %s%s" % (
            t["verdict"], t["path"], t["dir"], t["mtu"], t["what"], gs,
            extra))
    for t in lat_targets:
        gs = "-" if t["got"] is None else "%+.1f us" % t["got"]
        ws = "-" if t["want"] is None else "%+.1f us" % t["want"]
        extra = "" if t.get("margin_us") is None else \
            " (%.1f us %s)" % (abs(t["margin_us"]), "less" if
                               t["margin_us"] >= 0 else "more")
        lines.append("  %-12s %-20s %-13s %-5s %-18s got %s vs %s%s" % (
            t["verdict"], t["path"], t["dir"], t["mtu"], t["what"], gs, ws,
            extra))
    if micro:
        lines.append("")
        lines.append("Per-frame cost (bench/microbench, %s)" %
                     micro.get("note", ""))
        lines.append("  %-14s %6s %14s %12s %12s %10s" % (
            "transport", "bytes", "frames/s/dir", "cpu ns/frm",
            "wall ns/frm", "allocs/frm"))
        for m in micro.get("results", []):
            lines.append("  %-14s %6d %14.0f %12.1f %12.1f %10.4f" % (
                m["transport"], m["size"], m["fps_per_dir"],
                m["cpu_ns_per_frame"], m["wall_ns_per_frame"],
                m["allocs_per_frame"]))
    return "\n".join(lines) + "\n"


COLORS = {"veth": "#555555", "pasta": "#8c6d31", "slirp4netns": "#bd9e39",
          "slirp": "#1f77b4", "userspace-passt": "#2ca02c",
          "userspace-gvproxy": "#98df8a", "socket-passt": "#9467bd",
          "tap": "#d62728", "tap-offload": "#ff7f0e",
          "naive-relay": "#c49c94"}


def color_of(path):
    """A path's bar colour; a --compare baseline is its path's, paler."""
    name, _, base = path.partition("@")
    return COLORS.get(name, "#17becf"), ("0.45" if base else "1")


def esc(s):
    return (str(s).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def svg_bars(title, unit, groups, paths, get, anchors, meta, linear=False,
             fmt=None):
    """Grouped bars: one group per (label, MTU) of @groups, one bar per
    path; get(path, group) is (value, low, high) or None; whiskers from low
    to high. Return: the SVG and its height."""
    fmt = fmt or fmt_g
    vals = [v[0] for p in paths for g in groups
            for v in [get(p, g)] if v and v[0]]
    highs = [v[2] for p in paths for g in groups
             for v in [get(p, g)] if v and v[2]]
    vmax = max(vals + highs + [1.0])
    vmin = 0.1
    if linear:
        top = vmax * 1.1
        ticks = [top * i / 5 for i in range(6)]
    else:
        top = 10 ** math.ceil(math.log10(vmax))
        vmin = min(vals + [1.0])
        vmin = 10 ** math.floor(math.log10(max(vmin, 0.001)))
        top = max(top, vmin * 10)  # no value at all: one decade
        ticks = []
        t = vmin
        while t <= top * 1.0001:
            ticks.append(t)
            t *= 10
    bw, gap, left, right, topm, plot_h = 26, 36, 70, 200, 60, 380
    gw = bw * len(paths) + gap
    width = left + gw * len(groups) + right
    height = topm + plot_h + 90

    def y_of(v):
        if linear:
            f = v / top
        else:
            v = max(v, vmin)
            f = (math.log10(v) - math.log10(vmin)) / (
                math.log10(top) - math.log10(vmin))
        return topm + plot_h - f * plot_h

    o = ['<text x="%d" y="22" font-size="16" font-weight="bold">%s (%s '
         'scale)</text>' % (left, esc(title), "linear" if linear else "log"),
         '<text x="%d" y="40" fill="#444">%s, kernel %s, %s CPUs</text>' %
         (left, esc(meta["date"][:16]), esc(meta["kernel"]), meta["ncpu"])]
    for t in ticks:
        y = y_of(t)
        o.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>'
                 % (left, left + gw * len(groups), y, y))
        o.append('<text x="%d" y="%.1f" text-anchor="end" fill="#444">%s'
                 '</text>' % (left - 6, y + 4, ("%g" % t)))
    o.append('<text transform="translate(18,%d) rotate(-90)" '
             'text-anchor="middle">%s</text>' % (topm + plot_h / 2,
                                                 esc(unit)))
    base = topm + plot_h
    o.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000"/>' %
             (left, left + gw * len(groups), base, base))
    for gi, g in enumerate(groups):
        label, m = g
        x0 = left + gi * gw + gap / 2
        for pi, p in enumerate(paths):
            v = get(p, g)
            x = x0 + pi * bw
            if v is None or v[0] is None:
                o.append('<text x="%.1f" y="%d" font-size="9" fill="#999" '
                         'text-anchor="middle">n/a</text>' %
                         (x + bw / 2 - 1, base - 4))
                continue
            y = y_of(v[0])
            o.append('<rect x="%.1f" y="%.1f" width="%d" height="%.1f" '
                     'fill="%s" fill-opacity="%s"><title>%s %s MTU %d: %s '
                     '%s</title></rect>' % ((x, y, bw - 3, base - y) +
                                            color_of(p) +
                                            (esc(p), esc(label), m,
                                             fmt(v[0]), esc(unit))))
            if v[1] is not None and v[2] is not None and v[2] > v[1]:
                o.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" '
                         'stroke="#000" stroke-width="1"/>' %
                         (x + (bw - 3) / 2, x + (bw - 3) / 2,
                          y_of(v[1]), y_of(v[2])))
            o.append('<text x="%.1f" y="%.1f" font-size="9" '
                     'text-anchor="middle">%s</text>' %
                     (x + (bw - 3) / 2, y - 3, fmt(v[0])))
        o.append('<text x="%.1f" y="%d" text-anchor="middle" '
                 'font-weight="bold">%s</text>' %
                 (x0 + bw * len(paths) / 2, base + 20, esc(label)))
        o.append('<text x="%.1f" y="%d" text-anchor="middle">MTU %d</text>'
                 % (x0 + bw * len(paths) / 2, base + 36, m))
    lx = left + gw * len(groups) + 16
    for pi, p in enumerate(paths):
        y = topm + pi * 20
        o.append('<rect x="%d" y="%d" width="14" height="14" fill="%s" '
                 'fill-opacity="%s"/>' % ((lx, y) + color_of(p)))
        o.append('<text x="%d" y="%d">%s%s</text>' %
                 (lx + 20, y + 12, esc(p), " (anchor)" if p in anchors
                  else ""))
    return o, width, height


def svg_chart(rows, meta, mtus, linear=False, lat_rows=()):
    """Throughput (one group per direction x MTU, whiskers min..max) and,
    below it, latency (one group per test x MTU, whiskers median..p99)."""
    parts = []
    anchors = set(r["path"] for r in list(rows) + list(lat_rows)
                  if r["kind"] == "anchor")
    paths = []
    for r in rows:
        if r["path"] not in paths:
            paths.append(r["path"])
    if rows:
        val = {(r["path"], r["dir"], r["mtu"]): r for r in rows}

        def get(p, g):
            r = val.get((p, g[0], g[1]))
            if r is None or r["median"] is None:
                return None
            return (r["median"], r.get("min"), r.get("max"))

        o, w, h = svg_bars("squib-net throughput vs anchors (iperf3, median "
                           "Gbit/s)", "Gbit/s",
                           [(d, m) for m in mtus for d in DIRS], paths, get,
                           anchors, meta, linear)
        o.append('<text x="70" y="%d" fill="#444" font-size="11">whiskers: '
                 'min..max of the repetitions; n/a: path unavailable</text>'
                 % (h - 30))
        parts.append((o, w, h))
    if lat_rows:
        lpaths = []
        for L in lat_rows:
            if L["path"] not in lpaths:
                lpaths.append(L["path"])
        lval = {(L["path"], L["mtu"]): L for L in lat_rows}

        def lget(p, g):
            L = lval.get((p, g[1]))
            v = L and L["tests"].get(g[0])
            return (v["median_us"], v["median_us"], v["p99_us"]) if v \
                else None

        o, w, h = svg_bars("squib-net latency vs anchors (median "
                           "microseconds)", "microseconds",
                           [(t, m) for m in mtus for t in LAT_TESTS],
                           lpaths, lget, anchors, meta, False,
                           lambda v: "%.0f" % v)
        o.append('<text x="70" y="%d" fill="#444" font-size="11">rr: TCP '
                 'request/response (bench/rr); ping: ICMP echo; whiskers: '
                 'median..p99; n/a: not measured or no reply</text>' %
                 (h - 30))
        parts.append((o, w, h))
    width = max([p[1] for p in parts] + [100])
    height = sum(p[2] for p in parts) or 100
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'viewBox="0 0 %d %d" font-family="DejaVu Sans, Arial, sans-serif" '
           'font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>']
    y = 0
    for o, w, h in parts:
        out.append('<g transform="translate(0,%d)">' % y)
        out += o
        out.append('</g>')
        y += h
    out.append("</svg>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------
# main


def run_microbench(args):
    exe = args.microbench
    if not exe:
        import glob
        c = sorted(glob.glob(os.path.join(ROOT, "build*/bench/microbench")))
        exe = c[0] if c else None
    if not exe or not os.access(exe, os.X_OK):
        log("microbench not built; skipped (ninja -C build bench/microbench)")
        return None
    argv = [exe, "--json", "--seconds", str(min(args.seconds, 2)),
            "--runs", "3" if args.reps > 1 else "1"]
    log("microbench: " + " ".join(argv))
    r = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if r.returncode:
        log("microbench failed: " + first_line(r.stderr))
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        log("microbench: no JSON")
        return None


def on_signal(signum, frame):
    signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt("signal %d" % signum)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="iperf3 throughput and request/response latency of "
                    "squib-net's paths against veth, pasta, slirp4netns and "
                    "a naive relay, measured in the same run")
    ap.add_argument("--quick", action="store_true",
                    help="1 s x 1 rep, no omit (development)")
    ap.add_argument("--only", help="comma-separated paths (default: all): " +
                    ",".join(p.name for p in PATHS))
    ap.add_argument("--mtu", default="1500,65520",
                    help="comma-separated MTUs (default 1500,65520)")
    ap.add_argument("--seconds", type=float, default=5,
                    help="seconds per iperf3 sample (default 5)")
    ap.add_argument("--reps", type=int, default=3,
                    help="samples per path, direction and MTU (default 3)")
    ap.add_argument("--omit", type=float, default=1,
                    help="seconds of TCP ramp-up not counted (default 1)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every path this many times in turn, "
                    "--reps samples each time, all pooled: load that drifts "
                    "during the run then falls on every path alike "
                    "(default 1)")
    ap.add_argument("--rr-rounds", type=int, default=5000,
                    help="request/response round trips per message size "
                    "(default 5000)")
    ap.add_argument("--rr-runs", type=int, default=5,
                    help="rr clients (and pings) per message size, one "
                    "after the other, their round trips pooled (default 5)")
    ap.add_argument("--ping-count", type=int, default=500,
                    help="ICMP echoes per path and MTU (default 500; 0: no "
                    "ping)")
    ap.add_argument("--no-latency", action="store_true",
                    help="throughput only")
    ap.add_argument("--latency-only", action="store_true",
                    help="latency only (no iperf3)")
    ap.add_argument("--gvproxy", help="gvproxy binary: adds "
                    "userspace-gvproxy")
    ap.add_argument("--squib-net", help="the squib-net binary (default: "
                    "build-*/cli/squib-net or build/cli/squib-net)")
    ap.add_argument("--compare", metavar="PATH", help="another squib-net "
                    "binary (a baseline build): each of our paths is also "
                    "run with it, as PATH@base, right after the path "
                    "itself, in the same run")
    ap.add_argument("--microbench", help="the microbench binary (default: "
                    "build*/bench/microbench)")
    ap.add_argument("--no-microbench", action="store_true")
    ap.add_argument("--linear", action="store_true",
                    help="linear chart scale (default log)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"),
                    help="output directory (default bench/out)")
    ap.add_argument("--replot", metavar="JSON",
                    help="measure nothing: rewrite the table and chart of "
                    "a saved bench.json into --out")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        a.seconds, a.reps, a.omit = 1, 1, 0
    if a.seconds == int(a.seconds):
        a.seconds = int(a.seconds)
    if a.omit == int(a.omit):
        a.omit = int(a.omit)
    try:
        a.mtus = [int(x) for x in a.mtu.split(",") if x]
    except ValueError:
        ap.error("--mtu: comma-separated numbers, e.g. 1500,65520")
    for m in a.mtus:
        if not 576 <= m <= 65520:
            ap.error("--mtu %d: 576..65520" % m)
    if a.compare:
        if not os.access(a.compare, os.X_OK):
            ap.error("--compare %s: not an executable" % a.compare)
        a.compare = os.path.abspath(a.compare)
        with_base = []
        for p in PATHS:
            with_base.append(p)
            if p.kind == "ours":
                with_base.append(PathDef(p.name + "@base", "base", p.setup,
                                         p.desc + ", built from --compare",
                                         p.needs, base=True))
        PATHS[:] = with_base
    names = [p.name for p in PATHS]
    a.paths = names
    if a.only:
        a.paths = [x for x in a.only.split(",") if x]
        if a.compare:  # a path chosen brings its baseline along
            a.paths += [x + "@base" for x in a.paths
                        if x + "@base" in names]
        bad = [x for x in a.paths if x not in names]
        if bad:
            ap.error("--only: unknown path %s; paths: %s" %
                     (",".join(bad), ",".join(names)))
    if a.reps < 1 or a.seconds <= 0 or a.rounds < 1:
        ap.error("--reps, --rounds and --seconds must be positive")
    if a.rr_rounds < 1 or a.ping_count < 0 or a.rr_runs < 1:
        ap.error("--rr-rounds and --rr-runs must be positive, --ping-count "
                 "at least 0")
    if a.no_latency and a.latency_only:
        ap.error("--no-latency and --latency-only exclude each other")
    if a.quick:
        a.rr_rounds = min(a.rr_rounds, 1000)
        a.ping_count = min(a.ping_count, 100)
    return a


def replot(args):
    with open(args.replot) as f:
        doc = json.load(f)
    meta, cfg = doc["meta"], doc["config"]
    args.seconds, args.reps, args.omit = cfg["seconds"], cfg["reps"], \
        cfg["omit"]
    args.rounds = cfg.get("rounds", 1)
    args.rr_rounds = cfg.get("rr_rounds", args.rr_rounds)
    args.rr_runs = cfg.get("rr_runs", 1)
    args.ping_count = cfg.get("ping_count", args.ping_count)
    results = {"%s|%s|%d" % (r["path"], r["dir"], r["mtu"]): r
               for r in doc["results"]}
    for r in results.values():
        for k in ("median", "min", "max", "ratio", "ratio_note"):
            r.pop(k, None)
        if r["samples"]:
            r.pop("status", None)  # recomputed; an unavailable one stays
    summarize(results)
    rows = [results["%s|%s|%d" % (r["path"], r["dir"], r["mtu"])]
            for r in doc["results"]]
    lat_rows = doc.get("latency", [])
    summarize_latency({"%s|%d" % (L["path"], L["mtu"]): L
                       for L in lat_rows})
    write_outputs(args, meta, cfg["mtus"], rows, results, doc["microbench"],
                  cfg, lat_rows)
    return 0


def write_outputs(args, meta, mtus, rows, results, micro, cfg, lat_rows):
    targets = check_targets(results, micro) if rows else []
    lat_targets = check_lat_targets({"%s|%d" % (L["path"], L["mtu"]): L
                                     for L in lat_rows})
    os.makedirs(args.out, exist_ok=True)
    text = text_report(meta, rows, targets, micro, args, lat_rows,
                       lat_targets)
    doc = {"meta": meta, "config": cfg, "results": rows,
           "targets": targets, "microbench": micro, "latency": lat_rows,
           "latency_targets": lat_targets}
    with open(os.path.join(args.out, "bench.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
    with open(os.path.join(args.out, "bench.svg"), "w") as f:
        f.write(svg_chart(rows, meta, mtus, args.linear, lat_rows))
    sys.stdout.write(text)
    log("wrote %s/bench.{txt,json,svg}" % args.out)


def main(argv):
    global VERBOSE
    args = parse_args(argv)
    VERBOSE = args.verbose
    if args.replot:
        return replot(args)
    if os.geteuid() != 0:
        print("bench.py: run as root (it makes namespaces, veths and TAPs)",
              file=sys.stderr)
        return 2
    for tool in ("iperf3", "nsenter", "unshare", "ip"):
        if not shutil.which(tool):
            print("bench.py: %s missing; run scripts/deps.sh bench" % tool,
                  file=sys.stderr)
            return 2
    atexit.register(REAPER.all)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    results, lat = {}, {}
    try:
        ctx = Ctx(args)
        meta = machine_info(ctx)
        log("squib-net: %s" % (ctx.squib_net or "not found"))
        # --rounds: every path in turn, again and again, so a change in
        # the machine's load falls on all of them alike (latency once, in
        # the last round)
        for rnd in range(args.rounds):
            for mtu in args.mtus:
                for pd in PATHS:
                    if pd.name in args.paths:
                        measure_path(ctx, pd, mtu, results, lat,
                                     rnd == args.rounds - 1)
        micro = None if args.no_microbench else run_microbench(args)
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        REAPER.all()
        return 130
    finally:
        REAPER.all()

    meta["loadavg_at_end"] = os.getloadavg()
    if args.latency_only:
        results = {}
    summarize(results)
    summarize_latency(lat)
    order = {p.name: i for i, p in enumerate(PATHS)}
    rows = sorted(results.values(), key=lambda r: (
        order[r["path"]], args.mtus.index(r["mtu"]), DIRS.index(r["dir"])))
    lat_rows = sorted(lat.values(), key=lambda L: (
        order[L["path"]], args.mtus.index(L["mtu"])))
    cfg = {"seconds": args.seconds, "reps": args.reps,
           "rounds": args.rounds, "omit": args.omit,
           "mtus": args.mtus, "rr_rounds": args.rr_rounds,
           "rr_runs": args.rr_runs,
           "ping_count": args.ping_count,
           "paths": {p.name: {"kind": p.kind, "desc": p.desc}
                     for p in PATHS if p.name in args.paths}}
    write_outputs(args, meta, args.mtus, rows, results, micro, cfg,
                  lat_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
