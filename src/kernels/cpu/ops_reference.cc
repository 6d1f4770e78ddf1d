#include "kernels/cpu/ops_reference.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "base/error.h"

namespace qwenrt::cpu::reference {

float weight_at(const WeightView& w, int64_t row, int64_t col) {
  const uint8_t* r = w.row(row);
  switch (w.dtype) {
    case DType::F32: {
      float f;
      std::memcpy(&f, r + col * 4, 4);
      return f;
    }
    case DType::BF16: {
      uint16_t h;
      std::memcpy(&h, r + col * 2, 2);
      return bf16_to_f32(h);
    }
    case DType::F16: {
      uint16_t h;
      std::memcpy(&h, r + col * 2, 2);
      return f16_to_f32(h);
    }
    default:
      break;
  }
  throw Error(std::string("reference::weight_at: unsupported dtype ") + dtype_name(w.dtype));
}

void matmul(const float* x, int64_t m, const WeightView& w, const float* bias, float* y) {
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t n = 0; n < w.rows; ++n) {
      float sum = 0.0f;
      for (int64_t k = 0; k < w.cols; ++k) sum += x[i * w.cols + k] * weight_at(w, n, k);
      y[i * w.rows + n] = bias != nullptr ? sum + bias[n] : sum;
    }
  }
}

// transformers Qwen2RMSNorm in F32: variance = mean(x^2) (torch: sum, then divide);
// x * rsqrt(variance + eps) (torch: 1 / sqrt), then weight * that.
void rms_norm(const float* x, const float* weight, int64_t rows, int64_t n, float eps, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float sum = 0.0f;
    for (int64_t i = 0; i < n; ++i) sum += xr[i] * xr[i];
    const float inv = 1.0f / std::sqrt(sum / static_cast<float>(n) + eps);
    for (int64_t i = 0; i < n; ++i) y[r * n + i] = weight[i] * (xr[i] * inv);
  }
}

// q_embed = q * cos + rotate_half(q) * sin with cos/sin of the F32 angle.
void rope_neox(float* x, int64_t n_tokens, int64_t n_heads, int64_t head_dim,
               const int32_t* positions, const float* inv_freq) {
  const int64_t half = head_dim / 2;
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + (t * n_heads + h) * head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const float angle = static_cast<float>(positions[t]) * inv_freq[i];
        const float c = std::cos(angle), s = std::sin(angle);
        const float x1 = v[i], x2 = v[i + half];
        v[i] = x1 * c + -x2 * s;
        v[i + half] = x2 * c + x1 * s;
      }
    }
  }
}

void silu_mul(const float* gate, const float* up, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    out[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

// The eager attention of transformers: scores = (q . k) * scale, softmax over the causal
// window in F32 (subtract the max, exp, multiply by 1 / sum), then the weighted sum of v.
void attention(const float* q, int64_t n_tokens, int64_t n_past, const float* k, const float* v,
               int64_t kv_capacity, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
               float scale, float* out) {
  const int64_t group = n_heads / n_kv_heads;
  std::vector<float> p(static_cast<size_t>(n_past + n_tokens));
  for (int64_t t = 0; t < n_tokens; ++t) {
    const int64_t len = n_past + t + 1;
    for (int64_t h = 0; h < n_heads; ++h) {
      const float* qh = q + (t * n_heads + h) * head_dim;
      const float* kh = k + (h / group) * kv_capacity * head_dim;
      const float* vh = v + (h / group) * kv_capacity * head_dim;
      float max = -std::numeric_limits<float>::infinity();
      for (int64_t j = 0; j < len; ++j) {
        float dot = 0.0f;
        for (int64_t d = 0; d < head_dim; ++d) dot += qh[d] * kh[j * head_dim + d];
        p[j] = dot * scale;
        if (p[j] > max) max = p[j];
      }
      float sum = 0.0f;
      for (int64_t j = 0; j < len; ++j) {
        p[j] = std::exp(p[j] - max);
        sum += p[j];
      }
      const float inv = 1.0f / sum;
      for (int64_t j = 0; j < len; ++j) p[j] *= inv;
      float* o = out + (t * n_heads + h) * head_dim;
      for (int64_t d = 0; d < head_dim; ++d) {
        float acc = 0.0f;
        for (int64_t j = 0; j < len; ++j) acc += p[j] * vh[j * head_dim + d];
        o[d] = acc;
      }
    }
  }
}

void dequantize_row(DType dtype, const void* src, int64_t n, float* dst) {
  WeightView w{dtype, 1, n, src};
  for (int64_t i = 0; i < n; ++i) dst[i] = weight_at(w, 0, i);
}

}  // namespace qwenrt::cpu::reference
