#!/usr/bin/env python3
"""End-to-end tests of Laurel's HTTP API (shared/API.md) against the real binary on a real socket.

    python3 tests/e2e/test_api.py --laurel build/e2e/web/laurel [unittest options, test names]

Python 3 standard library only. Each test class starts `laurel serve --listen 127.0.0.1:0` on its own
copy of a database made once by `laurel demo` (or `laurel init`), drives it over HTTP, and stops it
with SIGTERM, expecting exit status 0. Time moves with --dev-clock (POST /api/v1/dev/clock).
Temporary folders and processes are removed even when a test fails.
"""

import base64
import hashlib
import http.client
import json
import os
import resource
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from laurel_client import (ADMIN_PASSWORD, DEMO_PASSWORD, Client, Server, copy_database,  # noqa: E402
                           laurel_env, make_demo_template, make_init_template, q, run_tests)

LAUREL = None
_ROOT = None
_TEMPLATES = {}

# Sessions that outlive the dev clock's jumps (the idle and absolute expiry run on the server's clock).
LONG_SESSIONS = ["--session-idle", "5000000", "--session-lifetime", "90000"]

GZ = "620922"            # 瓜州县
SHUANGTA = "620922213"   # 双塔乡, a township of 瓜州县
JQ = "620900"            # 酒泉市
GS = "620000"            # 甘肃省
DAY = 86400


def template(kind):
    global _ROOT
    if _ROOT is None:
        _ROOT = tempfile.mkdtemp(prefix="laurel-e2e-templates-")
    reuse = os.environ.get("LAUREL_E2E_TEMPLATES")  # for iterating on the tests: keep templates here
    if kind not in _TEMPLATES and reuse:
        folder = os.path.join(reuse, "template" if kind == "demo" else "init")
        if os.path.exists(os.path.join(folder, "laurel.db")):
            _TEMPLATES[kind] = folder
    if kind not in _TEMPLATES:
        _TEMPLATES[kind] = (make_demo_template if kind == "demo" else make_init_template)(LAUREL, _ROOT)
    return _TEMPLATES[kind]


def tearDownModule():
    if _ROOT:
        shutil.rmtree(_ROOT, ignore_errors=True)


# --- files whose content matches their type (the server sniffs content) ---------------------------
def pdf(label):
    return ("%%PDF-1.4\n%% e2e %s\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" % label).encode()


def png(label):
    return b"\x89PNG\r\n\x1a\n" + label.encode()


def jpeg(label):
    return b"\xff\xd8\xff\xe0JFIF e2e " + label.encode()


MATERIALS = {
    # category kind -> [(material, filename, content type, maker)]
    "family": [("application_form", "申报表.pdf", "application/pdf", pdf), ("deeds", "事迹材料.pdf", "application/pdf", pdf),
               ("photos", "照片1.png", "image/png", png), ("photos", "照片2.jpg", "image/jpeg", jpeg),
               ("community_opinion", "社区意见.pdf", "application/pdf", pdf)],
    "unit": [("application_form", "申报表.pdf", "application/pdf", pdf), ("deeds", "事迹材料.pdf", "application/pdf", pdf),
             ("photos", "照片1.png", "image/png", png), ("photos", "照片2.jpg", "image/jpeg", jpeg)],
}

INDICATORS = {
    "family": ["family_harmony", "neighbourly_help", "law_abiding", "family_tradition", "unity_activities", "diligence"],
    "village": ["party_organisation", "education", "income_growth", "living_conditions", "exchange", "dispute_mediation", "civility"],
    "school": ["leadership", "curriculum", "student_activities", "common_language", "student_support", "exchange", "campus_safety"],
    "hospital": ["leadership", "education", "equal_service", "bilingual_service", "free_clinics", "customs", "patient_relations"],
    "enterprise": ["leadership", "education", "employment", "employee_rights", "social_responsibility", "exchange", "labour_relations"],
    "township": ["leadership", "education", "economic_development", "public_services", "exchange", "rule_of_law", "model_role"],
}
MAXIMA = {}

PANELS = {"county": ["gz_panel1", "gz_panel2", "gz_panel3"], "city": ["jq_panel1", "jq_panel2", "jq_panel3"],
          "province": ["gs_panel1", "gs_panel2", "gs_panel3"]}
STAFF = {"county": ("gz_reviewer", "gz_approver"), "city": ("jq_reviewer", "jq_approver"), "province": ("gs_reviewer", "gs_approver")}

_counter = [0]


def unique(prefix):
    _counter[0] += 1
    return "%s%d-%d" % (prefix, os.getpid() % 1000, _counter[0])


# --- RFC 9162 verification ---------------------------------------------------------------------
def sha256(b):
    return hashlib.sha256(b).digest()


