#!/usr/bin/env python3
"""BS-11 end to end: the bootstrap interface over DTLS-PSK, with allow_insecure = false.

lwgwd's factory account is a coaps Bootstrap-Server (lwgw-operator, DTLS port only, PSK of
sim0-1). The Bootstrap-Server writes a coaps server account with a PSK (identity id-old);
the device registers over DTLS with it (BS-1, BS-2, BS-5). A second, client-initiated
bootstrap (lwgwctl rebootstrap, BS-10) rotates the PSK (id-new, another key): the next
Register uses the new identity; after a restart (state_dir kept) the device registers
with id-new again without asking the Bootstrap-Server (BS-12: durable).

NoSec refusal (BS-11): plain CoAP from the Bootstrap-Server's own address (a NoSec
Bootstrap-Server on the UDP port of the coaps account) sends a server-initiated
Bootstrap-Delete / to the device: it is never answered and nothing changes (no
De-register, the server still reads the device); and a configuration whose
Bootstrap-Server is NoSec is refused at start while gateway.allow_insecure = false.
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import (A, EP, after, client_port, q, srv, step,  # noqa: E402
                              wait_bs_done, read_value)

BS_KEY = "000102030405060708090a0b0c0d0e0f"
OLD_ID, OLD_KEY = "id-old", "1111111111111111aaaaaaaaaaaaaaaa"
NEW_ID, NEW_KEY = "id-new", "2222222222222222bbbbbbbbbbbbbbbb"


def sec_psk(iid, port, ssid, identity, key):
    """A PSK Security instance of server ssid (mode 0, identity and key opaque)."""
    vals = ["0=str:coaps://127.0.0.1:%d" % port, "1=bool:0", "2=int:0",
            "3=opaque:%s" % identity.encode().hex(), "4=opaque:", "5=opaque:%s" % key,
            "10=int:%d" % ssid]
    return "{ id = %d; values = [ %s ]; }" % (iid, q(vals))


def bs_dtls_operator(r, steps, name, dtls_port):
    """A Bootstrap-Server on a DTLS port only, knowing EP's bootstrap PSK."""
    return r.operator("""ack_timeout_ms = 1000;
max_retransmit = 2;
bootstrap = {
  dtls_port = %d;
  endpoints = ( { name = "%s"; psk_key = "hex:%s"; steps = ( %s ); } );
};
""" % (dtls_port, EP, BS_KEY, ",\n    ".join(steps)), name=name)


def gw_config(r, bs_uri, security):
    state = r.path("state")
    os.makedirs(state, exist_ok=True)
    key = ' psk_identity = "{endpoint}"; psk_key = "hex:%s";' % BS_KEY
    return """
gateway = {
  state_dir = "%s";
  endpoint = "{link}-{id}";
  bind = "127.0.0.1";
  allow_insecure = false;
  control_socket = "%s";
  log_level = "debug";
};
coap = { ack_timeout_ms = 400; ack_random_factor = 1.0; max_retransmit = 2; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 2000; bootstrap_retry_ms = 500;
          shutdown_timeout_ms = 1500; };
bootstrap = { uri = "%s"; security = "%s";%s };
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 200; waveform = "sine"; } );
""" % (state, r.path("ctl"), bs_uri, security, key if security == "psk" else "")


def nosec_refused(r, gw, opa, port, vport):
    """BS-11: plain CoAP from the Bootstrap-Server's own address (a NoSec Bootstrap-Server
    on the UDP port of the coaps account): its Bootstrap-Delete / is never answered and
    nothing changes."""
    t0 = opa.request("ping", event="pong")["t"]
    rogue = r.operator("""ack_timeout_ms = 500;
max_retransmit = 1;
bootstrap = { port = %d; endpoints = ( { name = "%s"; steps = ( %s ); } ); };
""" % (port, EP, ",\n".join([step("delete", "/", "2.02"), step("finish", None, "2.04")])),
        name="rogue")
    n = gw.nlines()
    rogue.command("bs-start %s 127.0.0.1:%d" % (EP, vport))
    # The plaintext goes to the account's DTLS association, never to CoAP.
    gw.wait_line(r"%s bs: DTLS .*dropped \d+-byte datagram" % EP, 5, after=n)
    done = rogue.wait_event({"event": "bs-done", "ep": EP}, timeout=10)
    check(done.get("ok") is False and done.get("steps", 0) == 0 and
          done.get("error") == "timeout",
          "a NoSec Bootstrap-Delete was answered: %r" % done, rogue)
    rogue.stop()
    opa.no_event(after(t0, {"event": "deregister", "ep": EP}), 0.5,
                 "a De-register after NoSec")
    rsp = read_value(opa, "/1/0/0")
    check(rsp.get("code") == "2.05" and rsp.get("payload") == str(A),
          "the configuration changed after a NoSec bootstrap: %r" % rsp, opa)


