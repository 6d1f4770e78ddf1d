#!/usr/bin/env bash
# Installs every dependency of qwenrt on a fresh Debian 12 machine and builds it.
# Usage: scripts/setup.sh            (packages + Python test venv + Release build)
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
PACKAGES=(
  build-essential cmake pkg-config git clang libclang-rt-14-dev
  libpcre2-dev libutf8proc-dev nlohmann-json3-dev libcli11-dev
  libcpp-httplib-dev libcurl4-openssl-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-venv
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Python tooling for the tests (versions pinned in tests/requirements.txt).
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/pip install -q --disable-pip-version-check -r tests/requirements.txt

# The real model the README's main command and the real-model tests use (sha256-pinned).
scripts/fetch-real-model.sh > /dev/null

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j2
