#!/usr/bin/env python3
"""llama.cpp against itself: the prompt evaluated as one batch (default) or token by token
(n_batch = n_ubatch = 1); greedy 48 tokens each, and max |logit diff| at the last prompt
position. Shows how far two runs of the same int8-activation engine drift apart when only
float summation order differs (gemm vs gemv kernels).

Usage: OMP_WAIT_POLICY=passive /root/venvs/llama/bin/python bench/teacher_forced/llama_self_agreement.py
"""
# (n_batch=1); same GGUF, same threads, F32 KV. Greedy 48 tokens; also teacher-forced
# max|logit diff| at the last prompt position.
import sys, os, numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from llama_cpp_real_model import REQUESTS, chatml, llama_text
from llama_cpp import Llama
gguf = os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
kw = dict(model_path=gguf, n_ctx=1024, n_threads=2, n_threads_batch=2, logits_all=True, type_k=0, type_v=0, verbose=False)
a = Llama(**kw); b = Llama(n_batch=1, n_ubatch=1, **kw)
same = 0
for i, r in enumerate(REQUESTS):
    p = chatml(r)
    ta, tb = llama_text(a, p, 48), llama_text(b, p, 48)
    ids = a.tokenize(p.encode(), add_bos=False, special=True)
    a.reset(); a.eval(ids); b.reset(); b.eval(ids)
    d = np.abs(np.array(a.scores[len(ids) - 1]) - np.array(b.scores[len(ids) - 1])).max()
    same += ta == tb
    print(i, "identical" if ta == tb else "DIFFERENT", f"last-prompt-row max|dlogit| {d:.3f}", flush=True)
print(f"llama.cpp batch vs token-by-token prompt: {same} of {len(REQUESTS)} identical")
