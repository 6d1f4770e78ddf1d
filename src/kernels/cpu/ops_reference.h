// Scalar reference twins of the ops in ops.h: the plainest loops that compute what
// transformers computes in F32, single-threaded, no SIMD. Tests compare every fast
// kernel against these; they are slow on purpose and never used on the hot path.
#pragma once
#include <cstdint>

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

}  // namespace qwenrt::cpu::reference
