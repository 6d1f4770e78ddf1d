// Integer-dot quantized kernels on 256-bit vectors, shared by quant_dot_avx2.cc and
// quant_dot_avx512.cc. Include it only from those files, inside their anonymous
// namespace, after defining the hooks each target implements:
//   __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s);  // acc + sum of 4 u8*s8 per i32
//   __m256i dot_i16(__m256i acc, __m256i a, __m256i b);   // acc + sum of 2 i16*i16 per i32
//   __m256i fifth_bits(uint32_t bits);                    // byte i = 0x10 if bit i set
//   constexpr bool kSaturatingDot;  // dot_u8s8 saturates pairs at int16 (AVX2)
// (AVX-512 VNNI: vpdpbusd / vpdpwssd / a masked move; AVX2: vpmaddubsw + vpmaddwd.)
// Everything here has internal linkage: each ISA file gets its own copy.
// Also kMaxRows: the most activation rows one dot call takes (4 or 8).
//
// Each dot kernel is a template over R, the number of activation rows sharing one pass
// over the weight row: a weight block is unpacked once and used R times. Row r's
// arithmetic (integer block sums, float scale, accumulation order, final reduction) is
// the same for every R, so a row's result does not depend on the batch around it.
//
// The unsigned-times-signed instructions need one unsigned operand. K-quants: their
// quants are unsigned before the offset / min, which is then removed exactly in integers
// with the activation sums (bsums); no int16 product pair exceeds 2 * 63 * 127.
// 32-element types: see below.

constexpr int64_t kQ8_0Bytes = 34, kQ4_0Bytes = 18, kQ4_1Bytes = 20, kQ5_0Bytes = 22,
                  kQ5_1Bytes = 24, kQ4_KBytes = 144, kQ5_KBytes = 176, kQ6_KBytes = 210;

