// AVX-512 matmul kernels: the decode GEMV that streams weight rows once, and the GEMM
// pieces (weight panel packing to F32, 6x64 register-blocked microkernel) that
// matmul.cc drives. Compiled with the AVX-512 flags; everything here has internal
// linkage except the table (see kernel_tables.h for why).
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_* values (GCC bug
// 105593, fixed in GCC 13); the warnings point into the header, not at this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

// GEMM micro-tile: 6 rows of x by 64 weight rows = 24 zmm accumulators, plus 4 weight
// vectors and 1 broadcast (29 of 32 registers). Per k step: 4 vector loads and 6
// broadcasts feed 24 FMAs, so the FMA unit, not the loads, is the limit. Zen 4 (one zmm
// FMA per cycle): ~85% of the measured FMA peak at m = 512. On an Intel Xeon with two
// zmm FMA ports, 12x32, 14x32 and 8x48 tiles measured no better than this one (50-63% of
// its 2-thread peak either way).
constexpr int kMr = 6;
constexpr int kNv = 4;
constexpr int kNr = 16 * kNv;

// GEMV: one weight row at a time, read front to back. Interleaving several rows (to
// share x loads) measured up to 2x slower from DRAM on Zen 4: the prefetchers follow one
// sequential stream far better than four. Up to 4 x rows share each converted weight.
constexpr int kGemvMaxM = 4;
// Weight rows per cache block when several x row groups share them (L1-sized).
constexpr int64_t kGemvBlockBytes = 32 * 1024;

inline __mmask16 lane_mask(int64_t n) {
  return n >= 16  ? static_cast<__mmask16>(0xffff)
         : n <= 0 ? static_cast<__mmask16>(0)
                  : static_cast<__mmask16>((1u << n) - 1);
}

// 16 weights of a row starting at element i, as F32.
template <WeightType T>
inline __m512 load_w(const void* row, int64_t i) {
  if constexpr (T == WeightType::kF32) {
    return _mm512_loadu_ps(static_cast<const float*>(row) + i);
  } else {
    const __m256i h =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(static_cast<const uint16_t*>(row) + i));
    if constexpr (T == WeightType::kBF16) {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    } else {
      return _mm512_cvtph_ps(h);
    }
  }
}

// As load_w, for the lanes in `mask` (others zero, never read from memory).
template <WeightType T>
inline __m512 load_w_masked(const void* row, int64_t i, __mmask16 mask) {
  if constexpr (T == WeightType::kF32) {
    return _mm512_maskz_loadu_ps(mask, static_cast<const float*>(row) + i);
  } else {
    const __m256i h = _mm256_maskz_loadu_epi16(mask, static_cast<const uint16_t*>(row) + i);
    if constexpr (T == WeightType::kBF16) {
      return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    } else {
      return _mm512_cvtph_ps(h);
    }
  }
}

// ---------------------------------------------------------------------------------------
// GEMV: y[i][n] for M x rows against weight rows [n0, n1), one row at a time, dot
// products along k. U independent accumulators per x row keep at least four FMA chains
// in flight. The row loop lives here, not in the caller: a call per 1-2 KB row cost ~8%.

