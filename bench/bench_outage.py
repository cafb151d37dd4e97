#!/usr/bin/env python3
"""A server unreachable for a minute, at scale: N observed vclients through an outage.

lwgwd with N simulated sensors ("step" waveform: the temperature toggles every second)
registers with lwgw-operator through a UDP relay (tests/e2e/lwgwtest.py's Relay); the
operator observes /3303/0/5700 of every endpoint (pmin=0, pmax=5). Then the relay drops
everything both ways for --outage seconds (60), longer than the lifetime (--lifetime, 30):
Updates go unanswered, registrations expire at both ends, Registers back off. Reported:

  - lwgwd CPU during the outage (utime + stime from /proc) and the datagrams it sent into
    the dark, per 10 s window (the backoff thinning them out);
  - after the outage: time until every endpoint is registered again (operator `register`
    or `update` events), p50 and max;
  - stored notifications (SV-2): per endpoint, the notifications that follow its
    re-registration on the server's original observation; an endpoint is "in order" when
    they begin with a burst of confirmable ones with consecutive Observe numbers, after a
    gap from the last one seen before the outage, and live ones (NON) follow. The burst
    is --store-max long, one more when a reading came while it drained (it joins the
    queue's tail); shorter when the outage ended soon after lwgwd noticed it;
  - how long until the last stored notification arrived.

Python standard library only. Run with top_builddir set (make bench does) or from the
build directory: python3 bench/bench_outage.py -n 1000 --outage 60
"""
import argparse
import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
if "top_builddir" not in os.environ:
    os.environ["top_builddir"] = os.getcwd()
import lwgwtest  # noqa: E402
from bench_scale import Counter, cpu_ticks, pct, rss_kb, TICK  # noqa: E402

URI_PATH, OBSERVE = 11, 6


def gw_config(r, args, relay_port):
    return """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            control_socket = "%s"; log_level = "%s"; };
coap = { ack_timeout_ms = %d; max_retransmit = %d; };
lwm2m = { retry_base_ms = %d; retry_cap_ms = %d; store_max = %d;
          shutdown_timeout_ms = 5000; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = %d; } );
links = ( { name = "sim0"; type = "sim"; devices = %d; objects = [3303];
            period_ms = 100; waveform = "step"; } );
""" % (r.path("ctl"), args.log_level, args.ack_timeout_ms, args.max_retransmit,
       args.retry_base_ms, args.retry_cap_ms, args.store_max, relay_port,
       args.lifetime, args.n)


