#!/usr/bin/env bash
# Benchmarks HttpProbeEngine against a local nginx on 127.0.0.1 (fresh connection per check) and
# compares its median TTFB with curl's on the same URLs; then the [B1] journey benchmark (journeys
# beside plain checks: CPU per kind, RSS per journey, the stall of a 5 MiB page's css extraction).
# Usage: bench/engine/run_engine_bench.sh [BUILD_DIR] [N_URLS] [all|mixed] [SCALE]
#   mixed: only the [B1] block. SCALE (default 1): journeys, checks and stall seconds are
#   multiplied by it (0.2 for a smoke run on a busy machine). EVAL_THREADS (default 2, the
#   engine's default): evaluation workers of the stall phase's engine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
n=${2:-1000}
mode=${3:-all}
scale=${4:-1}
driver=$(find "$build" -name shopwatch_engine_bench -type f -perm -u+x | head -1)
[[ -x "$driver" ]] || { echo "shopwatch_engine_bench not found under $build (build it first)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx not installed" >&2; exit 2; }

dir=$(mktemp -d)
nginx_pid=
nginx2_pid=
cleanup() {
  for pid in $nginx_pid $nginx2_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port)
jport=$(free_port)
mkdir -p "$dir/logs" "$dir/tmp" "$dir/www"
# A 5 MiB product listing with the token near its end: the css extraction must parse all of it.
python3 - "$dir/www/big.html" <<'PY'
import sys
item = '<div class="product"><a href="/p/{0}"><img src="/i/{0}.jpg" alt="item {0}"></a><span class="price">{0}.99</span></div>\n'
parts, size, i = ['<!doctype html><html><head><title>catalog</title></head><body><div id="list">\n'], 0, 0
while size < 5 * 1024 * 1024:
    parts.append(item.format(i)); size += len(parts[-1]); i += 1
parts.append('</div><form class="cart"><input type="hidden" name="_csrf" value="big-token"></form> ok</body></html>\n')
open(sys.argv[1], 'w').write(''.join(parts))
PY
# nginx's workers may run as another user (nobody when started as root): let them read the page.
chmod 755 "$dir" "$dir/www"
chmod 644 "$dir/www/big.html"
# Two nginx instances (one worker each): the plain checks' server never waits behind the 5 MiB
# page the journeys' server is sending, so only the engine can move the plain checks' timings.
write_conf() {  # NAME SERVER_BLOCK
  cat > "$dir/$1.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/$1.pid;
error_log $dir/logs/$1.error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/$1-body;
  proxy_temp_path $dir/tmp/$1-proxy;
  fastcgi_temp_path $dir/tmp/$1-fastcgi;
  uwsgi_temp_path $dir/tmp/$1-uwsgi;
  scgi_temp_path $dir/tmp/$1-scgi;
  $2
}
CONF
}
write_conf plain "server {
    listen 127.0.0.1:$port backlog=4096;
    location /p/ { default_type text/html; return 200 \"<html><body>ok - product page</body></html>\\n\"; }
  }"
write_conf journey "server {
    listen 127.0.0.1:$jport backlog=4096;
    keepalive_requests 10000;
    root $dir/www;
    location /j/ { default_type text/html; return 200 '<html><body><form class=\"cart\"><input name=\"_csrf\" value=\"tok-1\"></form>ok - journey step</body></html>\\n'; }
  }"
nginx -p "$dir" -c "$dir/plain.conf" &
nginx_pid=$!
nginx -p "$dir" -c "$dir/journey.conf" &
nginx2_pid=$!
for _ in $(seq 50); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/p/0" && curl -sf -o /dev/null "http://127.0.0.1:$jport/j/0/0" && break
  sleep 0.1
done

for i in $(seq 1 "$n"); do echo "http://127.0.0.1:$port/p/$i"; done > "$dir/urls.txt"

