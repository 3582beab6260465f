#!/bin/bash
# The README's first command: installs what is missing, builds Laurel and checks the shipped
# workflows. (The server and the demo database come with the storage and server work; until then
# this stops after the check and says so.)
set -euo pipefail
cd "$(dirname "$0")/.."

deploy/install-deps.sh
deploy/build.sh release
echo "== workflows shipped in workflows/"
build/release/web/laurel workflows check
echo
echo "Laurel's engine and workflows are built and checked. The HTTP server and the demo database"
echo "(http://127.0.0.1:8080 with demo logins) are not built yet: see the open issues."
