#!/usr/bin/env python3
"""lwgw-operator as Bootstrap-Server, against libcoap's command-line tools.

Bootstrap-Request handling (2.04; 4.00 for unknown, rejected or nameless endpoints), the
scenario sent to the requesting address, a whole scenario answered by coap-server-notls
standing in for the client (client-initiated, then server-initiated with bs-start), the
TLV bytes of Bootstrap-Write (checked against an encoder written here), the delay between
steps, expectations that do not hold, and configuration errors with file:line.
"""
import os
import re
import socket
import struct
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

STEPS = """
        { op = "discover"; path = "/"; expect = "2.05"; },
        { op = "read"; path = "/1"; expect = "4.04"; },
        { op = "delete"; path = "/"; expect = "4.05"; },
        { op = "write"; path = "/0"; expect = "4.04";
          instances = ( { id = 1; values = [ "0=str:coap://127.0.0.1:5683", "1=bool:0",
                                             "2=int:3", "10=int:101" ]; },
                        { id = 2; values = [ "0=str:coap://127.0.0.1:5693", "1=false",
                                             "2=3", "10=int:102", "5=opaque:0001ff" ]; } ); },
        { op = "write"; path = "/1/0"; values = [ "0=int:101", "1=int:300", "7=str:U",
                                                  "2=uint:70000", "3=float:1.5" ]; },
        { op = "write"; path = "/2/0"; instance_tlv = true;
          values = [ "0=1", "1=0", "2/101=int:15", "2/0=int:1", "3=int:101",
                     "4=objlnk:3:0" ]; },
        { op = "write"; path = "/2/0/2/101"; value = "int:15"; },
        { op = "write"; path = "/1/0/1"; text = "300"; },
        { op = "finish"; expect = "%s"; }
"""

CONFIG = """
ack_timeout_ms = 1000;
max_retransmit = 1;
bootstrap = {
  port = 0;
  endpoints = (
    { name = "gone"; steps = ( { op = "discover"; path = "/"; } ); },
    { name = "rejected"; reject = true; },
    { name = "ep2"; delay_ms = 700; steps = ( %s ); },
    { name = "ep3"; steps = ( %s ); }
  );
};
""" % (STEPS % "4.04", STEPS % "2.04")


def tlv(kind, ident, value):
    """An independent TLV encoder: kind 0 instance, 1 res. instance, 2 multiple, 3 res."""
    h = kind << 6
    idb = struct.pack(">B", ident) if ident < 256 else struct.pack(">H", ident)
    if ident >= 256:
        h |= 0x20
    n = len(value)
    if n < 8:
        h |= n
        lb = b""
    elif n < 256:
        h |= 0x08
        lb = struct.pack(">B", n)
    else:
        h |= 0x10
        lb = struct.pack(">H", n)
    return bytes([h]) + idb + lb + value


def coap(r, client, uri, *args, wait=3):
    rc, out, err = r.run([client, "-B", str(wait), "-v", "6", "-m", "post"] +
                         list(args) + [uri], timeout=wait + 10)
    return out + err


def check_writes(op, ep):
    sends = {}
    for step in range(9):
        ev = op.wait_event({"event": "bs-send", "ep": ep, "step": step})
        sends[step] = ev
    inst1 = (tlv(3, 0, b"coap://127.0.0.1:5683") + tlv(3, 1, b"\x00") +
             tlv(3, 2, b"\x03") + tlv(3, 10, b"\x65"))
    inst2 = (tlv(3, 0, b"coap://127.0.0.1:5693") + tlv(3, 1, b"\x00") +
             tlv(3, 2, b"\x03") + tlv(3, 10, b"\x66") + tlv(3, 5, b"\x00\x01\xff"))
    want = {
        3: tlv(0, 1, inst1) + tlv(0, 2, inst2),
        4: (tlv(3, 0, b"\x65") + tlv(3, 1, b"\x01\x2c") + tlv(3, 7, b"U") +
            tlv(3, 2, struct.pack(">I", 70000)) + tlv(3, 3, struct.pack(">f", 1.5))),
        5: tlv(0, 0, tlv(3, 0, b"\x01") + tlv(3, 1, b"\x00") +
               tlv(2, 2, tlv(1, 101, b"\x0f") + tlv(1, 0, b"\x01")) +
               tlv(3, 3, b"\x65") + tlv(3, 4, b"\x00\x03\x00\x00")),
        6: tlv(2, 2, tlv(1, 101, b"\x0f")),
    }
    for step, data in want.items():
        ev = sends[step]
        check(ev.get("cf") == 11542 and ev.get("hex") == data.hex(),
              "step %d TLV: got %s, want %s" % (step, ev.get("hex"), data.hex()), op)
    check(sends[7].get("cf") == 0 and sends[7].get("hex") == b"300".hex(),
          "text write: %r" % sends[7])
    return sends


