#!/usr/bin/env python3
"""lwgw-operator as LwM2M Server, against libcoap's own command-line tools.

Register (2.01 + Location-Path), Update (2.04), De-register (2.02), unknown registration
(4.04), Register without ep (4.00); commands to a "client" that is coap-server-notls:
Read, Write-Attributes, Observe with notifications, Cancel-Observe, forget (RST);
expiry of a registration; pause/resume of the server's port.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402


def coap(r, client, method, uri, *args, wait=3):
    rc, out, err = r.run([client, "-B", str(wait), "-v", "6", "-m", method] +
                         list(args) + [uri], timeout=wait + 10)
    return out + err


def test(r):
    client, server = lwgwtest.need("coap-client-notls", "coap-server-notls")
    op = r.operator()
    base = "coap://127.0.0.1:%d" % op.server_port
    links = r.path("links")
    with open(links, "w") as f:
        f.write("</>;rt=\"oma.lwm2m\";ct=11543,</1/0>,</3/0>,</3303/0>")

    out = coap(r, client, "post", base + "/rd?ep=ep1&lt=60&lwm2m=1.1&b=U",
               "-t", "40", "-f", links)
    ev = op.wait_event({"event": "register", "ep": "ep1"})
    check(ev["answer"] == "2.01" and ev["id"] == "rd/1" and ev["lt"] == 60 and
          ev["lwm2m"] == "1.1" and ev["b"] == "U", "register event: %r" % ev, op)
    check(ev["objects"] == ["/1/0", "/3/0", "/3303/0"], "objects: %r" % ev["objects"])
    check("c:2.01" in out and "Location-Path:rd, Location-Path:1" in out,
          "coap-client saw no 2.01 with Location-Path rd/1:\n" + out)

    out = coap(r, client, "post", base + "/rd/1?lt=30&b=UQ")
    ev = op.wait_event({"event": "update", "ep": "ep1"})
    check(ev["answer"] == "2.04" and ev["lt"] == 30 and ev["b"] == "UQ",
          "update event: %r" % ev, op)
    check("c:2.04" in out, "update not answered 2.04:\n" + out)

    out = coap(r, client, "post", base + "/rd/99")
    ev = op.wait_event({"event": "update", "answer": "4.04"})
    check("c:4.04" in out, "unknown update not answered 4.04:\n" + out)

    out = coap(r, client, "post", base + "/rd?lt=60")
    op.wait_event({"event": "register", "answer": "4.00"})
    check("c:4.00" in out, "register without ep not answered 4.00:\n" + out)

    out = coap(r, client, "delete", base + "/rd/1")
    ev = op.wait_event({"event": "deregister", "ep": "ep1"})
    check(ev["answer"] == "2.02" and "c:2.02" in out, "deregister: %r\n%s" % (ev, out))
    out = coap(r, client, "post", base + "/rd/1")
    op.wait_event({"event": "update", "answer": "4.04", "path": "rd/1"})
    check("c:4.04" in out, "update after de-register not 4.04:\n" + out)
    op.command_error("read ep1 /3/0")

    # A registration that is not updated within its lifetime expires.
    coap(r, client, "post", base + "/rd?ep=short&lt=1")
    ev = op.wait_event({"event": "register", "ep": "short"})
    exp = op.wait_event({"event": "expired", "ep": "short"}, 4)
    check(0.9 <= exp["t"] - ev["t"] <= 2.5, "expired after %.3fs, lt=1" % (
        exp["t"] - ev["t"]), op)
    out = coap(r, client, "post", base + "/" + ev["id"])
    check("c:4.04" in out, "update of an expired registration:\n" + out, op)

    # A "client" that is coap-server-notls: register from the port it will listen on.
    port = lwgwtest.free_port()
    coap(r, client, "post", base + "/rd?ep=cs&lt=300", "-p", str(port))
    op.wait_event({"event": "register", "ep": "cs", "id": "rd/3"})
    r.start("coap-server", [server, "-A", "127.0.0.1", "-p", str(port)])
    for attempt in range(20):
        ev = op.request("read cs /time")
        if ev.get("code") == "2.05":
            break
        time.sleep(0.2)
    check(ev.get("code") == "2.05" and len(ev.get("payload", "")) > 0,
          "read of coap-server's /time: %r" % ev, op)
    ev = op.request("read cs /3/0 tlv")
    check(ev["code"] == "4.04", "read of a missing resource: %r" % ev, op)

    ev = op.request("observe cs /time pmin=1 pmax=2")
    check(ev["cmd"] == "write-attr" and ev["code"] == "2.04", "write-attr: %r" % ev, op)
    ev = op.wait_event({"event": "response", "cmd": "observe", "path": "/time"})
    check(ev["code"] == "2.05" and "observe" in ev, "observe response: %r" % ev, op)
    n1 = op.wait_event({"event": "notify", "path": "/time"}, 5)
    n2 = op.wait_event({"event": "notify", "path": "/time"}, 5)
    check(n2["observe"] > n1["observe"] and n2["n"] == n1["n"] + 1,
          "notification sequence: %r %r" % (n1, n2), op)
    op.command_error("observe cs /time")
    ev = op.request("cancel cs /time", timeout=5)
    check(ev["cmd"] == "cancel" and ev["code"] == "2.05" and "observe" not in ev,
          "cancel response: %r" % ev, op)
    op.no_event({"event": "notify", "path": "/time"}, 2.5, "notify after cancel")
    op.no_event({"event": "stray-notify"}, 0.1)

    op.request("observe cs /time")
    op.request("forget cs /time", event="forgotten")
    ev = op.wait_event({"event": "stray-notify", "path": "/time"}, 5)
    check(ev["answer"] == "RST", "forgotten notify not reset: %r" % ev, op)
    time.sleep(0.2)
    op.no_event({"event": "stray-notify"}, 2.5, "notify after RST")

    # Server down: no answer at all, then back on the same port.
    op.request("observe cs /time")
    op.request("pause", event="paused")
    ev = op.wait_event({"event": "observe-end", "path": "/time"})
    check(ev["error"] == "server paused", "observation at pause: %r" % ev, op)
    out = coap(r, client, "post", base + "/rd?ep=late&lt=60", wait=1)
    check("c:2.01" not in out, "a paused server answered:\n" + out, op)
    op.request("resume", event="resumed")
    out = coap(r, client, "post", base + "/rd?ep=late&lt=60")
    op.wait_event({"event": "register", "ep": "late", "answer": "2.01"})
    check("c:2.01" in out, "no 2.01 after resume:\n" + out, op)
    op.command_error("read cs /time")  # its session went with the paused port
    ev = op.request("registrations", event="registrations")
    eps = sorted(x["ep"] for x in ev["list"])
    check(eps == ["cs", "late"], "registrations: %r" % ev, op)


lwgwtest.main(test)
