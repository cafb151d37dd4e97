#!/usr/bin/env python3
"""Observe attributes end to end: the real lwgwd (simulated temperature, "step"
waveform) against lwgw-operator as its only LwM2M Server.

The step waveform alternates between 16 and 26 (level 21, swing 5) every 10 periods;
with period_ms 100 the temperature toggles every second. Each scenario runs on its own
device, all at once:
- gt=30 / lt=10 / st=15: never crossed or moved by that much → no notification;
- gt=20 / lt=20 / st=5: every toggle crosses (or moves by 10) → notifications that
  alternate 16/26 with growing Observe sequence numbers;
- gt=20 pmin=2: pmin holds the crossings back (notifications >= 2 s apart);
- gt=30 pmax=1: nothing crosses but pmax forces one every second;
- Write-Attributes then Discover shows them on the resource link
  (`</3303/0/5700>;pmin=..`), also at instance level; a bare name removes one;
- Cancel stops the notifications;
- the Security object is never readable: Read /0 and /0/0 get 4.01 (AC-3).
Requirement IDs: AC-3 (single server: full access to the sensor, never to /0).
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

OPERATOR = """
ack_timeout_ms = 1000;
server = { address = "127.0.0.1"; port = 0; };
"""

LWGWD = """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%(ctl)s"; };
coap = { ack_timeout_ms = 500; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%(port)d"; security = "nosec";
              lifetime = 60; } );
links = ( { name = "sim0"; type = "sim"; devices = 10; objects = [3303];
            period_ms = 100; waveform = "step"; } );
