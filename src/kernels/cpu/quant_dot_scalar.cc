// Portable integer-dot quantized kernels: the scalar reference of ops_reference.h, one
// activation row at a time.
#include "kernels/cpu/kernel_tables.h"
#include "kernels/cpu/ops_reference.h"

namespace qwenrt::cpu {
namespace {

template <DType D>
void dot_rows(const void* w, const void* act, int64_t act_stride, int rows, int64_t blocks,
              float* out, int64_t out_stride) {
  for (int r = 0; r < rows; ++r)
    out[r * out_stride] =
        reference::quant_dot(D, w, static_cast<const uint8_t*>(act) + r * act_stride, blocks);
}

constexpr QuantMatmulKernels make_table() {
  QuantMatmulKernels t{reference::quantize_act32, reference::quantize_act256, 4, {}};
  t.dot[static_cast<int>(QuantType::kQ8_0)] = dot_rows<DType::Q8_0>;
  t.dot[static_cast<int>(QuantType::kQ4_0)] = dot_rows<DType::Q4_0>;
  t.dot[static_cast<int>(QuantType::kQ4_1)] = dot_rows<DType::Q4_1>;
  t.dot[static_cast<int>(QuantType::kQ5_0)] = dot_rows<DType::Q5_0>;
  t.dot[static_cast<int>(QuantType::kQ5_1)] = dot_rows<DType::Q5_1>;
  t.dot[static_cast<int>(QuantType::kQ4_K)] = dot_rows<DType::Q4_K>;
  t.dot[static_cast<int>(QuantType::kQ5_K)] = dot_rows<DType::Q5_K>;
  t.dot[static_cast<int>(QuantType::kQ6_K)] = dot_rows<DType::Q6_K>;
  return t;
}

}  // namespace

extern const QuantMatmulKernels kQuantMatmulScalar;
const QuantMatmulKernels kQuantMatmulScalar = make_table();

}  // namespace qwenrt::cpu
