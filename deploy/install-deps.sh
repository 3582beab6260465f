#!/bin/bash
# Installs every Debian 12 package Laurel needs to build, test and run. Idempotent: when everything is
# present it only checks (a second or so). Runs `apt-get update` only when something must be installed.
# Usage (as root): deploy/install-deps.sh
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config git
  # libraries (Boost 1.81 conflicts with Debian's default 1.74 -dev packages and with libmstch-dev)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libcereal-dev libsodium-dev libssl-dev libcli11-dev libspdlog-dev libctemplate-dev libmimalloc-dev
  # documents: XLSX out (libxlsxwriter) and in (libzip, expat), PDF (pango on cairo, Noto CJK fonts)
  libxlsxwriter-dev libzip-dev libexpat1-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-nacl sqlite3 curl poppler-utils
  # operations: nginx in front of Laurel (install.sh and its end-to-end test), openssl for certificates,
  # systemd-analyze for the units, YAML for the alert rules' test
  nginx openssl systemd python3-yaml
  # browser tests (tests/browser): Debian's chromium driven by playwright-core from npm, Node.js (the
  # machine's own 20 when present, which brings npm), the CJK fonts that pages and printed PDFs use
  chromium fonts-noto-cjk nodejs
)
# npm comes with a Node.js from NodeSource (which conflicts with Debian's npm package); with Debian's
# nodejs it is a package of its own.
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or install them) and try again" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
