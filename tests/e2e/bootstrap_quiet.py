#!/usr/bin/env python3
"""BS-7, BS-9: while a server-initiated bootstrap sequence runs, a Read from a registered
server gets no answer; once the sequence is over, it is answered again."""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402
from bootstrap_common import EP, bs_operator, provision, read_value, step, wait_bs_done  # noqa: E402


def test(r):
    bs2_port = lwgwtest.free_port()
    opa, opb, gw, vport = provision(r, bs2_port, shared_default=False)
    rsp = read_value(opa)
    check(rsp.get("code") == "2.05", "read before: %r" % rsp, opa)
    # Two steps 2.5 s apart: the sequence stays open in between.
    bs2 = bs_operator(r, [step("discover", "/", "2.05"), step("finish", None, "2.04")],
                      name="bs2", port=bs2_port, delay_ms=2500)
    bs2.command("bs-start %s 127.0.0.1:%d" % (EP, vport))
    bs2.wait_event({"event": "bs-step", "ep": EP, "step": 0}, timeout=10)
    tag = opa.command("read %s /3303/0/5700" % EP)
    opa.no_event(lambda e: e.get("tag") == tag and "code" in e, 1.5,
                 "an answer to a Read during bootstrap")
    wait_bs_done(bs2)
    rsp = opa.request("read %s /3303/0/5700" % EP)
    check(rsp.get("code") == "2.05", "read after: %r" % rsp, opa)


lwgwtest.main(test)
