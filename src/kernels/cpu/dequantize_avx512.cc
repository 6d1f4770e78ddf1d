// AVX-512 decoding of Q8_0, Q4_K and Q6_K blocks (the types of a Q4_K_M file); the
// other quantized types return false and take the scalar reference. Same float32
// operations in the same order as tensor/quant_reference.cc, so results are bit-exact.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

// Block sizes of tensor/quant_reference.h (not included here: it pulls in inline helpers
// that must not be compiled with AVX-512 flags).
constexpr int64_t kQ8_0Bytes = 34, kQ4_KBytes = 144, kQ6_KBytes = 210;

inline float half(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

// Keeps the compiler from fusing a product with the following subtraction (the
// reference rounds both).
inline __m512 no_contract(__m512 v) {
  asm("" : "+v"(v));
  return v;
}

void q8_0(const uint8_t* x, float* y, int64_t blocks) {
  for (int64_t b = 0; b < blocks; ++b, x += kQ8_0Bytes, y += 32) {
    const __m512 d = _mm512_set1_ps(half(x));
    for (int h = 0; h < 2; ++h) {
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x + 2 + 16 * h));
      _mm512_storeu_ps(y + 16 * h, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)), d));
    }
  }
}

// Zero-extends the next lanes' worth of bytes at p to int32.
inline __m512i widen_u8(const uint8_t* p) {
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Bits [shift, shift + 2) of each lane, moved to bits 4..5 (the high part of a Q6_K quant).
inline __m512i high2(const __m512i h, int shift) {
  const auto bits = _mm512_and_si512(_mm512_srli_epi32(h, shift), _mm512_set1_epi32(3));
  return _mm512_slli_epi32(bits, 4);
}

void scale_min_k4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

void q4_k(const uint8_t* x, float* y, int64_t blocks) {
  const __m512i low4 = _mm512_set1_epi32(0xF);
  for (int64_t b = 0; b < blocks; ++b, x += kQ4_KBytes) {
    const float d = half(x), dmin = half(x + 2);
    const uint8_t* scales = x + 4;
    const uint8_t* q = x + 16;
    for (int c = 0; c < 4; ++c, q += 32, y += 64) {
      uint8_t sc, m;
      scale_min_k4(2 * c, scales, &sc, &m);
      const __m512 d1 = _mm512_set1_ps(d * sc), m1 = _mm512_set1_ps(dmin * m);
      scale_min_k4(2 * c + 1, scales, &sc, &m);
      const __m512 d2 = _mm512_set1_ps(d * sc), m2 = _mm512_set1_ps(dmin * m);
      for (int h = 0; h < 2; ++h) {
        const __m512i v = widen_u8(q + 16 * h);
        const __m512 lo = _mm512_cvtepi32_ps(_mm512_and_si512(v, low4));
        const __m512 hi = _mm512_cvtepi32_ps(_mm512_srli_epi32(v, 4));
        _mm512_storeu_ps(y + 16 * h, _mm512_sub_ps(no_contract(_mm512_mul_ps(d1, lo)), m1));
        _mm512_storeu_ps(y + 32 + 16 * h, _mm512_sub_ps(no_contract(_mm512_mul_ps(d2, hi)), m2));
      }
    }
  }
}

void q6_k(const uint8_t* x, float* y, int64_t blocks) {
  const __m512i low4 = _mm512_set1_epi32(0xF);
  const __m512i off = _mm512_set1_epi32(32);
  for (int64_t b = 0; b < blocks; ++b, x += kQ6_KBytes) {
    const float d = half(x + 208);
    for (int half_i = 0; half_i < 2; ++half_i, y += 128) {
      const uint8_t* ql = x + 64 * half_i;
      const uint8_t* qh = x + 128 + 32 * half_i;
      const int8_t* sc = reinterpret_cast<const int8_t*>(x + 192) + 8 * half_i;
      for (int is = 0; is < 2; ++is) {
        const int l = 16 * is;
        const __m512i a = widen_u8(ql + l), bb = widen_u8(ql + l + 32), h = widen_u8(qh + l);
        const __m512i q1 = _mm512_or_si512(_mm512_and_si512(a, low4), high2(h, 0));
        const __m512i q2 = _mm512_or_si512(_mm512_and_si512(bb, low4), high2(h, 2));
        const __m512i q3 = _mm512_or_si512(_mm512_srli_epi32(a, 4), high2(h, 4));
        const __m512i q4 = _mm512_or_si512(_mm512_srli_epi32(bb, 4), high2(h, 6));
        const __m512i qs[4] = {q1, q2, q3, q4};
        for (int g = 0; g < 4; ++g) {
          const __m512 s = _mm512_set1_ps(d * static_cast<float>(sc[is + 2 * g]));
          const __m512 q = _mm512_cvtepi32_ps(_mm512_sub_epi32(qs[g], off));
          _mm512_storeu_ps(y + 32 * g + l, _mm512_mul_ps(s, q));
        }
      }
    }
  }
}

bool row(QuantType type, const void* src, int64_t n, float* dst) {
  const auto* x = static_cast<const uint8_t*>(src);
  switch (type) {
    case QuantType::kQ8_0: q8_0(x, dst, n / 32); return true;
    case QuantType::kQ4_K: q4_k(x, dst, n / 256); return true;
    case QuantType::kQ6_K: q6_k(x, dst, n / 256); return true;
    default: return false;
  }
}

}  // namespace

extern const DequantizeKernels kDequantizeAvx512;
const DequantizeKernels kDequantizeAvx512{row};

}  // namespace qwenrt::cpu
