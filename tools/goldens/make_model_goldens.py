#!/usr/bin/env python3
"""Tiny random-weight Qwen checkpoints and their reference logits, from transformers.

For each variant this writes tests/goldens/models/<name>/ holding config.json,
generation_config.json, model.safetensors and reference.safetensors with:
  input_ids  I32 [P + 32]   the fixed prompt followed by transformers' 32-token greedy
                            continuation (min_new_tokens forces all 32)
  logits     F32 [P + 32, V] transformers' logits at every position of that sequence
  logits_bf16_compute F32   (BF16 variants) the same forward run natively in bfloat16
and metadata prompt_length. BF16 checkpoints are also run in float32 on the BF16 weights:
qwenrt computes with F32 activations, so that is the computation it must reproduce;
the native-bf16 logits bound how far transformers' own bf16 arithmetic strays from it.

Usage: /root/venvs/goldens/bin/python tools/goldens/make_model_goldens.py [VARIANT ...]  (see requirements.txt)
"""
import json
import os
import shutil
import sys

import torch
from safetensors.torch import save_file
from transformers import (Qwen2Config, Qwen2ForCausalLM, Qwen2MoeConfig, Qwen2MoeForCausalLM, Qwen3Config,
                          Qwen3ForCausalLM, Qwen3MoeConfig, Qwen3MoeForCausalLM)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "models")
VOCAB = 320
PROMPT = [3, 141, 59, 26, 5, 35, 89, 79, 32, 38, 46, 264, 33, 8, 27, 95]
NEW_TOKENS = 32

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
              max_position_embeddings=256, rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2,
              # A wide init makes logits well separated, so greedy choices are not near-ties.
              initializer_range=0.25)

VARIANTS = {
    # Qwen2: q/k/v bias, tied embeddings, GQA ratio 2.
    "qwen2_tied_gqa2": (Qwen2Config, Qwen2ForCausalLM,
                        dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
                             rope_theta=10000.0)),
    # Qwen2: untied head, plain multi-head attention (GQA ratio 1), large rope_theta.
    "qwen2_untied_mha": (Qwen2Config, Qwen2ForCausalLM,
                         dict(num_attention_heads=4, num_key_value_heads=4, tie_word_embeddings=False,
                              rope_theta=1000000.0)),
    # Qwen3: q/k RMSNorm, head_dim 32 != 64 / 4, GQA ratio 2, tied.
    "qwen3_gqa2_hd32": (Qwen3Config, Qwen3ForCausalLM,
                        dict(num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                             tie_word_embeddings=True, rope_theta=1000000.0)),
    # Qwen3: untied, GQA ratio 1, head_dim 24 != 64 / 2.
    "qwen3_untied_mha": (Qwen3Config, Qwen3ForCausalLM,
                         dict(num_attention_heads=2, num_key_value_heads=2, head_dim=24,
                              tie_word_embeddings=False, rope_theta=10000.0)),
    # Qwen2.5's long-context YaRN (factor 4 over a 64-position original context, so the
    # ramp between interpolated and original frequencies falls inside head_dim 16).
    "qwen2_yarn": (Qwen2Config, Qwen2ForCausalLM,
                   dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True,
                        rope_theta=10000.0, rope={"rope_type": "yarn", "factor": 4.0,
                                                  "original_max_position_embeddings": 64})),
    # Qwen2-MoE: 8 experts, top 2 not renormalised, a gated shared expert, q/k/v bias.
    "qwen2_moe_top2_shared": (Qwen2MoeConfig, Qwen2MoeForCausalLM,
                              dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False,
                                   rope_theta=1000000.0, num_experts=8, num_experts_per_tok=2,
                                   moe_intermediate_size=32, shared_expert_intermediate_size=48,
                                   norm_topk_prob=False)),
    # Qwen3-MoE: layer 0 dense (mlp_only_layers), layer 1 8 experts with top 3 renormalised.
    "qwen3_moe_top3_norm": (Qwen3MoeConfig, Qwen3MoeForCausalLM,
                            dict(num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                                 tie_word_embeddings=True, rope_theta=1000000.0, num_experts=8,
                                 num_experts_per_tok=3, moe_intermediate_size=32, norm_topk_prob=True,
                                 mlp_only_layers=[0])),
}