def nosec_config_refused(r, conf):
    """BS-11: a NoSec Bootstrap-Server is refused outright without allow_insecure."""
    bad = conf.replace('security = "psk"', 'security = "nosec"').replace(
        "coaps://", "coap://")
    bad = bad.replace(' psk_identity = "{endpoint}"; psk_key = "hex:%s";' % BS_KEY, "")
    path = r.path("nosec.conf")
    with open(path, "w") as f:
        f.write(bad)
    rc, out, err = r.run([os.path.join(lwgwtest.builddir(), "lwgwd"), "-n", "-c", path])
    check(rc != 0 and "NoSec URI coap://127.0.0.1:" in err and "allow_insecure" in err,
          "a NoSec Bootstrap-Server without allow_insecure: rc %d %r %r" % (rc, out, err))


def test(r):
    opa = r.operator("""ack_timeout_ms = 1000;
max_retransmit = 2;
server = { dtls_port = 0;
  psk = ( { identity = "%s"; key = "hex:%s"; }, { identity = "%s"; key = "hex:%s"; } ); };
""" % (OLD_ID, OLD_KEY, NEW_ID, NEW_KEY), name="A")
    port = lwgwtest.free_port()
    steps1 = [
        step("write", "/0", "2.04", [sec_psk(1, opa.server_dtls_port, A, OLD_ID,
                                             OLD_KEY)]),
        step("write", "/1", "2.04", [srv(0, A)]),
        step("finish", None, "2.04"),
    ]
    bs1 = bs_dtls_operator(r, steps1, "bs1", port)
    conf = gw_config(r, "coaps://127.0.0.1:%d" % port, "psk")
    gw = r.lwgwd(conf)
    req = bs1.wait_event({"event": "bs-request", "ep": EP}, timeout=15)
    check(req.get("secure") is True and req.get("identity") == EP and
          req.get("answer") == "2.04", "Bootstrap-Request over DTLS: %r" % req, bs1, gw)
    wait_bs_done(bs1)
    reg = opa.wait_event({"event": "register", "ep": EP}, timeout=15)
    check(reg.get("secure") is True and reg.get("identity") == OLD_ID,
          "first Register: %r" % reg, opa, gw)

    # The rotation: another scenario on the same Bootstrap-Server port.
    bs1.stop()
    steps2 = [
        step("write", "/0", "2.04", [sec_psk(1, opa.server_dtls_port, A, NEW_ID,
                                             NEW_KEY)]),
        step("finish", None, "2.04"),
    ]
    bs2 = bs_dtls_operator(r, steps2, "bs2", port)
    t0 = opa.request("ping", event="pong")["t"]
    rc, out, err = r.run([os.path.join(lwgwtest.builddir(), "lwgwctl"), "-s",
                          r.path("ctl"), "rebootstrap", EP])
    check(rc == 0 and "bootstrap requested" in out, "rebootstrap: %d %r %r" % (
        rc, out, err), gw)
    req = bs2.wait_event({"event": "bs-request", "ep": EP}, timeout=15)
    check(req.get("secure") is True and req.get("identity") == EP,
          "second Bootstrap-Request: %r" % req, bs2, gw)
    wait_bs_done(bs2)
    reg = opa.wait_event(after(t0, {"event": "register", "ep": EP}), timeout=15)
    check(reg.get("secure") is True and reg.get("identity") == NEW_ID,
          "Register after the rotation: %r" % reg, opa, gw)
    opa.no_event(after(reg["t"], {"event": "register", "ep": EP, "identity": OLD_ID}),
                 0.5, "a Register with the old identity")

    bs2.stop()
    nosec_refused(r, gw, opa, port, client_port(reg))

    # Durable: a restart keeps the new credentials and needs no bootstrap.
    bs3 = bs_dtls_operator(r, steps2, "bs3", port)
    gw.stop()
    check(gw.p.returncode == 0, "lwgwd exit %r" % gw.p.returncode, gw)
    t1 = opa.request("ping", event="pong")["t"]
    gw2 = r.lwgwd(conf, name="lwgwd2")
    reg = opa.wait_event(after(t1, {"event": "register", "ep": EP}), timeout=15)
    check(reg.get("secure") is True and reg.get("identity") == NEW_ID,
          "Register after the restart: %r" % reg, opa, gw2)
    bs3.no_event({"event": "bs-request"}, 0.5, "a Bootstrap-Request after the restart")
    nosec_config_refused(r, conf)


lwgwtest.main(test)
