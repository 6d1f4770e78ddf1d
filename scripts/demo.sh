#!/usr/bin/env bash
# The main job on a fresh machine: make a random-weight checkpoint with the exact shape of
# Qwen2.5-0.5B (BF16, real tokenizer), stream a completion from it, then benchmark it.
# Usage: scripts/demo.sh [MODEL_DIR]   (default: ~/.cache/qwenrt/models/qwen2.5-0.5b-random-bf16)
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-$HOME/.cache/qwenrt/models/qwen2.5-0.5b-random-bf16}"
if [ ! -f "$model/model.safetensors" ]; then
  .venv/bin/python tools/make_random_checkpoint.py qwen2.5-0.5b "$model"
fi
build/qwenrt run "$model" -p "The capital of France is" -n 32
build/qwenrt bench "$model" -t 2
