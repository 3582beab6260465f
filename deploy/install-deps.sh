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
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-nacl sqlite3 curl
  # operations: nginx in front of Laurel (install.sh and its end-to-end test), openssl for certificates,
  # systemd-analyze for the units, YAML for the alert rules' test
  nginx openssl systemd python3-yaml
)

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
