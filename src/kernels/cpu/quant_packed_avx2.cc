// AVX2 kernels over quant_packed.h's interleaved weights. A 64-byte k-group is 16 rows x
// 4 elements; a 256-bit register holds half of it (rows 0..7 or 8..15): vpmaddubsw
// multiplies 4 weights of each of 8 rows by the same 4 activation bytes (broadcast), and
// the 8 int32 lanes after vpmaddwd are 8 outputs. With 16 vector registers, 1 or 2
// activation rows take both halves in one pass (decode); tiles of 3 or 4 rows take one
// half per pass, the second pass reading the group from L1/L2 (prompts).
//
// The integer part of each block is exact and equals the AVX-512 kernels' (same integers,
// grouped otherwise); the float part is the same ops in the same order (one fma per
// block per output, in block order; Q4_1 / Q5_1 and K-quant mins as there), so the
// outputs are bit-identical to quant_packed_avx512.cc's, for every number of rows.
//
// vpmaddubsw saturates each pair w0 x0 + w1 x1 at int16 (weights u8, activations s8), and
// int16 sums of its results wrap. With activations in [-127, 127], |pair| <= 2 * 127 * wmax,
// and n pairs may be summed in int16 (vpaddw) before vpmaddwd while n * 2 * 127 * wmax <= 32767:
//   4-bit (wmax 15):  3810 per pair, 8 summed = 30480
//   5-bit (wmax 31):  7874 per pair, 4 summed = 31496
//   6-bit (wmax 63): 16002 per pair, 2 summed = 32004
//   Q8_0, signed q in [-128, 127] moved onto x's sign: |q| |x| <= 128 * 127, one pair
//   32512, never summed in int16. (q + 128 as stored would reach 2 * 255 * 127.)
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

// Rows of activations sharing one unpacked weight half. Zen 4, one thread, m = 512: 3 to 8
// rows within 10% of each other (the accumulators that do not fit are touched once per
// block), 2 rows up to 40% slower; 4 keeps the int16 sums in registers. Software
// prefetch of the packed stream was tried here and was slower (one-row decode does
// prefetch: quant_packed.h).
constexpr int kRows32 = 4;
constexpr int kRowsK = 4;
// Up to this many rows one pass takes both halves: their sums still fit the registers,
// and each weight byte is loaded and unpacked, each activation word broadcast, once
// instead of twice. Zen 4, m = 1, one thread: 1.1 to 1.5x the speed of two passes.
constexpr int kBothHalvesRows = 2;

inline __m256i bcast32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(static_cast<int>(v));
}

// Rows 8 half .. 8 half + 7 of the 64-byte k-group at p.
inline __m256i load_half(const uint8_t* p, int half) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * half));
}

// 8 f16 (one half's scales) to floats.
inline __m256 half8(const uint8_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256i dot16(__m256i w, __m256i x) { return _mm256_maddubs_epi16(w, x); }
inline __m256i widen(__m256i s16) { return _mm256_madd_epi16(s16, _mm256_set1_epi16(1)); }

// 8 bytes (one per row of the half) as int32 lanes, each holding the byte twice as an
// int16 pair: vpmaddwd with it scales both int16 halves of a lane by the row's byte.
inline __m256i scale_pairs(const uint8_t* p, bool is_signed) {
  const __m128i v = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(p));
  const __m256i s = is_signed ? _mm256_cvtepi8_epi32(v) : _mm256_cvtepu8_epi32(v);
  return _mm256_blend_epi16(s, _mm256_slli_epi32(s, 16), 0xAA);
}

inline const ActBlock32* act32(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(act) + r * stride);
}
inline const ActBlock256* act256(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock256*>(static_cast<const uint8_t*>(act) + r * stride);
}

// sums[hh][r] += vpmaddwd(pairs[hh], activation row r's 16-element sums 2j and 2j + 1): a
// K-quant block's per-16 scale (or min) pairs times the activation's sums.
template <int R, int NH>
inline void add_bsum_pairs(__m256i (*sums)[R], const __m256i* pairs, const void* act, int64_t stride,
                           int64_t b, int j) {
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const __m256i bs = bcast32(act256(act, stride, r)[b].bsums + 2 * j);
#pragma GCC unroll 2
    for (int hh = 0; hh < NH; ++hh) sums[hh][r] = _mm256_add_epi32(sums[hh][r], _mm256_madd_epi16(pairs[hh], bs));
  }
}

