// Rotary position embedding, rotate_half (GPT-NeoX) layout, as transformers' Qwen2/Qwen3.
// cos/sin come from libm in F32 once per token and dimension, then apply to every head;
// the rotation is plain F32 multiply/add (compiled for baseline x86-64: no FMA
// contraction), the same rounding as transformers' q * cos + rotate_half(q) * sin.
#include <cmath>
#include <vector>

#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {

void rope_neox(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
               const int32_t* positions, const float* inv_freq, float scaling) {
  const int64_t half = head_dim / 2;
  if (half <= 0) return;
  std::vector<float> cos_t(static_cast<size_t>(half)), sin_t(static_cast<size_t>(half));
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float position = static_cast<float>(positions[t]);
    for (int64_t i = 0; i < half; ++i) {
      const float angle = position * inv_freq[i];
      cos_t[i] = std::cos(angle) * scaling;
      sin_t[i] = std::sin(angle) * scaling;
    }
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const float x1 = v[i], x2 = v[i + half];
        v[i] = x1 * cos_t[i] + -x2 * sin_t[i];
        v[i + half] = x2 * cos_t[i] + x1 * sin_t[i];
      }
    }
  }
}

}  // namespace qwenrt::cpu
