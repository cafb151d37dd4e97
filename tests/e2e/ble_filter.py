#!/usr/bin/env python3
"""Which BLE devices become virtual clients (issue 10), end to end with a fake BlueZ: a ble
link with uuids and name_pattern. Only devices that advertise one of the services (a short
form in the configuration matches BlueZ's 128-bit form) and whose name matches register;
the others are never connected, never registered, and the reason is logged once. A BTHome
sensor whose name is heard only later, and a GATT sensor whose services arrive later
(PropertiesChanged), are picked up then.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from ble_common import FakeBluez, log_count, start_bus, start_lwgwd, wait_value  # noqa: E402

A = "AA:BB:CC:DD:EE:41"     # GATT, right name, advertises 180f: a vclient
B = "AA:BB:CC:DD:EE:42"     # GATT, right name, none of the services: ignored
C = "AA:BB:CC:DD:EE:43"     # BTHome, wrong name: ignored
D = "AA:BB:CC:DD:EE:44"     # BTHome, no name until later
E = "AA:BB:CC:DD:EE:45"     # GATT, right name, 180f advertised later


def ep(addr):
    return "ble0-" + addr.replace(":", "")


def gatt(addr, name, uuids):
    return {"address": addr, "name": name, "uuids": uuids,
            "chars": [{"uuid": "2a6e", "service": "181a", "value": "6608",  # 21.50
                       "flags": ["read", "notify"]}]}


def config(r, port, bus):
    os.makedirs(r.path("state"), exist_ok=True)
    return """
gateway = {
	state_dir = "%s";
	bind = "127.0.0.1";
	allow_insecure = true;
	control_socket = "%s";
	log_level = "debug";
};
servers = (
	{ ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec"; lifetime = 60;
	  binding = "U"; }
);
links = (
	{ name = "ble0"; type = "ble"; adapter = "hci0"; bus = "%s";
	  uuids = [ "fcd2", "0000180f-0000-1000-8000-00805f9b34fb" ];
	  name_pattern = "Thermo*"; }
);
""" % (r.path("state"), r.path("ctl"), port, bus)


def test(r):
    op = r.operator()
    bus, _ = start_bus(r)
    fake = FakeBluez(r, bus, {"powered": True, "devices": [
        gatt(A, "Thermo-A", ["181a", "180f"]),
        gatt(B, "Thermo-B", ["181a"]),
        {"address": C, "name": "Other-C", "servicedata": "400001026400"},
        {"address": D, "servicedata": "400001026400"},
        gatt(E, "Thermo-E", ["181a"])]})
    gw = start_lwgwd(r, config(r, op.server_port, bus), fake)

    reg = op.wait_event({"event": "register", "ep": ep(A)}, timeout=15)
    check("/3303/0" in reg["objects"], "objects: %r" % reg["objects"], op, gw)
    wait_value(op, ep(A), "/3303/0/5700", 21.5, proc=gw)
    gw.wait_line(r"link ble0: %s ignored: advertises none of uuids \(only 181a\)" % B)
    gw.wait_line(r'link ble0: %s ignored: name "Other-C" does not match '
                 r'name_pattern' % C)
    gw.wait_line(r"link ble0: %s ignored: has no name \(yet\)" % D)
    gw.wait_line(r"link ble0: %s ignored: advertises none of uuids" % E)

    # More of the same (advertisements, RSSI) re-evaluates, but logs no more.
    fake.cmd(cmd="servicedata", address=C, value="400002026500")
    fake.cmd(cmd="servicedata", address=D, value="400002026500")
    fake.cmd(cmd="rssi", address=B, value=-70)
    fake.cmd(cmd="rssi", address=B, value=-71)
    for addr in (B, C, D):
        n = log_count(gw, r"link ble0: %s ignored" % addr)
        check(n == 1, "%s: %d lines of why it is ignored" % (addr, n), gw)

    # The name heard later: a vclient with the next advertisement.
    fake.cmd(cmd="set-name", address=D, name="Thermo-D")
    fake.cmd(cmd="servicedata", address=D, value="40000302f401")          # 5.00
    op.wait_event({"event": "register", "ep": ep(D)}, timeout=15)
    wait_value(op, ep(D), "/3303/0/5700", 5.0)

    # Services learnt later: connected and registered then.
    fake.cmd(cmd="set-uuids", address=E, uuids=["181a", "180f"])
    fake.wait_call("Connect", address=E)
    op.wait_event({"event": "register", "ep": ep(E)}, timeout=15)
    wait_value(op, ep(E), "/3303/0/5700", 21.5)

    # The others: never connected, never registered.
    fake.cmd(cmd="servicedata", address=C, value="40000402f401")
    fake.p.no_event({"event": "call", "method": "Connect", "address": B}, 1.0)
    for addr in (B, C):
        op.no_event(lambda e, addr=addr: e.get("event") == "register" and
                    e.get("ep") == ep(addr), 0.5, what="%s registered" % addr)
    check(gw.alive(), "lwgwd died", gw)


lwgwtest.main(test)