template <WeightType T, int M, int U, bool kPrefetch>
void gemv_rows(const float* x, int64_t k_len, const uint8_t* weights, int64_t row_bytes, int64_t n0,
               int64_t n1, const float* bias, float* y, int64_t ldy, int64_t prefetch_bytes) {
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* w = weights + n * row_bytes;
    __m512 acc[M][U];
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i)
#pragma GCC unroll 16
      for (int u = 0; u < U; ++u) acc[i][u] = _mm512_setzero_ps();

    constexpr int64_t kElementBytes = T == WeightType::kF32 ? 4 : 2;
    constexpr int kLinesPerStep = static_cast<int>(16 * U * kElementBytes / 64);
    static_assert(kLinesPerStep >= 1, "one step must cover a cache line");
    const char* prefetch = reinterpret_cast<const char*>(w) + prefetch_bytes;
    int64_t kk = 0;
    for (; kk + 16 * U <= k_len; kk += 16 * U) {
      if constexpr (kPrefetch) {
#pragma GCC unroll 16
        for (int j = 0; j < kLinesPerStep; ++j) {
          _mm_prefetch(prefetch + kk * kElementBytes + 64 * j, _MM_HINT_T1);
        }
      }
      __m512 wv[U];
#pragma GCC unroll 16
      for (int u = 0; u < U; ++u) wv[u] = load_w<T>(w, kk + 16 * u);
#pragma GCC unroll 16
      for (int i = 0; i < M; ++i)
#pragma GCC unroll 16
        for (int u = 0; u < U; ++u) {
          acc[i][u] =
              _mm512_fmadd_ps(_mm512_loadu_ps(x + i * k_len + kk + 16 * u), wv[u], acc[i][u]);
        }
    }
    for (; kk < k_len; kk += 16) {
      const __mmask16 mask = lane_mask(k_len - kk);
      const __m512 wv = load_w_masked<T>(w, kk, mask);
#pragma GCC unroll 16
      for (int i = 0; i < M; ++i) {
        acc[i][0] = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mask, x + i * k_len + kk), wv, acc[i][0]);
      }
    }
#pragma GCC unroll 16
    for (int i = 0; i < M; ++i) {
#pragma GCC unroll 16
      for (int u = 1; u < U; ++u) acc[i][0] = _mm512_add_ps(acc[i][0], acc[i][u]);
      float s = _mm512_reduce_add_ps(acc[i][0]);
      if (bias != nullptr) s += bias[n];
      y[i * ldy + n] = s;
    }
  }
}

template <WeightType T, bool kPrefetch>
void gemv_typed(const float* x, int64_t m, int64_t k_len, const void* w, int64_t row_bytes,
                int64_t n0, int64_t n1, const float* bias, float* y, int64_t ldy,
                int64_t prefetch_bytes) {
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  // x rows go in groups of up to kGemvMaxM. With several groups, weight rows go in
  // blocks that stay in cache while every group passes over them.
  int64_t block = n1 - n0;
  if (m > kGemvMaxM) block = kGemvBlockBytes / (row_bytes > 0 ? row_bytes : 1) + 1;
  for (int64_t nb = n0; nb < n1; nb += block) {
    const int64_t ne = n1 - nb < block ? n1 : nb + block;
    for (int64_t i = 0; i < m; i += kGemvMaxM) {
      const float* xi = x + i * k_len;
      float* yi = y + i * ldy;
      switch (m - i) {
        case 1:
          gemv_rows<T, 1, 4, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                        prefetch_bytes);
          break;
        case 2:
          gemv_rows<T, 2, 2, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                        prefetch_bytes);
          break;
        case 3:
          gemv_rows<T, 3, 2, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                        prefetch_bytes);
          break;
        default:
          gemv_rows<T, 4, 2, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                        prefetch_bytes);
          break;
      }
    }
  }
}

template <bool kPrefetch>
void gemv_for_type(const float* x, int64_t m, int64_t k_len, WeightType type, const void* w,
                   int64_t row_bytes, int64_t n0, int64_t n1, const float* bias, float* y,
                   int64_t ldy, int64_t prefetch_bytes) {
  switch (type) {
    case WeightType::kF32:
      return gemv_typed<WeightType::kF32, kPrefetch>(x, m, k_len, w, row_bytes, n0, n1, bias, y,
                                                     ldy, prefetch_bytes);
    case WeightType::kBF16:
      return gemv_typed<WeightType::kBF16, kPrefetch>(x, m, k_len, w, row_bytes, n0, n1, bias, y,
                                                      ldy, prefetch_bytes);
    case WeightType::kF16:
      return gemv_typed<WeightType::kF16, kPrefetch>(x, m, k_len, w, row_bytes, n0, n1, bias, y,
                                                     ldy, prefetch_bytes);
  }
}

