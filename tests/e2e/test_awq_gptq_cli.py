"""AWQ and GPTQ checkpoints (tests/goldens/awq_gptq/, from
tools/goldens/make_awq_gptq_goldens.py) run from the command line like any checkpoint."""
import shutil

import pytest

from conftest import ROOT, SHARED, run_qwenrt

PROMPT = "31415926"


def checkpoint(tmp_path, fixture):
    model = tmp_path / "model"
    shutil.copytree(ROOT / "tests" / "goldens" / "awq_gptq" / fixture, model)
    (model / "reference.safetensors").unlink()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(SHARED / "data" / "qwen3-tokenizer" / name, model / name)
    return model


@pytest.mark.parametrize("fixture", ["awq_qwen2_g32", "gptq_qwen3_asym4_actorder_g32",
                                     "gptq_qwen2_int8_actorder_g64"])
def test_run_quantized_checkpoint(tmp_path, fixture):
    model = checkpoint(tmp_path, fixture)
    r = run_qwenrt("run", model, "-p", PROMPT, "-n", "8", "-t", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(PROMPT) and len(r.stdout) > len(PROMPT)
    assert "generation: 8 tokens" in r.stderr


def test_quantize_from_act_order_gptq(tmp_path):
    model = checkpoint(tmp_path, "gptq_qwen3_asym4_actorder_g32")
    out = tmp_path / "model-q4_k_m.gguf"
    r = run_qwenrt("quantize", model, out, "--type", "q4_k_m", "-t", "2")
    assert r.returncode == 0, r.stderr
    r = run_qwenrt("run", out, "-p", PROMPT, "-n", "8", "-t", "2")
    assert r.returncode == 0, r.stderr
    assert "generation: 8 tokens" in r.stderr