// The low (hi = 0) or high nibble of every byte of v.
template <int hi>
inline __m256i nibbles(__m256i v, __m256i low4) {
  if constexpr (hi == 0) return _mm256_and_si256(v, low4);
  else return _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
}

// v's bits moved left by s (right by -s); 16-bit shifts: the bits crossing between the
// two bytes of a lane never land on the bits kept after the shift.
template <int s>
inline __m256i shift_bits(__m256i v) {
  if constexpr (s > 0) return _mm256_slli_epi16(v, s);
  else if constexpr (s < 0) return _mm256_srli_epi16(v, -s);
  else return v;
}

// ---- 32-element blocks: Q8_0 (q + 128 stored), Q4_0 (nibbles, zero point 8), Q5_0 -------
// (nibbles plus a 64-byte k-group of fifth bits: bit h of byte e is k-group h's, bit
// 4 + h k-group h + 4's; zero point 16), Q4_1 and Q5_1 (as Q4_0 and Q5_0 with an f16 min
// per block instead of a zero point: its share is m * dx * sum(qx), a second fma).

template <QuantType T, int R, int NH>
void dot32_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                  int64_t out_stride, int half0) {
  constexpr bool kMin = T == QuantType::kQ4_1 || T == QuantType::kQ5_1;
  constexpr bool kFifth = T == QuantType::kQ5_0 || T == QuantType::kQ5_1;
  constexpr int64_t kQs = kMin ? 64 : 32;
  constexpr int64_t kBlockBytes = kQs + (T == QuantType::kQ8_0 ? 8 : kFifth ? 5 : 4) * 64;
  // Q8_0 runs on the signed q (see the top), so its zero point is 0.
  constexpr int32_t kZero = T == QuantType::kQ8_0 ? 0 : kMin ? 0 : kFifth ? 16 : 8;
  const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
  __m256 acc[NH][R];
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) acc[i / R][i % R] = _mm256_setzero_ps();
  const bool prefetch = R == 1 && NH == 2 && T != QuantType::kQ8_0 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes, kPrefetchDistance32>(p);
    __m256i s[NH][R];
    if constexpr (T == QuantType::kQ8_0) {
#pragma GCC unroll 8
      for (int i = 0; i < NH * R; ++i) s[i / R][i % R] = _mm256_setzero_si256();
#pragma GCC unroll 8
      for (int kg = 0; kg < 8; ++kg) {
        __m256i q[NH], aq[NH];
#pragma GCC unroll 2
        for (int hh = 0; hh < NH; ++hh) {
          q[hh] = _mm256_xor_si256(load_half(p + kQs + 64 * kg, half0 + hh), _mm256_set1_epi8(-128));
          aq[hh] = _mm256_abs_epi8(q[hh]);
        }
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const __m256i x = bcast32(act32(act, stride, r)[b].qs + 4 * kg);
#pragma GCC unroll 2
          for (int hh = 0; hh < NH; ++hh)
            s[hh][r] = _mm256_add_epi32(s[hh][r], widen(dot16(aq[hh], _mm256_sign_epi8(x, q[hh]))));
        }
      }
    } else {
      __m256i hb[NH] = {};
      if constexpr (kFifth) {
#pragma GCC unroll 2
        for (int hh = 0; hh < NH; ++hh) hb[hh] = load_half(p + kQs + 4 * 64, half0 + hh);
      }
      __m256i s16[NH][R];
#pragma GCC unroll 8
      for (int i = 0; i < NH * R; ++i) s16[i / R][i % R] = _mm256_setzero_si256();
      // k-groups h (low nibbles) and h + 4 (high) share a load.
      auto pair = [&]<int h>() {
        __m256i lo[NH], hi[NH];
#pragma GCC unroll 2
        for (int hh = 0; hh < NH; ++hh) {
          const __m256i v = load_half(p + kQs + 64 * h, half0 + hh);
          lo[hh] = nibbles<0>(v, low4);
          hi[hh] = nibbles<1>(v, low4);
          if constexpr (kFifth) {
            lo[hh] = _mm256_or_si256(lo[hh], _mm256_and_si256(shift_bits<4 - h>(hb[hh]), bit4));
            hi[hh] = _mm256_or_si256(hi[hh], _mm256_and_si256(shift_bits<-h>(hb[hh]), bit4));
          }
        }
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const int8_t* x = act32(act, stride, r)[b].qs;
          const __m256i xl = bcast32(x + 4 * h), xh = bcast32(x + 16 + 4 * h);
#pragma GCC unroll 2
          for (int hh = 0; hh < NH; ++hh)
            s16[hh][r] = _mm256_add_epi16(s16[hh][r], _mm256_add_epi16(dot16(lo[hh], xl), dot16(hi[hh], xh)));
        }
      };
      pair.template operator()<0>();
      pair.template operator()<1>();
      if constexpr (kFifth) {
        // 4 pairs of 5-bit products are as many as int16 holds.
#pragma GCC unroll 8
        for (int i = 0; i < NH * R; ++i) {
          s[i / R][i % R] = widen(s16[i / R][i % R]);
          s16[i / R][i % R] = _mm256_setzero_si256();
        }
      }
      pair.template operator()<2>();
      pair.template operator()<3>();
