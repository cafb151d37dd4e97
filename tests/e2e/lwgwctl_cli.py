#!/usr/bin/env python3
"""lwgwctl against a running lwgwd (issue 9): status, list (filters, --json), show (keys
never shown, servers), update, rebootstrap, reload (a broken file refused with its
problems, a good one taken with the keys that wait for a restart), errors; and the
message when the daemon is not running."""
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

KEY = "000102030405060708090a0b0c0d0e0f"


def test(r):
    op = r.operator("server = { port = 0; };\n")
    ctl = r.path("ctl")
    conf = """
gateway = { state_dir = "%s"; bind = "127.0.0.1"; allow_insecure = true;
            control_socket = "%s"; };
bootstrap = { uri = "coaps://127.0.0.1:9"; psk_key = "hex:%s"; };
servers = ( { ssid = 101; uri = "coap://127.0.0.1:%d"; security = "nosec";
              lifetime = 60; } );
links = ( { name = "simA"; type = "sim"; devices = 3; objects = [3303]; },
          { name = "simB"; type = "sim"; devices = 2; objects = [3304]; } );
""" % (r.path(""), ctl, KEY, op.server_port)
    gw = r.lwgwd(conf)
    for _ in range(5):
        op.wait_event({"event": "register"}, timeout=15)
    lwgwctl = os.path.join(lwgwtest.builddir(), "lwgwctl")

    def run(*args, rc=0):
        code, out, err = r.run([lwgwctl, "-s", ctl] + list(args))
        check(code == rc, "lwgwctl %s: exit %d (want %d): %s%s" % (
            " ".join(args), code, rc, out, err), gw)
        return out, err

    out, _ = run("status")
    check("5 devices" in out and "registered    5" in out, "status: %r" % out)
    check("simA" in out and "simB" in out, "status links: %r" % out)
    st = json.loads(run("--json", "status")[0])
    check(st["devices"] == 5 and st["states"]["registered"] == 5, "json status %r" % st)

    out, _ = run("list")
    lines = out.splitlines()
    check(lines[0].split() == ["ENDPOINT", "LINK", "STATE", "PORT", "SERVERS", "LAST",
                               "READING"], "list header: %r" % lines[0])
    col = lines[0].index("SERVERS")
    check(all(line[col:].startswith("101:registered ") for line in lines[1:]),
          "list servers: %r" % out)
    check(len(lines) == 6, "list rows: %r" % out)
    # Columns are aligned: every row's STATE starts where the header's does.
    col = lines[0].index("STATE")
    check(all(line[col:].startswith("registered") for line in lines[1:]),
          "list alignment: %r" % out)
    rows = json.loads(run("--json", "list", "--link", "simB")[0])
    check(sorted(x["endpoint"] for x in rows) == ["simB-1", "simB-2"], "filter %r" % rows)
    check(all(x["servers"] == [{"ssid": 101, "state": "registered"}] for x in rows),
          "json list servers: %r" % rows)
    check(json.loads(run("list", "--state", "bootstrapping", "--json")[0]) == [],
          "state filter")

    out, _ = run("show", "simA-2")
    check("/3303/0/5700" in out and '"Cel"' in out, "show: %r" % out)
    check(KEY not in out.replace(":", "").lower(), "show leaks a key: %r" % out)
    check("server 101: registered, lifetime 60 s, 0 observation(s), 0 notification(s) "
          "stored, 0 dropped" in out, "show: server line: %r" % out)
    shown = json.loads(run("--json", "show", "simA-2")[0])
    check(shown["servers"] == [{"ssid": 101, "state": "registered", "lifetime": 60,
                                "observations": 0, "stored": 0, "stored_dropped": 0}],
          "json show servers: %r" % shown)
    vals = shown["values"]
    secrets = [p for p in vals if p.startswith("/0/") and p.split("/")[3] in "345"]
    check(secrets and all(vals[p] == "(secret)" for p in secrets), "json show %r" % vals)

    run("update", "simA-1")
    op.wait_event({"event": "update", "ep": "simA-1"}, timeout=10)
    out, _ = run("rebootstrap", "simA-3")
    check("bootstrap requested" in out, "rebootstrap: %r" % out)
    rows = json.loads(run("--json", "list", "--link", "simA")[0])
    st = dict((x["endpoint"], x["state"]) for x in rows)
    check(st["simA-3"] in ("hold-off", "bootstrapping"), "after rebootstrap: %r" % st)
    _, err = run("show", "nope", rc=1)
    check("no device nope" in err, "unknown device: %r" % err)
    _, err = run("frobnicate", rc=1)
    check("unknown command 'frobnicate'" in err, "unknown command: %r" % err)
    _, err = run("show", rc=1)
    check("usage: show ENDPOINT" in err, "usage: %r" % err)

    # reload: a broken file is refused with its problems, and nothing changes; a good
    # one is taken, naming what waits for a restart; --json says the same.
    path = os.path.join(r.tmpdir, "lwgwd.conf")
    with open(path, "w") as f:
        f.write(conf.replace("lifetime = 60;", "lifetime = -1; frobnicate = 1;"))
    _, err = run("reload", rc=1)
    check("running one stays" in err and "lwgwd.conf:" in err and "frobnicate" in err
          and "lifetime" in err, "reload of a broken file: %r" % err)
    check(json.loads(run("--json", "status")[0])["devices"] == 5, "after a refused reload")
    with open(path, "w") as f:
        f.write(conf.replace("control_socket", 'log_level = "debug"; control_socket')
                .replace("lifetime = 60;", "lifetime = 61;"))
    out, _ = run("reload")
    check(out.startswith("reloaded\n") and "lifetime" in out and "next restart" in out,
          "reload: %r" % out)
    gw.wait_line(r"debug ", timeout=5)
    rel = json.loads(run("--json", "reload")[0])
    check(rel["reload"] is True and any("lifetime" in k for k in rel["restart_needed"]),
          "json reload: %r" % rel)

    gw.p.terminate()
    gw.wait_exit(timeout=15)
    code, out, err = r.run([lwgwctl, "-s", ctl, "status"])
    check(code == 1 and "lwgwd is not running" in err, "not running: %d %r" % (code, err))


lwgwtest.main(test)
