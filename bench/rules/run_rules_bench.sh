#!/usr/bin/env bash
# Rule engine benchmark ([C]): median of N runs of each mode.
#   bench/rules/run_rules_bench.sh BUILD_DIR [RUNS]
# Budgets (issue [C]): < 10 ms per evaluation tick and < 25 MB of window state for 1,000 rules over
# 1,000 checks plus 100 SLOs with 30-day windows; windows rebuilt at start-up within 10 s for 1,000 checks.
set -euo pipefail
build=${1:?usage: run_rules_bench.sh BUILD_DIR [RUNS]}
runs=${2:-3}
bin="$build/bench/rules/rules_bench"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for i in $(seq "$runs"); do "$bin" tick 1000 300 >"$tmp/tick.$i"; done
for key in tick_ms_median tick_ms_p99 tick_ms_max second_ms_median state_bytes_estimate rss_growth_kib window_samples; do
  printf '%-22s %s\n' "$key" "$(cat "$tmp"/tick.* | awk -v k=$key '$1==k {print $2}' | median)"
done
for i in $(seq "$runs"); do rm -f "$tmp/r.db"*; "$bin" restore "$tmp/r.db" 1000 >"$tmp/restore.$i"; done
for key in restore_ms restored_runs restored_hours; do
  printf '%-22s %s\n' "$key" "$(cat "$tmp"/restore.* | awk -v k=$key '$1==k {print $2}' | median)"
done
