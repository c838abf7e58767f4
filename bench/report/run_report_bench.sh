#!/usr/bin/env bash
# Report benchmark ([E]). Everything on 127.0.0.1, temp files under one mktemp dir.
#   1. a month (2026-10, 31 days) for CHECKS (200) checks at one run per minute, written through the
#      real store by storage_bench --keep (≈ 8.9 M results);
#   2. `shopwatch report --format json` and `--format html` over it: median wall time of RUNS (budgets
#      < 500 ms and < 1 s; the process start and config load included);
#   3. `shopwatch run` on that database with BIG (1,000) checks (the month's 200 plus 800 more, all
#      probing a closed loopback port): GET / median (budget < 100 ms), and /metrics latency idle vs
#      while ten clients request the month's report at once (budget: p99 within 2x of idle).
# Usage: bench/report/run_report_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail

BUILD=${1:-build/release}
RUNS=${2:-7}
CHECKS=${CHECKS:-200}
BIG=${BIG:-1000}
BIN=$(readlink -f "$BUILD/agent/cli/shopwatch")
STORAGE_BENCH=$(readlink -f "$BUILD/bench/storage/storage_bench")
HERE=$(cd "$(dirname "$0")" && pwd)
[[ -x $BIN && -x $STORAGE_BENCH ]] || { echo "build $BUILD first (shopwatch, storage_bench)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/shopwatch-report-bench-XXXXXX)
AGENT_PID=""
cleanup() {
  [[ -n $AGENT_PID ]] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

DB=$WORK/bench.db
echo "== writing ${CHECKS} checks x 31 days at 1 run/min"
t0=$(date +%s)
"$STORAGE_BENCH" --checks "$CHECKS" --days 31 --month 2026-10 --keep "$DB" | grep "results written"
echo "   ($(( $(date +%s) - t0 )) s, $(du -m "$DB" | cut -f1) MiB)"

PORT=$(free_port)
DEAD=$(free_port)  # nothing listens here: probes fail fast with connect errors, on loopback
config() {  # config N -> YAML with N checks; the first CHECKS match the stored series
  python3 - "$1" "$CHECKS" "$DB" "$PORT" "$DEAD" <<'PY'
import sys
n, stored, db, port, dead = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
out = [f"agent:\n  client: bench\n  listen: 127.0.0.1:{port}\n  database: {db}\n  timezone: Europe/Vienna",
       "retention:\n  raw: 3650d", "shops:"]
for s in range(10):
    out.append(f"  - name: shop{s}\n    base_url: http://127.0.0.1:{dead}\n    defaults:\n      interval: 60s\n"
               f"      timeout: 2s\n    checks:")
    for c in range(s, n, 10):
        out.append(f"      - name: check{c}\n        url: /c{c}")
out.append("sla:")
for s in range(10):
    out.append(f"  - shops: [shop{s}]\n    target: 99.5%")
print("\n".join(out))
PY
}
config "$CHECKS" > "$WORK/report.yaml"
config "$BIG" > "$WORK/agent.yaml"

median_ms() {  # median_ms CMD... : median wall time of RUNS runs in ms
  python3 - "$RUNS" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print(f"median {statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f}, n={runs})")
PY
}
echo "== shopwatch report over the month (${CHECKS} checks)"
echo "   json: $(median_ms "$BIN" report -c "$WORK/report.yaml" --month 2026-10 --format json -o "$WORK/r.json")  budget < 500 ms"
echo "   html: $(median_ms "$BIN" report -c "$WORK/report.yaml" --month 2026-10 --format html -o "$WORK/r.html")  budget < 1000 ms"
ls -l "$WORK/r.json" "$WORK/r.html" | awk '{print "   " $5 " bytes  " $9}'

echo "== the agent with ${BIG} checks on that database"
"$BIN" run -c "$WORK/agent.yaml" > "$WORK/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
sleep 5  # the first runs of every check are spread over their interval; let the start-up settle
python3 "$HERE/report_load.py" "http://127.0.0.1:$PORT" 2026-10 "$RUNS"
