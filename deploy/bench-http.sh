#!/bin/bash
# HTTP figures with wrk (Debian's package) against the real `laurel serve` on loopback, on a demo
# database: requests a second, p50/p99 latency and the server's resident memory for
#   1. GET one nomination (bearer token, ETag path, 64 connections);
#   2. durable POSTs (a new nomination each, acknowledged after its commit, 64 connections), then a
#      durable action on each of those drafts (withdraw, with its expected_version);
#   3. 1,000 idle keep-alive connections held open, then GET again beside them.
# Prints one table at the end. Takes about two minutes; run it on a quiet machine.
# Usage: deploy/bench-http.sh [--seconds 10] [--connections 64] [--idle 1000] [--dir FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
conns=64
idle=1000
dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: deploy/bench-http.sh [--seconds N] [--connections N] [--idle N] [--dir FOLDER]" >&2; exit 2 ;;
  esac
done
deploy/install-deps.sh >/dev/null
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
deploy/build.sh release >/dev/null
LAUREL=$PWD/build/release/web/laurel
dir=${dir:-$PWD/build/release/bench-http}
rm -rf "$dir"
mkdir -p "$dir"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # room for the idle connections

export LAUREL_ADMIN_PASSWORD=wrk-figures-2026-root
export LAUREL_DEMO_PASSWORD=wrk-figures-2026-demo
echo "== demo database in $dir"
$LAUREL demo --db "$dir/laurel.db" >/dev/null
$LAUREL serve --db "$dir/laurel.db" --listen 127.0.0.1:0 >"$dir/serve.out" 2>"$dir/serve.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^listening on' "$dir/serve.out" 2>/dev/null && break
  sleep 0.1
done
base=$(sed -n 's/^listening on //p' "$dir/serve.out" | head -1)
[[ -n "$base" ]] || { echo "the server did not start; see $dir/serve.log" >&2; exit 1; }

# A bearer token for the county's nominating unit (it may read and create nominations).
jar="$dir/cookies"
login=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
  -d "{\"username\":\"gz_unit\",\"password\":\"$LAUREL_DEMO_PASSWORD\"}" "$base/api/v1/session")
