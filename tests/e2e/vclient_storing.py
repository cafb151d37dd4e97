#!/usr/bin/env python3
"""A server outage shorter than the registration keeps the registration (SV-2 groundwork).

One device (lifetime 20 s, Update due 17-18 s after Register) is observed with pmin=0
pmax=1; the operator's server is paused (its port closed) at ~15.5 s and resumed at ~19 s,
before the registration expires. The Update gets no answer, so the device is unreachable:
it keeps its registration and the server's observation, retries the Update with backoff,
and stores its notifications. After resume: the Update succeeds and there is no new
Register (which would end the server's observations). lwgwd retried with backoff.
Not yet shown here: the stored notifications themselves arriving after the resume (see
the closing note of issue 6).
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

LWGWD = """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%s"; };
coap = { ack_timeout_ms = 200; ack_random_factor = 1.0; max_retransmit = 1; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 1000; store_max = 2;
          update_margin_max_s = 2; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 20; } );
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 100; waveform = "step"; } );
"""


def test(r):
    op = r.operator("ack_timeout_ms = 1000;\nserver = { port = 0; };\n")
    gw = r.lwgwd(LWGWD % (r.path("ctl"), op.server_port))
    reg = op.wait_event({"event": "register", "ep": "sim0-1"})
    t0 = time.monotonic()
    time.sleep(0.3)
    tag = op.command("observe sim0-1 /3303/0/5700 pmin=0 pmax=1")
    op.wait_event({"tag": tag, "event": "notify"}, 3)
    time.sleep(max(0.0, 15.5 - (time.monotonic() - t0)))
    op.request("pause", event="paused")
    with op.cond:
        last = max(e["observe"] for e in op.events if e.get("tag") == tag and
                   "observe" in e)
    time.sleep(max(0.0, 19.0 - (time.monotonic() - t0)))
    res = op.request("resume", event="resumed")
    upd = op.wait_event({"event": "update", "ep": "sim0-1",
                         "t": lambda t: t > res["t"]}, 5)
    check(upd.get("answer") == "2.04", "Update after resume: %r" % upd, op, gw)
    time.sleep(1.0)
    with op.cond:
        reregistered = [e for e in op.events if e.get("event") == "register" and
                        e["t"] > reg["t"]]
    check(not reregistered, "the registration was kept: %r" % reregistered, op)
    gw.wait_line(r"unreachable .*Update again in", timeout=1)


lwgwtest.main(test)
