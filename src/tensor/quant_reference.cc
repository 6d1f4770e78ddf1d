#include "tensor/quant_reference.h"

#include <cstring>
#include <string>

#include "base/error.h"

namespace qwenrt {
namespace {

// Block i of a row, copied out so unaligned or packed sources are fine.
template <typename Block>
Block load_block(const void* x, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(x) + static_cast<size_t>(i) * sizeof(Block), sizeof(Block));
  return b;
}

// Scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K / Q5_K: the first
// four sub-blocks keep 6 bits in bytes j and j+4; the last four take their low 4 bits
// from bytes 8..11 and their top 2 bits from the spare top bits of bytes 0..7.
void scale_min_k4(int j, const uint8_t* q, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

}  // namespace

void dequantize_row_q8_0(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK8_0; ++i) {
    const auto b = load_block<BlockQ8_0>(x, i);
    const float d = f16_to_f32(b.d);
    for (int j = 0; j < kQK8_0; ++j) y[j] = static_cast<float>(b.qs[j]) * d;
    y += kQK8_0;
  }
}

void dequantize_row_q4_0(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i) {
    const auto b = load_block<BlockQ4_0>(x, i);
    const float d = f16_to_f32(b.d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      y[j] = static_cast<float>((b.qs[j] & 0x0F) - 8) * d;
      y[j + kQK4_0 / 2] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
    }
    y += kQK4_0;
  }
}

void dequantize_row_q4_1(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_1; ++i) {
    const auto b = load_block<BlockQ4_1>(x, i);
    const float d = f16_to_f32(b.d);
    const float m = f16_to_f32(b.m);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      const float lo = static_cast<float>(b.qs[j] & 0x0F) * d;
      const float hi = static_cast<float>(b.qs[j] >> 4) * d;
      y[j] = lo + m;
      y[j + kQK4_1 / 2] = hi + m;
    }
    y += kQK4_1;
  }
}

void dequantize_row_q5_0(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK5_0; ++i) {
    const auto b = load_block<BlockQ5_0>(x, i);
    const float d = f16_to_f32(b.d);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      const int hi0 = static_cast<int>((qh >> j) & 1u) << 4;
      const int hi1 = static_cast<int>((qh >> (j + kQK5_0 / 2)) & 1u) << 4;
      y[j] = static_cast<float>(((b.qs[j] & 0x0F) | hi0) - 16) * d;
      y[j + kQK5_0 / 2] = static_cast<float>(((b.qs[j] >> 4) | hi1) - 16) * d;
    }
    y += kQK5_0;
  }
}

void dequantize_row_q5_1(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK5_1; ++i) {
    const auto b = load_block<BlockQ5_1>(x, i);
    const float d = f16_to_f32(b.d);
    const float m = f16_to_f32(b.m);
    uint32_t qh;
    std::memcpy(&qh, b.qh, 4);
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      const int hi0 = static_cast<int>((qh >> j) & 1u) << 4;
      const int hi1 = static_cast<int>((qh >> (j + kQK5_1 / 2)) & 1u) << 4;
      // Product and sum kept apart, as ggml rounds them (no fused multiply-add).
      const float lo = static_cast<float>((b.qs[j] & 0x0F) | hi0) * d;
      const float hi = static_cast<float>((b.qs[j] >> 4) | hi1) * d;
      y[j] = lo + m;
      y[j + kQK5_1 / 2] = hi + m;
    }
    y += kQK5_1;
  }
}

void dequantize_row_q4_k(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = load_block<BlockQ4_K>(x, i);
    const float d = f16_to_f32(b.d);
    const float dmin = f16_to_f32(b.dmin);
    const uint8_t* q = b.qs;
    // Four chunks of 64: 32 bytes whose low nibbles are sub-block 2c, high nibbles 2c+1.
    for (int c = 0; c < 4; ++c) {
      uint8_t sc, m;
      scale_min_k4(2 * c, b.scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      scale_min_k4(2 * c + 1, b.scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) {
        const float p = d1 * static_cast<float>(q[l] & 0xF);
        y[l] = p - m1;
      }
      for (int l = 0; l < 32; ++l) {
        const float p = d2 * static_cast<float>(q[l] >> 4);
        y[l + 32] = p - m2;
      }
      q += 32;
      y += 64;
    }
  }
}