"""

RES = "/3303/0/5700"
# device -> (attributes, expectation)
SCENARIOS = {
    1: ("gt=30", "none"),
    2: ("gt=20", "toggle"),
    3: ("lt=10", "none"),
    4: ("lt=20", "toggle"),
    5: ("st=15", "none"),
    6: ("st=5", "toggle"),
    7: ("gt=20 pmin=2", "pmin"),
    8: ("gt=30 pmax=1", "pmax"),
}
WINDOW = 5.0


def ep(i):
    return "sim0-%d" % i


def test(r):
    if not os.access(os.path.join(lwgwtest.builddir(), "tests", "operator",
                                  "lwgw-operator"), os.X_OK):
        raise lwgwtest.Skip("lwgw-operator not built")
    op = r.operator(OPERATOR)
    gw = r.lwgwd(LWGWD % {"ctl": r.path("ctl"), "port": op.server_port})
    for i in range(1, 11):
        op.wait_event({"event": "register", "ep": ep(i)}, 15)
    time.sleep(0.3)  # the first readings

    # AC-3: the Security object is never reachable, even for the only server.
    for path in ("/0", "/0/0", "/0/0/0"):
        rsp = op.request("read %s %s" % (ep(1), path))
        check(rsp["code"] == "4.01", "Read %s: %r" % (path, rsp), op, gw)
    rsp = op.request("read %s %s" % (ep(1), RES))
    check(rsp["code"] == "2.05" and rsp["payload"] in ("16", "26"),
          "read of the step waveform: %r" % rsp, op)

    tags = {}
    for i, (attrs, _) in SCENARIOS.items():
        tags[i] = op.command("observe %s %s %s" % (ep(i), RES, attrs))
    for i, tag in tags.items():
        wa = op.wait_event({"tag": tag, "event": "response", "cmd": "write-attr"}, 5)
        check(wa["code"] == "2.04", "write-attr %s: %r" % (SCENARIOS[i][0], wa), op)
        rsp = op.wait_event({"tag": tag, "event": "response", "cmd": "observe"}, 5)
        check(rsp["code"] == "2.05" and "observe" in rsp,
              "observe %s: %r" % (SCENARIOS[i][0], rsp), op, gw)
    t0 = rsp["t"]
    time.sleep(WINDOW + 0.3)

    def notes(i):
        with op.cond:
            return [e for e in op.events if e.get("event") == "notify" and
                    e.get("tag") == tags[i] and e["t"] <= t0 + WINDOW]

    for i, (attrs, kind) in SCENARIOS.items():
        ns = notes(i)
        desc = "%s on %s: %r" % (attrs, ep(i), [(n["t"], n.get("payload"),
                                                 n.get("observe")) for n in ns])
        seqs = [n["observe"] for n in ns]
        check(seqs == sorted(set(seqs)), "sequence numbers not increasing: " + desc,
              op)
        if kind == "none":
            check(len(ns) == 0, "notified without crossing: " + desc, op)
        elif kind == "toggle":
            # 5 toggles in the window, 1 s apart; allow one lost to the edges.
            check(4 <= len(ns) <= 6, "one notification per toggle expected: " + desc,
                  op)
            vals = [n["payload"] for n in ns]
            check(all(v in ("16", "26") for v in vals) and
                  all(a != b for a, b in zip(vals, vals[1:])),
                  "values do not alternate: " + desc, op)
            check(all(b["t"] - a["t"] >= 0.7 for a, b in zip(ns, ns[1:])),
                  "notifications between toggles: " + desc, op)
        elif kind == "pmin":
            check(2 <= len(ns) <= 3, "pmin=2 did not hold back: " + desc, op)
            check(all(b["t"] - a["t"] >= 1.9 for a, b in zip(ns, ns[1:])),
                  "pmin=2 not honoured: " + desc, op)
        elif kind == "pmax":
            check(4 <= len(ns) <= 6, "pmax=1 did not force one a second: " + desc,
                  op)
            check(all(0.8 <= b["t"] - a["t"] <= 1.5 for a, b in zip(ns, ns[1:])),
                  "pmax=1 intervals: " + desc, op)

    # Write-Attributes then Discover shows them, per resource and per instance.
    rsp = op.request("discover %s /3303/0" % ep(7))
    check(rsp["code"] == "2.05" and rsp["payload"] ==
          "</3303/0>,</3303/0/5601>,</3303/0/5602>,</3303/0/5700>;pmin=2;gt=20,"
          "</3303/0/5701>", "discover after observe with attributes: %r" % rsp, op)
    rsp = op.request("write-attr %s /3303/0 pmin=3 pmax=9" % ep(9))
    check(rsp["code"] == "2.04", "write-attr on the instance: %r" % rsp, op)
    rsp = op.request("write-attr %s %s lt=12 gt=30 st=4" % (ep(9), RES))
    check(rsp["code"] == "2.04", "write-attr on the resource: %r" % rsp, op)
    rsp = op.request("discover %s /3303/0" % ep(9))
    links = {ln["path"]: ln for ln in rsp.get("links", [])}
    check(rsp["code"] == "2.05" and links.get("/3303/0", {}).get("pmin") == "3" and
          links["/3303/0"].get("pmax") == "9", "instance attributes: %r" % rsp, op)
    res = links.get(RES, {})
    check(res.get("lt") == "12" and res.get("gt") == "30" and res.get("st") == "4",
          "resource attributes: %r" % rsp, op)
    rsp = op.request("discover %s %s" % (ep(9), RES))
    check(rsp["code"] == "2.05" and rsp["links"][0]["path"] == RES and
          rsp["links"][0].get("gt") == "30", "discover of the resource: %r" % rsp, op)
    # Inconsistent attributes are refused (lt + 2*st >= gt) and change nothing.
    rsp = op.request("write-attr %s %s st=10" % (ep(9), RES))
    check(rsp["code"] == "4.00", "lt + 2*st >= gt accepted: %r" % rsp, op)
    rsp = op.request("discover %s %s" % (ep(9), RES))
    check(rsp["links"][0].get("st") == "4", "refused write changed st: %r" % rsp, op)
    # Device 10 saw no Write-Attributes: its links carry none.
    rsp = op.request("discover %s /3303/0" % ep(10))
    check(rsp["payload"] == "</3303/0>,</3303/0/5601>,</3303/0/5602>,"
          "</3303/0/5700>,</3303/0/5701>", "attributes leaked: %r" % rsp, op)

    # Cancel stops the notifications of a toggling observation.
    op.wait_event({"tag": tags[2], "event": "notify"}, 3)
    rsp = op.request("cancel %s %s" % (ep(2), RES))
    check(rsp["code"] == "2.05", "cancel: %r" % rsp, op)
    time.sleep(0.2)
    tc = time.monotonic()
    with op.cond:
        for k, e in enumerate(op.events):
            if e.get("tag") == tags[2]:
                op.claimed.add(k)
    op.no_event(lambda e: e.get("event") == "notify" and e.get("tag") == tags[2], 2.5,
                what="notification after cancel")
    check(time.monotonic() - tc >= 2.4, "cancel check too short", op)
    # ... while the others go on.
    op.wait_event(lambda e: e.get("event") == "notify" and e.get("tag") == tags[4] and
                  e["t"] > t0 + WINDOW + 1, 3)


lwgwtest.main(test)