inline float half_at(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

inline uint32_t u32_at(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline __m256i load256(const void* p) {
  return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// A fixed reduction order: 8 lanes -> 4 -> 2 -> 1.
inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline const ActBlock32* act32(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock32*>(static_cast<const uint8_t*>(act) + r * stride);
}
inline const ActBlock256* act256(const void* act, int64_t stride, int r) {
  return reinterpret_cast<const ActBlock256*>(static_cast<const uint8_t*>(act) + r * stride);
}

// 16 packed nibbles -> 32 bytes: low nibbles (elements 0..15), then high (16..31).
inline __m256i unpack_nibbles16(const uint8_t* p) {
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// ---- 32-element blocks -------------------------------------------------------------
//
// Here the weights are the signed operand and the activations the unsigned one, offset
// by 128 (x ^ 0x80 = x + 128): sum (x + 128) w = sum x w + 128 sum w, and the second term
// depends on the weight block only, so it is subtracted once per block, by starting the
// accumulation from -128 sum w, instead of once per activation row. Where the target's
// unsigned-times-signed product saturates at int16 (AVX2's vpmaddubsw; only Q8_0's full
// int8 range reaches it), Q8_0 moves the weight's sign onto x instead (|w| * sign(x, w)).

// Weight block b of a 32-element type, unpacked to signed bytes (q - offset, or q).
struct Block32 {
  __m256i w;          // signed weights (Q8_0 on a saturating target: |w|)
  __m256i sign;       // Q8_0 on a saturating target: the weights, whose signs move onto x
  __m256i start;      // -128 * sum of w per int32 lane (zero on the sign path)
  __m256 d;           // the block's scale, broadcast
  float m;            // Q4_1 / Q5_1 offset
};

// Q8_0 on a target whose unsigned x signed products may saturate.
template <QuantType T>
constexpr bool uses_sign_path() {
  return T == QuantType::kQ8_0 && kSaturatingDot;
}

template <QuantType T>
inline Block32 load_block32(const uint8_t* w, int64_t b) {
  Block32 k{};
  const uint8_t* p;
  if constexpr (T == QuantType::kQ8_0) {
    p = w + b * kQ8_0Bytes;
    k.w = load256(p + 2);
  } else if constexpr (T == QuantType::kQ4_0) {
    p = w + b * kQ4_0Bytes;
    k.w = _mm256_sub_epi8(unpack_nibbles16(p + 2), _mm256_set1_epi8(8));
  } else if constexpr (T == QuantType::kQ4_1) {
    p = w + b * kQ4_1Bytes;
    k.m = half_at(p + 2);
    k.w = unpack_nibbles16(p + 4);
  } else if constexpr (T == QuantType::kQ5_0) {
    p = w + b * kQ5_0Bytes;
    const __m256i q = _mm256_or_si256(unpack_nibbles16(p + 6), fifth_bits(u32_at(p + 2)));
    k.w = _mm256_sub_epi8(q, _mm256_set1_epi8(16));
  } else {
    static_assert(T == QuantType::kQ5_1);
    p = w + b * kQ5_1Bytes;
    k.m = half_at(p + 2);
    k.w = _mm256_or_si256(unpack_nibbles16(p + 8), fifth_bits(u32_at(p + 4)));
  }
  k.d = _mm256_set1_ps(half_at(p));
  if constexpr (uses_sign_path<T>()) {
    k.sign = k.w;
    k.w = _mm256_abs_epi8(k.w);
  } else {
    const __m256i sum128 = dot_u8s8(_mm256_setzero_si256(), _mm256_set1_epi8(static_cast<char>(0x80)), k.w);
    k.start = _mm256_sub_epi32(_mm256_setzero_si256(), sum128);
  }
  return k;
}

template <QuantType T, int R>
void dot32_rows(const uint8_t* w, const void* act, int64_t act_stride, int64_t blocks,
                float* out, int64_t out_stride) {
  const __m256i bias128 = _mm256_set1_epi8(static_cast<char>(0x80));
  __m256 acc[R];
  float offset_acc[R];  // Q4_1 / Q5_1: sum of m * dx * sum(qs)
  for (int r = 0; r < R; ++r) {
    acc[r] = _mm256_setzero_ps();
    offset_acc[r] = 0.0f;
  }
  for (int64_t b = 0; b < blocks; ++b) {
    const Block32 k = load_block32<T>(w, b);
    for (int r = 0; r < R; ++r) {
      const ActBlock32& a = act32(act, act_stride, r)[b];
      __m256i lanes;
      if constexpr (uses_sign_path<T>()) {
        lanes = dot_u8s8(_mm256_setzero_si256(), k.w, _mm256_sign_epi8(load256(a.qs), k.sign));
      } else {
        lanes = dot_u8s8(k.start, _mm256_xor_si256(load256(a.qs), bias128), k.w);
      }
      const __m256 scale = _mm256_mul_ps(k.d, _mm256_broadcast_ss(&a.d));
      acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(lanes), scale, acc[r]);
      if constexpr (T == QuantType::kQ4_1 || T == QuantType::kQ5_1)
        offset_acc[r] = std::fma(k.m, a.d * static_cast<float>(a.sum), offset_acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r * out_stride] = hsum(acc[r]) + offset_acc[r];
}

// ---- K-quants ----------------------------------------------------------------------

// The 8 six-bit scales and mins of a Q4_K / Q5_K block as int16 (scales in the low four
// lanes' bytes, as 8 x int16 in a 128-bit register each).
inline void k4_scales_mins(const uint8_t* packed, __m128i* scales, __m128i* mins) {
  const uint32_t a0 = u32_at(packed), a1 = u32_at(packed + 4), a2 = u32_at(packed + 8);
  const uint32_t sc_lo = a0 & 0x3f3f3f3fu;
  const uint32_t sc_hi = (a2 & 0x0f0f0f0fu) | (((a0 >> 6) & 0x03030303u) << 4);
  const uint32_t mn_lo = a1 & 0x3f3f3f3fu;
  const uint32_t mn_hi = ((a2 >> 4) & 0x0f0f0f0fu) | (((a1 >> 6) & 0x03030303u) << 4);
  *scales = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(sc_hi), static_cast<int>(sc_lo)));
  *mins = _mm_cvtepu8_epi16(_mm_set_epi32(0, 0, static_cast<int>(mn_hi), static_cast<int>(mn_lo)));
}

// int16 lane j of a 128-bit register broadcast over all 16 int16 lanes of 256 bits.
inline __m256i broadcast_i16(__m256i both_halves, int j) {
  static constexpr int16_t kSel[8] = {0x0100, 0x0302, 0x0504, 0x0706, 0x0908, 0x0b0a, 0x0d0c, 0x0f0e};
  return _mm256_shuffle_epi8(both_halves, _mm256_set1_epi16(kSel[j]));
}

// Q4_K / Q5_K: per sub-block j of 32, sc_j * sum q x in int32 lanes; the mins term
// min_j * sum x from bsums. kHigh: Q5_K's fifth bits.
template <bool kHigh, int R>
void dot_k4_rows(const uint8_t* w, const void* act, int64_t act_stride, int64_t blocks,
                 float* out, int64_t out_stride) {
  const int64_t block_bytes = kHigh ? kQ5_KBytes : kQ4_KBytes;
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  __m256 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = w + b * block_bytes;
    const float d = half_at(p), dmin = half_at(p + 2);
    __m128i sc128, mn128;
    k4_scales_mins(p + 4, &sc128, &mn128);
    const __m256i scales = _mm256_broadcastsi128_si256(sc128);
    // Each min twice, matching bsums' pairs of 16 per sub-block.
    const __m256i mins = _mm256_set_m128i(_mm_unpackhi_epi16(mn128, mn128), _mm_unpacklo_epi16(mn128, mn128));
    const uint8_t* qs = p + (kHigh ? 48 : 16);
    __m256i qh = _mm256_setzero_si256();
    if constexpr (kHigh) qh = load256(p + 16);
    __m256i isum[R];
    for (int r = 0; r < R; ++r) isum[r] = _mm256_setzero_si256();
    for (int c = 0; c < 4; ++c) {
      const __m256i v = load256(qs + 32 * c);
      __m256i lo = _mm256_and_si256(v, low4);
      __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low4);
      if constexpr (kHigh) {
        const __m256i bit = _mm256_set1_epi8(1);
        const __m256i hl = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c), bit);
        const __m256i hh = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * c + 1), bit);
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(hl, 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(hh, 4));
      }
      const __m256i s_lo = broadcast_i16(scales, 2 * c), s_hi = broadcast_i16(scales, 2 * c + 1);
      for (int r = 0; r < R; ++r) {
        const int8_t* x = act256(act, act_stride, r)[b].qs + 64 * c;
        isum[r] = dot_i16(isum[r], _mm256_maddubs_epi16(lo, load256(x)), s_lo);
        isum[r] = dot_i16(isum[r], _mm256_maddubs_epi16(hi, load256(x + 32)), s_hi);
      }
    }
    for (int r = 0; r < R; ++r) {
      const ActBlock256& a = act256(act, act_stride, r)[b];
      const __m256i msum = _mm256_madd_epi16(load256(a.bsums), mins);
      acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[r]), _mm256_set1_ps(d * a.d), acc[r]);
      acc[r] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(msum), _mm256_set1_ps(dmin * a.d), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r * out_stride] = hsum(acc[r]);
}

