#!/usr/bin/env python3
"""SV-2 Notification Storing: a server that is unreachable for a while (issue 6: "stored
notifications arrive afterwards in order").

lwgwd talks to the operator through a UDP relay (lwgwtest.Relay) that can go dark: every
datagram both ways is dropped, as on a broken network or with a server that is down,
and nothing is kept for later (a frozen server's socket would keep it). One device,
store_max 3, its temperature toggling every 0.5 s ("step", period 50 ms), observed with
pmin=0 pmax=1: about two notifications a second. Each outage starts exactly at an Update
(the relay goes dark on it), which the server asks for through the Registration Update
Trigger (SV-3, /1/0/8).

1. Outage inside the lifetime (20 s; dark 4 s): the Update gets no answer, the device
   is unreachable, keeps its registration and stores; when an Update is answered 2.04
   the stored notifications follow at once, confirmable, in order: exactly store_max
   of them, consecutive Observe numbers, the oldest dropped. Every number between the
   last one that left lwgwd before the outage (received, or lost in the dark) and the
   first stored one was dropped from the store, and `lwgwctl show` counts exactly
   those. No new Register. Live notifications (NON) follow.
2. Outage longer than the lifetime (Lifetime written to 4 s; dark 7 s): the
   registration expires, the operator forgets it, the device Registers again with
   backoff; the observation outlives the fresh Register (as it outlives a Disable) and
   the stored notifications arrive after the 2.01 on the server's original observation,
   in order, the same way.
3. Notification Storing false (/1/0/6 written 0), outage inside the lifetime: nothing
   is stored; after the Update only live notifications arrive (no confirmable burst),
   and the store stays empty.
4. A server that forgot its observation (the operator's `forget`: it answers the next
   notification with RST), storing on again, an outage longer than the lifetime: after
   the Register, the first stored notification is answered RST, which ends the
   observation and drops the rest of what was stored for it (RFC 7641 3.6): one
   stray notification reaches the server, then nothing, and `lwgwctl show` has no
   observation and nothing stored.
Requirement IDs: SV-2, SV-3.
"""
import json
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

STORE = 3
EP = "sim0-1"
LWGWD = """
gateway = { state_dir = ""; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%s"; };
coap = { ack_timeout_ms = 200; ack_random_factor = 1.0; max_retransmit = 1; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 1000; store_max = %d;
          update_margin_max_s = 2; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 20; } );
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 50; waveform = "step"; } );
"""
URI_PATH, OBSERVE = 11, 6
CON, NON = 0, 1


def is_update(msg):
    """A registration Update: POST /rd/<location>."""
    path = lwgwtest.coap_option(msg, URI_PATH)
    return msg["code"] == "0.02" and len(path) >= 2 and path[0] == b"rd"


