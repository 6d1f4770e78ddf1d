// The CPU operations a transformer forward pass needs. Activations are F32; weights
// may be F32, BF16, F16 or a llama.cpp block type (Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K).
// Each op has a scalar reference twin in ops_reference.h that tests compare against. Fast paths are chosen once at run
// time from the CPU's features (AVX-512, AVX2, scalar).
#pragma once
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "tensor/tensor.h"

namespace qwenrt::cpu {

// y[i][n] = sum_k x[i][k] * w[n][k] (+ bias[n] when bias != nullptr), for i < m, n < w.rows,
// k < w.cols. x is [m, w.cols] row-major F32, y is [m, w.rows]. Accumulates in F32.
// Decode (m small) streams each weight row once; prompt processing (m large) uses a
// cache-blocked GEMM. Quantized weights: each x row is first quantized to int8 blocks
// and the products are integer dot products (as llama.cpp; kernels/cpu/quant_matmul.h),
// so y differs from the F32 product by the activation rounding; a row's y is the same
// bit for bit whatever m.
void matmul(ThreadPool& pool, const float* x, int64_t m, const WeightView& w, const float* bias,
            float* y);

// One matmul of a group: y = x · w^T (+ bias).
struct MatmulTarget {
  const WeightView* w;
  const float* bias;  // nullptr for none
  float* y;
};

// matmul() for several weights sharing the input x and the input width; at decode it runs
// them in a single parallel region.
void matmul_group(ThreadPool& pool, const float* x, int64_t m, std::span<const MatmulTarget> targets);

// Row-wise RMSNorm as transformers computes it in F32:
// y = x * rsqrt(mean(x^2) + eps) * weight. x, y: [rows, n]; weight: [n]. y may alias x.
void rms_norm(const float* x, const float* weight, int64_t rows, int64_t n, float eps, float* y);

// Rotary embedding, "rotate_half" (GPT-NeoX) layout as in transformers' Qwen2/Qwen3:
// for each head and i < head_dim/2, with angle = position * inv_freq[i]:
//   x[i]   = x[i] * cos - x[i + d/2] * sin;  x[i + d/2] = x[i + d/2] * cos + x[i] * sin.
// x: [n_tokens, n_heads, head_dim], modified in place; positions: [n_tokens].
// cos/sin are computed as transformers does: F32 angle = F32(position) * inv_freq[i], and
// each multiplied by `scaling` (YaRN's attention factor; 1 otherwise).
void rope_neox(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
               const int32_t* positions, const float* inv_freq, float scaling = 1.0f);

// out[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + exp(-g)). out may alias gate or up.
void silu_mul(const float* gate, const float* up, int64_t n, float* out);

// Causal grouped-query attention over a contiguous F32 KV cache.
// q:   [n_tokens, n_heads, head_dim]; query t is at position n_past + t.
// k,v: [n_kv_heads, kv_capacity, head_dim]; rows 0 .. n_past + n_tokens - 1 are valid.
// Query head h reads KV head h / (n_heads / n_kv_heads) and attends to positions
// 0 .. n_past + t. out: [n_tokens, n_heads, head_dim]. Softmax in F32 with max subtraction.
void attention(ThreadPool& pool, const float* q, int64_t n_tokens, int64_t n_past,
               const float* k, const float* v, int64_t kv_capacity, int64_t n_heads,
               int64_t n_kv_heads, int64_t head_dim, float scale, float* out);

// Converts a row of n weights of type `dtype` (plain or quantized) to F32.
void dequantize_row(DType dtype, const void* src, int64_t n, float* dst);

// Which SIMD path the dispatcher chose ("avx512", "avx2" or "scalar"), for logs and bench.
const char* simd_target();

}  // namespace qwenrt::cpu
