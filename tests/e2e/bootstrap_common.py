"""Shared pieces of the bootstrap end-to-end tests (tests/e2e/bootstrap_*.py).

lwgwd runs one simulated sensor (endpoint sim0-1, Temperature /3303/0) whose factory
configuration holds only a NoSec Bootstrap-Server account; lwgw-operator instances play
the Bootstrap-Server(s) and the LwM2M servers A (Short Server ID 101) and B (102).
"""
import os
import signal
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

EP = "sim0-1"
A, B = 101, 102


def server(r, name):
    """An operator in the LwM2M Server role only."""
    return r.operator("ack_timeout_ms = 1000;\nmax_retransmit = 2;\n"
                      "server = { port = 0; };\n", name=name)


def q(items):
    return ", ".join('"%s"' % v for v in items)


def sec(iid, port, ssid=None):
    """A NoSec Security instance; ssid None: the Bootstrap-Server account."""
    vals = ["0=str:coap://127.0.0.1:%d" % port, "1=bool:%d" % (ssid is None),
            "2=int:3", "3=opaque:", "4=opaque:", "5=opaque:"]
    if ssid is not None:
        vals.append("10=int:%d" % ssid)
    return "{ id = %d; values = [ %s ]; }" % (iid, q(vals))


def srv(iid, ssid):
    return "{ id = %d; values = [ %s ]; }" % (
        iid, q(["0=int:%d" % ssid, "1=int:60", "6=bool:1", "7=str:U"]))


def acl(iid, oid, oiid, owner, rights):
    vals = ["0=int:%d" % oid, "1=int:%d" % oiid]
    vals += ["2/%d=int:%d" % (s, v) for s, v in sorted(rights.items())]
    vals.append("3=int:%d" % owner)
    return "{ id = %d; values = [ %s ]; }" % (iid, q(vals))


def step(op, path=None, expect=None, instances=None):
    s = '{ op = "%s";' % op
    if path is not None:
        s += ' path = "%s";' % path
    if expect is not None:
        s += ' expect = "%s";' % expect
    if instances is not None:
        s += " instances = ( %s );" % ", ".join(instances)
    return s + " }"


def bs_operator(r, steps, name="bs", port=0, delay_ms=0):
    """An operator in the Bootstrap-Server role with one scenario for EP."""
    conf = """ack_timeout_ms = 1000;
max_retransmit = 2;
bootstrap = {
  port = %d;
  endpoints = ( { name = "%s"; delay_ms = %d; steps = ( %s ); } );
};
""" % (port, EP, delay_ms, ",\n    ".join(steps))
    return r.operator(conf, name=name)


def gw_config(r, bs_port, exchange_ms=0, servers=""):
    state = r.path("state")
    os.makedirs(state, exist_ok=True)
    return """
gateway = {
  state_dir = "%s";
  endpoint = "{link}-{id}";
  bind = "127.0.0.1";
  allow_insecure = true;
  control_socket = "%s";
  log_level = "info";
};
coap = { ack_timeout_ms = 400; ack_random_factor = 1.0; max_retransmit = 2;
         exchange_lifetime_ms = %d; };
lwm2m = { retry_base_ms = 300; retry_cap_ms = 2000; bootstrap_retry_ms = 500;
          shutdown_timeout_ms = 1500; };
bootstrap = { uri = "coap://127.0.0.1:%d"; security = "nosec"; };
%s
links = ( { name = "sim0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 200; waveform = "sine"; } );
""" % (state, r.path("ctl"), exchange_ms, bs_port, servers)


def wait_bs_done(bs, timeout=20):
    ev = bs.wait_event({"event": "bs-done", "ep": EP}, timeout=timeout)
    check(ev.get("ok") is True, "bootstrap scenario did not go as expected: %r" % ev, bs)
    return ev


def client_port(reg):
    """The vclient's UDP port from a register event's "from"."""
    return int(reg["from"].rsplit(":", 1)[1])


def kill9(gw):
    """SIGKILL lwgwd (a crash): its exit status is then expected."""
    os.killpg(gw.pid, signal.SIGKILL)
    gw.p.wait(10)
    gw.check_exit = False


def after(t0, pred):
    """pred, for events later than t0 (operator time)."""
    def f(e):
        return e.get("t", 0) > t0 and lwgwtest._matches(e, pred)
    return f


def provision(r, bs2_port, shared_default, exclusive=False):
    """Servers A and B, and a first bootstrap that writes both accounts, an ACL for
    /3303/0 (owner A; A all rights, B read, and read for everyone when shared_default)
    and a Bootstrap-Server account pointing at bs2_port for later sequences. With
    exclusive, also ACL instances that only A can access: /2/1 for /3/0 and /2/2 for
    A's own Server instance /1/0 (UB-1, UB-5)."""
    opa = server(r, "A")
    opb = server(r, "B")
    rights = {A: 15, B: 1}
    if shared_default:
        rights[0] = 1
    acls = [acl(0, 3303, 0, A, rights)]
    if exclusive:
        acls += [acl(1, 3, 0, A, {A: 15}), acl(2, 1, 0, A, {A: 15})]
    steps = [
        step("discover", "/", "2.05"),
        step("delete", "/", "2.02"),
        step("write", "/0", "2.04", [sec(0, bs2_port), sec(1, opa.server_port, A),
                                     sec(2, opb.server_port, B)]),
        step("write", "/1", "2.04", [srv(0, A), srv(1, B)]),
        step("write", "/2", "2.04", acls),
        step("finish", None, "2.04"),
    ]
    bs1 = bs_operator(r, steps, name="bs1")
    gw = r.lwgwd(gw_config(r, bs1.bs_port))
    wait_bs_done(bs1)
    rega = opa.wait_event({"event": "register", "ep": EP}, timeout=15)
    opb.wait_event({"event": "register", "ep": EP}, timeout=15)
    return opa, opb, gw, client_port(rega)


def read_value(op, path="/3303/0/5700", timeout=5.0):
    """Read a resource; the simulated sensor may not have produced its first reading
    yet (4.04), so retry that for a while."""
    deadline = time.monotonic() + timeout
    while True:
        rsp = op.request("read %s %s" % (EP, path))
        if rsp.get("code") != "4.04" or time.monotonic() > deadline:
            return rsp
        time.sleep(0.2)


def observe(op):
    read_value(op)
    tag = op.command("observe %s /3303/0/5700" % EP)
    rsp = op.wait_event({"tag": tag, "event": "response"}, timeout=10)
    check(rsp.get("code") == "2.05", "observe: %r" % rsp, op)
    op.wait_event({"tag": tag, "event": "notify"}, timeout=10)
    return tag
