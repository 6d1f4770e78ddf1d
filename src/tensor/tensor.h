// Non-owning views of tensors; owners (mapped files, buffers) live elsewhere.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tensor/dtype.h"

namespace qwenrt {

// A dense row-major tensor somewhere in memory (a mapped checkpoint, a buffer).
struct TensorView {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;
  size_t nbytes = 0;

  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  int64_t dim(int i) const { return shape.at(static_cast<size_t>(i)); }
  std::string shape_string() const;
};

// A 2-D weight matrix [rows, cols] as nn.Linear stores it: rows = out_features,
// cols = in_features; each row is dtype_row_bytes(dtype, cols) bytes, rows contiguous.
struct WeightView {
  DType dtype = DType::F32;
  int64_t rows = 0;
  int64_t cols = 0;
  const void* data = nullptr;
  // The same rows in the CPU's interleaved layout (kernels/cpu/quant_packed.h), made at
  // load; null where there is none. Matmuls read it instead of data when set; data stays
  // valid (row lookups of a tied embedding read it).
  const void* packed = nullptr;
  // When set, stored column j is input feature input_order[j] (a permutation of
  // [0, cols)): GPTQ act-order weights keep each quantization group's columns together
  // (io/awq_gptq.h). The matmul entry points gather x into this order first.
  const int32_t* input_order = nullptr;

  size_t row_bytes() const { return static_cast<size_t>(dtype_row_bytes(dtype, cols)); }
  const uint8_t* row(int64_t r) const {
    return static_cast<const uint8_t*>(data) + static_cast<size_t>(r) * row_bytes();
  }
};

}  // namespace qwenrt
