#!/usr/bin/env bash
# Runs every test: build, unit + golden tests (ctest), end-to-end CLI tests (pytest),
# then each fuzzer for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j2
(cd build && ctest --output-on-failure -j2)
QWENRT_BIN=build/qwenrt .venv/bin/python -m pytest -q tests/e2e
if ls fuzz/fuzz_*.cc > /dev/null 2>&1; then
  scripts/run-fuzzers.sh "${QWENRT_FUZZ_SECONDS:-30}"
fi
