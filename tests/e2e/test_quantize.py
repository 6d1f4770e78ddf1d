"""`qwenrt quantize`: checkpoint or GGUF in, GGUF out, readable back by qwenrt (and by
gguf-py, llama.cpp's own reader, where installed); clear errors for bad input.
Loading in llama.cpp itself is checked by bench/llama_cpp_fidelity.py (CI has no llama.cpp)."""
import pytest

from conftest import golden_model, run_qwenrt

PROMPT = "31415926"
TYPES = ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k_s", "q4_k_m", "q5_k_m", "q6_k"]


def greedy(model, n=12):
    r = run_qwenrt("run", model, "-p", PROMPT, "-n", str(n), "-t", "2", "--temp", "0", "--ignore-eos")
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("qtype", TYPES)
def test_quantized_file_runs(tiny_model, tmp_path, qtype):
    out = tmp_path / f"m-{qtype}.gguf"
    r = run_qwenrt("quantize", tiny_model, out, "--type", qtype, "-t", "2")
    assert r.returncode == 0, r.stderr
    assert f"({qtype}): " in r.stderr and "100%" in r.stderr
    text = greedy(out)
    assert text.startswith(PROMPT) and len(text) > len(PROMPT) + 1


def test_f32_gguf_continues_exactly_as_the_checkpoint(tiny_model, tmp_path):
    out = tmp_path / "m.gguf"
    assert run_qwenrt("quantize", tiny_model, out, "--type", "f32").returncode == 0
    # Same weights, same embedded tokenizer for these ids: the same greedy text.
    assert greedy(out) == greedy(tiny_model)


def test_gguf_to_gguf_requantizes(tiny_model, tmp_path):
    f16 = tmp_path / "m-f16.gguf"
    q8 = tmp_path / "m-q8.gguf"
    assert run_qwenrt("quantize", tiny_model, f16, "--type", "f16").returncode == 0
    r = run_qwenrt("quantize", f16, q8, "--type", "q8_0")
    assert r.returncode == 0, r.stderr
    assert greedy(q8).startswith(PROMPT)


def test_metadata_and_types_as_llama_cpp_writes_them(tiny_model, tmp_path):
    import gguf  # gguf-py, llama.cpp's own reader (tests/requirements.txt)

    out = tmp_path / "m.gguf"
    assert run_qwenrt("quantize", tiny_model, out, "--type", "q4_k_m").returncode == 0
    reader = gguf.GGUFReader(str(out))
    fields = {f.name: f for f in reader.fields.values()}
    assert fields["general.architecture"].contents() == "qwen3"
    assert fields["general.file_type"].contents() == 15  # LLAMA_FTYPE_MOSTLY_Q4_K_M
    assert fields["tokenizer.ggml.model"].contents() == "gpt2"
    assert len(fields["tokenizer.ggml.tokens"].contents()) == 320
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert types["output_norm.weight"] == "F32" and types["blk.0.attn_q_norm.weight"] == "F32"
    # 64-wide rows are not whole 256-blocks: Q4_K falls back to Q5_0, Q6_K to Q8_0.
    assert types["blk.0.attn_q.weight"] == "Q5_0"
    # Of 2 layers only the last "uses more bits" (llama.cpp's use_more_bits): Q6_K -> Q8_0.
    assert types["blk.0.attn_v.weight"] == "Q5_0" and types["blk.1.attn_v.weight"] == "Q8_0"
    assert types["blk.1.ffn_down.weight"] == "Q8_0"  # Q6_K, but 96-wide rows fall back too



@pytest.fixture
def tiny_moe(tmp_path):
    """The Qwen2-MoE golden (8 experts, top 2, a shared expert)."""
    return golden_model("qwen2_moe_top2_shared_f32", tmp_path / "moe")


def test_moe_experts_are_stacked_as_llama_cpp_stores_them(tiny_moe, tmp_path):
    import gguf

    f32, q4 = tmp_path / "moe-f32.gguf", tmp_path / "moe-q4_k_m.gguf"
    assert run_qwenrt("quantize", tiny_moe, f32, "--type", "f32").returncode == 0
    assert greedy(f32) == greedy(tiny_moe)  # same weights, experts split back out at load
    assert run_qwenrt("quantize", f32, q4, "--type", "q4_k_m").returncode == 0  # GGUF in, too
    assert greedy(q4).startswith(PROMPT)
    reader = gguf.GGUFReader(str(q4))
    fields = {f.name: f.contents() for f in reader.fields.values() if not f.name.startswith("tokenizer.")}
    assert fields["general.architecture"] == "qwen2moe"
    assert (fields["qwen2moe.expert_count"], fields["qwen2moe.expert_used_count"]) == (8, 2)
    assert fields["qwen2moe.expert_feed_forward_length"] == 32
    assert fields["qwen2moe.expert_shared_feed_forward_length"] == 48
    tensors = {t.name: t for t in reader.tensors}
    assert list(tensors["blk.0.ffn_down_exps.weight"].shape) == [32, 64, 8]  # ne: in, out, expert
    assert list(tensors["blk.1.ffn_gate_exps.weight"].shape) == [64, 32, 8]
    # llama-quantize keeps routers as they are, and bumps attn_k / attn_v of 8-expert models.
    assert tensors["blk.0.ffn_gate_inp.weight"].tensor_type.name == "F32"
    assert tensors["blk.0.attn_v.weight"].tensor_type.name == "Q8_0"
    assert not [n for n in tensors if ".experts." in n or n.startswith("model.")]


def test_yarn_rope_scaling_survives_the_gguf_round_trip(tmp_path):
    model = golden_model("qwen2_yarn_f32", tmp_path / "yarn")
    out = tmp_path / "yarn.gguf"
    assert run_qwenrt("quantize", model, out, "--type", "f32").returncode == 0
    assert greedy(out) == greedy(model)  # written as rope.scaling.*, read back the same


def test_errors_are_clear(tiny_model, tmp_path):
    r = run_qwenrt("quantize", tiny_model, tmp_path / "x.gguf", "--type", "q3_k")
    assert r.returncode == 1 and "q3_k" in r.stderr and "q4_k_m" in r.stderr
    r = run_qwenrt("quantize", tmp_path / "missing", tmp_path / "x.gguf")
    assert r.returncode == 1 and "does not exist" in r.stderr
    (tiny_model / "tokenizer.json").unlink()
    r = run_qwenrt("quantize", tiny_model, tmp_path / "x.gguf")
    assert r.returncode == 1 and "tokenizer.json" in r.stderr
    assert not (tmp_path / "x.gguf").exists()
