#!/usr/bin/env python3
"""Virtual clients against Debian's coap-rd-notls, a resource directory of its own making.

vclient_harness (the LwM2M layer with a fake temperature sensor) registers three vclients
with the RD; the RD lists them in /.well-known/core. Then coap-client-notls, bound to the
RD's port (the vclients only answer their server's address), sends Read (text, TLV,
SenML JSON), Discover, Write (sensor-backed: deferred response), a refused Write, Observe,
and Security-object reads (4.01). SIGTERM: the harness de-registers and exits 0.

coap-rd-notls 4.3.1 aborts (double free) on any DELETE of a registration, so the
De-register itself is checked against lwgw-operator in vclient_operator.py.
"""
import os
import re
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402


def harness_path():
    p = os.path.join(lwgwtest.builddir(), "tests", "e2e", "vclient_harness")
    if not os.access(p, os.X_OK):
        raise lwgwtest.Skip("vclient_harness not built")
    return p


def coap(r, client, rd_port, method, uri, *args, wait=2):
    """coap-client (from the RD's own port when rd_port); returns (stdout, log)."""
    bind = ["-p", str(rd_port)] if rd_port else []
    rc, out, err = r.run([client, "-B", str(wait)] + bind + ["-m", method] +
                         list(args) + [uri], timeout=wait + 10)
    return out, out + err


def test(r):
    client, rd = lwgwtest.need("coap-client-notls", "coap-rd-notls")
    harness = harness_path()
    rd_port = lwgwtest.free_port()
    r.start("rd", [rd, "-A", "127.0.0.1", "-p", str(rd_port)])
    time.sleep(0.3)
    conf = r.path("h.conf")
    with open(conf, "w") as f:
        f.write("""
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; };
coap = { ack_timeout_ms = 500; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 30; } );
""" % rd_port)
    h = r.start("harness", [harness, "-c", conf, "-n", "3", "-r", "200", "-e", "rd"])
    ports = {}
    for i in range(3):
        line = h.wait_line(r"vclient rd-%d port \d+" % i)
        ports[i] = int(line.split()[-1])
    for i in range(3):
        h.wait_line(r"rd-%d: rd-%d ssid=101: registered \(lifetime 30 s\)" % (i, i))

    # The RD lists three registrations.
    out, _ = coap(r, client, None, "get",
                  "coap://127.0.0.1:%d/.well-known/core" % rd_port)
    regs = re.findall(r"</rd/[^>]+>", out)
    check(len(regs) == 3, "RD lists %r" % out, h)

    base = "coap://127.0.0.1:%d" % ports[0]
    out, _ = coap(r, client, rd_port, "get", base + "/3/0/0")
    check(out.strip() == "lwgw", "read /3/0/0: %r" % out, h)
    out, _ = coap(r, client, rd_port, "get", base + "/3/0", "-A", "40")
    check(out.strip() == "</3/0>,</3/0/0>,</3/0/1>,</3/0/2>,</3/0/3>,</3/0/11>;dim=1,"
          "</3/0/16>", "discover /3/0: %r" % out, h)
    out, _ = coap(r, client, rd_port, "get", base + "/3/0/2", "-A", "110")
    check('"vs":"rd-0"' in out, "SenML read: %r" % out, h)
    _, log = coap(r, client, rd_port, "get", base + "/3303/0", "-A", "11542", "-v", "6")
    check("c:2.05" in log and "Content-Format:11542" in log,
          "TLV read: %s" % log, h)

    # Security never visible (AC-3); unknown object 4.04; bad Accept 4.06.
    _, log = coap(r, client, rd_port, "get", base + "/0/0", "-v", "6")
    check("c:4.01" in log, "read /0/0: %s" % log, h)
    _, log = coap(r, client, rd_port, "get", base + "/9999", "-v", "6")
    check("c:4.04" in log, "read /9999: %s" % log, h)
    _, log = coap(r, client, rd_port, "get", base + "/3/0", "-A", "0", "-v", "6")
    check("c:4.06" in log, "text/plain of an instance: %s" % log, h)

    # A sensor-backed Write: deferred (empty ACK, then a separate 2.04), then stored.
    _, log = coap(r, client, rd_port, "put", base + "/3303/0/5750", "-t", "0", "-e",
                  "porch", "-v", "6")
    check("c:2.04" in log, "backed write: %s" % log, h)
    out, _ = coap(r, client, rd_port, "get", base + "/3303/0/5750")
    check(out.strip() == "porch", "read back: %r" % out, h)
    _, log = coap(r, client, rd_port, "put", base + "/3303/0/5750", "-t", "0", "-e",
                  "fail", "-v", "6")
    check("c:4.00" in log, "write refused by the sensor: %s" % log, h)
    _, log = coap(r, client, rd_port, "put", base + "/3/0/0", "-t", "0", "-e", "x",
                  "-v", "6")
    check("c:4.05" in log, "write of a read-only resource: %s" % log, h)

    # Observe: notifications as the reading changes every 200 ms (the first reading
    # comes 200 ms after start; before it, /3303/0/5700 is absent: 4.04).
    time.sleep(0.5)
    _, log = coap(r, client, rd_port, "get", base + "/3303/0/5700", "-s", "2", "-v",
                  "6", wait=3)
    n = len(re.findall(r"c:2\.05 .*Observe:", log))
    check(n >= 3, "observe gave %d notifications:\n%s" % (n, log), h)

    # SIGTERM: de-registers (the RD's answer does not matter) and exits 0.
    h.p.send_signal(15)
    rc = h.wait_exit(10)
    check(rc == 0, "harness exit %r" % rc, h)


lwgwtest.main(test)
