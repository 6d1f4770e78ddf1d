#include "kernels/cpu/dequantize.h"

#include <string>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu {
namespace {

QuantType quant_type_of(DType dtype) {
  switch (dtype) {
    case DType::Q8_0: return QuantType::kQ8_0;
    case DType::Q4_0: return QuantType::kQ4_0;
    case DType::Q4_1: return QuantType::kQ4_1;
    case DType::Q4_K: return QuantType::kQ4_K;
    case DType::Q5_K: return QuantType::kQ5_K;
    case DType::Q6_K: return QuantType::kQ6_K;
    case DType::Q5_0: return QuantType::kQ5_0;
    case DType::Q5_1: return QuantType::kQ5_1;
    default: break;
  }
  throw Error(std::string("dequantize: ") + dtype_name(dtype) + " is not a quantized type");
}

}  // namespace

bool is_quantized(DType dtype) {
  switch (dtype) {
    case DType::Q8_0:
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
    case DType::Q5_0:
    case DType::Q5_1: return true;
    default: return false;
  }
}

void dequantize_quantized(DType dtype, const void* src, int64_t n, float* dst) {
  const QuantType type = quant_type_of(dtype);
  const int64_t block = dtype_block_elements(dtype);
  if (n < 0 || n % block != 0) {  // message built only on failure: this runs per weight row
    throw Error(std::string("dequantize: ") + std::to_string(n) + " elements of " +
                dtype_name(dtype) + " is not a whole number of blocks");
  }
  if (n == 0) return;
  if (!active_kernels().dequantize->row(type, src, n, dst)) {
    dequantize_row_reference(dtype, src, n, dst);
  }
}

}  // namespace qwenrt::cpu
