// AVX-512 element-wise kernels: SiLU-gated product, RMSNorm row, exp, weight row
// conversion. The arithmetic order follows transformers' F32 ops (see ops_reference.cc);
// only the sum of squares is reordered, into 16-lane partial sums.
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

inline __mmask16 tail_mask(int64_t n) { return static_cast<__mmask16>((1u << n) - 1); }

inline __m512 silu_mul16(__m512 g, __m512 u) {
  const __m512 e = exp_avx512(_mm512_sub_ps(_mm512_setzero_ps(), g));
  return _mm512_mul_ps(_mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(1.0f), e)), u);
}

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    _mm512_storeu_ps(out + i, silu_mul16(_mm512_loadu_ps(gate + i), _mm512_loadu_ps(up + i)));
  }
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(
        out + i, m,
        silu_mul16(_mm512_maskz_loadu_ps(m, gate + i), _mm512_maskz_loadu_ps(m, up + i)));
  }
}

void rms_norm_row(const float* x, const float* weight, int64_t n, float eps, float* y) {
  __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 a = _mm512_loadu_ps(x + i), b = _mm512_loadu_ps(x + i + 16);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
    acc1 = _mm512_fmadd_ps(b, b, acc1);
  }
  for (; i < n; i += 16) {
    const __mmask16 m = n - i >= 16 ? static_cast<__mmask16>(0xffff) : tail_mask(n - i);
    const __m512 a = _mm512_maskz_loadu_ps(m, x + i);
    acc0 = _mm512_fmadd_ps(a, a, acc0);
  }
  const float mean = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) / static_cast<float>(n);
  const float inv = 1.0f / _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(mean + eps)));
  const __m512 vinv = _mm512_set1_ps(inv);
  for (i = 0; i + 16 <= n; i += 16) {
    const __m512 xs = _mm512_mul_ps(_mm512_loadu_ps(x + i), vinv);
    _mm512_storeu_ps(y + i, _mm512_mul_ps(_mm512_loadu_ps(weight + i), xs));
  }
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    const __m512 xs = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), vinv);
    _mm512_mask_storeu_ps(y + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, weight + i), xs));
  }
}

void exp_row(const float* x, int64_t n, float* y) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(y + i, exp_avx512(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    _mm512_mask_storeu_ps(y + i, m, exp_avx512(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

inline __m512 widen_bf16(__m256i h) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
}

void convert_row(WeightType type, const void* src, int64_t n, float* dst) {
  const float* f32 = static_cast<const float*>(src);
  const uint16_t* h16 = static_cast<const uint16_t*>(src);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v;
    if (type == WeightType::kF32) {
      v = _mm512_loadu_ps(f32 + i);
    } else {
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h16 + i));
      v = type == WeightType::kBF16 ? widen_bf16(h) : _mm512_cvtph_ps(h);
    }
    _mm512_storeu_ps(dst + i, v);
  }
  if (i < n) {
    const __mmask16 m = tail_mask(n - i);
    __m512 v;
    if (type == WeightType::kF32) {
      v = _mm512_maskz_loadu_ps(m, f32 + i);
    } else {
      const __m256i h = _mm256_maskz_loadu_epi16(m, h16 + i);
      v = type == WeightType::kBF16 ? widen_bf16(h) : _mm512_cvtph_ps(h);
    }
    _mm512_mask_storeu_ps(dst + i, m, v);
  }
}

}  // namespace

extern const ElementwiseKernels kElementwiseAvx512;
const ElementwiseKernels kElementwiseAvx512{silu_mul, rms_norm_row, exp_row, convert_row};

}  // namespace qwenrt::cpu