def test(r):
    op = r.operator("ack_timeout_ms = 1000;\nserver = { port = 0; };\n")
    relay = r.relay(op.server_port)
    ctl = r.path("ctl")
    gw = r.lwgwd(LWGWD % (ctl, STORE, relay.port))
    lwgwctl = os.path.join(lwgwtest.builddir(), "lwgwctl")

    def server_info():
        code, out, err = r.run([lwgwctl, "-s", ctl, "--json", "show", EP])
        check(code == 0, "lwgwctl show: %s%s" % (out, err), gw)
        return json.loads(out)["servers"][0]

    def notes(tag):
        with op.cond:
            return [e for e in op.events if e.get("tag") == tag and
                    e.get("event") == "notify"]

    def dropped_seqs(since):
        with relay.cond:
            msgs = relay.dropped[since:]
        return [int.from_bytes(o[0], "big") if o[0] else 0 for o in
                (lwgwtest.coap_option(m, OBSERVE) for m in msgs if m is not None and
                 m["code"] == "2.05") if o]

    def outage(seconds, answered, during=None):
        """Dark from the next Update for `seconds`; returns the relay's and lwgwd's
        positions at the start and the event answered() waits for afterwards."""
        with relay.cond:
            since = len(relay.dropped)
        nlines = gw.nlines()
        relay.blackout_at(is_update, seconds)
        rsp = op.request("execute %s /1/0/8" % EP)
        check(rsp["code"] == "2.04", "update trigger: %r" % rsp, op)
        relay.wait_dark(3)
        if during is not None:
            during()
        gw.wait_line(r"%s ssid=101: unreachable \(Update: no reply" % EP, 3, nlines)
        relay.wait_light()
        return since, nlines, answered()

    def check_flush(tag, since, back, dropped_before, what):
        """The stored notifications after the event `back`: store_max of them, CON,
        consecutive, the oldest dropped and counted."""
        time.sleep(1.0)
        ns = notes(tag)
        seqs = [n["observe"] for n in ns]
        check(seqs == sorted(set(seqs)), "%s: out of order: %r" % (what, seqs), op)
        before = [n["observe"] for n in ns if n["t"] < back["t"]]
        after = [n for n in ns if n["t"] >= back["t"]]
        last = max(before + dropped_seqs(since))
        desc = "%s: last out before the outage %d, then %r" % (what, last, [
            (n["t"], n["observe"], n["type"], n["payload"]) for n in after])
        check(len(after) > STORE, "stored or live notifications missing: " + desc,
              op, gw)
        stored = after[:STORE]
        first = stored[0]["observe"]
        check([n["observe"] for n in stored] == list(range(first, first + STORE)),
              "stored ones not consecutive: " + desc, op)
        check(all(n["type"] == "CON" for n in stored),
              "stored ones not confirmable: " + desc, op)
        check(all(n["t"] - back["t"] < 0.5 for n in stored),
              "stored ones late: " + desc, op)
        check(first > last + 1, "nothing dropped with store_max %d: %s" % (
            STORE, desc), op)
        check(any(n["type"] == "NON" for n in after[STORE:]),
              "no live notification after the stored ones: " + desc, op)
        check(all(n["payload"] in ("16", "26") for n in after),
              "values off the waveform: " + desc, op)
        info = server_info()
        check(info["stored"] == 0 and
              info["stored_dropped"] - dropped_before == first - last - 1,
              "%s: dropped %d, counted %d: %r" % (what, first - last - 1,
                                                  info["stored_dropped"] -
                                                  dropped_before, info), gw)
        return info["stored_dropped"]

    reg0 = op.wait_event({"event": "register", "ep": EP})
    tag = op.command("observe %s /3303/0/5700 pmin=0 pmax=1" % EP)
    rsp = op.wait_event({"tag": tag, "event": "response", "cmd": "observe"}, 5)
    check(rsp["code"] == "2.05", "observe: %r" % rsp, op)
    op.wait_event({"tag": tag, "event": "notify", "n": 2}, 3, claim=False)

    # 1. Inside the lifetime: the Update is retried and answered; no new Register.
    since, _, upd = outage(4.0, lambda: op.wait_event(
        {"event": "update", "ep": EP, "answer": "2.04"}, 5))
    dropped = check_flush(tag, since, upd, 0, "outage inside the lifetime")
    with op.cond:
        again = [e for e in op.events if e.get("event") == "register" and
                 e["t"] > reg0["t"]]
    check(not again, "registered again: %r" % again, op)

    # 2. Longer than the lifetime: expired at both ends, a fresh Register, then the
    # stored notifications on the server's original observation.
    rsp = op.request("write %s /1/0/1 text 4" % EP)
    check(rsp["code"] == "2.04", "write lifetime: %r" % rsp, op)
    op.wait_event({"event": "update", "ep": EP, "lt": 4}, 3)
    since, nlines, reg = outage(7.0, lambda: op.wait_event(
        {"event": "register", "ep": EP, "t": lambda t: t > reg0["t"]}, 4))
    # The expiry is found by the retry timer or by the Update that fails after it.
    gw.wait_line(r"%s ssid=101: registration (expired while unreachable|failed "
                 r"\(Update: no reply)" % EP, 1, nlines)
    op.wait_event({"event": "expired", "ep": EP}, 0.1)
    check(reg["answer"] == "2.01", "register after the outage: %r" % reg, op)
    dropped = check_flush(tag, since, reg, dropped, "outage beyond the lifetime")

    # 3. Storing off: nothing is kept, nothing confirmable follows the Update.
    for path, value in (("/1/0/6", "0"), ("/1/0/1", "20")):
        rsp = op.request("write %s %s text %s" % (EP, path, value))
        check(rsp["code"] == "2.04", "write %s: %r" % (path, rsp), op)
    op.wait_event({"event": "update", "ep": EP, "lt": 20}, 3)
    since, _, upd = outage(3.0, lambda: op.wait_event(
        {"event": "update", "ep": EP, "answer": "2.04"}, 5))
    time.sleep(1.0)
    after = [n for n in notes(tag) if n["t"] >= upd["t"]]
    check(after and all(n["type"] == "NON" for n in after),
          "storing off: %r" % [(n["observe"], n["type"]) for n in after], op)
    info = server_info()
    check(info["stored"] == 0 and info["stored_dropped"] == dropped,
          "storing off: %r" % info, gw)

    # 4. The server forgot the observation: RST ends it, stored ones and all.
    for path, value in (("/1/0/6", "1"), ("/1/0/1", "4")):
        rsp = op.request("write %s %s text %s" % (EP, path, value))
        check(rsp["code"] == "2.04", "write %s: %r" % (path, rsp), op)
    op.wait_event({"event": "update", "ep": EP, "lt": 4}, 3)
    # Forgotten in the dark, so that no live notification is answered RST before.
    since, nlines, reg = outage(6.0, lambda: op.wait_event(
        {"event": "register", "ep": EP, "t": lambda t: t > reg["t"]}, 4),
        lambda: op.request("forget %s /3303/0/5700" % EP, event="forgotten"))
    time.sleep(1.0)
    with op.cond:
        stray = [e for e in op.events if e.get("event") == "stray-notify" and
                 e["t"] >= reg["t"]]
    check(len(stray) == 1 and stray[0].get("answer") == "RST" and
          stray[0]["type"] == "CON", "after the Register: %r" % stray, op)
    info = server_info()
    check(info["observations"] == 0 and info["stored"] == 0,
          "the RST did not end the observation: %r" % info, gw)


lwgwtest.main(test)
