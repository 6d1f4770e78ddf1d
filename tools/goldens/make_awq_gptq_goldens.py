#!/usr/bin/env python3
"""Tiny random Qwen checkpoints in Qwen's official AWQ and GPTQ formats, packed by the
reference packing code, and the logits of the reference dequantized forward.

Packing is done by the libraries that wrote Qwen's official checkpoints:
  AWQ   autoawq 0.2.9    awq.modules.linear.gemm.WQLinear_GEMM.from_linear ("gemm" version)
  GPTQ  auto-gptq 0.7.1  auto_gptq.nn_modules.qlinear.qlinear_cuda.QuantLinear.pack
                         (the v1 format: zero points stored minus one)
Only those pure-torch modules are imported (their packages' __init__ pulls in model code
that does not import under transformers 5), so both are installed with --no-deps
(tools/goldens/requirements-quant.txt).

Each linear's integer codes q, zero points z and fp16 scales s are drawn at random, the
float weight (q - z) * s handed to the packer, and the packed tensors unpacked again with
the library's own dequantization (awq.utils.packing_utils.dequantize_gemm; QuantLinear's
torch forward on an identity input) to check the round trip exactly. The reference
logits are a float32 transformers forward with every linear set to that dequantized
weight; other tensors are fp16 as in the real checkpoints (read back as float32).

For each variant, tests/goldens/awq_gptq/<name>/ holds config.json (with the
quantization_config Qwen's checkpoints carry), generation_config.json, model.safetensors
and reference.safetensors with:
  input_ids          I32 [T]
  logits             F32 [T, V]  reference logits at every position
  logits_q8_activations F32 [T, V]  the same forward with each quantized linear's input
                     rounded to int8 per 32-block as llama.cpp-style integer kernels do
  dequant.q_proj     F32 [out, in]  layer 0's dequantized q_proj (reference unpacking)
  dequant.down_proj  F32 [out, in]  layer 0's dequantized down_proj

Usage (by hand; tests read only the stored fixtures):
  /root/venvs/goldens/bin/pip install -r tools/goldens/requirements.txt
  /root/venvs/goldens/bin/pip install --no-deps -r tools/goldens/requirements-quant.txt
  /root/venvs/goldens/bin/python tools/goldens/make_awq_gptq_goldens.py
"""
import json
import os
import shutil
import site
import sys
import types

import torch
from safetensors.torch import save_file
from transformers import Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "awq_gptq")
VOCAB = 320
TOKENS = [3, 141, 59, 26, 5, 35, 89, 79, 32, 38, 46, 264, 33, 8, 27, 95, 17, 200, 4, 61]

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
              max_position_embeddings=256, rms_norm_eps=1e-6, bos_token_id=1, eos_token_id=2,
              initializer_range=0.25)

LINEARS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
           "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"]


def stub_package(dotted):
    """Makes `dotted` (and its parents) importable as bare namespaces, so a submodule can
    be imported without running the package __init__ files."""
    top = dotted.split(".")[0]
    root = next(os.path.join(p, top) for p in site.getsitepackages() if os.path.isdir(os.path.join(p, top)))
    parts = dotted.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            module = types.ModuleType(name)
            module.__path__ = [os.path.join(root, *parts[1:i])]
            sys.modules[name] = module


stub_package("awq.modules.linear")
stub_package("awq.utils")
stub_package("auto_gptq.nn_modules.qlinear")
from awq.modules.linear.gemm import WQLinear_GEMM  # noqa: E402
from awq.utils.packing_utils import dequantize_gemm  # noqa: E402
from auto_gptq.nn_modules.qlinear.qlinear_cuda import QuantLinear as GptqQuantLinear  # noqa: E402

# name: (architecture, extra config, quant settings)
VARIANTS = {
    # AWQ as Qwen2.5-*-AWQ: 4-bit, zero points, gemm packing. Qwen2 biases, tied, GQA 2.
    "awq_qwen2_g32": ("qwen2", dict(num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True),
                      dict(method="awq", bits=4, group_size=32)),
    # Qwen3 (q/k norm, head_dim 32), untied, group 64.
    "awq_qwen3_g64": ("qwen3", dict(num_attention_heads=4, num_key_value_heads=2, head_dim=32,
                                    tie_word_embeddings=False),
                      dict(method="awq", bits=4, group_size=64)),
    # GPTQ as Qwen2.5-*-GPTQ-Int4: symmetric, no act-order.
    "gptq_qwen2_sym4_g32": ("qwen2", dict(num_attention_heads=4, num_key_value_heads=4, tie_word_embeddings=False),
                            dict(method="gptq", bits=4, group_size=32, sym=True, desc_act=False)),
    # Asymmetric zeros with act-order (g_idx a random permutation of the groups).
    "gptq_qwen3_asym4_actorder_g32": ("qwen3", dict(num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                                                    tie_word_embeddings=True),
                                      dict(method="gptq", bits=4, group_size=32, sym=False, desc_act=True)),
    # As Qwen2.5-*-GPTQ-Int8 (symmetric), with act-order.
    "gptq_qwen2_int8_actorder_g64": ("qwen2", dict(num_attention_heads=4, num_key_value_heads=2,
                                                   tie_word_embeddings=True),
                                     dict(method="gptq", bits=8, group_size=64, sym=True, desc_act=True)),
}


