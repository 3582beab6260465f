#!/usr/bin/env python3
"""End-to-end test of the materials form that works without JavaScript (issue #6): the real `laurel`
binary on a real socket, driven as a browser without scripts drives it.

    python3 tests/e2e/test_pages_upload.py --laurel build/release/web/laurel [unittest options]

A nominating unit signs in through the sign-in page, takes the CSRF token from the page, and posts a
material as multipart/form-data to POST /nominations/{id}/materials; the server streams the body to
disk, parses it, stores the file part and redirects back to the page, which lists the file. Refused:
without the CSRF field or with a wrong one, a reviewer of another office (recorded as denied), a body
over the upload limit (by its Content-Length, and sent whole), a file over the limit inside a body
that is not, and malformed multipart; each with a page that says why in Chinese (or English).
"""

import hashlib
import http.client
import os
import re
import shutil
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from laurel_client import ADMIN_PASSWORD, Client, Server, copy_database, make_init_template, q, run_tests  # noqa: E402

PASSWORD = "Pages-upload-e2e-pw-2024!"
LIMIT = 20 * 1024 * 1024
BOUNDARY = "----LaurelE2EFormBoundary4d2f"


def pdf(label, size=0):
    data = b"%PDF-1.4\n% " + label.encode() + b"\n"
    return data + b"0" * max(0, size - len(data))


def multipart(fields, files, boundary=BOUNDARY):
    """`fields` [(name, value)], `files` [(name, filename, content type, bytes)] as a browser encodes them."""
    out = b""
    for name, value in fields:
        out += b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), name.encode(), value.encode())
    for name, filename, ctype, data in files:
        out += (b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (boundary.encode(), name.encode(), filename.encode(), ctype.encode())) + data + b"\r\n"
    return out + b"--%s--\r\n" % boundary.encode()


class PageUser:
    """A browser without JavaScript: a session cookie from the sign-in page, the CSRF token from a page."""

    def __init__(self, server, username):
        self.server = server
        self.client = Client(server)
        r = self.client.raw("POST", "/login", "username=%s&password=%s" % (q(username), q(PASSWORD)),
                            content_type="application/x-www-form-urlencoded")
        assert r.status == 303, r
        self.cookie = r.header("set-cookie").split(";", 1)[0]
        home = self.get("/")
        m = re.search(r'<meta name="csrf-token" content="([^"]+)">', home.text)
        assert m, home
        self.csrf = m.group(1)

    def get(self, path):
        return self.client.raw("GET", path, headers={"Cookie": self.cookie})

    def api(self, method, path, body=None):
        return self.client.raw(method, path, body, headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf})

    def upload(self, nid, body, boundary=BOUNDARY, lang=None):
        path = "/nominations/%s/materials" % q(nid) + ("?lang=" + lang if lang else "")
        return self.client.raw("POST", path, body, headers={"Cookie": self.cookie},
                               content_type="multipart/form-data; boundary=" + boundary)


class ServerCase(unittest.TestCase):
    """`laurel serve` on a fresh database (a copy of one `laurel init` made), with USERS (username,
    role, jurisdiction) made by the administrator and `unit` signed in through the pages as USER_CLASS.
    `binary` is the laurel under test, set by the script's main."""
    binary = None
    PREFIX = "laurel-e2e-"
    USERS = []
    USER_CLASS = None

    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix=cls.PREFIX)
        cls.addClassCleanup(shutil.rmtree, cls.root, True)
        cls.tmp, cls.db = copy_database(make_init_template(cls.binary, cls.root))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.server = Server(cls.binary, cls.db, cls.tmp)
        cls.addClassCleanup(cls._stop)
        cls.server.start()
        cls.admin = Client(cls.server).must_login("admin", ADMIN_PASSWORD)
        for username, role, place in cls.USERS:
            r = cls.admin.post("/api/v1/users", {"username": username, "display_name": username, "password": PASSWORD,
                                                 "roles": [{"role": role, "jurisdiction": place}]})
            assert r.status == 201, r
        cls.unit = cls.USER_CLASS(cls.server, "gz_unit")

    @classmethod
    def _stop(cls):
        rc = cls.server.stop()
        if rc != 0:
            raise AssertionError("laurel serve exited with %r; log:\n%s" % (rc, cls.server.log_tail()))


