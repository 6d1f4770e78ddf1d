// Integer-dot quantized kernels with AVX2: vpmaddubsw (unsigned x signed bytes to int16
// pairs, never saturating for our operand ranges) followed by vpmaddwd.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

inline __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
}
inline __m256i dot_i16(__m256i acc, __m256i a, __m256i b) {
  return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
}
// Byte i = 0x10 where bit i of `bits` is set: byte i gets byte i / 8 of bits, then its
// own bit is tested.
inline __m256i fifth_bits(uint32_t bits) {
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101, 0x0202020202020202,
                         0x0303030303030303));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
  return _mm256_and_si256(set, _mm256_set1_epi8(0x10));
}

// 16 vector registers: 4 activation rows' accumulators beside the weight block.
constexpr bool kSaturatingDot = true;
constexpr int kMaxRows = 4;

#include "kernels/cpu/quant_dot_simd.h"

}  // namespace

extern const QuantMatmulKernels kQuantMatmulAvx2;
const QuantMatmulKernels kQuantMatmulAvx2 = make_quant_table();

}  // namespace qwenrt::cpu
