#!/usr/bin/env python3
"""The operator's server killed (SIGKILL) and started again on the same port: a server
that comes back having forgotten everything.

Two devices (lifetime 20 s), both observed. The operator is killed; while it is gone
an Update (asked with `lwgwctl update`) goes unanswered (ICMP port unreachable): the
device is `unreachable`, keeps its registration and stores. A new operator process then
starts on the same port; the next Update is answered 4.04 ("unknown registration"), so
the device registers afresh, and since the server said it forgot it, its observations
and their stored notifications are dropped (none reaches the new server) — the new
server observes again and gets notifications. The other device, whose Update comes
after the restart, does the same without an outage on its side (its live notifications
before that Update reach the new server as strays, which it answers with RST).
Over DTLS (PSK): the new process has no session either and drops our records without a
word; the Update times out, the association is dropped, the retry handshakes afresh (and
is answered 4.04) and the device registers again over the new session.
Requirement IDs: SV-2 (stored notifications of a server that forgot us are not sent).
"""
import json
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

EPS = ["sim0-1", "sim0-2"]
LWGWD = """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%s"; };
coap = { ack_timeout_ms = 200; ack_random_factor = 1.0; max_retransmit = 1; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 1000; store_max = 4; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 20; } );
links = ( { name = "sim0"; type = "sim"; devices = 2; objects = [3303];
            period_ms = 50; waveform = "step"; } );
"""


def operator(r, port, name):
    return r.operator("ack_timeout_ms = 1000;\nserver = { port = %d; };\n" % port,
                      name=name)


PSK = "hex:000102030405060708090a0b0c0d0e0f"
LWGWD_PSK = """
gateway = { state_dir = ""; bind = "127.0.0.1"; log_level = "info";
            control_socket = "%s"; };
coap = { ack_timeout_ms = 200; ack_random_factor = 1.0; max_retransmit = 1; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 1000; };
servers = ( { ssid = 101; uri = "coaps://127.0.0.1:%d"; security = "psk";
              psk_identity = "{endpoint}"; psk_key = "%s"; lifetime = 20; } );
links = ( { name = "sec"; type = "sim"; devices = 1; objects = [3303]; } );
"""


def operator_psk(r, port, name):
    return r.operator("ack_timeout_ms = 1000;\nserver = { dtls_port = %d; psk = ( "
                      "{ identity = \"sec-1\"; key = \"%s\"; } ); };\n" % (port, PSK),
                      name=name)


def dtls(r):
    port = lwgwtest.free_port()
    ctl = r.path("ctl-psk")
    op = operator_psk(r, port, "op-psk1")
    gw = r.lwgwd(LWGWD_PSK % (ctl, port, PSK), name="lwgwd-psk")
    op.wait_event({"event": "register", "ep": "sec-1", "secure": True})
    op.check_exit = False
    os.kill(op.pid, signal.SIGKILL)
    op.wait_exit(5)
    op2 = operator_psk(r, port, "op-psk2")
    nlines = gw.nlines()
    code, out, err = r.run([os.path.join(lwgwtest.builddir(), "lwgwctl"), "-s", ctl,
                            "update", "sec-1"])
    check(code == 0, "lwgwctl update: %s%s" % (out, err), gw)
    gw.wait_line(r"sec-1 ssid=101: no answer over DTLS: a new handshake next", 5, nlines)
    reg = op2.wait_event({"event": "register", "ep": "sec-1"}, 8)
    check(reg["answer"] == "2.01" and reg["secure"] and reg["identity"] == "sec-1",
          "register over a new DTLS session: %r" % reg, op2, gw)
    # Usually the Update retried over the new session is answered 4.04 first; when the
    # retry's handshake is what fails, the device registers at once. Either way no
    # Update before the Register was accepted.
    with op2.cond:
        before = [e for e in op2.events if e.get("event") == "update" and
                  e["t"] <= reg["t"]]
    check(all(e["answer"] == "4.04" for e in before), "updates: %r" % before, op2)


def test(r):
    dtls(r)
    port = lwgwtest.free_port()
    ctl = r.path("ctl")
    lwgwctl = os.path.join(lwgwtest.builddir(), "lwgwctl")
    op = operator(r, port, "op1")
    gw = r.lwgwd(LWGWD % (ctl, port))

    def ctl_run(*args):
        code, out, err = r.run([lwgwctl, "-s", ctl] + list(args))
        check(code == 0, "lwgwctl %s: %s%s" % (" ".join(args), out, err), gw)
        return out

    def server(ep):
        return json.loads(ctl_run("--json", "show", ep))["servers"][0]

    for ep in EPS:
        op.wait_event({"event": "register", "ep": ep})
        tag = op.command("observe %s /3303/0/5700 pmin=0 pmax=1" % ep)
        op.wait_event({"tag": tag, "event": "notify"}, 3)

    op.check_exit = False
    os.kill(op.pid, signal.SIGKILL)
    op.wait_exit(5)
    nlines = gw.nlines()
    ctl_run("update", "sim0-1")
    gw.wait_line(r"sim0-1 ssid=101: unreachable", 3, nlines)
    time.sleep(1.5)
    check(server("sim0-1")["stored"] > 0, "nothing stored while the server was gone: "
          "%r" % server("sim0-1"), gw)

    op2 = operator(r, port, "op2")
    regs = {}
    for ep in EPS:
        if ep == "sim0-2":
            ctl_run("update", ep)
        reg = op2.wait_event({"event": "register", "ep": ep}, 5)
        check(reg["answer"] == "2.01", "register again: %r" % reg, op2)
        # The Update before it, from the same address, to the forgotten location.
        upd = op2.wait_event({"event": "update", "from": reg["from"]}, 0.1)
        check(upd["answer"] == "4.04" and upd["t"] <= reg["t"],
              "update at the new server: %r" % upd, op2)
        regs[ep] = reg
    time.sleep(1.0)
    for ep in EPS:
        srv = server(ep)
        check(srv["state"] == "registered" and srv["observations"] == 0 and
              srv["stored"] == 0, "%s after the 4.04: %r" % (ep, srv), gw)
    # sim0-1's stored notifications were dropped, not sent to the new server. (sim0-2's
    # live ones before its Update reached it as strays, answered RST.)
    with op2.cond:
        stray = [e for e in op2.events if e.get("event") == "stray-notify" and
                 (e["from"] == regs["sim0-1"]["from"] or e["t"] > regs["sim0-2"]["t"])]
    check(not stray, "notifications after the 4.04: %r" % stray, op2)
    for ep in EPS:
        tag = op2.command("observe %s /3303/0/5700 pmin=0 pmax=1" % ep)
        rsp = op2.wait_event({"tag": tag, "event": "response", "cmd": "observe"}, 5)
        check(rsp["code"] == "2.05", "observe again: %r" % rsp, op2)
        op2.wait_event({"tag": tag, "event": "notify"}, 3)


lwgwtest.main(test)
