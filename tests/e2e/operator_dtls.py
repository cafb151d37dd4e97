#!/usr/bin/env python3
"""lwgw-operator over DTLS with PSK (OpenSSL in libcoap), against coap-client-openssl.

Register over DTLS (identity reported), wrong key and unknown identity refused, a
Bootstrap-Request over DTLS, an identity that does not match the endpoint name (4.00),
and a server-initiated bootstrap as DTLS client toward coap-server-openssl.
"""
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

CONFIG = """
bootstrap = {
  dtls_port = 0;
  endpoints = (
    { name = "ep1"; psk_identity = "bs-ep1"; psk_key = "bs-secret-1";
      steps = ( { op = "finish"; } ); },
    { name = "ep2"; psk_key = "hex:6273736563726574320a"; }
  );
};
server = {
  port = 0;
  dtls_port = 0;
  psk = ( { identity = "ep1"; key = "srv-secret-1"; } );
};
"""


def coaps(r, client, uri, identity, key, wait=3):
    rc, out, err = r.run([client, "-B", str(wait), "-v", "6", "-m", "post",
                          "-u", identity, "-k", key, uri], timeout=wait + 10)
    return out + err


def test(r):
    (client,) = lwgwtest.need("coap-client-openssl")
    op = r.operator(CONFIG)
    check(op.server_port and op.server_dtls_port and op.bs_dtls_port and
          op.bs_port is None, "ports: %r" % op.ready, op)
    srv = "coaps://127.0.0.1:%d" % op.server_dtls_port
    bs = "coaps://127.0.0.1:%d" % op.bs_dtls_port

    out = coaps(r, client, srv + "/rd?ep=ep1&lt=60", "ep1", "srv-secret-1")
    ev = op.wait_event({"event": "register", "ep": "ep1"})
    check(ev["secure"] and ev["identity"] == "ep1" and ev["answer"] == "2.01",
          "register over DTLS: %r" % ev, op)
    check("c:2.01" in out, "coap-client-openssl got no 2.01:\n" + out, op)
    op.wait_event({"event": "psk", "role": "server", "identity": "ep1", "known": True})

    out = coaps(r, client, srv + "/rd?ep=wrongkey", "ep1", "not-the-key", wait=2)
    check("c:2.01" not in out, "registered with a wrong key:\n" + out, op)
    out = coaps(r, client, srv + "/rd?ep=stranger", "stranger", "whatever", wait=2)
    op.wait_event({"event": "psk", "role": "server", "identity": "stranger",
                   "known": False})
    check("c:2.01" not in out, "registered with an unknown identity:\n" + out, op)
    op.no_event({"event": "register", "ep": lambda e: e in ("wrongkey", "stranger")},
                0.5)

    # The DTLS port does not answer plain CoAP, the NoSec port does.
    rc, out, err = r.run(["coap-client-notls", "-B", "1", "-m", "post",
                          "coap://127.0.0.1:%d/rd?ep=plain" % op.server_dtls_port])
    op.no_event({"event": "register", "ep": "plain"}, 0.5)

    out = coaps(r, client, bs + "/bs?ep=ep1", "bs-ep1", "bs-secret-1")
    ev = op.wait_event({"event": "bs-request", "ep": "ep1"})
    check(ev["secure"] and ev["identity"] == "bs-ep1" and ev["answer"] == "2.04" and
          "c:2.04" in out, "bootstrap request over DTLS: %r\n%s" % (ev, out), op)
    out = coaps(r, client, bs + "/bs?ep=ep1", "ep2", "bssecret2\n")
    ev = op.wait_event({"event": "bs-request", "identity": "ep2"})
    check(ev["answer"] == "4.00" and "identity" in ev.get("error", "") and
          "c:4.00" in out, "identity/endpoint mismatch: %r\n%s" % (ev, out), op)

    # Server-initiated over DTLS: the operator is the DTLS client, with ep1's PSK.
    server = lwgwtest.which("coap-server-openssl")
    if server:
        port = lwgwtest.free_port(2)
        r.start("coap-server", [server, "-A", "127.0.0.1", "-p", str(port),
                                "-k", "bs-secret-1"])
        for attempt in range(20):
            op.send("bs-start ep1 127.0.0.1:%d dtls" % (port + 1))
            ev = op.wait_event({"event": "bs-done", "ep": "ep1"}, 15)
            if "error" not in ev:
                break
            time.sleep(0.2)
        step = op.wait_event({"event": "bs-step", "ep": "ep1", "code": "4.04"})
        check("error" not in ev and step["op"] == "finish",
              "server-initiated DTLS bootstrap: %r %r" % (ev, step), op)
        op.wait_event({"event": "dtls", "state": "connected", "role": "bootstrap",
                       "peer": "127.0.0.1:%d" % (port + 1)})


lwgwtest.main(test)
