#!/usr/bin/env python3
"""Host names in server URIs, resolved asynchronously (lwgw issue 6).

lwgwd gets its nameserver from a resolv.conf of the test's own ("nameserver
127.0.0.1:PORT", gateway.resolv_conf; gateway.hosts_file = "") that names a DNS
responder written here: A 127.0.0.1 for lwm2m.test, NXDOMAIN for nx.test (until the test
makes it resolve), silence for quiet.test. It counts the queries.

1. N simulated devices (20; LWGW_DNS_DEVICES=1000 to measure at scale) whose server URI
   is coap://lwm2m.test:PORT all register with lwgw-operator, after exactly ONE query.
2. A second lwgwd whose server is nx.test: each device's registration fails with a
   logged "cannot resolve nx.test" and the evdns error, and is retried with backoff; the
   failure is cached for lwm2m.dns_negative_ttl_s, so the queries stay few (bounded,
   no spin) while the devices retry. Once nx.test resolves, every device registers.
3. A third lwgwd whose server is quiet.test: the query times out, the failure is logged
   and retried, and SIGTERM with a query in flight still ends lwgwd at once with status 0
   (nothing blocks the loop).
4. A device with only a factory Bootstrap-Server account coap://bs.test:PORT bootstraps
   (BS-1 Request through the name) and gets a server account coap://lwm2m.test:PORT
   written by the Bootstrap-Server, with which it registers.
"""
import os
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lwgwtest  # noqa: E402
from lwgwtest import check  # noqa: E402

N = int(os.environ.get("LWGW_DNS_DEVICES", "20"))

OPERATOR = """
ack_timeout_ms = 1000;
server = { address = "127.0.0.1"; port = 0; };
"""

LWGWD = """
gateway = { state_dir = "%(state)s"; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%(ctl)s";
            resolv_conf = "%(resolv)s"; hosts_file = ""; };
coap = { ack_timeout_ms = 500; max_retransmit = 2; };
lwm2m = { retry_base_ms = 400; retry_cap_ms = 1500; retry_attempts = 3;
          dns_ttl_s = 300; dns_negative_ttl_s = 1; max_inflight = 256; };
servers = ( { ssid = 101; uri = "coap://%(host)s:%(port)d"; security = "nosec";
              lifetime = 60; } );
links = ( { name = "%(link)s"; type = "sim"; devices = %(n)d; objects = [3303];
            period_ms = 60000; waveform = "constant"; } );
"""

LWGWD_BS = """
gateway = { state_dir = "%(state)s"; bind = "127.0.0.1"; allow_insecure = true;
            log_level = "info"; control_socket = "%(ctl)s";
            resolv_conf = "%(resolv)s"; hosts_file = ""; };
coap = { ack_timeout_ms = 500; max_retransmit = 2; };
lwm2m = { retry_base_ms = 400; retry_cap_ms = 1500; bootstrap_retry_ms = 500; };
bootstrap = { uri = "coap://bs.test:%(bs_port)d"; security = "nosec"; };
links = ( { name = "bs0"; type = "sim"; devices = 1; objects = [3303];
            period_ms = 60000; waveform = "constant"; } );
"""

BS_OPERATOR = """
ack_timeout_ms = 1000;
max_retransmit = 2;
bootstrap = {
  port = 0;
  endpoints = ( { name = "bs0-1"; steps = (
    { op = "delete"; path = "/"; expect = "2.02"; },
    { op = "write"; path = "/0"; expect = "2.04"; instances = ( { id = 1; values = [
      "0=str:coap://lwm2m.test:%(port)d", "1=bool:0", "2=int:3", "3=opaque:",
      "4=opaque:", "5=opaque:", "10=int:101" ]; } ); },
    { op = "write"; path = "/1"; expect = "2.04"; instances = ( { id = 0; values = [
      "0=int:101", "1=int:60", "6=bool:1", "7=str:U" ]; } ); },
    { op = "finish"; expect = "2.04"; } ); } );
};
"""