csrf=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])' <<<"$login")
token=$(curl -sf -b "$jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"name":"bench"}' "$base/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
auth="Authorization: Bearer $token"
id=$(curl -sf -H "$auth" "$base/api/v1/nominations?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

rss() { awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
hwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status"; }
# wrk's --latency output → "req/s p50 p99 non-2xx" (latencies in ms). The percentiles are read from
# their own lines under "Latency Distribution" only: an unanchored "50%" also matched the end of the
# Req/Sec line ("… 67.50%") and took the next word, "Latency", as the figure.
summarise() {
  python3 -c '
import re, sys
text = sys.stdin.read()
def ms(v):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v)
    if not m:
        raise SystemExit("cannot read the latency " + repr(v))
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]
def pct(p):
    m = re.search(r"^\s*" + p + r"%\s+(\S+)\s*$", text, re.M)
    if not m:
        raise SystemExit("no " + p + "% line (wrk without --latency, or it failed)")
    return ms(m.group(1))
rps = re.search(r"^Requests/sec:\s+([\d.]+)\s*$", text, re.M)
if not rps:
    raise SystemExit("no Requests/sec line")
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
p50, p99 = pct("50"), pct("99")
print(f"{float(rps.group(1)):9.0f} {p50:8.2f} {p99:8.2f} {int(errors.group(1)) if errors else 0:7d}")
'
}
results=()
run() {  # label, then wrk arguments
  local label=$1
  shift
  local file="$dir/wrk-${#results[@]}.txt"
  wrk -t2 -c"$conns" -d"${seconds}s" --latency -H "$auth" "$@" >"$file" 2>&1 || true
  results+=("$(printf '%-34s' "$label") $(summarise <"$file" || echo "(see $file)") $(printf '%7s' "$(rss)")")
}

rss_start=$(rss)
echo "== GET /api/v1/nominations/$id, $conns connections, ${seconds}s"
run "GET one nomination" "$base/api/v1/nominations/$id"

cat >"$dir/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"family","level":"county","year":2026,"jurisdiction":"620922213",' ..
  '"nominee":{"name":"压测家庭","ethnic_groups":"回族、汉族","members":"4","address":"双塔乡","contact_phone":"13900000000"},' ..
  '"summary":"各民族邻里互帮互助，带头学习宣传党的民族政策。"}'
EOF
echo "== POST /api/v1/nominations (durable), $conns connections, ${seconds}s"
before=$(curl -sf -H "$auth" "$base/api/v1/nominations?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
run "POST new nomination (durable)" -s "$dir/post.lua" "$base/api/v1/nominations"
after=$(curl -sf -H "$auth" "$base/api/v1/nominations?per_page=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')

# An action on each draft the POST run made: withdraw (draft -> withdrawn, with expected_version),
# each request a different nomination (two wrk threads take alternate lines). The run lasts as long
# as the drafts should (one second per 12,000, at least 2, at most --seconds): past the end of the
# list a request would repeat one and be refused (409, counted as non-2xx), so a non-zero non-2xx
# count means the run outlasted its drafts and its figure is not the action's.
python3 - "$base" "$auth" "$dir/drafts.txt" <<'EOF'
import json, sys, urllib.request
base, auth, out = sys.argv[1], sys.argv[2].split(": ", 1), sys.argv[3]
lines, page = [], 1
while True:
    req = urllib.request.Request(f"{base}/api/v1/nominations?state=draft&per_page=100&page={page}", headers={auth[0]: auth[1]})
    body = json.load(urllib.request.urlopen(req))
    items = body.get("items", [])
    lines += [f"{n['id']} {n['version']}" for n in items if n.get("state") == "draft"]
    if not items or page * 100 >= body.get("total", 0):
        break
    page += 1
open(out, "w").write("\n".join(lines) + "\n")
print(f"   {len(lines)} drafts to act on")
EOF
cat >"$dir/action.lua" <<EOF
local file = "$dir/drafts.txt"
EOF
cat >>"$dir/action.lua" <<'EOF'
wrk.headers["Content-Type"] = "application/json"
local count = 0
function setup(thread)
  thread:set("tid", count)
  count = count + 1
end
local lines, i = {}, 0
function init(args)
  for line in io.lines(file) do lines[#lines + 1] = line end
  i = tid
end
function request()
  local id, version = lines[(i % #lines) + 1]:match("(%S+) (%S+)")
  i = i + 2
  return wrk.format("POST", "/api/v1/nominations/" .. id .. "/actions", nil,
                    '{"action":"withdraw","expected_version":' .. version .. '}')
end
EOF
echo "== POST /api/v1/nominations/{id}/actions withdraw (durable), $conns connections"
drafts=$(wc -l <"$dir/drafts.txt")
full_seconds=$seconds
seconds=$(( drafts / 12000 < 2 ? 2 : (drafts / 12000 > seconds ? seconds : drafts / 12000) ))
run "POST an action (durable, ${seconds}s)" -s "$dir/action.lua" "$base"
seconds=$full_seconds

echo "== $idle idle keep-alive connections"
python3 - "$base" "$idle" "$dir/idle.ready" <<'EOF' &
import socket, sys, time, urllib.parse
url = urllib.parse.urlparse(sys.argv[1])
socks = []
for i in range(int(sys.argv[2])):
    s = socket.create_connection((url.hostname, url.port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
    socks.append(s)
for s in socks:
    s.recv(4096)
open(sys.argv[3], "w").write("ready")
time.sleep(600)
EOF
idler=$!
for _ in $(seq 300); do [[ -f "$dir/idle.ready" ]] && break; sleep 0.1; done
[[ -f "$dir/idle.ready" ]] || { echo "the idle connections were not all answered" >&2; exit 1; }
sleep 1
rss_idle=$(rss)
run "GET one nomination beside $idle idle" "$base/api/v1/nominations/$id"
kill $idler 2>/dev/null || true

echo
echo "== $(nproc) cores, $(uname -r), wrk -t2 -c$conns -d${seconds}s; server RSS at start ${rss_start} MiB, with $idle idle connections ${rss_idle} MiB, peak $(hwm) MiB"
echo "   nominations created by the POST run and present afterwards: $((after - before))"
printf '%-34s %9s %8s %8s %7s %7s\n' "" "req/s" "p50 ms" "p99 ms" "non-2xx" "RSS MiB"
for r in "${results[@]}"; do echo "$r"; done
