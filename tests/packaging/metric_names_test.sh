#!/usr/bin/env bash
# Every metric name that the shipped alert rules (packaging/prometheus/shopwatch-rules.yml) and
# Grafana dashboard (packaging/grafana/shopwatch.json) query exists on a real agent's /metrics:
# `shopwatch demo --listen 127.0.0.1:0` (a demo shop with checks, a journey, rules, an SLO and a
# backlog) is started, scraped until every name shows up or 60 s pass, and the names compared
# (histogram _bucket/_sum/_count count as the family). Prometheus' own `up` is exempt.
# Usage: metric_names_test.sh SHOPWATCH_EXE SOURCE_DIR
set -euo pipefail
exe=$1 src=$2
here=$(cd "$(dirname "$0")" && pwd)
names="python3 $here/metric_names.py"
work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

$names self-test || fail "the PromQL name scanner is broken"
$names used "$src/packaging/prometheus/shopwatch-rules.yml" "$src/packaging/grafana/shopwatch.json" \
  > "$work/used.txt"
count=$(wc -l < "$work/used.txt")
# The dashboard and rules query ~35 of the agent's families; far fewer means the scanner lost them.
[ "$count" -ge 25 ] || fail "only $count metric names found in the rules and dashboard"

"$exe" demo --listen 127.0.0.1:0 > "$work/demo.out" 2> "$work/demo.err" &
pid=$!
url=
for _ in $(seq 1 300); do
  url=$(sed -n 's#^ *metrics: *\(http://127\.0\.0\.1:[0-9]*/metrics\).*#\1#p' "$work/demo.out")
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || fail "the demo exited: $(cat "$work/demo.err")"
  sleep 0.1
done
[ -n "$url" ] || fail "the demo printed no metrics URL: $(cat "$work/demo.out" "$work/demo.err")"

missing=
deadline=$((SECONDS + 60))
while :; do
  curl -fsS --max-time 5 "$url" > "$work/scrape.txt" || fail "GET $url failed"
  $names exposed "$work/scrape.txt" > "$work/exposed.txt"
  missing=$(comm -23 "$work/used.txt" "$work/exposed.txt")
  [ -z "$missing" ] && break
  [ "$SECONDS" -ge "$deadline" ] && break
  sleep 1
done
if [ -n "$missing" ]; then
  fail "queried by the rules or the dashboard but not on the agent's /metrics:" $missing
fi
echo "metric names: all $count names of the rules and dashboard are on a live /metrics"
