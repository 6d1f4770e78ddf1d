#!/usr/bin/env python3
"""Reference greedy texts for bench/llama_cpp_real_model.py: transformers loads the GGUF
(dequantizing every tensor to F32, the exact arithmetic of the quantized weights) and
decodes the same ChatML prompts greedily. Writes a JSON list of texts, one per prompt.

Usage: /root/venvs/goldens/bin/python bench/transformers_real_model.py OUT.json [--gguf FILE] [--tokens 48]
"""
import argparse
import json
import os
import sys

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llama_cpp_real_model import REQUESTS, chatml  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--gguf", default=os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    ap.add_argument("--tokens", type=int, default=48)
    args = ap.parse_args()
    folder, name = os.path.split(args.gguf)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    texts = []
    for request in REQUESTS:
        ids = tokenizer(chatml(request), return_tensors="pt", add_special_tokens=False).input_ids
        with torch.no_grad():
            out = model.generate(ids, max_new_tokens=args.tokens, do_sample=False,
                                 eos_token_id=[151643, 151645], pad_token_id=151643)
        new = [t for t in out[0, ids.shape[1]:].tolist() if t not in (151643, 151645)]
        texts.append(tokenizer.decode(new))
        print(len(texts), repr(texts[-1][:60]), flush=True)
    json.dump(texts, open(args.out, "w"), ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
