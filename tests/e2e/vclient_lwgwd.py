#!/usr/bin/env python3
"""The real lwgwd (simulated sensors) against lwgw-operator as LwM2M Server.

Both simulated sensors register (exact object list); Read of the simulated temperature;
Observe with pmin/pmax gives notifications with growing sequence numbers and values that
change; a Lifetime written by the server gives an Update with lt= and lands in the state
file, so after SIGTERM (De-register of both, exit 0) a restarted lwgwd registers with the
written lifetime.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

OPERATOR = """
ack_timeout_ms = 1000;
server = { address = "127.0.0.1"; port = 0; };
"""

LWGWD = """
gateway = { state_dir = "%(state)s"; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%(ctl)s"; };
coap = { ack_timeout_ms = 500; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%(port)d"; security = "nosec";
              lifetime = 30; } );
links = ( { name = "sim0"; type = "sim"; devices = 2; objects = [3303];
            period_ms = 200; waveform = "sine"; } );
"""


def test(r):
    b = lwgwtest.builddir()
    if not os.access(os.path.join(b, "tests", "operator", "lwgw-operator"), os.X_OK):
        raise lwgwtest.Skip("lwgw-operator not built")
    op = r.operator(OPERATOR)
    state = r.path("state")
    os.mkdir(state)
    conf = LWGWD % {"state": state, "ctl": r.path("ctl"), "port": op.server_port}
    gw = r.lwgwd(conf)
    for ep in ("sim0-1", "sim0-2"):
        ev = op.wait_event({"event": "register", "ep": ep})
        check(ev["lt"] == 30 and ev["objects"] ==
              ["/1/0", "/2", "/3/0", "/3303", "/3303/0"], "register: %r" % ev, op, gw)

    rsp = op.request("read sim0-1 /3303/0/5700")
    check(rsp["code"] == "2.05" and float(rsp["payload"]) == float(rsp["payload"]),
          "read: %r" % rsp, op, gw)

    op.request("observe sim0-1 /3303/0/5700 pmin=1 pmax=3")
    seen = [op.wait_event({"event": "notify", "ep": "sim0-1"}, 5) for i in range(3)]
    seqs = [n["observe"] for n in seen]
    check(seqs == sorted(seqs) and len(set(seqs)) == 3, "sequence: %r" % seqs, op)
    for a, c in zip(seen, seen[1:]):
        check(c["t"] - a["t"] >= 0.9, "pmin 1 s not honoured: %r" % seen, op)
    check(len(set(n["payload"] for n in seen)) >= 2, "values do not change: %r" % seen,
          op)
    op.request("cancel sim0-1 /3303/0/5700")

    rsp = op.request("write sim0-2 /1/0/1 text 45")
    check(rsp["code"] == "2.04", "lifetime write: %r" % rsp, op)
    ev = op.wait_event({"event": "update", "ep": "sim0-2"}, 3)
    check(ev["lt"] == 45, "update: %r" % ev, op)
    check(os.path.exists(os.path.join(state, "sim0-2.state")), "no state file", gw)

    gw.stop()
    check(gw.p.returncode == 0, "lwgwd exit %r" % gw.p.returncode, gw)
    for ep in ("sim0-1", "sim0-2"):
        op.wait_event({"event": "deregister", "ep": ep}, 5)

    gw2 = r.lwgwd(conf, name="lwgwd2")
    ev = op.wait_event({"event": "register", "ep": "sim0-2"})
    check(ev["lt"] == 45, "lifetime after restart: %r" % ev, op, gw2)
    ev = op.wait_event({"event": "register", "ep": "sim0-1"})
    check(ev["lt"] == 30, "sim0-1 after restart: %r" % ev, op, gw2)


lwgwtest.main(test)
