#!/usr/bin/env python3
"""GGUF fixtures written and read by llama.cpp's own Python package (gguf-py), for
tests/unit/io_gguf_*. Everything a test expects is what gguf-py wrote or read here.

Writes into tests/goldens/gguf/:
  types.gguf              metadata of every value type (nested arrays, NaN, UTF-8) and
                          tensors of every type qwenrt computes with: F32 (1-4 dims, empty),
                          F16, BF16, Q8_0/Q4_0/Q4_1 (quantized by gguf.quants), Q4_K/Q5_K/Q6_K
                          (random valid blocks: gguf-py has no K-quantizer), I32, I64.
  types_dequantized.gguf  gguf.quants.dequantize of each F16/BF16/quantized tensor of
                          types.gguf, as F32 under the same name.
  aligned64.gguf          general.alignment = 64 (add_custom_alignment), odd tensor sizes.
  unsupported_type.gguf   tensors of types qwenrt cannot compute with (Q5_0, F64, I8).
  qwen2_tiny/, qwen3_tiny/, qwen2moe_tiny/, qwen3moe_tiny/
                          a tiny random model saved by transformers (config.json,
                          generation_config.json, model.safetensors) and model.gguf: the
                          same weights converted as llama.cpp's convert_hf_to_gguf.py does
                          (names from gguf.get_tensor_name_map, its metadata keys, an
                          embedded toy tokenizer). qwen2 is BF16 with tied embeddings
                          (1-D tensors F32, as the converter keeps them); qwen3 is F32.
                          The MoE ones stack each layer's experts into 3-D tensors as the
                          converter does (qwen2moe BF16 with a shared expert, qwen3moe F32).
  reader_expected.json    gguf.GGUFReader's view of every file above: fields (offset,
                          types, leaves as raw bits / hex bytes) and tensors (type, dims,
                          byte size, absolute data offset), plus alignment and data offset.
  ggml_types.json         gguf-py's GGML_QUANT_SIZES: id, name, block elements and bytes.
  names_expected.json     gguf-py's TensorNameMap (qwen2, qwen3, qwen2moe, qwen3moe) of Hugging Face
                          names (experts under the converter's stacked names).
  real_*.json, real_*_rows.gguf  rewritten only when the real Qwen2.5-Coder-1.5B Q4_K_M file
                          exists (QWENRT_REAL_GGUF or the default below; its file_size
                          identifies it): its reader view
                          (long arrays cut to their ends) and gguf-py's dequantization of a
                          few rows of its Q4_K / Q6_K tensors.

Also writes the fuzz seeds tests/fuzz-seeds/fuzz_gguf/*: the small fixtures above, a
qwen2 / qwen3 metadata set with a few small tensors, and hand-broken variants.

Usage: /root/venvs/goldens/bin/python tools/goldens/make_gguf_fixtures.py
(pinned versions in tools/goldens/requirements.txt)
"""
import json
import os
import shutil

import numpy as np
import torch

import gguf
from gguf import GGMLQuantizationType as T
from gguf import GGUFReader, GGUFValueType as V, GGUFWriter
from safetensors.torch import load_file
from transformers import (Qwen2Config, Qwen2ForCausalLM, Qwen2MoeConfig, Qwen2MoeForCausalLM, Qwen3Config,
                          Qwen3ForCausalLM, Qwen3MoeConfig, Qwen3MoeForCausalLM)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "gguf")
