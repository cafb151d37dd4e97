"""lwgw end-to-end test runner: Python standard library only.

A test is an executable script that does

    import lwgwtest
    def test(r):                       # r is a lwgwtest.Runner
        op = r.operator(CONFIG)        # start lwgw-operator with a libconfig text
        ...
    lwgwtest.main(test)

Every process the runner starts runs in its own process group and is stopped when the
test ends, whatever the way it ends: return, failed assertion, exception, SIGTERM/SIGINT/
SIGHUP to the test, or the test being killed (the children get SIGKILL through
PR_SET_PDEATHSIG, and lwgw-operator also exits when its stdin closes).

Exit status: 0 pass, 1 fail, 77 skip (automake's harness conventions). The harness sets
top_srcdir and top_builddir; without them the source tree of this file is used.
Set LWGW_E2E_KEEP=1 to keep the temporary directory, LWGW_E2E_VERBOSE=1 to echo events.
"""

import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

SKIP = 77
DEFAULT_TIMEOUT = 10.0
SANITIZER_RX = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                          r"runtime error:")


class Skip(Exception):
    """Raised by a test that cannot run here (exit 77)."""


class Failure(AssertionError):
    """A failed expectation, with a message saying what was seen."""


def srcdir():
    d = os.environ.get("top_srcdir")
    if d:
        return d
    return os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def builddir():
    d = os.environ.get("top_builddir")
    if d:
        return d
    return os.environ.get("LWGW_BUILDDIR", srcdir())


def which(name):
    for d in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def need(*programs):
    """Skip the test unless every program is on PATH; return their paths."""
    paths = []
    for name in programs:
        p = which(name)
        if p is None:
            raise Skip("%s not found" % name)
        paths.append(p)
    return paths


