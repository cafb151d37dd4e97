#!/usr/bin/env python3
"""The main job: lwgwd with the simulated sensors of conf/demo.conf against a local test
operator (tests/operator/lwgw-operator) that plays the operator's Bootstrap-Server and
LwM2M Server on the loopback interface.

Every device bootstraps (Discover, Delete /, Write of a server account, Finish), registers,
and the operator observes the first devices' temperature. Runs DEMO_SECONDS (default 20;
0 = until Ctrl-C), then stops lwgwd, which de-registers every device.
Run by tools/demo.sh after the build; the build directory is in LWGW_BUILDDIR."""
import os
import re
import sys
import time

sys.dont_write_bytecode = True
top = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(top, "tests", "e2e"))
import lwgwtest  # noqa: E402

SERVER_PORT = 15685
OBSERVED = 3


def say(msg):
    sys.stdout.write("%s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stdout.flush()


def operator_config(bs_port, endpoints):
    scen = []
    for ep in endpoints:
        scen.append("""    { name = "%s"; steps = (
        { op = "discover"; path = "/"; expect = "2.05"; },
        { op = "delete"; path = "/"; expect = "2.02"; },
        { op = "write"; path = "/0"; expect = "2.04"; instances = (
            { id = 1; values = [ "0=str:coap://127.0.0.1:%d", "1=bool:0", "2=int:3",
                                 "10=int:101" ]; } ); },
        { op = "write"; path = "/1"; expect = "2.04"; instances = (
            { id = 0; values = [ "0=int:101", "1=int:60", "6=bool:1", "7=str:U" ]; } ); },
        { op = "finish"; expect = "2.04"; } ); }""" % (ep, SERVER_PORT))
    return """bootstrap = {
  port = %d;
  endpoints = (
%s
  );
};
server = { port = %d; };
""" % (bs_port, ",\n".join(scen), SERVER_PORT)


def demo(r):
    conf_path = os.path.join(top, "conf", "demo.conf")
    conf = open(conf_path).read()
    bs_port = int(re.search(r'coap://127\.0\.0\.1:(\d+)', conf).group(1))
    devices = int(re.search(r'devices\s*=\s*(\d+)', conf).group(1))
    link = re.search(r'name\s*=\s*"([^"]+)"', conf).group(1)
    endpoints = ["%s-%d" % (link, i) for i in range(1, devices + 1)]
    state = re.search(r'state_dir\s*=\s*"([^"]+)"', conf).group(1)
    ctl = re.search(r'control_socket\s*=\s*"([^"]+)"', conf).group(1)
    os.makedirs(state, exist_ok=True)
    for f in os.listdir(state):
        os.unlink(os.path.join(state, f))

    say("starting lwgw-operator: Bootstrap-Server on 127.0.0.1:%d, LwM2M Server on "
        "127.0.0.1:%d" % (bs_port, SERVER_PORT))
    op = r.operator(operator_config(bs_port, endpoints))
    say("starting lwgwd -f -c conf/demo.conf: %d simulated sensors on link %s"
        % (devices, link))
    gw = r.start("lwgwd", [os.path.join(lwgwtest.builddir(), "lwgwd"), "-f", "-c",
                           conf_path])
    gw.check_exit = True

    done = set()
    while len(done) < devices:
        ev = op.wait_event(lambda e: e["event"] == "bs-done", timeout=60,
                           what="bootstrap of every device")
        lwgwtest.check(ev.get("ok"), "bootstrap of %s failed: %r" % (ev["ep"], ev), op)
        done.add(ev["ep"])
    say("bootstrapped: %d of %d devices (Discover, Delete /, Write /0 and /1, Finish)"
        % (len(done), devices))
    registered = set()
    while len(registered) < devices:
        ev = op.wait_event({"event": "register"}, timeout=60,
                           what="registration of every device")
        registered.add(ev["ep"])
        if len(registered) == 1:
            say("first registration: %s lt=%s lwm2m=%s objects=%s" % (
                ev["ep"], ev.get("lt"), ev.get("lwm2m"), " ".join(ev.get("objects", []))))
    say("registered: %d of %d devices with the LwM2M Server" % (len(registered), devices))

    for ep in endpoints[:OBSERVED]:
        rsp = op.request("read %s /3/0" % ep)
        tlv = rsp.get("tlv", {})
        say("read %s /3/0 -> %s: %s, %s, serial %s" % (
            ep, rsp.get("code"), tlv.get("/3/0/0", {}).get("str"),
            tlv.get("/3/0/1", {}).get("str"), tlv.get("/3/0/2", {}).get("str")))
        op.command("observe %s /3303/0/5700 pmin=1 pmax=5" % ep)

    rc, out, err = r.run([os.path.join(lwgwtest.builddir(), "lwgwctl"), "-s", ctl,
                          "status"])
    sys.stdout.write("$ lwgwctl status\n" + out + err)
    rc, out, err = r.run([os.path.join(lwgwtest.builddir(), "lwgwctl"), "-s", ctl,
                          "list"])
    sys.stdout.write("$ lwgwctl list\n" + out + err)

    secs = int(os.environ.get("DEMO_SECONDS", "20"))
    say("notifications for %d s%s:" % (secs, "" if secs else " (Ctrl-C stops)"))
    end = time.monotonic() + (secs if secs > 0 else 10 ** 9)
    while time.monotonic() < end:
        try:
            ev = op.wait_event({"event": "notify"}, timeout=max(0.1, end - time.monotonic()))
        except lwgwtest.Failure:
            break
        say("  notify %s %s = %s (observe %s)" % (ev["ep"], ev.get("path"),
                                                 ev.get("payload"), ev.get("observe")))

    if os.environ.get("DEMO_DEBUG"):
        print(op.tail(30))
    say("stopping lwgwd (SIGTERM): every device de-registers")
    gw.p.terminate()
    gone = set()
    while len(gone) < devices:
        ev = op.wait_event({"event": "deregister"}, timeout=30, what="de-registrations")
        gone.add(ev["ep"])
    gw.wait_exit(timeout=30)
    say("de-registered: %d of %d devices; lwgwd exited with status %d"
        % (len(gone), devices, gw.p.returncode))


if __name__ == "__main__":
    lwgwtest.main(demo)
