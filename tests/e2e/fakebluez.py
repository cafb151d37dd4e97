#!/usr/bin/python3
"""A fake BlueZ for the ble driver's end-to-end tests: org.bluez on a private bus.

Run with Debian's /usr/bin/python3 (python3-dbus, python3-gi):

    fakebluez.py --bus unix:path=/tmp/x/bus --spec devices.json

It exports an ObjectManager at /, the adapter /org/bluez/hci0 (Adapter1: Powered,
Discovering, StartDiscovery, StopDiscovery, SetDiscoveryFilter) and the devices of the spec
(Device1: Address, Name, Alias, UUIDs, Connected, ServicesResolved, RSSI, ServiceData;
a device without "name" has no Name and its address as Alias, as in BlueZ). A GATT
device's services and characteristics (GattService1, GattCharacteristic1 with ReadValue,
StartNotify, StopNotify, Value, Flags) appear on Connect and vanish on disconnect, as BlueZ
does for devices that are not bonded.

The spec (JSON):
    {"powered": true, "devices": [
        {"address": "AA:BB:CC:DD:EE:01", "name": "ess", "uuids": ["181a"],
         "chars": [{"uuid": "2a6e", "service": "181a", "value": "6608",
                    "flags": ["read", "notify"]}, ...]},
        {"address": "AA:BB:CC:DD:EE:02", "name": "bth", "servicedata": "4002ca09"}]}

Commands on stdin, one JSON object per line; events on stdout, one JSON object per line
({"event": "ready"}, {"event": "call", "method": "Connect", "address": ...}, ...):
    {"cmd": "value", "address": A, "uuid": "2a6e", "value": HEX}  set (and notify)
    {"cmd": "servicedata", "address": A, "value": HEX}
    {"cmd": "rssi", "address": A, "value": N}
    {"cmd": "set-name", "address": A, "name": N}     Name (and Alias) heard later
    {"cmd": "set-uuids", "address": A, "uuids": [U, ...]}
    {"cmd": "disconnect", "address": A}
    {"cmd": "reresolve", "address": A}               ServicesResolved false, then true
    {"cmd": "fail_connect", "address": A, "count": N}
    {"cmd": "remove", "address": A}
    {"cmd": "power", "on": BOOL}
    {"cmd": "add-device", "device": {...}}           a device of the spec's form appears
                                                     (InterfacesAdded), as when BlueZ
                                                     discovers a sensor switched on later
    {"cmd": "remove-adapter"}                        the adapter is unplugged: as BlueZ's
                                                     adapter_remove(), every device goes
                                                     (its GATT objects, then the device;
                                                     no Connected change), then the adapter
    {"cmd": "add-adapter"}                           plugged in again, powered; the devices
                                                     it had are discovered again
End of stdin ends the program.
"""

import argparse
import json
import os
import sys

import dbus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

BLUEZ = "org.bluez"
OM = "org.freedesktop.DBus.ObjectManager"
PROPS = "org.freedesktop.DBus.Properties"
ADAPTER = "org.bluez.Adapter1"
DEVICE = "org.bluez.Device1"
SERVICE = "org.bluez.GattService1"
CHR = "org.bluez.GattCharacteristic1"


def uuid128(u):
    if len(u) == 4:
        return "0000%s-0000-1000-8000-00805f9b34fb" % u.lower()
    return u


def emit(**ev):
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def ay(hexstr):
    return dbus.Array([dbus.Byte(b) for b in bytes.fromhex(hexstr)], signature="y")


