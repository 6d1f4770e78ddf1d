#include "tensor/quantize.h"

#include <cmath>
#include <cstring>
#include <string>

#include "base/error.h"

namespace qwenrt {

bool can_quantize_to(DType dtype) {
  switch (dtype) {
    case DType::F32: case DType::F16: case DType::BF16:
    case DType::Q8_0: case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1:
    case DType::Q4_K: case DType::Q5_K: case DType::Q6_K: return true;
    case DType::I32: case DType::I64: case DType::U8: return false;
  }
  return false;
}

void quantize_row(DType dtype, const float* src, int64_t n, void* dst) {
  check(can_quantize_to(dtype), std::string("quantize_row: cannot write ") + dtype_name(dtype));
  const int64_t block = dtype_block_elements(dtype);
  check(n >= 0 && n % block == 0, std::string("quantize_row: ") + std::to_string(n) + " elements is not a whole number of " +
                                      std::to_string(block) + "-element " + dtype_name(dtype) + " blocks");
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(src[i])) {
      throw Error("quantize_row: element " + std::to_string(i) + " is " + std::to_string(src[i]) +
                  "; only finite values can be quantized");
    }
  }
  auto* out = static_cast<uint8_t*>(dst);
  switch (dtype) {
    case DType::F32:
      if (n) std::memcpy(dst, src, static_cast<size_t>(n) * 4);
      return;
    case DType::F16:
    case DType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = dtype == DType::F16 ? f32_to_f16(src[i]) : f32_to_bf16(src[i]);
        std::memcpy(out + 2 * i, &h, 2);
      }
      return;
    case DType::Q8_0: return quantize_row_q8_0(src, dst, n);
    case DType::Q4_0: return quantize_row_q4_0(src, dst, n);
    case DType::Q4_1: return quantize_row_q4_1(src, dst, n);
    case DType::Q5_0: return quantize_row_q5_0(src, dst, n);
    case DType::Q5_1: return quantize_row_q5_1(src, dst, n);
    case DType::Q4_K: return quantize_row_q4_k(src, dst, n);
    case DType::Q5_K: return quantize_row_q5_k(src, dst, n);
    case DType::Q6_K: return quantize_row_q6_k(src, dst, n);
    default: break;
  }
}

}  // namespace qwenrt
