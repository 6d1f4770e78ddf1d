#!/usr/bin/env python3
"""Activation-quantization goldens for tests/unit/kernels_quant_matmul_test.cc: llama.cpp's
own quantizers (the libggml-cpu of llama-cpp-python, bench/requirements-llama.txt, through
ggml_get_type_traits_cpu(...)->from_float) on crafted rows, so qwenrt's quantize_act32 /
quantize_act256 can be checked bit for bit against what llama.cpp feeds its integer dots:
  q8_0 (x86 quantize_row_q8_0): d = F16(max|x| / 127), qs = round-half-even(x * 127 / max|x|)
  q8_K (quantize_row_q8_K_ref): iscale = -127 / (the signed x of largest magnitude),
       qs = nearest_int(iscale * x) clamped to 127, d = 1 / iscale (negative when that x > 0)

Writes tests/goldens/quant/act_quant_llama.bin, little-endian:
  int32 rows, int32 n (a multiple of 256)
  float32 x[rows][n]
  q8_0 blocks [rows][n / 32]   (34 bytes: f16 d, int8 qs[32])
  q8_K blocks [rows][n / 256]  (292 bytes: float d, int8 qs[256], int16 bsums[16]; an
                                all-zero block has bsums 0 here: llama.cpp leaves them unset)

Usage: /root/venvs/llama/bin/python tools/goldens/make_act_quant_goldens.py
"""
import ctypes
import os
import struct

import numpy as np
import llama_cpp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "tests", "goldens", "quant", "act_quant_llama.bin")
N = 512
GGML_TYPE_Q8_0, GGML_TYPE_Q8_K = 8, 15


class TypeTraitsCpu(ctypes.Structure):
    _fields_ = [("from_float", ctypes.c_void_p), ("vec_dot", ctypes.c_void_p),
                ("vec_dot_type", ctypes.c_int), ("nrows", ctypes.c_int64)]


FromFloat = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)


def quantizer(cpu, ggml_type):
    cpu.ggml_get_type_traits_cpu.restype = ctypes.POINTER(TypeTraitsCpu)
    return FromFloat(cpu.ggml_get_type_traits_cpu(ggml_type).contents.from_float)


def rows():
    """float32 [rows, N]: the cases a q8 quantizer must get right."""
    rng = np.random.default_rng(20261123)
    out = []
    out.append(rng.standard_normal(N))                              # plain
    x = rng.standard_normal(N); x[7] = 4000.0; x[300] = -900.0       # massive activations
    out.append(x)
    x = rng.standard_normal(N); x[3] = 9.0; x[260] = -9.0            # extreme > 0 / < 0
    out.append(x)
    x = rng.standard_normal(N); x[0], x[1] = 5.0, -5.0                # both signs at max|x|
    x[256], x[257] = -5.0, 5.0
    out.append(x)
    # Exact .5 ties: max|x| = 127 makes the multiplier exactly 1 (and iscale exactly -1).
    x = (rng.integers(-126, 126, N) + 0.5).astype(np.float64); x[::32] = 127.0
    x[1::64] = -127.0
    out.append(x)
    x = rng.standard_normal(N); x[32:64] = 0.0; x[256:512] = 0.0     # all-zero blocks
    out.append(x)
    x = rng.standard_normal(N) * 1e-6                                # F16 d underflows
    x[64:96] *= 1e-3
    out.append(x)
    out.append(rng.standard_normal(N) * np.exp(rng.uniform(-12, 12, N)))  # wide range
    x = rng.standard_normal(N); x[::32] = 127.0 * np.float32(2.0 ** -14) * 1.0004  # d near F16 steps
    out.append(x)
    out.append(rng.uniform(-1, 1, N) * 3e4)                          # large
    return np.ascontiguousarray(np.stack(out).astype(np.float32))


def main():
    lib = os.path.join(os.path.dirname(llama_cpp.__file__), "lib")
    ctypes.CDLL(os.path.join(lib, "libggml-base.so"), mode=ctypes.RTLD_GLOBAL)
    cpu = ctypes.CDLL(os.path.join(lib, "libggml-cpu.so"), mode=ctypes.RTLD_GLOBAL)
    cpu.ggml_cpu_init()
    q8_0, q8_k = quantizer(cpu, GGML_TYPE_Q8_0), quantizer(cpu, GGML_TYPE_Q8_K)
    x = rows()
    blocks0, blocks_k = [], []
    for r in x:
        r = np.ascontiguousarray(r)
        b0 = np.zeros(N // 32 * 34, dtype=np.uint8)
        bk = np.zeros(N // 256 * 292, dtype=np.uint8)
        q8_0(r.ctypes.data, b0.ctypes.data, N)
        q8_k(r.ctypes.data, bk.ctypes.data, N)
        blocks0.append(b0.tobytes())
        blocks_k.append(bk.tobytes())
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "wb") as f:
        f.write(struct.pack("<ii", len(x), N))
        f.write(x.tobytes())
        f.write(b"".join(blocks0))
        f.write(b"".join(blocks_k))
    print(f"wrote {OUT}: {len(x)} rows of {N} (llama-cpp-python {llama_cpp.__version__})")


if __name__ == "__main__":
    main()
