#!/bin/bash
# Takes a fresh Debian 12 machine to a running Laurel behind nginx with TLS, in one command (as root,
# from the source tree):
#
#   deploy/install.sh [--server-name honours.example.gov.cn] [--prefix /usr/local]
#
# It installs the packages (deploy/install-deps.sh), builds and installs `laurel` and its data
# (cmake --install), creates the user `laurel`, /etc/laurel (configuration, TLS), /var/lib/laurel (data)
# and /var/backups/laurel, creates the database and its signing key (printing the admin password once),
# a self-signed certificate when none is there (replace it with the real one: README, "Operations"),
# the nginx site, and enables laurel.service and the nightly laurel-backup.timer. Run it again to
# upgrade: it rebuilds and restarts; the service backs the database up and migrates it on start.
# Existing configuration, database, key and certificate are never overwritten.
set -euo pipefail

cd "$(dirname "$0")/.."
SRC=$(pwd)
SERVER_NAME=$(hostname -f 2>/dev/null || hostname)
PREFIX=/usr/local
while (($#)); do
  case "$1" in
    --server-name) SERVER_NAME=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "install: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ $(id -u) -ne 0 ]]; then echo "install: run as root" >&2; exit 1; fi
if ! grep -q '^VERSION_ID="12"' /etc/os-release 2>/dev/null; then
  echo "install: warning: this is not Debian 12; continuing" >&2
fi
if [[ ! "$SERVER_NAME" =~ ^[A-Za-z0-9.-]+$ ]]; then echo "install: bad --server-name \"$SERVER_NAME\"" >&2; exit 2; fi
step() { echo; echo "== $*"; }

step "packages"
deploy/install-deps.sh

step "build and install laurel into $PREFIX"
cmake -S . -B build/install -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLAUREL_BENCHMARKS=OFF -DCMAKE_INSTALL_PREFIX="$PREFIX" >/dev/null
cmake --build build/install --target laurel -- -j"$(nproc)"
cmake --install build/install
LAUREL="$PREFIX/bin/laurel"
"$LAUREL" --version

step "user and folders"
if ! id laurel >/dev/null 2>&1; then
  useradd --system --user-group --home-dir /var/lib/laurel --no-create-home --shell /usr/sbin/nologin laurel
fi
install -d -o root -g laurel -m 0750 /etc/laurel
install -d -o root -g root -m 0700 /etc/laurel/tls
install -d -o laurel -g laurel -m 0700 /var/lib/laurel /var/backups/laurel

step "configuration /etc/laurel/laurel.conf"
if [[ ! -e /etc/laurel/laurel.conf ]]; then
  sed -e "s#^public-url = .*#public-url = https://$SERVER_NAME#" \
      -e "s#/usr/local/share/laurel#$PREFIX/share/laurel#" deploy/laurel.conf > /etc/laurel/laurel.conf
  chown root:laurel /etc/laurel/laurel.conf
  chmod 0640 /etc/laurel/laurel.conf
else
  echo "kept the existing /etc/laurel/laurel.conf"
fi

step "database"
if [[ ! -e /var/lib/laurel/laurel.db ]]; then
  runuser -u laurel -- "$LAUREL" init --db /var/lib/laurel/laurel.db
  echo "BACK UP the signing key /var/lib/laurel/laurel.db.key now, apart from the database backups (README, \"Backups\")"
else
  echo "kept the existing database (the service migrates it on start, after a backup)"
fi
runuser -u laurel -- "$LAUREL" config check /etc/laurel/laurel.conf

step "TLS certificate"
if [[ ! -e /etc/laurel/tls/laurel.crt ]]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -days 825 -nodes -subj "/CN=$SERVER_NAME" \
    -addext "subjectAltName=DNS:$SERVER_NAME" \
    -keyout /etc/laurel/tls/laurel.key -out /etc/laurel/tls/laurel.crt 2>/dev/null
  chmod 0600 /etc/laurel/tls/laurel.key
  echo "made a SELF-SIGNED certificate for $SERVER_NAME: replace /etc/laurel/tls/laurel.{crt,key} with the real one and run: systemctl reload nginx"
else
  echo "kept the existing certificate"
fi

step "nginx"
install -m 0644 deploy/nginx/laurel-proxy.conf /etc/nginx/snippets/laurel-proxy.conf
sed -e "s#server_name laurel.example.gov.cn;#server_name $SERVER_NAME;#" \
    -e "s#/usr/local/share/laurel/static/#$PREFIX/share/laurel/static/#" deploy/nginx/laurel.conf > /etc/nginx/sites-available/laurel
ln -sf /etc/nginx/sites-available/laurel /etc/nginx/sites-enabled/laurel
# Debian's placeholder site would answer every other name on port 80.
rm -f /etc/nginx/sites-enabled/default
nginx -t

step "systemd: laurel.service, laurel-backup.timer"
for unit in laurel.service laurel-backup.service laurel-backup.timer; do
  sed -e "s#/usr/local/bin/laurel#$LAUREL#g" "deploy/systemd/$unit" > "/etc/systemd/system/$unit"
done
systemctl daemon-reload
systemctl enable laurel.service laurel-backup.timer
systemctl restart laurel.service
systemctl start laurel-backup.timer
systemctl enable nginx
systemctl reload-or-restart nginx

step "check"
for _ in $(seq 1 30); do
  if curl -fsS --max-time 2 http://127.0.0.1:8080/healthz >/dev/null 2>&1; then break; fi
  sleep 1
done
curl -fsS --max-time 5 http://127.0.0.1:8080/healthz && echo " (laurel)"
curl -fsS --max-time 5 -k --resolve "$SERVER_NAME:443:127.0.0.1" "https://$SERVER_NAME/healthz" && echo " (through nginx)"
echo
echo "Laurel is running: https://$SERVER_NAME/  (source: $SRC)"
echo "status: systemctl status laurel; logs: journalctl -u laurel; backups: systemctl list-timers laurel-backup.timer"
