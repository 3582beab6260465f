#!/bin/bash
# The README's second command: installs what is missing, builds, and runs every test, first under
# AddressSanitizer + UndefinedBehaviorSanitizer, then in the release build (whose ctest summary ends
# the output). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

deploy/install-deps.sh

echo "== build (sanitizers)"
deploy/build.sh asan
echo "== tests (sanitizers)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j2 --timeout 600

echo "== build (release)"
deploy/build.sh release
echo "== workflows check"
build/release/web/laurel workflows check
echo "== tests (release), $(( $(date +%s) - start ))s so far"
ctest --test-dir build/release --output-on-failure -j2 --timeout 600
