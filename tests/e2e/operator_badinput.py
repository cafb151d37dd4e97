#!/usr/bin/env python3
"""lwgw-operator against a client played by hand over a UDP socket.

TLV and link-format answers decoded into events (including a multiple resource), bad
TLV becoming a decode_error event, garbage datagrams, a notification nobody asked for
(answered with RST), a request that times out, a Block1 registration from
coap-client-notls, and the control socket. The operator must answer a ping after all.
"""
import json
import os
import socket
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import ACK, CON, RST, check, coap_decode, coap_encode  # noqa: E402
from lwgwtest import coap_option, coap_uint  # noqa: E402

URI_PATH, CONTENT_FORMAT, URI_QUERY, ACCEPT, OBSERVE = 11, 12, 15, 17, 6


def tlv(kind, ident, value):
    assert ident < 256 and len(value) < 256
    if len(value) < 8:
        return bytes([kind << 6 | len(value), ident]) + value
    return bytes([kind << 6 | 0x08, ident, len(value)]) + value


class Peer:
    def __init__(self, port):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.s.settimeout(5)
        self.dest = ("127.0.0.1", port)
        self.mid = 0x1000

    def send(self, data):
        self.s.sendto(data, self.dest)

    def recv(self):
        data, _ = self.s.recvfrom(65536)
        return coap_decode(data)

    def request(self, code, path, query=(), payload=b"", cf=None):
        self.mid += 1
        opts = [(URI_PATH, p.encode()) for p in path.strip("/").split("/")]
        opts += [(URI_QUERY, q.encode()) for q in query]
        if cf is not None:
            opts.append((CONTENT_FORMAT, coap_uint(cf)))
        self.send(coap_encode(CON, lwgwtest.coap_code(code), self.mid, b"\x01\x02",
                              opts, payload))
        return self.recv()

    def answer(self, req, code, payload=b"", cf=None):
        opts = [(CONTENT_FORMAT, coap_uint(cf))] if cf is not None else []
        self.send(coap_encode(ACK, lwgwtest.coap_code(code), req["mid"], req["token"],
                              opts, payload))


