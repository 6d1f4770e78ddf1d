// Element types of weights and activations, and scalar conversions.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>

namespace qwenrt {

// Quantized types use llama.cpp's block layouts (src/tensor/quant_reference.h).
// New types go at the end: kernels index tables by these values.
enum class DType : uint8_t { F32, F16, BF16, I32, I64, U8, Q8_0, Q4_0, Q4_1, Q4_K, Q5_K, Q6_K, Q5_0, Q5_1 };

// Number of elements stored together in one block (1 for plain types).
int64_t dtype_block_elements(DType t);
// Bytes of one block.
int64_t dtype_block_bytes(DType t);
// Bytes for `n` elements along a row; `n` must be a multiple of the block size.
int64_t dtype_row_bytes(DType t, int64_t n);
const char* dtype_name(DType t);
// Parses a safetensors dtype string ("F32", "BF16", ...); false if unknown.
bool dtype_from_safetensors(const std::string& s, DType* out);

inline float bf16_to_f32(uint16_t h) {
  uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Round to nearest even, as torch does; NaN stays NaN.
inline uint16_t f32_to_bf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);

}  // namespace qwenrt
