// Element-wise ops of ops.h (RMSNorm, SiLU-gated product, weight row conversion),
// dispatched to the active SIMD target.
#include "base/error.h"
#include "kernels/cpu/dequantize.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {

void rms_norm(const float* x, const float* weight, int64_t rows, int64_t n, float eps, float* y) {
  if (n <= 0) return;
  const ElementwiseKernels& kernels = *active_kernels().elementwise;
  for (int64_t r = 0; r < rows; ++r) kernels.rms_norm_row(x + r * n, weight, n, eps, y + r * n);
}

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
  if (n <= 0) return;
  active_kernels().elementwise->silu_mul(gate, up, n, out);
}

void dequantize_row(DType dtype, const void* src, int64_t n, float* dst) {
  if (is_quantized(dtype)) return dequantize_quantized(dtype, src, n, dst);
  if (n <= 0) return;
  active_kernels().elementwise->convert_row(weight_type_of(dtype), src, n, dst);
}

}  // namespace qwenrt::cpu
