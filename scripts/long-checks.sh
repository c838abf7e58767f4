#!/usr/bin/env bash
# The longer checks that do not fit CI's budget, run before resolving the issues that ask for them:
#   1. benchmarks (bench/engine, bench/storage, bench/agent, bench/report) against a release build,
#   2. every test under ThreadSanitizer,
#   3. the libFuzzer targets (tests/fuzz), 10 minutes each.
# Results go to docs/benchmarks.md by hand (the machine is noisy: report medians of several runs).
# Usage: scripts/long-checks.sh [bench|tsan|fuzz|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
packaging/install-deps.sh
jobs=$(nproc)

if [[ $what == bench || $what == all ]]; then
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build/release -j"$jobs"
  echo "== engine benchmark"
  bench/engine/run_engine_bench.sh build/release 1000
  echo "== storage benchmark"
  dir=$(mktemp -d)
  build/release/bench/storage/storage_bench --dir "$dir" --checks 200 --days 31
  rm -rf "$dir"
  echo "== agent benchmark"
  bench/agent/run_agent_bench.sh build/release/agent/cli/shopwatch 30
  echo "== report benchmark"
  bench/report/run_report_bench.sh build/release 7
fi

if [[ $what == tsan || $what == all ]]; then
  echo "== ThreadSanitizer build and tests"
  cmake -S . -B build/tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOPWATCH_TSAN=ON >/dev/null
  cmake --build build/tsan -j"$jobs"
  (cd build/tsan && TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
    ctest --output-on-failure --timeout 900 -j"$jobs")
fi

if [[ $what == fuzz || $what == all ]]; then
  echo "== libFuzzer targets, 10 minutes each"
  tests/fuzz/run_fuzzers.sh build/fuzz 600
fi
