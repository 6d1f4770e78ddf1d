// Portable causal attention for CPUs without AVX2: the reference loops per head/token.
#include <cmath>
#include <limits>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

void rows(const float* q, int64_t n_past, const float* k, const float* v, int64_t kv_capacity,
          int64_t n_heads, int64_t n_kv_heads, int64_t head_dim, float scale, int64_t h0,
          int64_t h1, int64_t t0, int64_t t1, float* out, float* p) {
  const int64_t kv_head = h0 / (n_heads / n_kv_heads);
  const float* kh = k + kv_head * kv_capacity * head_dim;
  const float* vh = v + kv_head * kv_capacity * head_dim;
  for (int64_t h = h0; h < h1; ++h) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t len = n_past + t + 1;
      const float* qh = q + (t * n_heads + h) * head_dim;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < len; ++j) {
        float dot = 0.0f;
        for (int64_t d = 0; d < head_dim; ++d) dot += qh[d] * kh[j * head_dim + d];
        p[j] = dot * scale;
        max = p[j] > max ? p[j] : max;
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < len; ++j) {
        p[j] = std::exp(p[j] - max);
        sum += p[j];
      }
      const float inv = 1.0f / sum;
      float* o = out + (t * n_heads + h) * head_dim;
      for (int64_t d = 0; d < head_dim; ++d) o[d] = 0.0f;
      for (int64_t j = 0; j < len; ++j) {
        const float pj = p[j] * inv;
        for (int64_t d = 0; d < head_dim; ++d) o[d] += pj * vh[j * head_dim + d];
      }
    }
  }
}

}  // namespace

extern const AttentionKernels kAttentionScalar;
const AttentionKernels kAttentionScalar{rows};

}  // namespace qwenrt::cpu