// Q6_K: two halves of 128; group g (0..3) of 32 takes low / high nibbles of ql[0..32) or
// ql[32..64) and bits 2g, 2g+1 of qh; one int8 scale per 16 elements, in element order.
template <int R>
void dot_q6_k_rows(const uint8_t* w, const void* act, int64_t act_stride, int64_t blocks,
                   float* out, int64_t out_stride) {
  const __m256i low4 = _mm256_set1_epi8(0x0F), bits45 = _mm256_set1_epi8(0x30);
  // Shuffles picking int16 scale 2g in the low 128 bits and 2g + 1 in the high 128 bits.
  __m256i scale_sel[4];
  for (int g = 0; g < 4; ++g)
    scale_sel[g] = _mm256_set_m128i(_mm_set1_epi16(static_cast<int16_t>((4 * g + 3) << 8 | (4 * g + 2))),
                                    _mm_set1_epi16(static_cast<int16_t>((4 * g + 1) << 8 | (4 * g))));
  __m256 acc[R];
  for (int r = 0; r < R; ++r) acc[r] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const uint8_t* p = w + b * kQ6_KBytes;
    const float d = half_at(p + 208);
    const __m128i sc8 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 192));
    const __m256i scales16 = _mm256_cvtepi8_epi16(sc8);  // all 16 scales as int16
    __m256i isum[R];
    for (int r = 0; r < R; ++r) {
      // The -32 offset: 32 * sum_g sc_g * bsum_g, subtracted up front.
      const __m256i off = _mm256_madd_epi16(scales16, load256(act256(act, act_stride, r)[b].bsums));
      isum[r] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(off, 5));
    }
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = p + 64 * h;
      const __m256i v0 = load256(ql), v1 = load256(ql + 32), hq = load256(p + 128 + 32 * h);
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(v0, low4), _mm256_and_si256(_mm256_slli_epi16(hq, 4), bits45)),
          _mm256_or_si256(_mm256_and_si256(v1, low4), _mm256_and_si256(_mm256_slli_epi16(hq, 2), bits45)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v0, 4), low4), _mm256_and_si256(hq, bits45)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(v1, 4), low4),
                          _mm256_and_si256(_mm256_srli_epi16(hq, 2), bits45))};
      // This half's 8 scales as int16 in both 128-bit halves; group g's elements 0..15
      // (low half of a maddubs result) use scale 2g, elements 16..31 use 2g + 1.
      const __m256i sc_half = _mm256_broadcastsi128_si256(_mm_cvtepi8_epi16(h == 0 ? sc8 : _mm_unpackhi_epi64(sc8, sc8)));
      for (int g = 0; g < 4; ++g) {
        const __m256i sc = _mm256_shuffle_epi8(sc_half, scale_sel[g]);
        for (int r = 0; r < R; ++r) {
          const int8_t* x = act256(act, act_stride, r)[b].qs + 128 * h + 32 * g;
          isum[r] = dot_i16(isum[r], _mm256_maddubs_epi16(q[g], load256(x)), sc);
        }
      }
    }
    for (int r = 0; r < R; ++r) {
      const float dx = act256(act, act_stride, r)[b].d;
      acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[r]), _mm256_set1_ps(d * dx), acc[r]);
    }
  }
  for (int r = 0; r < R; ++r) out[r * out_stride] = hsum(acc[r]);
}

