// Portable dequantization: the reference decoders (already plain scalar code).
#include "kernels/cpu/kernel_tables.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu {
namespace {

bool row(QuantType type, const void* src, int64_t n, float* dst) {
  switch (type) {
    case QuantType::kQ8_0: dequantize_row_q8_0(src, dst, n); return true;
    case QuantType::kQ4_0: dequantize_row_q4_0(src, dst, n); return true;
    case QuantType::kQ4_1: dequantize_row_q4_1(src, dst, n); return true;
    case QuantType::kQ4_K: dequantize_row_q4_k(src, dst, n); return true;
    case QuantType::kQ5_K: dequantize_row_q5_k(src, dst, n); return true;
    case QuantType::kQ6_K: dequantize_row_q6_k(src, dst, n); return true;
    case QuantType::kQ5_0: dequantize_row_q5_0(src, dst, n); return true;
    case QuantType::kQ5_1: dequantize_row_q5_1(src, dst, n); return true;
  }
  return false;
}

}  // namespace

extern const DequantizeKernels kDequantizeScalar;
const DequantizeKernels kDequantizeScalar{row};

}  // namespace qwenrt::cpu
