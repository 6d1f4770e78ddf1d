// Vector expf for *_avx512.cc files only. `static`: every including file gets its own
// private copy, so no AVX-512 code can be merged into a baseline file's symbol.
//
// Accuracy: within 1 ulp of the exact exp over the whole F32 range (tested in
// tests/unit/kernels_elementwise_test.cc against the correctly rounded value), the
// same class as glibc's expf and the Sleef u10 exp that PyTorch's CPU kernels use.
#pragma once
#include <immintrin.h>

namespace qwenrt::cpu {

static inline __m512 exp_avx512(__m512 x) {
  // Past these bounds the result is inf or rounds to 0; clamping keeps n finite.
  const __m512 xc = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-104.0f)), _mm512_set1_ps(89.0f));
  // x = n ln2 + r with |r| <= ln2 / 2; ln2 split in two (Cody-Waite) so n * ln2_hi is exact.
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(xc, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), xc);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187045e-06f), r);
  // e^r by its Taylor series to r^7: truncation error < 0.1 ulp for |r| <= 0.347.
  __m512 p = _mm512_set1_ps(1.0f / 5040.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  // p * 2^n with IEEE rounding into subnormals and overflow to inf.
  const __m512 result = _mm512_scalef_ps(p, n);
  const __mmask16 nan = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  return _mm512_mask_mov_ps(result, nan, _mm512_add_ps(x, x));
}

}  // namespace qwenrt::cpu
