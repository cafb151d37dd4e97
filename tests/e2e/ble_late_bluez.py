#!/usr/bin/env python3
"""lwgwd starts before BlueZ (issue 10): the ble link waits for org.bluez to get an owner,
then reads the object tree and the sensor registers; the adapter starts powered off and
nothing connects until it is powered. Also: an allow list keeps other sensors out.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from ble_common import (FakeBluez, lwgwd_config, need_fake, start_bus,  # noqa: E402
                        wait_value)

SPEC = {"powered": False, "devices": [
    {"address": "AA:BB:CC:DD:EE:21", "name": "bth-allowed", "servicedata": "40026400"},
    {"address": "AA:BB:CC:DD:EE:22", "name": "bth-other", "servicedata": "40025a00"},
    {"address": "AA:BB:CC:DD:EE:23", "name": "ess-allowed", "uuids": ["181a"],
     "chars": [{"uuid": "2a6e", "service": "181a", "value": "d007",
                "flags": ["read", "notify"]}]},
]}


def test(r):
    need_fake()     # skip before starting anything when it cannot run
    op = r.operator()
    bus, _ = start_bus(r)
    gw = r.lwgwd(lwgwd_config(r, op.server_port, bus,
                              allow=["aa:bb:cc:dd:ee:21", "AA:BB:CC:DD:EE:23"]))
    gw.wait_line(r"BlueZ is not available")
    fake = FakeBluez(r, bus, SPEC)
    gw.wait_line(r"BlueZ is back")
    fake.wait_call("GetManagedObjects")
    # BTHome needs no adapter power from us (BlueZ has the data); GATT needs a connection.
    op.wait_event({"event": "register", "ep": "ble0-AABBCCDDEE21"}, timeout=15)
    wait_value(op, "ble0-AABBCCDDEE21", "/3303/0/5700", 1.0)
    fake.p.no_event({"event": "call", "method": "Connect"}, 1.5)
    fake.cmd(cmd="power", on=True)
    fake.wait_call("StartDiscovery")
    fake.wait_call("Connect", address="AA:BB:CC:DD:EE:23")
    op.wait_event({"event": "register", "ep": "ble0-AABBCCDDEE23"}, timeout=15)
    wait_value(op, "ble0-AABBCCDDEE23", "/3303/0/5700", 20.0)
    op.no_event({"event": "register", "ep": "ble0-AABBCCDDEE22"}, 0.5)


lwgwtest.main(test)
