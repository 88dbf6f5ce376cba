#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""serve_bench.py - squib-net serve: many VMs on one network, one run

Theory of operation: every VM is a network namespace joined to one
`squib-net serve` through `squib-net run --mode socket --connect
unix://...` (its kernel plays the guest, as in bench.py). Two scenarios:

- uplink: N VMs (1, 2, 4, 8) on a serve with the slirp uplink; each runs
  an iperf3 client to its own iperf3 server on the host's 127.0.0.1
  (through 10.0.2.2), all N at once; the aggregate is the sum of the
  receivers' Gbit/s, both directions (ns->host, host->ns). No anchor:
  the target is no collapse, aggregate(8) >= 0.8x aggregate(1).
- pairs: 2N VMs (2, 4, 8) with static addresses on a serve --mode none,
  N iperf3 pairs at once (server in VM 2i-1, client in VM 2i); beside the
  same pairs on a Linux bridge with veths (the anchor, measured in the same
  run): target >= 0.2x the bridge at MTU 1500, >= 0.3x at 65520. With
  --pair-modes offload (default: plain and offload) the same pairs run
  again with `run --mode socket --offload`: GSO frames of up to 64 KiB
  cross serve as they are (pairs-offload rows).

CPU: the CPU time (user + system, all threads) that serve and the N
`squib-net run` relays used during each sample, from /proc/PID/stat, as a
percentage of one core: serve's, and (serve + relays) / N per VM. iperf3
and the namespaces' kernels are not counted.