def canonical(record):
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def leaf_hash(record_bytes):
    return sha256(b"\x00" + record_bytes)


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(b"\x01" + r + p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof, root1, root2):
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    if size1 & (size1 - 1) == 0:
        proof = [root1] + list(proof)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = sha256(b"\x01" + c + fr)
            sr = sha256(b"\x01" + c + sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha256(b"\x01" + sr + c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def parse_checkpoint(text):
    body, _, sigs = text.partition("\n\n")
    lines = body.split("\n")
    return {"origin": lines[0], "size": int(lines[1]), "root": base64.b64decode(lines[2], validate=True),
            "extensions": lines[3:], "body": body + "\n", "signatures": [s for s in sigs.split("\n") if s]}


class LaurelCase(unittest.TestCase):
    """One server per class, on a fresh copy of the demo database."""

    template_kind = "demo"
    server_args = LONG_SESSIONS
    dev_clock = True
    maxDiff = 4000

    @classmethod
    def setUpClass(cls):
        cls.tmp, cls.db = copy_database(template(cls.template_kind))
        cls.addClassCleanup(shutil.rmtree, cls.tmp, True)
        cls.server = Server(LAUREL, cls.db, cls.tmp, cls.server_args, dev_clock=cls.dev_clock)
        cls.addClassCleanup(cls._stop_server)
        cls.server.start()
        cls._clients = {}

    @classmethod
    def _stop_server(cls):
        if cls.server.running():
            rc = cls.server.stop()
            if rc != 0:
                raise AssertionError("laurel serve exited with %r after SIGTERM; log:\n%s" % (rc, cls.server.log_tail()))

    # --- users ---------------------------------------------------------------------------------
    def as_(self, user):
        c = self._clients.get(user)
        if c is None:
            c = Client(self.server).must_login(user, ADMIN_PASSWORD if user == "admin" else DEMO_PASSWORD)
            self._clients[user] = c
        return c

    def anon(self):
        return Client(self.server)

    # --- assertions ----------------------------------------------------------------------------
    def assertStatus(self, r, status):
        self.assertEqual(r.status, status, "expected %d, got %r" % (status, r))

    def assertProblem(self, r, status, code):
        self.assertEqual(r.status, status, "expected %d %s, got %r" % (status, code, r))
        self.assertTrue((r.header("content-type") or "").startswith("application/problem+json"), r.header("content-type"))
        p = r.json
        self.assertEqual(p["code"], code, r)
        self.assertEqual(p["status"], status)
        self.assertEqual(p["type"], "/problems/" + code)
        self.assertIn("title", p)
        self.assertIn("detail", p)
        return p

    # --- nominations ---------------------------------------------------------------------------
    def nom(self, nid, user="gz_reviewer"):
        r = self.as_(user).get("/api/v1/nominations/" + q(nid))
        self.assertStatus(r, 200)
        return r.json

    def create(self, category="family", level="county", year=2025, jurisdiction=SHUANGTA, name=None, user="gz_unit",
               phone="13912345678"):
        name = name or unique("测试" + category)
        if category == "family":
            nominee = {"name": name + "家庭", "ethnic_groups": "回族、汉族", "members": "4", "address": "瓜州县双塔乡月牙墩村",
                       "contact_phone": phone}
        else:
            nominee = {"name": name, "contact_person": "张明", "contact_phone": phone}
        r = self.as_(user).post("/api/v1/nominations", {"category": category, "level": level, "year": year,
                                                        "jurisdiction": jurisdiction, "nominee": nominee,
                                                        "summary": name + "积极参与民族团结进步创建活动。"})
        self.assertStatus(r, 201)
        n = r.json
        self.assertEqual(n["state"], "draft")
        self.assertEqual(n["version"], 1)
        return n

    def upload_materials(self, n, user="gz_unit"):
        kind = "family" if n["category"] == "family" else "unit"
        for i, (material, filename, ctype, make) in enumerate(MATERIALS[kind]):
            data = make("%s %s %d" % (n["id"], material, i))
            r = self.as_(user).post("/api/v1/nominations/%s/attachments?material=%s&filename=%s" % (q(n["id"]), q(material), q(filename)),
                                    data, content_type=ctype)
            self.assertStatus(r, 201)
            self.assertEqual(r.json["sha256"], hashlib.sha256(data).hexdigest())
            self.assertEqual(r.json["size"], len(data))
            self.assertEqual(r.json["material"], material)
            self.assertEqual(r.json["filename"], filename)
        return self.nom(n["id"], user)

    def act(self, user, nid, action, version=None, comment=None, data=None, status=200, headers=None):
        if version is None:
            version = self.nom(nid, user if user not in ("gz_panel1", "gz_panel2", "gz_panel3") else "gz_reviewer")["version"]
        body = {"action": action, "expected_version": version}
        if comment is not None:
            body["comment"] = comment
        if data is not None:
            body["data"] = data
        r = self.as_(user).post("/api/v1/nominations/%s/actions" % q(nid), body, headers=headers)
        if status == 200:
            self.assertStatus(r, 200)
            return r.json
        return r

    def submitted(self, category="family", level="county", **kw):
        n = self.upload_materials(self.create(category, level, **kw))
        n = self.act("gz_unit", n["id"], "submit", n["version"])
        self.assertEqual(n["state"], "county_review")
        return n

    def score_all(self, n, level):
        for panelist in PANELS[level]:
            points = {i: MAXIMA[n["category"]][i] for i in INDICATORS[n["category"]]}
            n = self.act(panelist, n["id"], "score", n["version"], data={"points": points, "veto": False})
            self.assertEqual(n["state"], "evaluation")
        return n

    def shortlisted(self, category="family", level="county", **kw):
        """A nomination taken through every review below its level, accepted, scored and shortlisted."""
        n = self.submitted(category, level, **kw)
        route = ["county", "city", "province"]
        for lower in route[:route.index(level)]:
            n = self.act(STAFF[lower][0], n["id"], "recommend", n["version"])
        reviewer = STAFF[level][0]
        self.assertEqual(n["state"], level + "_review")
        n = self.act(reviewer, n["id"], "accept", n["version"])
        self.assertEqual(n["state"], "evaluation")
        n = self.score_all(n, level)
        n = self.act(reviewer, n["id"], "close_evaluation", n["version"])
        self.assertEqual(n["state"], "shortlisted")
        return n

    def wait_for_state(self, nid, state, seconds=5):
        """The state once it is `state`, or the last one seen after `seconds` (timers run in the background)."""
        deadline = time.monotonic() + seconds
        while True:
            got = self.nom(nid)["state"]
            if got == state or time.monotonic() > deadline:
                return got
            time.sleep(0.1)

    # --- the clock ---------------------------------------------------------------------------
    def now(self):
        r = self.as_("admin").get("/api/v1/dev/clock")
        self.assertStatus(r, 200)
        return parse_time(r.json["now"])

    def advance(self, seconds):
        r = self.as_("admin").post("/api/v1/dev/clock", {"advance_seconds": int(seconds)})
        self.assertStatus(r, 200)
        return parse_time(r.json["now"])

    def advance_to(self, t):
        now = self.now()
        if t > now:
            return self.advance(t - now)
        return now


def parse_time(s):
    import calendar
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def load_maxima():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "workflows", "categories.json")
    with open(path, encoding="utf-8") as f:
        for c in json.load(f)["categories"]:
            MAXIMA[c["id"]] = {i["id"]: i["max"] for i in c["indicators"]}


# =================================================================================================
class JourneyTests(LaurelCase):
    """Whole journeys over HTTP: county, city and province levels, batches, objections, quotas,
    withdrawal, revocation, return and resubmit."""

    def test_county_family_from_draft_to_named(self):
        n = self.create("family", phone="13987654321")
        nid = n["id"]
        self.assertEqual(n["office"], GZ)
        self.assertEqual(n["workflow"]["id"], "honours.county")
        self.assertIn("submit", n["available_actions"])
        # Submitting without the materials is refused and names the problem.
        r = self.act("gz_unit", nid, "submit", n["version"], status=422)
        self.assertProblem(r, 422, "missing_materials")
        n = self.upload_materials(n)
        self.assertEqual(len(n["attachments"]), 5)
        # An attachment comes back byte for byte.
        att = n["attachments"][0]
        r = self.as_("gz_unit").get("/api/v1/nominations/%s/attachments/%s" % (nid, att["sha256"]))
        self.assertStatus(r, 200)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), att["sha256"])
        self.assertEqual(r.header("content-type"), att["content_type"])

        n = self.act("gz_unit", nid, "submit", n["version"], comment="请审核")
        self.assertEqual(n["state"], "county_review")
        reviewer_view = self.nom(nid, "gz_reviewer")
        self.assertIn("accept", reviewer_view["available_actions"])
        self.assertEqual(reviewer_view["nominee"]["contact_phone"], "13987654321")
        n = self.act("gz_reviewer", nid, "accept", n["version"])
        self.assertEqual(n["state"], "evaluation")
        n = self.score_all(n, "county")
        self.assertEqual(n["score_sheet_count"], 3)
        n = self.act("gz_reviewer", nid, "close_evaluation", n["version"])
        self.assertEqual(n["state"], "shortlisted")
        self.assertTrue(n["evaluation"]["passed"])
        self.assertEqual(n["evaluation"]["mean_x100"], 10000)

        n = self.act("gz_approver", nid, "approve", n["version"], data={"notice_title": "瓜州县民族团结进步示范家庭拟命名公示"})
        self.assertEqual(n["state"], "publicity")
        pub = n["publicity"]
        starts, ends = parse_time(pub["starts_at"]), parse_time(pub["ends_at"])
        self.assertGreaterEqual(ends - starts, 5 * DAY, "five working days span at least five calendar days")
        self.assertLessEqual(ends - starts, 20 * DAY)

        # The public sees the notice without an account, and no personal contact data.
        r = self.anon().get("/api/v1/public/notices")
        self.assertStatus(r, 200)
        notice = [x for x in r.json if x["id"] == pub["notice_id"]]
        self.assertEqual(len(notice), 1, r)
        self.assertEqual(notice[0]["title"], "瓜州县民族团结进步示范家庭拟命名公示")
        self.assertEqual([x["nomination_id"] for x in notice[0]["nominees"]], [nid])
        self.assertNotIn("13987654321", r.text)
        self.assertNotIn("contact_phone", r.text)

        # The window opens on the first working day after the notice is issued: no objection before.
        if self.now() < starts:
            r = self.anon().post("/api/v1/public/notices/%s/objections" % q(pub["notice_id"]), {"nomination_id": nid, "text": "太早"})
            self.assertProblem(r, 422, "invalid_transition")
        self.advance_to(starts + 3600)
        # A public objection, with a contact, acknowledged by a receipt.
        r = self.anon().post("/api/v1/public/notices/%s/objections" % q(pub["notice_id"]),
                             {"nomination_id": nid, "text": "该家庭事迹材料有夸大成分。", "contact": "王先生 13800001111"})
        self.assertStatus(r, 202)
        receipt = r.json["receipt"]
        n = self.nom(nid, "gz_reviewer")
        self.assertEqual([(o["id"], o["state"]) for o in n["objections"]], [(receipt, "open")])
        self.assertEqual(n["objections"][0]["contact"], "王先生 13800001111", "the office's reviewer sees the contact")
        owner_view = self.nom(nid, "gz_unit")
        self.assertNotIn("contact", owner_view["objections"][0], "the nominating unit does not see the objector")
        r = self.anon().get("/api/v1/public/notices")
        self.assertNotIn("13800001111", r.text)
        self.assertNotIn("王先生", r.text)
        # Naming is not possible during publicity.
        r = self.act("gz_approver", nid, "name", n["version"], data={"document_no": "瓜民团发〔2025〕1号"}, status=422)
        self.assertProblem(r, 422, "invalid_transition")
        # A dismissal needs a finding.
        r = self.act("gz_reviewer", nid, "dismiss_objection", n["version"], data={"objection_id": receipt}, status=422)
        self.assertProblem(r, 422, "validation_failed")
        n = self.act("gz_reviewer", nid, "dismiss_objection", n["version"],
                     data={"objection_id": receipt, "finding": "经核实，事迹属实，异议不成立。"})
        self.assertEqual(n["state"], "publicity")
        self.assertEqual(n["objections"][0]["state"], "dismissed")
        self.assertEqual(n["objections"][0]["finding"], "经核实，事迹属实，异议不成立。")

        # The window closes by itself once five working days have passed, not before.
        self.advance_to(ends - 60)
        self.assertEqual(self.nom(nid)["state"], "publicity")
        self.advance_to(ends + 60)
        n = self.nom(nid)
        self.assertEqual(n["state"], "publicity_closed")
        # Too late to object.
        r = self.anon().post("/api/v1/public/notices/%s/objections" % q(pub["notice_id"]), {"nomination_id": nid, "text": "迟到的异议"})
        self.assertProblem(r, 422, "invalid_transition")

        # Naming needs a document number (文号).
        r = self.act("gz_approver", nid, "name", n["version"], data={}, status=422)
        self.assertProblem(r, 422, "validation_failed")
        doc = "瓜民团发〔2025〕%d号" % (100 + _counter[0])
        n = self.act("gz_approver", nid, "name", n["version"], data={"document_no": doc, "decision_title": "关于命名示范家庭的决定"})
        self.assertEqual(n["state"], "named")
        self.assertEqual(n["naming"]["document_no"], doc)
        self.assertGreater(parse_time(n["naming"]["valid_until"]), parse_time(n["naming"]["named_at"]) + 4 * 365 * DAY)
        r = self.anon().get("/api/v1/decisions/" + q(doc))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["document_no"], doc)
        self.assertEqual(r.json["office"], GZ)
        self.assertEqual([x["id"] for x in r.json["nominations"]], [nid])

        # The history holds every step, oldest first.
        r = self.as_("gz_reviewer").get("/api/v1/nominations/%s/history" % nid)
        self.assertStatus(r, 200)
        actions = [x["record"]["action"] for x in r.json if x["record"]["outcome"] == "accepted"]
        for a in ["create", "attach", "submit", "accept", "score", "close_evaluation", "approve", "object", "dismiss_objection",
                  "close_publicity", "name"]:
            self.assertIn(a, actions)
        self.assertLess(actions.index("create"), actions.index("submit"))
        self.assertLess(actions.index("approve"), actions.index("name"))
        self.assertEqual([x["index"] for x in r.json], sorted(x["index"] for x in r.json))

        # The county reviewer recommends the named family to the city: a linked nomination opens.
        n = self.act("gz_reviewer", nid, "recommend", n["version"], data={})
        self.assertEqual(n["state"], "named")
        self.assertEqual(len(n["children"]), 1)
        child = self.nom(n["children"][0], "jq_reviewer")
        self.assertEqual(child["parent_id"], nid)
        self.assertEqual(child["level"], "city")
        self.assertEqual(child["state"], "city_review")
        self.assertEqual(child["office"], JQ)
        # Not twice.
        r = self.act("gz_reviewer", nid, "recommend", n["version"], status=422)
        self.assertProblem(r, 422, "invalid_transition")

    def _publicise_and_name(self, ids, approver, doc):
        approve = self.as_(approver).post("/api/v1/batch-actions", {
            "action": "approve", "items": [{"id": i, "expected_version": self.nom(i, approver)["version"]} for i in ids],
            "data": {"notice_title": "拟命名公示 " + doc}})
        self.assertStatus(approve, 200)
        ends = max(parse_time(x["publicity"]["ends_at"]) for x in approve.json["items"])
        self.advance_to(ends + 60)
        name = self.as_(approver).post("/api/v1/batch-actions", {
            "action": "name", "items": [{"id": i, "expected_version": self.nom(i, approver)["version"]} for i in ids],
            "data": {"document_no": doc}})
        self.assertStatus(name, 200)
        for x in name.json["items"]:
            self.assertEqual(x["state"], "named")
        return name.json["items"]

    def test_city_level_unit_recommended_by_county(self):
        n = self.submitted("school", "city", jurisdiction=GZ)
        self.assertEqual(n["workflow"]["id"], "honours.city")
        self.assertEqual(n["office"], GZ)
        # The city may not act before the county has recommended it.
        r = self.act("jq_reviewer", n["id"], "accept", n["version"], status=403)
        self.assertProblem(r, 403, "forbidden")
        # The county may not accept a city-level nomination for evaluation itself.
        r = self.act("gz_reviewer", n["id"], "accept", n["version"], status=422)
        p = self.assertProblem(r, 422, "invalid_transition")
        self.assertIn("recommend", p["allowed_actions"])
        n = self.act("gz_reviewer", n["id"], "recommend", n["version"], data={})
        self.assertEqual(n["state"], "city_review")
        self.assertEqual(n["office"], JQ)
        n = self.act("jq_reviewer", n["id"], "accept", n["version"])
        n = self.score_all(n, "city")
        n = self.act("jq_reviewer", n["id"], "close_evaluation", n["version"])
        self.assertEqual(n["state"], "shortlisted")
        doc = "酒民团发〔2025〕%d号" % (200 + _counter[0])
        items = self._publicise_and_name([n["id"]], "jq_approver", doc)
        self.assertEqual(items[0]["naming"]["document_no"], doc)
        r = self.anon().get("/api/v1/decisions/" + q(doc))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["office"], JQ)

    def test_province_level_through_three_levels(self):
        n = self.submitted("enterprise", "province", jurisdiction=GZ)
        self.assertEqual(n["workflow"]["id"], "honours.province")
        # The province reviewer is too early at the county's and the city's review.
        self.assertProblem(self.act("gs_reviewer", n["id"], "accept", n["version"], status=403), 403, "forbidden")
        n = self.act("gz_reviewer", n["id"], "recommend", n["version"])
        self.assertEqual(n["state"], "city_review")
        self.assertProblem(self.act("gs_reviewer", n["id"], "accept", n["version"], status=403), 403, "forbidden")
        self.assertProblem(self.act("gz_reviewer", n["id"], "recommend", n["version"], status=403), 403, "forbidden")
        n = self.act("jq_reviewer", n["id"], "recommend", n["version"])
        self.assertEqual(n["state"], "province_review")
        self.assertEqual(n["office"], GS)
        n = self.act("gs_reviewer", n["id"], "accept", n["version"])
        n = self.score_all(n, "province")
        n = self.act("gs_reviewer", n["id"], "close_evaluation", n["version"])
        self.assertEqual(n["state"], "shortlisted")
        # Only the province's approver approves.
        self.assertProblem(self.act("gz_approver", n["id"], "approve", n["version"], status=403), 403, "forbidden")
        doc = "甘民宗发〔2025〕%d号" % (300 + _counter[0])
        items = self._publicise_and_name([n["id"]], "gs_approver", doc)
        self.assertEqual(items[0]["state"], "named")
        r = self.as_("gz_reviewer").get("/api/v1/nominations/%s/history" % n["id"])
        self.assertStatus(r, 200)
        recs = [x["record"] for x in r.json]
        recommends = [(x["who"]["user"], x["outcome"]) for x in recs if x["action"] == "recommend"]
        self.assertEqual(recommends, [("gz_reviewer", "accepted"), ("gz_reviewer", "denied"), ("jq_reviewer", "accepted")])

    def test_batch_approve_and_name_twenty(self):
        ids = [self.shortlisted("village", name=unique("批量村"))["id"] for _ in range(20)]
        versions = {i: self.nom(i)["version"] for i in ids}
        # A batch with one stale item changes nothing and names the failing item.
        bad = [{"id": i, "expected_version": versions[i]} for i in ids]
        bad[7]["expected_version"] -= 1
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {"action": "approve", "items": bad, "data": {"notice_title": "x"}})
        p = self.assertProblem(r, 409, "version_conflict")
        self.assertEqual([(x["id"], x["status"], x["code"]) for x in p["items"]], [(ids[7], 409, "version_conflict")])
        for i in ids:
            n = self.nom(i)
            self.assertEqual((n["state"], n["version"]), ("shortlisted", versions[i]))

        title = "瓜州县2025年度民族团结进步示范村拟命名公示"
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "approve", "items": [{"id": i, "expected_version": versions[i]} for i in ids],
            "comment": "领导小组会议研究通过", "data": {"notice_title": title}})
        self.assertStatus(r, 200)
        items = r.json["items"]
        self.assertEqual([x["id"] for x in items], ids)
        notice_ids = {x["publicity"]["notice_id"] for x in items}
        self.assertEqual(len(notice_ids), 1, "one publicity notice for the batch")
        notice_id = notice_ids.pop()
        self.assertTrue(all(x["state"] == "publicity" for x in items))
        r = self.anon().get("/api/v1/public/notices/" + q(notice_id))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["title"], title)
        self.assertEqual(sorted(x["nomination_id"] for x in r.json["nominees"]), sorted(ids))
        self.assertNotIn("contact_phone", r.text)

        ends = parse_time(items[0]["publicity"]["ends_at"])
        self.advance_to(ends + 3600)
        closed = [self.nom(i) for i in ids]
        self.assertTrue(all(n["state"] == "publicity_closed" for n in closed), [n["state"] for n in closed])
        doc = "瓜民团发〔2026〕%d号" % (400 + _counter[0])
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "name", "items": [{"id": n["id"], "expected_version": n["version"]} for n in closed],
            "data": {"document_no": doc, "decision_title": "关于命名2025年度民族团结进步示范村的决定"}})
        self.assertStatus(r, 200)
        self.assertTrue(all(x["state"] == "named" and x["naming"]["document_no"] == doc for x in r.json["items"]))
        r = self.anon().get("/api/v1/decisions/" + q(doc))
        self.assertStatus(r, 200)
        self.assertEqual(sorted(x["id"] for x in r.json["nominations"]), sorted(ids))
        self.assertEqual(r.json["title"], "关于命名2025年度民族团结进步示范村的决定")
        # Batches are for approve and name only.
        r = self.as_("gz_reviewer").post("/api/v1/batch-actions", {"action": "accept", "items": [{"id": ids[0], "expected_version": 1}]})
        self.assertProblem(r, 422, "validation_failed")

    def test_objection_upheld_and_open_objection_holds_the_window(self):
        a = self.shortlisted("family")
        b = self.shortlisted("family")
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "approve", "items": [{"id": a["id"], "expected_version": a["version"]}, {"id": b["id"], "expected_version": b["version"]}],
            "data": {"notice_title": "异议测试公示"}})
        self.assertStatus(r, 200)
        notice = r.json["items"][0]["publicity"]["notice_id"]
        ends = parse_time(r.json["items"][0]["publicity"]["ends_at"])
        self.advance_to(parse_time(r.json["items"][0]["publicity"]["starts_at"]) + 60)
        receipts = {}
        for n in (a, b):
            r = self.anon().post("/api/v1/public/notices/%s/objections" % q(notice), {"nomination_id": n["id"], "text": "反映问题：" + n["id"]})
            self.assertStatus(r, 202)
            receipts[n["id"]] = r.json["receipt"]
        # An objection for a nomination that is not in this notice.
        r = self.anon().post("/api/v1/public/notices/%s/objections" % q(notice), {"nomination_id": "nope", "text": "x"})
        self.assertProblem(r, 422, "validation_failed")
        # Past the end, open objections keep both in publicity.
        self.advance_to(ends + 3600)
        self.assertEqual(self.nom(a["id"])["state"], "publicity")
        self.assertEqual(self.nom(b["id"])["state"], "publicity")
        # Upholding needs a finding, then removes the nomination.
        r = self.act("gz_reviewer", a["id"], "uphold_objection", data={"objection_id": receipts[a["id"]], "finding": ""}, status=422)
        self.assertProblem(r, 422, "validation_failed")
        n = self.act("gz_reviewer", a["id"], "uphold_objection",
                     data={"objection_id": receipts[a["id"]], "finding": "经调查，反映情况属实，取消拟命名资格。"})
        self.assertEqual(n["state"], "removed")
        self.assertEqual(n["objections"][0]["state"], "upheld")
        r = self.anon().get("/api/v1/public/notices/" + q(notice))
        self.assertEqual([x["nomination_id"] for x in r.json["nominees"]], [b["id"]])
        # Dismissing the last open objection after the end closes the window at once.
        n = self.act("gz_reviewer", b["id"], "dismiss_objection", data={"objection_id": receipts[b["id"]], "finding": "不属实"})
        self.assertEqual(self.wait_for_state(b["id"], "publicity_closed"), "publicity_closed")
        # Nothing more can happen to a removed nomination.
        r = self.act("gz_approver", a["id"], "name", data={"document_no": "瓜民团发〔2025〕999号"}, status=422)
        p = self.assertProblem(r, 422, "invalid_transition")
        self.assertEqual(p["allowed_actions"], [])

    def test_quota_exceeded(self):
        year = 2031
        # Only administrators set quotas.
        r = self.as_("gz_reviewer").put("/api/v1/quotas", {"office": GZ, "level": "county", "category": "hospital", "year": year, "limit": 1})
        self.assertProblem(r, 403, "forbidden")
        r = self.as_("admin").put("/api/v1/quotas", {"office": GZ, "level": "county", "category": "hospital", "year": year, "limit": 1})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["limit"], 1)
        a, b = (self.shortlisted("hospital", year=year, jurisdiction=GZ) for _ in range(2))
        # Two in one batch exceed a limit of one: nothing changes.
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "approve", "items": [{"id": a["id"], "expected_version": a["version"]}, {"id": b["id"], "expected_version": b["version"]}]})
        self.assertProblem(r, 422, "quota_exceeded")
        self.assertEqual(self.nom(a["id"])["state"], "shortlisted")
        self.assertEqual(self.nom(b["id"])["state"], "shortlisted")
        n = self.act("gz_approver", a["id"], "approve", a["version"])
        self.assertEqual(n["state"], "publicity")
        r = self.act("gz_approver", b["id"], "approve", b["version"], status=422)
        self.assertProblem(r, 422, "quota_exceeded")
        self.assertEqual(self.nom(b["id"])["state"], "shortlisted")
        r = self.as_("admin").get("/api/v1/quotas?year=%d&office=%s" % (year, GZ))
        self.assertStatus(r, 200)
        row = [x for x in r.json if x["category"] == "hospital" and x["level"] == "county"]
        self.assertEqual((row[0]["limit"], row[0]["used"]), (1, 1))
        # Raising the quota lets it through.
        r = self.as_("admin").put("/api/v1/quotas", {"office": GZ, "level": "county", "category": "hospital", "year": year, "limit": 2})
        self.assertStatus(r, 200)
        self.assertEqual(self.act("gz_approver", b["id"], "approve", b["version"])["state"], "publicity")

    def test_withdrawal(self):
        draft = self.create("family")
        n = self.act("gz_unit", draft["id"], "withdraw", draft["version"], comment="不再申报")
        self.assertEqual(n["state"], "withdrawn")
        n = self.submitted("family")
        # Only the nominating unit withdraws.
        self.assertProblem(self.act("gz_reviewer", n["id"], "withdraw", n["version"], status=403), 403, "forbidden")
        self.assertProblem(self.act("sh_unit", n["id"], "withdraw", n["version"], status=403), 403, "forbidden")
        n = self.act("gz_unit", n["id"], "withdraw", n["version"])
        self.assertEqual(n["state"], "withdrawn")
        self.assertEqual(n["available_actions"], [])
        r = self.act("gz_reviewer", n["id"], "accept", n["version"], status=422)
        p = self.assertProblem(r, 422, "invalid_transition")
        self.assertEqual(p["allowed_actions"], [])
        # Withdrawal during publicity takes the nominee off the public notice.
        s = self.shortlisted("family")
        s = self.act("gz_approver", s["id"], "approve", s["version"])
        s = self.act("gz_unit", s["id"], "withdraw", self.nom(s["id"], "gz_unit")["version"])
        self.assertEqual(s["state"], "withdrawn")
        r = self.anon().get("/api/v1/public/notices/" + q(s["publicity"]["notice_id"]))
        self.assertStatus(r, 200)
        self.assertNotIn(s["id"], [x["nomination_id"] for x in r.json["nominees"]])

    def test_revocation(self):
        n = self.shortlisted("family", year=2027)
        before = self.as_("gz_reviewer").get("/api/v1/stats?year=2027&office=%s" % GZ)
        self.assertStatus(before, 200)
        named_before = sum(x["count"] for x in before.json["named"] if x["level"] == "county" and x["category"] == "family")
        doc = "瓜民团发〔2027〕%d号" % (500 + _counter[0])
        n = self._publicise_and_name([n["id"]], "gz_approver", doc)[0]
        # A reason is required; only the approver revokes.
        self.assertProblem(self.act("gz_approver", n["id"], "revoke", n["version"], data={}, status=422), 422, "validation_failed")
        self.assertProblem(self.act("gz_reviewer", n["id"], "revoke", n["version"], data={"reason": "x"}, status=403), 403, "forbidden")
        n = self.act("gz_approver", n["id"], "revoke", n["version"], data={"reason": "发现其家庭成员存在违法行为，撤销命名。"})
        self.assertEqual(n["state"], "revoked")
        self.assertEqual(n["available_actions"], [])
        after = self.as_("gz_reviewer").get("/api/v1/stats?year=2027&office=%s" % GZ).json
        named_after = sum(x["count"] for x in after["named"] if x["level"] == "county" and x["category"] == "family")
        self.assertEqual(named_after, named_before + 1, "named counts a nomination named and then revoked")
        revoked = [x for x in after["by_state"] if x["level"] == "county" and x["category"] == "family" and x["state"] == "revoked"]
        self.assertEqual(sum(x["count"] for x in revoked), 1)
        r = self.anon().get("/api/v1/decisions/" + q(doc))
        self.assertStatus(r, 200)
        self.assertEqual(r.json["nominations"][0]["state"], "revoked")

    def test_return_and_resubmit(self):
        n = self.submitted("family")
        # A return needs a comment.
        self.assertProblem(self.act("gz_reviewer", n["id"], "return", n["version"], status=422), 422, "validation_failed")
        n = self.act("gz_reviewer", n["id"], "return", n["version"], comment="请补充社区意见的盖章件。")
        self.assertEqual(n["state"], "returned")
        owner = self.nom(n["id"], "gz_unit")
        self.assertIn("resubmit", owner["available_actions"])
        self.assertIn("edit", owner["available_actions"])
        # The unit edits the returned nomination and adds a material.
        r = self.as_("gz_unit").patch("/api/v1/nominations/" + n["id"], {"expected_version": owner["version"], "summary": "补充后的事迹简介。"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["summary"], "补充后的事迹简介。")
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/attachments?material=deeds&filename=%s" % (n["id"], q("补充材料.pdf")),
                                     pdf("supplement " + n["id"]), content_type="application/pdf")
        self.assertStatus(r, 201)
        n = self.act("gz_unit", n["id"], "resubmit")
        self.assertEqual(n["state"], "county_review")
        self.assertEqual(n["summary"], "补充后的事迹简介。")
        self.assertEqual(len([a for a in n["attachments"] if a["material"] == "deeds"]), 2)
        # And the review goes on.
        n = self.act("gz_reviewer", n["id"], "reject", n["version"], comment="不符合申报条件")
        self.assertEqual(n["state"], "rejected")


