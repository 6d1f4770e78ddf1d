// Decoding of llama.cpp's block-quantized weights to F32 with the active SIMD target:
// used by dequantize_row (embedding rows) and by matmul, which decodes weight rows into
// an F32 scratch and reuses the F32 kernels on it.
#pragma once
#include <cstdint>

#include "tensor/dtype.h"

namespace qwenrt::cpu {

// True for Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K.
bool is_quantized(DType dtype);

// Decodes n elements (a multiple of the block size, checked) of quantized `dtype` at src.
// Equal bit for bit to dequantize_row_reference on every target.
void dequantize_quantized(DType dtype, const void* src, int64_t n, float* dst);

}  // namespace qwenrt::cpu
