// AVX-512 VNNI kernels over quant_packed.h's interleaved weights: one 512-bit vpdpbusd
// is 16 weight rows x 4 elements against 4 activation bytes broadcast from memory, so the
// accumulator's 16 lanes are 16 outputs. The integer part of each block is exact, so it
// may be split over several dependency chains freely; the float part (one fma per block,
// per output, in block order) is the same for every number of activation rows.
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_* values (GCC bug
// 105593, fixed in GCC 13); the warnings point into the header, not at this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/cpu/decode_prefetch.h"
#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/quant_packed.h"
#include "kernels/cpu/quant_packed_common.h"

namespace qwenrt::cpu {
namespace {

// Rows of activations sharing one unpacked weight block: their accumulators and the
// unpacked weights fit the 32 vector registers.
constexpr int kRows32 = 8;  // 32-element types: 8 weight registers
constexpr int kRowsK = 8;   // K-quants: 8 weight registers per 32 elements

inline __m512i bcast32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(static_cast<int>(v));
}

inline __m512i load512(const uint8_t* p) { return _mm512_loadu_si512(p); }

inline __m512 half16(const uint8_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

inline const ActBlock32* act32(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(act) + r * stride);
}
inline const ActBlock256* act256(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock256*>(static_cast<const uint8_t*>(act) + r * stride);
}

// Sum over the k-groups [0, n) of w[kg] . x[4 kg ..] on top of `start`. The
// integers are exact, so the chains' split is free: with few rows, two chains hide the
// vpdpbusd latency; with more, the rows do.
template <int R, int n>
inline __m512i dot_kgroups(const __m512i* w, const int8_t* x, __m512i start) {
  if constexpr (R >= 3) {
#pragma GCC unroll 8
    for (int kg = 0; kg < n; ++kg) start = _mm512_dpbusd_epi32(start, w[kg], bcast32(x + 4 * kg));
    return start;
  } else {
    __m512i s1 = _mm512_setzero_si512();
#pragma GCC unroll 8
    for (int kg = 0; kg < n; kg += 2) {
      start = _mm512_dpbusd_epi32(start, w[kg], bcast32(x + 4 * kg));
      s1 = _mm512_dpbusd_epi32(s1, w[kg + 1], bcast32(x + 4 * kg + 4));
    }
    return _mm512_add_epi32(start, s1);
  }
}

inline __m512i load_bytes_i32(const uint8_t* p, bool is_signed) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return is_signed ? _mm512_cvtepi8_epi32(v) : _mm512_cvtepu8_epi32(v);
}

// The low (hi = 0) or high nibble of every byte of v.
template <int hi>
inline __m512i nibbles(__m512i v, __m512i low4) {
  if constexpr (hi == 0) return _mm512_and_si512(v, low4);
  else return _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
}

// ---- 32-element blocks: Q8_0 (q + 128 stored), Q4_0 (nibbles, zero point 8), Q5_0 -------
// (nibbles plus a 64-byte k-group of fifth bits: bit h of byte e is k-group h's, bit
// 4 + h k-group h + 4's; zero point 16), Q4_1 and Q5_1 (as Q4_0 and Q5_0 with an f16 min
// per block instead of a zero point: its share is m * dx * sum(qx), a second fma).

template <QuantType T, int R>
void dot32_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                  int64_t out_stride) {
  constexpr bool kMin = T == QuantType::kQ4_1 || T == QuantType::kQ5_1;
  constexpr bool kFifth = T == QuantType::kQ5_0 || T == QuantType::kQ5_1;
  constexpr int64_t kQs = kMin ? 64 : 32;
  constexpr int64_t kBlockBytes = kQs + (T == QuantType::kQ8_0 ? 8 : kFifth ? 5 : 4) * 64;
  constexpr int32_t kZero = T == QuantType::kQ8_0 ? 128 : kMin ? 0 : kFifth ? 16 : 8;
  const __m512i low4 = _mm512_set1_epi8(0x0F), bit4 = _mm512_set1_epi8(0x10);
  __m512 acc[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  const bool prefetch = R == 1 && T != QuantType::kQ8_0 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes, kPrefetchDistance32>(p);
    const __m512 dw = half16(p);
    __m512i w[8];
    if constexpr (T == QuantType::kQ8_0) {
#pragma GCC unroll 8
      for (int kg = 0; kg < 8; ++kg) w[kg] = load512(p + kQs + 64 * kg);
    } else {
#pragma GCC unroll 8
      for (int h = 0; h < 4; ++h) {
        const __m512i v = load512(p + kQs + 64 * h);
        w[h] = _mm512_and_si512(v, low4);
        w[h + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low4);
      }
      if constexpr (kFifth) {
        // 16-bit shifts: bits crossing between bytes never land on bit 4.
        const __m512i hb = load512(p + kQs + 4 * 64);
        w[0] = _mm512_or_si512(w[0], _mm512_and_si512(_mm512_slli_epi16(hb, 4), bit4));
        w[1] = _mm512_or_si512(w[1], _mm512_and_si512(_mm512_slli_epi16(hb, 3), bit4));
        w[2] = _mm512_or_si512(w[2], _mm512_and_si512(_mm512_slli_epi16(hb, 2), bit4));
        w[3] = _mm512_or_si512(w[3], _mm512_and_si512(_mm512_slli_epi16(hb, 1), bit4));
        w[4] = _mm512_or_si512(w[4], _mm512_and_si512(hb, bit4));
        w[5] = _mm512_or_si512(w[5], _mm512_and_si512(_mm512_srli_epi16(hb, 1), bit4));
        w[6] = _mm512_or_si512(w[6], _mm512_and_si512(_mm512_srli_epi16(hb, 2), bit4));
        w[7] = _mm512_or_si512(w[7], _mm512_and_si512(_mm512_srli_epi16(hb, 3), bit4));
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const ActBlock32& a = act32(act, stride, r)[b];
      const __m512i s = dot_kgroups<R, 8>(w, a.qs, _mm512_set1_epi32(-kZero * a.sum));
      const __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(a.d));
      acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scale, acc[r]);
      if constexpr (kMin) {
        acc[r] = _mm512_fmadd_ps(half16(p + 32), _mm512_set1_ps(a.d * static_cast<float>(a.sum)), acc[r]);
      }
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) _mm512_storeu_ps(out + r * out_stride, acc[r]);
}

