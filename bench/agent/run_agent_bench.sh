#!/usr/bin/env bash
# Agent benchmark (issue "Benchmark"): 1,000 checks at 1 s against a local nginx, then 10,000 checks
# configured for the /metrics measurements. Everything on 127.0.0.1; temp files under one mktemp dir.
#
# Usage: bench/agent/run_agent_bench.sh [SHOPWATCH_BINARY] [DURATION_SECONDS]
# Budgets: >= 2,000 checks/s (see note), <= 0.3 CPU-s per 1,000 checks, RSS <= 35 MB with 1,000 checks,
#          /metrics with 10,000 checks < 200 ms.
# Note: 1,000 checks at a 1 s interval can produce at most 1,000 checks/s; the checks/s line is what
# the agent sustains at that schedule (lag p99 shows headroom). Set CHECKS/INTERVAL to push harder.
set -euo pipefail

BIN=${1:-build/agent/cli/shopwatch}
DURATION=${2:-30}
CHECKS=${CHECKS:-1000}
INTERVAL=${INTERVAL:-1s}
BIG=${BIG:-10000}
[[ -x $BIN ]] || { echo "shopwatch binary not found: $BIN" >&2; exit 2; }
BIN=$(readlink -f "$BIN")

WORK=$(mktemp -d /tmp/shopwatch-bench-XXXXXX)
NGINX_PID=""
AGENT_PID=""
cleanup() {
  [[ -n $AGENT_PID ]] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  [[ -n $NGINX_PID ]] && kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

NGINX_PORT=$(free_port)
mkdir -p "$WORK/www" "$WORK/nginx"
python3 -c 'print("<html><body>" + "Warenkorb " * 1500 + "</body></html>")' > "$WORK/www/index.html"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx;
  proxy_temp_path $WORK/nginx;
  fastcgi_temp_path $WORK/nginx;
  uwsgi_temp_path $WORK/nginx;
  scgi_temp_path $WORK/nginx;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    location / { try_files \$uri /index.html; }
  }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break; sleep 0.1; done

write_config() {  # $1 = number of checks, $2 = file, $3 = agent port
  {
    echo "agent:"
    echo "  client: bench"
    echo "  listen: 127.0.0.1:$3"
    echo "  database: $WORK/bench-$1.db"
    echo "  log_level: warn"
    echo "shops:"
    echo "  - name: bench"
    echo "    base_url: http://127.0.0.1:$NGINX_PORT"
    echo "    per_host_concurrency: 1000"
    echo "    defaults:"
    echo "      interval: $INTERVAL"
    echo "      timeout: 900ms"
    echo "      confirm: false"
    echo "      confirm_delay: 200ms"
    echo "    checks:"
    for i in $(seq 1 "$1"); do
      echo "      - name: c$i"
      echo "        url: /p$i"
    done
  } > "$2"
}

metric() {  # $1 = metrics text file, $2 = series prefix → sum of matching samples
  awk -v p="$2" 'index($0, p) == 1 { s += $NF } END { printf "%.6f\n", s + 0 }' "$1"
}

lag_p99() {  # from the cumulative histogram buckets of shopwatch_scheduler_lag_seconds
  awk '/^shopwatch_scheduler_lag_seconds_bucket/ {
         match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n++; les[n] = le; cs[n] = $NF }
       /^shopwatch_scheduler_lag_seconds_count/ { total = $NF }
       END { for (i = 1; i <= n; i++) if (cs[i] >= 0.99 * total) { print les[i]; exit } print "n/a" }' "$1"
}

# ---- 1,000 checks at 1 s -------------------------------------------------------------------------
PORT=$(free_port)
write_config "$CHECKS" "$WORK/bench.yaml" "$PORT"
"$BIN" run -c "$WORK/bench.yaml" 2> "$WORK/agent.log" &
AGENT_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
sleep 3  # warm-up: every check has been scheduled at least once

TICK=$(getconf CLK_TCK)
cpu_s() { awk -v t="$TICK" '{ printf "%.3f\n", ($14 + $15) / t }' "/proc/$AGENT_PID/stat"; }
runs() { curl -s "http://127.0.0.1:$PORT/metrics" > "$WORK/m.txt"; metric "$WORK/m.txt" 'shopwatch_check_runs_total{'; }

R0=$(runs); C0=$(cpu_s); T0=$(date +%s.%N)
sleep "$DURATION"
R1=$(runs); C1=$(cpu_s); T1=$(date +%s.%N)
cp "$WORK/m.txt" "$WORK/m1000.txt"
RSS_PEAK_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$AGENT_PID/status")

CHECKS_PER_S=$(python3 -c "print(round(($R1-$R0)/($T1-$T0), 1))")
CPU_PER_1000=$(python3 -c "r=$R1-$R0; print(round(($C1-$C0)/r*1000, 4) if r else 'n/a')")
TTFB_AGENT=$(curl -s "http://127.0.0.1:$PORT/api/v1/checks" | python3 -c '
import json, statistics, sys
v = [c["last"]["phases"]["processing"] for c in json.load(sys.stdin) if c.get("last")]
print(round(statistics.median(v) * 1000, 3) if v else "n/a")')
TTFB_CURL=$(for i in $(seq 50); do curl -s -o /dev/null -w '%{time_starttransfer} %{time_pretransfer}\n' \
  "http://127.0.0.1:$NGINX_PORT/p$i"; done | python3 -c '
import statistics, sys
v = [float(a) - float(b) for a, b in (l.split() for l in sys.stdin)]
print(round(statistics.median(v) * 1000, 3))')

echo "== $CHECKS checks at $INTERVAL for ${DURATION}s"
echo "checks/s:                    $CHECKS_PER_S"
echo "CPU-s per 1,000 checks:      $CPU_PER_1000   (budget <= 0.3)"
echo "peak RSS:                    $((RSS_PEAK_KB / 1024)) MB   (budget <= 35 MB)"
echo "scheduler lag p99 (bucket):  $(lag_p99 "$WORK/m1000.txt") s"
echo "median TTFB agent/curl:      $TTFB_AGENT ms / $TTFB_CURL ms"
kill -TERM "$AGENT_PID"; wait "$AGENT_PID" || true; AGENT_PID=""

# ---- 10,000 checks configured: RSS and /metrics ----------------------------------------------------
PORT=$(free_port)
INTERVAL=${BIG_INTERVAL:-60s}
write_config "$BIG" "$WORK/big.yaml" "$PORT"
"$BIN" run -c "$WORK/big.yaml" 2> "$WORK/agent-big.log" &
AGENT_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
sleep "${BIG_WARMUP:-65}"  # one full interval: every check has a result
for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics"; done
METRICS_TIMES=$(for _ in $(seq 10); do curl -s -o "$WORK/big-m.txt" -w '%{time_total}\n' \
  "http://127.0.0.1:$PORT/metrics"; done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR+1)/2)] * 1000 }')
echo "== $BIG checks configured (interval $INTERVAL)"
echo "RSS:                         $(( $(awk '/VmRSS/ { print $2 }' "/proc/$AGENT_PID/status") / 1024 )) MB"
echo "/metrics median time:        $METRICS_TIMES ms   (budget < 200 ms)"
echo "/metrics size:               $(( $(stat -c %s "$WORK/big-m.txt") / 1024 )) KiB"
