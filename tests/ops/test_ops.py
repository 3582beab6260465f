#!/usr/bin/env python3
"""Operations tests (deploy/ and the executable's operational parts) against the real binary:

- Nginx: Debian's nginx with deploy/nginx/laurel.conf and a self-signed certificate made by openssl,
  on loopback ports picked free, in front of `laurel serve`; a nomination journey over HTTPS, Secure
  cookies, the client's address (the test connects from 127.0.0.2) recorded in the audit log and
  never one a client claims, an oversize upload refused with a problem document, static files, HSTS,
  absolute links under the public URL; `nginx -t`.
- Backup: `laurel backup --dir --keep` while a writer commits, each copy verified, every nomination
  acknowledged before the backup began present in it, rotation, restore into a fresh folder and serve.
- Upgrade: the schema-1 fixture (tests/ops/make_fixture_v1.py) migrated on start after a backup; a
  newer database refused with nothing changed; the start-up errors (missing or unreadable database or
  key, port in use, a wrong setting with its file and line).
- Service: `systemd-analyze verify` and `security` of the units, the unit's exact ExecStart run by
  hand with readiness (sd_notify) received on a socket, a clean stop; the configuration file and
  `laurel config check`; the alert rules (YAML, and promtool when installed).

    python3 tests/ops/test_ops.py --laurel build/release/web/laurel [unittest options, test names]
"""

import argparse
import glob
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "e2e"))
sys.path.insert(0, HERE)
from laurel_client import (ADMIN_PASSWORD, Client, Reply, Server, _die_with_parent, laurel_env,  # noqa: E402
                           make_init_template, q)
import ops_journey  # noqa: E402
from ops_journey import USER_PASSWORD, expect  # noqa: E402

LAUREL = None
_ROOT = None
_INIT = None


def init_template():
    global _ROOT, _INIT
    if _INIT is None:
        _ROOT = tempfile.mkdtemp(prefix="laurel-ops-templates-")
        _INIT = make_init_template(LAUREL, _ROOT)
    return _INIT


def tearDownModule():
    if _ROOT:
        shutil.rmtree(_ROOT, ignore_errors=True)


def fresh_copy(template, tmp):
    data = os.path.join(tmp, "data")
    shutil.copytree(template, data)
    os.chmod(os.path.join(data, "laurel.db.key"), 0o600)
    return os.path.join(data, "laurel.db")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=kw.pop("timeout", 120), env=kw.pop("env", laurel_env()), **kw)


