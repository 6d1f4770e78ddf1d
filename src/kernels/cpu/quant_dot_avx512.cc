// Integer-dot quantized kernels with AVX-512 VNNI on 256-bit vectors (AVX512VL):
// vpdpbusd for unsigned x signed bytes, vpdpwssd for the int16 scale products, and a
// mask register to spread Q5_0 / Q5_1's fifth bits. dispatch.cc uses this table only
// where the CPU reports AVX512_VNNI; otherwise AVX-512 machines get the AVX2 table.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

inline __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) { return _mm256_dpbusd_epi32(acc, u, s); }
inline __m256i dot_i16(__m256i acc, __m256i a, __m256i b) { return _mm256_dpwssd_epi32(acc, a, b); }
inline __m256i fifth_bits(uint32_t bits) { return _mm256_maskz_set1_epi8(bits, 0x10); }
// 32 vector registers: 8 activation rows' accumulators fit beside the weight block.
constexpr bool kSaturatingDot = false;
constexpr int kMaxRows = 8;

#include "kernels/cpu/quant_dot_simd.h"

}  // namespace

extern const QuantMatmulKernels kQuantMatmulAvx512Vnni;
const QuantMatmulKernels kQuantMatmulAvx512Vnni = make_quant_table();

}  // namespace qwenrt::cpu