#pragma GCC unroll 8
      for (int i = 0; i < NH * R; ++i) {
        if constexpr (kFifth) s[i / R][i % R] = _mm256_add_epi32(s[i / R][i % R], widen(s16[i / R][i % R]));
        else s[i / R][i % R] = widen(s16[i / R][i % R]);
      }
    }
#pragma GCC unroll 2
    for (int hh = 0; hh < NH; ++hh) {
      const int half = half0 + hh;
      const __m256 dw = half8(p + 16 * half);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const ActBlock32& a = act32(act, stride, r)[b];
        __m256i si = s[hh][r];
        if constexpr (kZero != 0) si = _mm256_add_epi32(si, _mm256_set1_epi32(-kZero * a.sum));
        const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(a.d));
        acc[hh][r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(si), scale, acc[hh][r]);
        if constexpr (kMin) {
          acc[hh][r] = _mm256_fmadd_ps(half8(p + 32 + 16 * half), _mm256_set1_ps(a.d * static_cast<float>(a.sum)),
                                       acc[hh][r]);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) _mm256_storeu_ps(out + (i % R) * out_stride + 8 * (half0 + i / R), acc[i / R][i % R]);
}

// ---- Q4_K and Q5_K -------------------------------------------------------------------
//
// Per block: d * sum_j sc_j (q . x)_j - dmin * sum_j mn_j bsum_j. The mins term goes first
// (vpmaddwd of (mn, mn) int16 pairs with the activation's pairs of 16-element sums). Q5_K
// is Q4_K with a fifth bit per weight, from its sub-block's 64 bytes of fifth bits. A
// sub-block's int16 sums are scaled by vpmaddwd with (sc, sc) pairs: sc (s_lo + s_hi),
// exactly the AVX-512 kernel's sc * s.

// A K-quant block's exact integer sums into the float accumulators, scaled by the
// weight's and the activation's block scales: one fma per output per block, in block order.
template <int R, int NH>
inline void add_block256(__m256 (*acc)[R], const __m256i (*isum)[R], const uint8_t* d, int half0,
                         const void* act, int64_t stride, int64_t b) {
#pragma GCC unroll 2
  for (int hh = 0; hh < NH; ++hh) {
    const __m256 dw = half8(d + 16 * (half0 + hh));
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(act256(act, stride, r)[b].d));
      acc[hh][r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[hh][r]), scale, acc[hh][r]);
    }
  }
}

template <int R, int NH, bool kFifth>
void q45_k_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                  int64_t out_stride, int half0) {
  constexpr int64_t kChunkBytes = (kFifth ? 8 + 2 : 8) * 64;
  constexpr int64_t kBlockBytes = 64 + 2 * 128 + 4 * kChunkBytes;
  const __m256i low4 = _mm256_set1_epi8(0x0F), bit4 = _mm256_set1_epi8(0x10);
  __m256 acc[NH][R];
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) acc[i / R][i % R] = _mm256_setzero_ps();
  const bool prefetch = R == 1 && NH == 2 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes>(p);
    __m256i m[NH][R];
#pragma GCC unroll 8
    for (int i = 0; i < NH * R; ++i) m[i / R][i % R] = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      __m256i mn[NH];
#pragma GCC unroll 2
      for (int hh = 0; hh < NH; ++hh) mn[hh] = scale_pairs(p + 192 + 16 * j + 8 * (half0 + hh), false);
      add_bsum_pairs<R, NH>(m, mn, act, stride, b, j);
    }
#pragma GCC unroll 2
    for (int hh = 0; hh < NH; ++hh) {
      const __m256 dm = half8(p + 32 + 16 * (half0 + hh));
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        const __m256 scale = _mm256_mul_ps(dm, _mm256_set1_ps(act256(act, stride, r)[b].d));
        acc[hh][r] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(m[hh][r]), scale, acc[hh][r]);
      }
    }
    __m256i isum[NH][R];
