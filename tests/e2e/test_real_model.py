"""The real Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF (scripts/fetch-real-model.sh, run by
scripts/setup.sh): a coding request gets a sensible, deterministic answer."""
import os
import pathlib

import pytest

from conftest import run_qwenrt

REAL_GGUF = pathlib.Path(os.environ.get(
    "QWENRT_REAL_GGUF", pathlib.Path.home() / ".cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"))

PROMPT = ("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
          "<|im_start|>user\nWrite a Python function add(a, b) that returns the sum.<|im_end|>\n"
          "<|im_start|>assistant\n")


@pytest.fixture(scope="module")
def real_gguf():
    if not REAL_GGUF.exists():
        pytest.fail(f"{REAL_GGUF} is missing: scripts/setup.sh fetches it")
    return REAL_GGUF


def test_coding_request_gets_python_code(real_gguf):
    r = run_qwenrt("run", real_gguf, "-p", PROMPT, "-n", "40", "--temp", "0", timeout=600)
    assert r.returncode == 0, r.stderr
    answer = r.stdout[len(PROMPT):]
    assert "def add(a, b):" in answer, answer
    assert "return a + b" in answer, answer