class Responder:
    """A DNS responder on 127.0.0.1 (UDP): answers[name] is an IPv4 address (A record),
    "nx" (NXDOMAIN) or None (no answer). Unknown names are NXDOMAIN. Counts queries by
    name (searched variants "name.domain" count for name)."""

    def __init__(self, answers):
        self.answers = dict(answers)
        self.counts = {}
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def set(self, name, answer):
        with self.lock:
            self.answers[name] = answer

    def count(self, name):
        with self.lock:
            return self.counts.get(name, 0)

    def _key(self, qname):
        for name in self.answers:
            if qname == name or qname.startswith(name + "."):
                return name
        return qname

    def _run(self):
        while not self.stopped:
            try:
                data, addr = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            except OSError:
                return
            if len(data) < 12:
                continue
            labels, i = [], 12
            while i < len(data) and data[i] != 0:
                labels.append(data[i + 1:i + 1 + data[i]].decode("ascii", "replace"))
                i += 1 + data[i]
            qend = i + 5
            if qend > len(data):
                continue
            qname = ".".join(labels).lower()
            qtype = struct.unpack("!H", data[i + 1:i + 3])[0]
            with self.lock:
                key = self._key(qname)
                self.counts[key] = self.counts.get(key, 0) + 1
                answer = self.answers.get(key, "nx")
                if qname != key:
                    answer = "nx"   # a search-domain variant
            if answer is None:
                continue
            head = data[:2]
            question = data[12:qend]
            if answer == "nx" or qtype != 1:
                rcode = 3 if answer == "nx" else 0
                msg = head + struct.pack("!BBHHHH", 0x81, 0x80 | rcode, 1, 0, 0, 0) + \
                    question
            else:
                rr = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + \
                    socket.inet_aton(answer)
                msg = head + struct.pack("!BBHHHH", 0x81, 0x80, 1, 1, 0, 0) + \
                    question + rr
            try:
                self.sock.sendto(msg, addr)
            except OSError:
                pass

    def stop(self):
        self.stopped = True
        self.thread.join(2)
        self.sock.close()


def start_lwgwd(r, name, host, port, link, n, resolv):
    state = r.path(name + "-state")
    os.mkdir(state)
    conf = LWGWD % {"state": state, "ctl": r.path(name + ".ctl"), "resolv": resolv,
                    "host": host, "port": port, "link": link, "n": n}
    return r.lwgwd(conf, name=name)


def registered(op, link, n, timeout):
    seen = set()
    deadline = time.monotonic() + timeout
    while len(seen) < n:
        left = deadline - time.monotonic()
        ev = op.wait_event(lambda e: e.get("event") == "register" and
                           e.get("ep", "").startswith(link + "-") and
                           e["ep"] not in seen, max(left, 0.1),
                           what="register of %s (%d of %d so far)" % (link, len(seen), n))
        seen.add(ev["ep"])
    return seen


def test(r):
    b = lwgwtest.builddir()
    if not os.access(os.path.join(b, "tests", "operator", "lwgw-operator"), os.X_OK):
        raise lwgwtest.Skip("lwgw-operator not built")
    dns = Responder({"lwm2m.test": "127.0.0.1", "nx.test": "nx", "quiet.test": None})
    try:
        run(r, dns)
    finally:
        dns.stop()


