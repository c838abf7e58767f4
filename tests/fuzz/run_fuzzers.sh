#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and runs each for SECONDS over a copy of its seed corpus.
# Usage: tests/fuzz/run_fuzzers.sh BUILD_DIR SECONDS   (from scripts/test.sh and scripts/long-checks.sh)
# Prints one line per target; a crash, leak, timeout (>5 s per input) or broken property fails the script
# and leaves the input in BUILD_DIR/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run_fuzzers.sh BUILD_DIR SECONDS}

for tool in clang-14 clang++-14; do
  if ! command -v "$tool" >/dev/null; then
    echo "FUZZ: $tool not found: the fuzz targets need clang-14 and libclang-rt-14-dev (packaging/install-deps.sh)" >&2
    exit 1
  fi
done

CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOPWATCH_FUZZ=ON \
  -DSHOPWATCH_BUILD_TESTS=OFF -DSHOPWATCH_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" --target config_fuzzer duration_fuzzer -j"$(nproc)"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

status=0
run() {
  local target=$1 seeds=$2
  shift 2
  local work log artifacts
  work=$(mktemp -d)
  log="$dir/artifacts/$target.log"
  artifacts="$dir/artifacts/$target"
  mkdir -p "$artifacts"
  cp -r "$seeds"/. "$work"/
  # Inputs that once found a bug (tests/fuzz/regressions/<name>_*) are replayed every run.
  find tests/fuzz/regressions -name "${target%_fuzzer}_*" -exec cp {} "$work"/ \;
  local rc=0
  "$dir/tests/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$@" "$work" >"$log" 2>&1 || rc=$?
  local execs cov corpus
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  corpus=$(find "$work" -type f | wc -l)
  rm -rf "$work"
  if [[ $rc -eq 0 ]]; then
    echo "FUZZ PASS $target: ${seconds}s, ${execs:-?} executions, ${cov:-cov: ?}, corpus $corpus inputs"
  else
    echo "FUZZ FAIL $target (exit $rc): input saved in $artifacts/, log $log"
    grep -E 'ERROR|SUMMARY|config_fuzzer:|duration_fuzzer:|^  <fuzz>|^    #[0-9]+ ' "$log" | head -40 || tail -40 "$log"
    status=1
  fi
}

run config_fuzzer tests/fuzz/corpus/config -dict=tests/fuzz/config.dict
run duration_fuzzer tests/fuzz/corpus/duration
exit $status