def test(r):
    client, server = lwgwtest.need("coap-client-notls", "coap-server-notls")
    op = r.operator(CONFIG)
    base = "coap://127.0.0.1:%d" % op.bs_port

    # Request, then the first operation goes to the requester's address.
    out = coap(r, client, base + "/bs?ep=gone")
    ev = op.wait_event({"event": "bs-request", "ep": "gone"})
    check(ev["answer"] == "2.04" and "c:2.04" in out, "request: %r\n%s" % (ev, out), op)
    send = op.wait_event({"event": "bs-send", "ep": "gone", "step": 0})
    check(send["to"] == ev["from"] and send["op"] == "discover",
          "first operation not sent to the requester: %r vs %r" % (send, ev), op)
    ev = op.wait_event({"event": "bs-done", "ep": "gone"}, 15)
    check(not ev["ok"] and ev["steps"] == 0 and ev.get("error"), "bs-done: %r" % ev, op)

    for q, name in (("?ep=nobody", "nobody"), ("?ep=rejected", "rejected"), ("", None)):
        out = coap(r, client, base + "/bs" + q)
        pred = {"event": "bs-request", "answer": "4.00"}
        if name:
            pred["ep"] = name
        op.wait_event(pred)
        check("c:4.00" in out, "%s not answered 4.00:\n%s" % (q, out), op)

    # Client-initiated, with coap-server-notls answering on the requester's port.
    port = lwgwtest.free_port()
    coap(r, client, base + "/bs?ep=ep2", "-p", str(port))
    op.wait_event({"event": "bs-request", "ep": "ep2", "answer": "2.04"})
    r.start("coap-server", [server, "-A", "127.0.0.1", "-p", str(port)])
    ev = op.wait_event({"event": "bs-done", "ep": "ep2"}, 20)
    check(ev["ok"] and ev["steps"] == 9, "ep2 scenario: %r" % ev, op)
    sends = check_writes(op, "ep2")
    for step in range(1, 9):
        gap = sends[step]["t"] - sends[step - 1]["t"]
        check(gap >= 0.69, "steps %d and %d %.3fs apart, delay_ms is 700" % (
            step - 1, step, gap), op)
    ev = op.wait_event({"event": "bs-step", "ep": "ep2", "step": 0})
    check(ev["code"] == "2.05" and ev["ok"] and len(ev.get("payload", "")) > 0,
          "discover step: %r" % ev, op)

    # Server-initiated toward the same coap-server; the Finish expectation fails.
    op.send("bs-start ep3 127.0.0.1:%d" % port)
    ev = op.wait_event({"event": "bs-done", "ep": "ep3"}, 20)
    check(not ev["ok"] and ev["steps"] == 9 and "error" not in ev, "ep3: %r" % ev, op)
    fin = op.wait_event({"event": "bs-step", "ep": "ep3", "step": 8})
    check(fin["op"] == "finish" and fin["code"] == "4.04" and fin["expect"] == "2.04" and
          not fin["ok"], "finish step: %r" % fin, op)
    check_writes(op, "ep3")
    # Server-initiated toward a bare socket: it comes from the Bootstrap-Server's port.
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    op.send("bs-start gone 127.0.0.1:%d" % sock.getsockname()[1])
    data, src = sock.recvfrom(2048)
    req = lwgwtest.coap_decode(data)
    check(src == ("127.0.0.1", op.bs_port) and req["code"] == "0.01" and
          lwgwtest.coap_option(req, 17) == [b"\x28"],
          "server-initiated discover from %r: %r" % (src, req), op)
    sock.sendto(lwgwtest.coap_encode(lwgwtest.ACK, lwgwtest.coap_code("2.05"), req["mid"],
                                     req["token"], [(12, b"\x28")],
                                     b"</>;lwm2m=1.1,</0/1>;ssid=101,</1/0>;ssid=101"), src)
    ev = op.wait_event({"event": "bs-step", "ep": "gone", "code": "2.05"})
    check(ev.get("code") == "2.05" and ev["links"][1] == {"path": "/0/1", "ssid": "101"} and
          ev["links"][0] == {"path": "/", "lwm2m": "1.1"}, "discover step: %r" % ev, op)
    op.wait_event({"event": "bs-done", "ep": "gone", "ok": True})
    sock.close()

    op.command_error("bs-start nobody 127.0.0.1:%d" % port)
    op.command_error("bs-start ep3 not-an-address")

    # Configuration errors name file and line; a good file passes -n.
    binary = op.argv[0]
    bad = r.path("bad.conf")
    with open(bad, "w") as f:
        f.write('bootstrap = {\n  port = 0;\n  endpoints = ( { name = "x";\n'
                '    steps = ( { op = "write"; path = "/1/0"; values = [ "1=int:x" ]; } );'
                ' } );\n};\n')
    rc, out, err = r.run([binary, "-n", "-c", bad])
    check(rc != 0 and "bad.conf:4:" in err and "bad value" in err,
          "bad config: rc %d, %r" % (rc, err))
    with open(bad, "w") as f:
        f.write('bootstrap = { port = 0; colour = "blue"; };\n')
    rc, out, err = r.run([binary, "-n", "-c", bad])
    check(rc != 0 and "unknown key colour" in err, "unknown key: rc %d, %r" % (rc, err))
    rc, out, err = r.run([binary, "-n", "-c", r.path("operator.conf")])
    check(rc == 0, "good config rejected: %r" % err)

    # The complete example of docs/operator.md is a valid configuration.
    with open(os.path.join(lwgwtest.srcdir(), "docs", "operator.md")) as f:
        doc = f.read()
    m = re.search(r"<!-- operator-example-begin -->\n```\n(.*?)```\n"
                  r"<!-- operator-example-end -->", doc, re.S)
    check(m is not None, "docs/operator.md lost its example markers")
    example = r.path("example.conf")
    with open(example, "w") as f:
        f.write(m.group(1))
    rc, out, err = r.run([binary, "-n", "-c", example])
    check(rc == 0, "the documented example is rejected: %r" % err)
    ex = r.operator(m.group(1), name="example")
    check(ex.bs_port and ex.bs_dtls_port and ex.server_port and ex.server_dtls_port,
          "example ports: %r" % ex.ready, ex)


lwgwtest.main(test)
