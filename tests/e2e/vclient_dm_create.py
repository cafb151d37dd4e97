#!/usr/bin/env python3
"""Device management Create, Delete and partial Write on the real lwgwd (issue 6).

A simulated sensor (Temperature /3303/0, Light Control /3311/0) with one NoSec server
(AC-3: a single server without ACL instances has full access). Every object of an lwgwd
device is either the gateway's (0 Security, 1 Server, 2 Access Control, 3 Device) or the
sensor's (backed), so no server-created instance exists there (docs/lwm2m.md): Create
answers 4.05 on objects 1, 2, 3 and the sensor's, 4.01 on Security (AC-3), 4.04 on an
object the device does not have; Delete answers 4.05 on those instances and on other
depths, 4.01 on Security, 4.04 on a missing instance. None of them changes anything.
Partial Write (POST) on /1/0 changes only the resources it carries (the Lifetime: an
Update with lt=) and is all-or-nothing (a read-only resource in it: 4.05, nothing
written); on the sensor's writable switch it goes through the sensor (2.04).
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

EP = "sim0-1"

LWGWD = """
gateway = { state_dir = "%(state)s"; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%(ctl)s"; };
coap = { ack_timeout_ms = 500; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%(port)d"; security = "nosec";
              lifetime = 30; } );
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303, 3311];
            period_ms = 200; waveform = "sine"; } );
"""


def code(op, line, want):
    rsp = op.request(line)
    check(rsp.get("code") == want, "%s: want %s, got %r" % (line, want, rsp), op)
    return rsp


def read_text(op, path, timeout=5.0):
    """A resource as text; the sensor's first reading may not be there yet (4.04)."""
    deadline = time.monotonic() + timeout
    while True:
        rsp = op.request("read %s %s text" % (EP, path))
        if rsp.get("code") != "4.04" or time.monotonic() > deadline:
            return rsp
        time.sleep(0.2)


def test(r):
    op = r.operator("""
ack_timeout_ms = 1000;
server = { address = "127.0.0.1"; port = 0; };
""")
    state = r.path("state")
    os.mkdir(state)
    gw = r.lwgwd(LWGWD % {"state": state, "ctl": r.path("ctl"), "port": op.server_port})
    reg = op.wait_event({"event": "register", "ep": EP}, 15)
    objects = ["/1/0", "/2", "/3/0", "/3303", "/3303/0", "/3311/0"]
    check(reg["objects"] == objects, "register: %r" % reg, op, gw)
    rsp = read_text(op, "/3303/0/5700")
    check(rsp.get("code") == "2.05", "first reading: %r" % rsp, op, gw)

    # Create (issue 6): refused with the right code everywhere, nothing created.
    code(op, "create %s /3303 5750=str:porch" % EP, "4.05")
    code(op, "create %s /3303 iid=1 5750=str:porch" % EP, "4.05")
    code(op, "create %s /3311 iid=4 5850=bool:1" % EP, "4.05")
    code(op, "create %s /1 iid=1 0=int:102 1=int:60 6=bool:1 7=str:U" % EP, "4.05")
    code(op, "create %s /2 iid=0 0=int:3303 1=int:0 3=int:101" % EP, "4.05")
    code(op, "create %s /3 iid=1 0=str:x" % EP, "4.05")
    code(op, "create %s /0 iid=5 0=str:coap://127.0.0.1:9 1=bool:0 2=int:3 10=int:7" % EP,
         "4.01")
    code(op, "create %s /3304 5700=float:1.5" % EP, "4.04")
    code(op, "read %s /3303/1" % EP, "4.04")
    code(op, "read %s /1/1" % EP, "4.04")
    code(op, "read %s /3311/4" % EP, "4.04")

    # Delete: the same, and a missing instance is 4.04.
    code(op, "delete %s /3303/0" % EP, "4.05")
    code(op, "delete %s /3311/0" % EP, "4.05")
    code(op, "delete %s /1/0" % EP, "4.05")
    code(op, "delete %s /3/0" % EP, "4.05")
    code(op, "delete %s /0/0" % EP, "4.01")
    code(op, "delete %s /3303" % EP, "4.05")
    code(op, "delete %s /3303/0/5700" % EP, "4.05")
    code(op, "delete %s /3303/7" % EP, "4.04")
    rsp = code(op, "read %s /3303/0/5701 text" % EP, "2.05")
    check(rsp.get("payload") == "Cel", "after the refused Delete: %r" % rsp, op)
    code(op, "read %s /1/0/0 text" % EP, "2.05")
    op.no_event({"event": "update", "ep": EP}, 0.3, "an Update without any change")

    # Partial Write on the Server instance: only the Lifetime changes, an Update follows.
    t0 = op.request("ping", event="pong")["t"]
    code(op, "pwrite %s /1/0 tlv 1=int:45" % EP, "2.04")
    ev = op.wait_event(lambda e: e.get("t", 0) > t0 and e["event"] == "update" and
                       e.get("ep") == EP, 5)
    check(ev.get("lt") == 45, "update after the partial Write: %r" % ev, op)
    rsp = code(op, "read %s /1/0 tlv" % EP, "2.05")
    tlv = rsp.get("tlv", {})
    check(tlv.get("/1/0/1", {}).get("int") == 45 and
          tlv.get("/1/0/0", {}).get("int") == 101 and
          tlv.get("/1/0/7", {}).get("str") == "U" and
          tlv.get("/1/0/6", {}).get("int") == 1,
          "the partial Write changed more than the Lifetime: %r" % tlv, op)
    # All-or-nothing: the Short Server ID is read-only, so nothing of this is written.
    code(op, "pwrite %s /1/0 tlv 1=int:50 0=int:999" % EP, "4.05")
    rsp = code(op, "read %s /1/0/1 text" % EP, "2.05")
    check(rsp.get("payload") == "45", "a refused partial Write wrote: %r" % rsp, op)
    # An unknown resource and a non-writable sensor value.
    code(op, "pwrite %s /1/0 tlv 99=int:1" % EP, "4.04")
    code(op, "pwrite %s /3303/0 tlv 5700=float:3.5" % EP, "4.05")
    code(op, "pwrite %s /3303/9 tlv 5750=str:x" % EP, "4.04")
    # The sensor's switch: through the sensor, 2.04, then read back.
    code(op, "pwrite %s /3311/0 tlv 5850=bool:1" % EP, "2.04")
    rsp = code(op, "read %s /3311/0/5850 text" % EP, "2.05")
    check(rsp.get("payload") == "1", "switch after the partial Write: %r" % rsp, op)
    code(op, "pwrite %s /3311/0 tlv 5850=bool:0" % EP, "2.04")
    rsp = code(op, "read %s /3311/0/5850 text" % EP, "2.05")
    check(rsp.get("payload") == "0", "switch after the partial Write: %r" % rsp, op)

    # The refused operations left the registration's objects as they were.
    gw.stop()
    check(gw.p.returncode == 0, "lwgwd exit %r" % gw.p.returncode, gw)
    op.wait_event({"event": "deregister", "ep": EP}, 5)
    t1 = op.request("ping", event="pong")["t"]
    gw2 = r.lwgwd(LWGWD % {"state": state, "ctl": r.path("ctl"),
                           "port": op.server_port}, name="lwgwd2")
    reg = op.wait_event(lambda e: e.get("t", 0) > t1 and e["event"] == "register" and
                        e.get("ep") == EP, 15)
    check(reg["objects"] == objects and reg["lt"] == 45, "after restart: %r" % reg,
          op, gw2)


lwgwtest.main(test)
