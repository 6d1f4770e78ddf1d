#!/usr/bin/env python3
"""Teacher-forced comparison, step 1: llama.cpp (llama-cpp-python 0.3.36, F32 KV cache, as
bench/llama_cpp_real_model.py) decodes each ChatML prompt greedily; writes the token ids
(SEQS.txt next to OUT: "n_prompt id id ...") and the logits row that predicted each new
token (OUT.npz, key p<i>). With a third argument SEQS it evaluates those ids instead.

Usage: OMP_WAIT_POLICY=passive /root/venvs/llama/bin/python bench/teacher_forced/llama_logits.py OUT.npz [TOKENS] [SEQS]
"""
import sys, os, numpy as np
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from llama_cpp_real_model import REQUESTS, chatml
from llama_cpp import Llama
out = sys.argv[1]; n_tok = int(sys.argv[2]) if len(sys.argv) > 2 else 48
seqfile = sys.argv[3] if len(sys.argv) > 3 else None
gguf = os.path.expanduser("~/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
llm = Llama(model_path=gguf, n_ctx=1024, n_threads=2, n_threads_batch=2, logits_all=True,
            type_k=0, type_v=0, verbose=False)
eos = {151643, 151645}
rows = {}
lines = []
given = open(seqfile).read().split("\n") if seqfile else None
for i, req in enumerate(REQUESTS):
    if given:
        f = list(map(int, given[i].split())); npr, ids = f[0], f[1:]
        llm.reset(); llm.eval(ids[:npr]); cont = ids[npr:]
        for t in cont[:-1]: llm.eval([t])
        R = np.array(llm.scores[npr - 1:npr - 1 + len(cont)], dtype=np.float32)
    else:
        ids = llm.tokenize(chatml(req).encode(), add_bos=False, special=True)
        llm.reset(); llm.eval(ids); cont = []
        for _ in range(n_tok):
            t = int(np.argmax(llm.scores[llm.n_tokens - 1]))
            if t in eos: break
            cont.append(t)
            if len(cont) == n_tok: break
            llm.eval([t])
        npr = len(ids)
        R = np.array(llm.scores[npr - 1:npr - 1 + len(cont)], dtype=np.float32)
        lines.append(" ".join(map(str, [npr] + ids + cont)))
    rows[f"p{i}"] = R
    print(i, len(cont), flush=True)
np.savez(out, **rows)
if not given:
    open(os.path.join(os.path.dirname(os.path.abspath(out)), "seqs.txt"), "w").write("\n".join(lines) + "\n")