REAL = os.environ.get("QWENRT_REAL_GGUF", "/root/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
REAL_STEM = "real_qwen2.5-coder-1.5b-instruct-q4_k_m"


def write(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def add_quantized(writer, name, values, qtype):
    """Quantizes float32 `values` with gguf-py and adds the result as `qtype` bytes."""
    writer.add_tensor(name, gguf.quants.quantize(values.astype(np.float32), qtype), raw_dtype=qtype)


def random_k_blocks(rng, qtype, rows, cols):
    """Random bytes laid out as `qtype` blocks, with every f16 scale finite and small."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    n_blocks = rows * cols // block
    raw = rng.integers(0, 256, size=(n_blocks, size), dtype=np.uint8)
    # Where ggml_half scales sit in each block (ggml-common.h): d, dmin first for Q4_K /
    # Q5_K; d last for Q6_K.
    scale_at = {T.Q4_K: [0, 2], T.Q5_K: [0, 2], T.Q6_K: [size - 2]}[qtype]
    for at in scale_at:
        halves = rng.uniform(-0.05, 0.05, size=n_blocks).astype(np.float16)
        raw[:, at:at + 2] = halves.view(np.uint8).reshape(n_blocks, 2)
    return raw.reshape(rows, cols // block * size)


def types_tensors():
    """name -> (gguf-py tensor, raw dtype or None) for types.gguf."""
    rng = np.random.default_rng(0)
    normal = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    t = {
        "f32.1d": (normal(7), None),
        "f32.2d": (normal(3, 5), None),
        "f32.3d": (normal(2, 3, 4), None),
        "f32.4d": (normal(2, 1, 3, 2), None),
        "f32.empty": (np.zeros((0, 4), dtype=np.float32), None),
        "f16": (normal(4, 6).astype(np.float16), None),
        "bf16": (gguf.quants.quantize(normal(4, 6), T.BF16), T.BF16),
    }
    for name, qtype, shape in [("q8_0", T.Q8_0, (4, 64)), ("q4_0", T.Q4_0, (3, 96)), ("q4_1", T.Q4_1, (2, 64))]:
        t[name] = (gguf.quants.quantize(normal(*shape) * 3, qtype), qtype)
    for name, qtype in [("q4_k", T.Q4_K), ("q5_k", T.Q5_K), ("q6_k", T.Q6_K)]:
        t[name] = (random_k_blocks(rng, qtype, 2, 512), qtype)
    t["i32"] = (np.array([-1, 0, 7, 2**31 - 1, -2**31], dtype=np.int32), None)
    t["i64"] = (np.array([[-5, 1 << 40, 3], [0, -1, 2**63 - 1]], dtype=np.int64), None)
    return t


def add_every_value_type(w):
    w.add_uint8("t.u8", 200)
    w.add_int8("t.i8", -5)
    w.add_uint16("t.u16", 60000)
    w.add_int16("t.i16", -30000)
    w.add_uint32("t.u32", 4000000000)
    w.add_int32("t.i32", -2000000000)
    w.add_float32("t.f32", 3.25)
    w.add_key_value("t.f32_nan", float("nan"), V.FLOAT32)
    w.add_bool("t.bool", True)
    w.add_bool("t.bool_false", False)
    w.add_string("t.str", 'h\u00e9llo "gguf"\n\u4e16\u754c')
    w.add_uint64("t.u64", 2**63 + 5)
    w.add_int64("t.i64", -2**62)
    w.add_float64("t.f64", 1.0 / 3.0)
    for key, values, sub in [("t.arr_u8", [1, 2, 255], V.UINT8), ("t.arr_i8", [-128, 127], V.INT8),
                             ("t.arr_u16", [65535, 0], V.UINT16), ("t.arr_i16", [-2, 3], V.INT16),
                             ("t.arr_u32", [7, 4294967295], V.UINT32), ("t.arr_i32", [-1, 5, 9], V.INT32),
                             ("t.arr_f32", [0.5, -1.25, float("inf")], V.FLOAT32),
                             ("t.arr_bool", [True, False, True], V.BOOL),
                             ("t.arr_u64", [2**64 - 1], V.UINT64), ("t.arr_i64", [-2**63, 1], V.INT64),
                             ("t.arr_f64", [1e300, -0.0], V.FLOAT64)]:
        w.add_key_value(key, values, V.ARRAY, sub_type=sub)
    w.add_array("t.arr_str", ["a", "", "\u00fc\u00df", "Ġthe"])
    w.add_key_value("t.arr_arr_i32", [[1, 2], [3]], V.ARRAY)
    w.add_key_value("t.arr_arr_str", [["x"], ["y", "z"]], V.ARRAY)


def write_types():
    w = GGUFWriter(os.path.join(OUT, "types.gguf"), arch="test")
    add_every_value_type(w)
    tensors = types_tensors()
    for name, (data, raw) in tensors.items():
        w.add_tensor(name, data, raw_dtype=raw)
    write(w)

    d = GGUFWriter(os.path.join(OUT, "types_dequantized.gguf"), arch="test")
    for t in GGUFReader(os.path.join(OUT, "types.gguf")).tensors:
        if t.tensor_type in (T.F32, T.I32, T.I64):
            continue
        raw = np.asarray(t.data)
        if t.tensor_type == T.F16:
            raw = raw.view(np.uint8)
        d.add_tensor(t.name, gguf.quants.dequantize(raw, t.tensor_type).astype(np.float32))
    write(d)


def write_aligned64():
    w = GGUFWriter(os.path.join(OUT, "aligned64.gguf"), arch="test")
    w.add_custom_alignment(64)
    w.add_string("t.note", "tensors padded to 64 bytes")
    rng = np.random.default_rng(1)
    w.add_tensor("a", rng.standard_normal(5).astype(np.float32))
    w.add_tensor("b", rng.standard_normal((3, 3)).astype(np.float16))
    add_quantized(w, "c", rng.standard_normal((1, 32)), T.Q8_0)
    write(w)


def write_unsupported():
    w = GGUFWriter(os.path.join(OUT, "unsupported_type.gguf"), arch="test")
    rng = np.random.default_rng(2)
    w.add_tensor("ok", np.ones(4, dtype=np.float32))
    add_quantized(w, "q5_0", rng.standard_normal((2, 32)), T.Q5_0)
    w.add_tensor("f64", np.arange(3, dtype=np.float64))
    w.add_tensor("i8", np.array([-1, 2], dtype=np.int8))
    write(w)


# ---- tiny models, converted as convert_hf_to_gguf.py converts Qwen2 / Qwen3 ----

TOY_SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TOY_TEMPLATE = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']"
                " + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
                "{% endif %}")


def toy_vocab(vocab_size):
    """A byte-level BPE vocabulary shaped like Qwen's: normal tokens, merges, then special
    tokens, padded with [PAD<i>] as the converter pads up to the embedding's rows."""
    normal = [chr(c) for c in range(ord("a"), ord("z") + 1)] + ["Ġ", "Ġt", "he", "Ġthe", "in", "Ġin"]
    merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ in"]
    tokens = normal + TOY_SPECIAL
    types = [gguf.TokenType.NORMAL] * len(normal) + [gguf.TokenType.CONTROL] * len(TOY_SPECIAL)
    for i in range(len(tokens), vocab_size):
        tokens.append(f"[PAD{i}]")
        types.append(gguf.TokenType.UNUSED)
    return tokens, types, merges


def stack_experts(state, config):
    """As the converter does: each layer's per-expert gate/up/down_proj become one 3-D
    tensor [expert, out, in] named model.layers.N.mlp.experts.<proj>.weight."""
    out = {}
    for name, tensor in state.items():
        parts = name.split(".")
        if parts[3:5] != ["mlp", "experts"]:
            out[name] = tensor
        elif parts[5] == "0":
            stacked = [state[".".join(parts[:5] + [str(e)] + parts[6:])] for e in range(config.num_experts)]
            out[".".join(parts[:5] + parts[6:])] = torch.stack(stacked)
    return out


def convert(model_dir, arch, config, out_type):
    """model.safetensors -> model.gguf, metadata and names as llama.cpp's converter."""
    state = load_file(os.path.join(model_dir, "model.safetensors"))
    w = GGUFWriter(os.path.join(model_dir, "model.gguf"), arch=gguf.MODEL_ARCH_NAMES[arch])
    w.add_type("model")
    w.add_name(os.path.basename(model_dir))
    w.add_block_count(config.num_hidden_layers)
    w.add_context_length(config.max_position_embeddings)
    w.add_embedding_length(config.hidden_size)
    w.add_feed_forward_length(config.intermediate_size)
    w.add_head_count(config.num_attention_heads)
    w.add_head_count_kv(config.num_key_value_heads)
    w.add_rope_freq_base(config.rope_parameters["rope_theta"])
    w.add_layer_norm_rms_eps(config.rms_norm_eps)
    if getattr(config, "head_dim", None):
        w.add_key_length(config.head_dim)
        w.add_value_length(config.head_dim)
    if getattr(config, "num_experts", 0):
        w.add_expert_count(config.num_experts)
        w.add_expert_used_count(config.num_experts_per_tok)
        w.add_expert_feed_forward_length(config.moe_intermediate_size)
        if getattr(config, "shared_expert_intermediate_size", 0):
            w.add_expert_shared_feed_forward_length(config.shared_expert_intermediate_size)
        state = stack_experts(state, config)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_BF16 if out_type == T.BF16 else gguf.LlamaFileType.ALL_F32)
    tokens, types, merges = toy_vocab(config.vocab_size)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("qwen2")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(merges)
    w.add_eos_token_id(tokens.index("<|im_end|>"))
    w.add_pad_token_id(tokens.index("<|endoftext|>"))
    w.add_bos_token_id(tokens.index("<|endoftext|>"))
    w.add_add_bos_token(False)
    w.add_chat_template(TOY_TEMPLATE)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    names = gguf.get_tensor_name_map(arch, config.num_hidden_layers)
    for hf_name in sorted(state):
        data = state[hf_name].float().numpy()
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        assert gguf_name is not None, hf_name
        if out_type == T.BF16 and data.ndim > 1:  # the converter keeps 1-D tensors in F32
            w.add_tensor(gguf_name, gguf.quants.quantize(data, T.BF16), raw_dtype=T.BF16)
        else:
            w.add_tensor(gguf_name, data)
    write(w)


def write_tiny(name, config_cls, model_cls, arch, dtype, out_type, **extra):
    out = os.path.join(OUT, name)
    shutil.rmtree(out, ignore_errors=True)
    torch.manual_seed(0)
    config = config_cls(vocab_size=64, hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                        rope_theta=1000000.0, rms_norm_eps=1e-6, bos_token_id=32, eos_token_id=34, **extra)
    model = model_cls(config).to(dtype).eval()
    with torch.no_grad():  # norms of ones would hide a swapped tensor
        for p in model.parameters():
            p.normal_(0.0, 0.5)
    model.save_pretrained(out)
    convert(out, arch, config, out_type)


# ---- what gguf-py reads ----

def leaf(part, vtype):
    if vtype == V.STRING:
        return {"hex": bytes(part).hex()}
    raw = part.tobytes()
    return int.from_bytes(raw, "little")


def dump(path, cut=None):
    """gguf.GGUFReader's view of `path`. Arrays longer than `cut` keep their ends only."""
    r = GGUFReader(path)
    fields = []
    for key, f in r.fields.items():
        if key.startswith("GGUF."):
            continue
        leaves = [leaf(f.parts[i], f.types[-1]) for i in f.data]
        entry = {"key": key, "offset": int(f.offset), "types": [t.name for t in f.types]}
        if f.types[0] == V.ARRAY:
            entry["count"] = len(leaves)
            if cut is not None and len(leaves) > cut:
                entry["head"], entry["tail"] = leaves[:cut // 2], leaves[-(cut // 2):]
            else:
                entry["leaves"] = leaves
        else:
            entry["leaves"] = leaves
        fields.append(entry)
    tensors = [{"name": t.name, "type": int(t.tensor_type), "dims": [int(d) for d in t.shape],
                "n_bytes": int(t.n_bytes), "data_offset": int(t.data_offset)} for t in r.tensors]
    version = int(r.fields["GGUF.version"].parts[0][0])
    return {"version": version, "alignment": int(r.alignment), "data_offset": int(r.data_offset),
            "fields": fields, "tensors": tensors}


def write_expectations(files):
    with open(os.path.join(OUT, "reader_expected.json"), "w") as f:
        json.dump({name: dump(os.path.join(OUT, name)) for name in files}, f, indent=1)
    with open(os.path.join(OUT, "ggml_types.json"), "w") as f:
        json.dump([{"id": int(t), "name": t.name, "block_elements": b, "block_bytes": s}
                   for t, (b, s) in gguf.GGML_QUANT_SIZES.items()], f, indent=1)
    hf_layer = ["input_layernorm.weight", "post_attention_layernorm.weight", "self_attn.q_proj.weight",
                "self_attn.q_proj.bias", "self_attn.k_proj.weight", "self_attn.k_proj.bias",
                "self_attn.v_proj.weight", "self_attn.v_proj.bias", "self_attn.o_proj.weight",
                "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"]
    names = {}
    qk_norm = ["self_attn.q_norm.weight", "self_attn.k_norm.weight"]
    experts = ["mlp.gate.weight"] + [f"mlp.experts.{p}_proj.weight" for p in ("gate", "up", "down")]
    shared = ["mlp.shared_expert_gate.weight"] + [f"mlp.shared_expert.{p}_proj.weight" for p in ("gate", "up", "down")]
    for arch, extra in [(gguf.MODEL_ARCH.QWEN2, []), (gguf.MODEL_ARCH.QWEN3, qk_norm),
                        (gguf.MODEL_ARCH.QWEN2MOE, experts + shared), (gguf.MODEL_ARCH.QWEN3MOE, qk_norm + experts)]:
        table = gguf.get_tensor_name_map(arch, 40)
        hf = ["model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"]
        # gguf-py's MoE architectures have no dense MLP names (llama.cpp gives every layer experts).
        layer = [n for n in hf_layer if not (n.startswith("mlp.") and experts[0] in extra)]
        hf += [f"model.layers.{i}.{s}" for i in (0, 9, 10, 39) for s in layer + extra]
        names[gguf.MODEL_ARCH_NAMES[arch]] = {n: table.get_name(n, try_suffixes=(".weight", ".bias")) for n in hf}
    with open(os.path.join(OUT, "names_expected.json"), "w") as f:
        json.dump(names, f, indent=1)


def write_fuzz_seeds():
    seeds = os.path.join(ROOT, "tests", "fuzz-seeds", "fuzz_gguf")
    os.makedirs(seeds, exist_ok=True)  # keeps the inputs fuzzing found (invalid_huge_block_count, ...)
    for name in ("types.gguf", "aligned64.gguf", "unsupported_type.gguf"):
        shutil.copy(os.path.join(OUT, name), os.path.join(seeds, "valid_" + name.replace(".gguf", "")))
    for model, arch in (("qwen2_tiny", "qwen2"), ("qwen3_tiny", "qwen3")):
        # The model's metadata and its first few (small) tensors: a seed that reaches the
        # config and tokenizer readers without 40 KB of weights.
        r = GGUFReader(os.path.join(OUT, model, "model.gguf"))
        w = GGUFWriter(os.path.join(seeds, f"valid_{arch}_model"), arch=arch)
        for key, f in r.fields.items():
            if key.startswith("GGUF.") or key == "general.architecture":
                continue
            if f.types[0] == V.ARRAY:
                w.add_key_value(key, f.contents(), V.ARRAY, sub_type=f.types[-1])
            else:
                w.add_key_value(key, f.contents(), f.types[0])
        for t in [t for t in r.tensors if t.n_bytes <= 256][:6]:
            w.add_tensor(t.name, np.asarray(t.data), raw_dtype=t.tensor_type)
        write(w)
    minimal = bytearray(b"GGUF") + (3).to_bytes(4, "little") + bytes(16)
    with open(os.path.join(seeds, "valid_empty"), "wb") as f:
        f.write(minimal)
    v2 = bytearray(minimal)
    v2[4] = 2
    with open(os.path.join(seeds, "valid_version2"), "wb") as f:
        f.write(v2)
    types = open(os.path.join(OUT, "types.gguf"), "rb").read()
    with open(os.path.join(seeds, "invalid_truncated"), "wb") as f:
        f.write(types[:len(types) // 2])
    with open(os.path.join(seeds, "invalid_magic"), "wb") as f:
        f.write(b"GGUG" + types[4:200])


def write_real():
    if not os.path.exists(REAL):  # keep the committed ones: they describe that exact file
        print(f"{REAL} not found: leaving the real-file fixtures as they are")
        return
    view = dump(REAL, cut=32)
    view["file_size"] = os.path.getsize(REAL)
    with open(os.path.join(OUT, f"{REAL_STEM}.json"), "w") as f:
        json.dump(view, f, indent=1)
    r = GGUFReader(REAL)
    by_name = {t.name: t for t in r.tensors}
    w = GGUFWriter(os.path.join(OUT, f"{REAL_STEM}_rows.gguf"), arch="test")
    for name, row in [("token_embd.weight", 0), ("token_embd.weight", 151935), ("output.weight", 0),
                      ("blk.0.ffn_down.weight", 7), ("blk.0.attn_q.weight", 5), ("blk.27.ffn_up.weight", 8959)]:
        t = by_name[name]
        values = gguf.quants.dequantize(np.asarray(t.data[row:row + 1]), t.tensor_type)
        w.add_tensor(f"{name}#{row}", values.astype(np.float32).reshape(-1))
    write(w)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    write_types()
    write_aligned64()
    write_unsupported()
    write_tiny("qwen2_tiny", Qwen2Config, Qwen2ForCausalLM, gguf.MODEL_ARCH.QWEN2, torch.bfloat16, T.BF16,
               tie_word_embeddings=True)
    write_tiny("qwen3_tiny", Qwen3Config, Qwen3ForCausalLM, gguf.MODEL_ARCH.QWEN3, torch.float32, T.F32,
               tie_word_embeddings=False, head_dim=8)
    # Mixture of experts: Qwen2-MoE with its shared expert (BF16), Qwen3-MoE (F32).
    moe = dict(num_experts=4, num_experts_per_tok=2, moe_intermediate_size=16)
    write_tiny("qwen2moe_tiny", Qwen2MoeConfig, Qwen2MoeForCausalLM, gguf.MODEL_ARCH.QWEN2MOE, torch.bfloat16,
               T.BF16, tie_word_embeddings=False, shared_expert_intermediate_size=24, **moe)
    write_tiny("qwen3moe_tiny", Qwen3MoeConfig, Qwen3MoeForCausalLM, gguf.MODEL_ARCH.QWEN3MOE, torch.float32, T.F32,
               tie_word_embeddings=False, head_dim=8, norm_topk_prob=True, **moe)
    write_expectations(["types.gguf", "types_dequantized.gguf", "aligned64.gguf", "unsupported_type.gguf",
                        "qwen2_tiny/model.gguf", "qwen3_tiny/model.gguf"])
    write_real()
    write_fuzz_seeds()
