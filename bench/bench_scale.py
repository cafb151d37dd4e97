#!/usr/bin/env python3
"""Whole-daemon scale benchmark: lwgwd with N simulated sensors against lwgw-operator.

One run, on loopback, with a fresh temporary directory:
  1. baseline: lwgwd with one registered sensor, its RSS;
  2. start lwgwd with N sensors (factory server accounts, or a factory Bootstrap-Server
     account with --bootstrap; NoSec, or DTLS-PSK with --psk); registration time = from
     the start of lwgwd until the operator has seen N `register` events;
     RSS per vclient = (RSS(N) - RSS(1)) / (N - 1);
  3. `lwgwctl list` (text and --json) wall time at N devices;
  4. with --observe K: the operator observes /3303/0/5700 (pmin=0) of K endpoints, then for
     --duration seconds: lwgwd CPU % (/proc/PID/stat), RSS, notifications/s at the operator,
     reading->Notify latency and the per-endpoint interval jitter (see bench/README.md);
  5. SIGTERM: time until lwgwd exits, De-registers seen by the operator;
  6. with --restart: lwgwd again on the same state directory, time until N registered.

Every phase has a deadline (--timeout); the run stops itself. Prints one `key value` line per
number and, with --json FILE, writes them as JSON. Python standard library only; uses
tests/e2e/lwgwtest.py to run the processes. Run from anywhere with top_builddir set (make
bench does), or from the build directory.
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
if "top_builddir" not in os.environ:
    os.environ["top_builddir"] = os.getcwd()
import lwgwtest  # noqa: E402

PSK = "000102030405060708090a0b0c0d0e0f"
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


class Counter:
    """Counts the operator's events incrementally (lwgwtest's wait_event rescans the
    whole event list from the start each time: quadratic at 10,000 events)."""

    def __init__(self, op):
        self.op = op
        self.pos = 0
        self.counts = {}
        self.keep = set()
        self.kept = []
        self.eps = set()    # distinct endpoints of `register` events

    def update(self):
        with self.op.cond:
            evs = self.op.events[self.pos:]
            self.pos = len(self.op.events)
        for ev in evs:
            e = ev.get("event")
            self.counts[e] = self.counts.get(e, 0) + 1
            if e == "register":
                self.eps.add(ev.get("ep"))
            if e in self.keep:
                self.kept.append(ev)
        return evs

    def wait(self, event, n, deadline, what, gw=None, partial=False):
        """Until n events of this kind have been counted; returns the monotonic time
        at which the count was reached (to poll granularity, 10 ms). At the deadline:
        None with partial, else a failure."""
        while True:
            self.update()
            if (len(self.eps) if event == "register" else self.counts.get(event, 0)) >= n:
                return time.monotonic()
            if time.monotonic() > deadline:
                if partial:
                    return None
                raise lwgwtest.Failure("%s: %d of %d %s events before the deadline\n%s"
                                       % (what, len(self.eps) if event == "register"
                                          else self.counts.get(event, 0), n, event,
                                          self.op.tail(5)))
            if gw is not None and not gw.alive():
                raise lwgwtest.Failure("lwgwd exited during %s\n%s" % (what, gw.tail()))
            time.sleep(0.01)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def udp_counters():
    """System-wide UDP counters (/proc/net/snmp): datagrams out, in, receive-buffer
    drops. On an otherwise idle machine, the loopback traffic of this benchmark."""
    with open("/proc/net/snmp") as f:
        rows = [line.split() for line in f if line.startswith("Udp:")]
    c = dict(zip(rows[0][1:], (int(v) for v in rows[1][1:])))
    return c.get("OutDatagrams", 0), c.get("InDatagrams", 0), c.get("RcvbufErrors", 0)


def sock_drops(pid):
    """Datagrams dropped (receive buffer full) on the UDP sockets of process pid, from
    the `drops` column of /proc/net/udp{,6}: unlike /proc/net/snmp, not polluted by
    other processes of the machine."""
    inodes = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if t.startswith("socket:["):
                inodes.add(t[8:-1])
    except OSError:
        return 0
    total = 0
    for name in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    c = line.split()
                    if c[9] in inodes:
                        total += int(c[12])
        except OSError:
            pass
    return total


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    i = min(len(sorted_vals) - 1, int(round(p / 100.0 * (len(sorted_vals) - 1))))
    return sorted_vals[i]


def operator_config(args, n):
    conf = "ack_timeout_ms = 2000;\nmax_retransmit = 4;\n"
    srv = "server = { port = 0;"
    if args.psk:
        srv += " dtls_port = 0; psk = ( %s );" % ", ".join(
            '{ identity = "sim0-%d"; key = "hex:%s"; }' % (i, PSK)
            for i in range(1, n + 1))
    conf += srv + " };\n"
    if args.bootstrap:
        # Per endpoint: write the LwM2M Server's Security (/0/1) and Server (/1/0)
        # instances, then Finish. The Server URI is not known yet (ephemeral port):
        # the operator's own server port is substituted by a second pass (below).
        conf += "bootstrap = { port = 0; endpoints = ( %s ); };\n" % ", ".join(
            bs_endpoint(args, "sim0-%d" % i) for i in range(1, n + 1))
    return conf


def bs_endpoint(args, ep):
    if args.psk:
        sec = ['"0=str:coaps://127.0.0.1:@SPORT@"', '"1=bool:0"', '"2=int:0"',
               '"3=str:%s"' % ep, '"5=opaque:%s"' % PSK, '"10=int:101"']
    else:
        sec = ['"0=str:coap://127.0.0.1:@SPORT@"', '"1=bool:0"', '"2=int:3"',
               '"3=opaque:"', '"4=opaque:"', '"5=opaque:"', '"10=int:101"']
    srv = ['"0=int:101"', '"1=int:3600"', '"6=bool:1"', '"7=str:U"']
    return ('{ name = "%s"; steps = ( '
            '{ op = "write"; path = "/0"; expect = "2.04"; instances = ( '
            '{ id = 1; values = [ %s ]; } ); }, '
            '{ op = "write"; path = "/1"; expect = "2.04"; instances = ( '
            '{ id = 0; values = [ %s ]; } ); }, '
            '{ op = "finish"; expect = "2.04"; } ); }'
            % (ep, ", ".join(sec), ", ".join(srv)))


def gw_config(r, args, n, op, state):
    g = ('gateway = { state_dir = "%s"; bind = "127.0.0.1"; allow_insecure = true; '
         'control_socket = "%s"; log_level = "%s"; };\n'
         % (state, r.path("ctl"), args.log_level))
    g += "lwm2m = { shutdown_timeout_ms = %d; %s};\n" % (
        args.shutdown_timeout_ms,
        "max_inflight = %d; " % args.max_inflight if args.max_inflight else "")
    if args.bootstrap:
        if args.psk:
            g += ('bootstrap = { uri = "coaps://127.0.0.1:%d"; security = "psk"; '
                  'psk_identity = "{endpoint}"; psk_key = "hex:%s"; };\n'
                  % (op.bs_dtls_port, PSK))
        else:
            g += ('bootstrap = { uri = "coap://127.0.0.1:%d"; security = "nosec"; };\n'
                  % op.bs_port)
    elif args.psk:
        g += ('servers = ( { ssid = 101; uri = "coaps://127.0.0.1:%d"; security = "psk"; '
              'psk_identity = "{endpoint}"; psk_key = "hex:%s"; lifetime = 3600; } );\n'
              % (op.server_dtls_port, PSK))
    else:
        g += ('servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec"; '
              'lifetime = 3600; } );\n' % op.server_port)
    g += ('links = ( { name = "sim0"; type = "sim"; devices = %d; objects = [3303]; '
          'period_ms = %d; } );\n' % (n, args.period_ms))
    return g


def start_operator(r, args, n, name):
    conf = operator_config(args, n)
    if args.bootstrap:
        # Two passes: learn the server port from a server-only operator is not possible
        # (ports are ephemeral per process), so pick a free port for the server role.
        port = lwgwtest.free_port()
        dport = lwgwtest.free_port() if args.psk else 0
        conf = conf.replace("server = { port = 0;", "server = { port = %d;" % port)
        conf = conf.replace("dtls_port = 0; psk", "dtls_port = %d; psk" % dport)
        conf = conf.replace("@SPORT@", str(dport if args.psk else port))
    return r.operator(conf, name=name)


def run_gw(r, args, n, name, state, op):
    return r.lwgwd(gw_config(r, args, n, op, state), name=name)


def register_phase(r, args, n, name, state, out, key):
    op = start_operator(r, args, n, "op-" + name)
    c = Counter(op)
    c.keep = {"register", "bs-done"}
    t0 = time.monotonic()
    gw = run_gw(r, args, n, name, state, op)
    t1 = c.wait("register", n, t0 + args.timeout, "registration", gw,
                partial=args.partial)
    if t1 is None:
        out[key + "_register_s"] = "> %s (deadline)" % args.timeout
        out[key + "_registered_at_deadline"] = len(c.eps)
    else:
        out[key + "_register_s"] = round(t1 - t0, 3)
    out[key + "_operator_drops"] = sock_drops(op.pid)
    if args.bootstrap:
        out[key + "_bs_done"] = c.counts.get("bs-done", 0)
        out[key + "_bs_failed"] = sum(1 for e in c.kept
                                      if e["event"] == "bs-done" and not e.get("ok"))
    out[key + "_register_events"] = c.counts.get("register", 0)
    return op, c, gw


def time_cmd(argv, timeout=120):
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return time.monotonic() - t0, p


def observe_phase(r, args, n, op, c, gw, out):
    k = min(args.observe, n)
    eps = ["sim0-%d" % i for i in range(1, k + 1)]
    c.keep = {"notify"}
    c.kept = []
    # Observe with pmin=0, pmax=3600: every changed reading is notified (sine waveform:
    # every reading changes). The commands are pipelined; their answers counted.
    tags0 = c.counts.get("response", 0)
    t0 = time.monotonic()
    for ep in eps:
        op.send("observe %s /3303/0/5700 pmin=0 pmax=3600" % ep)
    # Each observe yields one write-attr response, then a first notify.
    c.wait("response", tags0 + k, t0 + args.timeout, "write-attr", gw)
    c.wait("notify", k, t0 + args.timeout, "first notifications", gw)
    out["observe_setup_s"] = round(time.monotonic() - t0, 3)
    time.sleep(2.0)  # settle
    c.update()
    c.kept = []
    n0 = c.counts.get("notify", 0)
    udp0 = udp_counters()
    drops0 = sock_drops(op.pid)
    cpu0, w0 = cpu_ticks(gw.pid), time.monotonic()
    time.sleep(args.duration)
    cpu1, w1 = cpu_ticks(gw.pid), time.monotonic()
    udp1 = udp_counters()
    out["window_operator_drops"] = sock_drops(op.pid) - drops0
    c.update()
    n1 = c.counts.get("notify", 0)
    wall = w1 - w0
    out["observed"] = k
    out["window_s"] = round(wall, 2)
    out["lwgwd_cpu_pct"] = round(100.0 * (cpu1 - cpu0) / TICK / wall, 1)
    out["lwgwd_rss_kb_observing"] = rss_kb(gw.pid)
    out["readings_per_s"] = round(n * 1000.0 / args.period_ms, 1)
    out["notify_per_s"] = round((n1 - n0) / wall, 1)
    out["notify_expected_per_s"] = round(k * 1000.0 / args.period_ms, 1)
    out["udp_out_per_s_systemwide"] = round((udp1[0] - udp0[0]) / wall, 1)
    latency(args, n, c.kept, out)


def latency(args, n, notes, out):
    """Reading->Notify latency from the sim's schedule (see README): device d (1-based)
    reads at T0 + p*period + slice(d)*tick, slice = (d-1) % slices. The phase of each
    notification's arrival within the period, minus its slice's offset, is T0 + latency;
    the smallest value seen estimates T0 (+ the minimum loopback latency)."""
    period = args.period_ms
    slices = max(1, min(period // 10, n)) if n > 1 else 1
    tick = period / slices
    phases = []
    byep = {}
    for ev in notes:
        d = int(ev["ep"].rsplit("-", 1)[1])
        t = ev["t"] * 1000.0
        phases.append((t - ((d - 1) % slices) * tick) % period)
        byep.setdefault(d, []).append(t)
    if not phases:
        return
    # Phases wrap at the period: rotate so the smallest gap is the origin.
    phases.sort()
    gaps = [(phases[(i + 1) % len(phases)] - phases[i]) % period
            for i in range(len(phases))]
    i = max(range(len(gaps)), key=lambda j: gaps[j])
    origin = phases[(i + 1) % len(phases)]
    lat = sorted((p - origin) % period for p in phases)
    out["latency_ms_p50"] = round(pct(lat, 50), 1)
    out["latency_ms_p99"] = round(pct(lat, 99), 1)
    out["latency_ms_max"] = round(lat[-1], 1)
    jit = []
    for ts in byep.values():
        ts.sort()
        jit += [abs(b - a - period) for a, b in zip(ts, ts[1:])]
    jit.sort()
    out["interval_jitter_ms_p50"] = round(pct(jit, 50), 1)
    out["interval_jitter_ms_p99"] = round(pct(jit, 99), 1)


def stop_phase(op, c, gw, args, out, key):
    c.update()
    d0 = c.counts.get("deregister", 0)
    t0 = time.monotonic()
    os.kill(gw.pid, signal.SIGTERM)
    try:
        rc = gw.p.wait(args.shutdown_timeout_ms / 1000.0 + 30)
    except subprocess.TimeoutExpired:
        rc = "timeout"
    out[key + "_stop_s"] = round(time.monotonic() - t0, 3)
    out[key + "_stop_rc"] = rc
    time.sleep(1.0)
    c.update()
    out[key + "_deregistered"] = c.counts.get("deregister", 0) - d0
    out[key + "_operator_drops_total"] = sock_drops(op.pid)


def bench(r, args, out):
    out.update({"n": args.n, "bootstrap": args.bootstrap, "psk": args.psk})
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    out["nofile"] = hard
    # 1. Baseline: one sensor.
    base = None
    if not args.skip_baseline:
        st = r.path("state1")
        os.makedirs(st)
        op, c, gw = register_phase(r, args, 1, "base", st, {}, "base")
        time.sleep(1.0)
        base = rss_kb(gw.pid)
        out["rss_kb_1"] = base
        stop_phase(op, c, gw, args, {}, "base")
        op.stop()
    # 2. N sensors.
    n = args.n
    st = r.path("state")
    os.makedirs(st)
    op, c, gw = register_phase(r, args, n, "gw", st, out, "start")
    time.sleep(1.0)
    out["rss_kb_n"] = rss_kb(gw.pid)
    if base is not None:
        out["rss_kb_per_vclient"] = round((out["rss_kb_n"] - base) / max(1, n - 1), 2)
    out["fds"] = nfds(gw.pid)
    # 3. lwgwctl.
    ctl = os.path.join(lwgwtest.builddir(), "lwgwctl")
    for what, extra in (("list", []), ("list_json", ["--json"]), ("status", [])):
        cmd = [ctl, "-s", r.path("ctl")] + extra + [what.split("_")[0]]
        dt, p = time_cmd(cmd)
        out["ctl_%s_s" % what] = round(dt, 3)
        if p.returncode != 0:
            out["ctl_%s_error" % what] = p.stderr.decode(errors="replace").strip()
        elif what == "list":
            out["ctl_list_lines"] = p.stdout.count(b"\n") - 1
        elif what == "list_json":
            old_ports = set(d["port"] for d in json.loads(p.stdout))
    # 4. Notifications.
    if args.observe > 0:
        observe_phase(r, args, n, op, c, gw, out)
    # 5. Graceful stop.
    out["state_files"] = len(os.listdir(st))
    stop_phase(op, c, gw, args, out, "n")
    # 6. Restart on the same state.
    if args.restart:
        out["state_files_after_stop"] = len(os.listdir(st))
        c.update()
        c.eps = set()
        r0 = c.counts.get("register", 0)
        t0 = time.monotonic()
        gw2 = run_gw(r, args, n, "gw2", st, op)
        # Devices without a state file (bootstrap not finished before the deadline)
        # bootstrap again; the time is until those with a state file registered.
        want = n if not args.bootstrap else out["state_files_after_stop"]
        out["restart_expected"] = want
        t1 = c.wait("register", want, t0 + args.timeout, "re-registration", gw2,
                    partial=args.partial)
        if t1 is None:
            out["restart_register_s"] = "> %s (deadline)" % args.timeout
            out["restart_registered_at_deadline"] = len(c.eps)
            # The stragglers: how many got a local port that a vclient of the first
            # run had (a server may still hold a session for that address).
            p = subprocess.run([ctl, "-s", r.path("ctl"), "--json", "list"],
                               stdout=subprocess.PIPE, timeout=120)
            late = [d for d in json.loads(p.stdout)
                    if d["state"] != "registered"]
            out["restart_unregistered"] = len(late)
            out["restart_unregistered_on_reused_port"] = sum(
                1 for d in late if d["port"] in old_ports)
        else:
            out["restart_register_s"] = round(t1 - t0, 3)
        out["restart_register_events"] = c.counts.get("register", 0) - r0
        out["restart_operator_drops_total"] = sock_drops(op.pid)
        out["restart_rss_kb"] = rss_kb(gw2.pid)
        stop_phase(op, c, gw2, args, out, "restart")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="simulated sensors (1000)")
    ap.add_argument("--bootstrap", action="store_true",
                    help="factory Bootstrap-Server account; the operator bootstraps each")
    ap.add_argument("--psk", action="store_true", help="DTLS-PSK instead of NoSec")
    ap.add_argument("--observe", type=int, default=0,
                    help="observe /3303/0/5700 of this many endpoints")
    ap.add_argument("--duration", type=float, default=30.0,
                    help="measuring window of the observe phase (30 s)")
    ap.add_argument("--period-ms", type=int, default=1000, help="sim period (1000)")
    ap.add_argument("--restart", action="store_true",
                    help="restart lwgwd on the state directory after the stop")
    ap.add_argument("--shutdown-timeout-ms", type=int, default=5000)
    ap.add_argument("--max-inflight", type=int, default=0,
                    help="lwm2m.max_inflight (default: lwgwd's)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="deadline of each phase (300 s)")
    ap.add_argument("--partial", action="store_true",
                    help="at a registration deadline, record the count and go on")
    ap.add_argument("--log-level", default="warning")
    ap.add_argument("--skip-baseline", action="store_true",
                    help="no one-sensor run (RSS per vclient is then not computed)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    result = {}

    def test(r):
        bench(r, args, result)

    try:
        with lwgwtest.Runner() as r:
            test(r)
            problems = r.cleanup()
    except lwgwtest.Failure as e:
        sys.stderr.write("bench_scale: FAILED: %s\n" % e)
        for k, v in result.items():
            print("%s %s" % (k, v))
        return 1
    for k, v in result.items():
        print("%s %s" % (k, v))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    if problems:
        sys.stderr.write("bench_scale: %s\n" % "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
