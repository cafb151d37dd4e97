#!/usr/bin/env python3
"""Serial sensors become virtual clients (issue 8), end to end: lwgwd with a serial link on
a pseudo-terminal (the configured device is a symlink to the pty's slave), the test plays
two sensors on an RS-485 style bus (addresses 1 and 2) on the master side, lwgw-operator is
the NoSec LwM2M server.

Checked: the gateway asks for announcements (WHO) when it opens the tty; both sensors
register with their own endpoints and objects and /3/0 from INFO; readings reach the
server (Read and Notify); bad frames are refused (ERR) and store nothing; a server's Write
and Execute reach the tty with a correlation id and the sensor's RES comes back as the CoAP
response code; unplugging (closing the pty master) makes the sensors gone (de-registered
after gone_grace); replugging (a new pty behind the same symlink) brings the same
endpoints back.

Then a stale sensor (issue 8), on a second link with stale_after = 2 and gone_grace = 0
(a gone sensor stays registered): once silent for stale_after, a Read of its resources is
5.03 with a diagnostic, /3/0 stays readable, Observe is 5.03, Write and Execute are 5.03
without reaching the tty; its observation sends nothing while stale and notifies the value
when a reading comes, even an unchanged one; unplugged it is stale at once, and back on the
bus it stays stale until its first reading.
"""
import os
import select
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import Failure, check  # noqa: E402


