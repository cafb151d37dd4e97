#!/usr/bin/env python3
"""SV-2 Notification Storing across a server outage shorter than the registration.

One device (lifetime 20 s, Update due 17-18 s after Register) is observed with pmin=0
pmax=1; the operator is frozen (SIGSTOP: a server that stops answering, as a crashed or
unreachable one does, without cancelling anything) at ~15.5 s and thawed at ~19 s, before
the registration expires. The Update gets no answer, so the device is unreachable:
it keeps its registration and the server's observation, retries the Update with backoff,
and stores its notifications (store_max = 1). After the thaw: an Update is answered
2.04, there is no new Register (which would end the server's observations), and the
observation goes on, its notifications in order. (Not asserted here: which of them were
stored and flushed; the frozen server's socket also keeps what was sent before lwgwd
noticed, so storing cannot be told apart from buffering this way.)
"""
import os
import signal
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
lwm2m = { retry_base_ms = 300; retry_cap_ms = 1000; store_max = 1;
          update_margin_max_s = 2; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 20; } );
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 20; waveform = "step"; } );
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
    os.kill(op.p.pid, signal.SIGSTOP)
    t_stop = time.monotonic()
    try:
        time.sleep(max(0.0, 19.0 - (time.monotonic() - t0)))
    finally:
        os.kill(op.p.pid, signal.SIGCONT)
    # Notifications the operator had received before it froze, by arrival order.
    gw.wait_line(r"unreachable .*Update again in", timeout=1)
    upd = op.wait_event({"event": "update", "ep": "sim0-1", "answer": "2.04"}, 8)
    time.sleep(1.5)
    with op.cond:
        notes = [e for e in op.events if e.get("tag") == tag and
                 e.get("event") == "notify"]
        reregistered = [e for e in op.events if e.get("event") == "register" and
                        e["t"] > reg["t"]]
    check(not reregistered, "the registration was kept: %r" % reregistered, op)
    seqs = [e["observe"] for e in notes]
    check(seqs == sorted(set(seqs)), "notifications out of order: %r" % seqs, op, gw)
    after = [e for e in notes if e["t"] >= upd["t"]]
    check(len(after) >= 2, "the observation goes on after the outage: %r" % seqs, op)
    check(all(e["payload"] in ("16", "26") for e in after), "values: %r" % after, op)


lwgwtest.main(test)