// ---- activation quantization -------------------------------------------------------

// max |x| over n (a multiple of 8) floats.
inline float abs_max(const float* x, int n) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 m = _mm256_setzero_ps();
  for (int i = 0; i < n; i += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + i)));
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// 32 floats times inv, rounded half to even, as 32 int8 in order.
inline __m256i quantize32(const float* x, __m256 inv) {
  __m256i i[4];
  for (int j = 0; j < 4; ++j) i[j] = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * j), inv));
  // packs interleave 128-bit lanes; the permute restores element order.
  const __m256i w01 = _mm256_packs_epi32(i[0], i[1]), w23 = _mm256_packs_epi32(i[2], i[3]);
  const __m256i b = _mm256_packs_epi16(w01, w23);
  return _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// Sums of the two 16-byte halves of 32 int8.
inline void sums16(__m256i q, int* lo, int* hi) {
  const __m256i w = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), q), _mm256_set1_epi16(1));
  const __m128i a = _mm256_castsi256_si128(w), c = _mm256_extracti128_si256(w, 1);
  const __m128i a2 = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0x4E)), c2 = _mm_add_epi32(c, _mm_shuffle_epi32(c, 0x4E));
  *lo = _mm_cvtsi128_si32(_mm_add_epi32(a2, _mm_shuffle_epi32(a2, 0xB1)));
  *hi = _mm_cvtsi128_si32(_mm_add_epi32(c2, _mm_shuffle_epi32(c2, 0xB1)));
}

// Blocks of 32 as llama.cpp's q8_0 (x86 quantize_row_q8_0): the same qs, from the
// unrounded 127 / max|x|; d = max|x| / 127 kept in F32 (llama.cpp rounds it to F16).
void quantize_act32(const float* x, int64_t n, ActBlock32* dst) {
  for (int64_t b = 0; b < n / 32; ++b, x += 32) {
    const float amax = abs_max(x, 32);
    dst[b].d = amax / 127.0f;
    const __m256i q = quantize32(x, _mm256_set1_ps(amax != 0.0f ? 127.0f / amax : 0.0f));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst[b].qs), q);
    int lo, hi;
    sums16(q, &lo, &hi);
    dst[b].sum = lo + hi;
  }
}

