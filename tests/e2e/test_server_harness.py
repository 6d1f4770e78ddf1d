"""Harness (no tests) shared by the `qwenrt serve` e2e tests: a random-weight Qwen3 checkpoint small enough
to run instantly but with the real 151,936-row vocabulary (so chat templates, special
tokens, tool-call tags and grammars all work), and a running server on a free port."""
import json
import os
import pathlib
import shutil
import socket
import struct
import subprocess
import time
import urllib.request

import numpy as np

from conftest import QWENRT, SHARED

API_KEY = "test-key-123"
MODEL_ID = "tiny-qwen3"


def write_random_qwen3(out: pathlib.Path, seed=0):
    """Two layers, hidden 64, the real vocabulary; greedy by default."""
    out.mkdir(parents=True, exist_ok=True)
    cfg = dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", hidden_size=64, intermediate_size=128,
               num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
               vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=1024, rms_norm_eps=1e-6,
               rope_theta=1000000.0, hidden_act="silu", bos_token_id=151643, eos_token_id=151645,
               use_sliding_window=False, torch_dtype="float32")
    (out / "config.json").write_text(json.dumps(cfg))
    (out / "generation_config.json").write_text(json.dumps({"eos_token_id": [151645, 151643], "do_sample": False}))
    h, inter, hd = 64, 128, 16
    shapes = [("model.embed_tokens.weight", (151936, h)), ("model.norm.weight", (h,))]
    for i in range(2):
        p = f"model.layers.{i}."
        shapes += [(p + "input_layernorm.weight", (h,)), (p + "post_attention_layernorm.weight", (h,)),
                   (p + "self_attn.q_proj.weight", (4 * hd, h)), (p + "self_attn.k_proj.weight", (2 * hd, h)),
                   (p + "self_attn.v_proj.weight", (2 * hd, h)), (p + "self_attn.o_proj.weight", (h, 4 * hd)),
                   (p + "self_attn.q_norm.weight", (hd,)), (p + "self_attn.k_norm.weight", (hd,)),
                   (p + "mlp.gate_proj.weight", (inter, h)), (p + "mlp.up_proj.weight", (inter, h)),
                   (p + "mlp.down_proj.weight", (h, inter))]
    rng = np.random.default_rng(seed)
    header, blobs, offset = {}, [], 0
    for name, shape in shapes:
        values = np.ones(shape, np.float32) if name.endswith("norm.weight") else \
            rng.normal(0, 0.5, shape).astype(np.float32)
        raw = values.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(out / "model.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for b in blobs:
            f.write(b)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(SHARED / "data" / "qwen3-tokenizer" / name, out / name)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, model_dir, *extra):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(pathlib.Path(model_dir).parent / f"server-{self.port}.log", "w+")
        self.proc = subprocess.Popen(
            [str(QWENRT), "serve", str(model_dir), "--port", str(self.port), "--api-key", API_KEY,
             "--served-model-name", MODEL_ID, "-t", "2", *map(str, extra)],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            assert self.proc.poll() is None, self.output()
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline, "server did not become healthy:\n" + self.output()
            time.sleep(0.1)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def rss_kb(self):
        for line in pathlib.Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def metrics(self):
        with urllib.request.urlopen(self.base + "/metrics", timeout=5) as r:
            text = r.read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def post_raw(base, path, body: bytes, headers=None, timeout=30):
    """(status, headers, parsed JSON or text) of a POST, errors included."""
    req = urllib.request.Request(base + path, data=body, method="POST",
                                 headers={"Authorization": f"Bearer {API_KEY}",
                                          "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, data = r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, data = e.code, dict(e.headers), e.read()
    try:
        return status, hdrs, json.loads(data)
    except ValueError:
        return status, hdrs, data.decode(errors="replace")
