#!/usr/bin/env python3
"""BS-6: a sequence without Finish completes after EXCHANGE_LIFETIME (shortened to 3 s
with coap.exchange_lifetime_ms) of silence from the Bootstrap-Server, not before."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import A, EP, bs_operator, gw_config, sec, server, srv, step, wait_bs_done  # noqa: E402,E501


def test(r):
    opa = server(r, "A")
    steps = [
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(1, opa.server_port, A)]),
        step("write", "/1", "2.04", [srv(0, A)]),
    ]
    bs = bs_operator(r, steps)
    r.lwgwd(gw_config(r, bs.bs_port, exchange_ms=3000))
    last = bs.wait_event({"event": "bs-step", "ep": EP, "step": 2}, timeout=15)
    wait_bs_done(bs)
    opa.no_event({"event": "register", "ep": EP}, 2.0, "Register before the silence")
    opa.wait_event({"event": "register", "ep": EP}, timeout=10)
    check(last.get("code") == "2.04", "last write: %r" % last, bs)


lwgwtest.main(test)