// Blocks of 256 as llama.cpp's q8_K (quantize_row_q8_K_ref, ggml_quantize_mat_q8_K_4x8):
// d = 1 / (127 / max|x|), the reciprocal of the multiplier (llama.cpp's signs aside:
// it maps the extreme to -127 and negates d, which leaves every product unchanged).
void quantize_act256(const float* x, int64_t n, ActBlock256* dst) {
  for (int64_t b = 0; b < n / 256; ++b, x += 256) {
    const float amax = abs_max(x, 256);
    const float iscale = amax != 0.0f ? 127.0f / amax : 0.0f;
    dst[b].d = amax != 0.0f ? 1.0f / iscale : 0.0f;
    const __m256 inv = _mm256_set1_ps(iscale);
    for (int j = 0; j < 8; ++j) {
      const __m256i q = quantize32(x + 32 * j, inv);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst[b].qs + 32 * j), q);
      int lo, hi;
      sums16(q, &lo, &hi);
      dst[b].bsums[2 * j] = static_cast<int16_t>(lo);
      dst[b].bsums[2 * j + 1] = static_cast<int16_t>(hi);
    }
  }
}

// ---- the table ---------------------------------------------------------------------

// Runs kernel K<R> for R = rows (1..kMaxRows, which the including file sets to what its
// register file holds).
template <template <int> class K>
void dispatch_rows(const void* w, const void* act, int64_t act_stride, int rows, int64_t blocks,
                   float* out, int64_t out_stride) {
  static_assert(kMaxRows == 4 || kMaxRows == 8);
  const auto* wb = static_cast<const uint8_t*>(w);
  switch (rows) {
    case 1: return K<1>::run(wb, act, act_stride, blocks, out, out_stride);
    case 2: return K<2>::run(wb, act, act_stride, blocks, out, out_stride);
    case 3: return K<3>::run(wb, act, act_stride, blocks, out, out_stride);
    case 4: return K<4>::run(wb, act, act_stride, blocks, out, out_stride);
    default: break;
  }
  if constexpr (kMaxRows == 8) {
    switch (rows) {
      case 5: return K<5>::run(wb, act, act_stride, blocks, out, out_stride);
      case 6: return K<6>::run(wb, act, act_stride, blocks, out, out_stride);
      case 7: return K<7>::run(wb, act, act_stride, blocks, out, out_stride);
      default: return K<8>::run(wb, act, act_stride, blocks, out, out_stride);
    }
  }
}

template <QuantType T>
struct Dot32 {
  template <int R>
  struct K {
    static void run(const uint8_t* w, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      dot32_rows<T, R>(w, a, s, n, o, os);
    }
  };
};
template <bool kHigh>
struct DotK4 {
  template <int R>
  struct K {
    static void run(const uint8_t* w, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
      dot_k4_rows<kHigh, R>(w, a, s, n, o, os);
    }
  };
};
template <int R>
struct DotQ6K {
  static void run(const uint8_t* w, const void* a, int64_t s, int64_t n, float* o, int64_t os) {
    dot_q6_k_rows<R>(w, a, s, n, o, os);
  }
};

constexpr QuantMatmulKernels make_quant_table() {
  QuantMatmulKernels t{quantize_act32, quantize_act256, kMaxRows, {}};
  t.dot[static_cast<int>(QuantType::kQ8_0)] = dispatch_rows<Dot32<QuantType::kQ8_0>::K>;
  t.dot[static_cast<int>(QuantType::kQ4_0)] = dispatch_rows<Dot32<QuantType::kQ4_0>::K>;
  t.dot[static_cast<int>(QuantType::kQ4_1)] = dispatch_rows<Dot32<QuantType::kQ4_1>::K>;
  t.dot[static_cast<int>(QuantType::kQ5_0)] = dispatch_rows<Dot32<QuantType::kQ5_0>::K>;
  t.dot[static_cast<int>(QuantType::kQ5_1)] = dispatch_rows<Dot32<QuantType::kQ5_1>::K>;
  t.dot[static_cast<int>(QuantType::kQ4_K)] = dispatch_rows<DotK4<false>::K>;
  t.dot[static_cast<int>(QuantType::kQ5_K)] = dispatch_rows<DotK4<true>::K>;
  t.dot[static_cast<int>(QuantType::kQ6_K)] = dispatch_rows<DotQ6K>;
  return t;
}