#pragma GCC unroll 8
    for (int i = 0; i < NH * R; ++i) isum[i / R][i % R] = _mm256_setzero_si256();
    // Sub-block j = 2c + hi: the low (hi = 0) or high nibbles of chunk c's 8 k-groups.
    auto sub_block = [&]<int hi>(int c) {
      const int j = 2 * c + hi;
      const uint8_t* q = p + 320 + kChunkBytes * c;
      __m256i sc[NH], h[NH] = {};
#pragma GCC unroll 2
      for (int hh = 0; hh < NH; ++hh) {
        sc[hh] = scale_pairs(p + 64 + 16 * j + 8 * (half0 + hh), false);
        if constexpr (kFifth) h[hh] = load_half(q + 8 * 64 + 64 * hi, half0 + hh);
      }
      __m256i s16[NH][R];
#pragma GCC unroll 8
      for (int i = 0; i < NH * R; ++i) s16[i / R][i % R] = _mm256_setzero_si256();
      auto kgroup = [&]<int kg>() {
        __m256i w[NH];
#pragma GCC unroll 2
        for (int hh = 0; hh < NH; ++hh) {
          w[hh] = nibbles<hi>(load_half(q + 64 * kg, half0 + hh), low4);
          if constexpr (kFifth) w[hh] = _mm256_or_si256(w[hh], _mm256_and_si256(shift_bits<4 - kg>(h[hh]), bit4));
        }
#pragma GCC unroll 8
        for (int r = 0; r < R; ++r) {
          const __m256i x = bcast32(act256(act, stride, r)[b].qs + 32 * j + 4 * kg);
#pragma GCC unroll 2
          for (int hh = 0; hh < NH; ++hh) s16[hh][r] = _mm256_add_epi16(s16[hh][r], dot16(w[hh], x));
        }
        // 5-bit: int16 holds 4 k-groups' pairs; 4-bit: all 8.
        if constexpr (kg == 7 || (kFifth && kg == 3)) {
#pragma GCC unroll 8
          for (int i = 0; i < NH * R; ++i) {
            isum[i / R][i % R] = _mm256_add_epi32(isum[i / R][i % R], _mm256_madd_epi16(s16[i / R][i % R], sc[i / R]));
            s16[i / R][i % R] = _mm256_setzero_si256();
          }
        }
      };
      [&]<int... kg>(std::integer_sequence<int, kg...>) {
        (kgroup.template operator()<kg>(), ...);
      }(std::make_integer_sequence<int, 8>{});
    };
    for (int c = 0; c < 4; ++c) {
      sub_block.template operator()<0>(c);
      sub_block.template operator()<1>(c);
    }
    add_block256<R, NH>(acc, isum, p, half0, act, stride, b);
  }
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) _mm256_storeu_ps(out + (i % R) * out_stride + 8 * (half0 + i / R), acc[i / R][i % R]);
}

// ---- Q6_K ---------------------------------------------------------------------------
//
// Unsigned 6-bit q with a -32 offset and an int8 scale per 16 elements. The offset's
// share, -32 sum_s sc_s bsum_s, starts the block's integer sum (vpmaddwd of the scale
// pairs (sc_2j, sc_2j+1) with the bsum pairs): the AVX-512 kernel's sum of
// sc_s (dot_s - 32 bsum_s), grouped otherwise.

template <int R, int NH>
void q6_k_packed(const uint8_t* g, const void* act, int64_t stride, int64_t blocks, float* out,
                 int64_t out_stride, int half0) {
  constexpr int64_t kBlockBytes = 32 + 256 + 32 * 64 + 16 * 64;
  const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
  __m256 acc[NH][R];
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) acc[i / R][i % R] = _mm256_setzero_ps();
  const bool prefetch = R == 1 && NH == 2 && decode_prefetch_enabled();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = g + b * kBlockBytes;
    if (prefetch) prefetch_ahead<kBlockBytes>(p);
    const uint8_t* scales = p + 32;  // scale s of row i at 16 s + i
    __m256i isum[NH][R];
#pragma GCC unroll 8
    for (int i = 0; i < NH * R; ++i) isum[i / R][i % R] = _mm256_setzero_si256();
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      __m256i sc[NH];
#pragma GCC unroll 2
      for (int hh = 0; hh < NH; ++hh) {
        const uint8_t* sp = scales + 32 * j + 8 * (half0 + hh);
        const __m256i lo = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sp)));
        const __m256i hi = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(sp + 16)));
        sc[hh] = _mm256_blend_epi16(lo, _mm256_slli_epi32(hi, 16), 0xAA);
      }
      add_bsum_pairs<R, NH>(isum, sc, act, stride, b, j);
    }