run_mixed() {
  local journeys checks stall
  journeys=$(python3 -c "print(max(2, round(100 * $scale)))")
  checks=$(python3 -c "print(max(20, round(1000 * $scale)))")
  stall=$(python3 -c "print(max(1.0, 5 * $scale))")
  "$driver" --mixed --plain-base "http://127.0.0.1:$port" --journey-base "http://127.0.0.1:$jport" \
    --big-url "http://127.0.0.1:$jport/big.html" --journeys "$journeys" --steps 8 \
    --checks "$checks" --concurrency 32 --stall-seconds "$stall" --plain-every-ms 10 --big-in-flight 2 \
    --evaluation-threads "${EVAL_THREADS:-2}"
}
if [[ "$mode" == mixed ]]; then
  run_mixed
  exit $?
fi

echo "== engine, concurrency 32 (throughput, CPU, RSS)"
"$driver" "$dir/urls.txt" --concurrency 32
echo "== engine, journeys of 8 steps over the same URLs (CPU per 1,000 steps vs per 1,000 checks above)"
"$driver" "$dir/urls.txt" --concurrency 32 --journey-steps 8
echo "== engine, sequential (TTFB)"
"$driver" "$dir/urls.txt" --concurrency 1 --ttfb-out "$dir/engine_ttfb.txt"
# TTFB like with like. The engine's figure is resolve+connect+tls+processing with
# processing = starttransfer - pretransfer (libcurl's timers), i.e. curl's
# connect + (starttransfer - pretransfer); curl's time_starttransfer additionally holds
# pretransfer - connect (libcurl >= 7.7x stamps pretransfer only after the request was written).
# Both comparisons are printed; starttransfer - pretransfer alone is not a server-time measure on
# loopback (the response is often already buffered when the stamp is taken).
echo "== curl CLI, one process, Connection: close so every URL gets a fresh connection (TTFB)"
{ for i in $(seq 1 "$n"); do printf 'url = "http://127.0.0.1:%s/p/%s"\noutput = "/dev/null"\n' "$port" "$i"; done; } > "$dir/curl.cfg"
curl -s -H 'Connection: close' -K "$dir/curl.cfg" \
  -w '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{num_connects} %{http_code}\n' \
  > "$dir/curl_ttfb.txt"
echo "== curl CLI, one process per URL (TTFB; cold caches per transfer, process start not included)"
head -200 "$dir/urls.txt" | while read -r url; do
  curl -s -o /dev/null -w '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{num_connects} %{http_code}\n' "$url"
done > "$dir/curl_cold_ttfb.txt"
python3 - "$dir/engine_ttfb.txt" "$dir/curl_ttfb.txt" "$dir/curl_cold_ttfb.txt" <<'PY'
import statistics, sys
m = statistics.median
eng = [float(x) for x in open(sys.argv[1]) if x.strip()]
def load(path):
    rows = [l.split() for l in open(path) if l.strip()]
    bad = sum(1 for r in rows if r[4] != "1" or r[5] != "200")
    ok = [[float(x) * 1e3 for x in r[:4]] for r in rows if r[4] == "1" and r[5] == "200"]
    return ok, bad
for name, path in (("curl_one_process", sys.argv[2]), ("curl_process_per_url", sys.argv[3])):
    ok, bad = load(path)
    start = m([r[3] for r in ok])
    same = m([r[1] + r[3] - r[2] for r in ok])
    proc = m([r[3] - r[2] for r in ok])
    gap = m([r[2] - r[1] for r in ok])
    print(f"{name}: n={len(ok)} reused_or_failed={bad} median_ms starttransfer={start:.4f} "
          f"same_formula={same:.4f} starttransfer-pretransfer={proc:.4f} pretransfer-connect={gap:.4f}")
    if name == "curl_one_process":
        print(f"median_ttfb_ms engine={m(eng):.4f} curl_starttransfer={start:.4f} diff={m(eng) - start:+.4f} "
              f"(budget: |diff| <= 0.05 ms)")
        print(f"median_ttfb_ms engine={m(eng):.4f} curl_same_formula={same:.4f} diff={m(eng) - same:+.4f}")
PY
run_mixed
