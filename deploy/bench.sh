#!/bin/bash
# Benchmarks, separate from the tests: builds the release tree and prints figures (mean, median,
# stddev of 5 repetitions). Usage: deploy/bench.sh [extra google-benchmark flags]
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/install-deps.sh >/dev/null
deploy/build.sh release >/dev/null
echo "== engine: decide + apply (one core)"
build/release/tests/engine_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
