#!/usr/bin/env python3
"""BS-12: lwgwd killed with SIGKILL in the middle of a bootstrap sequence (after the
Delete /, after a Write, just before the Finish) comes back with the last consistent
configuration: it registers with server A again and never with B, which the interrupted
sequence was installing. Finally the sequence runs to its end: B registered, A
de-registered (UB-6)."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import (A, B, EP, bs_operator, client_port, gw_config, kill9,  # noqa: E402
                              sec, server, srv, step, wait_bs_done)


def test(r):
    opa = server(r, "A")
    opb = server(r, "B")
    bs2_port = lwgwtest.free_port()
    first = [
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(0, bs2_port), sec(1, opa.server_port, A)]),
        step("write", "/1", "2.04", [srv(0, A)]),
        step("finish", None, "2.04"),
    ]
    bs1 = bs_operator(r, first, name="bs1")
    conf = gw_config(r, bs1.bs_port)
    gw = r.lwgwd(conf, name="gw0")
    wait_bs_done(bs1)
    reg = opa.wait_event({"event": "register", "ep": EP}, timeout=15)
    second = [
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(1, opb.server_port, B)]),
        step("write", "/1", "2.04", [srv(0, B)]),
        step("finish", None, "2.04"),
    ]
    for n, cut in enumerate((0, 1, 2)):
        bs2 = bs_operator(r, second, name="bs2-%d" % n, port=bs2_port, delay_ms=400)
        bs2.command("bs-start %s 127.0.0.1:%d" % (EP, client_port(reg)))
        bs2.wait_event({"event": "bs-step", "ep": EP, "step": cut}, timeout=10)
        kill9(gw)
        bs2.stop()
        gw = r.lwgwd(conf, name="gw%d" % (n + 1))
        reg = opa.wait_event({"event": "register", "ep": EP}, timeout=15)
        opb.no_event({"event": "register", "ep": EP}, 1.0,
                     "B registered after a sequence cut at step %d" % cut)
        opa.no_event({"event": "deregister", "ep": EP}, 0.1, "A de-registered")
    bs2 = bs_operator(r, second, name="bs2-end", port=bs2_port)
    bs2.command("bs-start %s 127.0.0.1:%d" % (EP, client_port(reg)))
    wait_bs_done(bs2)
    opb.wait_event({"event": "register", "ep": EP}, timeout=15)
    ev = opa.wait_event({"event": "deregister", "ep": EP}, timeout=10)
    check(ev.get("answer") == "2.02", "deregister: %r" % ev, opa)


lwgwtest.main(test)
