#!/usr/bin/env python3
"""Reference outputs of transformers' logits processors, for src/sampling/.

Applies RepetitionPenaltyLogitsProcessor, TemperatureLogitsWarper, TopKLogitsWarper,
TopPLogitsWarper and MinPLogitsWarper (alone and combined, in generate()'s order) to
seeded random logits. Presence/frequency penalties have no transformers processor; they
follow the OpenAI formula exactly as vLLM computes it (two float32 subtractions),
between the repetition penalty and the temperature.

Writes tests/goldens/sampling/processors.bin, little-endian:
  magic "QSPG", u32 version (1), u32 case count, then per case:
    u32 name length, name bytes (UTF-8)
    u32 vocab
    f32 temperature (1 = off), i32 top_k (0 = off), f32 top_p (1 = off), f32 min_p (0 = off),
    f32 repetition_penalty (1 = off), f32 presence_penalty, f32 frequency_penalty
    u32 prompt length, i32 prompt ids; u32 generated length, i32 generated ids
    f32 input logits [vocab], f32 expected logits [vocab] (-inf = filtered)

Usage: /root/venvs/goldens/bin/python tools/goldens/make_sampling_goldens.py  (see requirements.txt)
"""
import os
import struct

import numpy as np
import torch
from transformers import (LogitsProcessorList, MinPLogitsWarper, RepetitionPenaltyLogitsProcessor,
                          TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "sampling", "processors.bin")
MAGIC = b"QSPG"
VERSION = 1


def f32(x):
    """The float32 value the C++ side stores, as the Python float transformers receives."""
    return float(np.float32(x))


def make_logits(rng, vocab, shape):
    """Random logits of a few shapes: `normal` (high entropy), `peaked` (a handful of
    dominant tokens, like a confident LLM), `flat` (nearly uniform), `quantized` (values on
    a 0.25 grid, so top-k meets ties)."""
    if shape == "normal":
        x = rng.normal(0.0, 2.0, vocab)
    elif shape == "peaked":
        x = rng.normal(0.0, 1.5, vocab)
        x[rng.choice(vocab, 6, replace=False)] += rng.uniform(6.0, 12.0, 6)
    elif shape == "flat":
        x = rng.normal(0.0, 0.5, vocab)
    elif shape == "quantized":
        x = np.round(rng.normal(0.0, 1.0, vocab) * 4.0) / 4.0
    else:
        raise ValueError(shape)
    return x.astype(np.float32)


def presence_frequency(scores, generated, presence, frequency):
    """vLLM's apply_penalties for presence/frequency: counts over generated tokens only."""
    vocab = scores.shape[-1]
    counts = torch.zeros((1, vocab), dtype=torch.int64)
    if generated:
        counts.scatter_add_(1, torch.tensor([generated]), torch.ones((1, len(generated)), dtype=torch.int64))
    scores = scores - torch.tensor([[frequency]], dtype=torch.float32) * counts
    scores = scores - torch.tensor([[presence]], dtype=torch.float32) * (counts > 0)
    return scores


def reference(case, logits):
    params = case["params"]
    ids = torch.tensor([case["prompt"] + case["generated"]], dtype=torch.long)
    scores = torch.from_numpy(logits.copy()).unsqueeze(0)
    if params["repetition_penalty"] != 1.0:
        scores = RepetitionPenaltyLogitsProcessor(f32(params["repetition_penalty"]))(ids, scores)
    if params["presence_penalty"] != 0.0 or params["frequency_penalty"] != 0.0:
        scores = presence_frequency(scores, case["generated"], f32(params["presence_penalty"]),
                                    f32(params["frequency_penalty"]))
    # generate()'s warper order (GenerationMixin._get_logits_processor).
    warpers = LogitsProcessorList()
    if params["temperature"] != 1.0:
        warpers.append(TemperatureLogitsWarper(f32(params["temperature"])))
    if params["top_k"] != 0:
        warpers.append(TopKLogitsWarper(top_k=params["top_k"]))
    if params["top_p"] < 1.0:
        warpers.append(TopPLogitsWarper(top_p=f32(params["top_p"])))
    if params["min_p"] != 0.0:
        warpers.append(MinPLogitsWarper(min_p=f32(params["min_p"])))
    scores = warpers(ids, scores)
    return scores.squeeze(0).numpy().astype(np.float32)


DEFAULTS = dict(temperature=1.0, top_k=0, top_p=1.0, min_p=0.0, repetition_penalty=1.0,
                presence_penalty=0.0, frequency_penalty=0.0)


def token_history(rng, vocab, n, distinct):
    """n ids drawn from `distinct` candidates, so tokens repeat (counts > 1)."""
    pool = rng.choice(vocab, distinct, replace=False)
    return [int(t) for t in rng.choice(pool, n)]


