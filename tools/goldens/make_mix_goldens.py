#!/usr/bin/env python3
"""Which type llama.cpp's llama-quantize gives each tensor, for io_quantize_mix_test.cc.

Writes tests/goldens/quant/mix_expected.json. For each model below a GGUF of the real
tensor names and layouts is written by gguf-py (F16 weights of zeros, F32 norms), then
llama_cpp.llama_model_quantize (without `pure`, so the mix's own rules apply) turns it into
every mix qwenrt offers; the JSON keeps, per model: layer and expert counts, whether the
embedding is tied, each input tensor's dims (GGUF order) and type, and per mix the type
llama.cpp chose for every tensor. Only the choices are kept, not the files.

Models: dense qwen2 (tied) and qwen3 (untied, q/k norms), qwen2moe (8 experts: llama.cpp's
8-expert bumps, a shared expert) and qwen3moe (16 experts), 8 layers each so that
use_more_bits picks some layers and not others, rows of 256 so no K-quant falls back.

Usage: /root/venvs/goldens/bin/python tools/goldens/make_mix_goldens.py
(needs the llama-cpp-python venv of bench/requirements-llama.txt at $LLAMA_PYTHON or
/root/venvs/llama/bin/python, as make_quant_goldens.py --kquants does)
"""
import json
import os
import subprocess
import tempfile

import numpy as np

import gguf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "quant", "mix_expected.json")
LLAMA_PYTHON = os.environ.get("LLAMA_PYTHON", "/root/venvs/llama/bin/python")

HIDDEN, FFN, VOCAB, HEADS, HEAD_DIM, LAYERS = 256, 256, 256, 2, 128, 8
MIXES = ["q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k_s", "q4_k_m", "q5_k_s", "q5_k_m", "q6_k"]

LLAMA_QUANTIZE = """
import sys, llama_cpp
params = llama_cpp.llama_model_quantize_default_params()
params.ftype = getattr(llama_cpp, "LLAMA_FTYPE_MOSTLY_" + sys.argv[3].upper())
params.nthread = 2
sys.exit(llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), params))
"""

MODELS = {
    "qwen2": dict(arch="qwen2", experts=0, shared=False, qk_norm=False, tied=True),
    "qwen3": dict(arch="qwen3", experts=0, shared=False, qk_norm=True, tied=False),
    "qwen2moe": dict(arch="qwen2moe", experts=8, shared=True, qk_norm=False, tied=False),
    "qwen3moe": dict(arch="qwen3moe", experts=16, shared=False, qk_norm=True, tied=False),
}


def tensor_shapes(m):
    """Name -> numpy shape (outermost first), as the converter writes each architecture."""
    q = HEADS * HEAD_DIM
    shapes = {"token_embd.weight": (VOCAB, HIDDEN), "output_norm.weight": (HIDDEN,)}
    if not m["tied"]:
        shapes["output.weight"] = (VOCAB, HIDDEN)
    for i in range(LAYERS):
        b = f"blk.{i}."
        shapes.update({b + "attn_norm.weight": (HIDDEN,), b + "ffn_norm.weight": (HIDDEN,),
                       b + "attn_q.weight": (q, HIDDEN), b + "attn_k.weight": (q, HIDDEN),
                       b + "attn_v.weight": (q, HIDDEN), b + "attn_output.weight": (HIDDEN, q)})
        if m["arch"] in ("qwen2", "qwen2moe"):
            shapes.update({b + "attn_q.bias": (q,), b + "attn_k.bias": (q,), b + "attn_v.bias": (q,)})
        if m["qk_norm"]:
            shapes.update({b + "attn_q_norm.weight": (HEAD_DIM,), b + "attn_k_norm.weight": (HEAD_DIM,)})
        if not m["experts"]:
            shapes.update({b + "ffn_gate.weight": (FFN, HIDDEN), b + "ffn_up.weight": (FFN, HIDDEN),
                           b + "ffn_down.weight": (HIDDEN, FFN)})
            continue
        e = m["experts"]
        shapes.update({b + "ffn_gate_inp.weight": (e, HIDDEN), b + "ffn_gate_exps.weight": (e, FFN, HIDDEN),
                       b + "ffn_up_exps.weight": (e, FFN, HIDDEN), b + "ffn_down_exps.weight": (e, HIDDEN, FFN)})
        if m["shared"]:
            shapes.update({b + "ffn_gate_inp_shexp.weight": (1, HIDDEN), b + "ffn_gate_shexp.weight": (FFN, HIDDEN),
                           b + "ffn_up_shexp.weight": (FFN, HIDDEN), b + "ffn_down_shexp.weight": (HIDDEN, FFN)})
    return shapes


def write_input(path, m):
    w = gguf.GGUFWriter(path, arch=m["arch"])
    w.add_block_count(LAYERS)
    w.add_context_length(64)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(HEADS)
    w.add_key_length(HEAD_DIM)
    w.add_value_length(HEAD_DIM)
    w.add_layer_norm_rms_eps(1e-6)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    if m["experts"]:
        w.add_expert_count(m["experts"])
        w.add_expert_used_count(2)
        w.add_expert_feed_forward_length(FFN)
        if m["shared"]:
            w.add_expert_shared_feed_forward_length(FFN)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list([f"t{i}" for i in range(VOCAB)])
    w.add_token_types([1] * VOCAB)
    w.add_token_merges([])
    for name, shape in tensor_shapes(m).items():
        dtype = np.float32 if len(shape) == 1 else np.float16
        w.add_tensor(name, np.zeros(shape, dtype=dtype))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def types_of(path):
    return {t.name: (t.tensor_type.name, [int(d) for d in t.shape]) for t in gguf.GGUFReader(path).tensors}


def main():
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model, m in MODELS.items():
            inp = os.path.join(tmp, model + ".gguf")
            write_input(inp, m)
            inputs = types_of(inp)
            entry = {"n_layers": LAYERS, "n_experts": m["experts"], "tied": m["tied"],
                     "tensors": {name: {"dims": dims, "type": t} for name, (t, dims) in inputs.items()}, "mixes": {}}
            for mix in MIXES:
                quantized = os.path.join(tmp, f"{model}-{mix}.gguf")
                subprocess.run([LLAMA_PYTHON, "-c", LLAMA_QUANTIZE, inp, quantized, mix], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                entry["mixes"][mix] = {name: t for name, (t, _) in types_of(quantized).items()}
                os.remove(quantized)
            out[model] = entry
            print(model, {mix: sorted(set(v.values())) for mix, v in entry["mixes"].items()})
    with open(OUT, "w") as f:
        json.dump(out, f, sort_keys=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
