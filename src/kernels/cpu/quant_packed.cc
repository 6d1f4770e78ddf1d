// Load-time repacking of quantized weights into quant_packed.h's interleaved layout, and
// the choice of whether a weight gets one. Portable code: it runs once per weight.
#include "kernels/cpu/quant_packed.h"

#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {
namespace {

int quant_index(DType dtype) {
  switch (dtype) {
    case DType::Q8_0: return static_cast<int>(QuantType::kQ8_0);
    case DType::Q4_0: return static_cast<int>(QuantType::kQ4_0);
    case DType::Q4_1: return static_cast<int>(QuantType::kQ4_1);
    case DType::Q5_0: return static_cast<int>(QuantType::kQ5_0);
    case DType::Q5_1: return static_cast<int>(QuantType::kQ5_1);
    case DType::Q4_K: return static_cast<int>(QuantType::kQ4_K);
    case DType::Q5_K: return static_cast<int>(QuantType::kQ5_K);
    case DType::Q6_K: return static_cast<int>(QuantType::kQ6_K);
    default: return -1;
  }
}

// Bytes of one block of one group (kPackRows rows' block b).
int64_t group_block_bytes(DType dtype) {
  switch (dtype) {
    case DType::Q8_0: return 32 + 8 * 64;  // 16 f16 scales, 8 k-groups of q + 128
    case DType::Q4_0: return 32 + 4 * 64;  // 16 f16 scales, 4 x 64 bytes of nibble pairs
    case DType::Q4_1: return 64 + 4 * 64;  // as Q4_0 with 16 f16 mins after the scales
    case DType::Q5_0: return 32 + 5 * 64;  // as Q4_0, then 64 bytes of fifth bits
    case DType::Q5_1: return 64 + 5 * 64;
    // 16 f16 d, 16 f16 dmin, 8 x 16 six-bit scales and mins as bytes, 32 x 64 nibble bytes
    case DType::Q4_K: return 64 + 2 * 128 + 32 * 64;
    // As Q4_K, with each 64-element chunk's 8 nibble k-groups followed by 2 x 64 bytes of
    // fifth bits (one per sub-block)
    case DType::Q5_K: return 64 + 2 * 128 + 4 * (8 + 2) * 64;
    // 16 f16 d, 16 x 16 int8 scales, then per 64 elements 8 x 64 nibble bytes and 4 x 64
    // bytes of 2-bit highs (together, so that decode reads the block front to back)
    case DType::Q6_K: return 32 + 256 + 4 * 12 * 64;
    default: return 0;
  }
}

// The byte of the 4-byte k-group slot of row r in a 64-byte k-group.
inline uint8_t* slot(uint8_t* kgroup, int64_t r) { return kgroup + 4 * r; }
inline const uint8_t* slot_of(const uint8_t* kgroup, int64_t r) { return kgroup + 4 * r; }

void pack_q8_0(const uint8_t* const* rows, int64_t b, uint8_t* dst) {
  for (int64_t r = 0; r < kPackRows; ++r) {
    const uint8_t* blk = rows[r] + b * 34;
    std::memcpy(dst + 2 * r, blk, 2);
    for (int64_t kg = 0; kg < 8; ++kg)
      for (int64_t e = 0; e < 4; ++e) slot(dst + 32 + 64 * kg, r)[e] = blk[2 + 4 * kg + e] ^ 0x80;
  }
}

// The 4-bit 32-element types, GGUF fields d, [m], [qh], qs: byte j of qs holds element j
// (low nibble) and j + 16 (high), so k-group h's bytes carry k-groups h and h + 4. Packed:
// 16 f16 d, [16 f16 m], 4 nibble k-groups, [one k-group of fifth bits: byte e of row r's
// slot holds in bit h the fifth bit of element 4h + e and in bit 4 + h that of 16 + 4h + e].
template <bool kMin, bool kFifth>
struct Nibbles32 {
  static constexpr int64_t kBlockBytes = 18 + (kMin ? 2 : 0) + (kFifth ? 4 : 0);
  static constexpr int64_t kQh = kMin ? 4 : 2, kQs = kQh + (kFifth ? 4 : 0);
  static constexpr int64_t kPackedQs = kMin ? 64 : 32;