CASES = [
    # name, vocab, logits shape, prompt length, generated length, params
    ("repetition_1.3", 1001, "normal", 40, 15, dict(repetition_penalty=1.3)),
    ("repetition_0.8_reward", 1023, "normal", 25, 30, dict(repetition_penalty=0.8)),
    ("presence_frequency", 1001, "normal", 20, 40, dict(presence_penalty=0.5, frequency_penalty=0.3)),
    ("presence_frequency_negative", 997, "peaked", 10, 25,
     dict(presence_penalty=-0.4, frequency_penalty=-1.1)),
    ("temperature_0.7", 1001, "normal", 0, 0, dict(temperature=0.7)),
    ("temperature_1.6", 1002, "peaked", 0, 0, dict(temperature=1.6)),
    ("top_k_1", 1001, "normal", 0, 0, dict(top_k=1)),
    ("top_k_7", 1003, "peaked", 0, 0, dict(top_k=7)),
    ("top_k_50", 1001, "normal", 0, 0, dict(top_k=50)),
    ("top_k_ties", 1001, "quantized", 0, 0, dict(top_k=40)),
    ("top_k_over_vocab", 101, "normal", 0, 0, dict(top_k=500)),
    ("top_p_0.1", 1001, "normal", 0, 0, dict(top_p=0.1)),
    ("top_p_0.5_peaked", 1001, "peaked", 0, 0, dict(top_p=0.5)),
    ("top_p_0.9", 1005, "normal", 0, 0, dict(top_p=0.9)),
    ("top_p_0.99_flat", 1001, "flat", 0, 0, dict(top_p=0.99)),
    ("min_p_0.05", 1001, "normal", 0, 0, dict(min_p=0.05)),
    ("min_p_0.3", 1001, "normal", 0, 0, dict(min_p=0.3)),
    ("min_p_1.0", 1001, "normal", 0, 0, dict(min_p=1.0)),
    ("qwen_defaults", 1001, "normal", 60, 20,
     dict(repetition_penalty=1.05, temperature=0.7, top_k=20, top_p=0.8)),
    ("top_p_then_min_p", 1001, "normal", 0, 0, dict(top_p=0.95, min_p=0.05)),
    ("everything", 1001, "normal", 30, 30,
     dict(repetition_penalty=1.2, presence_penalty=0.5, frequency_penalty=0.3, temperature=0.6,
          top_k=50, top_p=0.9, min_p=0.1)),
    ("temperature_top_k_top_p", 1001, "flat", 0, 0, dict(temperature=1.3, top_k=200, top_p=0.97)),
    # More than 4096 finite candidates: the histogram path of apply_top_p.
    ("large_top_p_0.9", 6007, "flat", 0, 0, dict(top_p=0.9)),
    ("large_top_p_0.5", 6007, "normal", 0, 0, dict(top_p=0.5)),
    ("large_top_p_0.8_peaked", 6001, "peaked", 0, 0, dict(top_p=0.8)),
    ("large_combo", 6007, "normal", 50, 50,
     dict(repetition_penalty=1.1, frequency_penalty=0.2, temperature=0.8, top_p=0.95, min_p=0.02)),
]


def main():
    rng = np.random.default_rng(20240611)
    blob = bytearray(MAGIC + struct.pack("<II", VERSION, len(CASES)))
    for name, vocab, shape, n_prompt, n_generated, overrides in CASES:
        params = dict(DEFAULTS, **overrides)
        logits = make_logits(rng, vocab, shape)
        case = dict(params=params, prompt=token_history(rng, vocab, n_prompt, max(1, n_prompt // 2)),
                    generated=token_history(rng, vocab, n_generated, max(1, n_generated // 3)))
        expected = reference(case, logits)
        encoded = name.encode()
        blob += struct.pack("<I", len(encoded)) + encoded
        blob += struct.pack("<I", vocab)
        blob += struct.pack("<fifffff", params["temperature"], params["top_k"],
                            params["top_p"], params["min_p"], params["repetition_penalty"],
                            params["presence_penalty"], params["frequency_penalty"])
        for ids in (case["prompt"], case["generated"]):
            blob += struct.pack("<I", len(ids)) + np.asarray(ids, dtype="<i4").tobytes()
        blob += logits.astype("<f4").tobytes() + expected.astype("<f4").tobytes()
        kept = int(np.isfinite(expected).sum())
        print(f"{name:32s} vocab {vocab:5d} kept {kept:5d}")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(blob)
    print(f"wrote {OUT} ({len(blob)} bytes)")


if __name__ == "__main__":
    main()
