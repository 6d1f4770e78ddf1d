// AVX2 paged attention; the steps of paged_attention_avx512.cc with 8 lanes, key and value rows
// found block by block through the block table.
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/simd_exp_avx2.h"

namespace qwenrt::cpu {
namespace {

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

float dot(const float* a, const float* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t d = 0;
  for (; d + 16 <= n; d += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d + 8), _mm256_loadu_ps(b + d + 8), acc1);
  }
  for (; d + 8 <= n; d += 8) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + d), _mm256_loadu_ps(b + d), acc0);
  }
  float s = hsum(_mm256_add_ps(acc0, acc1));
  for (; d < n; ++d) s += a[d] * b[d];
  return s;
}

void softmax(float* p, int64_t len) {
  __m256 vmax = _mm256_set1_ps(-__builtin_inff());
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(p + j));
  float max = hmax(vmax);
  for (; j < len; ++j) max = p[j] > max ? p[j] : max;
  const __m256 vm = _mm256_set1_ps(max);
  __m256 vsum = _mm256_setzero_ps();
  for (j = 0; j + 8 <= len; j += 8) {
    const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_loadu_ps(p + j), vm));
    vsum = _mm256_add_ps(vsum, e);
    _mm256_storeu_ps(p + j, e);
  }
  float sum = hsum(vsum);
  if (j < len) {
    alignas(32) float tail[8];
    for (int i = 0; i < 8; ++i) tail[i] = j + i < len ? p[j + i] - max : -__builtin_inff();
    _mm256_store_ps(tail, exp_avx2(_mm256_load_ps(tail)));
    for (int64_t i = 0; j + i < len; ++i) {
      p[j + i] = tail[i];
      sum += tail[i];
    }
  }
  const float inv = 1.0f / sum;
  const __m256 vinv = _mm256_set1_ps(inv);
  for (j = 0; j + 8 <= len; j += 8)
    _mm256_storeu_ps(p + j, _mm256_mul_ps(_mm256_loadu_ps(p + j), vinv));
  for (; j < len; ++j) p[j] *= inv;
}

// out += sum_j p[j] * v_j over the n contiguous value rows of one block.
void weighted_sum_add(const float* p, const float* v, int64_t head_dim, int64_t n, float* out) {
  int64_t d0 = 0;
  for (; d0 + 32 <= head_dim; d0 += 32) {
    __m256 acc[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[c] = _mm256_loadu_ps(out + d0 + 8 * c);
    for (int64_t j = 0; j < n; ++j) {
      const __m256 pj = _mm256_set1_ps(p[j]);
      const float* vj = v + j * head_dim + d0;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) acc[c] = _mm256_fmadd_ps(pj, _mm256_loadu_ps(vj + 8 * c), acc[c]);
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) _mm256_storeu_ps(out + d0 + 8 * c, acc[c]);
  }
  for (; d0 + 8 <= head_dim; d0 += 8) {
    __m256 acc = _mm256_loadu_ps(out + d0);
    for (int64_t j = 0; j < n; ++j) {
      acc = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), _mm256_loadu_ps(v + j * head_dim + d0), acc);
    }
    _mm256_storeu_ps(out + d0, acc);
  }
  for (; d0 < head_dim; ++d0) {
    float acc = out[d0];
    for (int64_t j = 0; j < n; ++j) acc += p[j] * v[j * head_dim + d0];
    out[d0] = acc;
  }
}

void rows(const float* q, float* out, int64_t n_past, const int32_t* block_table, const float* k,
          const float* v, int64_t block_size, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
          float scale, int64_t h0, int64_t h1, int64_t t0, int64_t t1, float* scratch) {
  const int64_t kv_head = h0 / (n_heads / n_kv_heads);
  const int64_t head_offset = kv_head * block_size * head_dim;
  const int64_t block_stride = n_kv_heads * block_size * head_dim;
  for (int64_t h = h0; h < h1; ++h) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t len = n_past + t + 1;
      const int64_t offset = (t * n_heads + h) * head_dim;
      for (int64_t j0 = 0; j0 < len; j0 += block_size) {
        const float* kb = k + block_table[j0 / block_size] * block_stride + head_offset;
        const int64_t n = len - j0 < block_size ? len - j0 : block_size;
        for (int64_t j = 0; j < n; ++j) scratch[j0 + j] = dot(q + offset, kb + j * head_dim, head_dim) * scale;
      }
      softmax(scratch, len);
      float* o = out + offset;
      for (int64_t d = 0; d < head_dim; ++d) o[d] = 0.0f;
      for (int64_t j0 = 0; j0 < len; j0 += block_size) {
        const float* vb = v + block_table[j0 / block_size] * block_stride + head_offset;
        const int64_t n = len - j0 < block_size ? len - j0 : block_size;
        weighted_sum_add(scratch + j0, vb, head_dim, n, o);
      }
    }
  }
}

}  // namespace

extern const PagedAttentionKernels kPagedAttentionAvx2;
const PagedAttentionKernels kPagedAttentionAvx2{rows};

}  // namespace qwenrt::cpu
