// AVX-512 paged attention: per block of keys, scores by 16-key groups of dot products;
// softmax with the vector exp; weighted sum of value rows block by block. Same arithmetic
// for every layout: a contiguous cache is one block as long as the cache (attention.cc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/simd_exp_avx512.h"

namespace qwenrt::cpu {
namespace {

inline __mmask16 lane_mask(int64_t n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1);
}

// Lane j of the result = sum of the 16 lanes of acc[j] (transpose-and-add tree).
inline __m512 reduce16(const __m512 acc[16]) {
  __m512 u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    u[i] = _mm512_add_ps(_mm512_unpacklo_ps(acc[2 * i], acc[2 * i + 1]),
                         _mm512_unpackhi_ps(acc[2 * i], acc[2 * i + 1]));
  }
  __m512 w[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    w[i] = _mm512_add_ps(_mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0x44),
                         _mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0xee));
  }
  const __m512 q01 =
      _mm512_add_ps(_mm512_shuffle_f32x4(w[0], w[1], 0x88), _mm512_shuffle_f32x4(w[0], w[1], 0xdd));
  const __m512 q23 =
      _mm512_add_ps(_mm512_shuffle_f32x4(w[2], w[3], 0x88), _mm512_shuffle_f32x4(w[2], w[3], 0xdd));
  return _mm512_add_ps(_mm512_shuffle_f32x4(q01, q23, 0x88), _mm512_shuffle_f32x4(q01, q23, 0xdd));
}

// s[j] = scale * (q . k_j) for the n contiguous key rows of one block.
void scores(const float* q, const float* k, int64_t head_dim, int64_t n, float scale, float* s) {
  const __m512 vscale = _mm512_set1_ps(scale);
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    __m512 acc[16];
#pragma GCC unroll 16
    for (int b = 0; b < 16; ++b) acc[b] = _mm512_setzero_ps();
    for (int64_t d = 0; d < head_dim; d += 16) {
      const __mmask16 m = lane_mask(head_dim - d);
      const __m512 qv = _mm512_maskz_loadu_ps(m, q + d);
#pragma GCC unroll 16
      for (int b = 0; b < 16; ++b) {
        acc[b] = _mm512_fmadd_ps(qv, _mm512_maskz_loadu_ps(m, k + (j + b) * head_dim + d), acc[b]);
      }
    }
    _mm512_storeu_ps(s + j, _mm512_mul_ps(reduce16(acc), vscale));
  }
  for (; j < n; ++j) {
    __m512 acc = _mm512_setzero_ps();
    for (int64_t d = 0; d < head_dim; d += 16) {
      const __mmask16 m = lane_mask(head_dim - d);
      acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + d),
                            _mm512_maskz_loadu_ps(m, k + j * head_dim + d), acc);
    }
    s[j] = _mm512_reduce_add_ps(acc) * scale;
  }
}

// p <- softmax(p) over len entries: exp(p - max) * (1 / sum).
void softmax(float* p, int64_t len) {
  __m512 vmax = _mm512_set1_ps(-__builtin_inff());
  for (int64_t j = 0; j < len; j += 16) {
    const __mmask16 m = lane_mask(len - j);
    vmax = _mm512_mask_max_ps(vmax, m, vmax, _mm512_maskz_loadu_ps(m, p + j));
  }
  const __m512 max = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
  __m512 vsum = _mm512_setzero_ps();
  for (int64_t j = 0; j < len; j += 16) {
    const __mmask16 m = lane_mask(len - j);
    const __m512 e = exp_avx512(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, p + j), max));
    vsum = _mm512_mask_add_ps(vsum, m, vsum, e);
    _mm512_mask_storeu_ps(p + j, m, e);
  }
  const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));
  for (int64_t j = 0; j < len; j += 16) {
    const __mmask16 m = lane_mask(len - j);
    _mm512_mask_storeu_ps(p + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, p + j), inv));
  }
}

// out += sum_j p[j] * v_j over the n contiguous value rows of one block, 64 dimensions
// at a time with two interleaved accumulator sets.
void weighted_sum_add(const float* p, const float* v, int64_t head_dim, int64_t n, float* out) {
  for (int64_t d0 = 0; d0 < head_dim; d0 += 64) {
    __mmask16 m[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      const int64_t left = head_dim - d0 - 16 * c;
      m[c] = left <= 0 ? static_cast<__mmask16>(0) : lane_mask(left);
    }
    __m512 acc0[4], acc1[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      acc0[c] = _mm512_maskz_loadu_ps(m[c], out + d0 + 16 * c);
      acc1[c] = _mm512_setzero_ps();
    }
    int64_t j = 0;
    for (; j + 2 <= n; j += 2) {
      const __m512 p0 = _mm512_set1_ps(p[j]), p1 = _mm512_set1_ps(p[j + 1]);
      const float* v0 = v + j * head_dim + d0;
      const float* v1 = v0 + head_dim;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        acc0[c] = _mm512_fmadd_ps(p0, _mm512_maskz_loadu_ps(m[c], v0 + 16 * c), acc0[c]);
        acc1[c] = _mm512_fmadd_ps(p1, _mm512_maskz_loadu_ps(m[c], v1 + 16 * c), acc1[c]);
      }
    }
    if (j < n) {
      const __m512 p0 = _mm512_set1_ps(p[j]);
      const float* v0 = v + j * head_dim + d0;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        acc0[c] = _mm512_fmadd_ps(p0, _mm512_maskz_loadu_ps(m[c], v0 + 16 * c), acc0[c]);
      }
    }
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) {
      _mm512_mask_storeu_ps(out + d0 + 16 * c, m[c], _mm512_add_ps(acc0[c], acc1[c]));
    }
  }
}

void rows(const float* q, float* out, int64_t n_past, const int32_t* block_table, const float* k,
          const float* v, int64_t block_size, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
          float scale, int64_t h0, int64_t h1, int64_t t0, int64_t t1, float* scratch) {
  const int64_t kv_head = h0 / (n_heads / n_kv_heads);
  const int64_t head_offset = kv_head * block_size * head_dim;
  const int64_t block_stride = n_kv_heads * block_size * head_dim;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t len = n_past + t + 1;
    // The heads of the group take turns on each block while its keys are in L1.
    for (int64_t j0 = 0; j0 < len; j0 += block_size) {
      const int64_t n = len - j0 < block_size ? len - j0 : block_size;
      const float* kb = k + block_table[j0 / block_size] * block_stride + head_offset;
      for (int64_t h = h0; h < h1; ++h) {
        scores(q + (t * n_heads + h) * head_dim, kb, head_dim, n, scale, scratch + (h - h0) * len + j0);
      }
    }
    for (int64_t h = h0; h < h1; ++h) {
      softmax(scratch + (h - h0) * len, len);
      float* o = out + (t * n_heads + h) * head_dim;
      for (int64_t d = 0; d < head_dim; ++d) o[d] = 0.0f;
    }
    for (int64_t j0 = 0; j0 < len; j0 += block_size) {
      const int64_t n = len - j0 < block_size ? len - j0 : block_size;
      const float* vb = v + block_table[j0 / block_size] * block_stride + head_offset;
      for (int64_t h = h0; h < h1; ++h) {
        weighted_sum_add(scratch + (h - h0) * len + j0, vb, head_dim, n,
                         out + (t * n_heads + h) * head_dim);
      }
    }
  }
}

}  // namespace

extern const PagedAttentionKernels kPagedAttentionAvx512;
const PagedAttentionKernels kPagedAttentionAvx512{rows};

}  // namespace qwenrt::cpu