def crc8(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = ((c << 1) ^ 0x07) & 0xFF if c & 0x80 else (c << 1) & 0xFF
    return c


def frame(body, addr=0):
    s = ("@%d " % addr if addr else "") + body
    return ("%s*%02X\r\n" % (s, crc8(s.encode()))).encode()


class Bus:
    """The master side of a pty: frames out, checked frames in (PINGs answered)."""

    def __init__(self, link_path):
        self.master, slave = os.openpty()
        os.set_blocking(self.master, False)
        tmp = link_path + ".new"
        os.symlink(os.ttyname(slave), tmp)
        os.rename(tmp, link_path)          # re-pointed atomically on replug
        os.close(slave)
        self.buf = b""
        self.seen = []

    def close(self):
        os.close(self.master)

    def send(self, body, addr=0):
        os.write(self.master, frame(body, addr))

    def raw(self, data):
        os.write(self.master, data)

    def _lines(self):
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            text = line.decode("ascii")
            if not text.endswith("\r") or text[-4] != "*":
                raise Failure("gateway sent a bad line: %r" % text)
            body = text[:-4]
            if crc8(body.encode()) != int(text[-3:-1], 16):
                raise Failure("gateway sent a bad checksum: %r" % text)
            yield body

    def expect(self, pred, timeout=10.0, what=None):
        """The next gateway frame matching pred (a string or a function)."""
        deadline = time.monotonic() + timeout
        while True:
            for body in self._lines():
                self.seen.append(body)
                if body.endswith("PING") and body.split()[-1] == "PING":
                    addr = int(body[1:].split()[0]) if body.startswith("@") else 0
                    self.send("PONG", addr)
                    continue
                if (pred(body) if callable(pred) else body == pred):
                    return body
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure("no frame %s from the gateway; saw %r" %
                              (what or repr(pred), self.seen[-10:]))
            r, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if r:
                try:
                    self.buf += os.read(self.master, 4096)
                except OSError:
                    time.sleep(0.05)   # EIO while the slave is not open yet


def announce(bus, addr, ident, caps, objs, info=()):
    bus.send("HELLO 1 %s %s" % (ident, caps), addr)
    for k, v in info:
        bus.send('INFO %s "%s"' % (k, v), addr)
    for o in objs:
        bus.send("OBJ %s" % o, addr)
    bus.send("READY", addr)


def read(op, ep, path):
    ev = op.request("read %s %s text" % (ep, path))
    return ev.get("payload") if ev.get("code") == "2.05" else None


def wait_value(op, ep, path, want, timeout=10.0):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = read(op, ep, path)
        if got == want:
            return
        time.sleep(0.1)
    check(False, "%s %s: %r, expected %r" % (ep, path, got, want), op)


def config(r, server_port, tty, link="bus0", stale_after=0, gone_grace=2):
    os.makedirs(r.path("state-" + link), exist_ok=True)
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
	{ name = "%s"; type = "serial"; device = "%s"; baud = 115200; parity = "none";
	  data_bits = 8; stop_bits = 1; stale_after = %d; gone_grace = %d; }
);
""" % (r.path("state-" + link), r.path("ctl-" + link), server_port, link, tty,
       stale_after, gone_grace)


def both_announce(bus):
    announce(bus, 1, "T1", "write,exec", ["3303 0", "3311 0"],
             [("mfr", "Acme"), ("model", "TH-1"), ("fw", "1.0.3")])
    bus.expect("@1 WELCOME 1 write,exec")
    announce(bus, 2, "H2", "-", ["3304 0,1"])
    bus.expect("@2 WELCOME 1 -")


def quiet(bus, pred, seconds, what):
    """No gateway frame matching pred for seconds (PINGs answered meanwhile)."""
    try:
        got = bus.expect(pred, timeout=seconds)
    except Failure:
        return
    raise Failure("unexpected %s: %r" % (what, got))


def wait_stale(op, ep, path, timeout=10.0):
    """Poll Read until it is 5.03; the response event."""
    deadline = time.monotonic() + timeout
    ev = None
    while time.monotonic() < deadline:
        ev = op.request("read %s %s text" % (ep, path))
        if ev.get("code") == "5.03":
            return ev
        time.sleep(0.2)
    raise Failure("%s %s never answered 5.03: %r\n%s" % (ep, path, ev, op.tail()))


def test_stale(r, op):
    tty = r.path("tty1")
    bus = Bus(tty)
    gw = r.lwgwd(config(r, op.server_port, tty, "bus1", 2, 0), name="lwgwd-stale")
    bus.expect("WHO", what="WHO after the tty opened")
    ep = "bus1-T1"
    announce(bus, 1, "T1", "write,exec", ["3303 0", "3311 0"], [("mfr", "Acme")])
    bus.expect("@1 WELCOME 1 write,exec")
    op.wait_event({"event": "register", "ep": ep}, timeout=15)
    bus.send("/3303/0/5700 21.5", 1)
    wait_value(op, ep, "/3303/0/5700", "21.5")
    ev = op.request("observe %s /3303/0/5700" % ep)
    check(ev.get("code") == "2.05" and "observe" in ev, "observe: %r" % ev, op, gw)
    obs_tag = ev["tag"]

    # Silent for stale_after: the value is no longer served as if it were live.
    ev = wait_stale(op, ep, "/3303/0/5700")
    check(ev.get("payload", "").startswith("sensor stale for "),
          "5.03 without its diagnostic: %r" % ev, op, gw)
    check(op.request("read %s /3303/0 tlv" % ep).get("code") == "5.03",
          "instance of a stale sensor readable", op, gw)
    wait_value(op, ep, "/3/0/0", "Acme")
    ev = op.request("observe %s /3303/0" % ep)
    check(ev.get("code") == "5.03" and "observe" not in ev,
          "observe of a stale sensor: %r" % ev, op, gw)
    ev = op.request("write %s /3311/0/5850 text 1" % ep)
    check(ev.get("code") == "5.03", "write to a stale sensor: %r" % ev, op, gw)
    ev = op.request("execute %s /3303/0/5605" % ep)
    check(ev.get("code") == "5.03", "execute on a stale sensor: %r" % ev, op, gw)
    quiet(bus, lambda b: " WRITE " in b or " EXEC " in b, 0.5,
          "Write/Execute sent to a stale sensor")
    # Its observation says nothing while stale (and is not ended).
    op.no_event(lambda e: e.get("tag") == obs_tag, 1.0,
                what="a notification while stale")

    # A reading, even of the value it had: live again, and notified.
    bus.send("/3303/0/5700 21.5", 1)
    ev = op.wait_event({"tag": obs_tag, "event": "notify"}, timeout=5)
    check(ev.get("code") == "2.05" and ev.get("payload") == "21.5",
          "notification when fresh: %r" % ev, op, gw)
    wait_value(op, ep, "/3303/0/5700", "21.5")

    # Unplugged: stale at once, still registered (gone_grace = 0).
    bus.close()
    gw.wait_line(r"bus1: .* lost")
    wait_stale(op, ep, "/3303/0/5700", timeout=5)
    op.no_event({"event": "deregister", "ep": ep}, 1.0)

    # Back on the bus: stale until its first reading, then live and notified.
    bus = Bus(tty)
    bus.expect("WHO", timeout=20, what="WHO after the replug")
    announce(bus, 1, "T1", "write,exec", ["3303 0", "3311 0"], [("mfr", "Acme")])
    bus.expect("@1 WELCOME 1 write,exec")
    ev = op.request("read %s /3303/0/5700 text" % ep)
    check(ev.get("code") == "5.03", "back but not reporting yet: %r" % ev, op, gw)
    bus.send("/3303/0/5700 19", 1)
    ev = op.wait_event({"tag": obs_tag, "event": "notify"}, timeout=5)
    check(ev.get("payload") == "19", "notification when back: %r" % ev, op, gw)
    wait_value(op, ep, "/3303/0/5700", "19")
    check(gw.alive(), "lwgwd died", gw)
    bus.close()


def test(r):
    op = r.operator()
    tty = r.path("tty")
    bus = Bus(tty)
    gw = r.lwgwd(config(r, op.server_port, tty))
    bus.expect("WHO", what="WHO after the tty opened")

    # Two sensors on one bus, each its own virtual client.
    both_announce(bus)
    reg = op.wait_event({"event": "register", "ep": "bus0-T1"}, timeout=15)
    for o in ("/3/0", "/3303/0", "/3311/0"):
        check(o in reg["objects"], "T1 objects: %r" % reg["objects"], op, gw)
    reg = op.wait_event({"event": "register", "ep": "bus0-H2"}, timeout=15)
    for o in ("/3304/0", "/3304/1"):
        check(o in reg["objects"], "H2 objects: %r" % reg["objects"], op, gw)
    wait_value(op, "bus0-T1", "/3/0/0", "Acme")
    wait_value(op, "bus0-T1", "/3/0/3", "1.0.3")

    # Readings reach the server: Read, and Notify of an observation.
    bus.send('/3303/0/5700 21.5 /3303/0/5701 "Cel"', 1)
    wait_value(op, "bus0-T1", "/3303/0/5700", "21.5")
    wait_value(op, "bus0-T1", "/3303/0/5701", "Cel")
    bus.send("/3304/1/5700 40", 2)
    wait_value(op, "bus0-H2", "/3304/1/5700", "40")
    ev = op.request("observe bus0-H2 /3304/1/5700")
    check(ev.get("code") == "2.05" and "observe" in ev, "observe: %r" % ev, op, gw)
    bus.send("/3304/1/5700 41.5", 2)
    ev = op.wait_event({"event": "notify", "ep": "bus0-H2", "n": 1})
    check(ev.get("payload") == "41.5", "notification: %r" % ev, op, gw)

    # Bad frames: refused, counted, nothing stored; the line keeps working.
    bus.send('/3303/0/5700 "hot"', 1)
    bus.expect('@1 ERR 4.00 "value of the wrong type"')
    bus.send("/3303/1/5700 30", 1)
    bus.expect('@1 ERR 4.04 "instance not announced"')
    bus.raw(b"@1 /3303/0/5700 99*00\r\n")           # noise: bad checksum, no answer
    bus.raw(b"\x00\xff garbage " * 20 + b"\n")      # over-long junk
    bus.send("PING", 1)
    bus.expect("@1 PONG")
    check(read(op, "bus0-T1", "/3303/0/5700") == "21.5", "a bad frame was stored", op)

    # A server's Write goes to the tty; the sensor's RES is the response.
    tag = op.command("write bus0-T1 /3311/0/5850 text 1")
    w = bus.expect(lambda b: b.startswith("@1 WRITE "), what="WRITE")
    corr = w.split()[2]
    check(w == "@1 WRITE %s /3311/0/5850 1" % corr, "write frame: %r" % w, gw)
    bus.send("RES %s 2.04" % corr, 1)
    ev = op.wait_event({"tag": tag, "event": "response"})
    check(ev.get("code") == "2.04", "write response: %r" % ev, op, gw)
    wait_value(op, "bus0-T1", "/3311/0/5850", "1")
    tag = op.command("write bus0-T1 /3311/0/5850 text 0")
    w = bus.expect(lambda b: b.startswith("@1 WRITE "), what="WRITE")
    bus.send("RES %s 4.05" % w.split()[2], 1)
    ev = op.wait_event({"tag": tag, "event": "response"})
    check(ev.get("code") == "4.05", "refused write: %r" % ev, op, gw)
    # Execute; H2 announced no capability: the gateway answers 4.05 itself.
    tag = op.command("execute bus0-T1 /3303/0/5605")
    x = bus.expect(lambda b: b.startswith("@1 EXEC "), what="EXEC")
    check(x.endswith(" /3303/0/5605"), "exec frame: %r" % x, gw)
    bus.send("RES %s 2.04" % x.split()[2], 1)
    ev = op.wait_event({"tag": tag, "event": "response"})
    check(ev.get("code") == "2.04", "execute response: %r" % ev, op, gw)
    ev = op.request("write bus0-H2 /3304/0/5750 text x")
    check(ev.get("code") in ("4.05", "4.04"), "write to H2: %r" % ev, op, gw)

    # Unplug: both sensors are gone and, after gone_grace, de-registered.
    bus.close()
    gw.wait_line(r"bus0: .* lost")
    op.wait_event({"event": "deregister", "ep": "bus0-T1"}, timeout=10)
    op.wait_event({"event": "deregister", "ep": "bus0-H2"}, timeout=10)

    # Replug: another pty behind the same path; the same endpoints come back.
    bus = Bus(tty)
    bus.expect("WHO", timeout=20, what="WHO after the replug")
    both_announce(bus)
    op.wait_event({"event": "register", "ep": "bus0-T1"}, timeout=15)
    op.wait_event({"event": "register", "ep": "bus0-H2"}, timeout=15)
    bus.send("/3303/0/5700 19", 1)
    wait_value(op, "bus0-T1", "/3303/0/5700", "19")
    check(gw.alive(), "lwgwd died", gw)
    bus.close()
    gw.stop()
    test_stale(r, op)


lwgwtest.main(test)
