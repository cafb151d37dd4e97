#!/usr/bin/env python3
"""Many virtual clients, two LwM2M Servers at once: the real lwgwd against three
lwgw-operator instances (a Bootstrap-Server and servers A = 101 and B = 102).

N simulated sensors (objects 3303 and 3201, "step" waveform) bootstrap from the
Bootstrap-Server (NoSec), which writes both server accounts and ACL instances:
/3303/0 owned by A (A all rights, B Read only), /3201/0 owned by A (A and B all rights).
Then:
- every device registers with both servers (exact object list, distinct endpoints);
- on a sample of devices, through both servers: Read of the temperature (a value of the
  waveform), Write of the sensor-backed Digital Output /3201/0/5550 (2.04 once the
  simulated sensor accepted it, and the next Read shows it, for either server),
  Execute of Reset Min/Max /3303/0/5605 by A (2.04, then Min = Max = the current value),
  Discover of /3303/0 (the exact link list);
- access control (AC-1, AC-2, AC-3): B, with Read only on /3303/0, gets 4.01 for
  Execute and Write there but may Read, Discover and Write-Attributes; neither server
  reads the Security object (4.01); each reads its own Server instance only;
- SIGTERM: every device de-registers from every server (N deregister events at each
  operator, each endpoint once), and lwgwd exits 0.
Requirement IDs: AC-1, AC-2, AC-3, BS-7 (no operation of a server is answered before
its Register is acknowledged: the test only asks after the register events), SV-4
(Short Server IDs 101/102 accepted as server accounts).
"""
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import acl, sec, srv, step  # noqa: E402

N = int(os.environ.get("LWGW_SCALE_DEVICES", "1000"))
A, B = 101, 102
OBJECTS = ["/1/0", "/1/1", "/2/0", "/2/1", "/3/0", "/3201/0", "/3303", "/3303/0"]


def bs_config(porta, portb):
    steps = ",\n      ".join([
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(1, porta, A), sec(2, portb, B)]),
        step("write", "/1", "2.04", [srv(0, A), srv(1, B)]),
        step("write", "/2", "2.04", [acl(0, 3303, 0, A, {A: 15, B: 1}),
                                     acl(1, 3201, 0, A, {A: 15, B: 15})]),
        step("finish", None, "2.04")])
    eps = ",\n    ".join('{ name = "sim0-%d"; steps = ( %s ); }' % (i, steps)
                         for i in range(1, N + 1))
    return """ack_timeout_ms = 2000;
max_retransmit = 4;
bootstrap = { port = 0; endpoints = ( %s ); };
""" % eps


def gw_config(r, bs_port):
    return """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "notice"; control_socket = "%s"; };
coap = { ack_timeout_ms = 1000; max_retransmit = 3; };
lwm2m = { retry_base_ms = 500; retry_cap_ms = 2000; bootstrap_retry_ms = 500;
          shutdown_timeout_ms = 15000; };
bootstrap = { uri = "coap://127.0.0.1:%d"; security = "nosec"; };
links = ( { name = "sim0"; type = "sim"; devices = %d; objects = [3303, 3201];
            period_ms = 200; waveform = "step"; } );
""" % (r.path("ctl"), bs_port, N)


