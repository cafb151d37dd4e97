#!/usr/bin/env python3
"""BLE sensors' life cycle (issue 10), end to end with a fake BlueZ on a private bus:
a disconnect reconnects (notifications resume); services re-resolved on a live connection
are read again; failed reconnects back off and a sensor unreachable for stale_after is
gone, then back on the same endpoint; BlueZ killed and restarted is survived (the object
tree is read again); the adapter powered off and on again; the bus lost and back; a BTHome
sensor that stops advertising is gone and comes back with its next packet; a device BlueZ
removes is gone.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from ble_common import (FakeBluez, lwgwd_config, start_bus,  # noqa: E402
                        start_lwgwd, wait_value)

GATT = "AA:BB:CC:DD:EE:11"
BTH = "AA:BB:CC:DD:EE:12"
EP_GATT = "ble0-AABBCCDDEE11"
EP_BTH = "ble0-AABBCCDDEE12"

SPEC = {"powered": True, "devices": [
    {"address": GATT, "name": "ess", "uuids": ["181a"],
     "chars": [
         {"uuid": "2a6e", "service": "181a", "value": "6608", "flags": ["read", "notify"]},
         {"uuid": "2a19", "service": "180f", "value": "50", "flags": ["read"]}]},
    {"address": BTH, "name": "bth", "servicedata": "400001026400"},
]}


def since(gw, n):
    """Log lines of gw after the first n."""
    with gw.cond:
        return gw.lines[n:]


def calls(fake, method, uuid):
    with fake.p.cond:
        return sum(1 for e in fake.p.events if e.get("method") == method and
                   e.get("uuid") == uuid)


def wait_more_calls(fake, method, uuid, before, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if calls(fake, method, uuid) > before:
            return
        time.sleep(0.1)
    check(False, "fake: no new %s of %s" % (method, uuid), fake.p)


def wait_new_line(gw, start, regex, timeout=10.0):
    import re
    rx = re.compile(regex)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in since(gw, start):
            if rx.search(line):
                return line
        time.sleep(0.1)
    check(False, "lwgwd: no new line /%s/" % regex, gw)


def test(r):
    op = r.operator()
    bus, busd = start_bus(r)
    fake = FakeBluez(r, bus, SPEC)
    gw = start_lwgwd(r, lwgwd_config(r, op.server_port, bus, stale_after=2,
                                     gone_grace=60), fake)
    op.wait_event({"event": "register", "ep": EP_GATT}, timeout=15)
    op.wait_event({"event": "register", "ep": EP_BTH}, timeout=15)
    wait_value(op, EP_GATT, "/3303/0/5700", 21.5, proc=gw)
    wait_value(op, EP_BTH, "/3303/0/5700", 1.0)
    fake.wait_call("Connect", address=GATT)
    fake.wait_call("StartNotify", uuid="2a6e")

    # Disconnect: reconnected after the first backoff step, notifications resume.
    n = len(gw.lines)
    fake.cmd(cmd="disconnect", address=GATT)
    wait_new_line(gw, n, r"AA:BB:CC:DD:EE:11 disconnected: reconnecting")
    fake.wait_call("Connect", address=GATT)
    fake.wait_call("StartNotify", uuid="2a6e")
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="9808")  # 22.00
    wait_value(op, EP_GATT, "/3303/0/5700", 22.0)

    # Services re-resolved on a live connection: read again, notifications again.
    reads, notifies = calls(fake, "ReadValue", "2a6e"), calls(fake, "StartNotify", "2a6e")
    fake.cmd(cmd="reresolve", address=GATT)
    wait_more_calls(fake, "ReadValue", "2a6e", reads)
    wait_more_calls(fake, "StartNotify", "2a6e", notifies)
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="ca08")  # 22.50
    wait_value(op, EP_GATT, "/3303/0/5700", 22.5)

    # Reconnects fail twice (backoff 1 s, 2 s, 4 s): after stale_after the sensor is
    # gone; when it connects again it is back on the same endpoint and registration.
    n = len(gw.lines)
    fake.cmd(cmd="fail_connect", address=GATT, count=2)
    fake.cmd(cmd="disconnect", address=GATT)
    fake.wait_call("Connect", address=GATT)
    fake.wait_call("Connect", address=GATT)
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is gone from ble0")
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="fc08")  # 23.00
    fake.wait_call("Connect", address=GATT, timeout=15)
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is back on ble0")
    wait_value(op, EP_GATT, "/3303/0/5700", 23.0)
    op.no_event({"event": "register", "ep": EP_GATT}, 0.3)

    # The BTHome sensor stopped advertising long ago: gone; its next packet: back.
    wait_new_line(gw, 0, r"sensor AABBCCDDEE12 is gone from ble0")
    n = len(gw.lines)
    fake.cmd(cmd="servicedata", address=BTH, value="400002026400")  # 1.00 again, pid 2
    wait_new_line(gw, n, r"sensor AABBCCDDEE12 is back on ble0")
    fake.cmd(cmd="servicedata", address=BTH, value="40000302c800")  # 2.00
    wait_value(op, EP_BTH, "/3303/0/5700", 2.0)

    # BlueZ killed: every sensor of the link is gone; restarted: the tree is read again.
    n = len(gw.lines)
    fake.stop()
    wait_new_line(gw, n, r"BlueZ stopped")
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is gone")
    fake = FakeBluez(r, bus, SPEC, name="fakebluez2")
    wait_new_line(gw, n, r"BlueZ is back")
    fake.wait_call("GetManagedObjects")
    fake.wait_call("StartDiscovery")
    fake.wait_call("Connect", address=GATT)
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is back on ble0")
    wait_new_line(gw, n, r"sensor AABBCCDDEE12 is back on ble0")
    wait_value(op, EP_GATT, "/3303/0/5700", 21.5)
    fake.wait_call("StartNotify", uuid="2a6e")
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="6009")  # 24.00
    wait_value(op, EP_GATT, "/3303/0/5700", 24.0)

    # Adapter off: disconnected, no reconnect; on again: discovery and connection.
    n = len(gw.lines)
    fake.cmd(cmd="power", on=False)
    wait_new_line(gw, n, r"adapter hci0 is powered off")
    time.sleep(1.5)
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="c409")  # 25.00
    fake.cmd(cmd="power", on=True)
    fake.wait_call("StartDiscovery")
    fake.wait_call("Connect", address=GATT)
    wait_value(op, EP_GATT, "/3303/0/5700", 25.0)

    # The bus itself goes (dbus-daemon killed): every sensor is gone; lwgwd reopens the
    # bus every few seconds and finds BlueZ on the new one.
    n = len(gw.lines)
    fake.stop()
    busd.stop()
    wait_new_line(gw, n, r"D-Bus connection lost")
    bus, busd = start_bus(r, name="dbus-daemon2")
    fake = FakeBluez(r, bus, SPEC, name="fakebluez3")
    wait_new_line(gw, n, r"D-Bus connection is back")
    fake.wait_call("Connect", address=GATT)
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is back on ble0")
    wait_value(op, EP_GATT, "/3303/0/5700", 21.5)

    # BlueZ removes the device: it is gone at once.
    n = len(gw.lines)
    fake.cmd(cmd="remove", address=GATT)
    wait_new_line(gw, n, r"sensor AABBCCDDEE11 is gone from ble0")
    check(gw.alive(), "lwgwd died", gw)


lwgwtest.main(test)
