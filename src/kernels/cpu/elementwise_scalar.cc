// Portable element-wise kernels for CPUs without AVX2 (libm exp, plain loops).
#include <cmath>
#include <cstring>

#include "kernels/cpu/kernel_tables.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu {
namespace {

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void rms_norm_row(const float* x, const float* weight, int64_t n, float eps, float* y) {
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) sum += x[i] * x[i];
  const float inv = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
  for (int64_t i = 0; i < n; ++i) y[i] = weight[i] * (x[i] * inv);
}

void exp_row(const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
}

void convert_row(WeightType type, const void* src, int64_t n, float* dst) {
  if (type == WeightType::kF32) {
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return;
  }
  const uint8_t* bytes = static_cast<const uint8_t*>(src);
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, bytes + i * 2, 2);
    dst[i] = type == WeightType::kBF16 ? bf16_to_f32(h) : f16_to_f32(h);
  }
}

}  // namespace

extern const ElementwiseKernels kElementwiseScalar;
const ElementwiseKernels kElementwiseScalar{silu_mul, rms_norm_row, exp_row, convert_row};

}  // namespace qwenrt::cpu
