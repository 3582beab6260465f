#!/bin/bash
# Storage figures: builds the release tree and runs tests/bench/store_bench, which prints durable
# commands per second with 1, 8 and 64 submitters (p50, p99, average group-commit size) beside raw
# SQLite inserts of the same record bytes with the same sync settings and batching, then builds a
# log of 1,000,000 records and prints its size, and the start-up time and resident memory of a
# process that opens it. Takes about ten minutes on the 2-core machine.
# Usage: deploy/bench-storage.sh [--seconds 5] [--records 1000000] [--dir FOLDER] [--keep]
#   --dir   where the databases go (default: build/release/bench-data; it must be on the disk
#           you want to measure: fsync latency is most of the figure with one submitter)
#   --keep  keep the large log and reuse it next time (start-up figures only)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh >/dev/null
deploy/build.sh release >/dev/null
args=("$@")
if [[ " ${args[*]-} " != *" --dir "* ]]; then
  mkdir -p build/release/bench-data
  args+=(--dir build/release/bench-data)
fi
echo "== $(nproc) cores, $(uname -r), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?')"
build/release/tests/store_bench "${args[@]}"
