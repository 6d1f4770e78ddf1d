#!/usr/bin/env python3
"""Teacher-forced comparison, step 2: transformers (the GGUF dequantized to F32) logits rows
for the ids of seqs.txt (one forward over each whole sequence).

Usage: /root/venvs/goldens/bin/python bench/teacher_forced/reference_logits.py SEQS.txt OUT.npz
"""
import sys, os, numpy as np, torch
from transformers import AutoModelForCausalLM
gguf = os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
folder, name = os.path.split(gguf)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
torch.set_num_threads(2)
rows = {}
for i, line in enumerate(open(sys.argv[1]).read().split("\n")):
    if not line.strip(): continue
    f = list(map(int, line.split())); npr, ids = f[0], f[1:]
    with torch.no_grad():
        lg = model(torch.tensor([ids])).logits[0]
    rows[f"p{i}"] = lg[npr - 1:len(ids) - 1].float().numpy()
    print(i, flush=True)
np.savez(sys.argv[2], **rows)