def test(r):
    op = r.operator("server = { port = 0; };\n"
                    "ack_timeout_ms = 1000;\nmax_retransmit = 1;\n")
    peer = Peer(op.server_port)
    resp = peer.request("0.02", "/rd", ["ep=py", "lt=60"], b"</3/0>,</3303/0>", 40)
    check(resp["code"] == "2.01" and coap_option(resp, 8) == [b"rd", b"1"],
          "register: %r" % resp, op)
    op.wait_event({"event": "register", "ep": "py", "objects": ["/3/0", "/3303/0"]})

    tag = op.command("read py /3/0 tlv")
    req = peer.recv()
    check(req["type"] == CON and req["code"] == "0.01" and
          coap_option(req, URI_PATH) == [b"3", b"0"] and
          coap_option(req, ACCEPT) == [coap_uint(11542)], "read request: %r" % req)
    body = (tlv(3, 0, b"Open Mobile Alliance") + tlv(3, 9, b"\x64") +
            tlv(2, 6, tlv(1, 0, b"\x01") + tlv(1, 1, b"\x05")) +
            tlv(3, 13, b"\x00\x00\x00\x00\x65\x5d\xa2\x00"))
    peer.answer(req, "2.05", body, 11542)
    ev = op.wait_event({"tag": tag})
    t = ev.get("tlv", {})
    check(ev["code"] == "2.05" and t["/3/0/0"]["str"] == "Open Mobile Alliance" and
          t["/3/0/9"]["int"] == 100 and t["/3/0/6/0"]["int"] == 1 and
          t["/3/0/6/1"]["int"] == 5 and t["/3/0/13"]["int"] == 0x655da200,
          "decoded TLV: %r" % ev, op)

    for bad, what in ((b"\xc8\x00\x30abc", "truncated"), (b"\x41\x00\x01", "rinst")):
        tag = op.command("read py /3/0 tlv")
        req = peer.recv()
        peer.answer(req, "2.05", bad, 11542)
        ev = op.wait_event({"tag": tag})
        check("decode_error" in ev and ev["hex"] == bad.hex() and "tlv" not in ev,
              "%s TLV: %r" % (what, ev), op)
    tag = op.command("read py /3 tlv")
    req = peer.recv()
    peer.answer(req, "2.05", tlv(3, 0, b"x"), 11542)
    ev = op.wait_event({"tag": tag})
    check("decode_error" in ev, "resource TLV on an object path: %r" % ev, op)

    tag = op.command("discover py /3/0")
    req = peer.recv()
    check(coap_option(req, ACCEPT) == [coap_uint(40)], "discover request: %r" % req)
    peer.answer(req, "2.05", b'</3/0>;ver=1.1,</3/0/6>;dim=2,</3/0/9>;pmin=10;x="a,b"',
                40)
    ev = op.wait_event({"tag": tag})
    check(ev["links"] == [{"path": "/3/0", "ver": "1.1"}, {"path": "/3/0/6", "dim": "2"},
                          {"path": "/3/0/9", "pmin": "10", "x": "a,b"}],
          "links: %r" % ev, op)

    # A command that is never answered ends in a timeout event.
    tag = op.command("read py /3303/0")
    first = peer.recv()
    again = peer.recv()
    check(again["mid"] == first["mid"], "no retransmission: %r %r" % (first, again))
    ev = op.wait_event({"tag": tag}, 10)
    check(ev.get("error") == "timeout", "unanswered read: %r" % ev, op)

    # Garbage, then a notification with a token nobody knows.
    for junk in (b"", b"\x00", b"\x40", b"\x4f\x01\x00\x01", b"\x40\x01\x00\x01\xd0",
                 b"\x40\x01\x00\x01\xee\xff\xff", os.urandom(200), b"\xff" * 64):
        peer.send(junk)
    peer.send(coap_encode(CON, lwgwtest.coap_code("2.05"), 0x2222, b"\x09\x09\x09",
                          [(OBSERVE, coap_uint(7))], b"42"))
    rst = None
    for _ in range(10):
        try:
            m = peer.recv()
        except (socket.timeout, ValueError):
            continue
        if m["mid"] == 0x2222:
            rst = m
            break
    check(rst is not None and rst["type"] == RST, "no RST for a stray notify: %r" % rst,
          op)
    op.wait_event({"event": "stray-notify", "observe": 7})
    op.request("ping", event="pong")

    # Block1: a registration payload larger than one block.
    client = lwgwtest.which("coap-client-notls")
    if client:
        links = r.path("many")
        objs = ["</%d/0>" % (3300 + i) for i in range(150)]
        with open(links, "w") as f:
            f.write(",".join(objs))
        rc, out, err = r.run([client, "-B", "5", "-b", "64", "-m", "post", "-t", "40",
                              "-f", links, "coap://127.0.0.1:%d/rd?ep=big&lt=60" %
                              op.server_port], timeout=20)
        ev = op.wait_event({"event": "register", "ep": "big"})
        check(len(ev["objects"]) == 150 and ev["objects"][-1] == "/3449/0",
              "block-wise registration: %d objects" % len(ev["objects"]), op)
    op.request("ping", event="pong")

    # The control socket takes the same commands and hears every event.
    ctl = r.operator(name="ctl", ctl=True)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.settimeout(5)
    c.connect(ctl.ctl_path)
    c.sendall(b"@s1 ping over-the-socket\n@s2 read nobody /3/0\n")
    got = b""
    while got.count(b"\n") < 2:
        chunk = c.recv(4096)
        check(chunk, "control socket closed: %r" % got, ctl)
        got += chunk
    lines = [json.loads(x) for x in got.decode().splitlines()]
    check(lines[0]["event"] == "pong" and lines[0]["arg"] == "over-the-socket" and
          lines[1]["event"] == "error" and lines[1]["tag"] == "s2",
          "control socket: %r" % lines, ctl)
    ctl.wait_event({"event": "pong", "tag": "s1"})
    c.close()
    ctl.request("ping", event="pong")


lwgwtest.main(test)
