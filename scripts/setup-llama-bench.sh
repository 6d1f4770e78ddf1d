#!/usr/bin/env bash
# Creates the llama.cpp peer venv the bench/ comparison scripts use (default
# /root/venvs/llama; override with LLAMA_VENV). Compiles llama.cpp from source for this
# CPU (GGML_NATIVE), as a user of llama-cpp-python on this machine would.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${LLAMA_VENV:-/root/venvs/llama}"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --upgrade pip
CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=ON}" "$VENV/bin/pip" install --no-binary llama-cpp-python \
  -r "$ROOT/bench/requirements-llama.txt"
"$VENV/bin/python" -c "import llama_cpp; print('llama-cpp-python', llama_cpp.__version__)"
