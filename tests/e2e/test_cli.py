"""The qwenrt binary as a user runs it: completions, benchmarks, and clear errors with a
non-zero exit (never a crash) for corrupt or hostile checkpoints."""
import json
import re
import struct

from conftest import run_qwenrt

# Digits are split one per token by Qwen's pre-tokenizer, so the tiny model can read them.
PROMPT = "31415926"


def test_run_streams_completion_and_reports_speed(tiny_model):
    r = run_qwenrt("run", tiny_model, "-p", PROMPT, "-n", "8", "-t", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(PROMPT) and len(r.stdout) > len(PROMPT)
    assert "prompt: 8 tokens" in r.stderr and "generation: 8 tokens" in r.stderr


def test_run_is_deterministic_with_seed(tiny_model):
    args = ("run", tiny_model, "-p", PROMPT, "-n", "12", "--temp", "1.2", "--seed", "5")
    assert run_qwenrt(*args).stdout == run_qwenrt(*args).stdout


def test_bench_prints_llama_bench_rows_and_roofline(tiny_model):
    r = run_qwenrt("bench", tiny_model, "-p", "16", "-n", "8", "-r", "1")
    assert r.returncode == 0, r.stderr
    assert re.search(r"\|\s*pp16\s*\|", r.stdout) and re.search(r"\|\s*tg8\s*\|", r.stdout)
    assert "roofline" in r.stdout and "GB/s" in r.stdout


def test_bench_reports_the_decode_prefetch_setting(tiny_model):
    r = run_qwenrt("bench", tiny_model, "-p", "4", "-n", "4", "-r", "1")
    assert r.returncode == 0, r.stderr
    assert re.search(r"decode prefetch: (on|off) \(auto: 24 steps, [\d.]+ ms per step with it, [\d.]+ without\)",
                     r.stdout), r.stdout
    r = run_qwenrt("bench", tiny_model, "-p", "4", "-n", "4", "-r", "1", env={"QWENRT_DECODE_PREFETCH": "off"})
    assert "decode prefetch: off (QWENRT_DECODE_PREFETCH)" in r.stdout, r.stdout
    r = run_qwenrt("run", tiny_model, "-p", "12", "-n", "2", env={"QWENRT_DECODE_PREFETCH": "sometimes"})
    assert_clear_error(r, 'QWENRT_DECODE_PREFETCH must be on, off or auto, not "sometimes"')


def assert_clear_error(result, *needles):
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


def rewrite_safetensors(path, edit_header=None, data=None):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    if edit_header:
        edit_header(header)
    body = body if data is None else data(body)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + body)


def test_truncated_weights(tiny_model):
    f = tiny_model / "model.safetensors"
    f.write_bytes(f.read_bytes()[:-1000])
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.safetensors")


def test_header_length_past_end_of_file(tiny_model):
    f = tiny_model / "model.safetensors"
    raw = f.read_bytes()
    f.write_bytes(struct.pack("<Q", len(raw) * 4) + raw[8:])
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.safetensors")


def test_offsets_past_end(tiny_model):
    def edit(header):
        entry = header["model.norm.weight"]
        entry["data_offsets"] = [entry["data_offsets"][0] + 10**9, entry["data_offsets"][1] + 10**9]
    rewrite_safetensors(tiny_model / "model.safetensors", edit)
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.norm.weight")


def test_overlapping_tensors(tiny_model):
    def edit(header):
        header["model.norm.weight"]["data_offsets"] = header["model.layers.0.input_layernorm.weight"]["data_offsets"]
    rewrite_safetensors(tiny_model / "model.safetensors", edit)
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.safetensors")


def test_shape_disagrees_with_config(tiny_model):
    config = json.loads((tiny_model / "config.json").read_text())
    config["hidden_size"] = 32
    (tiny_model / "config.json").write_text(json.dumps(config))
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.embed_tokens.weight", "config.json")


def test_missing_files(tiny_model):
    (tiny_model / "model.safetensors").unlink()
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "model.safetensors")
    assert_clear_error(run_qwenrt("run", tiny_model / "nothing", "-p", PROMPT), "config.json")


def test_malformed_tokenizer_json(tiny_model):
    (tiny_model / "tokenizer.json").write_text('{"model": {"type": "BPE", "vocab": [1, 2')
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "tokenizer.json")


def test_unsupported_architecture(tiny_model):
    config = json.loads((tiny_model / "config.json").read_text())
    config["architectures"] = ["MistralForCausalLM"]
    (tiny_model / "config.json").write_text(json.dumps(config))
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT), "MistralForCausalLM")


def test_prompt_longer_than_context(tiny_model):
    assert_clear_error(run_qwenrt("run", tiny_model, "-p", PROMPT * 4, "-c", "16"), "context")