def audit_addresses(db):
    """(action, address) of every record, from the stored canonical JSON."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        out = []
        for (record,) in con.execute("SELECT record FROM audit_log ORDER BY idx"):
            r = json.loads(bytes(record).decode())
            out.append((r.get("action"), r.get("who", {}).get("address")))
        return out
    finally:
        con.close()


def user_version(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def latest_schema():
    """This build's schema version: what `laurel init` writes."""
    tmp = tempfile.mkdtemp(prefix="laurel-ops-schema-")
    try:
        return user_version(fresh_copy(init_template(), tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- HTTPS through nginx -------------------------------------------------------------------------
class HttpsClient(Client):
    """A Client that speaks HTTPS to nginx, from a chosen loopback source address."""

    def __init__(self, host, port, cafile, source="127.0.0.2"):
        super().__init__(server=None)
        self.host, self.port, self.source = host, port, source
        self.context = ssl.create_default_context(cafile=cafile)
        self.last_tls_version = None

    def raw(self, method, path, body=None, headers=None, content_type=None):
        hdrs = {}
        if body is not None and not isinstance(body, (bytes, bytearray, str)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            content_type = content_type or "application/json"
        elif isinstance(body, str):
            body = body.encode("utf-8")
        if content_type:
            hdrs["Content-Type"] = content_type
        hdrs.update(headers or {})
        conn = http.client.HTTPSConnection(self.host, self.port, timeout=30, context=self.context, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            self.last_tls_version = conn.sock.version() if conn.sock else self.last_tls_version
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
        finally:
            conn.close()

    def login(self, username, password):
        r = self.raw("POST", "/api/v1/session", {"username": username, "password": password})
        if r.status == 200:
            self.set_cookie_header = r.header("set-cookie") or ""
            self.cookie = self.set_cookie_header.split(";", 1)[0]
            self.csrf = r.json["csrf_token"]
        return r


class Nginx:
    """Debian's nginx with deploy/nginx/laurel.conf, rewritten for loopback ports and a temp folder."""

    def __init__(self, workdir):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(self.dir)
        os.chmod(workdir, 0o755)
        os.chmod(self.dir, 0o755)
        self.https_port, self.http_port = free_port(), free_port()
        self.proc = None

    def configure(self, upstream_port, static_dir, upload_limit):
        self.cert, self.key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
        out = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "2", "-nodes",
                              "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                              "-keyout", self.key, "-out", self.cert], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        with open(os.path.join(SOURCE, "deploy", "nginx", "laurel.conf")) as f:
            site = f.read()
        replacements = [
            ("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % upstream_port),
            ("    listen 80;\n    listen [::]:80;\n", "    listen 127.0.0.1:%d;\n" % self.http_port),
            ("    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n", "    listen 127.0.0.1:%d ssl http2;\n" % self.https_port),
            ("/etc/laurel/tls/laurel.crt", self.cert),
            ("/etc/laurel/tls/laurel.key", self.key),
            ("/usr/local/share/laurel/static/", static_dir.rstrip("/") + "/"),
            ("/etc/nginx/snippets/laurel-proxy.conf", os.path.join(SOURCE, "deploy", "nginx", "laurel-proxy.conf")),
            ("client_max_body_size 20m;", "client_max_body_size %d;" % upload_limit),
            ("server_name laurel.example.gov.cn;", "server_name localhost;"),
        ]
        for old, new in replacements:
            assert old in site, "deploy/nginx/laurel.conf no longer contains %r" % old
            site = site.replace(old, new)
        with open(os.path.join(self.dir, "laurel-site.conf"), "w") as f:
            f.write(site)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write("""worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log %(d)s/access.log;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    include %(d)s/laurel-site.conf;
}
""" % {"d": self.dir})

    def test_config(self):
        return subprocess.run(["nginx", "-t", "-p", self.dir, "-e", os.path.join(self.dir, "error.log"), "-c", self.conf], capture_output=True, text=True, timeout=30)

    def start(self):
        self.proc = subprocess.Popen(["nginx", "-p", self.dir, "-e", os.path.join(self.dir, "error.log"), "-c", self.conf, "-g", "daemon off;"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: " + self.proc.stderr.read().decode(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not open its port")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None


class NginxTest(unittest.TestCase):
    UPLOAD_LIMIT = 64 * 1024

    @classmethod
    def setUpClass(cls):
        if not shutil.which("nginx"):
            raise unittest.SkipTest("nginx is not installed (deploy/install-deps.sh installs it)")
        cls.tmp = tempfile.mkdtemp(prefix="laurel-ops-nginx-")
        cls.db = fresh_copy(init_template(), cls.tmp)
        cls.nginx = Nginx(cls.tmp)
        cls.public_url = "https://localhost:%d" % cls.nginx.https_port
        cls.server = Server(LAUREL, cls.db, cls.tmp, dev_clock=False,
                            args=["--trusted-proxies", "127.0.0.1", "--public-url", cls.public_url,
                                  "--upload-limit", str(cls.UPLOAD_LIMIT)])
        cls.server.start()
        cls.laurel_port = cls.server.port
        try:
            cls.nginx.configure(cls.laurel_port, os.path.join(SOURCE, "web", "static"), cls.UPLOAD_LIMIT)
            cls.nginx.start()
        except Exception:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        nginx_rc = cls.nginx.stop()
        laurel_rc = cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert nginx_rc == 0, "nginx exit status %r" % nginx_rc
        assert laurel_rc == 0, "laurel exit status %r" % laurel_rc

    def https(self, source="127.0.0.2"):
        return HttpsClient("localhost", self.nginx.https_port, self.nginx.cert, source)

    def test_nginx_t_accepts_the_configuration(self):
        r = self.nginx.test_config()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("syntax is ok", r.stderr)

    def test_journey_over_https(self):
        first_record = len(audit_addresses(self.db))
        admin = self.https()
        r = expect(admin.login("admin", ADMIN_PASSWORD), 200, "admin login")
        self.assertIn("TLSv1.", admin.last_tls_version)
        self.assertIn(admin.last_tls_version, ("TLSv1.2", "TLSv1.3"))
        cookie = admin.set_cookie_header
        self.assertRegex(cookie, r"; Secure(;|$)")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("max-age=63072000", r.header("strict-transport-security") or "")
        ops_journey.create_users(admin)
        unit = self.https()
        expect(unit.login("ops_unit", USER_PASSWORD), 200, "unit login")
        # A client's own claims about its address are not believed, through the proxy or directly.
        n = ops_journey.create_nomination(_WithHeaders(unit, {"X-Forwarded-For": "6.6.6.6", "Forwarded": "for=6.6.6.6;proto=https"}),
                                          "代理测试家庭")
        ops_journey.upload_materials(unit, n["id"])
        n = ops_journey.act(unit, n["id"], "submit")
        self.assertEqual(n["state"], "county_review")
        reviewer = self.https()
        expect(reviewer.login("ops_reviewer", USER_PASSWORD), 200, "reviewer login")
        got = expect(reviewer.get("/api/v1/nominations/" + q(n["id"])), 200, "reviewer reads").json
        self.assertEqual(got["state"], "county_review")

        records = audit_addresses(self.db)[first_record:]
        self.assertGreater(len(records), 8, records)
        self.assertNotIn("6.6.6.6", [a for _, a in records])
        self.assertIn("127.0.0.2", [a for _, a in records])
        # Every request came through nginx from 127.0.0.2: no record names the proxy as the client.
        for action, address in records:
            if address:
                self.assertEqual(address, "127.0.0.2", (action, address))

    def test_direct_client_cannot_claim_an_address(self):
        # Straight to Laurel from 127.0.0.3 (not a trusted proxy) with forwarding headers: ignored.
        conn = http.client.HTTPConnection("127.0.0.1", self.laurel_port, timeout=30, source_address=("127.0.0.3", 0))
        conn.request("POST", "/api/v1/session", body=json.dumps({"username": "admin", "password": "wrong-password-here"}),
                     headers={"Content-Type": "application/json", "X-Forwarded-For": "7.7.7.7", "X-Forwarded-Proto": "https"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 401)
        addresses = [a for _, a in audit_addresses(self.db)]
        self.assertIn("127.0.0.3", addresses)
        self.assertNotIn("7.7.7.7", addresses)

    def test_oversize_upload_refused_with_a_problem(self):
        unit = self.https()
        admin = self.https()
        expect(admin.login("admin", ADMIN_PASSWORD), 200, "admin login")
        ops_journey.create_users(admin)
        expect(unit.login("ops_unit", USER_PASSWORD), 200, "unit login")
        n = ops_journey.create_nomination(unit, "超限测试家庭")
        big = ops_journey.pdf("big") + b"0" * (self.UPLOAD_LIMIT * 2)
        r = unit.post("/api/v1/nominations/%s/attachments?material=deeds&filename=big.pdf" % q(n["id"]), big,
                      content_type="application/pdf")
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.header("content-type"), "application/problem+json")
        self.assertEqual(r.json["code"], "payload_too_large")
        # A large JSON body is refused by the proxy's general limit too.
        r = unit.post("/api/v1/nominations", b'{"x":"' + b"a" * (2 * 1024 * 1024) + b'"}', content_type="application/json")
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.json["code"], "payload_too_large")
        # Nothing was attached.
        got = expect(unit.get("/api/v1/nominations/" + q(n["id"])), 200, "read back").json
        self.assertEqual(got.get("attachments", []), [])

    def test_static_files_served_by_nginx(self):
        r = self.https().get("/static/laurel.css")
        self.assertEqual(r.status, 200)
        with open(os.path.join(SOURCE, "web", "static", "laurel.css"), "rb") as f:
            self.assertEqual(r.body, f.read())
        self.assertNotEqual(r.header("server"), "Laurel")  # nginx answered, not Laurel
        self.assertIn("max-age=63072000", r.header("strict-transport-security") or "")

    def test_http_redirects_to_https_and_metrics_stay_private(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.nginx.http_port, timeout=30)
        conn.request("GET", "/notices", headers={"Host": "localhost"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        self.assertEqual(resp.status, 301)
        self.assertTrue(resp.getheader("location").startswith("https://localhost"))
        self.assertEqual(self.https().get("/metrics").status, 404)
        self.assertEqual(self.https().get("/healthz").status, 200)

class _WithHeaders:
    """A client that adds headers to every request (to send forged forwarding headers)."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def post(self, path, body=None, **kw):
        return self.client.post(path, body, headers=dict(self.headers), **kw)


# --- Backups ------------------------------------------------------------------------------------
class BackupTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="laurel-ops-backup-")
        self.db = fresh_copy(init_template(), self.tmp)
        self.server = Server(LAUREL, self.db, self.tmp, dev_clock=False).start()

    def tearDown(self):
        rc = self.server.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self.assertEqual(rc, 0)

    def test_backup_while_writing_then_restore(self):
        admin = Client(self.server).must_login("admin", ADMIN_PASSWORD)
        ops_journey.create_users(admin)
        unit = Client(self.server).must_login("ops_unit", USER_PASSWORD)
        first = ops_journey.create_nomination(unit, "备份附件家庭")
        ops_journey.upload_materials(unit, first["id"])
        acknowledged = []  # (monotonic time of the 201, id)
        stop = threading.Event()
        errors = []

        def writer():
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    n = ops_journey.create_nomination(unit, "备份测试家庭%d" % i)
                    acknowledged.append((time.monotonic(), n["id"]))
                except Exception as e:  # noqa: BLE001
                    errors.append(e)
                    return

        thread = threading.Thread(target=writer)
        thread.start()
        backups = os.path.join(self.tmp, "backups")
        runs = []
        try:
            while len(acknowledged) < 5 and thread.is_alive():
                time.sleep(0.05)
            for _ in range(3):
                started = time.monotonic()
                before = {nid for t, nid in acknowledged if t < started}
                out = run([LAUREL, "backup", "--db", self.db, "--dir", backups, "--keep", "2"])
                self.assertEqual(out.returncode, 0, out.stderr)
                copy = re.search(r"backed up .* to (\S+) and verified it", out.stdout).group(1)
                runs.append((copy, before))
                time.sleep(1.1)  # copies are named by the second
        finally:
            stop.set()
            thread.join()
        self.assertFalse(errors, errors)
        self.assertGreater(len(acknowledged), 10)

        copies = sorted(glob.glob(os.path.join(backups, "laurel-*.db")))
        self.assertEqual([os.path.basename(c) for c in copies], [os.path.basename(c) for c, _ in runs[1:]])
        for copy, before in runs[1:]:
            verify = run([LAUREL, "audit", "verify", "--db", copy])
            self.assertEqual(verify.returncode, 0, verify.stderr)
            con = sqlite3.connect("file:%s?mode=ro" % copy, uri=True)
            present = {row[0] for row in con.execute("SELECT id FROM nominations")}
            con.close()
            self.assertFalse(before - present, "acknowledged before the backup but missing from it")
        # The status file and the metric.
        with open(self.db + ".last-backup") as f:
            status = json.load(f)
        self.assertEqual(status["file"], runs[-1][0])
        self.assertTrue(status["verified"])
        metrics = Client(self.server).get("/metrics").text
        self.assertRegex(metrics, r"laurel_last_backup_timestamp_seconds %d" % status["finished_at"])
        self.assertIn("laurel_commit_duration_seconds_bucket", metrics)
        self.assertRegex(metrics, r"laurel_checkpoint_timestamp_seconds \d+")
        self.assertRegex(metrics, r"laurel_data_free_bytes \d")

        # Restore the newest copy into a fresh folder: database, attachments from the backup folder,
        # the key from its own (separate) copy.
        copy, before = runs[-1]
        fresh = os.path.join(self.tmp, "restored")
        os.makedirs(fresh)
        restored = os.path.join(fresh, "laurel.db")
        shutil.copy2(copy, restored)
        shutil.copytree(os.path.join(backups, "files"), restored + ".files")
        shutil.copy2(self.db + ".key", restored + ".key")
        verify = run([LAUREL, "audit", "verify", "--db", restored])
        self.assertEqual(verify.returncode, 0, verify.stderr)
        server = Server(LAUREL, restored, fresh, dev_clock=False).start()
        try:
            c = Client(server).must_login("ops_unit", USER_PASSWORD)
            for nid in sorted(before)[:5] + [first["id"]]:
                self.assertEqual(c.get("/api/v1/nominations/" + q(nid)).status, 200, nid)
            got = c.get("/api/v1/nominations/" + q(first["id"])).json
            for a in got["attachments"]:
                r = c.get("/api/v1/nominations/%s/attachments/%s" % (q(first["id"]), a["sha256"]))
                self.assertEqual(r.status, 200)
                self.assertEqual(hashlib.sha256(r.body).hexdigest(), a["sha256"])
        finally:
            self.assertEqual(server.stop(), 0)

    def test_backup_refuses_bad_arguments(self):
        out = run([LAUREL, "backup", "--db", self.db])
        self.assertEqual(out.returncode, 2)
        self.assertIn("either --to FILE", out.stderr)
        out = run([LAUREL, "backup", "--db", os.path.join(self.tmp, "missing.db"), "--dir", os.path.join(self.tmp, "b")])
        self.assertEqual(out.returncode, 1)
        self.assertIn("no database at", out.stderr)


# --- Upgrades and start-up errors ---------------------------------------------------------------
FIXTURE = os.path.join(HERE, "fixtures", "schema-v1")


class UpgradeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="laurel-ops-upgrade-")
        self.db = fresh_copy(FIXTURE, self.tmp)
        with open(os.path.join(FIXTURE, "fixture.json")) as f:
            self.fixture = json.load(f)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def serve(self, *args):
        return run([LAUREL, "serve", "--db", self.db, "--listen", "127.0.0.1:0"] + list(args), timeout=60)

    def test_schema_1_fixture_migrates_on_start_after_a_backup(self):
        self.assertEqual(user_version(self.db), 1)
        latest = latest_schema()
        before = sha256_file(self.db)
        server = Server(LAUREL, self.db, self.tmp, dev_clock=False).start()
        try:
            c = Client(server).must_login("ops_unit", self.fixture["password"])
            n = c.get("/api/v1/nominations/" + q(self.fixture["nomination"]))
            self.assertEqual(n.status, 200)
            self.assertEqual(n.json["state"], "county_review")
            self.assertEqual(len(n.json["attachments"]), 5)
        finally:
            self.assertEqual(server.stop(), 0)
        self.assertEqual(user_version(self.db), latest)
        backups = glob.glob(self.db + ".v1-*.bak")
        if latest > 1:
            self.assertEqual(len(backups), 1, backups)
            self.assertRegex(os.path.basename(backups[0]), r"^laurel\.db\.v1-\d{8}T\d{6}Z\.bak$")
            self.assertEqual(user_version(backups[0]), 1)
            verify = run([LAUREL, "audit", "verify", "--db", backups[0]])
            self.assertEqual(verify.returncode, 0, verify.stderr)
            with open(server.log_path) as f:
                self.assertIn('"event":"migrated"', f.read())
        else:
            self.assertEqual(backups, [], "no migration, no backup")
        verify = run([LAUREL, "audit", "verify", "--db", self.db])
        self.assertEqual(verify.returncode, 0, verify.stderr)
        self.assertIn("ok", verify.stdout)
        self.assertGreaterEqual(len(audit_addresses(self.db)), self.fixture["records"])
        del before

    def test_newer_database_refused_and_unchanged(self):
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()
        before = sha256_file(self.db)
        out = self.serve()
        self.assertEqual(out.returncode, 1)
        self.assertIn("schema version 999, written by a newer Laurel", out.stderr)
        self.assertIn("Nothing was changed", out.stderr)
        self.assertEqual(sha256_file(self.db), before)
        self.assertEqual(glob.glob(self.db + ".v*"), [])
        self.assertFalse(os.path.exists(self.db + "-wal") and os.path.getsize(self.db + "-wal") > 0)

    def test_missing_database(self):
        out = run([LAUREL, "serve", "--db", os.path.join(self.tmp, "nothing.db"), "--listen", "127.0.0.1:0"])
        self.assertEqual(out.returncode, 1)
        self.assertIn("no database at", out.stderr)

    def test_missing_key(self):
        os.remove(self.db + ".key")
        out = self.serve()
        self.assertEqual(out.returncode, 1)
        self.assertIn("the audit signing key %s.key is missing" % self.db, out.stderr)

    def test_key_that_is_not_a_file(self):
        os.remove(self.db + ".key")
        os.mkdir(self.db + ".key")
        out = self.serve()
        self.assertEqual(out.returncode, 1)
        self.assertIn(self.db + ".key", out.stderr)
        self.assertIn("not a regular file", out.stderr)

    @unittest.skipIf(os.geteuid() == 0, "root reads every file")
    def test_unreadable_database(self):
        os.chmod(self.db, 0o200)
        out = self.serve()
        self.assertEqual(out.returncode, 1)
        self.assertIn("cannot read and write", out.stderr)

    def test_port_in_use(self):
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        try:
            out = run([LAUREL, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % holder.getsockname()[1]], timeout=60)
        finally:
            holder.close()
        self.assertEqual(out.returncode, 1)
        self.assertIn("Address already in use", out.stderr)
        self.assertIn("holds this port", out.stderr)

    def test_wrong_setting_names_file_and_line(self):
        conf = os.path.join(self.tmp, "laurel.conf")
        with open(conf, "w") as f:
            f.write("# test\ndb = %s\nlisten = 127.0.0.1:0\nbody-limt = 100\nworkers = many\n" % self.db)
        out = run([LAUREL, "serve", "--config", conf])
        self.assertEqual(out.returncode, 2)
        self.assertIn('%s:4: unknown setting "body-limt" (did you mean "body-limit"?)' % conf, out.stderr)
        self.assertIn('%s:5: workers: "many" is not a whole number' % conf, out.stderr)
        out = run([LAUREL, "config", "check", conf])
        self.assertEqual(out.returncode, 1)
        self.assertIn("%s:4:" % conf, out.stderr)
        out = run([LAUREL, "serve", "--db", self.db, "--listen", "127.0.0.1:0", "--trusted-proxies", "10.0.0.0/33"])
        self.assertEqual(out.returncode, 2)
        self.assertIn("trusted-proxies", out.stderr)
        self.assertIn("prefix length", out.stderr)
        out = run([LAUREL, "serve", "--db", self.db, "--listen", "localhost"])
        self.assertEqual(out.returncode, 2)
        self.assertIn('listen: "localhost" is not ADDRESS:PORT', out.stderr)


# --- The service: systemd units, readiness, configuration, alert rules -------------------------
class ServiceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="laurel-ops-service-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def units(self):
        """The units with the binary's path made real (verify checks that ExecStart exists)."""
        out = []
        for name in ("laurel.service", "laurel-backup.service", "laurel-backup.timer"):
            with open(os.path.join(SOURCE, "deploy", "systemd", name)) as f:
                text = f.read().replace("/usr/local/bin/laurel", os.path.abspath(LAUREL))
            path = os.path.join(self.tmp, name)
            with open(path, "w") as f:
                f.write(text)
            out.append(path)
        return out

    def config(self, db, port):
        """deploy/laurel.conf with this machine's paths."""
        with open(os.path.join(SOURCE, "deploy", "laurel.conf")) as f:
            text = f.read()
        replacements = [("db = /var/lib/laurel/laurel.db", "db = " + db),
                        ("workflows = /usr/local/share/laurel/workflows", "workflows = " + os.path.join(SOURCE, "workflows")),
                        ("templates = /usr/local/share/laurel/templates", "templates = " + os.path.join(SOURCE, "web", "templates")),
                        ("static = /usr/local/share/laurel/static", "static = " + os.path.join(SOURCE, "web", "static")),
                        ("listen = 127.0.0.1:8080", "listen = 127.0.0.1:%d" % port)]
        for old, new in replacements:
            self.assertIn(old, text)
            text = text.replace(old, new)
        path = os.path.join(self.tmp, "laurel.conf")
        with open(path, "w") as f:
            f.write(text)
        return path

    @unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
    def test_units_verify_and_are_sandboxed(self):
        units = self.units()
        out = subprocess.run(["systemd-analyze", "verify"] + units, capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
        self.assertEqual(out.stderr.strip(), "", out.stderr)
        sec = subprocess.run(["systemd-analyze", "security", "--offline=true", "--threshold=20", units[0]],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(sec.returncode, 0, sec.stdout[-2000:] + sec.stderr)
        self.assertIn("Overall exposure level", sec.stdout)

    def test_documented_configuration_is_complete(self):
        with open(os.path.join(SOURCE, "deploy", "laurel.conf")) as f:
            text = f.read()
        with open(os.path.join(SOURCE, "README.md")) as f:
            readme = f.read()
        listed = run([LAUREL, "config", "settings"])
        self.assertEqual(listed.returncode, 0)
        names = re.findall(r"^(\S+) = ", listed.stdout, re.M)
        self.assertGreater(len(names), 15)
        for name in names:
            self.assertRegex(text, r"(?m)^#? ?%s = " % re.escape(name), "deploy/laurel.conf does not document %s" % name)
            self.assertTrue("`%s`" % name in readme, "README does not document %s" % name)

    def test_exec_start_by_hand_with_readiness_and_clean_stop(self):
        db = fresh_copy(init_template(), self.tmp)
        port = free_port()
        conf = self.config(db, port)
        check = run([LAUREL, "config", "check", conf])
        self.assertEqual(check.returncode, 0, check.stderr)
        with open(self.units()[0]) as f:
            unit = f.read()
        exec_start = re.search(r"^ExecStart=(.*)$", unit, re.M).group(1).split()
        exec_pre = re.search(r"^ExecStartPre=(.*)$", unit, re.M).group(1).split()
        exec_start = [conf if a == "/etc/laurel/laurel.conf" else a for a in exec_start]
        exec_pre = [conf if a == "/etc/laurel/laurel.conf" else a for a in exec_pre]
        self.assertEqual(run(exec_pre).returncode, 0)
        stop_timeout = int(re.search(r"^TimeoutStopSec=(\d+)$", unit, re.M).group(1))

        notify_path = os.path.join(self.tmp, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        notify.settimeout(30)
        env = laurel_env()
        env["NOTIFY_SOCKET"] = notify_path
        log = open(os.path.join(self.tmp, "serve.log"), "wb")
        proc = subprocess.Popen(exec_start, stdout=subprocess.DEVNULL, stderr=log, env=env, preexec_fn=_die_with_parent)
        try:
            ready = notify.recv(4096).decode()
            self.assertIn("READY=1", ready)
            self.assertIn("MAINPID=%d" % proc.pid, ready)
            # Ready means serving: the port answers at once.
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.read()), (200, b"ok"))
            conn.close()
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            self.assertIn("STOPPING=1", notify.recv(4096).decode())
            self.assertEqual(proc.wait(timeout=stop_timeout), 0)
            self.assertLess(time.monotonic() - started, stop_timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            notify.close()
            log.close()

    def test_alert_rules(self):
        path = os.path.join(SOURCE, "deploy", "prometheus", "laurel-alerts.yml")
        try:
            import yaml
        except ImportError:
            self.skipTest("python3-yaml is not installed")
        with open(path) as f:
            rules = yaml.safe_load(f)
        alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
        for needed in ("LaurelDown", "LaurelHighErrorRate", "LaurelSlowCommits", "LaurelDiskSpaceLow", "LaurelUnsignedRecords",
                       "LaurelBackupMissing"):
            self.assertIn(needed, alerts)
        # Every laurel_* metric an alert uses is one the server exports (or a histogram's series).
        tmp_db = fresh_copy(init_template(), self.tmp)
        server = Server(LAUREL, tmp_db, self.tmp, dev_clock=False).start()
        try:
            Client(server).get("/healthz")
            exported = set(re.findall(r"^# TYPE (\S+) ", Client(server).get("/metrics").text, re.M))
        finally:
            self.assertEqual(server.stop(), 0)
        exported.add("laurel_last_backup_timestamp_seconds")  # present once a backup has run (BackupTest)
        for name, rule in alerts.items():
            for metric in re.findall(r"\b(laurel_[a-z_]+)", rule["expr"]):
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                self.assertTrue(metric in exported or base in exported, "%s uses %s, which /metrics does not export" % (name, metric))
            self.assertIn("summary", rule["annotations"])
        if shutil.which("promtool"):
            out = subprocess.run(["promtool", "check", "rules", path], capture_output=True, text=True, timeout=60)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)


def main():
    global LAUREL
    ap = argparse.ArgumentParser()
    ap.add_argument("--laurel", required=True)
    args, rest = ap.parse_known_args()
    LAUREL = os.path.abspath(args.laurel)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