def quantization_config(q):
    # The keys Qwen's official checkpoints carry (Qwen2.5-7B-Instruct-AWQ / -GPTQ-Int4).
    if q["method"] == "awq":
        return {"bits": q["bits"], "group_size": q["group_size"], "modules_to_not_convert": None,
                "quant_method": "awq", "version": "gemm", "zero_point": True}
    return {"batch_size": 1, "bits": q["bits"], "block_name_to_quantize": None, "cache_block_outputs": True,
            "damp_percent": 0.01, "dataset": None, "desc_act": q["desc_act"], "exllama_config": {"version": 1},
            "group_size": q["group_size"], "max_input_length": None, "model_seqlen": None,
            "module_name_preceding_first_block": None, "modules_in_block_to_quantize": None,
            "pad_token_id": None, "quant_method": "gptq", "sym": q["sym"], "tokenizer": None,
            "true_sequential": True, "use_cuda_fp16": False, "use_exllama": True}


def random_codes(out_f, in_f, q, gen):
    """Integer codes, zero points, fp16 scales and the group of each input column."""
    bits, gs = q["bits"], q["group_size"]
    groups = in_f // gs
    maxq = 2 ** bits - 1
    codes = torch.randint(0, maxq + 1, (out_f, in_f), generator=gen)
    if q["method"] == "gptq" and q["sym"]:
        zeros = torch.full((out_f, groups), (maxq + 1) // 2)
    elif q["method"] == "gptq":
        # auto-gptq's v1 packing stores zero - 1 as uint32: a zero of 0 would wrap to
        # 0xFFFFFFFF and corrupt its neighbours (the known v1 limitation), so 1..maxq.
        zeros = torch.randint(1, maxq + 1, (out_f, groups), generator=gen)
    else:
        zeros = torch.randint(0, maxq + 1, (out_f, groups), generator=gen)
    # |w| ~ 0.1: wider weights make these tiny models chaotic, so the kernels' int8
    # activation rounding would swamp the comparison (see the test's tolerance).
    spread = 0.015 if bits == 4 else 0.015 / 16
    scales = (spread * (0.5 + torch.rand((out_f, groups), generator=gen))).half().float()
    if q.get("desc_act"):
        g_idx = (torch.randperm(in_f, generator=gen) // gs).to(torch.int32)
    else:
        g_idx = (torch.arange(in_f) // gs).to(torch.int32)
    gl = g_idx.long()
    weight = (codes - zeros[:, gl]).float() * scales[:, gl]  # exact in float32
    return weight, scales, zeros, g_idx


def pack_awq(weight, scales, zeros, q):
    out_f, in_f = weight.shape
    linear = torch.nn.Linear(in_f, out_f, bias=False)
    linear.weight.data = weight.clone()
    # from_linear takes scales/zeros as [groups, out] (AutoAWQ's quantizer transposes).
    m = WQLinear_GEMM.from_linear(linear, q["bits"], q["group_size"], scales=scales.t().contiguous(),
                                  zeros=zeros.t().contiguous())
    deq = dequantize_gemm(m.qweight, m.qzeros, m.scales.float(), q["bits"], q["group_size"]).t()
    return {"qweight": m.qweight, "qzeros": m.qzeros, "scales": m.scales.half()}, deq


def pack_gptq(weight, scales, zeros, g_idx, q):
    out_f, in_f = weight.shape
    linear = torch.nn.Linear(in_f, out_f, bias=False)
    linear.weight.data = weight.clone()
    m = GptqQuantLinear(q["bits"], q["group_size"], in_f, out_f, bias=False, weight_dtype=torch.float32)
    m.pack(linear, scales, zeros, g_idx)
    # The module's own torch dequantization (its CPU forward) applied to the identity
    # gives W^T; scales in float32 so the products are exact.
    with torch.no_grad():
        deq = m(torch.eye(in_f)).t()
    return {"qweight": m.qweight, "qzeros": m.qzeros, "scales": m.scales.half(), "g_idx": m.g_idx.to(torch.int32)}, deq


def q8_0_roundtrip(x):
    """x with each block of 32 along the last axis rounded to int8 as the integer-dot
    kernels round their activations (qwenrt's kernels/cpu/quant_dot_simd.h, like
    llama.cpp's Q8_0 but with an f32 scale): d = max|x| / 127, q = round-half-even(x * (127 / max|x|))."""
    shape = x.shape
    x = x.reshape(-1, 32).float()
    amax = x.abs().amax(-1, keepdim=True)
    inv = torch.where(amax > 0, 127 / amax, torch.zeros_like(amax))
    q = torch.round(x * inv)
    return (q * (amax / 127)).reshape(shape)


def forward_with_q8_activations(model, ids):
    """The same forward with every quantized linear's input rounded by q8_0_roundtrip:
    what integer-dot kernels compute, up to summation order. Act-order weights are run
    with their columns stably sorted by g_idx (each group contiguous, as qwenrt stores
    them), so the 32-blocks of x are the same ones the kernels round."""
    patched = []
    for layer in model.model.layers:
        for lname in LINEARS:
            linear = layer.get_submodule(lname)
            linear.forward = (lambda m: lambda x: torch.nn.functional.linear(
                q8_0_roundtrip(x[..., m.q8_order]), m.weight[:, m.q8_order], m.bias))(linear)
            patched.append(linear)
    try:
        return model(ids).logits[0].float()
    finally:
        for linear in patched:
            del linear.forward


def write_variant(name, arch, extra, q, seed):
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    config_cls, model_cls = (Qwen2Config, Qwen2ForCausalLM) if arch == "qwen2" else (Qwen3Config, Qwen3ForCausalLM)
    config = config_cls(**COMMON, **extra, rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    config._attn_implementation = "eager"
    model = model_cls(config).eval()
    tensors = {}
    dequant = {}
    with torch.no_grad():
        for pname, param in model.named_parameters():
            if "norm" in pname:
                param.copy_(1.0 + 0.3 * torch.randn_like(param))
            elif pname.endswith(".bias"):
                param.copy_(0.5 * torch.randn_like(param))
            # Unquantized tensors are fp16 in the real checkpoints.
            param.copy_(param.half().float())
        for i, layer in enumerate(model.model.layers):
            for lname in LINEARS:
                linear = layer.get_submodule(lname)
                weight, scales, zeros, g_idx = random_codes(linear.out_features, linear.in_features, q, gen)
                if q["method"] == "awq":
                    packed, deq = pack_awq(weight, scales, zeros, q)
                else:
                    packed, deq = pack_gptq(weight, scales, zeros, g_idx, q)
                assert torch.equal(deq, weight), f"{name}: reference unpacking disagrees for {lname}"
                linear.weight.copy_(deq)
                linear.q8_order = torch.argsort(g_idx, stable=True)
                base = f"model.layers.{i}.{lname}"
                for k, v in packed.items():
                    tensors[f"{base}.{k}"] = v.contiguous()
                if linear.bias is not None:
                    tensors[f"{base}.bias"] = linear.bias.half().contiguous()
                if i == 0 and lname in ("self_attn.q_proj", "mlp.down_proj"):
                    dequant["dequant." + lname.split(".")[1]] = deq.contiguous()
        # Everything else (embeddings, norms, head; biases are already in) stays fp16.
        quantized = {f"model.layers.{i}.{l}.weight" for i in range(len(model.model.layers)) for l in LINEARS}
        for pname, param in model.named_parameters():
            tied_head = config.tie_word_embeddings and pname == "lm_head.weight"
            if pname not in quantized and pname not in tensors and not tied_head:
                tensors[pname] = param.half().contiguous()

    path = os.path.join(OUT, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    config_dict = config.to_dict()
    config_dict["architectures"] = [model_cls.__name__]  # save_pretrained would add it
    config_dict["dtype"] = "float16"
    config_dict["quantization_config"] = quantization_config(q)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(config_dict, f, indent=2, sort_keys=True)
    model.generation_config.save_pretrained(path)
    save_file(tensors, os.path.join(path, "model.safetensors"), metadata={"format": "pt"})

    with torch.no_grad():
        ids = torch.tensor([TOKENS])
        logits = model(ids).logits[0].float()
        logits_q8 = forward_with_q8_activations(model, ids)
    ref = {"input_ids": ids[0].to(torch.int32).contiguous(), "logits": logits.contiguous(),
           "logits_q8_activations": logits_q8.contiguous(), **dequant}
    import transformers
    save_file(ref, os.path.join(path, "reference.safetensors"),
              metadata={"transformers": transformers.__version__, "torch": torch.__version__,
                        "autoawq": "0.2.9", "auto_gptq": "0.7.1"})
    size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    q8_gap = ((logits_q8 - logits).abs().max() / logits.abs().max()).item()
    print(f"{name}: max|logit| {logits.abs().max():.3f}, int8-activation gap {q8_gap:.4f}, {size / 1024:.0f} KiB")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, (arch, extra, q) in VARIANTS.items():
        write_variant(name, arch, extra, q, sum(map(ord, name)))


if __name__ == "__main__":
    sys.exit(main())
