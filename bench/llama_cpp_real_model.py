#!/usr/bin/env python3
"""Greedy output of qwenrt and llama.cpp on the real Qwen2.5-Coder-1.5B-Instruct Q4_K_M
GGUF (scripts/fetch-real-model.sh), prompt by prompt, and why they differ where they do.

Each prompt is a ChatML conversation (the model's own format), tokenized with special
tokens parsed. qwenrt: `qwenrt run FILE -p PROMPT --temp 0 -n N`. llama.cpp
(llama-cpp-python 0.3.36): the same ids evaluated, then N times argmax of the last
logits row, stopping at an end-of-sequence id, so no sampler setting can interfere.

Exact text equality is a noisy measure: both engines quantize activations to int8, and
float summation-order differences flip a few roundings, which compound (llama.cpp against
itself, prompt batched vs token by token, is not identical on every prompt either). So each
prompt whose texts differ is also analysed teacher-forced (bench/teacher_forced/divergence.py):
llama.cpp's greedy ids go through qwenrt (build target teacher_forced_logits, --tf), and at
the first position where the argmaxes differ both engines' margins are compared with
eps = llama.cpp's own noise on that prompt: max |logit diff| over the continuation rows
between llama.cpp with the prompt as one batch and llama.cpp fed token by token
(n_batch = n_ubatch = 1), same ids. Both margins < eps: a near-tie divergence, a call that
llama.cpp itself could make either way; otherwise a CLEAR divergence. The same
classification is printed for llama.cpp batched against llama.cpp token by token (its
greedy tokens are the argmaxes of its teacher-forced rows: same ids, same kernels).
Exits 1 if any qwenrt divergence is clear.

Usage: /root/venvs/llama/bin/python bench/llama_cpp_real_model.py [--qwenrt build/qwenrt]
           [--tf build/bench/teacher_forced_logits] [--gguf FILE] [--tokens 48] [--threads 2]
           [--kv-type f32|f16]
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "teacher_forced"))
import divergence  # noqa: E402

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


EOS = {151643, 151645}  # <|endoftext|>, <|im_end|>


def llama_text(llm, prompt, n_tokens):
    eos = EOS | {llm.token_eos()}
    out, _ = divergence.llama_greedy(llm, llm.tokenize(prompt.encode(), add_bos=False, special=True), n_tokens, eos)
    out = out[:-1] if out and out[-1] in eos else out
    return llm.detokenize(out).decode("utf-8", errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qwenrt", default=os.path.join(ROOT, "build", "qwenrt"))
    ap.add_argument("--tf", help="teacher_forced_logits binary (default: bench/ next to --qwenrt)")
    ap.add_argument("--gguf", default=os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kv-type", choices=["f32", "f16"], default="f32")
    ap.add_argument("--reference", help="JSON of reference texts (bench/transformers_real_model.py): "
                    "also report each engine's agreement with it")
    args = ap.parse_args()
    args.tf = args.tf or os.path.join(os.path.dirname(os.path.abspath(args.qwenrt)), "bench", "teacher_forced_logits")
    from llama_cpp import Llama  # only in the llama.cpp venv; REQUESTS are shared without it
    reference = json.load(open(args.reference)) if args.reference else None
    agree = {"qwenrt": 0, "llama.cpp": 0}
    kw = dict(model_path=args.gguf, n_ctx=1024, n_threads=args.threads, n_threads_batch=args.threads,
              logits_all=True, type_k=GGML_TYPE[args.kv_type], type_v=GGML_TYPE[args.kv_type], verbose=False)
    llm, llm_1 = Llama(**kw), Llama(n_batch=1, n_ubatch=1, **kw)  # prompt as one batch / token by token
    same, differing, kinds_self, lines_self = 0, [], [], []
    for i, request in enumerate(REQUESTS):
        prompt = chatml(request)
        ids = llm.tokenize(prompt.encode(), add_bos=False, special=True)
        cont, rows = divergence.llama_greedy(llm, ids, args.tokens, EOS | {llm.token_eos()})
        theirs = llm.detokenize([t for t in cont if t not in EOS | {llm.token_eos()}]).decode("utf-8", errors="replace")
        ours = qwenrt_text(args, prompt)
        # llama.cpp's own noise on these ids: the same rows, everything fed token by token.
        llm_1.reset()
        llm_1.eval(ids + cont[:-1])
        rows_1 = np.array(llm_1.scores[len(ids) - 1:len(ids) - 1 + len(cont)], dtype=np.float32)
        eps = float(np.abs(rows - rows_1).max())
        kind, line = divergence.classify(bool((rows_1.argmax(1) == cont).all()), rows, rows_1, eps,
                                         ("batched", "token-by-token"))
        kinds_self.append(kind)
        lines_self.append(f"[{i:2d}] {line}")
        if reference:
            agree["qwenrt"] += ours == reference[i]
            agree["llama.cpp"] += theirs == reference[i]
        if ours == theirs:
            same += 1
            print(f"[{i:2d}] identical  {ours[:60]!r}", flush=True)
        else:
            differing.append((i, len(ids), ids + cont, rows, eps))
            at = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if a != b), min(len(ours), len(theirs)))
            print(f"[{i:2d}] DIFFERENT at char {at}: qwenrt {ours[at:at + 40]!r} / llama.cpp {theirs[at:at + 40]!r}",
                  flush=True)
    print(f"{same} of {len(REQUESTS)} greedy outputs identical ({args.tokens} tokens each)")
    if reference:
        for name, n in agree.items():
            print(f"{name}: {n} of {len(REQUESTS)} identical to the reference")
    # Teacher-forced: llama.cpp's ids through qwenrt, for the prompts whose texts differ.
    tf = divergence.qwenrt_rows(args.tf, args.gguf, [(n, ids) for _, n, ids, _, _ in differing], args.threads)
    found = {i: divergence.classify(False, rows, q, eps) for (i, _, _, rows, eps), q in zip(differing, tf)}
    kinds = [found.get(i, ("identical", "identical"))[0] for i in range(len(REQUESTS))]
    print("\nqwenrt vs llama.cpp, teacher-forced over llama.cpp's greedy ids "
          "(eps = llama.cpp batched vs token-by-token max|dlogit| on the prompt):")
    for i in range(len(REQUESTS)):
        print(f"[{i:2d}] {found.get(i, ('identical', 'identical'))[1]}")
    print("\nllama.cpp prompt batched vs token by token (same eps):")
    print("\n".join(lines_self))
    print(f"\nqwenrt vs llama.cpp: {divergence.summary(kinds)}")
    print(f"llama.cpp batched vs token-by-token: {divergence.summary(kinds_self)}")
    sys.exit(1 if "clear" in kinds else 0)


if __name__ == "__main__":
    main()