// ---- Q4_K and Q5_K -------------------------------------------------------------------
//
// Per block: d * sum_j sc_j (q . x)_j - dmin * sum_j mn_j bsum_j. The mins term goes first
// (vpdpwssd of (mn, mn) int16 pairs with the activation's pairs of 16-element sums). Q5_K
// is Q4_K with a fifth bit per weight, from its sub-block's 64 bytes of fifth bits.

// A K-quant block's exact integer sums into the float accumulators, scaled by the
// weight's and the activation's block scales: one fma per output per block, in block order.
template <int R>
inline void add_block256(__m512* acc, const __m512i* isum, __m512 dw, const void* act, int64_t stride,
                         int64_t b) {
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(act256(act, stride, r)[b].d));
    acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r]), scale, acc[r]);
  }
}

// Bit kg of every byte of h moved to bit 4 (16-bit shifts: bits crossing between bytes
// never land on bit 4).
template <int kg>
inline __m512i fifth_bit(__m512i h) {
  if constexpr (kg < 4) return _mm512_slli_epi16(h, 4 - kg);
  else if constexpr (kg == 4) return h;
  else return _mm512_srli_epi16(h, kg - 4);
}

template <int R, bool kFifth>
void q45_k_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                  int64_t out_stride) {
  constexpr int64_t kChunkBytes = (kFifth ? 8 + 2 : 8) * 64;
  constexpr int64_t kBlockBytes = 64 + 2 * 128 + 4 * kChunkBytes;
  const __m512i low4 = _mm512_set1_epi8(0x0F), bit4 = _mm512_set1_epi8(0x10);
  __m512 acc[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  const bool prefetch = R == 1 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes>(p);
    const __m512 dw = half16(p), dm = half16(p + 32);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const ActBlock256& a = act256(act, stride, r)[b];
      __m512i m = _mm512_setzero_si512();
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        const __m512i mn = load_bytes_i32(p + 192 + 16 * j, false);
        m = _mm512_dpwssd_epi32(m, _mm512_or_si512(mn, _mm512_slli_epi32(mn, 16)), bcast32(a.bsums + 2 * j));
      }
      acc[r] = _mm512_fnmadd_ps(_mm512_cvtepi32_ps(m), _mm512_mul_ps(dm, _mm512_set1_ps(a.d)), acc[r]);
    }
    __m512i isum[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) isum[r] = _mm512_setzero_si512();
    // Sub-block j = 2c + hi: the low (hi = 0) or high nibbles of chunk c's 8 k-groups.
    // hi is a compile-time constant so the low half costs no shift.
    auto sub_block = [&]<int hi>(int c) {
      const int j = 2 * c + hi;
      const uint8_t* q = p + 320 + kChunkBytes * c;
      const __m512i sc = load_bytes_i32(p + 64 + 16 * j, false);
      __m512i w[8];
#pragma GCC unroll 8
      for (int kg = 0; kg < 8; ++kg) w[kg] = nibbles<hi>(load512(q + 64 * kg), low4);
      if constexpr (kFifth) {
        const __m512i h = load512(q + 8 * 64 + 64 * hi);
        [&]<int... kg>(std::integer_sequence<int, kg...>) {
          ((w[kg] = _mm512_ternarylogic_epi32(w[kg], fifth_bit<kg>(h), bit4, 0xF8)), ...);  // w | (h' & bit4)
        }(std::make_integer_sequence<int, 8>{});
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const int8_t* x = act256(act, stride, r)[b].qs + 32 * j;
        const __m512i s = dot_kgroups<R, 8>(w, x, _mm512_setzero_si512());
        isum[r] = _mm512_add_epi32(isum[r], _mm512_mullo_epi32(s, sc));
      }
    };
    for (int c = 0; c < 4; ++c) {
      sub_block.template operator()<0>(c);
      sub_block.template operator()<1>(c);
    }
    add_block256<R>(acc, isum, dw, act, stride, b);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) _mm512_storeu_ps(out + r * out_stride, acc[r]);
}

