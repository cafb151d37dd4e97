#!/usr/bin/env python3
"""lwgwd without -f (issue 2): the command returns once the daemon runs (exit 0) or tells
that it could not start, with the daemon's exit status (3: a control socket that cannot
be made) and a line on stderr, instead of exiting 0 before the failure as daemon(3)
would. The daemon is found by its unique configuration path in /proc and stopped by
its PID."""
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

CONF = """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            control_socket = "%s"; };
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303]; } );
"""


def daemons(conf):
    """PIDs of lwgwd processes started with this configuration file."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if conf.encode() in argv and argv[0].endswith(b"lwgwd"):
            found.append(int(d))
    return found


def test(r):
    lwgwd = os.path.join(lwgwtest.builddir(), "lwgwd")
    lwgwctl = os.path.join(lwgwtest.builddir(), "lwgwctl")
    bad = r.path("bad.conf")
    with open(bad, "w") as f:
        f.write(CONF % "/nonexistent-dir-of-lwgw-test/ctl")
    p = subprocess.run([lwgwd, "-c", bad], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    err = p.stderr.decode()
    check(p.returncode == 3 and "could not start (exit 3)" in err,
          "a start that fails: exit %d, %r" % (p.returncode, err))
    check(not daemons(bad), "a daemon left behind")

    good = r.path("good.conf")
    ctl = r.path("ctl")
    with open(good, "w") as f:
        f.write(CONF % ctl)
    p = subprocess.run([lwgwd, "-c", good], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    pids = daemons(good)
    try:
        check(p.returncode == 0, "a start that works: exit %d, %r" % (
            p.returncode, p.stderr.decode()))
        check(len(pids) == 1, "daemons: %r" % pids)
        # Ready means ready: the control socket answers at once.
        code, out, err = r.run([lwgwctl, "-s", ctl, "status"])
        check(code == 0 and "1 device" in out, "status: %d %r %r" % (code, out, err))
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while daemons(good) and time.monotonic() < deadline:
        time.sleep(0.1)
    check(not daemons(good), "the daemon did not stop on SIGTERM")


lwgwtest.main(test)
