import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
QWENRT = pathlib.Path(os.environ.get("QWENRT_BIN", ROOT / "build" / "qwenrt"))


def run_qwenrt(*args, timeout=120, env=None):
    """Runs the qwenrt binary; `env` adds variables to this process's environment."""
    return subprocess.run([str(QWENRT), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env} if env else None)


def golden_model(name, dest):
    """Golden fixture checkpoint `name` copied to `dest` with the real tokenizer (its 320 ids
    are the real vocabulary's first 320: single byte-level characters, e.g. every digit)."""
    shutil.copytree(ROOT / "tests" / "goldens" / "models" / name, dest)
    (dest / "reference.safetensors").unlink()
    for file in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(SHARED / "data" / "qwen3-tokenizer" / file, dest / file)
    return dest


@pytest.fixture
def tiny_model(tmp_path):
    return golden_model("qwen3_gqa2_hd32_f32", tmp_path / "model")