void gemv(const float* x, int64_t m, int64_t k_len, WeightType type, const void* w,
          int64_t row_bytes, int64_t n0, int64_t n1, const float* bias, float* y, int64_t ldy,
          int64_t prefetch_bytes) {
  if (prefetch_bytes > 0) {
    gemv_for_type<true>(x, m, k_len, type, w, row_bytes, n0, n1, bias, y, ldy, prefetch_bytes);
  } else {
    gemv_for_type<false>(x, m, k_len, type, w, row_bytes, n0, n1, bias, y, ldy, 0);
  }
}

// ---------------------------------------------------------------------------------------
// GEMM packing: weight rows are k-contiguous, the microkernel wants n-contiguous
// vectors, so packing transposes 16x16 tiles in registers while converting to F32.

// r[j][i] <- r[i][j] for a 16x16 F32 tile held in 16 registers.
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  // Interleave row pairs: t[2i], t[2i+1] hold rows 2i, 2i+1 element-interleaved.
#pragma GCC unroll 16
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // s[4g + j], 128-bit lane L: column 4L + j of rows 4g .. 4g + 3.
  __m512 s[16];
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    s[4 * g + 0] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    s[4 * g + 1] = _mm512_shuffle_ps(t[4 * g], t[4 * g + 2], 0xee);
    s[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    s[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xee);
  }
  // For each j, transpose the 4x4 grid of 128-bit lanes (row group g, lane L) of
  // s[j], s[4 + j], s[8 + j], s[12 + j]; column 4L + j comes out whole.
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 p0 = _mm512_shuffle_f32x4(s[j], s[4 + j], 0x88);
    const __m512 p1 = _mm512_shuffle_f32x4(s[j], s[4 + j], 0xdd);
    const __m512 p2 = _mm512_shuffle_f32x4(s[8 + j], s[12 + j], 0x88);
    const __m512 p3 = _mm512_shuffle_f32x4(s[8 + j], s[12 + j], 0xdd);
    r[0 + j] = _mm512_shuffle_f32x4(p0, p2, 0x88);
    r[4 + j] = _mm512_shuffle_f32x4(p1, p3, 0x88);
    r[8 + j] = _mm512_shuffle_f32x4(p0, p2, 0xdd);
    r[12 + j] = _mm512_shuffle_f32x4(p1, p3, 0xdd);
  }
}

template <WeightType T>
void pack_b_typed(const void* w, int64_t row_bytes, int64_t n0, int64_t nc, int64_t k0, int64_t kc,
                  float* packed) {
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  for (int64_t p = 0; p * kNr < nc; ++p) {
    float* panel = packed + p * kc * kNr;
    for (int g = 0; g < kNv; ++g) {
      const int64_t row0 = p * kNr + g * 16;
      const int64_t valid = nc - row0 < 16 ? nc - row0 : 16;
      float* dst = panel + g * 16;
      if (valid <= 0) {
        for (int64_t kk = 0; kk < kc; ++kk) _mm512_store_ps(dst + kk * kNr, _mm512_setzero_ps());
        continue;
      }
      const uint8_t* rows = wb + (n0 + row0) * row_bytes;
      for (int64_t kk = 0; kk < kc; kk += 16) {
        const int64_t kn = kc - kk < 16 ? kc - kk : 16;
        __m512 r[16];
        if (kn == 16 && valid == 16) {
#pragma GCC unroll 16
          for (int j = 0; j < 16; ++j) r[j] = load_w<T>(rows + j * row_bytes, k0 + kk);
        } else {
          const __mmask16 mask = lane_mask(kn);
#pragma GCC unroll 16
          for (int j = 0; j < 16; ++j) {
            r[j] = j < valid ? load_w_masked<T>(rows + j * row_bytes, k0 + kk, mask)
                             : _mm512_setzero_ps();
          }
        }
        transpose16(r);
#pragma GCC unroll 16
        for (int j = 0; j < 16; ++j) {
          if (j < kn) _mm512_store_ps(dst + (kk + j) * kNr, r[j]);
        }
      }
    }
  }
}

