// Scalar reference twins of the ops in ops.h: the plainest loops that compute what
// transformers computes in F32, single-threaded, no SIMD. Tests compare every fast
// kernel against these; they are slow on purpose and never used on the hot path.
#pragma once
#include <cstdint>

#include "kernels/cpu/kernel_tables.h"
#include "tensor/tensor.h"

namespace qwenrt::cpu::reference {

// One weight element as F32 (F32, BF16, F16 rows).
float weight_at(const WeightView& w, int64_t row, int64_t col);

void matmul(const float* x, int64_t m, const WeightView& w, const float* bias, float* y);
void rms_norm(const float* x, const float* weight, int64_t rows, int64_t n, float eps, float* y);
void rope_neox(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
               const int32_t* positions, const float* inv_freq);
void silu_mul(const float* gate, const float* up, int64_t n, float* out);
void attention(const float* q, int64_t n_tokens, int64_t n_past, const float* k, const float* v,
               int64_t kv_capacity, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
               float scale, float* out);
void dequantize_row(DType dtype, const void* src, int64_t n, float* dst);

// Activation quantization for the integer-dot matmul (kernel_tables.h's ActBlock32 /
// ActBlock256), llama.cpp's on x86 (tests/goldens/quant/act_quant_llama.bin): qs =
// round-half-even(x * (127 / max|x|)) bit for bit; ActBlock256 (q8_K): d = 1 / (127 /
// max|x|), bit for bit too; ActBlock32 (q8_0): d = max|x| / 127 in F32, where llama.cpp
// stores it rounded to F16 (a 2^-11 relative scale error qwenrt does not add). All-zero
// blocks get d = 0, qs = 0. n is a multiple of the block size.
void quantize_act32(const float* x, int64_t n, ActBlock32* dst);
void quantize_act256(const float* x, int64_t n, ActBlock256* dst);

// True for the weight types whose activations are ActBlock256 (the K-quants).
bool uses_act256(DType dtype);

// Dot product of one quantized weight row (`blocks` blocks of `dtype`) with one quantized
// activation row (ActBlock32 or ActBlock256 per uses_act256): per weight block the exact
// integer dot of quants times their (sub-)block scales, then scaled by the float scales
// and summed over blocks in order in F32. *abs_sum (if not null) receives the same sum
// over |terms| and |quant products|, the scale a float rounding bound is relative to.
float quant_dot(DType dtype, const void* w, const void* act, int64_t blocks,
                double* abs_sum = nullptr);

}  // namespace qwenrt::cpu::reference