def _port_free(port, host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        s = socket.socket(fam, kind)
        try:
            s.bind((host, port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_port(count=1, host="127.0.0.1"):
    """A port (the first of count consecutive ones) free for both UDP and TCP a moment
    ago, for programs that cannot bind port 0 (coap-server binds UDP and TCP, and
    DTLS on port + 1). Prefer port 0 wherever a program supports it."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for attempt in range(100):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((host, 0))
        base = s.getsockname()[1]
        s.close()
        if base + count <= 65535 and all(_port_free(base + i, host)
                                         for i in range(count)):
            return base
    raise Failure("no free port found")


def _pdeathsig():
    # Runs in the child between fork and exec: die with the runner even on SIGKILL.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _matches(event, pred):
    if callable(pred):
        try:
            return bool(pred(event))
        except (KeyError, TypeError, ValueError, IndexError):
            return False
    for k, v in pred.items():
        if k not in event:
            return False
        if callable(v):
            try:
                if not v(event[k]):
                    return False
            except (KeyError, TypeError, ValueError, IndexError):
                return False
        elif event[k] != v:
            return False
    return True


def _describe(pred):
    if callable(pred):
        return getattr(pred, "__name__", "predicate")
    return json.dumps({k: (v if not callable(v) else "<fn>") for k, v in pred.items()})


# A minimal CoAP (RFC 7252) codec, for tests that play a peer by hand.
CON, NON, ACK, RST = 0, 1, 2, 3


def coap_code(s):
    """"2.05" -> 69"""
    c, d = s.split(".")
    return int(c) << 5 | int(d)


def coap_encode(mtype, code, mid, token=b"", options=(), payload=b""):
    """options: (number, bytes) pairs in any order."""
    out = bytearray([0x40 | mtype << 4 | len(token), code, mid >> 8, mid & 0xFF])
    out += token
    last = 0
    for num, val in sorted(options, key=lambda o: o[0]):
        delta, n = num - last, len(val)
        last = num

        def ext(v):
            if v < 13:
                return v, b""
            if v < 269:
                return 13, bytes([v - 13])
            return 14, (v - 269).to_bytes(2, "big")
        dn, db = ext(delta)
        ln, lb = ext(n)
        out += bytes([dn << 4 | ln]) + db + lb + val
    if payload:
        out += b"\xff" + payload
    return bytes(out)


def coap_uint(v):
    return v.to_bytes((v.bit_length() + 7) // 8, "big") if v else b""


def coap_decode(data):
    """A dict: type, code ("2.05"), mid, token, options [(number, bytes)], payload."""
    if len(data) < 4 or data[0] >> 6 != 1:
        raise ValueError("not CoAP")
    tkl = data[0] & 0xF
    msg = {"type": data[0] >> 4 & 3, "code": "%d.%02d" % (data[1] >> 5, data[1] & 31),
           "mid": data[2] << 8 | data[3], "token": data[4:4 + tkl], "options": [],
           "payload": b""}
    i, num = 4 + tkl, 0
    while i < len(data):
        if data[i] == 0xFF:
            msg["payload"] = data[i + 1:]
            break
        d, n = data[i] >> 4, data[i] & 0xF
        i += 1
        vals = []
        for v in (d, n):
            if v == 13:
                v = data[i] + 13
                i += 1
            elif v == 14:
                v = (data[i] << 8 | data[i + 1]) + 269
                i += 2
            vals.append(v)
        num += vals[0]
        msg["options"].append((num, data[i:i + vals[1]]))
        i += vals[1]
    return msg


def coap_option(msg, number):
    """Values of one option of a decoded message."""
    return [v for n, v in msg["options"] if n == number]


class Proc:
    """A child process in its own process group; stdout and stderr read by threads.

    With json_events, every stdout line that parses as a JSON object is an event;
    other lines (and every stderr line) are kept as log lines.
    """

    def __init__(self, runner, name, argv, json_events=False, env=None, cwd=None):
        self.runner = runner
        self.name = name
        self.argv = argv
        self.json_events = json_events
        self.events = []
        self.claimed = set()
        self.lines = []
        self.cond = threading.Condition()
        self.closed_out = False
        self.check_exit = False
        self.p = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=_pdeathsig, env=env, cwd=cwd)
        self.pid = self.p.pid
        runner.procs.append(self)  # from now on, cleanup stops it
        self.verbose = bool(os.environ.get("LWGW_E2E_VERBOSE"))
        self.threads = [
            threading.Thread(target=self._read, args=(self.p.stdout, True), daemon=True),
            threading.Thread(target=self._read, args=(self.p.stderr, False), daemon=True),
        ]
        for t in self.threads:
            t.start()

    def _read(self, f, is_stdout):
        for raw in iter(f.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            ev = None
            if is_stdout and self.json_events:
                try:
                    ev = json.loads(line)
                    if not isinstance(ev, dict):
                        ev = None
                except ValueError:
                    ev = None
            with self.cond:
                if ev is not None:
                    self.events.append(ev)
                else:
                    self.lines.append(line)
                self.cond.notify_all()
            if self.verbose:
                sys.stderr.write("[%s] %s\n" % (self.name, line))
        with self.cond:
            if is_stdout:
                self.closed_out = True
            self.cond.notify_all()

    def alive(self):
        return self.p.poll() is None

    def send(self, line):
        """Write one line to the process's stdin."""
        try:
            self.p.stdin.write((line + "\n").encode())
            self.p.stdin.flush()
        except (BrokenPipeError, ValueError) as e:
            raise Failure("%s: cannot send %r: %s\n%s" % (self.name, line, e, self.tail()))

    def tail(self, n=25):
        with self.cond:
            evs = self.events[-n:]
            lines = self.lines[-n:]
        out = ["--- last events of %s (pid %d, %s):" % (
            self.name, self.pid, "running" if self.alive() else
            "exited %s" % self.p.returncode)]
        out += ["  " + json.dumps(e) for e in evs]
        if lines:
            out.append("--- last log lines of %s:" % self.name)
            out += ["  " + s for s in lines]
        return "\n".join(out)

    def wait_event(self, pred, timeout=DEFAULT_TIMEOUT, what=None, claim=True):
        """The first event not yet claimed that matches pred (a dict of expected
        fields, values may be callables, or a callable on the event)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i, ev in enumerate(self.events):
                    if i not in self.claimed and _matches(ev, pred):
                        if claim:
                            self.claimed.add(i)
                        return ev
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed_out and not self.alive()):
                    break
                self.cond.wait(min(left, 0.5))
        raise Failure("%s: no event %s within %.1fs\n%s" % (
            self.name, what or _describe(pred), timeout, self.tail()))

    def no_event(self, pred, duration, what=None):
        """Fail if an unclaimed event matching pred arrives within duration."""
        try:
            ev = self.wait_event(pred, duration, claim=False)
        except Failure:
            return
        raise Failure("%s: unexpected event %s: %s\n%s" % (
            self.name, what or _describe(pred), json.dumps(ev), self.tail()))

    def nlines(self):
        """How many log lines so far: wait_line(..., after=) looks past them."""
        with self.cond:
            return len(self.lines)

    def wait_line(self, regex, timeout=DEFAULT_TIMEOUT, after=0):
        """The first log line matching regex (for programs that do not print JSON),
        among the lines after the first `after` ones."""
        rx = re.compile(regex)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[after:]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed_out and not self.alive()):
                    break
                self.cond.wait(min(left, 0.5))
        raise Failure("%s: no line /%s/ within %.1fs\n%s" % (
            self.name, regex, timeout, self.tail()))

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            raise Failure("%s did not exit within %.1fs\n%s" % (
                self.name, timeout, self.tail()))

    def stop(self, timeout=5.0):
        """SIGTERM to the process group, then SIGKILL; always reaps the process."""
        if self.p.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)  # stragglers of the group, if any
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        for t in self.threads:
            t.join(2.0)
        for f in (self.p.stdin, self.p.stdout, self.p.stderr):
            try:
                f.close()
            except Exception:
                pass

    def problems(self):
        """Sanitizer reports in the output, and a bad exit of a program that must
        exit cleanly on SIGTERM (check_exit)."""
        found = []
        with self.cond:
            lines = list(self.lines)
        for i, line in enumerate(lines):
            if SANITIZER_RX.search(line):
                found.append("%s: %s" % (self.name, "\n".join(lines[i:i + 30])))
                break
        rc = self.p.returncode
        if self.check_exit and rc not in (0, None):
            found.append("%s exited with status %s\n%s" % (self.name, rc, self.tail()))
        return found


class Operator(Proc):
    """lwgw-operator with a configuration text; ready when it reported its ports."""

    def __init__(self, runner, config=None, name="operator", ctl=False, args=()):
        binary = os.path.join(builddir(), "tests", "operator", "lwgw-operator")
        if not os.access(binary, os.X_OK):
            raise Skip("lwgw-operator not built (needs libcoap-3-openssl)")
        argv = [binary]
        if config is not None:
            path = os.path.join(runner.tmpdir, name + ".conf")
            with open(path, "w") as f:
                f.write(config)
            argv += ["-c", path]
        self.ctl_path = None
        if ctl:
            self.ctl_path = os.path.join(runner.tmpdir, name + ".ctl")
            argv += ["--ctl", self.ctl_path]
        argv += list(args)
        super().__init__(runner, name, argv, json_events=True)
        self.check_exit = True  # SIGTERM makes it exit 0; anything else is a bug
        self.ntag = 0
        self.ready = self.wait_event({"event": "ready"}, what="ready")
        self.bs_port = self.ready.get("bs_port")
        self.bs_dtls_port = self.ready.get("bs_dtls_port")
        self.server_port = self.ready.get("server_port")
        self.server_dtls_port = self.ready.get("server_dtls_port")

    def command(self, line):
        """Send a command with a fresh tag; returns the tag."""
        self.ntag += 1
        tag = "t%d" % self.ntag
        self.send("@%s %s" % (tag, line))
        return tag

    def request(self, line, timeout=DEFAULT_TIMEOUT, event="response"):
        """Send a command and return its response event (or fail on an error event)."""
        tag = self.command(line)
        ev = self.wait_event(lambda e: e.get("tag") == tag and e["event"] in
                             (event, "error"), timeout, what="answer to %r" % line)
        if ev["event"] == "error":
            raise Failure("%s: %r failed: %s\n%s" % (self.name, line, ev.get("error"),
                                                   self.tail()))
        return ev

    def command_error(self, line, timeout=DEFAULT_TIMEOUT):
        """Send a command that must fail; return the error event."""
        tag = self.command(line)
        ev = self.wait_event({"tag": tag}, timeout, what="answer to %r" % line)
        if ev["event"] != "error":
            raise Failure("%s: %r did not fail: %s" % (self.name, line, json.dumps(ev)))
        return ev


class Relay:
    """A UDP relay on 127.0.0.1 between clients and one server port that can go dark:
    a server that is unreachable without being gone, and without its socket keeping what
    was sent meanwhile (a frozen process's does). Each client address gets an upstream
    socket of its own, so the server still tells the clients apart.

    blackout(seconds) drops everything both ways from now on; blackout_at(pred,
    seconds) starts it with the first client datagram that pred(decoded CoAP message)
    accepts (that datagram is dropped too). Dropped client datagrams are kept, decoded,
    in .dropped, in order."""

    def __init__(self, runner, server_port):
        self.server = ("127.0.0.1", server_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.up = {}            # client address -> upstream socket
        self.down = {}          # upstream socket -> client address
        self.cond = threading.Condition()
        self.dark_until = 0.0
        self.trigger = None     # (pred, seconds)
        self.dropped = []
        self.dark_since = None
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        runner.relays.append(self)

    def blackout(self, seconds):
        with self.cond:
            self.dark_since = time.monotonic()
            self.dark_until = self.dark_since + seconds

    def blackout_at(self, pred, seconds):
        with self.cond:
            self.trigger = (pred, seconds)

    def dark(self):
        with self.cond:
            return time.monotonic() < self.dark_until

    def wait_dark(self, timeout=DEFAULT_TIMEOUT):
        """Wait for a blackout_at trigger; returns the monotonic time it went dark."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.trigger is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure("relay: the blackout was never triggered")
                self.cond.wait(left)
            return self.dark_since

    def wait_light(self):
        with self.cond:
            left = self.dark_until - time.monotonic()
        if left > 0:
            time.sleep(left)

    def _client_datagram(self, data, addr):
        with self.cond:
            if self.trigger is not None:
                try:
                    msg = coap_decode(data)
                except (ValueError, IndexError):
                    msg = None
                if msg is not None and self.trigger[0](msg):
                    self.dark_since = time.monotonic()
                    self.dark_until = self.dark_since + self.trigger[1]
                    self.trigger = None
                    self.cond.notify_all()
            if time.monotonic() < self.dark_until:
                try:
                    self.dropped.append(coap_decode(data))
                except (ValueError, IndexError):
                    self.dropped.append(None)
                return
        up = self.up.get(addr)
        if up is None:
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.bind(("127.0.0.1", 0))
            up.connect(self.server)
            up.setblocking(False)
            self.up[addr] = up
            self.down[up] = addr
        try:
            up.send(data)
        except OSError:
            pass    # the server's port is closed: lost, as on a network

    def _run(self):
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(self.sock, selectors.EVENT_READ)
        known = set()
        while not self.stopped:
            for up in list(self.down):
                if up not in known:
                    sel.register(up, selectors.EVENT_READ)
                    known.add(up)
            for key, _ in sel.select(0.05):
                try:
                    if key.fileobj is self.sock:
                        data, addr = self.sock.recvfrom(65536)
                        self._client_datagram(data, addr)
                    else:
                        data = key.fileobj.recv(65536)
                        if not self.dark():
                            self.sock.sendto(data, self.down[key.fileobj])
                except OSError:
                    pass
        sel.close()

    def stop(self):
        self.stopped = True
        self.thread.join(2)
        for up in self.up.values():
            up.close()
        self.sock.close()


class Runner:
    """Owns a temporary directory and every process of one test."""

    def __init__(self):
        self.tmpdir = tempfile.mkdtemp(prefix="lwgw-e2e-")
        self.procs = []
        self.relays = []
        self.cleaned = False
        self._old = {}
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            self._old[sig] = signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        raise SystemExit(128 + signum)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()
        return False

    def start(self, name, argv, json_events=False, env=None, cwd=None):
        """Start any program (e.g. coap-server-notls) under the runner's control."""
        return Proc(self, name, argv, json_events=json_events, env=env, cwd=cwd)

    def operator(self, config=None, name="operator", ctl=False, args=()):
        """lwgw-operator with a configuration text, once it reported its ports."""
        return Operator(self, config, name, ctl, args)

    def lwgwd(self, config, name="lwgwd", args=()):
        """lwgwd in the foreground with a configuration text; log lines on stderr."""
        binary = os.path.join(builddir(), "lwgwd")
        if not os.access(binary, os.X_OK):
            raise Skip("lwgwd not built")
        path = os.path.join(self.tmpdir, name + ".conf")
        with open(path, "w") as f:
            f.write(config)
        p = self.start(name, [binary, "-f", "-c", path] + list(args))
        p.check_exit = True
        return p

    def run(self, argv, timeout=DEFAULT_TIMEOUT, input=None):
        """Run a short command to completion (in its own group, killed on timeout)."""
        p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else
                             subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=_pdeathsig)
        try:
            out, err = p.communicate(input, timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
            raise Failure("%s timed out after %.1fs: %s %s" % (
                argv[0], timeout, out.decode(errors="replace"),
                err.decode(errors="replace")))
        return p.returncode, out.decode(errors="replace"), err.decode(errors="replace")

    def relay(self, server_port):
        """A Relay in front of a UDP server port on 127.0.0.1."""
        return Relay(self, server_port)

    def path(self, name):
        return os.path.join(self.tmpdir, name)

    def cleanup(self):
        """Stop everything; returns the problems seen (sanitizer reports, bad exits)."""
        if self.cleaned:
            return []
        self.cleaned = True
        problems = []
        # Ignore further signals while stopping, so cleanup itself is not cut short.
        for sig in self._old:
            signal.signal(sig, signal.SIG_IGN)
        for p in reversed(self.procs):
            p.stop()
            problems += p.problems()
        for relay in self.relays:
            relay.stop()
        if os.environ.get("LWGW_E2E_KEEP"):
            sys.stderr.write("kept %s\n" % self.tmpdir)
        else:
            for root, dirs, files in os.walk(self.tmpdir, topdown=False):
                for f in files:
                    os.unlink(os.path.join(root, f))
                for d in dirs:
                    os.rmdir(os.path.join(root, d))
            os.rmdir(self.tmpdir)
        for sig, old in self._old.items():
            signal.signal(sig, old)
        return problems


def check(cond, msg, *procs):
    """Like assert, but with the recent events of procs in the message."""
    if not cond:
        raise Failure(msg + "".join("\n" + p.tail() for p in procs))


def main(test):
    """Run test(runner) and exit with the harness's status code."""
    name = os.path.basename(sys.argv[0])
    runner = None
    status = 1
    try:
        runner = Runner()
        test(runner)
        problems = runner.cleanup()
        if problems:
            raise Failure("\n".join(problems))
        status = 0
        print("PASS: %s" % name)
    except Skip as e:
        status = SKIP
        print("SKIP: %s: %s" % (name, e))
    except Failure as e:
        print("FAIL: %s: %s" % (name, e))
    except SystemExit as e:
        print("FAIL: %s: interrupted (%s)" % (name, e.code))
        status = e.code if isinstance(e.code, int) and e.code != 0 else 1
    except BaseException:
        traceback.print_exc()
        print("FAIL: %s: exception" % name)
    finally:
        if runner is not None:
            runner.cleanup()
    sys.stdout.flush()
    os._exit(status)
