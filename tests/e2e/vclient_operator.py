#!/usr/bin/env python3
"""Virtual clients against lwgw-operator (an independent LwM2M Server on libcoap).

One server: Register (exact object list, lt, b, lwm2m=1.1), Read in several formats,
Discover, sensor-backed Write (deferred 2.04; 4.00 refused; 5.04 when the sensor never
answers), Write-Attributes + Observe with pmin/pmax, Cancel, Execute of
Registration Update Trigger (SV-3, an Update follows) and Disable (SV-1: 2.04,
De-register, silence for Disable Timeout, Register again), SIGTERM → De-register.

Two servers: each registers on its own; with no ACL instances neither can read the sensor
(AC-3) but each reads its own Server instance; the Security object is 4.01 (AC-3);
SIGTERM de-registers from both.
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
max_retransmit = 2;
server = { address = "127.0.0.1"; port = 0; };
"""


def paths():
    b = lwgwtest.builddir()
    h = os.path.join(b, "tests", "e2e", "vclient_harness")
    o = os.path.join(b, "tests", "operator", "lwgw-operator")
    if not os.access(h, os.X_OK):
        raise lwgwtest.Skip("vclient_harness not built")
    if not os.access(o, os.X_OK):
        raise lwgwtest.Skip("lwgw-operator not built")
    return h


def harness(r, name, ports, lifetime, n, extra_env=None):
    conf = r.path(name + ".conf")
    servers = ",\n".join(
        '{ ssid = %d; uri = "coap://127.0.0.1:%d"; security = "nosec"; '
        'lifetime = %d; disable_timeout = 86400; }' % (101 + i, p, lifetime)
        for i, p in enumerate(ports))
    with open(conf, "w") as f:
        f.write("""
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; };
coap = { ack_timeout_ms = 500; max_retransmit = 2; };
servers = ( %s );
""" % servers)
    env = dict(os.environ)
    env["HARNESS_BACKEND_TIMEOUT_MS"] = "500"
    if extra_env:
        env.update(extra_env)
    return r.start(name, [paths(), "-c", conf, "-n", str(n), "-r", "300", "-e", name],
                   env=env)


def one_server(r):
    op = r.operator(OPERATOR, name="op1")
    h = harness(r, "one", [op.server_port], 30, 1)
    ev = op.wait_event({"event": "register", "ep": "one-0"})
    check(ev["lt"] == 30 and ev["b"] == "U" and ev["lwm2m"] == "1.1" and
          ev["answer"] == "2.01", "register: %r" % ev, op, h)
    check(ev["objects"] == ["/1/0", "/2", "/3/0", "/3303", "/3303/0"],
          "objects: %r" % ev["objects"], op, h)
    time.sleep(0.4)  # the first reading

    rsp = op.request("read one-0 /3/0/0")
    check(rsp["code"] == "2.05" and rsp["payload"] == "lwgw", "read: %r" % rsp, op)
    rsp = op.request("read one-0 /3/0 tlv")
    check(rsp["code"] == "2.05" and rsp["tlv"]["/3/0/2"]["str"] == "one-0",
          "TLV read: %r" % rsp, op)
    rsp = op.request("read one-0 /0")
    check(rsp["code"] == "4.01", "Security read: %r" % rsp, op)
    rsp = op.request("discover one-0 /3303/0")
    check(rsp["code"] == "2.05" and rsp["links"][0]["path"] == "/3303/0",
          "discover: %r" % rsp, op)

    rsp = op.request("write one-0 /3303/0/5750 text porch")
    check(rsp["code"] == "2.04", "backed write: %r" % rsp, op, h)
    rsp = op.request("read one-0 /3303/0/5750")
    check(rsp["payload"] == "porch", "read back: %r" % rsp, op)
    rsp = op.request("write one-0 /3303/0/5750 text fail")
    check(rsp["code"] == "4.00", "refused write: %r" % rsp, op)
    rsp = op.request("write one-0 /3303/0/5750 text never")
    check(rsp["code"] == "5.04", "sensor silent: %r" % rsp, op)

    # Observe with pmin 1 s: the reading changes every 300 ms, notifications >= 1 s apart.
    op.request("observe one-0 /3303/0/5700 pmin=1 pmax=5")
    n1 = op.wait_event({"event": "notify", "ep": "one-0", "path": "/3303/0/5700"}, 3)
    n2 = op.wait_event({"event": "notify", "ep": "one-0", "path": "/3303/0/5700"}, 3)
    check(n2["t"] - n1["t"] >= 0.9, "pmin not honoured: %.3f s" % (n2["t"] - n1["t"]),
          op)
    check(n2["observe"] > n1["observe"], "sequence %r then %r" % (n1, n2), op)
    op.request("cancel one-0 /3303/0/5700")
    time.sleep(0.2)
    op.no_event({"event": "notify", "ep": "one-0", "path": "/3303/0/5700"}, 1.5)

    # SV-3: Registration Update Trigger → an Update.
    rsp = op.request("execute one-0 /1/0/8")
    check(rsp["code"] == "2.04", "update trigger: %r" % rsp, op)
    op.wait_event({"event": "update", "ep": "one-0"}, 3)

    # SV-1: Disable with a Disable Timeout of 2 s.
    rsp = op.request("write one-0 /1/0/5 text 2")
    check(rsp["code"] == "2.04", "disable timeout: %r" % rsp, op)
    rsp = op.request("execute one-0 /1/0/4")
    check(rsp["code"] == "2.04", "disable: %r" % rsp, op)
    d = op.wait_event({"event": "deregister", "ep": "one-0"}, 3)
    op.no_event({"event": "register", "ep": "one-0"}, 1.5)
    reg = op.wait_event({"event": "register", "ep": "one-0"}, 5)
    check(1.8 <= reg["t"] - d["t"] <= 4, "registered again after %.3f s" % (
        reg["t"] - d["t"]), op)

    h.p.send_signal(15)
    op.wait_event({"event": "deregister", "ep": "one-0"}, 5)
    check(h.wait_exit(10) == 0, "harness exit", h)