class PagesUploadTests(ServerCase):
    PREFIX = "laurel-e2e-upload-"
    USERS = [("gz_unit", "nominator", "620922"), ("jt_reviewer", "reviewer", "620921"), ("gz_reviewer", "reviewer", "620922")]
    USER_CLASS = PageUser

    def create(self):
        r = self.unit.api("POST", "/api/v1/nominations", {
            "category": "family", "level": "county", "year": 2025, "jurisdiction": "620922213",
            "nominee": {"name": "马玉兰家庭", "ethnic_groups": "回族、汉族", "members": "4", "address": "瓜州县双塔乡",
                        "contact_phone": "13912345678"},
            "summary": "积极参与民族团结进步创建活动。"})
        self.assertEqual(r.status, 201, r)
        return r.json["id"]

    def attachments(self, nid):
        r = self.unit.api("GET", "/api/v1/nominations/" + q(nid))
        self.assertEqual(r.status, 200, r)
        return r.json["attachments"]

    def test_the_unit_uploads_through_the_form_and_sees_the_material_listed(self):
        nid = self.create()
        page = self.unit.get("/nominations/" + q(nid))
        self.assertEqual(page.status, 200)
        self.assertIn('enctype="multipart/form-data" action="/nominations/%s/materials"' % nid, page.text)
        self.assertNotIn("<noscript>", page.text)
        data = pdf("申报表") + os.urandom(2 * 1024 * 1024)  # above the 1 MiB form limit: streamed to disk
        r = self.unit.upload(nid, multipart([("csrf", self.unit.csrf), ("material", "application_form")],
                                            [("file", "申报表.pdf", "application/pdf", data)]))
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("location"), "/nominations/%s?done=attach#materials" % nid)
        after = self.unit.get(r.header("location").split("#")[0])
        self.assertEqual(after.status, 200)
        self.assertIn("材料已上传", after.text)
        self.assertIn("申报表.pdf", after.text)
        got = self.attachments(nid)
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0]["material"], got[0]["filename"], got[0]["size"], got[0]["sha256"]),
                         ("application_form", "申报表.pdf", len(data), hashlib.sha256(data).hexdigest()))
        r = self.unit.get("/api/v1/nominations/%s/attachments/%s" % (q(nid), got[0]["sha256"]))
        self.assertEqual(r.body, data)
        # No temporary upload file is left behind in the attachments folder.
        folder = os.path.dirname(self.db)
        leftovers = [f for _, _, names in os.walk(folder) for f in names if f.startswith((".incoming-", ".upload-"))]
        self.assertEqual(leftovers, [])

    def test_refused_without_the_csrf_field_or_with_a_wrong_one(self):
        nid = self.create()
        for fields in ([("material", "deeds")], [("csrf", "not-the-token"), ("material", "deeds")]):
            r = self.unit.upload(nid, multipart(fields, [("file", "事迹.pdf", "application/pdf", pdf("x"))]))
            self.assertEqual(r.status, 403, r)
            self.assertIn("表单校验失败", r.text)
        # Nor does the session cookie alone do it from another client (no cookie: sign in first).
        r = Client(self.server).raw("POST", "/nominations/%s/materials" % q(nid),
                                    multipart([("csrf", self.unit.csrf), ("material", "deeds")], [("file", "a.pdf", "application/pdf", pdf("y"))]),
                                    content_type="multipart/form-data; boundary=" + BOUNDARY)
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.attachments(nid), [])

    def test_refused_for_a_reviewer_of_another_office_and_recorded(self):
        nid = self.create()
        reviewer = PageUser(self.server, "jt_reviewer")
        r = reviewer.upload(nid, multipart([("csrf", reviewer.csrf), ("material", "deeds")], [("file", "a.pdf", "application/pdf", pdf("z"))]))
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.header("content-type").startswith("text/html"), r.header("content-type"))
        self.assertEqual(self.attachments(nid), [])
        history = self.unit.api("GET", "/api/v1/nominations/%s/history" % q(nid)).json
        denied = [h["record"] for h in history if h["record"].get("outcome") == "denied"]
        self.assertEqual([(d["action"], d["who"]["user"]) for d in denied], [("attach", "jt_reviewer")])

    def test_oversize_refused_with_a_clear_message(self):
        nid = self.create()
        # By its Content-Length, before the body is read: an HTML page in the person's language.
        head = ("POST /nominations/%s/materials HTTP/1.1\r\nHost: t\r\nCookie: %s\r\n"
                "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"
                % (nid, self.unit.cookie, BOUNDARY, LIMIT + 1024 * 1024)).encode()
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=20)
        try:
            s.sendall(head)
            resp = http.client.HTTPResponse(s)
            resp.begin()
            text = resp.read().decode()
        finally:
            s.close()
        self.assertEqual(resp.status, 413)
        self.assertIn("文件超过了 20 MB 的上限", text)
        # Sent whole, as a browser does before it reads the answer: the answer still arrives (the
        # server drains the refused body instead of resetting the connection).
        big = multipart([("csrf", self.unit.csrf), ("material", "deeds")], [("file", "big.pdf", "application/pdf", pdf("big", LIMIT + 200 * 1024))])
        r = self.unit.upload(nid, big, lang="en")
        self.assertEqual(r.status, 413, r)
        self.assertIn("larger than the limit of 20 MB", r.text)
        # A file just over the limit inside a body that is not (the form's room around the file).
        r = self.unit.upload(nid, multipart([("csrf", self.unit.csrf), ("material", "deeds")],
                                            [("file", "big.pdf", "application/pdf", pdf("edge", LIMIT + 1))]))
        self.assertEqual(r.status, 413, r)
        self.assertIn("文件超过了 20 MB 的上限", r.text)
        self.assertEqual(self.attachments(nid), [])
        self.assertEqual(Client(self.server).get("/healthz").status, 200)

    def test_malformed_multipart_refused(self):
        nid = self.create()
        good = multipart([("csrf", self.unit.csrf), ("material", "deeds")], [("file", "a.pdf", "application/pdf", pdf("m"))])
        cases = [
            (good[:-40], BOUNDARY, "表单内容不完整"),                                  # truncated
            (good, "another-boundary", "表单内容中找不到分隔标记"),                    # boundary not in the body
            (good.replace(b"\r\n", b"\n"), BOUNDARY, "表单的分隔行格式错误"),          # bare LF
            (good.replace(b"Content-Disposition: form-data; name=\"material\"", b"X-" + b"y" * 9000 + b": z"), BOUNDARY,
             "头信息过长"),
        ]
        for body, boundary, message in cases:
            r = self.unit.upload(nid, body, boundary=boundary)
            self.assertEqual(r.status, 400, r)
            self.assertIn(message, r.text)
        # A missing boundary parameter; two files in one post.
        r = self.unit.client.raw("POST", "/nominations/%s/materials" % q(nid), good, headers={"Cookie": self.unit.cookie},
                                 content_type="multipart/form-data")
        self.assertEqual(r.status, 400, r)
        self.assertIn("分隔标记缺失或无效", r.text)
        two = multipart([("csrf", self.unit.csrf), ("material", "photos")],
                        [("file", "a.jpg", "image/jpeg", b"\xff\xd8\xff\xe0a"), ("file", "b.jpg", "image/jpeg", b"\xff\xd8\xff\xe0b")])
        r = self.unit.upload(nid, two)
        self.assertEqual(r.status, 422, r)
        self.assertIn("一次只能上传一个文件", r.text)
        self.assertEqual(self.attachments(nid), [])
        self.assertEqual(Client(self.server).get("/healthz").status, 200)


def main():
    def use(path):
        ServerCase.binary = path

    return run_tests(__doc__, '../../build/release/web/laurel', use)


if __name__ == "__main__":
    sys.exit(main())
