#!/usr/bin/env python3
"""Writes a random-weight Hugging Face checkpoint with the exact shape of a real Qwen model.

Random weights cost the same to run as the real ones, so benchmarks use these where the
real checkpoints cannot be downloaded. Needs only numpy; the real Qwen tokenizer files are
copied in so the directory works with every qwenrt command.

Usage: tools/make_random_checkpoint.py {qwen2.5-0.5b,qwen2.5-1.5b,qwen2.5-7b,qwen3-0.6b,qwen3-30b-a3b} OUT_DIR
           [--dtype bf16|f16|f32] [--layers N]
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np

SHAPES = {
    "qwen2.5-0.5b": dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=896,
                         intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
    "qwen2.5-1.5b": dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=1536,
                         intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                         num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True),
    "qwen2.5-7b": dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_size=3584,
                       intermediate_size=18944, num_hidden_layers=28, num_attention_heads=28,
                       num_key_value_heads=4, vocab_size=152064, tie_word_embeddings=False),
    "qwen3-0.6b": dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=1024,
                       intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                       num_key_value_heads=8, head_dim=128, vocab_size=151936,
                       tie_word_embeddings=True),
    # Mixture of experts: 128 experts of which 8 run per token (61 GB in BF16 at its 48 layers).
    "qwen3-30b-a3b": dict(architectures=["Qwen3MoeForCausalLM"], model_type="qwen3_moe", hidden_size=2048,
                          intermediate_size=6144, num_hidden_layers=48, num_attention_heads=32,
                          num_key_value_heads=4, head_dim=128, vocab_size=151936, tie_word_embeddings=False,
                          num_experts=128, num_experts_per_tok=8, moe_intermediate_size=768,
                          norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[]),
}
COMMON = dict(max_position_embeddings=32768, rms_norm_eps=1e-6, rope_theta=1000000.0,
              hidden_act="silu", bos_token_id=151643, eos_token_id=151645, use_sliding_window=False)
SAFETENSORS_DTYPE = {"bf16": "BF16", "f16": "F16", "f32": "F32"}
TOKENIZER_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                             "data", "qwen3-tokenizer")


def tensor_list(cfg):
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]
    hd = cfg.get("head_dim", h // cfg["num_attention_heads"])
    q, kv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    out = [("model.embed_tokens.weight", (cfg["vocab_size"], h))]
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", (h,)), (p + "post_attention_layernorm.weight", (h,)),
                (p + "self_attn.q_proj.weight", (q, h)), (p + "self_attn.k_proj.weight", (kv, h)),
                (p + "self_attn.v_proj.weight", (kv, h)), (p + "self_attn.o_proj.weight", (h, q))]
        if cfg["model_type"] == "qwen2":
            out += [(p + "self_attn.q_proj.bias", (q,)), (p + "self_attn.k_proj.bias", (kv,)),
                    (p + "self_attn.v_proj.bias", (kv,))]
        else:
            out += [(p + "self_attn.q_norm.weight", (hd,)), (p + "self_attn.k_norm.weight", (hd,))]
        if cfg.get("num_experts"):
            moe = cfg["moe_intermediate_size"]
            out.append((p + "mlp.gate.weight", (cfg["num_experts"], h)))
            for e in range(cfg["num_experts"]):
                x = f"{p}mlp.experts.{e}."
                out += [(x + "gate_proj.weight", (moe, h)), (x + "up_proj.weight", (moe, h)),
                        (x + "down_proj.weight", (h, moe))]
            continue
        out += [(p + "mlp.gate_proj.weight", (inter, h)), (p + "mlp.up_proj.weight", (inter, h)),
                (p + "mlp.down_proj.weight", (h, inter))]
    out.append(("model.norm.weight", (h,)))
    if not cfg["tie_word_embeddings"]:
        out.append(("lm_head.weight", (cfg["vocab_size"], h)))
    return out


def encode(values, dtype):
    if dtype == "f32":
        return values.astype("<f4").tobytes()
    if dtype == "f16":
        return values.astype("<f2").tobytes()
    bits = values.astype(np.float32).view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even
    return rounded.astype("<u2").tobytes()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shape", choices=sorted(SHAPES))
    ap.add_argument("out")
    ap.add_argument("--dtype", default="bf16", choices=sorted(SAFETENSORS_DTYPE))
    ap.add_argument("--layers", type=int, help="fewer layers, for quick tests")
    args = ap.parse_args()
    cfg = dict(SHAPES[args.shape], **COMMON)
    if args.layers:
        cfg["num_hidden_layers"] = args.layers
    cfg["torch_dtype"] = {"bf16": "bfloat16", "f16": "float16", "f32": "float32"}[args.dtype]
    os.makedirs(args.out, exist_ok=True)

    tensors = tensor_list(cfg)
    elem = 4 if args.dtype == "f32" else 2
    header, offset = {}, 0
    for name, shape in tensors:
        size = int(np.prod(shape)) * elem
        header[name] = {"dtype": SAFETENSORS_DTYPE[args.dtype], "shape": list(shape),
                        "data_offsets": [offset, offset + size]}
        offset += size
    header_bytes = json.dumps(header, separators=(",", ":")).encode()
    header_bytes += b" " * (-len(header_bytes) % 8)
    rng = np.random.default_rng(0)
    with open(os.path.join(args.out, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for name, shape in tensors:
            if name.endswith("norm.weight"):
                values = np.ones(shape, np.float32)
            else:
                values = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.02)
            f.write(encode(values, args.dtype))
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(args.out, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": 151643, "eos_token_id": [151645, 151643]}, f, indent=2)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(TOKENIZER_DIR, name), os.path.join(args.out, name))
    print(f"wrote {args.out}: {args.shape} {args.dtype}, {offset / 1e9:.2f} GB of weights")


if __name__ == "__main__":
    main()
