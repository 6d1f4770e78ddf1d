// Scalar reference dequantization of llama.cpp's quantized blocks: the slow twin every
// fast kernel is tested against. The block structs mirror ggml-common.h byte for byte
// (same fields, same order, no padding), so a GGUF tensor's bytes are an array of them.
// Arithmetic follows ggml's dequantize_row_* in the same float32 operation order, so the
// results equal llama.cpp's and gguf-py's (gguf.quants.dequantize) bit for bit.
#pragma once
#include <cstddef>
#include <cstdint>

#include "tensor/dtype.h"

namespace qwenrt {

inline constexpr int kQK8_0 = 32;  // elements per Q8_0 block
inline constexpr int kQK4_0 = 32;  // elements per Q4_0 block
inline constexpr int kQK4_1 = 32;  // elements per Q4_1 block
inline constexpr int kQK5_0 = 32;  // elements per Q5_0 block
inline constexpr int kQK5_1 = 32;  // elements per Q5_1 block
inline constexpr int kQK_K = 256;  // elements per K-quant super-block
inline constexpr int kKScaleBytes = 12;  // packed 6-bit scales and mins of Q4_K / Q5_K

// Halves (d, dmin, m) are IEEE binary16 bit patterns, as ggml_half.

// 32 int8 quants times one scale: x = d * q.
struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[kQK8_0];
};

// 32 4-bit quants; byte j holds element j (low nibble) and element j + 16 (high nibble):
// x = d * (q - 8).
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[kQK4_0 / 2];
};

// As Q4_0 with an offset instead of the -8: x = d * q + m.
struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[kQK4_1 / 2];
};

// 32 5-bit quants: the low nibbles packed as Q4_0's, the fifth bit of element j in bit j
// of qh (a little-endian uint32): x = d * (q - 16).
struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[kQK5_0 / 2];
};

// As Q5_0 with an offset instead of the -16: x = d * q + m.
struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[kQK5_1 / 2];
};

// 8 sub-blocks of 32 with 6-bit scales and mins packed into 12 bytes:
// x = d * scale * q - dmin * min.
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};

// Q4_K plus a fifth bit per quant in qh.
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};

// 16 sub-blocks of 16 with int8 scales; quants are 4 low bits (ql) and 2 high bits (qh),
// offset by 32: x = d * scale * (q - 32).
struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};

static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22 && sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ4_K) == 144 && sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210);

// Each decodes `n` elements (a multiple of the block size) from consecutive blocks at
// `x` into `y`. `x` need not be aligned: blocks are copied out before use.
void dequantize_row_q8_0(const void* x, float* y, int64_t n);
void dequantize_row_q4_0(const void* x, float* y, int64_t n);
void dequantize_row_q4_1(const void* x, float* y, int64_t n);
void dequantize_row_q5_0(const void* x, float* y, int64_t n);
void dequantize_row_q5_1(const void* x, float* y, int64_t n);
void dequantize_row_q4_k(const void* x, float* y, int64_t n);
void dequantize_row_q5_k(const void* x, float* y, int64_t n);
void dequantize_row_q6_k(const void* x, float* y, int64_t n);

// Decodes `n` elements of `dtype` at `src` into `dst`: F32, F16, BF16 and every quantized
// DType. Throws Error if `dtype` is not a floating or quantized type, or `n` is negative or
// not a multiple of its block size.
void dequantize_row_reference(DType dtype, const void* src, int64_t n, float* dst);

}  // namespace qwenrt
