#!/usr/bin/env python3
"""BLE sensors become virtual clients (issue 10), end to end: lwgwd with a ble link on a
private bus, a fake BlueZ, lwgw-operator as the NoSec LwM2M server.

A GATT Environmental Sensing sensor (temperature and humidity notify, pressure is polled;
battery; Device Information) and a BTHome v2 advertiser each register with their own
endpoint; values arrive with the right units and scaling; notifications and polling update
them, and reach an observing server as notifications; a device exposing nothing known
stays out; an unmapped characteristic is logged once per link. Malformed characteristic
values and truncated or encrypted service data are refused with a log line and change
nothing.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from ble_common import (FakeBluez, hexs, log_count, lwgwd_config, read,  # noqa: E402
                        start_bus, start_lwgwd, wait_value)

GATT = "AA:BB:CC:DD:EE:01"
BTH = "AA:BB:CC:DD:EE:02"
EP_GATT = "ble0-AABBCCDDEE01"
EP_BTH = "ble0-AABBCCDDEE02"

SPEC = {"powered": True, "devices": [
    {"address": GATT, "name": "ess-1", "uuids": ["1800", "181a", "180f", "180a"],
     "chars": [
         {"uuid": "2a6e", "service": "181a", "value": "6608", "flags": ["read", "notify"]},
         {"uuid": "2a6f", "service": "181a", "value": "1a11", "flags": ["read", "notify"]},
         {"uuid": "2a6d", "service": "181a", "value": "34740f00", "flags": ["read"]},
         {"uuid": "2a19", "service": "180f", "value": "57", "flags": ["read", "notify"]},
         {"uuid": "2a29", "service": "180a", "value": hexs("Acme")},
         {"uuid": "2a24", "service": "180a", "value": hexs("ESS-1000")},
         {"uuid": "2a25", "service": "180a", "value": hexs("SN0001")},
         {"uuid": "2a26", "service": "180a", "value": hexs("1.2.3")},
         {"uuid": "2a27", "service": "180a", "value": hexs("rev B")},
         {"uuid": "2a28", "service": "180a", "value": hexs("4.5")},
         {"uuid": "2a00", "service": "1800", "value": hexs("ess-1")}]},
    {"address": BTH, "name": "bthome-1",
     "servicedata": "400009016102ca0903bf1304138a0105138a140c020c"},
    {"address": "AA:BB:CC:DD:EE:03", "name": "phone", "uuids": ["1812"]},
]}


def number(ev):
    """The payload of a response or notification as a number (None if it is not one)."""
    try:
        return float(ev.get("payload"))
    except (TypeError, ValueError):
        return None


def test(r):
    op = r.operator()
    bus, _ = start_bus(r)
    fake = FakeBluez(r, bus, SPEC)
    gw = start_lwgwd(r, lwgwd_config(r, op.server_port, bus), fake)

    ev = fake.wait_call("SetDiscoveryFilter")
    check(ev["filter"].get("Transport") == "le", "discovery filter: %r" % ev, fake.p)
    fake.wait_call("StartDiscovery")

    # Both sensors register, with the objects their data provides.
    reg = op.wait_event({"event": "register", "ep": EP_GATT}, timeout=15)
    for o in ("/3/0", "/3303/0", "/3304/0", "/3315/0"):
        check(o in reg["objects"], "GATT sensor objects: %r" % reg["objects"], op, gw)
    reg = op.wait_event({"event": "register", "ep": EP_BTH}, timeout=15)
    for o in ("/3/0", "/3303/0", "/3304/0", "/3315/0", "/3301/0", "/3316/0"):
        check(o in reg["objects"], "BTHome sensor objects: %r" % reg["objects"], op, gw)

    # GATT: Environmental Sensing scaling and units, battery, Device Information.
    wait_value(op, EP_GATT, "/3303/0/5700", 21.5, proc=gw)
    wait_value(op, EP_GATT, "/3304/0/5700", 43.78)
    wait_value(op, EP_GATT, "/3315/0/5700", 1012.788)
    wait_value(op, EP_GATT, "/3303/0/5701", "Cel")
    wait_value(op, EP_GATT, "/3304/0/5701", "%RH")
    wait_value(op, EP_GATT, "/3315/0/5701", "hPa")
    wait_value(op, EP_GATT, "/3/0/9", "87")
    wait_value(op, EP_GATT, "/3/0/0", "Acme")
    wait_value(op, EP_GATT, "/3/0/1", "ESS-1000")
    wait_value(op, EP_GATT, "/3/0/2", "SN0001")
    wait_value(op, EP_GATT, "/3/0/3", "1.2.3")
    wait_value(op, EP_GATT, "/3/0/18", "rev B")
    wait_value(op, EP_GATT, "/3/0/19", "4.5")
    fake.wait_call("StartNotify", uuid="2a6e")
    fake.wait_call("StartNotify", uuid="2a6f")

    # Readings reach the LwM2M server as notifications of an observation.
    tag = op.command("observe %s /3303/0/5700 pmin=0" % EP_GATT)
    ev = op.wait_event({"tag": tag, "event": "response", "cmd": "write-attr"}, 5)
    check(ev["code"] == "2.04", "write-attr pmin=0: %r" % ev, op, gw)
    ev = op.wait_event({"tag": tag, "event": "response", "cmd": "observe"}, 5)
    check(ev["code"] == "2.05" and "observe" in ev and number(ev) == 21.5,
          "observe: %r" % ev, op, gw)
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="fc08")     # 23.00
    ev = op.wait_event({"tag": tag, "event": "notify", "n": 1}, 5)
    check(number(ev) == 23.0, "first notification: %r" % ev, op, gw)

    # A notification, then a polled characteristic (pressure cannot notify).
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="0c fe".replace(" ", ""))
    ev = op.wait_event({"tag": tag, "event": "notify", "n": 2}, 5)
    check(number(ev) == -5.0, "second notification: %r" % ev, op, gw)
    wait_value(op, EP_GATT, "/3303/0/5700", -5.0)
    fake.cmd(cmd="value", address=GATT, uuid="2a6d", value="a0860100")  # 100000 = 100 hPa
    wait_value(op, EP_GATT, "/3315/0/5700", 100.0, timeout=8)
    # "Unknown" (0x8000) is ignored: the value stays.
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="0080")
    fake.cmd(cmd="value", address=GATT, uuid="2a6f", value="8813")   # 50.00 %
    wait_value(op, EP_GATT, "/3304/0/5700", 50.0)
    check(float(read(op, EP_GATT, "/3303/0/5700")) == -5.0, "0x8000 was not ignored", op)

    # Malformed values: refused with a log line, nothing changes.
    fake.cmd(cmd="value", address=GATT, uuid="2a6e", value="66")
    gw.wait_line(r"value of .*char.* rejected: Temperature: 1 bytes")
    fake.cmd(cmd="value", address=GATT, uuid="2a6f", value="1127")  # 10001 > 100 %
    gw.wait_line(r"Humidity: 10001 is out of range")
    check(float(read(op, EP_GATT, "/3303/0/5700")) == -5.0, "bad value stored", op)
    check(float(read(op, EP_GATT, "/3304/0/5700")) == 50.0, "bad value stored", op)

    # BTHome: the example packet of bthome.io.
    wait_value(op, EP_BTH, "/3303/0/5700", 25.06)
    wait_value(op, EP_BTH, "/3304/0/5700", 50.55)
    wait_value(op, EP_BTH, "/3315/0/5700", 1008.83)
    wait_value(op, EP_BTH, "/3301/0/5700", 13460.67)
    wait_value(op, EP_BTH, "/3316/0/5700", 3.074)
    wait_value(op, EP_BTH, "/3/0/9", "97")
    wait_value(op, EP_BTH, "/3303/0/5701", "Cel")
    wait_value(op, EP_BTH, "/3301/0/5701", "lx")
    # A new packet; 0x45 is temperature in 0.1 degC.
    fake.cmd(cmd="servicedata", address=BTH, value="40000a45ea00")
    wait_value(op, EP_BTH, "/3303/0/5700", 23.4)
    # Truncated, encrypted, wrong version: refused, logged, nothing changes.
    fake.cmd(cmd="servicedata", address=BTH, value="40000b02ca")
    gw.wait_line(r"AA:BB:CC:DD:EE:02: advertisement rejected: BTHome: object 0x02 "
                 r"truncated")
    fake.cmd(cmd="servicedata", address=BTH, value="41000c02ca09")
    fake.cmd(cmd="servicedata", address=BTH, value="20000d02ca09")
    # An unknown object ID: what comes before it is kept.
    fake.cmd(cmd="servicedata", address=BTH, value="40000e2e227f0102")
    gw.wait_line(r"BTHome object 0x7f is unknown")
    wait_value(op, EP_BTH, "/3304/0/5700", 34.0)
    check(float(read(op, EP_BTH, "/3303/0/5700")) == 23.4, "bad packet stored", op)

    # The Generic Access Device Name (0x2A00) is not mapped: ignored, logged once per
    # link, even when a reconnection shows it again.
    ignored = r"link ble0: characteristic 0x2a00 is ignored"
    check(log_count(gw, ignored) == 1, "0x2A00 not logged once at first", gw)
    fake.cmd(cmd="disconnect", address=GATT)
    gw.wait_line(r"AA:BB:CC:DD:EE:01 disconnected: reconnecting")
    fake.wait_call("StartNotify", uuid="2a6e")  # connected, resolved, set up again
    check(log_count(gw, ignored) == 1, "0x2A00 logged again on reconnection", gw)

    # The device with nothing known never became a vclient; lwgwd is alive.
    op.no_event({"event": "register", "ep": "ble0-AABBCCDDEE03"}, 0.5)
    check(gw.alive(), "lwgwd died", gw)


lwgwtest.main(test)