def make_config(config_cls, extra):
    kwargs = dict(COMMON)
    rope = dict({"rope_type": "default", "rope_theta": extra.pop("rope_theta")}, **extra.pop("rope", {}))
    kwargs.update(extra)
    config = config_cls(**kwargs, rope_parameters=rope)
    config._attn_implementation = "eager"
    return config


def reference_run(model, dtype):
    model = model.to(dtype)
    with torch.no_grad():
        prompt = torch.tensor([PROMPT])
        out = model.generate(prompt, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                             do_sample=False, pad_token_id=0)
        logits = model(out).logits[0].float()
    return out[0].to(torch.int32), logits


def write_variant(name, config_cls, model_cls, extra, dtype_name, seed):
    torch.manual_seed(seed)
    config = make_config(config_cls, dict(extra))
    model = model_cls(config).eval()
    # transformers initialises norm weights to 1 and biases to 0; randomise them so a
    # loader that skipped either would be caught.
    with torch.no_grad():
        for pname, param in model.named_parameters():
            if "norm" in pname:
                param.copy_(1.0 + 0.3 * torch.randn_like(param))
            elif pname.endswith(".bias"):
                param.copy_(0.5 * torch.randn_like(param))
    dtype = torch.float32 if dtype_name == "f32" else torch.bfloat16
    model = model.to(dtype)
    path = os.path.join(OUT, f"{name}_{dtype_name}")
    shutil.rmtree(path, ignore_errors=True)
    model.save_pretrained(path, safe_serialization=True)
    model.generation_config.save_pretrained(path)

    # The exact computation qwenrt performs: these weights, F32 arithmetic.
    ids, logits = reference_run(model_cls.from_pretrained(path, dtype=torch.float32).eval(),
                                torch.float32)
    tensors = {"input_ids": ids.contiguous(), "logits": logits.contiguous()}
    if dtype == torch.bfloat16:
        native = model_cls.from_pretrained(path, dtype=torch.bfloat16).eval()
        with torch.no_grad():
            tensors["logits_bf16_compute"] = native(ids[None].long()).logits[0].float().contiguous()
    save_file(tensors, os.path.join(path, "reference.safetensors"),
              metadata={"prompt_length": str(len(PROMPT)), "transformers": __import__("transformers").__version__,
                        "torch": torch.__version__})
    top2 = logits.topk(2, dim=-1).values
    margin = (top2[:, 0] - top2[:, 1])[len(PROMPT) - 1:-1].min().item()
    # generate() suppresses EOS until min_new_tokens, which a plain argmax would not: a
    # continuation that passes an EOS argmax is no greedy continuation, so reject the seed.
    if (logits[len(PROMPT) - 1:-1].argmax(dim=-1) == COMMON["eos_token_id"]).any():
        margin = 0.0
    print(f"{name}_{dtype_name} (seed {seed}): max|logit| {logits.abs().max():.3f}, "
          f"smallest greedy margin {margin:.4f}")
    return margin


# Greedy continuations are compared token for token, so the reference's top-2 logit gap
# must stay well above any arithmetic difference; seeds are tried in order until it is.
MIN_GREEDY_MARGIN = 0.01


def main():
    os.makedirs(OUT, exist_ok=True)
    # Names on the command line regenerate only those variants.
    chosen = sys.argv[1:] or list(VARIANTS)
    for name, (config_cls, model_cls, extra) in VARIANTS.items():
        if name not in chosen:
            continue
        for dtype_name in ("f32", "bf16"):
            seed = sum(map(ord, name))
            while write_variant(name, config_cls, model_cls, extra, dtype_name, seed) < MIN_GREEDY_MARGIN:
                seed += 1


if __name__ == "__main__":
    sys.exit(main())
