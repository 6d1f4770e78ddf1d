// Portable matmul for CPUs without AVX2: a row-streaming GEMV only (the GEMM path falls
// back to it, nr == 0). Correct everywhere, not tuned.
#include <cstring>

#include "kernels/cpu/kernel_tables.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu {
namespace {

float weight_element(WeightType type, const uint8_t* row, int64_t i) {
  if (type == WeightType::kF32) {
    float f;
    std::memcpy(&f, row + i * 4, 4);
    return f;
  }
  uint16_t h;
  std::memcpy(&h, row + i * 2, 2);
  return type == WeightType::kBF16 ? bf16_to_f32(h) : f16_to_f32(h);
}

void gemv(const float* x, int64_t m, int64_t k_len, WeightType type, const void* w,
          int64_t row_bytes, int64_t n0, int64_t n1, const float* bias, float* y, int64_t ldy,
          int64_t /*prefetch_bytes*/) {
  // Four x rows per pass so each converted weight is used up to four times.
  constexpr int64_t kRowsPerPass = 4;
  for (int64_t n = n0; n < n1; ++n) {
    const uint8_t* row = static_cast<const uint8_t*>(w) + n * row_bytes;
    for (int64_t i0 = 0; i0 < m; i0 += kRowsPerPass) {
      const int64_t rows = m - i0 < kRowsPerPass ? m - i0 : kRowsPerPass;
      float sum[kRowsPerPass] = {0.0f, 0.0f, 0.0f, 0.0f};
      for (int64_t kk = 0; kk < k_len; ++kk) {
        const float wv = weight_element(type, row, kk);
        for (int64_t i = 0; i < rows; ++i) sum[i] += x[(i0 + i) * k_len + kk] * wv;
      }
      for (int64_t i = 0; i < rows; ++i) {
        y[(i0 + i) * ldy + n] = bias != nullptr ? sum[i] + bias[n] : sum[i];
      }
    }
  }
}

}  // namespace

extern const MatmulKernels kMatmulScalar;
const MatmulKernels kMatmulScalar{gemv, 0, 0, nullptr, nullptr};

}  // namespace qwenrt::cpu
