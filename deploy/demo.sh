#!/bin/bash
# The README's first command: installs what is missing, builds Laurel, creates a demo database from
# the seed county's 2018 figures (run through the real workflow), and serves it on
# http://127.0.0.1:8080, printing the demo logins. Set LAUREL_DEMO_DIR to keep the data elsewhere
# (default build/demo); delete that folder to start again.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
deploy/build.sh release
LAUREL=build/release/web/laurel
echo "== workflows shipped in workflows/"
$LAUREL workflows check

DATA=${LAUREL_DEMO_DIR:-$PWD/build/demo}
DB="$DATA/laurel.db"
export LAUREL_ADMIN_PASSWORD=${LAUREL_ADMIN_PASSWORD:-laurel-admin-2018}
export LAUREL_DEMO_PASSWORD=${LAUREL_DEMO_PASSWORD:-laurel-demo-2018}
mkdir -p "$DATA"
if [[ ! -f "$DB" ]]; then
  echo "== creating the demo database in $DATA"
  $LAUREL demo --db "$DB"
else
  echo "== using the demo database in $DATA (delete the folder to start again)"
fi
echo
echo "logins: admin / $LAUREL_ADMIN_PASSWORD; every demo user (gz_unit, gz_reviewer, gz_panel1..3, gz_approver,"
echo "jq_reviewer, jq_approver, gs_reviewer, gs_approver, auditor, …) / $LAUREL_DEMO_PASSWORD"
if $LAUREL --help 2>/dev/null | grep -q '^ *serve'; then
  echo "== serving on http://127.0.0.1:8080 (Ctrl-C stops)"
  exec $LAUREL serve --db "$DB" --listen 127.0.0.1:8080
else
  echo "The HTTP server is not built yet (see the open issues); the database is ready at $DB."
fi
