#!/usr/bin/env python3
"""qwenrt's GGUF files against llama.cpp (llama-cpp-python, bench/requirements-llama.txt;
scripts/setup-llama-bench.sh), on the tiny random checkpoints of tests/goldens/models.

For each checkpoint (qwen2 tied/untied, qwen3) and each --type:
  1. `qwenrt quantize` writes the GGUF; llama.cpp must load it.
  2. llama.cpp's logits on the checkpoint's reference input (reference.safetensors, 48
     tokens) against transformers' logits for the unquantized model: the error a file of
     this type has in llama.cpp. Tolerance per type (max |diff| / max |ref|): TOLERANCE.
  3. qwenrt's logits against llama.cpp's on the same file and the same ids (the reference
     input, teacher-forced through build target teacher_forced_logits, --tf), max |diff| /
     max |reference logit|, within ENGINE_TOLERANCE: much tighter than TOLERANCE, because
     on one file only the arithmetic differs, not the weights (see ENGINE_TOLERANCE). qwenrt
     is also checked against the reference within TOLERANCE (column qwenrt/ref).
  4. Greedy continuations (16 tokens) of qwenrt and llama.cpp on the same file. qwenrt
     computes with the weights dequantized to F32 (or its integer kernels where they
     exist); llama.cpp quantizes activations to Q8 for quantized matmuls, so where two
     logits are nearly tied the argmax can differ. Where the texts differ, llama.cpp's
     greedy ids go through qwenrt teacher-forced (bench/teacher_forced/divergence.py): at
     the first position whose argmaxes differ, both engines' margins are compared with
     eps = ENGINE_TOLERANCE[type] * max |reference logit|, the gap accepted between the
     engines in step 3. Both below eps: a near-tie divergence; else CLEAR, a failure. Shown too, for
     a tighter scale: llama.cpp's own noise on its greedy ids (prompt batched vs fed token
     by token) and the measured qwenrt-vs-llama.cpp gap of step 3, both max |dlogit|.
Then llama.cpp quantizes an F16 GGUF written by qwenrt (llama_model_quantize, Q4_K_M) and
qwenrt must run it, with the same greedy text as on qwenrt's own Q4_K_M of the same file.

Usage: /root/venvs/llama/bin/python bench/llama_cpp_fidelity.py [--qwenrt build/qwenrt]
           [--tf build/bench/teacher_forced_logits]
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import llama_cpp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "teacher_forced"))
import divergence  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = ["qwen2_tied_gqa2_f32", "qwen2_untied_mha_f32", "qwen3_gqa2_hd32_f32", "qwen3_untied_mha_f32"]
TYPES = ["f32", "f16", "bf16", "q8_0", "q6_k", "q5_k_m", "q5_0", "q5_1", "q4_k_m", "q4_k_s", "q4_1", "q4_0"]
# Max |logit diff| / max |reference logit| allowed for a file of each type. These tiny
# models have 64-wide rows, so K-types fall back to Q5_0/Q5_1/Q8_0 blocks of 32 (as
# llama.cpp's own quantizer does). Bounds: ~2x the error measured when written.
# f32: float32 throughout, only summation order differs.
# Quantized types: these random models (init range 0.25, 64-wide rows, no structure)
# amplify weight error far more than trained ones; the bounds are ~1.5x the worst error
# measured over the four models when this script was written (a regression bound, not a
# derived one). Agreement of the two engines is the greedy-text check.
TOLERANCE = {"f32": 1e-4, "f16": 1e-2, "bf16": 4e-2, "q8_0": 0.15, "q6_k": 0.15, "q5_k_m": 1.0, "q5_0": 0.9,
             "q5_1": 1.0, "q4_k_m": 0.9, "q4_k_s": 0.9, "q4_1": 1.6, "q4_0": 1.3}
# qwenrt against llama.cpp on the same file (max |diff| / max |ref|). Float types: llama.cpp
# rounds activations to f16 / bf16 for those matmuls, qwenrt keeps F32 (bounds ~3x and ~2x
# the largest gap measured, 3.0e-3 and 2.4e-2). Quantized types: both engines use the same
# blocks and quantize activations with llama.cpp's quantizers bit for bit, so the gap is
# int8 rounding flips alone and does not grow with the type's weight error: 0.1 for every
# quantized type, ~2x the largest measured (5.7e-2, qwen2_untied q4_1).
# f32: summation order only, as TOLERANCE.
FLOAT_ENGINE_TOLERANCE = {"f32": 1e-4, "f16": 1e-2, "bf16": 5e-2}
ENGINE_TOLERANCE = FLOAT_ENGINE_TOLERANCE | {t: 0.1 for t in TOLERANCE if t not in FLOAT_ENGINE_TOLERANCE}
PROMPT = "31415926"


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "I32": np.int32, "I64": np.int64}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return out


def qwenrt(binary, *args):
    r = subprocess.run([binary, *map(str, args)], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise RuntimeError(f"qwenrt {' '.join(map(str, args))}: {r.stderr.strip()}")
    return r.stdout


def qwenrt_greedy(binary, model, n):
    text = qwenrt(binary, "run", model, "-p", PROMPT, "-n", n, "--temp", "0", "-t", "2", "--ignore-eos")
    return text[:-1] if text.endswith("\n") else text  # `run` ends the output with a newline


def llama_logits(path, ids, **kw):
    # F32 KV cache (llama.cpp defaults to F16), so only the weights and activation
    # quantization differ from qwenrt, which keeps K/V in F32.
    llm = llama_cpp.Llama(model_path=str(path), n_ctx=128, n_threads=2, logits_all=True, verbose=False,
                          type_k=llama_cpp.GGML_TYPE_F32, type_v=llama_cpp.GGML_TYPE_F32, **kw)
    llm.eval([int(i) for i in ids])
    return np.array(llm.scores[: len(ids)], dtype=np.float32), llm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qwenrt", default=os.path.join(ROOT, "build", "qwenrt"))
    ap.add_argument("--tf", help="teacher_forced_logits binary (default: bench/ next to --qwenrt)")
    ap.add_argument("--tokens", type=int, default=16)
    args = ap.parse_args()
    args.tf = args.tf or os.path.join(os.path.dirname(os.path.abspath(args.qwenrt)), "bench", "teacher_forced_logits")
    tok_dir = os.path.join(ROOT, "..", "shared", "data", "qwen3-tokenizer")
    work = tempfile.mkdtemp(prefix="qwenrt-fidelity-")
    failures, kinds = [], []
    print(f"llama-cpp-python {llama_cpp.__version__}; qwenrt {args.qwenrt}")
    print("logits columns: max|a - b| / max|reference logit| on the reference input, qwenrt teacher-forced")
    print(f"{'model':24} {'type':7} {'llama/ref':>9} {'qwenrt/ref':>10} {'qwenrt/llama':>12} {'tol':>6}"
          f" {'eng.tol':>7}  greedy")
    for model in MODELS:
        src = os.path.join(ROOT, "tests", "goldens", "models", model)
        ref = read_safetensors(os.path.join(src, "reference.safetensors"))
        ref_ids, ref_logits = [int(i) for i in ref["input_ids"]], ref["logits"].reshape(len(ref["input_ids"]), -1)
        mdir = os.path.join(work, model)
        shutil.copytree(src, mdir, ignore=shutil.ignore_patterns("reference.safetensors"))
        for name in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copyfile(os.path.join(tok_dir, name), os.path.join(mdir, name))
        for qtype in TYPES:
            out = os.path.join(work, f"{model}-{qtype}.gguf")
            qwenrt(args.qwenrt, "quantize", mdir, out, "--type", qtype, "-t", "2")
            logits, llm = llama_logits(out, ref_ids)
            scale = float(np.abs(ref_logits).max())
            err = float(np.abs(logits - ref_logits).max() / scale)
            ours = qwenrt_greedy(args.qwenrt, out, args.tokens)
            prompt_ids = llm.tokenize(PROMPT.encode(), add_bos=False, special=False)
            cont, rows = divergence.llama_greedy(llm, prompt_ids, args.tokens)
            theirs = PROMPT + llm.detokenize(cont).decode("utf-8", errors="replace")
            # Teacher-forced qwenrt: every row of the reference input (a dummy id appended so
            # the last one is produced), and llama.cpp's greedy ids.
            q_ref, q_cont = divergence.qwenrt_rows(args.tf, out, [(1, ref_ids + [0]),
                                                                  (len(prompt_ids), prompt_ids + cont)])
            err_q = float(np.abs(q_ref - logits).max() / scale)
            err_qr = float(np.abs(q_ref - ref_logits).max() / scale)
            # llama.cpp's own noise on its greedy ids: everything fed token by token.
            rows_1 = llama_logits(out, prompt_ids + cont[:-1], n_batch=1, n_ubatch=1)[0][len(prompt_ids) - 1:]
            self_noise = float(np.abs(rows - rows_1).max())
            same = ours == theirs
            kind, line = divergence.classify(same, rows, q_cont, ENGINE_TOLERANCE[qtype] * scale)
            kinds.append(kind)
            print(f"{model:24} {qtype:7} {err:9.2e} {err_qr:10.2e} {err_q:12.2e} {TOLERANCE[qtype]:6.3g} {ENGINE_TOLERANCE[qtype]:7.3g}  "
                  f"{'same' if same else 'DIFFERENT'}")
            if not same:
                print(f"    qwenrt:    {ours!r}\n    llama.cpp: {theirs!r}")
            print(f"    {line}; measured max|dlogit| llama.cpp self-noise {self_noise:.3f}, "
                  f"qwenrt vs llama.cpp {err_q * scale:.3f}")
            if err > TOLERANCE[qtype]:
                failures.append(f"{model} {qtype}: logits error {err:.2e} > {TOLERANCE[qtype]:.3g}")
            if err_qr > TOLERANCE[qtype]:
                failures.append(f"{model} {qtype}: qwenrt logits error {err_qr:.2e} > {TOLERANCE[qtype]:.3g}")
            if err_q > ENGINE_TOLERANCE[qtype]:
                failures.append(f"{model} {qtype}: qwenrt vs llama.cpp logits {err_q:.2e} > "
                                f"{ENGINE_TOLERANCE[qtype]:.3g}")
            if kind == "clear":
                failures.append(f"{model} {qtype}: greedy text differs, clear divergence")
        # llama.cpp's own quantization of a qwenrt F16 file, run by qwenrt.
        f16 = os.path.join(work, f"{model}-f16.gguf")
        theirs = os.path.join(work, f"{model}-llama-q4_k_m.gguf")
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
        rc = llama_cpp.llama_model_quantize(f16.encode(), theirs.encode(), params)
        ours = os.path.join(work, f"{model}-ours-q4_k_m.gguf")
        qwenrt(args.qwenrt, "quantize", f16, ours, "--type", "q4_k_m", "-t", "2")
        a, b = qwenrt_greedy(args.qwenrt, theirs, args.tokens), qwenrt_greedy(args.qwenrt, ours, args.tokens)
        print(f"{model:24} llama.cpp Q4_K_M file in qwenrt: rc={rc}, greedy {'same' if a == b else 'DIFFERENT'}"
              f" as qwenrt's own Q4_K_M")
        if rc != 0 or a != b:
            failures.append(f"{model}: llama.cpp-quantized file: rc {rc}, same text {a == b}")
    shutil.rmtree(work)
    print(f"\nqwenrt vs llama.cpp greedy: {divergence.summary(kinds)}")
    print("\n" + ("all checks passed" if not failures else "FAILURES:\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
