#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for N seconds
# from its seed corpus in tests/fuzz-seeds/<target>/. Usage: scripts/run-fuzzers.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQWENRT_FUZZ=ON > /dev/null
cmake --build build-fuzz -j2
for src in fuzz/fuzz_*.cc; do
  name="$(basename "$src" .cc)"
  corpus="build-fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz-seeds/$name"
  [ -d "$seeds" ] || seeds=""
  echo "== $name for ${seconds}s"
  build-fuzz/"$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 "$corpus" $seeds 2>&1 | grep -E "^(==|stat::number_of_executed_units|Done|SUMMARY|ERROR)" || true
  # libFuzzer exits non-zero on a crash; pipefail would hide it behind grep, so re-check.
  if ls crash-* leak-* timeout-* oom-* > /dev/null 2>&1; then
    echo "fuzzer $name found a failing input:"; ls crash-* leak-* timeout-* oom-* 2>/dev/null; exit 1
  fi
done
