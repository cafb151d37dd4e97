#!/usr/bin/env python3
"""BS-5: Finish after a Security instance without its Server instance is answered 4.06;
the client stays in bootstrap, takes the corrective Write and a new Finish (2.04), and
registers."""
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
        step("finish", None, "4.06"),
        step("delete", "/0/1", "2.02"),
        step("write", "/0", "2.04", [sec(1, opa.server_port, A)]),
        step("write", "/1", "2.04", [srv(0, A)]),
        step("finish", None, "2.04"),
    ]
    bs = bs_operator(r, steps)
    r.lwgwd(gw_config(r, bs.bs_port))
    first = bs.wait_event({"event": "bs-step", "ep": EP, "op": "finish"}, timeout=15)
    check(first.get("code") == "4.06", "first Finish: %r" % first, bs)
    wait_bs_done(bs)
    ev = opa.wait_event({"event": "register", "ep": EP}, timeout=15)
    check(ev.get("answer") == "2.01", "register: %r" % ev, opa)


lwgwtest.main(test)
