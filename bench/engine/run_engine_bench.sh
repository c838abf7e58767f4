#!/usr/bin/env bash
# Benchmarks HttpProbeEngine against a local nginx on 127.0.0.1 (fresh connection per check) and
# compares its median TTFB with curl's on the same URLs.
# Usage: bench/engine/run_engine_bench.sh [BUILD_DIR] [N_URLS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
n=${2:-1000}
driver=$(find "$build" -name shopwatch_engine_bench -type f -perm -u+x | head -1)
[[ -x "$driver" ]] || { echo "shopwatch_engine_bench not found under $build (build it first)" >&2; exit 2; }
command -v nginx >/dev/null || { echo "nginx not installed" >&2; exit 2; }

dir=$(mktemp -d)
nginx_pid=
cleanup() {
  if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$dir/logs" "$dir/tmp"
cat > "$dir/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    location /p/ { default_type text/html; return 200 "<html><body>ok - product page</body></html>\n"; }
  }
}
CONF
nginx -p "$dir" -c "$dir/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/p/0" && break
  sleep 0.1
done

for i in $(seq 1 "$n"); do echo "http://127.0.0.1:$port/p/$i"; done > "$dir/urls.txt"

echo "== engine, concurrency 32 (throughput, CPU, RSS)"
"$driver" "$dir/urls.txt" --concurrency 32
echo "== engine, sequential (TTFB)"
"$driver" "$dir/urls.txt" --concurrency 1 --ttfb-out "$dir/engine_ttfb.txt"
echo "== curl CLI, one warm process, Connection: close so every URL gets a fresh connection (TTFB)"
{ for i in $(seq 1 "$n"); do printf 'url = "http://127.0.0.1:%s/p/%s"\noutput = "/dev/null"\n' "$port" "$i"; done; } > "$dir/curl.cfg"
curl -s -H 'Connection: close' -w '%{time_starttransfer} %{num_connects}\n' -K "$dir/curl.cfg" \
  | awk '$2 != 1 { reused++ } { printf "%.4f\n", $1 * 1000 } END { if (reused) print "reused connections: " reused > "/dev/stderr" }' \
  > "$dir/curl_ttfb.txt"
echo "== curl CLI, one process per URL (TTFB, includes a cold process per check)"
head -200 "$dir/urls.txt" | while read -r url; do
  curl -s -o /dev/null -w '%{time_starttransfer}\n' "$url"
done | awk '{ printf "%.4f\n", $1 * 1000 }' > "$dir/curl_cold_ttfb.txt"
python3 - "$dir/engine_ttfb.txt" "$dir/curl_ttfb.txt" "$dir/curl_cold_ttfb.txt" <<'PY'
import statistics, sys
eng, warm, cold = ([float(x) for x in open(f) if x.strip()] for f in sys.argv[1:4])
me, mw, mc = statistics.median(eng), statistics.median(warm), statistics.median(cold)
print(f"median_ttfb_ms engine={me:.4f} curl_warm={mw:.4f} diff={me - mw:+.4f} (budget: engine <= curl + 0.05 ms)")
print(f"median_ttfb_ms curl_cold_process={mc:.4f} (n={len(cold)})")
PY
