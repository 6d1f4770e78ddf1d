#!/usr/bin/env python3
"""Quantization goldens for tests/unit/io_quantize_golden_test.cc.

Part 1 (gguf-py, pinned in tools/goldens/requirements.txt) writes
tests/goldens/quant/legacy.gguf:
  input                   F32 rows with the awkward cases a quantizer must get right
                          (all-zero and constant blocks, negative extremes, exact .5 ties,
                          values near f16's subnormal range, wide dynamic range).
  <type>                  gguf.quants.quantize(input, type) for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1
                          (gguf-py's quantizers are bit-exact ports of ggml's reference ones).
  <type>.random           random valid Q5_0 / Q5_1 blocks, and <type>.random.dequant their
                          gguf.quants.dequantize as F32.

Part 2 (--kquants; needs also the llama-cpp-python venv of bench/requirements-llama.txt,
scripts/setup-llama-bench.sh, at $LLAMA_PYTHON or /root/venvs/llama/bin/python):
gguf-py has no K-quantizer, so llama.cpp itself quantizes. A tiny qwen2 model in F16 whose
2-D weights hold the same kind of rows goes through llama_cpp.llama_model_quantize as
MOSTLY_Q4_K_M / Q5_K_M / Q6_K with `pure` set (every 2-D weight in Q4_K / Q5_K / Q6_K);
tests/goldens/quant/kquants.gguf keeps one weight: "input" (F16, 256 x 256) and what
llama.cpp made of it, "q4_k", "q5_k", "q6_k".

Usage: /root/venvs/goldens/bin/python tools/goldens/make_quant_goldens.py
       /root/venvs/goldens/bin/python tools/goldens/make_quant_goldens.py --kquants
"""
import argparse
import os
import subprocess

import numpy as np

import gguf
from gguf import GGMLQuantizationType as T

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "quant")


def hard_rows(rng, rows, cols):
    """float32 [rows, cols]: random normal rows, then blocks of special cases."""
    x = rng.standard_normal((rows, cols)).astype(np.float32)
    flat = x.reshape(-1, 32)
    flat[0] = 0                                  # all zero
    flat[1] = 0.75                               # constant positive
    flat[2] = -1.25                              # constant negative
    flat[3] = np.linspace(-8, 7, 32)             # the largest magnitude is negative
    flat[4] = np.arange(32) * 0.5 - 4.0          # exact halves: rounding ties
    flat[5] *= 1e-6                              # scales in f16's subnormal range
    flat[6] *= np.float32(2.0) ** rng.integers(-10, 10, size=32)  # wide dynamic range
    flat[7, ::2] = 0                             # sparse
    flat[8] = np.abs(flat[8])                    # one-signed
    flat[9] = -np.abs(flat[9])
    # Whole 256-element super-blocks of special cases too (K-quants see 256 at once).
    if flat.shape[0] >= 32:
        sb = x.reshape(-1, 256)
        sb[-1] = 0
        sb[-2] = np.abs(sb[-2]) * 100
    return x


