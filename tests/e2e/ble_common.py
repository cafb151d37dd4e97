"""Helpers of the ble end-to-end tests (standard library only): a private dbus-daemon, the
fake BlueZ (tests/e2e/fakebluez.py, run by Debian's /usr/bin/python3 for python3-dbus and
python3-gi), lwgwd with a ble link on that bus and lwgw-operator as its LwM2M server."""

import json
import os
import re
import subprocess
import time

import lwgwtest
from lwgwtest import Failure, Skip, check

SYSTEM_PYTHON = "/usr/bin/python3"
HERE = os.path.dirname(os.path.abspath(__file__))


def hexs(s):
    return s.encode().hex()


def start_bus(r, name="dbus-daemon"):
    """A private bus at r.path("bus"); returns (address, process)."""
    (daemon,) = lwgwtest.need("dbus-daemon")
    path = r.path("bus")
    if os.path.exists(path):
        os.unlink(path)  # a killed daemon leaves its socket behind
    p = r.start(name, [daemon, "--session", "--nofork", "--print-address",
                       "--address=unix:path=" + path])
    p.wait_line(r"^unix:path=")
    return "unix:path=" + path, p


def need_fake():
    rc = subprocess.call([SYSTEM_PYTHON, "-c", "import dbus, gi.repository.GLib"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if rc != 0:
        raise Skip("%s lacks python3-dbus or python3-gi (apt-get install python3-dbus "
                   "python3-gi)" % SYSTEM_PYTHON)


class FakeBluez:
    """The fake BlueZ process; commands as JSON lines, events as JSON lines."""

    def __init__(self, r, bus, spec, name="fakebluez"):
        need_fake()
        self.r = r
        self.ntag = 0
        path = r.path(name + ".json")
        with open(path, "w") as f:
            json.dump(spec, f)
        self.p = r.start(name, [SYSTEM_PYTHON, os.path.join(HERE, "fakebluez.py"),
                                "--bus", bus, "--spec", path], json_events=True)
        self.p.wait_event({"event": "ready"}, what="fake BlueZ ready")

    def cmd(self, **c):
        self.ntag += 1
        c["tag"] = "f%d" % self.ntag
        self.p.send(json.dumps(c))
        ev = self.p.wait_event(lambda e: e.get("tag") == c["tag"] or
                               e.get("event") == "error", what="fake: %r" % c)
        if ev["event"] == "error":
            raise Failure("fake BlueZ: %s" % ev["error"])

    def wait_call(self, method, timeout=lwgwtest.DEFAULT_TIMEOUT, **kw):
        pred = {"event": "call", "method": method}
        pred.update(kw)
        return self.p.wait_event(pred, timeout, what="call %s %r" % (method, kw))

    def stop(self):
        self.p.stop()


def start_lwgwd(r, config, fake):
    """lwgwd with a ble link; it must ask the fake BlueZ for its objects."""
    gw = r.lwgwd(config)
    fake.wait_call("GetManagedObjects", timeout=10)
    return gw


def log_count(gw, regex, after=0):
    """How many of gw's log lines so far (after the first `after`) match regex."""
    rx = re.compile(regex)
    with gw.cond:
        return sum(1 for line in gw.lines[after:] if rx.search(line))


def lwgwd_config(r, server_port, bus, stale_after=3, gone_grace=60, allow=None):
    os.makedirs(r.path("state"), exist_ok=True)
    allow_line = ""
    if allow is not None:
        allow_line = "allow = [%s];" % ", ".join('"%s"' % a for a in allow)
    return """
gateway = {
	state_dir = "%s";
	endpoint = "{link}-{id}";
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
	{ name = "ble0"; type = "ble"; adapter = "hci0"; bus = "%s"; %s
	  stale_after = %d; gone_grace = %d; }
);
""" % (r.path("state"), r.path("ctl"), server_port, bus, allow_line, stale_after,
       gone_grace)


def read(op, ep, path, fmt="text"):
    """The value of one resource, as text (None if the read fails)."""
    ev = op.request("read %s %s %s" % (ep, path, fmt))
    if ev.get("code") != "2.05":
        return None
    return ev.get("payload", "")


def wait_value(op, ep, path, want, timeout=10.0, proc=None):
    """Read until the value equals want (a float compares as a number)."""
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = read(op, ep, path)
        if got is not None:
            if isinstance(want, float):
                try:
                    if abs(float(got) - want) < 1e-6:
                        return got
                except ValueError:
                    pass
            elif got == want:
                return got
        time.sleep(0.2)
    check(False, "%s %s: %r, expected %r" % (ep, path, got, want), op,
          *([proc] if proc else []))
