#!/bin/bash
# Configures and builds one build tree with Ninja (and ccache when present).
# Usage: deploy/build.sh release|asan
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
case "$kind" in
  release) cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ;;
  asan) cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAUREL_SANITIZE=ON -DLAUREL_BENCHMARKS=OFF >/dev/null ;;
  *) echo "usage: deploy/build.sh release|asan" >&2; exit 2 ;;
esac
cmake --build "build/$kind"