class Failed(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.Failed"


class NotSupported(dbus.DBusException):
    _dbus_error_name = "org.bluez.Error.NotSupported"


class Obj(dbus.service.Object):
    """An object with properties per interface and PropertiesChanged."""

    def __init__(self, fake, path, ifaces):
        self.fake = fake
        self.path = path
        self.ifaces = ifaces
        super().__init__(fake.bus, path)
        fake.objects[path] = self

    def managed(self):
        return dbus.Dictionary({i: dbus.Dictionary(p, signature="sv")
                                for i, p in self.ifaces.items()}, signature="sa{sv}")

    def set(self, iface, name, value):
        self.ifaces[iface][name] = value
        self.PropertiesChanged(iface, dbus.Dictionary({name: value}, signature="sv"),
                               dbus.Array([], signature="s"))

    def unexport(self):
        self.fake.objects.pop(self.path, None)
        self.remove_from_connection()
        self.fake.root.InterfacesRemoved(dbus.ObjectPath(self.path),
                                         dbus.Array(list(self.ifaces), signature="s"))

    @dbus.service.method(PROPS, in_signature="ss", out_signature="v")
    def Get(self, iface, name):
        return self.ifaces[iface][name]

    @dbus.service.method(PROPS, in_signature="s", out_signature="a{sv}")
    def GetAll(self, iface):
        return dbus.Dictionary(self.ifaces.get(iface, {}), signature="sv")

    @dbus.service.method(PROPS, in_signature="ssv")
    def Set(self, iface, name, value):
        self.set(iface, name, value)

    @dbus.service.signal(PROPS, signature="sa{sv}as")
    def PropertiesChanged(self, iface, changed, invalidated):
        pass


class Root(dbus.service.Object):
    def __init__(self, fake):
        self.fake = fake
        super().__init__(fake.bus, "/")

    @dbus.service.method(OM, out_signature="a{oa{sa{sv}}}")
    def GetManagedObjects(self):
        emit(event="call", method="GetManagedObjects")
        return dbus.Dictionary({dbus.ObjectPath(p): o.managed()
                                for p, o in self.fake.objects.items()},
                               signature="oa{sa{sv}}")

    @dbus.service.signal(OM, signature="oa{sa{sv}}")
    def InterfacesAdded(self, path, ifaces):
        pass

    @dbus.service.signal(OM, signature="oas")
    def InterfacesRemoved(self, path, ifaces):
        pass


class Adapter(Obj):
    def __init__(self, fake, powered):
        super().__init__(fake, "/org/bluez/hci0", {ADAPTER: {
            "Address": "00:11:22:33:44:55", "Powered": dbus.Boolean(powered),
            "Discovering": dbus.Boolean(False)}})

    @dbus.service.method(ADAPTER, in_signature="a{sv}")
    def SetDiscoveryFilter(self, f):
        emit(event="call", method="SetDiscoveryFilter",
             filter={str(k): str(v) for k, v in f.items()})

    @dbus.service.method(ADAPTER)
    def StartDiscovery(self):
        emit(event="call", method="StartDiscovery")
        if not self.ifaces[ADAPTER]["Powered"]:
            raise dbus.DBusException("Resource Not Ready",
                                     name="org.bluez.Error.NotReady")
        self.set(ADAPTER, "Discovering", dbus.Boolean(True))

    @dbus.service.method(ADAPTER)
    def StopDiscovery(self):
        emit(event="call", method="StopDiscovery")
        self.set(ADAPTER, "Discovering", dbus.Boolean(False))


class Chr(Obj):
    def __init__(self, fake, path, spec, service_path):
        self.spec = spec
        super().__init__(fake, path, {CHR: {
            "UUID": uuid128(spec["uuid"]), "Service": dbus.ObjectPath(service_path),
            "Value": ay(spec.get("value", "")), "Notifying": dbus.Boolean(False),
            "Flags": dbus.Array(spec.get("flags", ["read"]), signature="s")}})

    @dbus.service.method(CHR, in_signature="a{sv}", out_signature="ay")
    def ReadValue(self, options):
        emit(event="call", method="ReadValue", uuid=self.spec["uuid"], path=self.path)
        return self.ifaces[CHR]["Value"]

    @dbus.service.method(CHR)
    def StartNotify(self):
        emit(event="call", method="StartNotify", uuid=self.spec["uuid"], path=self.path)
        flags = self.ifaces[CHR]["Flags"]
        if "notify" not in flags and "indicate" not in flags:
            raise NotSupported("Operation is not supported")
        self.set(CHR, "Notifying", dbus.Boolean(True))

    @dbus.service.method(CHR)
    def StopNotify(self):
        self.set(CHR, "Notifying", dbus.Boolean(False))

    def update(self, hexstr):
        self.spec["value"] = hexstr
        if self.ifaces[CHR]["Notifying"]:
            self.set(CHR, "Value", ay(hexstr))
        else:
            self.ifaces[CHR]["Value"] = ay(hexstr)


class Device(Obj):
    def __init__(self, fake, spec):
        self.spec = spec
        self.fail = 0
        self.gatt = []
        path = "/org/bluez/hci0/dev_" + spec["address"].replace(":", "_")
        # As BlueZ: no Name until the device sent one; Alias is then the address.
        props = {
            "Address": spec["address"], "AddressType": "public",
            "Alias": spec.get("name", spec["address"].replace(":", "-")),
            "Adapter": dbus.ObjectPath("/org/bluez/hci0"),
            "Connected": dbus.Boolean(False), "ServicesResolved": dbus.Boolean(False),
            "Paired": dbus.Boolean(False), "RSSI": dbus.Int16(-60),
            "UUIDs": dbus.Array([uuid128(u) for u in spec.get("uuids", [])],
                                signature="s"),
        }
        if "name" in spec:
            props["Name"] = spec["name"]
        if "servicedata" in spec:
            props["ServiceData"] = self.servicedata(spec["servicedata"])
        super().__init__(fake, path, {DEVICE: props})

    def set_name(self, name):
        """A name heard later (scan response): Name, then Alias, as BlueZ signals them."""
        self.spec["name"] = name
        self.set(DEVICE, "Name", name)
        self.set(DEVICE, "Alias", name)

    def set_uuids(self, uuids):
        self.spec["uuids"] = uuids
        self.set(DEVICE, "UUIDs", dbus.Array([uuid128(u) for u in uuids], signature="s"))

    @staticmethod
    def servicedata(hexstr):
        return dbus.Dictionary({uuid128("fcd2"): ay(hexstr)}, signature="sv")

    @dbus.service.method(DEVICE)
    def Connect(self):
        emit(event="call", method="Connect", address=self.spec["address"])
        if self.fail > 0:
            self.fail -= 1
            raise Failed("le-connection-abort-by-local")
        if not self.ifaces[DEVICE]["Connected"]:
            self.set(DEVICE, "Connected", dbus.Boolean(True))
            self.export_gatt()
            self.set(DEVICE, "ServicesResolved", dbus.Boolean(True))

    @dbus.service.method(DEVICE)
    def Disconnect(self):
        emit(event="call", method="Disconnect", address=self.spec["address"])
        self.disconnect()

    def export_gatt(self):
        services = {}
        n = 0x10
        for c in self.spec.get("chars", []):
            s = c.get("service", "180a")
            if s not in services:
                spath = "%s/service%04x" % (self.path, n)
                n += 1
                svc = Obj(self.fake, spath, {SERVICE: {
                    "UUID": uuid128(s), "Primary": dbus.Boolean(True),
                    "Device": dbus.ObjectPath(self.path)}})
                self.fake.root.InterfacesAdded(dbus.ObjectPath(spath), svc.managed())
                services[s] = spath
                self.gatt.append(svc)
            cpath = "%s/char%04x" % (services[s], n)
            n += 1
            chr_ = Chr(self.fake, cpath, c, services[s])
            self.fake.root.InterfacesAdded(dbus.ObjectPath(cpath), chr_.managed())
            self.gatt.append(chr_)

    def drop(self):
        """Gone with its adapter: objects removed, no disconnect signalled first."""
        for o in reversed(self.gatt):
            o.unexport()
        self.gatt = []
        self.ifaces[DEVICE]["Connected"] = dbus.Boolean(False)
        self.ifaces[DEVICE]["ServicesResolved"] = dbus.Boolean(False)
        self.unexport()

    def disconnect(self):
        if not self.ifaces[DEVICE]["Connected"]:
            return
        self.set(DEVICE, "ServicesResolved", dbus.Boolean(False))
        self.set(DEVICE, "Connected", dbus.Boolean(False))
        for o in reversed(self.gatt):
            o.unexport()
        self.gatt = []

    def chr(self, uuid):
        for o in self.gatt:
            if isinstance(o, Chr) and o.spec["uuid"] == uuid:
                return o
        for c in self.spec.get("chars", []):
            if c["uuid"] == uuid:
                return c
        raise KeyError(uuid)


class Fake:
    def __init__(self, bus, spec):
        self.bus = bus
        self.objects = {}
        self.root = Root(self)
        self.adapter = Adapter(self, spec.get("powered", True))
        self.devices = {}
        self.unplugged = []     # specs of the devices of a removed adapter
        for d in spec.get("devices", []):
            self.devices[d["address"]] = Device(self, d)

    def add_device(self, spec):
        if self.adapter is None:
            raise ValueError("add-device: no adapter")
        if spec["address"] in self.devices:
            raise ValueError("add-device: %s exists" % spec["address"])
        d = Device(self, spec)
        self.devices[spec["address"]] = d
        self.root.InterfacesAdded(dbus.ObjectPath(d.path), d.managed())

    def command(self, c):
        cmd = c["cmd"]
        d = self.devices.get(c.get("address"))
        if cmd == "value":
            o = d.chr(c["uuid"])
            if isinstance(o, Chr):
                o.update(c["value"])
            else:
                o["value"] = c["value"]
        elif cmd == "servicedata":
            d.spec["servicedata"] = c["value"]
            d.set(DEVICE, "ServiceData", Device.servicedata(c["value"]))
        elif cmd == "set-name":
            d.set_name(c["name"])
        elif cmd == "set-uuids":
            d.set_uuids(c["uuids"])
        elif cmd == "rssi":
            d.set(DEVICE, "RSSI", dbus.Int16(c["value"]))
        elif cmd == "disconnect":
            d.disconnect()
        elif cmd == "reresolve":  # Service Changed on a live connection
            d.set(DEVICE, "ServicesResolved", dbus.Boolean(False))
            d.set(DEVICE, "ServicesResolved", dbus.Boolean(True))
        elif cmd == "fail_connect":
            d.fail = c["count"]
        elif cmd == "remove":
            d.disconnect()
            d.unexport()
            del self.devices[c["address"]]
        elif cmd == "add-device":
            self.add_device(c["device"])
        elif cmd == "remove-adapter":
            if self.adapter is None:
                raise ValueError("remove-adapter: no adapter")
            for dev in list(self.devices.values()):
                dev.drop()
                self.unplugged.append(dev.spec)
            self.devices = {}
            self.adapter.unexport()
            self.adapter = None
        elif cmd == "add-adapter":
            if self.adapter is not None:
                raise ValueError("add-adapter: the adapter exists")
            self.adapter = Adapter(self, True)
            self.root.InterfacesAdded(dbus.ObjectPath(self.adapter.path),
                                      self.adapter.managed())
            for spec in self.unplugged:
                self.add_device(spec)
            self.unplugged = []
        elif cmd == "power":
            if not c["on"]:
                for dev in self.devices.values():
                    dev.disconnect()
                self.adapter.set(ADAPTER, "Discovering", dbus.Boolean(False))
            self.adapter.set(ADAPTER, "Powered", dbus.Boolean(c["on"]))
        else:
            raise ValueError("unknown command %r" % cmd)
        emit(event="done", cmd=cmd, tag=c.get("tag"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bus", required=True)
    ap.add_argument("--spec", required=True)
    args = ap.parse_args()
    with open(args.spec) as f:
        spec = json.load(f)
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.bus)
    fake = Fake(bus, spec)
    fake.name = dbus.service.BusName(BLUEZ, bus, do_not_queue=True)  # kept: owns org.bluez
    loop = GLib.MainLoop()

    pending = [b""]

    def on_stdin(fd, cond):
        # os.read, not readline: Python's buffering would hide lines from the watch.
        data = os.read(sys.stdin.fileno(), 65536)
        if not data:
            loop.quit()
            return False
        pending[0] += data
        while b"\n" in pending[0]:
            line, pending[0] = pending[0].split(b"\n", 1)
            line = line.strip()
            if not line:
                continue
            try:
                fake.command(json.loads(line))
            except Exception as e:  # a bad command is the test's bug: say so
                emit(event="error", error="%s: %r" % (type(e).__name__, e))
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_stdin)
    emit(event="ready", name=bus.get_unique_name(), pid=os.getpid())
    loop.run()


if __name__ == "__main__":
    main()