Helpers (processes, namespaces, cleanup) come from bench.py: everything is
named sqnb-<pid>-..., undone in reverse order in a finally block, at exit
and on SIGINT/SIGTERM; only processes this script started are signalled.
Output, in --out: serve_bench.txt and serve_bench.json. Standard library
only. Not a test: the figures depend on the machine and its load.
"""

import argparse
import atexit
import json
import os
import signal
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PAIR_NET = "10.97.0."
CLK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except (OSError, ValueError, IndexError):
        return 0.0


class Serve:
    """A squib-net serve of ours and the VMs joined to it."""

    def __init__(self, ctx, name, extra):
        self.sock = os.path.join(ctx.tmp, name + ".sock")
        self.log = ctx.logfile("serve-" + name)
        self.p = B.spawn("squib-net serve",
                         [ctx.squib_net, "serve", "--listen",
                          "unix://" + self.sock] + extra,
                         log_path=self.log)
        B.wait_for(lambda: self._ready(), 10, "serve listening", self.p)
        self.vms = []

    def _ready(self):
        try:
            with open(self.log, errors="replace") as f:
                return "serve: listening on" in f.read()
        except OSError:
            return False

    def vm(self, ctx, mtu, extra, target):
        """A namespace joined through run --mode socket; returns its pid."""
        argv = [ctx.squib_net, "run", "--mode", "socket", "--connect",
                "unix://" + self.sock, "--mtu", str(mtu)] + extra + \
            ["--", "sleep", "1000000"]
        p = B.spawn("squib-net run", argv, log_path=ctx.logfile(
            "run-%d-%d" % (mtu, len(self.vms))))
        pid = B.wait_for(lambda: B.ns_holder(p), 20, "run's namespace", p)
        self.vms.append((p, pid))
        return p, pid

    def relays(self):
        return [self.p.pid] + [p.pid for p, _ in self.vms]


def settle(pid, target):
    B.wait_for(lambda: B.ns_ready(pid, target), 20, "address for " + target)


def iperf_servers(ctx, where):
    """One iperf3 server per (namespace pid or None for the host, bind)."""
    out = []
    for ns, bind in where:
        port = B.free_port()
        argv = ["iperf3", "-s", "-B", bind, "-p", str(port)]
        if ns:
            argv = B.in_ns(ns, argv)
        p = B.spawn("iperf3 server", argv,
                    log_path=ctx.logfile("iperf3-s-%d" % port))
        B.wait_for(lambda: B.listening(ns or p.pid, port), 10,
                   "iperf3 -s on %s:%d" % (bind, port), p)
        out.append(port)
    return out


def run_clients(ctx, clients, reverse, watch):
    """iperf3 clients at once: [(ns pid, target, port)]; returns the sum of
    the receivers' Gbit/s, each flow's, and CPU % of the @watch pids."""
    a = ctx.args
    procs = []
    c0 = {pid: cpu_seconds(pid) for pid in watch}
    t0 = time.monotonic()
    for ns, target, port in clients:
        argv = B.in_ns(ns, ["iperf3", "-c", target, "-p", str(port), "-t",
                            str(a.seconds), "-O", str(a.omit), "-J",
                            "--connect-timeout", "3000"] +
                       (["-R"] if reverse else []))
        procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    flows, errs = [], []
    for p in procs:
        try:
            out, err = p.communicate(timeout=a.seconds + a.omit + 30)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        try:
            j = json.loads(out)
            if "error" in j:
                raise ValueError(j["error"])
            flows.append(j["end"]["sum_received"]["bits_per_second"] / 1e9)
        except (ValueError, KeyError) as e:
            errs.append(str(e) or B.first_line(err))
    wall = time.monotonic() - t0
    cpu = {pid: 100.0 * (cpu_seconds(pid) - c0[pid]) / wall for pid in watch}
    if errs:
        B.log("iperf3: " + "; ".join(errs[:3]))
    return sum(flows) if flows and not errs else None, flows, cpu


def sample(ctx, results, key, clients, reverse, watch, serve_pid, nvm):
    for rep in range(ctx.args.reps):
        agg, flows, cpu = run_clients(ctx, clients, reverse, watch)
        r = results.setdefault(key, {"samples": []})
        if agg is None:
            r.setdefault("errors", []).append("a flow failed")
            continue
        s = {"gbps": agg, "flows": flows}
        if serve_pid:
            s["serve_cpu"] = cpu.get(serve_pid, 0.0)
            s["cpu_per_vm"] = sum(cpu.values()) / nvm
        r["samples"].append(s)
        B.log("%s rep %d: %.2f Gbit/s%s" % (
            key, rep + 1, agg, "" if not serve_pid else
            " (serve %.0f%%, %.0f%% per VM)" % (s["serve_cpu"],
                                               s["cpu_per_vm"])))


def bench_uplink(ctx, results, mtu, n):
    mark = len(B.REAPER.undo)
    try:
        sv = Serve(ctx, "up-%d-%d" % (mtu, n), ["--mtu", str(mtu)])
        vms = [sv.vm(ctx, mtu, [], B.HOST_ALIAS) for _ in range(n)]
        for _, pid in vms:
            settle(pid, B.HOST_ALIAS)
        ports = iperf_servers(ctx, [(None, "127.0.0.1")] * n)
        clients = [(pid, B.HOST_ALIAS, port)
                   for (_, pid), port in zip(vms, ports)]
        for d in B.DIRS:
            sample(ctx, results, "uplink|%s|%d|%d" % (d, mtu, n), clients,
                   d == "host->ns", sv.relays(), sv.p.pid, n)
    except B.Unavailable as e:
        B.log("uplink mtu %d, %d VMs: %s" % (mtu, n, e))
        results["uplink|*|%d|%d" % (mtu, n)] = {"status": str(e)}
    finally:
        undo_to(mark)


def bench_pairs_serve(ctx, results, mtu, npairs, offload=False):
    mark = len(B.REAPER.undo)
    kind = "offload" if offload else "serve"
    try:
        sv = Serve(ctx, "pairs-%s-%d-%d" % (kind, mtu, npairs),
                   ["--mode", "none"])
        addrs = [PAIR_NET + str(i + 1) for i in range(2 * npairs)]
        extra = ["--offload"] if offload else []
        vms = [sv.vm(ctx, mtu, extra + ["--guest-addr", a + "/24"], a)[1]
               for a in addrs]
        pairs_run(ctx, results, kind, mtu, npairs, vms, addrs,
                  sv.relays(), sv.p.pid)
    except B.Unavailable as e:
        B.log("pairs (%s) mtu %d, %d pairs: %s" % (kind, mtu, npairs, e))
        results["pairs-%s|a->b|%d|%d" % (kind, mtu, 2 * npairs)] = {
            "status": str(e)}
    finally:
        undo_to(mark)


def bench_pairs_bridge(ctx, results, mtu, npairs):
    mark = len(B.REAPER.undo)
    try:
        br = B.holder("bridge ns")
        B.sh(B.in_ns(br.pid, ["ip", "link", "add", "br0", "type", "bridge"]))
        B.sh(B.in_ns(br.pid, ["ip", "link", "set", "br0", "mtu", str(mtu),
                              "up"]))
        addrs = [PAIR_NET + str(i + 1) for i in range(2 * npairs)]
        vms = []
        for i, a in enumerate(addrs):
            h = B.holder("bridge VM %d" % i)
            v, p = "%s-b%d" % (B.TAG, i), "%s-p%d" % (B.TAG, i)
            if len(v) > 15:
                v, p = "sqnb%x-b%d" % (B.PID & 0xffff, i), \
                    "sqnb%x-p%d" % (B.PID & 0xffff, i)
            B.sh(["ip", "link", "add", v, "mtu", str(mtu), "type", "veth",
                  "peer", "name", p, "mtu", str(mtu)])
            B.REAPER.add("veth " + v, lambda v=v: B.sh(
                ["ip", "link", "del", v], check=False))
            B.sh(["ip", "link", "set", v, "netns", str(h.pid)])
            B.sh(["ip", "link", "set", p, "netns", str(br.pid)])
            B.sh(B.in_ns(br.pid, ["ip", "link", "set", p, "master", "br0",
                                  "up"]))
            for cmd in (["ip", "link", "set", "lo", "up"],
                        ["ip", "link", "set", v, "up"],
                        ["ip", "addr", "add", a + "/24", "dev", v]):
                B.sh(B.in_ns(h.pid, cmd))
            vms.append(h.pid)
        pairs_run(ctx, results, "bridge", mtu, npairs, vms, addrs, [], None)
    except B.Unavailable as e:
        B.log("pairs (bridge) mtu %d, %d pairs: %s" % (mtu, npairs, e))
        results["pairs-bridge|a->b|%d|%d" % (mtu, 2 * npairs)] = {
            "status": str(e)}
    finally:
        undo_to(mark)


def pairs_run(ctx, results, kind, mtu, npairs, vms, addrs, watch, serve_pid):
    for i in range(npairs):
        settle(vms[2 * i + 1], addrs[2 * i])
    ports = iperf_servers(ctx, [(vms[2 * i], addrs[2 * i])
                                for i in range(npairs)])
    clients = [(vms[2 * i + 1], addrs[2 * i], ports[i])
               for i in range(npairs)]
    sample(ctx, results, "pairs-%s|a->b|%d|%d" % (kind, mtu, 2 * npairs),
           clients, False, watch, serve_pid, 2 * npairs)


def undo_to(mark):
    for idx in range(len(B.REAPER.undo) - 1, mark - 1, -1):
        B.REAPER.run_one(idx)
    del B.REAPER.undo[mark:]


def med(r, field="gbps"):
    v = [s[field] for s in r.get("samples", []) if field in s]
    return statistics.median(v) if v else None


def report(ctx, results):
    a = ctx.args
    lines = ["squib-net serve benchmark: %g s x %d samples, median "
             "(aggregate Gbit/s over all VMs at once)" % (a.seconds, a.reps),
             "",
             "%-14s %-9s %5s %4s %10s %9s %10s %10s" % (
                 "scenario", "dir", "mtu", "VMs", "aggregate", "per VM",
                 "serve CPU", "CPU/VM")]
    for key in sorted(results, key=sort_key):
        r = results[key]
        scen, d, mtu, n = key.split("|")
        g = med(r)
        if g is None:
            lines.append("%-14s %-9s %5s %4s  %s" % (
                scen, d, mtu, n, r.get("status", "failed")))
            continue
        sc, cv = med(r, "serve_cpu"), med(r, "cpu_per_vm")
        lines.append("%-14s %-9s %5s %4s %10.2f %9.2f %10s %10s" % (
            scen, d, mtu, n, g, g / int(n),
            "%.0f%%" % sc if sc is not None else "-",
            "%.0f%%" % cv if cv is not None else "-"))
    lines += ["", "targets:"]
    for mtu in a.mtus:
        for d in B.DIRS:
            one = results.get("uplink|%s|%d|1" % (d, mtu))
            top = results.get("uplink|%s|%d|%d" % (d, mtu, max(a.vms)))
            lines.append(target_line(
                "uplink %s mtu %d: %d VMs >= 0.8x 1 VM" % (d, mtu,
                                                           max(a.vms)),
                top, one, 0.8))
        want = 0.2 if mtu <= 1500 else 0.3
        for kind in a.pair_modes:
            scen = "serve" if kind == "plain" else kind
            for n in a.pair_vms:
                lines.append(target_line(
                    "VM-to-VM mtu %d, %d VMs: %s >= %.1fx bridge" % (
                        mtu, n, scen, want),
                    results.get("pairs-%s|a->b|%d|%d" % (scen, mtu, n)),
                    results.get("pairs-bridge|a->b|%d|%d" % (mtu, n)),
                    want))
    return "\n".join(lines) + "\n"


def sort_key(k):
    scen, d, mtu, n = k.split("|")
    return (scen, int(mtu), d, int(n))


def target_line(what, got, ref, want):
    g, r = (med(got) if got else None), (med(ref) if ref else None)
    if g is None or not r:
        return "  %-52s not measured" % what
    ratio = g / r
    return "  %-52s %s (%.2fx: %.2f / %.2f Gbit/s)" % (
        what, "met" if ratio >= want else "missed", ratio, g, r)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="squib-net serve: aggregate throughput of many VMs, "
                    "beside a Linux bridge")
    ap.add_argument("--quick", action="store_true",
                    help="1 s x 1 sample, VMs 1,2 and one pair (development)")
    ap.add_argument("--mtu", default="1500,65520")
    ap.add_argument("--vms", help="VM counts on the slirp uplink "
                    "(default 1,2,4,8; --quick: 1,2)")
    ap.add_argument("--pair-vms", help="VM counts in pairs (default 2,4,8; "
                    "--quick: 2)")
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--omit", type=float, default=1)
    ap.add_argument("--only", default="uplink,pairs",
                    help="uplink, pairs or both (default)")
    ap.add_argument("--pair-modes", default="plain,offload",
                    help="how the pairs' VMs join serve: plain (run --mode "
                    "socket), offload (with --offload), or both (default)")
    ap.add_argument("--squib-net", dest="squib_net")
    ap.add_argument("--out", default=os.path.join(B.ROOT, "bench", "out"))
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        a.seconds, a.reps, a.omit = 1, 1, 0
    a.vms = a.vms or ("1,2" if a.quick else "1,2,4,8")
    a.pair_vms = a.pair_vms or ("2" if a.quick else "2,4,8")
    a.mtus = [int(x) for x in a.mtu.split(",")]
    a.vms = [int(x) for x in a.vms.split(",")]
    a.pair_vms = [int(x) for x in a.pair_vms.split(",")]
    a.only = a.only.split(",")
    a.pair_modes = a.pair_modes.split(",")
    # bench.py's Ctx reads these
    a.gvproxy = None
    a.compare = None
    return a


def main(argv):
    a = parse_args(argv)
    B.VERBOSE = a.verbose
    if os.geteuid() != 0:
        B.log("needs root (namespaces, veths)")
        return 2
    atexit.register(B.REAPER.all)
    signal.signal(signal.SIGINT, B.on_signal)
    signal.signal(signal.SIGTERM, B.on_signal)
    results = {}
    try:
        ctx = B.Ctx(a)
        if not ctx.squib_net:
            B.log("squib-net not built: give --squib-net PATH")
            return 2
        load0 = os.getloadavg()
        for mtu in a.mtus:
            if "uplink" in a.only:
                for n in a.vms:
                    bench_uplink(ctx, results, mtu, n)
            if "pairs" in a.only:
                for n in a.pair_vms:
                    bench_pairs_bridge(ctx, results, mtu, n // 2)
                    if "plain" in a.pair_modes:
                        bench_pairs_serve(ctx, results, mtu, n // 2)
                    if "offload" in a.pair_modes:
                        bench_pairs_serve(ctx, results, mtu, n // 2, True)
        text = report(ctx, results)
    except KeyboardInterrupt:
        B.log("interrupted: cleaning up")
        return 130
    finally:
        B.REAPER.all()
    print(text, end="")
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "serve_bench.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(a.out, "serve_bench.json"), "w") as f:
        json.dump({"loadavg_at_start": load0,
                   "loadavg_at_end": os.getloadavg(),
                   "config": {k: v for k, v in vars(a).items()
                              if k != "out"},
                   "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