void dequantize_row_q5_k(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = load_block<BlockQ5_K>(x, i);
    const float d = f16_to_f32(b.d);
    const float dmin = f16_to_f32(b.dmin);
    const uint8_t* ql = b.qs;
    // As Q4_K; chunk c takes its fifth bits from bits 2c (low nibbles) and 2c+1 of qh.
    for (int c = 0; c < 4; ++c) {
      uint8_t sc, m;
      scale_min_k4(2 * c, b.scales, &sc, &m);
      const float d1 = d * sc, m1 = dmin * m;
      scale_min_k4(2 * c + 1, b.scales, &sc, &m);
      const float d2 = d * sc, m2 = dmin * m;
      const uint8_t u1 = static_cast<uint8_t>(1u << (2 * c)), u2 = static_cast<uint8_t>(2u << (2 * c));
      for (int l = 0; l < 32; ++l) {
        const int q = (ql[l] & 0xF) + ((b.qh[l] & u1) ? 16 : 0);
        const float p = d1 * static_cast<float>(q);
        y[l] = p - m1;
      }
      for (int l = 0; l < 32; ++l) {
        const int q = (ql[l] >> 4) + ((b.qh[l] & u2) ? 16 : 0);
        const float p = d2 * static_cast<float>(q);
        y[l + 32] = p - m2;
      }
      ql += 32;
      y += 64;
    }
  }
}

void dequantize_row_q6_k(const void* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK_K; ++i) {
    const auto b = load_block<BlockQ6_K>(x, i);
    const float d = f16_to_f32(b.d);
    // Two halves of 128: 64 ql bytes (low nibbles: elements 0..63, high: 64..127), 32 qh
    // bytes (2 bits for each of four groups of 32), 8 scales (one per 16 elements).
    for (int half = 0; half < 2; ++half) {
      const uint8_t* ql = b.ql + 64 * half;
      const uint8_t* qh = b.qh + 32 * half;
      const int8_t* sc = b.scales + 8 * half;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = (d * static_cast<float>(sc[is + 0])) * static_cast<float>(q1);
        y[l + 32] = (d * static_cast<float>(sc[is + 2])) * static_cast<float>(q2);
        y[l + 64] = (d * static_cast<float>(sc[is + 4])) * static_cast<float>(q3);
        y[l + 96] = (d * static_cast<float>(sc[is + 6])) * static_cast<float>(q4);
      }
      y += 128;
    }
  }
}

void dequantize_row_reference(DType dtype, const void* src, int64_t n, float* dst) {
  const int64_t block = dtype_block_elements(dtype);
  check(n >= 0 && n % block == 0, std::string("dequantize_row_reference: ") + std::to_string(n) + " elements of " +
                                      dtype_name(dtype) + " is not a whole number of " + std::to_string(block) +
                                      "-element blocks");
  const auto* bytes = static_cast<const uint8_t*>(src);
  switch (dtype) {
    case DType::F32:
      if (n) std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case DType::F16:
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, bytes + 2 * i, 2);
        dst[i] = dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
      }
      return;
    case DType::Q8_0: return dequantize_row_q8_0(src, dst, n);
    case DType::Q4_0: return dequantize_row_q4_0(src, dst, n);
    case DType::Q4_1: return dequantize_row_q4_1(src, dst, n);
    case DType::Q5_0: return dequantize_row_q5_0(src, dst, n);
    case DType::Q5_1: return dequantize_row_q5_1(src, dst, n);
    case DType::Q4_K: return dequantize_row_q4_k(src, dst, n);
    case DType::Q5_K: return dequantize_row_q5_k(src, dst, n);
    case DType::Q6_K: return dequantize_row_q6_k(src, dst, n);
    case DType::I32:
    case DType::I64:
    case DType::U8: break;
  }
  throw Error(std::string("dequantize_row_reference: ") + dtype_name(dtype) + " is not a floating-point type");
}

}  // namespace qwenrt