def two_servers(r):
    op1 = r.operator(OPERATOR, name="s1")
    op2 = r.operator(OPERATOR, name="s2")
    h = harness(r, "two", [op1.server_port, op2.server_port], 30, 2)
    for op in (op1, op2):
        for i in range(2):
            ev = op.wait_event({"event": "register", "ep": "two-%d" % i})
            check(ev["objects"] == ["/1/0", "/1/1", "/2", "/3/0", "/3303", "/3303/0"],
                  "objects: %r" % ev["objects"], op, h)
    time.sleep(0.4)
    # AC-3 with two servers and no ACL instance: nothing but the own Server instance.
    rsp = op1.request("read two-0 /3303/0/5700")
    check(rsp["code"] == "4.01", "AC-3 read: %r" % rsp, op1)
    rsp = op1.request("read two-0 /1/0")
    check(rsp["code"] == "2.05" and rsp["tlv"]["/1/0/0"]["int"] == 101,
          "own Server instance: %r" % rsp, op1)
    rsp = op2.request("read two-0 /1/0")
    check(rsp["code"] == "4.01", "other's Server instance: %r" % rsp, op2)
    rsp = op2.request("read two-0 /1/1/1")
    check(rsp["code"] == "2.05" and rsp["payload"] == "30", "lifetime: %r" % rsp, op2)
    rsp = op2.request("read two-0 /0/1")
    check(rsp["code"] == "4.01", "Security read: %r" % rsp, op2)
    # A Lifetime written by server 102 → an Update to 102 only, with lt=.
    rsp = op2.request("write two-1 /1/1/1 text 45")
    check(rsp["code"] == "2.04", "lifetime write: %r" % rsp, op2)
    ev = op2.wait_event({"event": "update", "ep": "two-1"}, 3)
    check(ev["lt"] == 45, "update: %r" % ev, op2)
    op1.no_event({"event": "update", "ep": "two-1"}, 0.5)

    h.p.send_signal(15)
    for op in (op1, op2):
        for i in range(2):
            op.wait_event({"event": "deregister", "ep": "two-%d" % i}, 5)
    check(h.wait_exit(10) == 0, "harness exit", h)


def dtls(r):
    """coaps with PSK (Security mode 0): Register over DTLS; a wrong key never
    registers and backs off (registration failures, no crash). SIGTERM: De-register,
    then close_notify."""
    key = "hex:000102030405060708090a0b0c0d0e0f"
    op = r.operator("""
ack_timeout_ms = 1000;
server = { address = "127.0.0.1"; dtls_port = 0;
  psk = ( { identity = "dtls-0"; key = "%s"; },
          { identity = "bad-0"; key = "hex:ffffffffffffffffffffffffffffffff"; } ); };
""" % key, name="sd")
    port = op.server_dtls_port
    for name in ("dtls", "bad"):
        conf = r.path(name + ".conf")
        with open(conf, "w") as f:
            f.write("""
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = false;
            log_level = "info"; };
coap = { ack_timeout_ms = 500; max_retransmit = 2; };
servers = ( { ssid = 101; uri = "coaps://127.0.0.1:%d"; security = "psk";
              psk_identity = "{endpoint}"; psk_key = "%s"; lifetime = 30; } );
""" % (port, key))
        env = dict(os.environ)
        env["HARNESS_RETRY_MS"] = "300"
        h = r.start(name, [paths(), "-c", conf, "-n", "1", "-r", "300", "-e", name],
                    env=env)
        if name == "dtls":
            ev = op.wait_event({"event": "register", "ep": "dtls-0"}, 10)
            check(ev["secure"] and ev["identity"] == "dtls-0", "register: %r" % ev, op)
            rsp = op.request("read dtls-0 /3/0/0")
            check(rsp["code"] == "2.05" and rsp["payload"] == "lwgw",
                  "read over DTLS: %r" % rsp, op)
            h.p.send_signal(15)
            op.wait_event({"event": "deregister", "ep": "dtls-0"}, 5)
            # Then close_notify: the association ends at once, not at a timeout.
            op.wait_event({"event": "dtls", "state": "closed"}, 2)
            check(h.wait_exit(10) == 0, "harness exit", h)
        else:
            h.wait_line(r"bad-0 ssid=101: registration failed", 15)
            op.no_event({"event": "register", "ep": "bad-0"}, 1)
            h.p.send_signal(15)
            check(h.wait_exit(10) == 0, "harness exit", h)


def test(r):
    paths()
    one_server(r)
    two_servers(r)
    dtls(r)


lwgwtest.main(test)
