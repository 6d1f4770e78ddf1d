// AVX2 matmul kernels: row-streaming GEMV and the GEMM pieces (8x8 transposing weight
// packing, 6x16 microkernel: 12 ymm accumulators + 2 weight vectors + 1 broadcast of 16
// registers). Same structure as matmul_avx512.cc; AVX2 lacks cheap masked loads, so
// tails go through small zero-padded buffers. Internal linkage only (kernel_tables.h).
#include <immintrin.h>

#include <cstdint>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

constexpr int kMr = 6;
constexpr int kNv = 2;
constexpr int kNr = 8 * kNv;

// GEMV: one weight row at a time, front to back (see matmul_avx512.cc), up to 2 x rows
// sharing each converted weight vector.
constexpr int kGemvMaxM = 2;
// Weight rows per cache block when several x row groups share them (L1-sized).
constexpr int64_t kGemvBlockBytes = 32 * 1024;

inline float bf16_bits_to_f32(uint16_t h) {
  return _mm_cvtss_f32(_mm_castsi128_ps(_mm_cvtsi32_si128(static_cast<int>(h) << 16)));
}

template <WeightType T>
inline float load_w1(const void* row, int64_t i) {
  if constexpr (T == WeightType::kF32) {
    return static_cast<const float*>(row)[i];
  } else if constexpr (T == WeightType::kBF16) {
    return bf16_bits_to_f32(static_cast<const uint16_t*>(row)[i]);
  } else {
    return _cvtsh_ss(static_cast<const uint16_t*>(row)[i]);
  }
}

// 8 weights of a row starting at element i, as F32.
template <WeightType T>
inline __m256 load_w(const void* row, int64_t i) {
  if constexpr (T == WeightType::kF32) {
    return _mm256_loadu_ps(static_cast<const float*>(row) + i);
  } else {
    const __m128i h =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(static_cast<const uint16_t*>(row) + i));
    if constexpr (T == WeightType::kBF16) {
      return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
    } else {
      return _mm256_cvtph_ps(h);
    }
  }
}

// Up to 8 weights (n of them, the rest zero) as F32.
template <WeightType T>
inline __m256 load_w_partial(const void* row, int64_t i, int64_t n) {
  alignas(32) float tmp[8] = {};
  for (int64_t j = 0; j < n; ++j) tmp[j] = load_w1<T>(row, i + j);
  return _mm256_load_ps(tmp);
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// ---------------------------------------------------------------------------------------
// GEMV: y[i][n] for M x rows against weight rows [n0, n1), one row at a time (see
// matmul_avx512.cc).

template <WeightType T, int M, int U, bool kPrefetch>
void gemv_rows(const float* x, int64_t k_len, const uint8_t* weights, int64_t row_bytes, int64_t n0,
               int64_t n1, const float* bias, float* y, int64_t ldy, int64_t prefetch_bytes) {
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* w = weights + n * row_bytes;
    __m256 acc[M][U];
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i)
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) acc[i][u] = _mm256_setzero_ps();
    constexpr int64_t kElementBytes = T == WeightType::kF32 ? 4 : 2;
    constexpr int kLinesPerStep = static_cast<int>(8 * U * kElementBytes / 64);
    static_assert(kLinesPerStep >= 1, "one step must cover a cache line");
    const char* prefetch = reinterpret_cast<const char*>(w) + prefetch_bytes;
    int64_t kk = 0;
    for (; kk + 8 * U <= k_len; kk += 8 * U) {
      if constexpr (kPrefetch) {
#pragma GCC unroll 8
        for (int j = 0; j < kLinesPerStep; ++j) {
          _mm_prefetch(prefetch + kk * kElementBytes + 64 * j, _MM_HINT_T1);
        }
      }
      __m256 wv[U];
#pragma GCC unroll 8
      for (int u = 0; u < U; ++u) wv[u] = load_w<T>(w, kk + 8 * u);
#pragma GCC unroll 8
      for (int i = 0; i < M; ++i)
#pragma GCC unroll 8
        for (int u = 0; u < U; ++u) {
          acc[i][u] =
              _mm256_fmadd_ps(_mm256_loadu_ps(x + i * k_len + kk + 8 * u), wv[u], acc[i][u]);
        }
    }
    for (; kk + 8 <= k_len; kk += 8) {
      const __m256 wv = load_w<T>(w, kk);
#pragma GCC unroll 8
      for (int i = 0; i < M; ++i) {
        acc[i][0] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i * k_len + kk), wv, acc[i][0]);
      }
    }
