"""AWQ and GPTQ checkpoints (tests/goldens/awq_gptq/, from
tools/goldens/make_awq_gptq_goldens.py) run from the command line like any checkpoint."""
import shutil

import pytest

from conftest import ROOT, SHARED, run_qwenrt

PROMPT = "31415926"


@pytest.mark.parametrize("fixture", ["awq_qwen2_g32", "gptq_qwen3_asym4_actorder_g32",
                                     "gptq_qwen2_int8_actorder_g64"])
def test_run_quantized_checkpoint(tmp_path, fixture):
    model = tmp_path / "model"
    shutil.copytree(ROOT / "tests" / "goldens" / "awq_gptq" / fixture, model)
    (model / "reference.safetensors").unlink()
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(SHARED / "data" / "qwen3-tokenizer" / name, model / name)
    r = run_qwenrt("run", model, "-p", PROMPT, "-n", "8", "-t", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(PROMPT) and len(r.stdout) > len(PROMPT)
    assert "generation: 8 tokens" in r.stderr
