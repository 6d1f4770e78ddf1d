// The 32-element block quantizers (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1): one scale (and for the
// _1 types an offset) per block, taken from the block's extremes, then round or truncate.
#include <cfloat>
#include <cmath>
#include <cstring>

#include "tensor/quant_reference.h"
#include "tensor/quantize.h"

namespace qwenrt {
namespace {

template <typename Block>
void store_block(void* y, int64_t i, const Block& b) {
  std::memcpy(static_cast<uint8_t*>(y) + static_cast<size_t>(i) * sizeof(Block), &b, sizeof(Block));
}

// The value of largest magnitude, sign kept (the first one on ties), as ggml picks it.
float signed_absmax(const float* x, int n) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < n; ++j) {
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  }
  return max;
}

void min_max(const float* x, int n, float* min, float* max) {
  *min = FLT_MAX;
  *max = -FLT_MAX;
  for (int j = 0; j < n; ++j) {
    if (x[j] < *min) *min = x[j];
    if (x[j] > *max) *max = x[j];
  }
}

// ggml truncates toward zero through int8_t and caps at the top level; values below
// zero cannot occur because the scale maps the extreme to the bottom level exactly.
uint8_t truncate_level(float v, int top) {
  const int q = static_cast<int8_t>(v);
  return static_cast<uint8_t>(q < top ? q : top);
}

}  // namespace

void quantize_row_q8_0(const float* x, void* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK8_0; ++i, x += kQK8_0) {
    float amax = 0.0f;
    for (int j = 0; j < kQK8_0; ++j) amax = std::fmax(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ8_0 b;
    b.d = f32_to_f16(d);
    for (int j = 0; j < kQK8_0; ++j) b.qs[j] = static_cast<int8_t>(std::round(x[j] * id));  // half away from zero
    store_block(y, i, b);
  }
}

void quantize_row_q4_0(const float* x, void* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_0; ++i, x += kQK4_0) {
    const float d = signed_absmax(x, kQK4_0) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_0 b;
    b.d = f32_to_f16(d);
    for (int j = 0; j < kQK4_0 / 2; ++j) {
      const uint8_t lo = truncate_level(x[j] * id + 8.5f, 15);
      const uint8_t hi = truncate_level(x[j + kQK4_0 / 2] * id + 8.5f, 15);
      b.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
    store_block(y, i, b);
  }
}

void quantize_row_q4_1(const float* x, void* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK4_1; ++i, x += kQK4_1) {
    float min, max;
    min_max(x, kQK4_1, &min, &max);
    const float d = (max - min) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ4_1 b;
    b.d = f32_to_f16(d);
    b.m = f32_to_f16(min);
    for (int j = 0; j < kQK4_1 / 2; ++j) {
      const uint8_t lo = truncate_level((x[j] - min) * id + 0.5f, 15);
      const uint8_t hi = truncate_level((x[j + kQK4_1 / 2] - min) * id + 0.5f, 15);
      b.qs[j] = static_cast<uint8_t>(lo | (hi << 4));
    }
    store_block(y, i, b);
  }
}

void quantize_row_q5_0(const float* x, void* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK5_0; ++i, x += kQK5_0) {
    const float d = signed_absmax(x, kQK5_0) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_0 b;
    b.d = f32_to_f16(d);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_0 / 2; ++j) {
      const uint8_t lo = truncate_level(x[j] * id + 16.5f, 31);
      const uint8_t hi = truncate_level(x[j + kQK5_0 / 2] * id + 16.5f, 31);
      b.qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
      qh |= static_cast<uint32_t>(lo >> 4) << j;
      qh |= static_cast<uint32_t>(hi >> 4) << (j + kQK5_0 / 2);
    }
    std::memcpy(b.qh, &qh, 4);
    store_block(y, i, b);
  }
}

void quantize_row_q5_1(const float* x, void* y, int64_t n) {
  for (int64_t i = 0; i < n / kQK5_1; ++i, x += kQK5_1) {
    float min, max;
    min_max(x, kQK5_1, &min, &max);
    const float d = (max - min) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    BlockQ5_1 b;
    b.d = f32_to_f16(d);
    b.m = f32_to_f16(min);
    uint32_t qh = 0;
    for (int j = 0; j < kQK5_1 / 2; ++j) {
      // No cap here in ggml: (max - min) * id + 0.5 stays below 32.
      const auto lo = static_cast<uint8_t>((x[j] - min) * id + 0.5f);
      const auto hi = static_cast<uint8_t>((x[j + kQK5_1 / 2] - min) * id + 0.5f);
      b.qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
      qh |= static_cast<uint32_t>((lo & 0x10) >> 4) << j;
      qh |= static_cast<uint32_t>((hi & 0x10) >> 4) << (j + kQK5_1 / 2);
    }
    std::memcpy(b.qh, &qh, 4);
    store_block(y, i, b);
  }
}

}  // namespace qwenrt