#pragma GCC unroll 8
    for (int i = 0; i < M; ++i) {
#pragma GCC unroll 8
      for (int u = 1; u < U; ++u) acc[i][0] = _mm256_add_ps(acc[i][0], acc[i][u]);
      float s = hsum(acc[i][0]);
      for (int64_t t = kk; t < k_len; ++t) s += x[i * k_len + t] * load_w1<T>(w, t);
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
      if (m - i == 1) {
        gemv_rows<T, 1, 4, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                      prefetch_bytes);
      } else {
        gemv_rows<T, 2, 4, kPrefetch>(xi, k_len, wb, row_bytes, nb, ne, bias, yi, ldy,
                                      prefetch_bytes);
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
// GEMM packing

// r[j][i] <- r[i][j] for an 8x8 F32 tile.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], s[8];
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  // s[4g + j], 128-bit lane L: column 4L + j of rows 4g .. 4g + 3.
#pragma GCC unroll 2
  for (int g = 0; g < 2; ++g) {
    s[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    s[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xee);
    s[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    s[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xee);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    r[j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x20);
    r[4 + j] = _mm256_permute2f128_ps(s[j], s[4 + j], 0x31);
  }
}

template <WeightType T>
void pack_b_typed(const void* w, int64_t row_bytes, int64_t n0, int64_t nc, int64_t k0, int64_t kc,
                  float* packed) {
  const uint8_t* wb = static_cast<const uint8_t*>(w);
  for (int64_t p = 0; p * kNr < nc; ++p) {
    float* panel = packed + p * kc * kNr;
    for (int g = 0; g < kNv; ++g) {
      const int64_t row0 = p * kNr + g * 8;
      const int64_t valid = nc - row0 < 8 ? nc - row0 : 8;
      float* dst = panel + g * 8;
      if (valid <= 0) {
        for (int64_t kk = 0; kk < kc; ++kk) _mm256_store_ps(dst + kk * kNr, _mm256_setzero_ps());
        continue;
      }
      const uint8_t* rows = wb + (n0 + row0) * row_bytes;
      for (int64_t kk = 0; kk < kc; kk += 8) {
        const int64_t kn = kc - kk < 8 ? kc - kk : 8;
        __m256 r[8];
        if (kn == 8 && valid == 8) {
#pragma GCC unroll 8
          for (int j = 0; j < 8; ++j) r[j] = load_w<T>(rows + j * row_bytes, k0 + kk);
        } else {
          for (int j = 0; j < 8; ++j) {
            r[j] = j < valid ? load_w_partial<T>(rows + j * row_bytes, k0 + kk, kn)
                             : _mm256_setzero_ps();
          }
        }
        transpose8(r);
        for (int j = 0; j < kn; ++j) _mm256_store_ps(dst + (kk + j) * kNr, r[j]);
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
// GEMM microkernel on a full kMr x kNr tile of c (edge tiles go through a buffer).

void micro_kernel(int64_t kc, const float* a, const float* b, float* c, int64_t ldc,
                  const float* bias, bool accumulate) {
  __m256 acc[kMr][kNv];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < kNv; ++v) {
      acc[i][v] = accumulate ? _mm256_loadu_ps(c + i * ldc + 8 * v) : _mm256_setzero_ps();
    }
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m256 b0 = _mm256_load_ps(b + kk * kNr), b1 = _mm256_load_ps(b + kk * kNr + 8);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + kk * kMr + i);
      acc[i][0] = _mm256_fmadd_ps(av, b0, acc[i][0]);
      acc[i][1] = _mm256_fmadd_ps(av, b1, acc[i][1]);
    }
  }
  if (bias != nullptr) {
#pragma GCC unroll 2
    for (int v = 0; v < kNv; ++v) {
      const __m256 bb = _mm256_loadu_ps(bias + 8 * v);
#pragma GCC unroll 8
      for (int i = 0; i < kMr; ++i) acc[i][v] = _mm256_add_ps(acc[i][v], bb);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < kNv; ++v) _mm256_storeu_ps(c + i * ldc + 8 * v, acc[i][v]);
}

void gemm_block(const float* a, int64_t a_panel_stride, int64_t m, int64_t kc, const float* b,
                int64_t nc, const float* bias, bool accumulate, float* c, int64_t ldc) {
  for (int64_t ir = 0; ir < m; ir += kMr) {
    const float* ap = a + (ir / kMr) * a_panel_stride;
    const int64_t rows = m - ir < kMr ? m - ir : kMr;
    for (int64_t jr = 0; jr < nc; jr += kNr) {
      const int64_t cols = nc - jr < kNr ? nc - jr : kNr;
      const float* bp = b + (jr / kNr) * kc * kNr;
      float* ct = c + ir * ldc + jr;
      const float* bt = bias != nullptr ? bias + jr : nullptr;
      if (rows == kMr && cols == kNr) {
        micro_kernel(kc, ap, bp, ct, ldc, bt, accumulate);
        continue;
      }
      float tile[kMr * kNr] = {};
      float bias_tile[kNr] = {};
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) tile[i * kNr + j] = ct[i * ldc + j];
      for (int64_t j = 0; bt != nullptr && j < cols; ++j) bias_tile[j] = bt[j];
      micro_kernel(kc, ap, bp, tile, kNr, bt != nullptr ? bias_tile : nullptr, accumulate);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) ct[i * ldc + j] = tile[i * kNr + j];
    }
  }
}

}  // namespace

extern const MatmulKernels kMatmulAvx2;
const MatmulKernels kMatmulAvx2{gemv, kMr, kNr, pack_b, gemm_block};

}  // namespace qwenrt::cpu