void pack_b(WeightType type, const void* w, int64_t row_bytes, int64_t n0, int64_t nc, int64_t k0,
            int64_t kc, float* packed) {
  switch (type) {
    case WeightType::kF32:
      return pack_b_typed<WeightType::kF32>(w, row_bytes, n0, nc, k0, kc, packed);
    case WeightType::kBF16:
      return pack_b_typed<WeightType::kBF16>(w, row_bytes, n0, nc, k0, kc, packed);
    case WeightType::kF16:
      return pack_b_typed<WeightType::kF16>(w, row_bytes, n0, nc, k0, kc, packed);
  }
}

// ---------------------------------------------------------------------------------------
// GEMM microkernel: a kMr x kNr tile of c over one k block, all in registers.

void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
                  int64_t cols, const float* bias, bool accumulate) {
  __mmask16 mask[kNv];
#pragma GCC unroll 4
  for (int v = 0; v < kNv; ++v) mask[v] = lane_mask(cols - 16 * v);

  __m512 acc[kMr][kNv];
#pragma GCC unroll 16
  for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) {
      acc[i][v] = accumulate && i < rows ? _mm512_maskz_loadu_ps(mask[v], c + i * ldc + 16 * v)
                                         : _mm512_setzero_ps();
    }

  for (int64_t kk = 0; kk < kc; ++kk) {
    __m512 bv[kNv];
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) bv[v] = _mm512_load_ps(b + kk * kNr + 16 * v);
#pragma GCC unroll 16
    for (int i = 0; i < kMr; ++i) {
      const __m512 av = _mm512_set1_ps(a[kk * kMr + i]);
#pragma GCC unroll 4
      for (int v = 0; v < kNv; ++v) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
    }
  }

  if (bias != nullptr) {
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) {
      const __m512 bb = _mm512_maskz_loadu_ps(mask[v], bias + 16 * v);
#pragma GCC unroll 16
      for (int i = 0; i < kMr; ++i) acc[i][v] = _mm512_add_ps(acc[i][v], bb);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < kMr; ++i) {
    if (i >= rows) break;
#pragma GCC unroll 4
    for (int v = 0; v < kNv; ++v) _mm512_mask_storeu_ps(c + i * ldc + 16 * v, mask[v], acc[i][v]);
  }
}

// Row panels outer, weight panels inner: the x panel (kMr x kc) stays in L1 while the
// packed weight block streams from L2.
void gemm_block(const float* a, int64_t a_panel_stride, int64_t m, int64_t kc, const float* b,
                int64_t nc, const float* bias, bool accumulate, float* c, int64_t ldc) {
  for (int64_t ir = 0; ir < m; ir += kMr) {
    const float* ap = a + (ir / kMr) * a_panel_stride;
    for (int64_t jr = 0; jr < nc; jr += kNr) {
      if (ir + kMr < m) {
        // Prefetch the next x panel (kc x kMr floats, in L3 when x is large) into L2,
        // spread over this panel's weight tiles (Intel Xeon, 896x4864, m = 512:
        // 184 -> 199 GFLOP/s).
        const int64_t lines = (kc * kMr * 4 + 63) / 64, tiles = (nc + kNr - 1) / kNr;
        const int64_t per = (lines + tiles - 1) / tiles, first = (jr / kNr) * per;
        const char* next = reinterpret_cast<const char*>(ap + a_panel_stride);
        for (int64_t l = first; l < first + per && l < lines; ++l)
          _mm_prefetch(next + 64 * l, _MM_HINT_T1);
      }
      micro_kernel(kc, ap, b + (jr / kNr) * kc * kNr, c + ir * ldc + jr, ldc, m - ir, nc - jr,
                   bias != nullptr ? bias + jr : nullptr, accumulate);
    }
  }
}

}  // namespace

extern const MatmulKernels kMatmulAvx512;
const MatmulKernels kMatmulAvx512{gemv, kMr, kNr, pack_b, gemm_block};

}  // namespace qwenrt::cpu
