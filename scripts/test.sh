#!/usr/bin/env bash
# Set-up + tests: installs what is missing, then
#   1. a release build (warnings as errors) and every test,
#   2. an ASan+UBSan build of the tests and every test again,
#   3. a libFuzzer smoke run (clang-14, 30 s per target) of the config and duration parsers.
# Longer checks (benchmarks, TSan, fuzzing beyond a smoke run) are in scripts/long-checks.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/install-deps.sh

jobs=$(nproc)
passed=0
run_suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja -DSHOPWATCH_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j"$jobs" | tee ctest.log)
  # "100% tests passed, 0 tests failed out of N": a failure already stopped the script (pipefail).
  local n
  n=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$dir/ctest.log" | tail -1)
  passed=$((passed + ${n:-0}))
}

echo "== release build and tests"
run_suite build/release -DCMAKE_BUILD_TYPE=Release

echo "== ASan+UBSan build and tests"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}
run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DSHOPWATCH_SANITIZE=ON -DSHOPWATCH_BUILD_BENCH=OFF

echo "== fuzz smoke (libFuzzer, 30 s per target)"
tests/fuzz/run_fuzzers.sh build/fuzz 30
passed=$((passed + 2))  # the two fuzz targets
echo "summary: $passed passed, 0 failed"
