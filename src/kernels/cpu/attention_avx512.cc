// AVX-512 causal attention for one query head and a range of tokens: scores by 16-key
// blocks of dot products, softmax with the vector exp, weighted sum of value rows.
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_* values (GCC bug
// 105593, fixed in GCC 13); the warnings point into the header, not at this code.
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

// Lane j of the result = sum of the 16 lanes of acc[j]: a transpose-and-add tree
// (45 shuffles/adds for 16 sums instead of 16 separate reductions).
inline __m512 reduce16(const __m512 acc[16]) {
  __m512 u[8];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    u[i] = _mm512_add_ps(_mm512_unpacklo_ps(acc[2 * i], acc[2 * i + 1]),
                         _mm512_unpackhi_ps(acc[2 * i], acc[2 * i + 1]));
  }
  // w[i], 128-bit lane L: partial sums (over lane L) of acc[4i .. 4i + 3], in order.
  __m512 w[4];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    w[i] = _mm512_add_ps(_mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0x44),
                         _mm512_shuffle_ps(u[2 * i], u[2 * i + 1], 0xee));
  }
  // Sum the four 128-bit lanes of each w[i] into lane i of the result.
  const __m512 q01 =
      _mm512_add_ps(_mm512_shuffle_f32x4(w[0], w[1], 0x88), _mm512_shuffle_f32x4(w[0], w[1], 0xdd));
  const __m512 q23 =
      _mm512_add_ps(_mm512_shuffle_f32x4(w[2], w[3], 0x88), _mm512_shuffle_f32x4(w[2], w[3], 0xdd));
  return _mm512_add_ps(_mm512_shuffle_f32x4(q01, q23, 0x88), _mm512_shuffle_f32x4(q01, q23, 0xdd));
}

// s[j] = scale * (q . k_j) for j < len.
void scores(const float* q, const float* k, int64_t head_dim, int64_t len, float scale, float* s) {
  const __m512 vscale = _mm512_set1_ps(scale);
  int64_t j = 0;
  for (; j + 16 <= len; j += 16) {
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
  for (; j < len; ++j) {
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

// out += sum_j p[j] * v_j, 64 dimensions at a time; two interleaved accumulator sets
// keep eight FMA chains in flight.
void weighted_sum_add(const float* p, const float* v, int64_t head_dim, int64_t len, float* out) {
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
    for (; j + 2 <= len; j += 2) {
      const __m512 p0 = _mm512_set1_ps(p[j]), p1 = _mm512_set1_ps(p[j + 1]);
      const float* v0 = v + j * head_dim + d0;
      const float* v1 = v0 + head_dim;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        acc0[c] = _mm512_fmadd_ps(p0, _mm512_maskz_loadu_ps(m[c], v0 + 16 * c), acc0[c]);
        acc1[c] = _mm512_fmadd_ps(p1, _mm512_maskz_loadu_ps(m[c], v1 + 16 * c), acc1[c]);
      }
    }
    if (j < len) {
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

// Keys per chunk: the query heads of a GQA group take turns on one chunk of K (then V)
// rows while it is in L1 (64 x 128 dims x 4 B = 32 KB at most), so each KV row comes
// from memory once per group instead of once per head.
constexpr int64_t kKeyChunk = 64;

void rows(const float* q, int64_t n_past, const float* k, const float* v, int64_t kv_capacity,
          int64_t n_heads, int64_t n_kv_heads, int64_t head_dim, float scale, int64_t h0,
          int64_t h1, int64_t t0, int64_t t1, float* out, float* scratch) {
  const int64_t kv_head = h0 / (n_heads / n_kv_heads);
  const float* kh = k + kv_head * kv_capacity * head_dim;
  const float* vh = v + kv_head * kv_capacity * head_dim;
  for (int64_t t = t0; t < t1; ++t) {
    const int64_t len = n_past + t + 1;
    for (int64_t j0 = 0; j0 < len; j0 += kKeyChunk) {
      const int64_t n = len - j0 < kKeyChunk ? len - j0 : kKeyChunk;
      for (int64_t h = h0; h < h1; ++h) {
        scores(q + (t * n_heads + h) * head_dim, kh + j0 * head_dim, head_dim, n, scale,
               scratch + (h - h0) * len + j0);
      }
    }
    for (int64_t h = h0; h < h1; ++h) {
      softmax(scratch + (h - h0) * len, len);
      float* o = out + (t * n_heads + h) * head_dim;
      for (int64_t d = 0; d < head_dim; ++d) o[d] = 0.0f;
    }
    for (int64_t j0 = 0; j0 < len; j0 += kKeyChunk) {
      const int64_t n = len - j0 < kKeyChunk ? len - j0 : kKeyChunk;
      for (int64_t h = h0; h < h1; ++h) {
        weighted_sum_add(scratch + (h - h0) * len + j0, vh + j0 * head_dim, head_dim, n,
                         out + (t * n_heads + h) * head_dim);
      }
    }
  }
}

}  // namespace

extern const AttentionKernels kAttentionAvx512;
const AttentionKernels kAttentionAvx512{rows};

}  // namespace qwenrt::cpu
