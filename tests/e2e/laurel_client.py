"""Helpers for Laurel's end-to-end tests: start the real `laurel` binary on a real socket and talk
HTTP to it with nothing but the Python standard library.

- `make_demo_template(laurel)` runs `laurel demo` once into a temporary folder; `copy_database()`
  gives each test class its own copy of it (the demo takes seconds, a copy milliseconds).
- `Server` starts `laurel serve --listen 127.0.0.1:0`, reads the bound port from its first line on
  stdout, and stops it with SIGTERM (or kills it with SIGKILL).
- `Client` is one user agent: a session cookie and its CSRF token, or a bearer token, or nobody.
  Every request has a timeout; responses come back as `Reply` whatever their status.
"""

import ctypes
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse

ADMIN_PASSWORD = "Laurel-e2e-Root-pw-2024!"
DEMO_PASSWORD = "Laurel-e2e-Demo-pw-2024!"
REQUEST_TIMEOUT = 30


def _die_with_parent():
    """In the child before exec: SIGKILL when the test process dies (Linux), so that a test run killed
    by a timeout leaves no server behind."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def laurel_env():
    env = dict(os.environ)
    env["LAUREL_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    env["LAUREL_DEMO_PASSWORD"] = DEMO_PASSWORD
    return env


def make_demo_template(laurel, parent):
    """Runs `laurel demo` into `parent`/template; returns that folder."""
    folder = os.path.join(parent, "template")
    os.makedirs(folder)
    db = os.path.join(folder, "laurel.db")
    out = subprocess.run([laurel, "demo", "--db", db], env=laurel_env(), capture_output=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("laurel demo failed (%d):\n%s\n%s" % (out.returncode, out.stdout.decode(errors="replace"),
                                                                 out.stderr.decode(errors="replace")))
    return folder


def make_init_template(laurel, parent):
    """Runs `laurel init` (no demo data) into `parent`/init; returns that folder."""
    folder = os.path.join(parent, "init")
    os.makedirs(folder)
    db = os.path.join(folder, "laurel.db")
    out = subprocess.run([laurel, "init", "--db", db], env=laurel_env(), capture_output=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError("laurel init failed (%d):\n%s" % (out.returncode, out.stderr.decode(errors="replace")))
    return folder


def copy_database(template):
    """A fresh temporary folder holding a copy of the template's database, key and files."""
    tmp = tempfile.mkdtemp(prefix="laurel-e2e-")
    shutil.copytree(template, os.path.join(tmp, "data"))
    return tmp, os.path.join(tmp, "data", "laurel.db")


class Server:
    def __init__(self, laurel, db, workdir, args=(), dev_clock=True):
        self.laurel = laurel
        self.db = db
        self.workdir = workdir
        self.args = list(args)
        self.dev_clock = dev_clock
        self.proc = None
        self.port = None
        self.log_path = None
        self._log = None
        self._starts = 0

    @property
    def base(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=60):
        self._starts += 1
        self.log_path = os.path.join(self.workdir, "serve-%d.log" % self._starts)
        self._log = open(self.log_path, "wb")
        cmd = [self.laurel, "serve", "--db", self.db, "--listen", "127.0.0.1:0"]
        if self.dev_clock:
            cmd.append("--dev-clock")
        cmd += self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log,
                                     env=laurel_env(), start_new_session=True, preexec_fn=_die_with_parent)
        first = {}

        def read_first_line():
            first["line"] = self.proc.stdout.readline().decode(errors="replace")
            # Keep draining stdout so that the server never blocks on a full pipe.
            for _ in self.proc.stdout:
                pass

        reader = threading.Thread(target=read_first_line, daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout
        while "line" not in first and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)
                break
            time.sleep(0.02)
        line = first.get("line", "")
        prefix = "listening on http://127.0.0.1:"
        if not line.startswith(prefix):
            self.kill()
            raise RuntimeError("laurel serve did not start (first line %r); log:\n%s" % (line, self.log_tail()))
        self.port = int(line[len(prefix):].strip())
        return self

    def log_tail(self, n=4000):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=30):
        """SIGTERM; returns the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        rc = self.proc.poll()
        if rc is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                rc = None
        self._close()
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self._close()

    def _close(self):
        if self.proc is not None and self.proc.stdout:
            try:
                self.proc.stdout.close()
            except OSError:
                pass
        if self._log:
            self._log.close()
            self._log = None


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body
        self._json = None

    @property
    def json(self):
        if self._json is None:
            self._json = json.loads(self.body.decode("utf-8"))
        return self._json

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return "<Reply %d %s>" % (self.status, self.body[:600].decode("utf-8", errors="replace"))


class Client:
    """One user agent against one server."""

    def __init__(self, server, timeout=REQUEST_TIMEOUT):
        self.server = server
        self.timeout = timeout
        self.cookie = None
        self.csrf = None
        self.token = None
        self.username = None
        self.password = None

    # --- plumbing ---------------------------------------------------------------------------
    def raw(self, method, path, body=None, headers=None, content_type=None):
        """Sends one request on a new connection; `body` is bytes, str, or a value sent as JSON."""
        hdrs = {}
        if body is not None and not isinstance(body, (bytes, bytearray, str)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()

    def request(self, method, path, body=None, headers=None, content_type=None, csrf=True):
        hdrs = {}
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        elif self.cookie:
            hdrs["Cookie"] = self.cookie
            if csrf and method not in ("GET", "HEAD") and self.csrf:
                hdrs["X-CSRF-Token"] = self.csrf
        hdrs.update(headers or {})
        return self.raw(method, path, body, hdrs, content_type)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # --- authentication ---------------------------------------------------------------------
    def login(self, username, password):
        r = self.raw("POST", "/api/v1/session", {"username": username, "password": password})
        if r.status == 200:
            cookie = r.header("set-cookie") or ""
            self.cookie = cookie.split(";", 1)[0]
            self.csrf = r.json["csrf_token"]
            self.username = username
            self.password = password
        return r

    def must_login(self, username, password):
        r = self.login(username, password)
        if r.status != 200:
            raise AssertionError("login %s failed: %r" % (username, r))
        return self


def q(value):
    """Percent-encodes a path segment or query value."""
    return urllib.parse.quote(str(value), safe="")


def run_tests(doc, default_laurel, before=None):
    """The main of an end-to-end script: reads --laurel (the binary under test; default
    `default_laurel`, relative to tests/e2e), checks it, calls `before(path)` (which stores it where
    the tests find it), then runs the script's unittest cases. Returns the exit status."""
    import argparse
    import sys
    import unittest
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--laurel", default=os.path.join(here, default_laurel) if default_laurel else None,
                        required=default_laurel is None, help="the laurel binary")
    args, rest = parser.parse_known_args()
    laurel = os.path.abspath(args.laurel)
    if not os.access(laurel, os.X_OK):
        print("error: %s is not an executable laurel binary" % laurel, file=sys.stderr)
        return 2
    if before:
        before(laurel)
    prog = unittest.main(module="__main__", argv=[sys.argv[0]] + rest, exit=False, verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1
