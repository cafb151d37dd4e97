"""UB-1..7 end to end: removing server A through the Bootstrap interface, by
Delete /0/1, Delete /0 or Delete / in a server-initiated sequence (BS-9).

After the sequence, a third one (Bootstrap-Discover of `/`, then Finish) shows the
result exactly: A's Security and Server instances are gone (UB-5), so are the ACL
instances only A could access (UB-1: /2/1 of /3/0, which itself is kept because it mirrors
the device, BS-4 over UB-1 in docs/bootstrap.md; /2/2 of A's /1/0), and the shared /2/0
stays."""
from bootstrap_common import (B, EP, acl, after, bs_operator, check, observe,
                              provision, sec, srv, step, wait_bs_done)
import lwgwtest


def run(r, mode):
    bs2_port = lwgwtest.free_port()
    # With Delete /0 or / both accounts go; a default entry keeps /3303/0 shared (UB-1).
    opa, opb, gw, vport = provision(r, bs2_port, shared_default=(mode != "instance"),
                                    exclusive=True)
    taga = observe(opa)
    tagb = observe(opb)
    first = step("discover", "/", "2.05")
    if mode == "instance":
        steps = [first, step("delete", "/0/1", "2.02"), step("finish", None, "2.04")]
    else:
        steps = [
            first,
            step("delete", "/0" if mode == "object" else "/", "2.02"),
            step("write", "/0", "2.04", [sec(2, opb.server_port, B)]),
            step("write", "/1", "2.04", [srv(1, B)]),
            step("write", "/2", "2.04", [acl(0, 3303, 0, B, {B: 1})]),
            step("finish", None, "2.04"),
        ]
    bs2 = bs_operator(r, steps, name="bs2", port=bs2_port)
    bs2.command("bs-start %s 127.0.0.1:%d" % (EP, vport))
    disc = bs2.wait_event({"event": "bs-step", "ep": EP, "op": "discover"}, timeout=10)
    want = DISCOVER_BEFORE % (opa.server_port, opb.server_port)
    check(disc.get("payload") == want, "Discover / before removing A: %r, want %r" % (
          disc.get("payload"), want), bs2)
    wait_bs_done(bs2)
    # UB-6: A gets its De-register; UB-4: A's observation stops.
    dereg = opa.wait_event({"event": "deregister", "ep": EP}, timeout=10)
    check(dereg.get("answer") == "2.02", "deregister: %r" % dereg, opa)
    opa.no_event(after(dereg["t"] + 0.3, {"event": "notify", "tag": taga}), 2.0,
                 "a notification to A after its account was removed")
    if mode == "instance":
        # B untouched: still registered, still notified.
        opb.no_event({"event": "deregister", "ep": EP}, 1.0, "a De-register to B")
        t0 = opb.request("ping", event="pong")["t"]
        opb.wait_event(after(t0, {"event": "notify", "tag": tagb}), timeout=5)
        rsp = opb.request("read %s /2/0/3 text" % EP)
        check(rsp.get("code") == "2.05" and rsp.get("payload") == str(B),
              "UB-3: owner of /3303/0's ACL: %r" % rsp, opb)
    else:
        # B's account was removed and written again: De-register, fresh Register.
        opb.wait_event({"event": "deregister", "ep": EP}, timeout=10)
        opb.wait_event({"event": "register", "ep": EP}, timeout=10)
        # UB-4: the old observation went with the old account; observe afresh.
        opb.request("forget %s /3303/0/5700" % EP, event="forgotten")
        observe(opb)
    # A is gone for good.
    opa.no_event({"event": "register", "ep": EP}, 1.0, "A registering again")
    # UB-1, UB-5: what is left, seen by the Bootstrap-Server, byte for byte.
    bs2.stop()
    bs3 = bs_operator(r, [step("discover", "/", "2.05"), step("finish", None, "2.04")],
                      name="bs3", port=bs2_port)
    bs3.command("bs-start %s 127.0.0.1:%d" % (EP, vport))
    disc = bs3.wait_event({"event": "bs-step", "ep": EP, "op": "discover"}, timeout=10)
    wait_bs_done(bs3)
    want = DISCOVER_AFTER % opb.server_port
    check(disc.get("payload") == want, "Discover / after removing A: %r, want %r" % (
          disc.get("payload"), want), bs3)


DISCOVER_BEFORE = ('</>;lwm2m=1.1,</0/0>,</0/1>;ssid=101;uri="coap://127.0.0.1:%d",'
                   '</0/2>;ssid=102;uri="coap://127.0.0.1:%d",</1/0>;ssid=101,'
                   '</1/1>;ssid=102,</2/0>,</2/1>,</2/2>,</3/0>,</3303>;ver=1.1,</3303/0>')
DISCOVER_AFTER = ('</>;lwm2m=1.1,</0/0>,</0/2>;ssid=102;uri="coap://127.0.0.1:%d",'
                  '</1/1>;ssid=102,</2/0>,</3/0>,</3303>;ver=1.1,</3303/0>')
