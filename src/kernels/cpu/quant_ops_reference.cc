// Scalar reference of the integer-dot quantized matmul (declared in ops_reference.h): the
// activation quantizers and one plain loop per weight type. The SIMD kernels
// (quant_dot_simd.h) compute the same integers; only their float summation order differs.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"
#include "kernels/cpu/ops_reference.h"
#include "tensor/quant_reference.h"

namespace qwenrt::cpu::reference {
namespace {

// Scale and reciprocal of one activation block: d = max|x| / 127, inv = 127 / max|x|.
void act_scale(const float* x, int n, float* d, float* inv) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) amax = std::fmax(amax, std::fabs(x[i]));
  *d = amax / 127.0f;
  *inv = amax != 0.0f ? 127.0f / amax : 0.0f;
}

int8_t act_quant(float x, float inv) { return static_cast<int8_t>(std::nearbyint(x * inv)); }

template <typename Block>
Block load(const void* p, int64_t i) {
  Block b;
  std::memcpy(&b, static_cast<const uint8_t*>(p) + i * static_cast<int64_t>(sizeof(Block)),
              sizeof(Block));
  return b;
}

// Accumulates the F32 result and the rounding scale |terms| in double.
struct DotSum {
  float sum = 0.0f;
  double abs = 0.0;
};

// 32-element types: quant j (0..31) of the block as an integer before its offset.
int quant_q8_0(const BlockQ8_0& b, int j) { return b.qs[j]; }
int nibble(const uint8_t* qs, int j) { return j < 16 ? (qs[j] & 0xF) : (qs[j - 16] >> 4); }
int fifth_bit(const uint8_t* qh, int j) {
  uint32_t h;
  std::memcpy(&h, qh, 4);
  return ((h >> j) & 1) << 4;
}

// sum over the block of (q_j - offset) * x_j, and of |q_j - offset| * |x_j|.
template <typename Quant>
void int_dot32(Quant quant, int offset, const ActBlock32& a, int64_t* isum, int64_t* iabs) {
  *isum = 0;
  *iabs = 0;
  for (int j = 0; j < 32; ++j) {
    const int q = quant(j) - offset;
    *isum += q * a.qs[j];
    *iabs += std::abs(q * a.qs[j]);
  }
}

// Symmetric 32-blocks (Q8_0, Q4_0, Q5_0): (dw * dx) * isum.
void add_symmetric(float dw, const ActBlock32& a, int64_t isum, int64_t iabs, DotSum* s) {
  const float scale = dw * a.d;
  s->sum += scale * static_cast<float>(isum);
  s->abs += std::fabs(static_cast<double>(scale)) * static_cast<double>(iabs);
}

// Offset 32-blocks (Q4_1, Q5_1): (dw * dx) * isum + m * (dx * sum(qs)).
void add_offset(float dw, float m, const ActBlock32& a, int64_t isum, int64_t iabs, DotSum* s) {
  const float scale = dw * a.d;
  const float offset = m * (a.d * static_cast<float>(a.sum));
  s->sum += scale * static_cast<float>(isum) + offset;
  s->abs += std::fabs(static_cast<double>(scale)) * static_cast<double>(iabs) +
            std::fabs(static_cast<double>(offset));
}