def write_legacy():
    rng = np.random.default_rng(4)
    x = hard_rows(rng, 8, 256)
    w = gguf.GGUFWriter(os.path.join(OUT, "legacy.gguf"), arch="quant-goldens")
    w.add_tensor("input", x)
    for name, qtype in [("q8_0", T.Q8_0), ("q4_0", T.Q4_0), ("q4_1", T.Q4_1), ("q5_0", T.Q5_0), ("q5_1", T.Q5_1)]:
        w.add_tensor(name, gguf.quants.quantize(x, qtype), raw_dtype=qtype)
    for name, qtype, halves in [("q5_0", T.Q5_0, [0]), ("q5_1", T.Q5_1, [0, 2])]:
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        raw = rng.integers(0, 256, size=(64, size), dtype=np.uint8)
        for at in halves:
            raw[:, at:at + 2] = rng.uniform(-2, 2, size=64).astype(np.float16).view(np.uint8).reshape(64, 2)
        raw = raw.reshape(4, 16 * size)
        w.add_tensor(name + ".random", raw, raw_dtype=qtype)
        w.add_tensor(name + ".random.dequant", gguf.quants.dequantize(raw, qtype).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


LLAMA_QUANTIZE = """
import sys, llama_cpp
params = llama_cpp.llama_model_quantize_default_params()
params.ftype = getattr(llama_cpp, sys.argv[3])
params.pure = True
params.nthread = 1
sys.exit(llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), params))
"""


def write_kquants():
    llama_python = os.environ.get("LLAMA_PYTHON", "/root/venvs/llama/bin/python")
    rng = np.random.default_rng(5)
    hidden, ffn, vocab, heads = 256, 256, 256, 2
    import tempfile
    tmp = tempfile.mkdtemp()
    inp = os.path.join(tmp, "input.gguf")
    w = gguf.GGUFWriter(inp, arch="qwen2")
    w.add_block_count(1)
    w.add_context_length(64)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(heads)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    tokens = [f"t{i}" for i in range(vocab)]
    w.add_token_list(tokens)
    w.add_token_types([1] * vocab)
    w.add_token_merges([])
    tensors = {
        "token_embd.weight": (vocab, hidden), "output_norm.weight": (hidden,), "output.weight": (vocab, hidden),
        "blk.0.attn_norm.weight": (hidden,), "blk.0.ffn_norm.weight": (hidden,),
        "blk.0.attn_q.weight": (hidden, hidden), "blk.0.attn_q.bias": (hidden,),
        "blk.0.attn_k.weight": (hidden, hidden), "blk.0.attn_k.bias": (hidden,),
        "blk.0.attn_v.weight": (hidden, hidden), "blk.0.attn_v.bias": (hidden,),
        "blk.0.attn_output.weight": (hidden, hidden),
        "blk.0.ffn_gate.weight": (ffn, hidden), "blk.0.ffn_up.weight": (ffn, hidden),
        "blk.0.ffn_down.weight": (hidden, ffn),
    }
    for name, shape in tensors.items():
        if len(shape) == 1:
            w.add_tensor(name, np.ones(shape, dtype=np.float32))
        else:
            w.add_tensor(name, hard_rows(rng, *shape).astype(np.float16))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    for name, ftype in [("q4_k", "LLAMA_FTYPE_MOSTLY_Q4_K_M"), ("q5_k", "LLAMA_FTYPE_MOSTLY_Q5_K_M"),
                        ("q6_k", "LLAMA_FTYPE_MOSTLY_Q6_K")]:
        out = os.path.join(tmp, f"{name}.gguf")
        subprocess.run([llama_python, "-c", LLAMA_QUANTIZE, inp, out, ftype], check=True)
    keep = "blk.0.attn_q.weight"
    g = gguf.GGUFWriter(os.path.join(OUT, "kquants.gguf"), arch="quant-goldens")
    g.add_tensor("input", np.asarray(tensor_of(inp, keep).data), raw_dtype=T.F16)
    for name, qtype in [("q4_k", T.Q4_K), ("q5_k", T.Q5_K), ("q6_k", T.Q6_K)]:
        t = tensor_of(os.path.join(tmp, f"{name}.gguf"), keep)
        assert t.tensor_type == qtype, (name, t.tensor_type)
        g.add_tensor(name, np.asarray(t.data), raw_dtype=qtype)
    g.write_header_to_file()
    g.write_kv_data_to_file()
    g.write_tensors_to_file()
    g.close()


def tensor_of(path, name):
    return next(t for t in gguf.GGUFReader(path).tensors if t.name == name)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--kquants", action="store_true", help="run llama.cpp's K-quantizers (llama-cpp-python venv)")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.kquants:
        write_kquants()
    else:
        write_legacy()
