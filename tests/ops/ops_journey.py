"""Shared by tests/ops/test_ops.py and tests/ops/make_fixture_v1.py: users and a nomination made
through the real API of a database created by `laurel init` (only `admin` exists there)."""

import hashlib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from laurel_client import ADMIN_PASSWORD  # noqa: E402

USER_PASSWORD = "Laurel-ops-Users-pw-2024!"
COUNTY = "620922"           # 瓜州县
TOWNSHIP = "620922213"      # 双塔乡
USERS = [("ops_unit", "运维测试申报单位", "nominator", COUNTY), ("ops_reviewer", "运维测试初审员", "reviewer", COUNTY)]


def pdf(label):
    return ("%%PDF-1.4\n%% ops %s\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%%%EOF\n" % label).encode()


def png(label):
    return b"\x89PNG\r\n\x1a\n" + label.encode()


def jpeg(label):
    return b"\xff\xd8\xff\xe0JFIF ops " + label.encode()


FAMILY_MATERIALS = [("application_form", "申报表.pdf", "application/pdf", pdf), ("deeds", "事迹材料.pdf", "application/pdf", pdf),
                    ("photos", "照片1.png", "image/png", png), ("photos", "照片2.jpg", "image/jpeg", jpeg),
                    ("community_opinion", "社区意见.pdf", "application/pdf", pdf)]


def expect(reply, status, what):
    if reply.status != status:
        raise AssertionError("%s: expected %d, got %r" % (what, status, reply))
    return reply


def create_users(admin):
    """`admin` is a signed-in Client; creates USERS (unless they exist)."""
    for username, display, role, jurisdiction in USERS:
        r = admin.post("/api/v1/users", {"username": username, "display_name": display, "password": USER_PASSWORD,
                                         "roles": [{"role": role, "jurisdiction": jurisdiction}]})
        if r.status != 201 and "already taken" not in r.text:
            raise AssertionError("create user %s: %r" % (username, r))


def create_nomination(unit, name):
    r = expect(unit.post("/api/v1/nominations", {
        "category": "family", "level": "county", "year": 2025, "jurisdiction": TOWNSHIP,
        "nominee": {"name": name, "ethnic_groups": "回族、汉族", "members": "4", "address": "瓜州县双塔乡月牙墩村",
                    "contact_phone": "13912345678"},
        "summary": name + "积极参与民族团结进步创建活动。"}), 201, "create nomination")
    return r.json


def upload_materials(unit, nid):
    from laurel_client import q
    for i, (material, filename, ctype, make) in enumerate(FAMILY_MATERIALS):
        data = make("%s %s %d" % (nid, material, i))
        r = expect(unit.post("/api/v1/nominations/%s/attachments?material=%s&filename=%s" % (q(nid), q(material), q(filename)),
                             data, content_type=ctype), 201, "upload " + material)
        if r.json["sha256"] != hashlib.sha256(data).hexdigest():
            raise AssertionError("upload digest differs")


def act(client, nid, action, comment=None):
    from laurel_client import q
    n = expect(client.get("/api/v1/nominations/" + q(nid)), 200, "get nomination").json
    body = {"action": action, "expected_version": n["version"]}
    if comment:
        body["comment"] = comment
    return expect(client.post("/api/v1/nominations/%s/actions" % q(nid), body), 200, action).json