# =================================================================================================
class ErrorPathTests(LaurelCase):
    """Every error path of API.md with its status and code, and the cross-cutting features."""

    def test_health_and_metrics(self):
        r = self.anon().get("/healthz")
        self.assertStatus(r, 200)
        self.assertEqual(r.text.strip(), "ok")
        self.anon().get("/api/v1/categories")
        r = self.anon().get("/metrics")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        self.assertIn("laurel_http_requests_total", r.text)
        self.assertIn("# TYPE laurel_http_requests_total counter", r.text)
        self.assertRegex(r.text, r'laurel_http_requests_total\{route="categories",status="200"\} \d+')
        self.assertIn("laurel_http_request_duration_seconds_bucket", r.text)
        self.assertIn("laurel_audit_log_records", r.text)

    def test_reference_data(self):
        r = self.anon().get("/api/v1/jurisdictions")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["code"], GS)

        def find(node, code):
            if node["code"] == code:
                return node
            for c in node["children"]:
                f = find(c, code)
                if f:
                    return f
        self.assertEqual(find(r.json, GZ)["name"], "瓜州县")
        self.assertEqual(find(r.json, SHUANGTA)["name"], "双塔乡")
        r = self.anon().get("/api/v1/categories")
        self.assertStatus(r, 200)
        family = [c for c in r.json if c["id"] == "family"][0]
        self.assertEqual(family["kind"], "family")
        self.assertEqual(sum(i["max"] for i in family["indicators"]), 100)
        photos = [m for m in family["materials"] if m["id"] == "photos"][0]
        self.assertEqual((photos["min"], photos["required"]), (2, True))
        r = self.anon().get("/api/v1/workflows")
        self.assertStatus(r, 200)
        self.assertEqual(sorted(d["id"] for d in r.json), ["honours.city", "honours.county", "honours.province"])

    def test_not_found(self):
        self.assertProblem(self.as_("gz_reviewer").get("/api/v1/nominations/no-such-id"), 404, "not_found")
        self.assertProblem(self.anon().get("/api/v1/no-such-thing"), 404, "not_found")
        self.assertProblem(self.anon().get("/api/v1/decisions/" + q("无此文号")), 404, "not_found")
        self.assertProblem(self.anon().get("/api/v1/public/notices/no-such-notice"), 404, "not_found")

    def test_no_session_is_unauthenticated(self):
        anon = self.anon()
        for method, path, body in [("GET", "/api/v1/nominations", None), ("GET", "/api/v1/session", None),
                                   ("POST", "/api/v1/nominations", {"category": "family"}), ("GET", "/api/v1/users", None),
                                   ("GET", "/api/v1/stats", None), ("GET", "/api/v1/audit/records", None),
                                   ("POST", "/api/v1/tokens", {"name": "x"})]:
            r = anon.request(method, path, body)
            self.assertProblem(r, 401, "unauthenticated")
        # A forged cookie is no session either.
        r = anon.raw("GET", "/api/v1/nominations", headers={"Cookie": "laurel_session=forged"})
        self.assertProblem(r, 401, "unauthenticated")

    def test_session_lifecycle(self):
        c = Client(self.server)
        r = c.login("gz_unit", DEMO_PASSWORD)
        self.assertStatus(r, 200)
        cookie = r.header("set-cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie, "not over TLS")
        self.assertEqual(r.json["user"]["username"], "gz_unit")
        self.assertEqual(r.json["user"]["roles"], [{"role": "nominator", "jurisdiction": GZ}])
        self.assertTrue(r.json["csrf_token"])
        r = c.get("/api/v1/session")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["user"]["username"], "gz_unit")
        # A second sign-in gets a new session (rotated).
        c2 = Client(self.server).must_login("gz_unit", DEMO_PASSWORD)
        self.assertNotEqual(c.cookie, c2.cookie)
        # Logging out needs the CSRF header too, then the cookie no longer works.
        self.assertProblem(c.delete("/api/v1/session", csrf=False), 403, "csrf_failed")
        r = c.delete("/api/v1/session")
        self.assertIn(r.status, (200, 204))
        self.assertProblem(c.get("/api/v1/session"), 401, "unauthenticated")
        self.assertStatus(c2.get("/api/v1/session"), 200)

    def test_wrong_password(self):
        r = Client(self.server).login("gz_reviewer", "not-the-password-at-all")
        p = self.assertProblem(r, 401, "unauthenticated")
        self.assertNotIn("set-cookie", r.headers)
        self.assertNotIn("not-the-password-at-all", json.dumps(p, ensure_ascii=False))
        r = Client(self.server).login("no_such_user", "not-the-password-at-all")
        self.assertProblem(r, 401, "unauthenticated")

    def test_repeated_failures_are_rate_limited(self):
        name = unique("throttle_")
        r = self.as_("admin").post("/api/v1/users", {"username": name, "display_name": "限流测试", "password": "Throttle-pass-2024!",
                                                     "roles": [{"role": "nominator", "jurisdiction": SHUANGTA}]})
        self.assertStatus(r, 201)
        statuses = [Client(self.server).login(name, "wrong-password-%d!" % i).status for i in range(5)]
        self.assertEqual(statuses, [401] * 5)
        # Even the right password is refused now.
        r = Client(self.server).login(name, "Throttle-pass-2024!")
        self.assertProblem(r, 429, "rate_limited")
        self.assertTrue(r.header("retry-after"))
        # Other accounts still sign in.
        self.assertStatus(Client(self.server).login("gz_panel1", DEMO_PASSWORD), 200)
        # The throttled attempt is in the audit log as denied.
        r = self.as_("auditor").get("/api/v1/audit/records?outcome=denied&action=login&limit=1000&from=0")
        self.assertStatus(r, 200)

    def test_missing_csrf(self):
        c = self.as_("gz_unit")
        body = {"category": "family", "level": "county", "year": 2025, "jurisdiction": SHUANGTA,
                "nominee": {"name": "CSRF家庭", "ethnic_groups": "汉族", "members": "3", "address": "双塔乡", "contact_phone": "139"},
                "summary": "x"}
        self.assertProblem(c.post("/api/v1/nominations", body, csrf=False), 403, "csrf_failed")
        self.assertProblem(c.post("/api/v1/nominations", body, headers={"X-CSRF-Token": "wrong"}), 403, "csrf_failed")
        self.assertStatus(c.post("/api/v1/nominations", body), 201)
        n = self.create("family")
        r = c.request("POST", "/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw", "expected_version": 1}, csrf=False)
        self.assertProblem(r, 403, "csrf_failed")
        r = c.request("PATCH", "/api/v1/nominations/%s" % n["id"], {"expected_version": 1, "summary": "y"}, csrf=False)
        self.assertProblem(r, 403, "csrf_failed")
        self.assertEqual(self.nom(n["id"], "gz_unit")["version"], 1, "nothing changed")

    def test_reviewer_of_another_county_is_forbidden_and_audited(self):
        n = self.submitted("family")
        # 敦煌市's reviewer cannot see a 瓜州县 nomination...
        self.assertProblem(self.as_("dh_reviewer").get("/api/v1/nominations/" + n["id"]), 404, "not_found")
        r = self.as_("dh_reviewer").get("/api/v1/nominations?per_page=200")
        self.assertNotIn(n["id"], [x["id"] for x in r.json["items"]])
        # ...and may not act on it.
        r = self.act("dh_reviewer", n["id"], "accept", n["version"], status=403)
        self.assertProblem(r, 403, "forbidden")
        self.assertEqual(self.nom(n["id"])["state"], "county_review")
        # The denied attempt is in the audit log.
        r = self.as_("auditor").get("/api/v1/audit/records?outcome=denied&nomination=%s&limit=100" % q(n["id"]))
        self.assertStatus(r, 200)
        denied = [x["record"] for x in r.json["records"]]
        self.assertEqual([(x["who"]["user"], x["action"], x["outcome"], x["object"]["id"]) for x in denied],
                         [("dh_reviewer", "accept", "denied", n["id"])])
        self.assertEqual(denied[0]["reason"]["code"], "forbidden")
        # The auditor's generic query finds it too.
        r = self.as_("auditor").get("/api/v1/audit/records?outcome=denied&actor=dh_reviewer&limit=100")
        self.assertStatus(r, 200)
        self.assertIn(n["id"], json.dumps(r.json, ensure_ascii=False))
        # A nominator of a township may not create outside it.
        r = self.as_("sh_unit").post("/api/v1/nominations", {"category": "family", "level": "county", "year": 2025, "jurisdiction": SHUANGTA,
                                                            "nominee": {"name": "越权家庭", "ethnic_groups": "汉族", "members": "3",
                                                                        "address": "双塔乡", "contact_phone": "139"}, "summary": "x"})
        self.assertProblem(r, 403, "forbidden")

    def test_city_reviewer_too_early(self):
        n = self.submitted("school", "city", jurisdiction=GZ)
        for action in ("accept", "recommend", "return", "reject"):
            r = self.act("jq_reviewer", n["id"], action, n["version"], comment="太早了", status=403)
            self.assertProblem(r, 403, "forbidden")
        r = self.as_("auditor").get("/api/v1/audit/records?outcome=denied&nomination=%s&limit=100" % q(n["id"]))
        self.assertEqual(len(r.json["records"]), 4)

    def test_stale_version(self):
        n = self.create("family")
        r = self.as_("gz_unit").patch("/api/v1/nominations/" + n["id"], {"expected_version": 1, "summary": "第一次修改"})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["version"], 2)
        r = self.as_("gz_unit").patch("/api/v1/nominations/" + n["id"], {"expected_version": 1, "summary": "过期的修改"})
        self.assertProblem(r, 409, "version_conflict")
        r = self.act("gz_unit", n["id"], "withdraw", 1, status=409)
        self.assertProblem(r, 409, "version_conflict")
        got = self.nom(n["id"], "gz_unit")
        self.assertEqual((got["version"], got["summary"], got["state"]), (2, "第一次修改", "draft"))
        # expected_version is required.
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw"})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertIn("expected_version", [e["field"] for e in p["errors"]])

    def test_invalid_transition_lists_allowed_actions(self):
        n = self.create("family")
        r = self.act("gz_unit", n["id"], "resubmit", n["version"], status=422)
        p = self.assertProblem(r, 422, "invalid_transition")
        self.assertIn("submit", p["allowed_actions"])
        self.assertIn("withdraw", p["allowed_actions"])
        self.assertNotIn("resubmit", p["allowed_actions"])
        self.assertEqual(sorted(p["allowed_actions"]), sorted(self.nom(n["id"], "gz_unit")["available_actions"]))
        # An action nobody defined is not a transition the caller may take: forbidden.
        r = self.act("gz_unit", n["id"], "fly_to_the_moon", n["version"], status=403)
        self.assertProblem(r, 403, "forbidden")

    def test_oversize_body(self):
        # A JSON body over the limit (1 MiB by default) is refused by its Content-Length.
        big = json.dumps({"category": "family", "summary": "x" * (1024 * 1024 + 10)}).encode()
        r = send_and_read(self.server.port, b"POST /api/v1/nominations HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                          b"Cookie: " + self.as_("gz_unit").cookie.encode() + b"\r\nX-CSRF-Token: " + self.as_("gz_unit").csrf.encode() +
                          b"\r\nContent-Length: %d\r\n\r\n" % len(big), big)
        self.assertProblem(r, 413, "payload_too_large")
        # Also when the client sends it through http.client at once.
        try:
            r = self.as_("gz_unit").post("/api/v1/nominations", big, content_type="application/json")
            self.assertProblem(r, 413, "payload_too_large")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close before the client has written everything: also a refusal
        # An attachment over the upload limit (20 MiB by default).
        n = self.create("family")
        head = ("POST /api/v1/nominations/%s/attachments?material=deeds&filename=big.pdf HTTP/1.1\r\nHost: t\r\n"
                "Content-Type: application/pdf\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n"
                % (n["id"], self.as_("gz_unit").cookie, self.as_("gz_unit").csrf, 21 * 1024 * 1024)).encode()
        r = send_and_read(self.server.port, head, b"%PDF-" + b"0" * (21 * 1024 * 1024 - 5))
        self.assertProblem(r, 413, "payload_too_large")
        self.assertEqual(self.nom(n["id"], "gz_unit")["attachments"], [])
        self.assertStatus(self.anon().get("/healthz"), 200)

    def test_large_attachment_within_the_limit(self):
        # Real photos are megabytes: above the JSON body limit, below the upload limit.
        n = self.create("family")
        data = jpeg("big") + os.urandom(3 * 1024 * 1024)
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/attachments?material=photos&filename=%s" % (n["id"], q("大照片.jpg")),
                                     data, content_type="image/jpeg")
        self.assertStatus(r, 201)
        self.assertEqual(r.json["size"], len(data))
        r = self.as_("gz_unit").get("/api/v1/nominations/%s/attachments/%s" % (n["id"], r.json["sha256"]))
        self.assertStatus(r, 200)
        self.assertEqual(r.body, data)
        # Only the nominating unit uploads.
        r = self.as_("sh_unit").post("/api/v1/nominations/%s/attachments?material=photos&filename=x.jpg" % n["id"], jpeg("x"),
                                     content_type="image/jpeg")
        self.assertProblem(r, 403, "forbidden")

    def test_malformed_json(self):
        for body in [b"{", b"{\"category\": }", b"not json", b"\xff\xfe", b"[1,2]", b"\"string\"", b""]:
            r = self.as_("gz_unit").post("/api/v1/nominations", body, content_type="application/json")
            self.assertProblem(r, 422, "validation_failed")
        r = self.as_("gz_unit").post("/api/v1/session", b"{bad", content_type="application/json")
        self.assertProblem(r, 422, "validation_failed")

    def test_unknown_fields(self):
        n = self.create("family")
        r = self.as_("gz_unit").post("/api/v1/nominations", {"category": "family", "level": "county", "year": 2025, "jurisdiction": SHUANGTA,
                                                            "nominee": {"name": "a"}, "summary": "x", "priority": "high"})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertIn("priority", [e["field"] for e in p["errors"]])
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw", "expected_version": 1, "force": True})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertIn("force", [e["field"] for e in p["errors"]])
        r = self.as_("gz_approver").post("/api/v1/nominations/%s/actions" % n["id"],
                                         {"action": "approve", "expected_version": 1, "data": {"notice_title": "t", "colour": "red"}})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertIn("data.colour", [e["field"] for e in p["errors"]])
        r = self.as_("gz_unit").patch("/api/v1/nominations/" + n["id"], {"expected_version": 1, "state": "named"})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertIn("state", [e["field"] for e in p["errors"]])
        r = self.as_("admin").put("/api/v1/quotas", {"office": GZ, "level": "county", "category": "family", "year": 2030, "limit": 1, "x": 1})
        self.assertIn("x", [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]])
        r = self.anon().post("/api/v1/session", {"username": "gz_unit", "password": DEMO_PASSWORD, "remember": True})
        self.assertIn("remember", [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]])
        self.assertEqual(self.nom(n["id"], "gz_unit")["version"], 1)

    def test_wrong_types(self):
        r = self.as_("gz_unit").post("/api/v1/nominations", {"category": "family", "level": "county", "year": "2025", "jurisdiction": 620922,
                                                            "nominee": {"name": "a", "members": 4}, "summary": ["x"]})
        p = self.assertProblem(r, 422, "validation_failed")
        fields = [e["field"] for e in p["errors"]]
        for f in ("year", "jurisdiction", "nominee.members", "summary"):
            self.assertIn(f, fields)
        n = self.create("family")
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw", "expected_version": "1"})
        self.assertIn("expected_version", [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]])
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw", "expected_version": 1.5})
        self.assertIn("expected_version", [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]])
        r = self.as_("gz_panel1").post("/api/v1/nominations/%s/actions" % n["id"],
                                       {"action": "score", "expected_version": 1, "data": {"points": {"family_harmony": "20"}, "veto": "no"}})
        fields = [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]]
        self.assertIn("data.points.family_harmony", fields)
        self.assertIn("data.veto", fields)
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/actions" % n["id"], {"action": "withdraw", "expected_version": 1, "data": []})
        self.assertIn("data", [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]])
        r = self.anon().post("/api/v1/session", {"username": 5, "password": None})
        fields = [e["field"] for e in self.assertProblem(r, 422, "validation_failed")["errors"]]
        self.assertIn("username", fields)
        self.assertIn("password", fields)
        # Query parameters too.
        for query in ("page=abc", "per_page=0", "per_page=100000", "year=twenty"):
            self.assertProblem(self.as_("gz_reviewer").get("/api/v1/nominations?" + query), 422, "validation_failed")
        # A material of the wrong type (sniffed by content) is refused.
        r = self.as_("gz_unit").post("/api/v1/nominations/%s/attachments?material=application_form&filename=a.pdf" % n["id"],
                                     b"this is not a pdf", content_type="application/pdf")
        self.assertEqual(r.status, 422, r)
        self.assertEqual(self.nom(n["id"], "gz_unit")["version"], 1)

    def test_password_rules_and_admin_scope(self):
        base = {"username": unique("pw_"), "display_name": "密码测试", "roles": [{"role": "nominator", "jurisdiction": SHUANGTA}]}
        for bad in ("short-1!", "password1234", "123456789012"):
            r = self.as_("admin").post("/api/v1/users", dict(base, password=bad))
            p = self.assertProblem(r, 422, "validation_failed")
        # A county administrator may not grant a role at the city.
        r = self.as_("gz_admin").post("/api/v1/users", dict(base, password="A-good-long-passphrase-9", roles=[{"role": "reviewer", "jurisdiction": JQ}]))
        self.assertProblem(r, 403, "forbidden")
        r = self.as_("gz_admin").post("/api/v1/users", dict(base, password="A-good-long-passphrase-9"))
        self.assertStatus(r, 201)
        self.assertEqual(r.json["username"], base["username"])
        self.assertNotIn("password", r.text)
        # Not an administrator at all.
        r = self.as_("gz_reviewer").post("/api/v1/users", dict(base, username=unique("pw_"), password="A-good-long-passphrase-9"))
        self.assertProblem(r, 403, "forbidden")
        # Disabling a user stops its sign-in.
        r = self.as_("gz_admin").patch("/api/v1/users/" + base["username"], {"disabled": True})
        self.assertStatus(r, 200)
        self.assertProblem(Client(self.server).login(base["username"], "A-good-long-passphrase-9"), 401, "unauthenticated")
        self.assertProblem(self.as_("gz_admin").patch("/api/v1/users/no_such_user", {"disabled": True}), 404, "not_found")

    def test_idempotency_key(self):
        c = self.as_("gz_unit")
        name = unique("幂等")
        body = {"category": "family", "level": "county", "year": 2025, "jurisdiction": SHUANGTA,
                "nominee": {"name": name, "ethnic_groups": "汉族", "members": "3", "address": "双塔乡", "contact_phone": "13900000000"},
                "summary": "幂等测试"}
        key = unique("idem-key-")
        first = c.post("/api/v1/nominations", body, headers={"Idempotency-Key": key})
        self.assertStatus(first, 201)
        second = c.post("/api/v1/nominations", body, headers={"Idempotency-Key": key})
        self.assertStatus(second, 201)
        self.assertEqual(second.json["id"], first.json["id"])
        self.assertEqual(second.json, first.json)
        r = self.as_("gz_reviewer").get("/api/v1/nominations?q=%s" % q(name))
        r = c.get("/api/v1/nominations?q=%s&per_page=50" % q(name))
        self.assertEqual(r.json["total"], 1, "the repeat created nothing")
        # Same key, different body.
        r = c.post("/api/v1/nominations", dict(body, summary="不同的请求"), headers={"Idempotency-Key": key})
        p = self.assertProblem(r, 422, "validation_failed")
        self.assertEqual(c.get("/api/v1/nominations?q=%s&per_page=50" % q(name)).json["total"], 1)
        # On an action: the repeat answers the first response and the version does not move.
        nid = first.json["id"]
        self.upload_materials(first.json)
        v = self.nom(nid, "gz_unit")["version"]
        key2 = unique("idem-submit-")
        a1 = c.post("/api/v1/nominations/%s/actions" % nid, {"action": "submit", "expected_version": v}, headers={"Idempotency-Key": key2})
        self.assertStatus(a1, 200)
        a2 = c.post("/api/v1/nominations/%s/actions" % nid, {"action": "submit", "expected_version": v}, headers={"Idempotency-Key": key2})
        self.assertStatus(a2, 200)
        self.assertEqual(a2.json["version"], a1.json["version"])
        self.assertEqual(a2.json["state"], "county_review")
        self.assertEqual(self.nom(nid, "gz_unit")["version"], a1.json["version"])
        hist = self.as_("gz_reviewer").get("/api/v1/nominations/%s/history" % nid).json
        self.assertEqual(len([x for x in hist if x["record"]["action"] == "submit"]), 1)
        # Without the key the same request is a new one, and the nomination has moved on.
        r = c.post("/api/v1/nominations/%s/actions" % nid, {"action": "submit", "expected_version": v})
        self.assertProblem(r, 422, "invalid_transition")

    def test_bearer_token(self):
        r = self.as_("gz_unit").post("/api/v1/tokens", {"name": "ci-upload"})
        self.assertIn(r.status, (200, 201), r)
        token = r.json["token"]
        self.assertTrue(token)
        self.assertProblem(self.as_("gz_unit").post("/api/v1/tokens", {"name": "x"}, csrf=False), 403, "csrf_failed")
        bot = Client(self.server)
        bot.token = token
        r = bot.get("/api/v1/session")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["user"]["username"], "gz_unit")
        # No cookie, no CSRF header: a write works.
        r = bot.raw("POST", "/api/v1/nominations", {"category": "family", "level": "county", "year": 2025, "jurisdiction": SHUANGTA,
                                                     "nominee": {"name": "令牌家庭", "ethnic_groups": "汉族", "members": "3",
                                                                 "address": "双塔乡", "contact_phone": "139"}, "summary": "x"},
                    headers={"Authorization": "Bearer " + token})
        self.assertStatus(r, 201)
        self.assertEqual(r.json["owner"], "gz_unit")
        # Same roles as its owner: no more.
        r = bot.post("/api/v1/nominations/%s/actions" % r.json["id"], {"action": "accept", "expected_version": 1})
        self.assertIn(r.status, (403, 422))
        bad = Client(self.server)
        bad.token = token + "x"
        self.assertProblem(bad.get("/api/v1/session"), 401, "unauthenticated")
        self.assertProblem(bad.get("/api/v1/nominations"), 401, "unauthenticated")

    def test_sign_in_changes_apply_to_the_next_request(self):
        # The server remembers who a token or session stands for (web/api.cpp): a role change, a
        # logout and disabling the user must still apply to the very next request.
        name = unique("cache_")
        password = "A-good-long-passphrase-9"
        r = self.as_("gz_admin").post("/api/v1/users", {"username": name, "display_name": "缓存测试", "password": password,
                                                         "roles": [{"role": "nominator", "jurisdiction": SHUANGTA}]})
        self.assertStatus(r, 201)
        user = Client(self.server).must_login(name, password)
        other = Client(self.server).must_login(name, password)
        r = user.post("/api/v1/tokens", {"name": "cache"})
        self.assertIn(r.status, (200, 201), r)
        bot = Client(self.server)
        bot.token = r.json["token"]
        for c in (user, other, bot, user, other, bot):  # twice: the second answer may come from memory
            r = c.get("/api/v1/session")
            self.assertStatus(r, 200)
            self.assertEqual(r.json["user"]["roles"], [{"role": "nominator", "jurisdiction": SHUANGTA}])
        r = self.as_("gz_admin").patch("/api/v1/users/" + name, {"roles": [{"role": "reviewer", "jurisdiction": GZ}]})
        self.assertStatus(r, 200)
        for c in (user, other, bot):
            r = c.get("/api/v1/session")
            self.assertStatus(r, 200)
            self.assertEqual(r.json["user"]["roles"], [{"role": "reviewer", "jurisdiction": GZ}])
        self.assertStatus(user.delete("/api/v1/session"), 204)
        self.assertProblem(user.get("/api/v1/session"), 401, "unauthenticated")
        self.assertStatus(other.get("/api/v1/session"), 200)
        self.assertStatus(self.as_("gz_admin").patch("/api/v1/users/" + name, {"disabled": True}), 200)
        self.assertProblem(other.get("/api/v1/session"), 401, "unauthenticated")
        self.assertProblem(bot.get("/api/v1/session"), 401, "unauthenticated")
        self.assertProblem(bot.get("/api/v1/nominations"), 401, "unauthenticated")

    def test_etag_and_not_modified(self):
        n = self.create("family")
        c = self.as_("gz_unit")
        r = c.get("/api/v1/nominations/" + n["id"])
        self.assertStatus(r, 200)
        etag = r.header("etag")
        self.assertTrue(etag and etag.startswith('"'), r.headers)
        r2 = c.get("/api/v1/nominations/" + n["id"], headers={"If-None-Match": etag})
        self.assertStatus(r2, 304)
        self.assertEqual(r2.body, b"")
        # The server keeps the body it built for one viewer (web/api.cpp): another viewer who may
        # not see the draft still gets 404.
        self.assertProblem(self.as_("gz_reviewer").get("/api/v1/nominations/" + n["id"]), 404, "not_found")
        self.assertStatus(c.patch("/api/v1/nominations/" + n["id"], {"expected_version": 1, "summary": "变了"}), 200)
        r3 = c.get("/api/v1/nominations/" + n["id"], headers={"If-None-Match": etag})
        self.assertStatus(r3, 200)
        self.assertNotEqual(r3.header("etag"), etag)
        r = self.anon().get("/api/v1/categories")
        self.assertStatus(self.anon().get("/api/v1/categories", headers={"If-None-Match": r.header("etag")}), 304)

    def test_pagination_and_filters(self):
        c = self.as_("gz_reviewer")
        # The demo named 198 county families for 2018 (their five years' validity has run out since).
        r = c.get("/api/v1/nominations?level=county&category=family&year=2018&per_page=200")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["total"], 198, "the demo names 198 county families for 2018")
        self.assertEqual(len(r.json["items"]), 198)
        self.assertTrue(all(x["level"] == "county" and x["category"] == "family" and x["year"] == 2018 for x in r.json["items"]))
        for state in {x["state"] for x in r.json["items"]}:
            got = c.get("/api/v1/nominations?level=county&category=family&year=2018&per_page=200&state=" + state).json
            self.assertEqual(got["total"], len([x for x in r.json["items"] if x["state"] == state]))
            self.assertTrue(all(x["state"] == state for x in got["items"]))
        self.assertEqual(c.get("/api/v1/nominations?state=no_such_state").json["total"], 0)
        pages = []
        for page in (1, 2, 3):
            r = c.get("/api/v1/nominations?level=county&year=2018&category=family&per_page=80&page=%d" % page)
            self.assertStatus(r, 200)
            self.assertEqual((r.json["page"], r.json["per_page"], r.json["total"]), (page, 80, 198))
            pages.append([x["id"] for x in r.json["items"]])
        self.assertEqual([len(p) for p in pages], [80, 80, 38])
        ids = sum(pages, [])
        self.assertEqual(len(set(ids)), 198, "pages do not overlap")
        r = c.get("/api/v1/nominations?level=county&year=2018&category=family&per_page=80&page=4")
        self.assertEqual(r.json["items"], [])
        r = c.get("/api/v1/nominations")
        self.assertEqual(r.json["per_page"], 20)
        self.assertEqual(len(r.json["items"]), 20)
        # Lists hold only what the caller may see.
        r = self.as_("dh_reviewer").get("/api/v1/nominations?year=2018")
        self.assertEqual(r.json["total"], 0)
        # The search matches the nominee's name.
        name = self.nom(ids[0])["nominee"]["name"]
        r = c.get("/api/v1/nominations?q=%s" % q(name))
        self.assertIn(ids[0], [x["id"] for x in r.json["items"]])

    def test_public_notices_show_no_personal_data(self):
        n = self.shortlisted("family", phone="13911112222")
        n = self.act("gz_approver", n["id"], "approve", n["version"], data={"notice_title": "无个人信息的公示"})
        r = self.anon().get("/api/v1/public/notices")
        self.assertStatus(r, 200)
        self.assertIn(n["id"], r.text)
        for forbidden in ("13911112222", "contact_phone", "contact", "address", "月牙墩村", "comment"):
            self.assertNotIn(forbidden, r.text)
        for notice in r.json:
            for key in ("id", "title", "office", "starts_at", "ends_at", "nominees"):
                self.assertIn(key, notice)
            for nominee in notice["nominees"]:
                self.assertEqual(set(nominee), {"nomination_id", "name", "category", "summary"})
        r = self.anon().get("/api/v1/public/notices/" + q(n["publicity"]["notice_id"]))
        self.assertStatus(r, 200)
        self.assertNotIn("13911112222", r.text)
        # The nomination itself is not public.
        self.assertProblem(self.anon().get("/api/v1/nominations/" + n["id"]), 401, "unauthenticated")
        # A panelist sees the nomination but not the personal fields.
        panel = self.as_("gz_panel1").get("/api/v1/nominations/" + n["id"])
        if panel.status == 200:
            self.assertNotIn("13911112222", panel.text)

    def test_audit_needs_the_auditor_role(self):
        for user in ("admin", "gz_admin", "gz_reviewer", "gz_approver"):
            for path in ("/api/v1/audit/records", "/api/v1/audit/checkpoint", "/api/v1/audit/proof/inclusion?index=0&size=1",
                         "/api/v1/audit/proof/consistency?from=1&to=2", "/api/v1/audit/export"):
                self.assertProblem(self.as_(user).get(path), 403, "forbidden")
        self.assertProblem(self.anon().get("/api/v1/audit/checkpoint"), 401, "unauthenticated")
        r = self.as_("auditor").get("/api/v1/audit/records?outcome=denied&actor=admin&limit=1000")
        self.assertStatus(r, 200)
        self.assertTrue(any("audit" in json.dumps(x["record"]) for x in r.json["records"]))

    def test_audit_checkpoint_key_and_proofs(self):
        a = self.as_("auditor")
        r = a.get("/api/v1/audit/key")
        self.assertStatus(r, 200)
        key = r.text.strip()
        name, key_id_hex, pub_b64 = key.split("+", 2)  # base64 may hold "+" too
        pub = base64.b64decode(pub_b64, validate=True)
        self.assertEqual(len(pub), 33)
        self.assertEqual(pub[0], 1, "Ed25519 key type")
        key_id = sha256(name.encode() + b"\n" + pub)[:4]
        self.assertEqual(key_id.hex(), key_id_hex)

        r = a.get("/api/v1/audit/checkpoint")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("content-type").startswith("text/plain"))
        cp1 = parse_checkpoint(r.text)
        self.assertGreater(cp1["size"], 1000, "the demo wrote thousands of records")
        self.assertEqual(len(cp1["root"]), 32)
        sigs = [s for s in cp1["signatures"] if s.startswith("\u2014 " + name + " ")]
        self.assertTrue(sigs, cp1["signatures"])
        sig = base64.b64decode(sigs[0].split(" ")[2], validate=True)
        self.assertEqual(len(sig), 4 + 64)
        self.assertEqual(sig[:4], key_id)

        size = cp1["size"]
        for index in sorted({0, 1, size // 3, size // 2, size - 2, size - 1}):
            r = a.get("/api/v1/audit/records?from=%d&limit=1" % index)
            self.assertStatus(r, 200)
            row = r.json["records"][0]
            self.assertEqual(row["index"], index)
            leaf = leaf_hash(canonical(row["record"]))
            self.assertEqual(leaf.hex(), row["leaf_hash"], "canonical re-serialisation of record %d" % index)
            r = a.get("/api/v1/audit/proof/inclusion?index=%d&size=%d" % (index, size))
            self.assertStatus(r, 200)
            self.assertEqual((r.json["index"], r.json["size"]), (index, size))
            proof = [base64.b64decode(h, validate=True) for h in r.json["hashes"]]
            self.assertTrue(verify_inclusion(index, size, leaf, proof, cp1["root"]), "inclusion of %d in %d" % (index, size))
            self.assertFalse(verify_inclusion(index, size, sha256(b"forged"), proof, cp1["root"]))

        # Every audit read is itself recorded, so the log has grown: check consistency.
        r = a.get("/api/v1/audit/checkpoint")
        cp2 = parse_checkpoint(r.text)
        self.assertGreater(cp2["size"], size)
        r = a.get("/api/v1/audit/proof/consistency?from=%d&to=%d" % (size, cp2["size"]))
        self.assertStatus(r, 200)
        proof = [base64.b64decode(h, validate=True) for h in r.json["hashes"]]
        self.assertTrue(verify_consistency(size, cp2["size"], proof, cp1["root"], cp2["root"]))
        self.assertFalse(verify_consistency(size, cp2["size"], proof, sha256(b"x"), cp2["root"]))
        # Bad proof requests.
        self.assertProblem(a.get("/api/v1/audit/proof/inclusion?index=5&size=5"), 422, "validation_failed")
        self.assertProblem(a.get("/api/v1/audit/proof/inclusion?index=-1&size=5"), 422, "validation_failed")
        self.assertProblem(a.get("/api/v1/audit/proof/inclusion?index=0&size=%d" % (cp2["size"] * 10)), 422, "validation_failed")
        self.assertProblem(a.get("/api/v1/audit/proof/consistency?from=9&to=3"), 422, "validation_failed")
        # Records page on.
        r = a.get("/api/v1/audit/records?from=0&limit=50")
        self.assertEqual([x["index"] for x in r.json["records"]], list(range(50)))
        self.assertEqual(r.json["next"], 50)

    def test_audit_export(self):
        r = self.as_("auditor").get("/api/v1/audit/export")
        self.assertStatus(r, 200)
        self.assertTrue(r.header("content-type").startswith("application/x-ndjson"))
        lines = r.text.strip("\n").split("\n")
        head = json.loads(lines[0])
        self.assertEqual(head["format"], "laurel-audit/1")
        last = json.loads(lines[-1])
        cp = parse_checkpoint(last["checkpoint"])
        leaves = [json.loads(x) for x in lines[1:-1]]
        self.assertEqual(len(leaves), cp["size"])
        self.assertEqual([x["index"] for x in leaves[:5]], [0, 1, 2, 3, 4])

    def test_dev_clock_needs_an_administrator(self):
        self.assertProblem(self.as_("gz_reviewer").post("/api/v1/dev/clock", {"advance_seconds": 10}), 403, "forbidden")
        self.assertProblem(self.anon().post("/api/v1/dev/clock", {"advance_seconds": 10}), 401, "unauthenticated")
        self.assertProblem(self.as_("admin").post("/api/v1/dev/clock", {"advance_seconds": -5}), 422, "validation_failed")


def send_and_read(port, head, body, timeout=20):
    """Sends the head, then (if the server has not answered yet) the body; returns the response."""
    from laurel_client import Reply
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(head)
        ready, _, _ = select.select([s], [], [], 3)
        if not ready:
            try:
                s.sendall(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        resp = http.client.HTTPResponse(s)
        resp.begin()
        data = resp.read()
        return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        s.close()


# =================================================================================================
class ObjectionRateLimitTests(LaurelCase):
    """Public objections: 10 an hour from one address by default, then 429."""

    def test_objections_are_rate_limited_per_address(self):
        n = self.shortlisted("family")
        n = self.act("gz_approver", n["id"], "approve", n["version"])
        notice = n["publicity"]["notice_id"]
        self.advance_to(parse_time(n["publicity"]["starts_at"]) + 60)
        path = "/api/v1/public/notices/%s/objections" % q(notice)
        # Validation failures do not count.
        self.assertProblem(self.anon().post(path, {"nomination_id": n["id"]}), 422, "validation_failed")
        self.assertProblem(self.anon().post(path, {"nomination_id": n["id"], "text": "x", "email": "a@b"}), 422, "validation_failed")
        statuses = [self.anon().post(path, {"nomination_id": n["id"], "text": "异议 %d" % i}).status for i in range(10)]
        self.assertEqual(statuses, [202] * 10)
        r = self.anon().post(path, {"nomination_id": n["id"], "text": "第十一条"})
        self.assertProblem(r, 429, "rate_limited")
        self.assertTrue(r.header("retry-after"))
        self.assertEqual(len(self.nom(n["id"])["objections"]), 10, "the refused one was not recorded")
        # An hour later the address may object again.
        self.advance(3601)
        self.assertStatus(self.anon().post(path, {"nomination_id": n["id"], "text": "一小时后"}), 202)
        self.assertEqual(len(self.nom(n["id"])["objections"]), 11)


class SmallObjectionLimitTests(LaurelCase):
    server_args = LONG_SESSIONS + ["--objections-per-hour", "3"]

    def test_configured_limit(self):
        n = self.shortlisted("family")
        n = self.act("gz_approver", n["id"], "approve", n["version"])
        self.advance_to(parse_time(n["publicity"]["starts_at"]) + 60)
        path = "/api/v1/public/notices/%s/objections" % q(n["publicity"]["notice_id"])
        statuses = [self.anon().post(path, {"nomination_id": n["id"], "text": "异议 %d" % i}).status for i in range(5)]
        self.assertEqual(statuses, [202, 202, 202, 429, 429])


# =================================================================================================
class CrashRestartTests(LaurelCase):
    """SIGKILL in the middle of a publicity window: after a restart, nothing acknowledged is lost and
    the window still closes on time."""

    def test_kill_during_publicity_and_restart(self):
        a = self.shortlisted("family")
        b = self.shortlisted("family")
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "approve", "items": [{"id": x["id"], "expected_version": x["version"]} for x in (a, b)],
            "data": {"notice_title": "重启测试公示"}})
        self.assertStatus(r, 200)
        notice = r.json["items"][0]["publicity"]["notice_id"]
        ends = parse_time(r.json["items"][0]["publicity"]["ends_at"])
        self.advance_to(parse_time(r.json["items"][0]["publicity"]["starts_at"]) + DAY)  # the middle of the window
        r = self.anon().post("/api/v1/public/notices/%s/objections" % q(notice),
                             {"nomination_id": a["id"], "text": "重启前提交的异议", "contact": "李女士"})
        self.assertStatus(r, 202)
        receipt = r.json["receipt"]
        before = {x["id"]: self.nom(x["id"]) for x in (a, b)}

        # Writers in flight when the server dies: every acknowledged one must survive.
        acknowledged, errors = [], []
        stop = threading.Event()
        lock = threading.Lock()
        clients = [Client(self.server, timeout=10).must_login("gz_unit", DEMO_PASSWORD) for _ in range(4)]

        def writer(c, k):
            i = 0
            while not stop.is_set():
                i += 1
                body = {"category": "family", "level": "county", "year": 2026, "jurisdiction": SHUANGTA,
                        "nominee": {"name": "写入%d-%d家庭" % (k, i), "ethnic_groups": "汉族", "members": "3", "address": "双塔乡",
                                    "contact_phone": "139"}, "summary": "崩溃前写入"}
                try:
                    r = c.post("/api/v1/nominations", body)
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        errors.append(repr(e))
                    if not self.server.running():
                        return
                    continue
                if r.status == 201:
                    with lock:
                        acknowledged.append((r.json["id"], r.json["nominee"]["name"]))
        threads = [threading.Thread(target=writer, args=(c, k), daemon=True) for k, c in enumerate(clients)]
        for t in threads:
            t.start()
        time.sleep(1.5)
        self.server.kill()
        stop.set()
        for t in threads:
            t.join(15)
        self.assertFalse(any(t.is_alive() for t in threads))
        self.assertGreater(len(acknowledged), 5, "writes were acknowledged before the kill")

        self.server.start()
        self._clients.clear()
        self.assertStatus(self.anon().get("/healthz"), 200)
        for nid, name in acknowledged:
            n = self.nom(nid, "gz_unit")
            self.assertEqual((n["state"], n["nominee"]["name"]), ("draft", name))
        for x in (a, b):
            n = self.nom(x["id"])
            self.assertEqual((n["state"], n["version"]), ("publicity", before[x["id"]]["version"]))
        objs = self.nom(a["id"])["objections"]
        self.assertEqual([(o["id"], o["state"], o.get("contact")) for o in objs], [(receipt, "open", "李女士")])
        # The log verifies on the live database (when this binary has `laurel audit`).
        helptext = subprocess.run([LAUREL, "--help"], capture_output=True, timeout=30).stdout.decode(errors="replace")
        if any(line.split()[:1] == ["audit"] for line in helptext.splitlines()):
            out = subprocess.run([LAUREL, "audit", "verify", "--db", self.db], capture_output=True, timeout=300, env=laurel_env())
            self.assertEqual(out.returncode, 0, out.stdout.decode(errors="replace") + out.stderr.decode(errors="replace"))

        # The dev clock's offset is not persisted: the server is back at the wall clock. Move it
        # to just before the end; the window is still open.
        self.advance_to(ends - 4)
        self.assertEqual(self.nom(b["id"])["state"], "publicity")
        # Then let real time pass the end: the server's own timer closes the window, no request needed.
        deadline = time.monotonic() + 20
        state = None
        while time.monotonic() < deadline:
            state = self.nom(b["id"])["state"]
            if state == "publicity_closed":
                break
            time.sleep(0.5)
        self.assertEqual(state, "publicity_closed", "the timer fired at the end of the window by itself")
        # The one with an open objection waits for its finding.
        self.assertEqual(self.nom(a["id"])["state"], "publicity")
        n = self.act("gz_reviewer", a["id"], "dismiss_objection", data={"objection_id": receipt, "finding": "异议不成立"})
        self.assertEqual(self.wait_for_state(a["id"], "publicity_closed"), "publicity_closed")
        r = self.as_("gz_approver").post("/api/v1/batch-actions", {
            "action": "name", "items": [{"id": x["id"], "expected_version": self.nom(x["id"])["version"]} for x in (a, b)],
            "data": {"document_no": "瓜民团发〔2026〕77号"}})
        self.assertStatus(r, 200)
        self.assertEqual([x["state"] for x in r.json["items"]], ["named", "named"])
        # A clean stop exits 0 (checked again in the class clean-up).
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        self._clients.clear()
        self.assertEqual(self.nom(a["id"])["state"], "named")


# =================================================================================================
class HostileClientTests(LaurelCase):
    """Slow and idle clients. No demo data needed: a database from `laurel init`."""

    template_kind = "init"
    server_args = ["--header-timeout", "2", "--body-timeout", "2"]
    dev_clock = False

    def test_dev_clock_route_absent_without_flag(self):
        self.assertProblem(self.anon().get("/api/v1/dev/clock"), 404, "not_found")
        self.assertProblem(self.as_("admin").post("/api/v1/dev/clock", {"advance_seconds": 1}), 404, "not_found")

    def test_slow_headers_are_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        request = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slowloris\r\n\r\n"
        started = time.monotonic()
        closed_after = None
        try:
            for i in range(len(request)):
                try:
                    s.sendall(request[i:i + 1])
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
                    break
                ready, _, _ = select.select([s], [], [], 1.0)
                if ready:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    if not data or not data.startswith(b"HTTP/1.1 200"):
                        closed_after = time.monotonic() - started
                        break
                    self.fail("the server answered a request sent one byte a second: %r" % data)
        finally:
            s.close()
        self.assertIsNotNone(closed_after, "the connection was never closed")
        self.assertLess(closed_after, 8, "closed by the 2 s header timeout")
        self.assertGreaterEqual(closed_after, 1.5)
        self.assertStatus(self.anon().get("/healthz"), 200)

    def test_slow_body_is_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        started = time.monotonic()
        closed_after = None
        try:
            s.sendall(b"POST /api/v1/session HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n")
            for i in range(30):
                try:
                    s.sendall(b" ")
                except (BrokenPipeError, ConnectionResetError):
                    closed_after = time.monotonic() - started
                    break
                ready, _, _ = select.select([s], [], [], 1.0)
                if ready:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    closed_after = time.monotonic() - started
                    self.assertFalse(data.startswith(b"HTTP/1.1 2"), data)
                    break
        finally:
            s.close()
        self.assertIsNotNone(closed_after)
        self.assertLess(closed_after, 8)

    def test_thousand_idle_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(4096, soft), hard), hard))
            soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft < 1100:
            self.skipTest("cannot open 1000 sockets: RLIMIT_NOFILE is %d" % soft)
        # The server inherited its limit at start; use a server with the default 10 s header timeout
        # so that the idle connections stay open while we measure.
        tmp, db = copy_database(template("init"))
        self.addCleanup(shutil.rmtree, tmp, True)
        server = Server(LAUREL, db, tmp, [], dev_clock=False).start()
        self.addCleanup(server.kill)
        idle = []
        try:
            for i in range(1000):
                s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
                if i % 2:
                    s.sendall(b"GET /healthz HTTP/1.1\r\n")  # a partial request, never finished
                idle.append(s)
            c = Client(server, timeout=5)
            for _ in range(5):
                started = time.monotonic()
                r = c.get("/healthz")
                self.assertStatus(r, 200)
                self.assertLess(time.monotonic() - started, 2.0)
            started = time.monotonic()
            c.must_login("admin", ADMIN_PASSWORD)
            self.assertStatus(c.get("/api/v1/session"), 200)
            self.assertStatus(c.get("/api/v1/jurisdictions"), 200)
            self.assertLess(time.monotonic() - started, 5.0)
            # The idle ones are still connected (the header timeout is 10 s): the server kept them.
            alive = 0
            for s in idle[:50]:
                ready, _, _ = select.select([s], [], [], 0)
                alive += 0 if ready else 1
            self.assertGreater(alive, 40)
        finally:
            for s in idle:
                s.close()
        self.assertStatus(Client(server).get("/healthz"), 200)
        self.assertEqual(server.stop(), 0)


def main():
    def use(path):
        global LAUREL
        LAUREL = path
        load_maxima()
    return run_tests(__doc__, '../../build/e2e/web/laurel', use)


if __name__ == "__main__":
    sys.exit(main())
