// AVX2 element-wise kernels; same arithmetic as elementwise_avx512.cc with 8 lanes.
// AVX2 has no cheap masked loads, so tails go through a small zero-padded buffer.
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/simd_exp_avx2.h"

namespace qwenrt::cpu {
namespace {

inline void copy_floats(const float* src, int64_t n, float* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
}

inline __m256 silu_mul8(__m256 g, __m256 u) {
  const __m256 e = exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), g));
  return _mm256_mul_ps(_mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1.0f), e)), u);
}

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, silu_mul8(_mm256_loadu_ps(gate + i), _mm256_loadu_ps(up + i)));
  }
  if (i < n) {
    alignas(32) float g[8] = {}, u[8] = {}, o[8];
    copy_floats(gate + i, n - i, g);
    copy_floats(up + i, n - i, u);
    _mm256_store_ps(o, silu_mul8(_mm256_load_ps(g), _mm256_load_ps(u)));
    copy_floats(o, n - i, out + i);
  }
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

void rms_norm_row(const float* x, const float* weight, int64_t n, float eps, float* y) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
    acc1 = _mm256_fmadd_ps(b, b, acc1);
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 a = _mm256_loadu_ps(x + i);
    acc0 = _mm256_fmadd_ps(a, a, acc0);
  }
  float sum = hsum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) sum += x[i] * x[i];
  const float mean = sum / static_cast<float>(n);
  const float inv = 1.0f / _mm_cvtss_f32(_mm_sqrt_ss(_mm_set_ss(mean + eps)));
  const __m256 vinv = _mm256_set1_ps(inv);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 xs = _mm256_mul_ps(_mm256_loadu_ps(x + i), vinv);
    _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(weight + i), xs));
  }
  for (; i < n; ++i) y[i] = weight[i] * (x[i] * inv);
}

void exp_row(const float* x, int64_t n, float* y) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, exp_avx2(_mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float in[8] = {}, o[8];
    copy_floats(x + i, n - i, in);
    _mm256_store_ps(o, exp_avx2(_mm256_load_ps(in)));
    copy_floats(o, n - i, y + i);
  }
}

inline float bf16_bits_to_f32(uint16_t h) {
  const __m128i v = _mm_cvtsi32_si128(static_cast<int>(h) << 16);
  return _mm_cvtss_f32(_mm_castsi128_ps(v));
}

void convert_row(WeightType type, const void* src, int64_t n, float* dst) {
  const uint16_t* h16 = static_cast<const uint16_t*>(src);
  if (type == WeightType::kF32) return copy_floats(static_cast<const float*>(src), n, dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(h16 + i));
    const __m256 v = type == WeightType::kBF16
                         ? _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16))
                         : _mm256_cvtph_ps(h);
    _mm256_storeu_ps(dst + i, v);
  }
  for (; i < n; ++i) {
    dst[i] = type == WeightType::kBF16 ? bf16_bits_to_f32(h16[i]) : _cvtsh_ss(h16[i]);
  }
}

}  // namespace

extern const ElementwiseKernels kElementwiseAvx2;
const ElementwiseKernels kElementwiseAvx2{silu_mul, rms_norm_row, exp_row, convert_row};

}  // namespace qwenrt::cpu