def run(r, dns):
    resolv = r.path("resolv.conf")
    with open(resolv, "w") as f:
        f.write("nameserver 127.0.0.1:%d\noptions timeout:1 attempts:1\n" % dns.port)
    op = r.operator(OPERATOR)

    # 1. N devices, one name, one query.
    gw = start_lwgwd(r, "lwgwd", "lwm2m.test", op.server_port, "sim0", N, resolv)
    registered(op, "sim0", N, 30 + N / 20)
    check(dns.count("lwm2m.test") == 1, "%d devices caused %d queries for lwm2m.test"
          % (N, dns.count("lwm2m.test")), gw)
    gw.wait_line(r"lwm2m\.test \(IPv4\) is 127\.0\.0\.1, kept 300 s")
    sys.stderr.write("%d devices registered through lwm2m.test after %d DNS query\n"
                     % (N, dns.count("lwm2m.test")))

    # 2. NXDOMAIN: logged, retried with backoff, few queries; then it resolves.
    nx = start_lwgwd(r, "lwgwd-nx", "nx.test", op.server_port, "nx0", 3, resolv)
    nx.wait_line(r"cannot resolve nx\.test \(IPv4\): .*evdns error")
    nx.wait_line(r"nx0-\d+ ssid=101: registration failed \(cannot resolve nx\.test "
                 r"\(IPv4\): .*evdns error .*\), retry in \d+ ms")
    t1 = time.monotonic()
    # At least two rounds of retries of each device (backoff 0.2-1.5 s).
    time.sleep(4)
    fails = sum(1 for line in list(nx.lines) if "registration failed (cannot resolve"
                in line or "registration failed 3 times (cannot resolve" in line)
    queries = dns.count("nx.test")
    elapsed = time.monotonic() - t1 + 1
    check(fails >= 6, "only %d failed attempts logged" % fails, nx)
    # One query per dns_negative_ttl_s (1 s) at most, however many devices retry.
    check(1 <= queries <= elapsed + 2, "%d queries for nx.test in %.1f s (%d failed "
          "attempts)" % (queries, elapsed, fails), nx)
    op.no_event(lambda e: e.get("event") == "register" and
                e.get("ep", "").startswith("nx0-"), 0.1, "register while NXDOMAIN")
    dns.set("nx.test", "127.0.0.1")
    registered(op, "nx0", 3, 15)
    check(dns.count("nx.test") <= queries + 2, "nx.test: %d queries after it resolved"
          % (dns.count("nx.test") - queries), nx)

    # 3. Silence: a timeout, logged and retried; SIGTERM with a query in flight.
    q = start_lwgwd(r, "lwgwd-quiet", "quiet.test", op.server_port, "quiet0", 2, resolv)
    q.wait_line(r"cannot resolve quiet\.test \(IPv4\): .*evdns error", 10)
    q.wait_line(r"quiet0-\d+ ssid=101: registration failed \(cannot resolve quiet\.test",
                5)
    # SIGTERM just after the responder got a new query: one is in flight (1 s timeout).
    asked = dns.count("quiet.test")
    deadline = time.monotonic() + 10
    while dns.count("quiet.test") == asked and time.monotonic() < deadline:
        time.sleep(0.02)
    check(dns.count("quiet.test") > asked, "quiet.test not asked again", q)
    t2 = time.monotonic()
    q.stop()
    check(q.p.returncode == 0, "lwgwd-quiet exit %r" % q.p.returncode, q)
    check(time.monotonic() - t2 < 3, "SIGTERM took %.1f s" % (time.monotonic() - t2), q)

    # The first gateway still serves its devices, and no device asked again.
    rsp = op.request("read sim0-1 /3303/0/5700")
    check(rsp["code"] == "2.05", "read: %r" % rsp, op, gw)
    check(dns.count("lwm2m.test") == 1, "lwm2m.test asked again", gw)
    nx.stop()
    gw.stop()
    check(gw.p.returncode == 0 and nx.p.returncode == 0, "exit %r %r" % (
        gw.p.returncode, nx.p.returncode), gw, nx)

    # 4. Bootstrap-Server and the server it configures, both by name.
    dns.set("bs.test", "127.0.0.1")
    bs = r.operator(BS_OPERATOR % {"port": op.server_port}, name="bs")
    state = r.path("bs-state")
    os.mkdir(state)
    before = dns.count("lwm2m.test")
    gb = r.lwgwd(LWGWD_BS % {"state": state, "ctl": r.path("bs.ctl"), "resolv": resolv,
                             "bs_port": bs.bs_port}, name="lwgwd-bs")
    req = bs.wait_event({"event": "bs-request", "ep": "bs0-1"}, 15)
    check(req.get("answer") == "2.04", "Bootstrap-Request: %r" % req, bs, gb)
    ev = bs.wait_event({"event": "bs-done", "ep": "bs0-1"}, 15)
    check(ev.get("ok") is True, "bootstrap: %r" % ev, bs, gb)
    op.wait_event({"event": "register", "ep": "bs0-1"}, 15)
    check(dns.count("bs.test") == 1 and dns.count("lwm2m.test") == before + 1,
          "queries: bs.test %d, lwm2m.test %d" % (dns.count("bs.test"),
                                                  dns.count("lwm2m.test") - before), gb)


lwgwtest.main(test)