void scale_min_k4(int j, const uint8_t* q, int* scale, int* min) {
  if (j < 4) {
    *scale = q[j] & 63;
    *min = q[j + 4] & 63;
  } else {
    *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

// Q4_K / Q5_K block: (d * dx) * sum_j sc_j * dot_j - (dmin * dx) * sum_j min_j * xsum_j over
// the 8 sub-blocks of 32; quant(i) is element i's unsigned quant.
template <typename Quant>
void add_k4(float d, float dmin, const uint8_t* scales, Quant quant, const ActBlock256& a,
            DotSum* s) {
  int64_t isum = 0, iabs = 0, msum = 0, mabs = 0;
  for (int j = 0; j < 8; ++j) {
    int sc, mn;
    scale_min_k4(j, scales, &sc, &mn);
    int64_t dot = 0, dabs = 0;
    for (int i = 32 * j; i < 32 * j + 32; ++i) {
      dot += quant(i) * a.qs[i];
      dabs += std::abs(quant(i) * a.qs[i]);
    }
    isum += sc * dot;
    iabs += sc * dabs;
    const int xsum = a.bsums[2 * j] + a.bsums[2 * j + 1];
    msum += mn * xsum;
    mabs += mn * std::abs(xsum);
  }
  const float scale = d * a.d, mscale = dmin * a.d;
  s->sum += scale * static_cast<float>(isum) - mscale * static_cast<float>(msum);
  s->abs += std::fabs(static_cast<double>(scale)) * static_cast<double>(iabs) +
            std::fabs(static_cast<double>(mscale)) * static_cast<double>(mabs);
}

// Element i of a Q4_K block: chunk i / 64, low nibbles first.
int q4_k_quant(const BlockQ4_K& b, int i) {
  const uint8_t byte = b.qs[32 * (i / 64) + i % 32];
  return (i % 64) < 32 ? (byte & 0xF) : (byte >> 4);
}

int q5_k_quant(const BlockQ5_K& b, int i) {
  const int chunk = i / 64, l = i % 32;
  const bool high = (i % 64) >= 32;
  const int low4 = high ? (b.qs[32 * chunk + l] >> 4) : (b.qs[32 * chunk + l] & 0xF);
  const int bit = (b.qh[l] >> (2 * chunk + (high ? 1 : 0))) & 1;
  return low4 | (bit << 4);
}

// Element i of a Q6_K block (0..63, before the -32): half i / 128, group (i % 128) / 32.
int q6_k_quant(const BlockQ6_K& b, int i) {
  const int half = i / 128, g = (i % 128) / 32, l = i % 32;
  const uint8_t* ql = b.ql + 64 * half;
  const uint8_t* qh = b.qh + 32 * half;
  const uint8_t byte = ql[l + 32 * (g % 2)];
  const int nib = g < 2 ? (byte & 0xF) : (byte >> 4);
  return nib | (((qh[l] >> (2 * g)) & 3) << 4);
}

void add_q6_k(const BlockQ6_K& b, const ActBlock256& a, DotSum* s) {
  int64_t isum = 0, iabs = 0;
  for (int grp = 0; grp < 16; ++grp) {  // 16 scales, one per 16 elements
    const int sc = b.scales[grp];  // scales run in element order
    int64_t dot = 0, dabs = 0;
    for (int i = 16 * grp; i < 16 * grp + 16; ++i) {
      const int q = q6_k_quant(b, i) - 32;
      dot += q * a.qs[i];
      dabs += (std::abs(q) + 64) * std::abs(static_cast<int>(a.qs[i]));
    }
    isum += sc * dot;
    iabs += std::abs(sc) * dabs;
  }
  const float scale = f16_to_f32(b.d) * a.d;
  s->sum += scale * static_cast<float>(isum);
  s->abs += std::fabs(static_cast<double>(scale)) * static_cast<double>(iabs);
}

}  // namespace

void quantize_act32(const float* x, int64_t n, ActBlock32* dst) {
  for (int64_t b = 0; b < n / 32; ++b, x += 32) {
    ActBlock32& out = dst[b];
    float inv;
    act_scale(x, 32, &out.d, &inv);
    out.sum = 0;
    for (int i = 0; i < 32; ++i) {
      out.qs[i] = act_quant(x[i], inv);
      out.sum += out.qs[i];
    }
  }
}

void quantize_act256(const float* x, int64_t n, ActBlock256* dst) {
  for (int64_t b = 0; b < n / 256; ++b, x += 256) {
    ActBlock256& out = dst[b];
    float inv;
    act_scale(x, 256, &out.d, &inv);
    out.d = inv != 0.0f ? 1.0f / inv : 0.0f;  // llama.cpp's q8_K: d = 1 / iscale
    for (int g = 0; g < 16; ++g) {
      int sum = 0;
      for (int i = 16 * g; i < 16 * g + 16; ++i) {
        out.qs[i] = act_quant(x[i], inv);
        sum += out.qs[i];
      }
      out.bsums[g] = static_cast<int16_t>(sum);
    }
  }
}

bool uses_act256(DType dtype) {
  return dtype == DType::Q4_K || dtype == DType::Q5_K || dtype == DType::Q6_K;
}

float quant_dot(DType dtype, const void* w, const void* act, int64_t blocks, double* abs_sum) {
  DotSum s;
  int64_t isum, iabs;
  for (int64_t i = 0; i < blocks; ++i) {
    switch (dtype) {
      case DType::Q8_0: {
        const auto b = load<BlockQ8_0>(w, i);
        const auto a = load<ActBlock32>(act, i);
        int_dot32([&](int j) { return quant_q8_0(b, j); }, 0, a, &isum, &iabs);
        add_symmetric(f16_to_f32(b.d), a, isum, iabs, &s);
        break;
      }
      case DType::Q4_0: {
        const auto b = load<BlockQ4_0>(w, i);
        const auto a = load<ActBlock32>(act, i);
        int_dot32([&](int j) { return nibble(b.qs, j); }, 8, a, &isum, &iabs);
        add_symmetric(f16_to_f32(b.d), a, isum, iabs, &s);
        break;
      }
      case DType::Q5_0: {
        const auto b = load<BlockQ5_0>(w, i);
        const auto a = load<ActBlock32>(act, i);
        int_dot32([&](int j) { return nibble(b.qs, j) | fifth_bit(b.qh, j); }, 16, a, &isum,
                  &iabs);
        add_symmetric(f16_to_f32(b.d), a, isum, iabs, &s);
        break;
      }
      case DType::Q4_1: {
        const auto b = load<BlockQ4_1>(w, i);
        const auto a = load<ActBlock32>(act, i);
        int_dot32([&](int j) { return nibble(b.qs, j); }, 0, a, &isum, &iabs);
        add_offset(f16_to_f32(b.d), f16_to_f32(b.m), a, isum, iabs, &s);
        break;
      }
      case DType::Q5_1: {
        const auto b = load<BlockQ5_1>(w, i);
        const auto a = load<ActBlock32>(act, i);
        int_dot32([&](int j) { return nibble(b.qs, j) | fifth_bit(b.qh, j); }, 0, a, &isum,
                  &iabs);
        add_offset(f16_to_f32(b.d), f16_to_f32(b.m), a, isum, iabs, &s);
        break;
      }
      case DType::Q4_K: {
        const auto b = load<BlockQ4_K>(w, i);
        add_k4(f16_to_f32(b.d), f16_to_f32(b.dmin), b.scales,
               [&](int j) { return q4_k_quant(b, j); }, load<ActBlock256>(act, i), &s);
        break;
      }
      case DType::Q5_K: {
        const auto b = load<BlockQ5_K>(w, i);
        add_k4(f16_to_f32(b.d), f16_to_f32(b.dmin), b.scales,
               [&](int j) { return q5_k_quant(b, j); }, load<ActBlock256>(act, i), &s);
        break;
      }
      case DType::Q6_K: add_q6_k(load<BlockQ6_K>(w, i), load<ActBlock256>(act, i), &s); break;
      default:
        throw Error(std::string("reference::quant_dot: ") + dtype_name(dtype) +
                    " is not a quantized type");
    }
  }
  if (abs_sum != nullptr) *abs_sum = s.abs;
  return s.sum;
}

}  // namespace qwenrt::cpu::reference
