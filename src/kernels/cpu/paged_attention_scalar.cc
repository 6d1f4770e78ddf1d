// Portable paged attention: the reference loops per head and token, one key at a time.
#include <cmath>
#include <limits>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

void rows(const float* q, float* out, int64_t n_past, const int32_t* block_table, const float* k,
          const float* v, int64_t block_size, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
          float scale, int64_t h0, int64_t h1, int64_t t0, int64_t t1, float* p) {
  const int64_t kv_head = h0 / (n_heads / n_kv_heads);
  auto row = [&](const float* base, int64_t j) {
    const int64_t block = block_table[j / block_size];
    return base + ((block * n_kv_heads + kv_head) * block_size + j % block_size) * head_dim;
  };
  for (int64_t h = h0; h < h1; ++h) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t len = n_past + t + 1;
      const float* qh = q + (t * n_heads + h) * head_dim;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < len; ++j) {
        const float* kj = row(k, j);
        float dot = 0.0f;
        for (int64_t d = 0; d < head_dim; ++d) dot += qh[d] * kj[d];
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
        const float* vj = row(v, j);
        for (int64_t d = 0; d < head_dim; ++d) o[d] += pj * vj[d];
      }
    }
  }
}

}  // namespace

extern const PagedAttentionKernels kPagedAttentionScalar;
const PagedAttentionKernels kPagedAttentionScalar{rows};

}  // namespace qwenrt::cpu