#pragma GCC unroll 8
    for (int i = 0; i < NH * R; ++i)
      isum[i / R][i % R] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(isum[i / R][i % R], 5));
    // Sub-block j = 2c + hi of 32 elements: nibbles as Q4_K, high bits from H(c, 2 hi + kg / 4)
    // bits 2 (kg % 4); scales s = 2j (k-groups 0..3) and 2j + 1 (4..7).
    auto sub_block = [&]<int hi>(int c) {
      const int j = 2 * c + hi;
      const uint8_t* q = p + 32 + 256 + 768 * c;  // chunk c: nibbles, then highs
      const uint8_t* hq = q + 8 * 64 + 64 * 2 * hi;
#pragma GCC unroll 2
      for (int quarter = 0; quarter < 2; ++quarter) {
        __m256i h[NH], sc[NH];
#pragma GCC unroll 2
        for (int hh = 0; hh < NH; ++hh) {
          h[hh] = load_half(hq + 64 * quarter, half0 + hh);
          sc[hh] = scale_pairs(scales + 16 * (2 * j + quarter) + 8 * (half0 + hh), true);
        }
        __m256i s16[NH][R];
        auto kgroup = [&]<int t>() {
          __m256i w[NH];
#pragma GCC unroll 2
          for (int hh = 0; hh < NH; ++hh) {
            const __m256i v = nibbles<hi>(load_half(q + 64 * (4 * quarter + t), half0 + hh), low4);
            w[hh] = _mm256_or_si256(v, _mm256_and_si256(shift_bits<4 - 2 * t>(h[hh]), bits45));
          }
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) {
            const __m256i x = bcast32(act256(act, stride, r)[b].qs + 32 * j + 16 * quarter + 4 * t);
#pragma GCC unroll 2
            for (int hh = 0; hh < NH; ++hh) {
              const __m256i d = dot16(w[hh], x);
              // 6-bit: int16 holds 2 k-groups' pairs.
              if constexpr (t % 2 == 0) {
                s16[hh][r] = d;
              } else {
                isum[hh][r] = _mm256_add_epi32(isum[hh][r], _mm256_madd_epi16(_mm256_add_epi16(s16[hh][r], d), sc[hh]));
              }
            }
          }
        };
        kgroup.template operator()<0>();
        kgroup.template operator()<1>();
        kgroup.template operator()<2>();
        kgroup.template operator()<3>();
      }
    };
    for (int c = 0; c < 4; ++c) {
      sub_block.template operator()<0>(c);
      sub_block.template operator()<1>(c);
    }
    add_block256<R, NH>(acc, isum, p, half0, act, stride, b);
  }
#pragma GCC unroll 8
  for (int i = 0; i < NH * R; ++i) _mm256_storeu_ps(out + (i % R) * out_stride + 8 * (half0 + i / R), acc[i / R][i % R]);
}

// ---- row tiling (tile_rows: quant_packed_common.h) ----------------------------------

// Halves of the group's rows per pass (kBothHalvesRows).
template <int R>
constexpr int kHalves = R <= kBothHalvesRows ? 2 : 1;

template <QuantType T>
struct Dot32 {
  template <int R>
  struct K {
    static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      for (int half = 0; half < 2; half += kHalves<R>) dot32_packed<T, R, kHalves<R>>(g, a, s, n, o, os, half);
    }
  };
};
template <bool kFifth>
struct Q45K {
  template <int R>
  struct K {
    static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      for (int half = 0; half < 2; half += kHalves<R>) q45_k_packed<R, kHalves<R>, kFifth>(g, a, s, n, o, os, half);
    }
  };
};
template <int R>
struct Q6K {
  static void run(const uint8_t* g, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
    for (int half = 0; half < 2; half += kHalves<R>) q6_k_packed<R, kHalves<R>>(g, a, s, n, o, os, half);
  }
};

constexpr int kMaxRows = kRows32 > kRowsK ? kRows32 : kRowsK;
static_assert(kMaxRows % kRows32 == 0 && kMaxRows % kRowsK == 0, "tiles of max_rows split evenly");

constexpr PackedQuantKernels make_table() {
  PackedQuantKernels t{kMaxRows, {}};
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

const PackedQuantKernels kPackedQuantAvx2 = make_table();

}  // namespace qwenrt::cpu
