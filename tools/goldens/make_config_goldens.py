#!/usr/bin/env python3
"""What transformers makes of config.json / generation_config.json, for io_hf_config_test.

For each case in CASES this writes tests/goldens/io/configs/<case>/config.json and
expected.json: the values transformers resolves when it loads that file (defaults for
absent keys, legacy rope_theta/rope_scaling folded into rope_parameters, the sliding
window per layer) and what its modeling code builds from them (head_dim and whether
q/k/v_proj and o_proj carry a bias), read off a model instantiated on the meta device.
GENERATION_CASES likewise give generation_config.json and expected_generation.json.

Usage: /root/venvs/goldens/bin/python tools/goldens/make_config_goldens.py
(pinned versions in tools/goldens/requirements.txt)
"""
import json
import os
import shutil

import torch
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "io", "configs")

SMALL = dict(vocab_size=320, hidden_size=64, intermediate_size=96, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256)

CASES = {
    # Only the model type: every size comes from the config class's defaults.
    "qwen2_defaults": {"model_type": "qwen2"},
    "qwen3_defaults": {"model_type": "qwen3"},
    # Qwen3 without head_dim: Qwen3Config's default 128, not hidden_size / heads.
    "qwen3_no_head_dim": dict(SMALL, model_type="qwen3"),
    # A transformers 4.x era Qwen2.5 config (torch_dtype, top-level rope_theta, null rope_scaling).
    "qwen2_5_legacy": {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
        "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
        "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
        "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24,
        "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_scaling": None, "rope_theta": 1000000.0,
        "sliding_window": 32768, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.43.1", "use_cache": True, "use_sliding_window": False,
        "vocab_size": 151936},
    # Long-context YaRN the way the Qwen2.5 model cards say to enable it.
    "qwen2_yarn": dict(SMALL, model_type="qwen2", rope_theta=1000000.0, max_position_embeddings=131072,
                       rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
    "qwen2_yarn_no_original": dict(SMALL, model_type="qwen2", rope_scaling={"rope_type": "yarn", "factor": 2.0}),
    # rope_scaling replaces rope_parameters entirely; rope_theta fills the missing theta.
    "qwen2_scaling_overrides_parameters": dict(
        SMALL, model_type="qwen2", rope_theta=500000.0,
        rope_parameters={"rope_type": "default", "rope_theta": 7.0},
        rope_scaling={"rope_type": "linear", "factor": 2.0}),
    "qwen3_rope_parameters": dict(SMALL, model_type="qwen3", head_dim=16,
                                  rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
    "qwen2_sliding": dict(SMALL, model_type="qwen2", num_hidden_layers=4, use_sliding_window=True,
                          sliding_window=8, max_window_layers=2),
    "qwen2_sliding_off": dict(SMALL, model_type="qwen2", use_sliding_window=False, sliding_window=8,
                              max_window_layers=0),
    # Explicit null: num_key_value_heads falls back to num_attention_heads.
    "qwen2_kv_null": dict(SMALL, model_type="qwen2", num_key_value_heads=None),
    # Qwen2's modeling puts a bias on q/k/v whatever attention_bias says.
    "qwen2_attention_bias_false": dict(SMALL, model_type="qwen2", attention_bias=False, head_dim=32),
    "qwen3_attention_bias_true": dict(SMALL, model_type="qwen3", attention_bias=True, head_dim=16,
                                      eos_token_id=[2, 3], bos_token_id=None, pad_token_id=0,
                                      tie_word_embeddings=True, rms_norm_eps=1e-5, dtype="float16"),
    # Mixture of experts: the config classes' defaults, the MoE keys, which layers get experts.
    "qwen2_moe_defaults": {"model_type": "qwen2_moe"},
    "qwen3_moe_defaults": {"model_type": "qwen3_moe"},
    # Qwen3-MoE without head_dim: hidden_size / heads (no 128 default as in Qwen3).
    "qwen3_moe_sparse_step": dict(SMALL, model_type="qwen3_moe", num_hidden_layers=4, decoder_sparse_step=2,
                                  num_experts=8, num_experts_per_tok=2, moe_intermediate_size=32,
                                  norm_topk_prob=True),
    # As transformers 5 saves it: num_local_experts (Qwen3MoeConfig's attribute_map).
    "qwen3_moe_local_experts": dict(SMALL, model_type="qwen3_moe", head_dim=16, num_local_experts=6,
                                    num_experts_per_tok=3, moe_intermediate_size=24, mlp_only_layers=[1]),
    "qwen2_moe_mlp_only": dict(SMALL, model_type="qwen2_moe", num_hidden_layers=3, num_experts=4,
                               num_experts_per_tok=2, moe_intermediate_size=16, shared_expert_intermediate_size=48,
                               mlp_only_layers=[0, 2], qkv_bias=False),
}

GENERATION_CASES = {
    "qwen2_5_instruct": {"bos_token_id": 151643, "pad_token_id": 151643, "do_sample": True,
                         "eos_token_id": [151645, 151643], "repetition_penalty": 1.05, "temperature": 0.7,
                         "top_p": 0.8, "top_k": 20, "transformers_version": "4.37.0"},
    "qwen3_thinking": {"bos_token_id": 151643, "do_sample": True, "eos_token_id": [151645, 151643],
                       "pad_token_id": 151643, "temperature": 0.6, "top_k": 20, "top_p": 0.95, "min_p": 0.0},
    "minimal": {"eos_token_id": 2},
}


def dtype_name(d):
    if d is None:
        return ""
    return str(d).replace("torch.", "")


def resolve(case_dir):
    config = AutoConfig.from_pretrained(case_dir)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    layers = model.model.layers
    attn = layers[0].self_attn
    rope = dict(config.rope_parameters)
    # The rotary embedding the model builds, on a real device: its F32 inverse frequencies
    # and the factor it puts on cos/sin.
    rotary = type(model.model.rotary_emb)(config=config)
    eos = config.eos_token_id
    return {
        "architecture": (config.architectures or [""])[0],
        "model_type": config.model_type,
        "vocab_size": config.vocab_size,
        "hidden_size": config.hidden_size,
        "intermediate_size": config.intermediate_size,
        "num_hidden_layers": config.num_hidden_layers,
        "num_attention_heads": config.num_attention_heads,
        "num_key_value_heads": config.num_key_value_heads,
        "head_dim": attn.head_dim,
        "max_position_embeddings": config.max_position_embeddings,
        "hidden_act": config.hidden_act,
        "rms_norm_eps": config.rms_norm_eps,
        "tie_word_embeddings": config.tie_word_embeddings,
        "qkv_bias": attn.q_proj.bias is not None,
        "k_bias": attn.k_proj.bias is not None,
        "v_bias": attn.v_proj.bias is not None,
        "o_bias": attn.o_proj.bias is not None,
        "dtype": dtype_name(config.dtype),
        "rope_type": rope["rope_type"],
        "rope_theta": rope["rope_theta"],
        "rope_factor": rope.get("factor"),
        "rope_original_max_position_embeddings": rope.get("original_max_position_embeddings"),
        # The window each layer's attention module was built with (None: full attention).
        "layer_sliding_window": [getattr(layer.self_attn, "sliding_window", None) for layer in layers],
        "bos_token_id": config.bos_token_id,
        "pad_token_id": config.pad_token_id,
        "eos_token_ids": [] if eos is None else (eos if isinstance(eos, list) else [eos]),
        # Mixture of experts, read off the modules built (experts appear as a router "gate").
        "num_experts": getattr(config, "num_experts", 0),
        "num_experts_per_tok": getattr(config, "num_experts_per_tok", 0),
        "moe_intermediate_size": getattr(config, "moe_intermediate_size", 0),
        "shared_expert_intermediate_size": getattr(config, "shared_expert_intermediate_size", 0),
        "norm_topk_prob": getattr(config, "norm_topk_prob", False),
        "moe_layers": [hasattr(layer.mlp, "experts") for layer in layers],
        "rope_inv_freq": [float(f) for f in rotary.inv_freq.float()],
        "rope_attention_scaling": float(rotary.attention_scaling),
    }


def resolve_generation(case_dir):
    g = GenerationConfig.from_pretrained(case_dir)
    eos = g.eos_token_id
    return {
        "eos_token_ids": [] if eos is None else (eos if isinstance(eos, list) else [eos]),
        "bos_token_id": g.bos_token_id, "pad_token_id": g.pad_token_id, "do_sample": g.do_sample,
        "temperature": g.temperature, "top_p": g.top_p, "top_k": g.top_k, "min_p": g.min_p,
        "repetition_penalty": g.repetition_penalty,
    }


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    shutil.rmtree(OUT, ignore_errors=True)
    for name, config in CASES.items():
        case_dir = os.path.join(OUT, name)
        os.makedirs(case_dir)
        write_json(os.path.join(case_dir, "config.json"), config)
        write_json(os.path.join(case_dir, "expected.json"), resolve(case_dir))
        print(name)
    for name, gen in GENERATION_CASES.items():
        case_dir = os.path.join(OUT, "generation_" + name)
        os.makedirs(case_dir)
        write_json(os.path.join(case_dir, "generation_config.json"), gen)
        write_json(os.path.join(case_dir, "expected_generation.json"), resolve_generation(case_dir))
        print("generation_" + name)
