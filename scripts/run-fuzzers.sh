#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for N seconds
# from its seed corpus in tests/fuzz-seeds/<target>/. Any crash, leak, timeout or
# out-of-memory input fails the run and is left in build-fuzz/artifacts/.
# Usage: scripts/run-fuzzers.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DQWENRT_FUZZ=ON > /dev/null
cmake --build build-fuzz -j2
mkdir -p build-fuzz/artifacts
for src in fuzz/fuzz_*.cc; do
  name="$(basename "$src" .cc)"
  corpus="build-fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds=()
  [ -d "tests/fuzz-seeds/$name" ] && seeds=("tests/fuzz-seeds/$name")
  echo "== $name for ${seconds}s"
  status=0
  build-fuzz/fuzz/"$name" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="build-fuzz/artifacts/$name-" -print_final_stats=1 \
    "$corpus" "${seeds[@]}" > "build-fuzz/$name.log" 2>&1 || status=$?
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$name.log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzzer $name failed (exit $status):"
    tail -40 "build-fuzz/$name.log"
    exit 1
  fi
done
echo "all fuzzers ran clean"
