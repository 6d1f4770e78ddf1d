#!/usr/bin/env python3
"""Small safetensors fixtures written by the reference implementations, for tests/unit/io_*.

Writes into tests/goldens/io/:
  reference.safetensors   safetensors.torch.save_file of the tensors below (every dtype
                          qwenrt reads, a 0-d scalar, an empty tensor, a name needing JSON
                          escapes) with metadata {"format": "pt"}. A single metadata key,
                          because the reference writes metadata in hash order.
                          io_safetensors_test reads it and checks qwenrt's writer
                          reproduces it byte for byte.
  sharded/                a tiny random Qwen3 model saved by transformers' save_pretrained
                          with a small max_shard_size: config.json, generation_config.json,
                          model.safetensors.index.json and its shards.

The values in TENSORS are repeated in io_safetensors_test.cc; change both together.
Usage: /root/venvs/goldens/bin/python tools/goldens/make_safetensors_fixture.py
(pinned versions in tools/goldens/requirements.txt)
"""
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import Qwen3Config, Qwen3ForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "io")

TENSORS = {
    "layer.f32": (torch.arange(6, dtype=torch.float32) * 0.5 - 1.0).reshape(2, 3),
    "layer.bf16": torch.tensor([1.5, -2.0, 3.25], dtype=torch.bfloat16),
    "layer.f16": torch.tensor([[0.5, -0.25], [1024.0, -3.0]], dtype=torch.float16),
    "ids.i32": torch.tensor([-1, 0, 7, 2147483647], dtype=torch.int32),
    "ids.i64": torch.tensor([-5, 1 << 40], dtype=torch.int64),
    "mask.u8": torch.tensor([0, 1, 2, 254, 255], dtype=torch.uint8),
    "scalar.f32": torch.tensor(3.5, dtype=torch.float32),
    "empty.bf16": torch.zeros(0, 4, dtype=torch.bfloat16),
    'weird "name"\t\u00e9': torch.tensor([1.0], dtype=torch.float32),
}


def write_reference():
    save_file(TENSORS, os.path.join(OUT, "reference.safetensors"), metadata={"format": "pt"})


def write_sharded():
    out = os.path.join(OUT, "sharded")
    shutil.rmtree(out, ignore_errors=True)
    torch.manual_seed(0)
    config = Qwen3Config(vocab_size=32, hidden_size=16, intermediate_size=24, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=8,
                         max_position_embeddings=64, rope_theta=1000000.0, tie_word_embeddings=False,
                         bos_token_id=1, eos_token_id=2)
    model = Qwen3ForCausalLM(config).eval()
    model.save_pretrained(out, max_shard_size="4KB")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_reference()
    write_sharded()
    for dirpath, _, files in sorted(os.walk(OUT)):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            print(os.path.relpath(path, ROOT), os.path.getsize(path))
