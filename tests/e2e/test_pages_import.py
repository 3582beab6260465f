#!/usr/bin/env python3
"""End-to-end test of the import form that works without JavaScript (issue #6): the real `laurel`
binary on a real socket, driven as a browser without scripts drives it.

    python3 tests/e2e/test_pages_import.py --laurel build/release/web/laurel [unittest options]

A nominating unit signs in through the sign-in page, takes the CSRF token from the import page, and
posts a CSV as multipart/form-data to POST /nominations/import; the server streams the body to disk,
parses it and runs the API's import, and answers with the report as a page: a valid file imported
(201, links to the nominations), a file with a bad row refused whole (422, the row shown) or, asked
for the valid rows only, imported in part; refused without the CSRF field, and for a user who may
not import (403, recorded as denied). The form and the browser's helpers are those of
test_pages_upload.py.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from laurel_client import Client, run_tests  # noqa: E402
from test_pages_upload import BOUNDARY, PASSWORD, PageUser, ServerCase, multipart  # noqa: E402

HEADER = "category,level,year,jurisdiction,name,ethnic_groups,members,address,contact_phone,summary\r\n"


def row(name, year="2025"):
    return "家庭,县级,%s,620922213,%s,回族、汉族,4,瓜州县双塔乡,13912345678,积极参与民族团结进步创建活动。\r\n" % (year, name)


class ImportUser(PageUser):
    def import_csv(self, csv, mode="all", csrf=True, lang=None):
        fields = ([("csrf", self.csrf)] if csrf else []) + [("mode", mode)]
        body = multipart(fields, [("file", "名单.csv", "text/csv", csv.encode())])
        path = "/nominations/import" + ("?lang=" + lang if lang else "")
        return self.client.raw("POST", path, body, headers={"Cookie": self.cookie},
                               content_type="multipart/form-data; boundary=" + BOUNDARY)

    def count(self):
        r = self.api("GET", "/api/v1/nominations?per_page=100")
        assert r.status == 200, r
        return r.json["total"]


class PagesImportTests(ServerCase):
    PREFIX = "laurel-e2e-import-"
    USERS = [("gz_unit", "nominator", "620922"), ("gz_reviewer", "reviewer", "620922"), ("auditor1", "auditor", "620900")]
    USER_CLASS = ImportUser

    def test_1_the_page_has_a_form_that_posts_without_scripts(self):
        page = self.unit.get("/nominations/import")
        self.assertEqual(page.status, 200)
        self.assertIn('method="post" enctype="multipart/form-data" action="/nominations/import"', page.text)
        self.assertIn('<input type="hidden" name="csrf" value="%s">' % self.unit.csrf, page.text)
        self.assertNotIn("import-noscript", page.text)

    def test_2_a_valid_csv_is_imported_with_links_to_the_nominations(self):
        before = self.unit.count()
        r = self.unit.import_csv(HEADER + row("一号家庭") + row("二号家庭"))
        self.assertEqual(r.status, 201, r.text[:500])
        self.assertTrue(r.header("content-type").startswith("text/html"))
        self.assertIn("已导入 2 条申报", r.text)
        ids = re.findall(r'<a href="/nominations/([^"]+)">', r.text)
        created = [i for i in ids if i not in ("import", "new")]
        self.assertEqual(len(created), 2, ids)
        self.assertEqual(self.unit.count(), before + 2)
        n = self.unit.api("GET", "/api/v1/nominations/" + created[0])
        self.assertEqual(n.json["nominee"]["name"], "一号家庭")
        # No temporary upload file is left behind.
        leftovers = [f for _, _, names in os.walk(os.path.dirname(self.db)) for f in names if f.startswith(".incoming-")]
        self.assertEqual(leftovers, [])

    def test_3_a_bad_row_refuses_the_file_or_is_left_out_on_request(self):
        before = self.unit.count()
        csv = HEADER + row("三号家庭") + row("四号家庭", year="二〇二五")
        r = self.unit.import_csv(csv)
        self.assertEqual(r.status, 422, r.text[:500])
        self.assertIn("2 行中有 1 行有问题", r.text)
        self.assertIn("<td>3</td><td>year</td><td>应为 2000 至 2100 之间的年份，而不是“二〇二五”。</td>", r.text)
        self.assertEqual(self.unit.count(), before)
        r = self.unit.import_csv(csv, lang="en")
        self.assertEqual(r.status, 422)
        self.assertIn("1 of 2 rows have problems", r.text)
        r = self.unit.import_csv(csv, mode="valid", lang="zh")
        self.assertEqual(r.status, 201, r.text[:500])
        self.assertIn("已导入 1 条申报", r.text)
        self.assertIn("<td>3</td><td>year</td>", r.text)
        self.assertEqual(self.unit.count(), before + 1)

    def test_4_refused_without_the_csrf_field(self):
        before = self.unit.count()
        r = self.unit.import_csv(HEADER + row("五号家庭"), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn("表单校验失败", r.text)
        self.assertEqual(self.unit.count(), before)

    def test_5_a_user_who_may_not_import_is_refused_and_recorded(self):
        reviewer = ImportUser(self.server, "gz_reviewer")
        self.assertNotIn('id="import-form"', reviewer.get("/nominations/import").text)
        before = self.unit.count()
        r = reviewer.import_csv(HEADER + row("六号家庭"))
        self.assertEqual(r.status, 403, r)
        self.assertIn("只有申报单位", r.text)
        self.assertEqual(self.unit.count(), before)
        auditor = Client(self.server).must_login("auditor1", PASSWORD)
        audit = auditor.get("/api/v1/exports/audit-records?format=csv&action=import_nominations&outcome=denied")
        self.assertEqual(audit.status, 200, audit)
        self.assertIn("gz_reviewer", audit.text)


def main():
    def use(path):
        ServerCase.binary = path

    return run_tests(__doc__, '../../build/release/web/laurel', use)


if __name__ == "__main__":
    sys.exit(main())