def test(r):
    if not os.access(os.path.join(lwgwtest.builddir(), "tests", "operator",
                                  "lwgw-operator"), os.X_OK):
        raise lwgwtest.Skip("lwgw-operator not built")
    srv_conf = "ack_timeout_ms = 2000;\nserver = { port = 0; };\n"
    opa = r.operator(srv_conf, name="A")
    opb = r.operator(srv_conf, name="B")
    bs = r.operator(bs_config(opa.server_port, opb.server_port), name="bs")
    t0 = time.monotonic()
    gw = r.lwgwd(gw_config(r, bs.bs_port))
    eps = ["sim0-%d" % i for i in range(1, N + 1)]

    def wait_all(op, event, timeout):
        deadline = time.monotonic() + timeout
        seen = {}
        for e in eps:
            ev = op.wait_event({"event": event, "ep": e},
                               max(0.1, deadline - time.monotonic()))
            seen[e] = ev
        return seen

    done = wait_all(bs, "bs-done", 30)
    bad = [e for e, ev in done.items() if ev.get("ok") is not True]
    check(not bad, "bootstrap failed for %r: %r" % (bad[:5], done[bad[0]]
                                                     if bad else None), bs)
    regs = {}
    for op in (opa, opb):
        regs[op.name] = wait_all(op, "register", 30)
        wrong = [ev for ev in regs[op.name].values()
                 if ev["objects"] != OBJECTS or ev["answer"] != "2.01" or
                 ev["lt"] != 60]
        check(not wrong, "%s: register: %r" % (op.name, wrong[:2]), op)
        froms = set(ev["from"] for ev in regs[op.name].values())
        check(len(froms) == N, "%s: %d devices share addresses" % (
            op.name, N - len(froms)), op)
    took = time.monotonic() - t0
    sys.stderr.write("%d devices bootstrapped and registered with 2 servers in "
                     "%.2f s\n" % (N, took))
    check(opa.no_event({"event": "register", "replaces": lambda v: v}, 0.1) is None
          and opb.no_event({"event": "register", "replaces": lambda v: v}, 0.1)
          is None, "registered twice", opa, opb)

    sample = sorted(set([1, 2, N // 2, N - 1, N]))
    for i in sample:
        ep = "sim0-%d" % i
        # Reads through both servers: a level of the step waveform (16 or 26 °C).
        for op in (opa, opb):
            deadline = time.monotonic() + 3
            rsp = op.request("read %s /3303/0/5700" % ep)
            while rsp["code"] == "4.04" and time.monotonic() < deadline:
                time.sleep(0.2)  # no reading yet
                rsp = op.request("read %s /3303/0/5700" % ep)
            check(rsp["code"] == "2.05" and rsp["payload"] in ("16", "26"),
                  "%s: read %s: %r" % (op.name, ep, rsp), op, gw)
        # A sensor-backed Write through each server; the next Read shows it.
        for op, val in ((opa, "1"), (opb, "0"), (opb, "1")):
            rsp = op.request("write %s /3201/0/5550 tlv bool:%s" % (ep, val))
            check(rsp["code"] == "2.04", "%s: write %s: %r" % (op.name, ep, rsp), op)
            for other in (opa, opb):
                rsp = other.request("read %s /3201/0/5550" % ep)
                check(rsp["code"] == "2.05" and rsp["payload"] == val,
                      "%s: read back %s: %r" % (other.name, ep, rsp), other)
        # Execute Reset Min/Max (A owns /3303/0): Min and Max restart from the value.
        rsp = opa.request("execute %s /3303/0/5605" % ep)
        check(rsp["code"] == "2.04", "A: execute %s: %r" % (ep, rsp), opa)
        rsp = opa.request("read %s /3303/0 tlv" % ep)
        tlv = rsp.get("tlv", {})
        check(rsp["code"] == "2.05" and
              tlv["/3303/0/5601"]["float"] <= tlv["/3303/0/5700"]["float"] <=
              tlv["/3303/0/5602"]["float"] and
              tlv["/3303/0/5602"]["float"] - tlv["/3303/0/5601"]["float"] in (0, 10),
              "A: min/max after reset %s: %r" % (ep, rsp), opa)
        # Discover: the exact link list, the same for both servers.
        for op in (opa, opb):
            rsp = op.request("discover %s /3303/0" % ep)
            check(rsp["code"] == "2.05" and rsp["payload"] ==
                  "</3303/0>,</3303/0/5601>,</3303/0/5602>,</3303/0/5700>,"
                  "</3303/0/5701>", "%s: discover %s: %r" % (op.name, ep, rsp), op)
            rsp = op.request("discover %s /3201/0" % ep)
            check(rsp["code"] == "2.05" and rsp["payload"] ==
                  "</3201/0>,</3201/0/5550>", "%s: discover %s: %r" % (
                      op.name, ep, rsp), op)
        # AC-1/AC-2: B has Read only on /3303/0.
        rsp = opb.request("execute %s /3303/0/5605" % ep)
        check(rsp["code"] == "4.01", "B: execute without the right: %r" % rsp, opb)
        rsp = opb.request("write %s /3303/0/5750 text x" % ep)
        check(rsp["code"] == "4.01", "B: write without the right: %r" % rsp, opb)
        rsp = opb.request("write-attr %s /3303/0/5700 pmax=30" % ep)
        check(rsp["code"] == "2.04", "B: write-attr with Read: %r" % rsp, opb)
        rsp = opa.request("discover %s /3303/0/5700" % ep)
        check(rsp["payload"] == "</3303/0/5700>",
              "A sees B's attributes: %r" % rsp, opa)
        # AC-3: never the Security object; only the own Server instance.
        for op, own, other in ((opa, 0, 1), (opb, 1, 0)):
            rsp = op.request("read %s /0" % ep)
            check(rsp["code"] == "4.01", "%s: read /0: %r" % (op.name, rsp), op)
            rsp = op.request("read %s /1/%d tlv" % (ep, own))
            check(rsp["code"] == "2.05" and
                  rsp["tlv"]["/1/%d/0" % own]["int"] == (A if own == 0 else B),
                  "%s: own Server instance: %r" % (op.name, rsp), op)
            rsp = op.request("read %s /1/%d" % (ep, other))
            check(rsp["code"] == "4.01", "%s: other Server instance: %r" % (
                op.name, rsp), op)

    # SIGTERM: every device de-registers from every server.
    t1 = time.monotonic()
    os.killpg(gw.pid, signal.SIGTERM)
    check(gw.wait_exit(30) == 0, "lwgwd exit status", gw)
    sys.stderr.write("shutdown of %d devices in %.2f s\n" % (N, time.monotonic() - t1))
    for op in (opa, opb):
        deregs = wait_all(op, "deregister", 5)
        wrong = [ev for ev in deregs.values() if ev["answer"] != "2.02" or
                 ev["id"] != regs[op.name][ev["ep"]]["id"]]
        check(not wrong, "%s: deregister: %r" % (op.name, wrong[:2]), op)
        op.no_event({"event": "deregister"}, 0.3, what="a second deregister")


lwgwtest.main(test)