// ---- Q6_K ---------------------------------------------------------------------------
//
// Unsigned 6-bit q with a -32 offset and an int8 scale per 16 elements: each 16 elements'
// integer sum starts at -32 times their activation sum (bsums) before its scale.

template <int R>
void q6_k_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                 int64_t out_stride) {
  constexpr int64_t kBlockBytes = 32 + 256 + 32 * 64 + 16 * 64;
  const __m512i low4 = _mm512_set1_epi8(0x0F), bits45 = _mm512_set1_epi8(0x30);
  __m512 acc[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  const bool prefetch = R == 1 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes>(p);
    const __m512 dw = half16(p);
    const uint8_t* scales = p + 32;
    __m512i isum[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) isum[r] = _mm512_setzero_si512();
    // Sub-block j = 2c + hi of 32 elements: nibbles as Q4_K, high bits from H(c, 2 hi + kg / 4)
    // bits 2 (kg % 4); scales s = 2j (k-groups 0..3) and 2j + 1 (4..7).
    auto sub_block = [&]<int hi>(int c) {
      const int j = 2 * c + hi;
      const uint8_t* q = p + 32 + 256 + 768 * c;  // chunk c: nibbles, then highs
      const uint8_t* hq = q + 8 * 64 + 64 * 2 * hi;
      __m512i w[8];
#pragma GCC unroll 2
      for (int half = 0; half < 2; ++half) {
        const __m512i h = load512(hq + 64 * half);
        const __m512i hb[4] = {_mm512_slli_epi16(h, 4), _mm512_slli_epi16(h, 2), h, _mm512_srli_epi16(h, 2)};
#pragma GCC unroll 4
        for (int t = 0; t < 4; ++t) {
          const __m512i v = nibbles<hi>(load512(q + 64 * (4 * half + t)), low4);
          w[4 * half + t] = _mm512_ternarylogic_epi32(v, hb[t], bits45, 0xF8);  // v | (hb & bits45)
        }
      }
      const __m512i sc0 = load_bytes_i32(scales + 32 * j, true), sc1 = load_bytes_i32(scales + 32 * j + 16, true);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const int8_t* x = act256(act, stride, r)[b].qs + 32 * j;
        // The -32 offset of each 16 elements starts its sum: -32 * their activation sum.
        const int16_t* bsums = act256(act, stride, r)[b].bsums + 2 * j;
        const __m512i s0 = dot_kgroups<R, 4>(w, x, _mm512_set1_epi32(-32 * bsums[0]));
        const __m512i s1 = dot_kgroups<R, 4>(w + 4, x + 16, _mm512_set1_epi32(-32 * bsums[1]));
        isum[r] = _mm512_add_epi32(isum[r], _mm512_add_epi32(_mm512_mullo_epi32(s0, sc0), _mm512_mullo_epi32(s1, sc1)));
      }
    };
    for (int c = 0; c < 4; ++c) {
      sub_block.template operator()<0>(c);
      sub_block.template operator()<1>(c);
    }
    add_block256<R>(acc, isum, dw, act, stride, b);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) _mm512_storeu_ps(out + r * out_stride, acc[r]);
}

