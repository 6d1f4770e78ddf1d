#!/usr/bin/env python3
"""Greedy output of qwenrt and llama.cpp on the real Qwen2.5-Coder-1.5B-Instruct Q4_K_M
GGUF (scripts/fetch-real-model.sh), prompt by prompt.

Each prompt is a ChatML conversation (the model's own format), tokenized with special
tokens parsed. qwenrt: `qwenrt run FILE -p PROMPT --temp 0 -n N`. llama.cpp
(llama-cpp-python 0.3.36): the same ids evaluated, then N times argmax of the last
logits row, stopping at an end-of-sequence id, so no sampler setting can interfere.
Prints, per prompt, whether the texts are identical and where they first differ;
exits 1 if any differs.

Usage: /root/venvs/llama/bin/python bench/llama_cpp_real_model.py [--qwenrt build/qwenrt]
           [--gguf FILE] [--tokens 48] [--threads 2] [--kv-type f32|f16]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GGML_TYPE = {"f32": 0, "f16": 1}
SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
REQUESTS = [
    "Write a Python function that checks whether a number is prime.",
    "Write a Python function to reverse a string.",
    "Implement binary search in Python.",
    "Write a JavaScript function that debounces another function.",
    "Explain what a Python list comprehension is, with an example.",
    "Write a SQL query that returns the five most recent orders from a table named orders.",
    "Write a C function that returns the length of a null-terminated string.",
    "How do I read a file line by line in Python?",
    "Write a bash one-liner that counts the lines of all .py files in a directory.",
    "Write a Rust function that sums a vector of i32.",
    "What is the time complexity of quicksort?",
    "Write a Python class for a stack with push, pop and peek.",
    "Convert this to a list comprehension: result = []\nfor x in range(10):\n    if x % 2 == 0:\n        result.append(x * x)",
    "Write a regular expression that matches an email address.",
    "Write a Go function that returns the maximum of a slice of ints.",
    "Fix the bug: def add(a, b): return a - b",
    "Write a Python function that merges two sorted lists.",
    "Explain the difference between a process and a thread.",
    "Write a Java method that checks if a string is a palindrome.",
    "Write a Python function computing the n-th Fibonacci number iteratively.",
    "用 Python 写一个函数，计算列表中所有偶数的和。",
    "Write a TypeScript interface for a user with id, name and optional email.",
]


def chatml(request):
    return (f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{request}<|im_end|>\n"
            "<|im_start|>assistant\n")


def qwenrt_text(args, prompt):
    out = subprocess.run([args.qwenrt, "run", args.gguf, "-p", prompt, "--temp", "0", "-n", str(args.tokens),
                          "-t", str(args.threads)], check=True, capture_output=True).stdout
    text = out.decode("utf-8", errors="replace")
    assert text.startswith(prompt) and text.endswith("\n"), "unexpected `qwenrt run` output"
    return text[len(prompt):-1]


def llama_text(llm, prompt, n_tokens):
    ids = llm.tokenize(prompt.encode(), add_bos=False, special=True)
    llm.reset()
    llm.eval(ids)
    out = []
    eos = {llm.token_eos(), 151643, 151645}  # <|endoftext|>, <|im_end|>
    for _ in range(n_tokens):
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        if token in eos:
            break
        out.append(token)
        if len(out) == n_tokens:
            break
        llm.eval([token])
    return llm.detokenize(out).decode("utf-8", errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qwenrt", default=os.path.join(ROOT, "build", "qwenrt"))
    ap.add_argument("--gguf", default=os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kv-type", choices=["f32", "f16"], default="f32")
    ap.add_argument("--reference", help="JSON of reference texts (bench/transformers_real_model.py): "
                    "also report each engine's agreement with it")
    args = ap.parse_args()
    from llama_cpp import Llama  # only in the llama.cpp venv; REQUESTS are shared without it
    reference = json.load(open(args.reference)) if args.reference else None
    agree = {"qwenrt": 0, "llama.cpp": 0}
    llm = Llama(model_path=args.gguf, n_ctx=1024, n_threads=args.threads, n_threads_batch=args.threads,
                logits_all=True, type_k=GGML_TYPE[args.kv_type], type_v=GGML_TYPE[args.kv_type],
                verbose=False)
    same = 0
    for i, request in enumerate(REQUESTS):
        prompt = chatml(request)
        ours, theirs = qwenrt_text(args, prompt), llama_text(llm, prompt, args.tokens)
        if reference:
            agree["qwenrt"] += ours == reference[i]
            agree["llama.cpp"] += theirs == reference[i]
        if ours == theirs:
            same += 1
            print(f"[{i:2d}] identical  {ours[:60]!r}")
        else:
            at = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            print(f"[{i:2d}] DIFFERENT at char {at}: qwenrt {ours[at:at + 40]!r} / llama.cpp {theirs[at:at + 40]!r}")
    print(f"{same} of {len(REQUESTS)} greedy outputs identical ({args.tokens} tokens each)")
    if reference:
        for name, n in agree.items():
            print(f"{name}: {n} of {len(REQUESTS)} identical to the reference")
    sys.exit(0 if same == len(REQUESTS) else 1)


if __name__ == "__main__":
    main()