def status(r):
    p = subprocess.run([os.path.join(lwgwtest.builddir(), "lwgwctl"), "-s",
                        r.path("ctl"), "--json", "status"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30)
    return json.loads(p.stdout)["states"] if p.returncode == 0 else {}


def bench(r, args, out):
    n = args.n
    op = r.operator("ack_timeout_ms = 2000;\nmax_retransmit = 4;\n"
                    "server = { port = 0; };\n")
    relay = r.relay(op.server_port)
    c = Counter(op)
    c.keep = {"register", "update", "notify", "response"}
    t0 = time.monotonic()
    gw = r.lwgwd(gw_config(r, args, relay.port))
    c.wait("register", n, t0 + args.timeout, "registration", gw)
    out["register_s"] = round(time.monotonic() - t0, 2)

    # Observe every endpoint; tags map back to endpoints.
    tags = {}
    for i in range(1, n + 1):
        ep = "sim0-%d" % i
        tags[op.command("observe %s /3303/0/5700 pmin=0 pmax=5" % ep)] = ep
    c.wait("notify", n, time.monotonic() + args.timeout, "first notifications", gw)
    time.sleep(3.0)

    # The outage.
    c.update()
    with relay.cond:
        d0 = len(relay.dropped)
    cpu0, w0 = cpu_ticks(gw.pid), time.monotonic()
    relay.blackout(args.outage)
    t_dark = time.monotonic()
    windows = []
    while time.monotonic() < t_dark + args.outage - 0.05:
        time.sleep(min(10.0, t_dark + args.outage - time.monotonic()))
        with relay.cond:
            windows.append(len(relay.dropped))
    states = status(r)
    relay.wait_light()
    cpu1, w1 = cpu_ticks(gw.pid), time.monotonic()
    t_light = time.monotonic()
    op_t_light = op.request("ping", event="pong")["t"]   # the operator's clock
    out["outage_s"] = round(w1 - w0, 1)
    out["outage_lwgwd_cpu_pct"] = round(100.0 * (cpu1 - cpu0) / TICK / (w1 - w0), 2)
    prev, sent = d0, []
    for v in windows:
        sent.append(v - prev)
        prev = v
    out["outage_datagrams_into_the_dark_per_10s"] = sent
    out["states_at_end_of_outage"] = {k: v for k, v in states.items() if v}

    # Back: every endpoint registered again (Update answered, or a fresh Register).
    deadline = t_light + args.timeout
    back = {}
    while len(back) < n and time.monotonic() < deadline:
        time.sleep(0.2)
        for ev in c.update():
            if (ev["event"] in ("register", "update") and ev.get("ep") not in back and
                    ev["t"] >= op_t_light and ev.get("answer") in ("2.01", "2.04")):
                back[ev["ep"]] = ev
    out["back_endpoints"] = len(back)
    after = sorted(ev["t"] - op_t_light for ev in back.values())
    out["back_p50_s"] = round(pct(after, 50), 2)
    out["back_max_s"] = round(after[-1], 2) if after else None
    out["back_by_register"] = sum(1 for ev in back.values() if ev["event"] == "register")
    time.sleep(args.settle)
    c.update()

    # Stored notifications, per endpoint.
    notes = {}
    for ev in c.kept:
        if ev["event"] == "notify" and ev.get("tag") in tags:
            notes.setdefault(tags[ev["tag"]], []).append(ev)
    in_order = flushed = last_stored = 0
    bad, counts = [], []
    for ep, evs in notes.items():
        b = back.get(ep)
        if b is None:
            continue
        before = [e["observe"] for e in evs if e["t"] < op_t_light]
        post = [e for e in evs if e["t"] >= b["t"]]
        k = 0
        while k < len(post) and post[k]["type"] == "CON":
            k += 1
        stored = post[:k]
        seqs = [e["observe"] for e in stored]
        ok = (k > 0 and k < len(post) and before and
              seqs == list(range(seqs[0], seqs[0] + k)) and seqs[0] > max(before) + 1)
        if ok:
            in_order += 1
            flushed += k
            counts.append(k)
            last_stored = max(last_stored, stored[-1]["t"] - op_t_light)
        elif len(bad) < 3:
            bad.append((ep, max(before) if before else None, round(b["t"], 3),
                        [(e["observe"], e["type"], round(e["t"], 3))
                         for e in post[:args.store_max + 2]]))
    out["stored_in_order_endpoints"] = in_order
    out["stored_notifications_delivered"] = flushed
    counts.sort()
    out["stored_per_endpoint_min_p50_max"] = (
        [counts[0], pct(counts, 50), counts[-1]] if counts else None)
    out["stored_full_endpoints"] = sum(1 for k in counts if k >= args.store_max)
    out["last_stored_arrived_s"] = round(last_stored, 2)
    if bad:
        out["examples_not_in_order"] = bad
    out["lwgwd_rss_kb"] = rss_kb(gw.pid)
    if os.environ.get("BENCH_LOG"):
        with gw.cond, open(os.environ["BENCH_LOG"], "w") as f:
            f.write("\n".join(gw.lines))
    gw.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=1000, help="simulated sensors (1000)")
    ap.add_argument("--outage", type=float, default=60.0, help="seconds dark (60)")
    ap.add_argument("--lifetime", type=int, default=30, help="registration lifetime (30)")
    ap.add_argument("--store-max", type=int, default=8, help="lwm2m.store_max (8)")
    ap.add_argument("--ack-timeout-ms", type=int, default=1000)
    ap.add_argument("--max-retransmit", type=int, default=2)
    ap.add_argument("--retry-base-ms", type=int, default=2000)
    ap.add_argument("--retry-cap-ms", type=int, default=16000)
    ap.add_argument("--settle", type=float, default=5.0,
                    help="seconds to let stored notifications arrive (5)")
    ap.add_argument("--timeout", type=float, default=120.0, help="per phase (120)")
    ap.add_argument("--log-level", default="notice")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    out = {"n": args.n, "lifetime_s": args.lifetime, "store_max": args.store_max}
    with lwgwtest.Runner() as r:
        bench(r, args, out)
    for k, v in out.items():
        print("%s %s" % (k, v))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