  static void pack(const uint8_t* const* rows, int64_t b, uint8_t* dst) {
    for (int64_t r = 0; r < kPackRows; ++r) {
      const uint8_t* blk = rows[r] + b * kBlockBytes;
      std::memcpy(dst + 2 * r, blk, 2);
      if constexpr (kMin) std::memcpy(dst + 32 + 2 * r, blk + 2, 2);
      for (int64_t h = 0; h < 4; ++h) std::memcpy(slot(dst + kPackedQs + 64 * h, r), blk + kQs + 4 * h, 4);
      if constexpr (kFifth) {
        uint32_t qh;
        std::memcpy(&qh, blk + kQh, 4);
        for (int e = 0; e < 4; ++e) {
          uint8_t bits = 0;
          for (int h = 0; h < 4; ++h) {
            bits |= static_cast<uint8_t>(((qh >> (4 * h + e)) & 1) << h);
            bits |= static_cast<uint8_t>(((qh >> (16 + 4 * h + e)) & 1) << (4 + h));
          }
          slot(dst + kPackedQs + 4 * 64, r)[e] = bits;
        }
      }
    }
  }

  static void unpack(const uint8_t* src, int64_t r, uint8_t* blk) {
    std::memcpy(blk, src + 2 * r, 2);
    if constexpr (kMin) std::memcpy(blk + 2, src + 32 + 2 * r, 2);
    for (int64_t h = 0; h < 4; ++h) std::memcpy(blk + kQs + 4 * h, slot_of(src + kPackedQs + 64 * h, r), 4);
    if constexpr (kFifth) {
      uint32_t qh = 0;
      for (int e = 0; e < 4; ++e) {
        const uint32_t bits = slot_of(src + kPackedQs + 4 * 64, r)[e];
        for (int h = 0; h < 4; ++h) {
          qh |= ((bits >> h) & 1u) << (4 * h + e);
          qh |= ((bits >> (4 + h)) & 1u) << (16 + 4 * h + e);
        }
      }
      std::memcpy(blk + kQh, &qh, 4);
    }
  }
};
using Q4_0Layout = Nibbles32<false, false>;
using Q4_1Layout = Nibbles32<true, false>;
using Q5_0Layout = Nibbles32<false, true>;
using Q5_1Layout = Nibbles32<true, true>;

// Q4_K: the 12 packed bytes hold 8 six-bit scales and 8 mins (llama.cpp's get_scale_min_k4).
void k4_scale_min(const uint8_t* q, int j, uint8_t* sc, uint8_t* mn) {
  if (j < 4) {
    *sc = q[j] & 63;
    *mn = q[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *mn = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Row r's d, dmin, scales and mins (Q4_K and Q5_K) from the block blk.
void pack_scales_k4(const uint8_t* blk, int64_t r, uint8_t* dst) {
  std::memcpy(dst + 2 * r, blk, 2);
  std::memcpy(dst + 32 + 2 * r, blk + 2, 2);
  for (int j = 0; j < 8; ++j) k4_scale_min(blk + 4, j, dst + 64 + 16 * j + r, dst + 192 + 16 * j + r);
}

// Byte i of 64-element chunk c of a Q4_K block holds element 64c + i (low nibble, sub-block
// 2c) and 64c + 32 + i (high, sub-block 2c + 1); the packed k-group (c, kg) keeps that.

void pack_q4_k(const uint8_t* const* rows, int64_t b, uint8_t* dst) {
  for (int64_t r = 0; r < kPackRows; ++r) {
    const uint8_t* blk = rows[r] + b * 144;
    pack_scales_k4(blk, r, dst);
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t kg = 0; kg < 8; ++kg)
        std::memcpy(slot(dst + 320 + 64 * (8 * c + kg), r), blk + 16 + 32 * c + 4 * kg, 4);
  }
}

// Q5_K: Q4_K's scales, mins and nibbles; qh[l] bit 2c (2c + 1) is the fifth bit of element
// 64c + l (64c + 32 + l). The packed chunk c is Q4_K's 8 nibble k-groups, then the fifth
// bits of sub-block 2c + hi in H(c, hi): bit kg of row r's slot byte e is that of the
// sub-block's element 4kg + e.
inline uint8_t* q5_nibbles(uint8_t* blk, int c, int kg) { return blk + 320 + 640 * c + 64 * kg; }
inline uint8_t* q5_highs(uint8_t* blk, int c, int hi) { return blk + 320 + 640 * c + 512 + 64 * hi; }

void pack_q5_k(const uint8_t* const* rows, int64_t b, uint8_t* dst) {
  for (int c = 0; c < 4; ++c) std::memset(q5_highs(dst, c, 0), 0, 2 * 64);
  for (int64_t r = 0; r < kPackRows; ++r) {
    const uint8_t* blk = rows[r] + b * 176;
    const uint8_t* qh = blk + 16;
    pack_scales_k4(blk, r, dst);
    for (int c = 0; c < 4; ++c) {
      for (int kg = 0; kg < 8; ++kg) {
        std::memcpy(slot(q5_nibbles(dst, c, kg), r), blk + 48 + 32 * c + 4 * kg, 4);
        for (int e = 0; e < 4; ++e) {
          for (int hi = 0; hi < 2; ++hi) {
            const int bit = (qh[4 * kg + e] >> (2 * c + hi)) & 1;
            slot(q5_highs(dst, c, hi), r)[e] |= static_cast<uint8_t>(bit << kg);
          }
        }
      }
    }
  }
}

// A Q6_K block's 256 unsigned 6-bit values in element order (ggml's dequantize_row_q6_K).
void q6_values(const uint8_t* blk, uint8_t* q) {
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = blk + 64 * h;
    const uint8_t* qh = blk + 128 + 32 * h;
    for (int t = 0; t < 32; ++t) {
      q[128 * h + t] = static_cast<uint8_t>((ql[t] & 0xF) | ((qh[t] & 3) << 4));
      q[128 * h + t + 32] = static_cast<uint8_t>((ql[t + 32] & 0xF) | (((qh[t] >> 2) & 3) << 4));
      q[128 * h + t + 64] = static_cast<uint8_t>((ql[t] >> 4) | (((qh[t] >> 4) & 3) << 4));
      q[128 * h + t + 96] = static_cast<uint8_t>((ql[t + 32] >> 4) | (((qh[t] >> 6) & 3) << 4));
    }
  }
}

// Q6_K's 64-element chunk c: 8 nibble k-groups as Q4_K's (sub-blocks of 32 elements 2c
// and 2c + 1), then 4 k-groups of high bits: H(c, q) holds, in bits 2t..2t+1 of each byte,
// the high bits of k-group kg = 4q + t of sub-block 2c (q < 2) or kg = 4(q - 2) + t of
// sub-block 2c + 1.
inline uint8_t* q6_nibbles(uint8_t* blk, int c, int kg) { return blk + 32 + 256 + 768 * c + 64 * kg; }
inline uint8_t* q6_highs(uint8_t* blk, int c, int q) { return blk + 32 + 256 + 768 * c + 512 + 64 * q; }

void pack_q6_k(const uint8_t* const* rows, int64_t b, uint8_t* dst) {
  uint8_t* scales = dst + 32;
  for (int c = 0; c < 4; ++c) std::memset(q6_highs(dst, c, 0), 0, 4 * 64);
  uint8_t q[256];
  for (int64_t r = 0; r < kPackRows; ++r) {
    const uint8_t* blk = rows[r] + b * 210;
    std::memcpy(dst + 2 * r, blk + 208, 2);
    for (int s = 0; s < 16; ++s) scales[16 * s + r] = blk[192 + s];
    q6_values(blk, q);
    for (int c = 0; c < 4; ++c) {
      for (int kg = 0; kg < 8; ++kg) {
        for (int e = 0; e < 4; ++e) {
          const uint8_t lo = q[64 * c + 4 * kg + e], hi = q[64 * c + 32 + 4 * kg + e];
          slot(q6_nibbles(dst, c, kg), r)[e] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
          const int t = kg % 4;
          slot(q6_highs(dst, c, kg / 4), r)[e] |= static_cast<uint8_t>((lo >> 4) << (2 * t));
          slot(q6_highs(dst, c, 2 + kg / 4), r)[e] |= static_cast<uint8_t>((hi >> 4) << (2 * t));
        }
      }
    }
  }
}


// ---- the inverse, one row at a time (embedding lookups) ------------------------------

void unpack_q8_0(const uint8_t* src, int64_t r, uint8_t* blk) {
  std::memcpy(blk, src + 2 * r, 2);
  for (int64_t kg = 0; kg < 8; ++kg)
    for (int64_t e = 0; e < 4; ++e) blk[2 + 4 * kg + e] = slot_of(src + 32 + 64 * kg, r)[e] ^ 0x80;
}

// Row r's d, dmin and 12 bytes of six-bit scales and mins (Q4_K and Q5_K) into blk.
void unpack_scales_k4(const uint8_t* src, int64_t r, uint8_t* blk) {
  std::memcpy(blk, src + 2 * r, 2);
  std::memcpy(blk + 2, src + 32 + 2 * r, 2);
  uint8_t sc[8], mn[8];
  for (int j = 0; j < 8; ++j) {
    sc[j] = src[64 + 16 * j + r];
    mn[j] = src[192 + 16 * j + r];
  }
  uint8_t* q = blk + 4;
  for (int j = 0; j < 4; ++j) {
    q[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    q[j + 4] = static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
    q[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((mn[j + 4] & 0xF) << 4));
  }
}

void unpack_q4_k(const uint8_t* src, int64_t r, uint8_t* blk) {
  unpack_scales_k4(src, r, blk);
  for (int64_t c = 0; c < 4; ++c)
    for (int64_t kg = 0; kg < 8; ++kg)
      std::memcpy(blk + 16 + 32 * c + 4 * kg, slot_of(src + 320 + 64 * (8 * c + kg), r), 4);
}

void unpack_q5_k(const uint8_t* src, int64_t r, uint8_t* blk) {
  unpack_scales_k4(src, r, blk);
  auto* s = const_cast<uint8_t*>(src);  // q5_nibbles / q5_highs only compute addresses
  uint8_t* qh = blk + 16;
  std::memset(qh, 0, 32);
  for (int c = 0; c < 4; ++c) {
    for (int kg = 0; kg < 8; ++kg) {
      std::memcpy(blk + 48 + 32 * c + 4 * kg, slot_of(q5_nibbles(s, c, kg), r), 4);
      for (int e = 0; e < 4; ++e) {
        for (int hi = 0; hi < 2; ++hi) {
          const int bit = (slot_of(q5_highs(s, c, hi), r)[e] >> kg) & 1;
          qh[4 * kg + e] |= static_cast<uint8_t>(bit << (2 * c + hi));
        }
      }
    }
  }
}

void unpack_q6_k(const uint8_t* src, int64_t r, uint8_t* blk) {
  auto* s = const_cast<uint8_t*>(src);  // q6_nibbles / q6_highs only compute addresses
  uint8_t q[256];
  for (int c = 0; c < 4; ++c) {
    for (int kg = 0; kg < 8; ++kg) {
      for (int e = 0; e < 4; ++e) {
        const uint8_t nib = slot_of(q6_nibbles(s, c, kg), r)[e];
        const int t = kg % 4;
        const int lo_hi = (slot_of(q6_highs(s, c, kg / 4), r)[e] >> (2 * t)) & 3;
        const int hi_hi = (slot_of(q6_highs(s, c, 2 + kg / 4), r)[e] >> (2 * t)) & 3;
        q[64 * c + 4 * kg + e] = static_cast<uint8_t>((nib & 0xF) | (lo_hi << 4));
        q[64 * c + 32 + 4 * kg + e] = static_cast<uint8_t>((nib >> 4) | (hi_hi << 4));
      }
    }
  }
  for (int h = 0; h < 2; ++h) {
    uint8_t* ql = blk + 64 * h;
    uint8_t* qh = blk + 128 + 32 * h;
    const uint8_t* v = q + 128 * h;
    for (int t = 0; t < 32; ++t) {
      ql[t] = static_cast<uint8_t>((v[t] & 0xF) | ((v[t + 64] & 0xF) << 4));
      ql[t + 32] = static_cast<uint8_t>((v[t + 32] & 0xF) | ((v[t + 96] & 0xF) << 4));
      qh[t] = static_cast<uint8_t>((v[t] >> 4) | ((v[t + 32] >> 4) << 2) | ((v[t + 64] >> 4) << 4) |
                                   ((v[t + 96] >> 4) << 6));
    }
  }
  for (int s = 0; s < 16; ++s) blk[192 + s] = src[32 + 16 * s + r];
  std::memcpy(blk + 208, src + 2 * r, 2);
}

}  // namespace

const PackedQuantKernels* active_packed_kernels() {
  // QWENRT_NO_PACKED: compare with the row kernels (benchmarks), read once.
  static const bool disabled = std::getenv("QWENRT_NO_PACKED") != nullptr;
  if (disabled) return nullptr;
  const QuantMatmulKernels* quant = active_kernels().quant;
  if (quant == &kQuantMatmulAvx512Vnni) return &kPackedQuantAvx512Vnni;
  // The AVX2 target's, and AVX-512 without VNNI's (it takes the AVX2 quantized kernels).
  if (quant == &kQuantMatmulAvx2) return &kPackedQuantAvx2;
  return nullptr;
}

bool can_pack(const WeightView& w) {
  const PackedQuantKernels* k = active_packed_kernels();
  const int q = quant_index(w.dtype);
  return k != nullptr && q >= 0 && k->dot[q] != nullptr && group_block_bytes(w.dtype) > 0 &&
         w.rows > 0 && w.rows % kPackRows == 0 && w.cols > 0 &&
         w.cols % dtype_block_elements(w.dtype) == 0 && w.data != nullptr;
}

int64_t packed_group_bytes(DType dtype, int64_t cols) {
  return cols / dtype_block_elements(dtype) * group_block_bytes(dtype);
}

size_t packed_weight_bytes(const WeightView& w) {
  return static_cast<size_t>(w.rows / kPackRows * packed_group_bytes(w.dtype, w.cols));
}

void pack_weight(ThreadPool& pool, const WeightView& w, int64_t group_begin, int64_t group_end,
                 uint8_t* dst) {
  check(can_pack(w), "pack_weight: no packed layout for this weight");
  const int64_t blocks = w.cols / dtype_block_elements(w.dtype);
  const int64_t block_bytes = group_block_bytes(w.dtype);
  const int64_t group_bytes = blocks * block_bytes;
  void (*pack_block)(const uint8_t* const*, int64_t, uint8_t*) = nullptr;
  switch (w.dtype) {
    case DType::Q8_0: pack_block = pack_q8_0; break;
    case DType::Q4_0: pack_block = Q4_0Layout::pack; break;
    case DType::Q4_1: pack_block = Q4_1Layout::pack; break;
    case DType::Q5_0: pack_block = Q5_0Layout::pack; break;
    case DType::Q5_1: pack_block = Q5_1Layout::pack; break;
    case DType::Q4_K: pack_block = pack_q4_k; break;
    case DType::Q5_K: pack_block = pack_q5_k; break;
    case DType::Q6_K: pack_block = pack_q6_k; break;
    default: throw Error("pack_weight: unsupported type");
  }
  check(0 <= group_begin && group_begin <= group_end && group_end <= w.rows / kPackRows,
        "pack_weight: group range out of bounds");
  pool.parallel_for(group_end - group_begin, [&](int64_t g0, int64_t g1) {
    for (int64_t g = group_begin + g0; g < group_begin + g1; ++g) {
      const uint8_t* rows[kPackRows];
      for (int64_t r = 0; r < kPackRows; ++r) rows[r] = w.row(g * kPackRows + r);
      for (int64_t b = 0; b < blocks; ++b) pack_block(rows, b, dst + g * group_bytes + b * block_bytes);
    }
  });
}

void unpack_weight_row(const WeightView& w, int64_t row, uint8_t* dst) {
  check(w.packed != nullptr && row >= 0 && row < w.rows, "unpack_weight_row: no such packed row");
  void (*unpack_block)(const uint8_t*, int64_t, uint8_t*) = nullptr;
  switch (w.dtype) {
    case DType::Q8_0: unpack_block = unpack_q8_0; break;
    case DType::Q4_0: unpack_block = Q4_0Layout::unpack; break;
    case DType::Q4_1: unpack_block = Q4_1Layout::unpack; break;
    case DType::Q5_0: unpack_block = Q5_0Layout::unpack; break;
    case DType::Q5_1: unpack_block = Q5_1Layout::unpack; break;
    case DType::Q4_K: unpack_block = unpack_q4_k; break;
    case DType::Q5_K: unpack_block = unpack_q5_k; break;
    case DType::Q6_K: unpack_block = unpack_q6_k; break;
    default: throw Error("unpack_weight_row: unsupported type");
  }
  const int64_t blocks = w.cols / dtype_block_elements(w.dtype);
  const int64_t block_bytes = group_block_bytes(w.dtype);
  const auto* group = static_cast<const uint8_t*>(w.packed) + row / kPackRows * blocks * block_bytes;
  for (int64_t b = 0; b < blocks; ++b)
    unpack_block(group + b * block_bytes, row % kPackRows, dst + b * dtype_block_bytes(w.dtype));
}

void dequantize_weight_row(const WeightView& w, int64_t row, float* dst) {
  if (w.packed == nullptr) return dequantize_row(w.dtype, w.row(row), w.cols, dst);
  std::vector<uint8_t> bytes(w.row_bytes());
  unpack_weight_row(w, row, bytes.data());
  dequantize_row(w.dtype, bytes.data(), w.cols, dst);
}

}  // namespace qwenrt::cpu
