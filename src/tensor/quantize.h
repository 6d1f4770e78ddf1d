// F32 rows to llama.cpp's block formats, as llama.cpp's reference quantizers
// (quantize_row_*_ref in ggml-quants.c, used by llama-quantize without an importance
// matrix) compute them: the same search for scales and the same float32 operation order,
// so a tensor quantized here has the bytes llama.cpp would write for it.
#pragma once
#include <cstdint>

#include "tensor/dtype.h"

namespace qwenrt {

// Each encodes `n` floats (a multiple of the block size) from `x` into consecutive blocks
// at `y` (unaligned is fine). Inputs are assumed finite; quantize_row checks that.
void quantize_row_q8_0(const float* x, void* y, int64_t n);
void quantize_row_q4_0(const float* x, void* y, int64_t n);
void quantize_row_q4_1(const float* x, void* y, int64_t n);
void quantize_row_q5_0(const float* x, void* y, int64_t n);
void quantize_row_q5_1(const float* x, void* y, int64_t n);
void quantize_row_q4_k(const float* x, void* y, int64_t n);
void quantize_row_q5_k(const float* x, void* y, int64_t n);
void quantize_row_q6_k(const float* x, void* y, int64_t n);

// True for the types quantize_row can write: F32, F16, BF16 and every quantized DType.
bool can_quantize_to(DType dtype);

// Encodes `n` floats as `dtype` (dtype_row_bytes(dtype, n) bytes at dst): F32 is copied,
// F16 and BF16 round to nearest even, quantized types as above. Throws Error if dtype is
// not writable, n is negative or not whole blocks, or a value is NaN or infinite (llama.cpp
// would write garbage scales for it).
void quantize_row(DType dtype, const float* src, int64_t n, void* dst);

}  // namespace qwenrt
