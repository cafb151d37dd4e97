#!/usr/bin/env python3
"""The runner stops every process it started however a test ends.

A child test starts lwgw-operator and coap-server-notls, reports their PIDs, then fails
(assertion), raises an unexpected exception, is sent SIGTERM, or is killed with SIGKILL.
Afterwards none of its processes may be left, and (except after SIGKILL) its temporary
directory is gone. A sanitizer report on a child's stderr fails the test.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

CHILD = r"""
import json, os, sys, time
sys.dont_write_bytecode = True
sys.path.insert(0, %r)
import lwgwtest

def test(r):
    op = r.operator()
    cs = r.start("coap-server", ["coap-server-notls", "-A", "127.0.0.1",
                                 "-p", str(lwgwtest.free_port())])
    print(json.dumps({"pids": [op.pid, cs.pid], "tmpdir": r.tmpdir}), flush=True)
    mode = sys.argv[1]
    if mode == "fail":
        lwgwtest.check(False, "deliberate failure", op)
    if mode == "exception":
        raise RuntimeError("deliberate exception")
    op.wait_event({"event": "never"}, timeout=60)

lwgwtest.main(test)
"""


def gone(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state in ("Z", "X")  # a zombie nobody reaped is no longer running
    except FileNotFoundError:
        return True


def run_child(r, mode):
    script = r.path("child.py")
    with open(script, "w") as f:
        f.write(CHILD % HERE)
    p = subprocess.Popen([sys.executable, script, mode], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True,
                         bufsize=0)  # unbuffered: readline must not read ahead
    try:
        first = p.stdout.readline().decode()
        try:
            info = json.loads(first)
        except ValueError:
            rest = p.communicate(timeout=10)
            raise lwgwtest.Failure("child (%s) did not start: %r %r" % (mode, first, rest))
        if mode == "sigterm":
            time.sleep(0.3)
            p.send_signal(signal.SIGTERM)
        elif mode == "sigkill":
            time.sleep(0.3)
            p.kill()
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    out = first + out.decode()
    if mode in ("fail", "exception"):
        check(p.returncode == 1 and "FAIL" in out,
              "%s: exit %r, output %r %r" % (mode, p.returncode, out, err))
    elif mode == "sigterm":
        check(p.returncode not in (0, 77) and "interrupted" in out,
              "%s: exit %r, output %r" % (mode, p.returncode, out))
    if mode == "fail":
        check("deliberate failure" in out and "last events of operator" in out,
              "failure message lacks the operator's events: %r" % out)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(gone(pid) for pid in info["pids"]):
        time.sleep(0.05)
    left = [pid for pid in info["pids"] if not gone(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    check(not left, "%s: processes left behind: %r" % (mode, left))
    if mode == "sigkill":
        subprocess.run(["rm", "-rf", info["tmpdir"]])
    else:
        check(not os.path.exists(info["tmpdir"]), "%s: %s left behind" % (
            mode, info["tmpdir"]))


def sanitizer_report_is_a_failure():
    inner = lwgwtest.Runner()
    inner.start("fake", ["sh", "-c", "echo 'ERROR: AddressSanitizer: heap-use-after-free'"
                         " >&2; exec sleep 30"])
    time.sleep(0.3)
    problems = inner.cleanup()
    check(len(problems) == 1 and "heap-use-after-free" in problems[0],
          "sanitizer report not noticed: %r" % problems)


def test(r):
    lwgwtest.need("coap-server-notls")
    for mode in ("fail", "exception", "sigterm", "sigkill"):
        run_child(r, mode)
    sanitizer_report_is_a_failure()


lwgwtest.main(test)