// ---- row tiling (tile_rows: quant_packed_common.h) ----------------------------------

template <QuantType T>
struct Dot32 {
  template <int R>
  struct K {
    static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      dot32_packed<T, R>(g, a, s, n, o, os);
    }
  };
};
template <bool kFifth>
struct Q45K {
  template <int R>
  struct K {
    static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      q45_k_packed<R, kFifth>(g, a, s, n, o, os);
    }
  };
};
template <int R>
struct Q6K {
  static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
    q6_k_packed<R>(g, a, s, n, o, os);
  }
};

constexpr PackedQuantKernels make_table() {
  PackedQuantKernels t{kRows32, {}};
  t.dot[static_cast<int>(QuantType::kQ8_0)] = tile_rows<Dot32<QuantType::kQ8_0>::K, kRows32>;
  t.dot[static_cast<int>(QuantType::kQ4_0)] = tile_rows<Dot32<QuantType::kQ4_0>::K, kRows32>;
  t.dot[static_cast<int>(QuantType::kQ4_1)] = tile_rows<Dot32<QuantType::kQ4_1>::K, kRows32>;
  t.dot[static_cast<int>(QuantType::kQ5_0)] = tile_rows<Dot32<QuantType::kQ5_0>::K, kRows32>;
  t.dot[static_cast<int>(QuantType::kQ5_1)] = tile_rows<Dot32<QuantType::kQ5_1>::K, kRows32>;
  t.dot[static_cast<int>(QuantType::kQ4_K)] = tile_rows<Q45K<false>::K, kRowsK>;
  t.dot[static_cast<int>(QuantType::kQ5_K)] = tile_rows<Q45K<true>::K, kRowsK>;
  t.dot[static_cast<int>(QuantType::kQ6_K)] = tile_rows<Q6K, kRowsK>;
  return t;
}

}  // namespace

const PackedQuantKernels kPackedQuantAvx512Vnni = make_table();

}  // namespace qwenrt::cpu
