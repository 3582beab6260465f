#!/usr/bin/env python3
"""Builds tests/ops/fixtures/schema-v1/: a small database at schema version 1 (users, a submitted
nomination with its attachments, sessions), its signing key and attachments, for the upgrade test.

    python3 tests/ops/make_fixture_v1.py --laurel build/release/web/laurel

Run it only with a `laurel` whose schema version is 1 (it refuses otherwise): the fixture stands for
databases made by that release, and the upgrade test migrates it to whatever the latest schema is.
Made with commit fabfc80 + the ops branch (Laurel 0.1.0, schema version 1)."""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
from laurel_client import ADMIN_PASSWORD, Client, Server, laurel_env  # noqa: E402
import ops_journey  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--laurel", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "fixtures", "schema-v1"))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="laurel-fixture-")
    try:
        db = os.path.join(work, "laurel.db")
        subprocess.run([args.laurel, "init", "--db", db], env=laurel_env(), check=True, capture_output=True)
        con = sqlite3.connect(db)
        version = con.execute("PRAGMA user_version").fetchone()[0]
        con.close()
        if version != 1:
            sys.exit("make_fixture_v1: this laurel writes schema version %d, not 1" % version)
        server = Server(args.laurel, db, work, dev_clock=False).start()
        try:
            admin = Client(server).must_login("admin", ADMIN_PASSWORD)
            ops_journey.create_users(admin)
            unit = Client(server).must_login("ops_unit", ops_journey.USER_PASSWORD)
            n = ops_journey.create_nomination(unit, "升级测试家庭")
            ops_journey.upload_materials(unit, n["id"])
            n = ops_journey.act(unit, n["id"], "submit")
            assert n["state"] == "county_review", n
        finally:
            if server.stop() != 0:
                sys.exit("laurel serve did not stop cleanly")
        con = sqlite3.connect(db, isolation_level=None)
        records = con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
        con.execute("PRAGMA journal_mode = DELETE")
        con.execute("VACUUM")
        con.close()
        if os.path.exists(args.out):
            shutil.rmtree(args.out)
        os.makedirs(args.out)
        for name in ("laurel.db", "laurel.db.key"):
            shutil.copy2(os.path.join(work, name), os.path.join(args.out, name))
        shutil.copytree(os.path.join(work, "laurel.db.files"), os.path.join(args.out, "laurel.db.files"))
        with open(os.path.join(args.out, "fixture.json"), "w") as f:
            json.dump({"schema_version": 1, "records": records, "nomination": n["id"], "users": [u[0] for u in ops_journey.USERS],
                       "password": ops_journey.USER_PASSWORD, "admin_password": ADMIN_PASSWORD}, f, ensure_ascii=False, indent=1)
            f.write("\n")
        print("wrote %s: schema version 1, %d records, nomination %s" % (args.out, records, n["id"]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
