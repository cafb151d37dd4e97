#!/usr/bin/env python3
"""BS-1..5, BS-12, BS-3: a sensor with only a factory Bootstrap-Server account bootstraps
(Discover, Delete /, Write two server accounts and an ACL instance, Read, Finish) and
registers with both servers; the new configuration is on disk."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import (A, B, EP, acl, bs_operator, gw_config, sec, server, srv,  # noqa: E402
                              step, wait_bs_done, read_value)


def test(r):
    opa = server(r, "A")
    opb = server(r, "B")
    steps = [
        step("discover", "/", "2.05"),
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(1, opa.server_port, A),
                                     sec(2, opb.server_port, B)]),
        step("write", "/1", "2.04", [srv(0, A), srv(1, B)]),
        step("write", "/2", "2.04", [acl(0, 3303, 0, A, {A: 15, B: 1})]),
        step("read", "/1/0", "2.05"),
        step("finish", None, "2.04"),
    ]
    bs = bs_operator(r, steps)
    r.lwgwd(gw_config(r, bs.bs_port))
    req = bs.wait_event({"event": "bs-request", "ep": EP}, timeout=15)
    check(req.get("answer") == "2.04", "Bootstrap-Request: %r" % req, bs)
    # BS-3: the factory store holds only the Bootstrap-Server account /0/0 (no ssid).
    disc = bs.wait_event({"event": "bs-step", "ep": EP, "op": "discover"})
    links = {l["path"]: l for l in disc.get("links", [])}
    check("/0/0" in links and "ssid" not in links["/0/0"], "discover: %r" % disc, bs)
    check("/3/0" in links and "/3303/0" in links, "discover: %r" % disc, bs)
    check(disc.get("payload", "").startswith("</>;lwm2m=1.1,"), "discover: %r" % disc, bs)
    wait_bs_done(bs)
    opa.wait_event({"event": "register", "ep": EP}, timeout=15)
    opb.wait_event({"event": "register", "ep": EP}, timeout=15)
    # The ACL written by the Bootstrap-Server is in force: A reads, B reads.
    for op in (opa, opb):
        rsp = read_value(op)
        check(rsp.get("code") == "2.05", "read: %r" % rsp, op)
    # BS-12: the commit keeps what the sensor reported during the sequence: the units,
    # written once when the sensor appeared (while the Bootstrap-Request was out).
    rsp = opa.request("read %s /3303/0/5701" % EP)
    check(rsp.get("code") == "2.05" and rsp.get("payload") == "Cel",
          "units after bootstrap: %r" % rsp, opa)
    # BS-12: the state file exists (it was written before the 2.04 of Finish).
    check(os.path.exists(r.path("state/%s.state" % EP)), "no state file")


lwgwtest.main(test)
