#!/bin/bash
# Runs the browser tests (journeys.test.js) against the `laurel` executable given as $1, saving the
# screenshots and printed PDFs in $2. Installs playwright-core from package-lock.json (npm ci) when
# node_modules is missing; the browser is Debian's chromium (deploy/install-deps.sh), never a
# downloaded one. Exits non-zero, naming what is missing, when node, npm or chromium are not there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
laurel="${1:?usage: run.sh LAUREL_EXECUTABLE SCREENSHOT_DIR}"
shots="${2:?usage: run.sh LAUREL_EXECUTABLE SCREENSHOT_DIR}"
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "browser tests: $tool is missing (deploy/install-deps.sh installs it)" >&2; exit 1; }
done
[[ -x /usr/bin/chromium ]] || { echo "browser tests: /usr/bin/chromium is missing (deploy/install-deps.sh installs Debian's chromium)" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "browser tests: playwright-core needs Node.js 20 or newer, this is $(node --version)" >&2
  exit 1
fi
if [[ ! -f "$here/node_modules/playwright-core/package.json" ]]; then
  echo "browser tests: npm ci (playwright-core from package-lock.json)"
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts)
fi
export LAUREL="$laurel" LAUREL_SHOTS="$shots"
exec node --test --test-concurrency=1 --test-reporter=spec --test-timeout=600000 "$here/journeys.test.js"
