// Helpers shared by the kernels_*_test.cc files: SIMD target selection, buffers that
// fault on any read or write past their end, random data, float distance.
#pragma once
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ops.h"
#include "tensor/quant_reference.h"
#include "tensor/dtype.h"

namespace qwenrt::cpu::testing {

// Forces one SIMD target for the lifetime of the guard, then restores the best one.
class ScopedSimdTarget {
 public:
  explicit ScopedSimdTarget(const std::string& name) {
    EXPECT_TRUE(set_simd_target_for_testing(name)) << name;
  }
  ~ScopedSimdTarget() { set_simd_target_for_testing(supported_simd_targets().front()); }
  ScopedSimdTarget(const ScopedSimdTarget&) = delete;
  ScopedSimdTarget& operator=(const ScopedSimdTarget&) = delete;
};

// `bytes` of memory whose last byte sits just before an inaccessible page, so an
// out-of-bounds access past the end crashes the test instead of passing silently.
// `slack` bytes between the data and the guard page shift the data's alignment.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t bytes, size_t slack = 0) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t used = bytes + slack;
    map_bytes_ = (used + page - 1) / page * page + page;
    void* base =
        mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) throw std::bad_alloc();
    base_ = static_cast<uint8_t*>(base);
    mprotect(base_ + map_bytes_ - page, page, PROT_NONE);
    data_ = base_ + map_bytes_ - page - used;
  }
  ~GuardedBuffer() { munmap(base_, map_bytes_); }
  GuardedBuffer(const GuardedBuffer&) = delete;
  GuardedBuffer& operator=(const GuardedBuffer&) = delete;

  uint8_t* bytes() { return data_; }
  float* floats() { return reinterpret_cast<float*>(data_); }

 private:
  uint8_t* base_ = nullptr;
  uint8_t* data_ = nullptr;
  size_t map_bytes_ = 0;
};

// Deterministic uniform floats in [lo, hi).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ull + 1) {}
  uint32_t next_u32() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return static_cast<uint32_t>(state_ >> 32);
  }
  float uniform(float lo = -1.0f, float hi = 1.0f) {
    return lo + (hi - lo) * static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f);
  }
  void fill(float* p, int64_t n, float lo = -1.0f, float hi = 1.0f) {
    for (int64_t i = 0; i < n; ++i) p[i] = uniform(lo, hi);
  }

 private:
  uint64_t state_;
};

constexpr double kEps = std::numeric_limits<float>::epsilon();  // 2^-23

// Distance in units in the last place between two finite floats of the same sign.
inline int64_t ulp_distance(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = std::numeric_limits<int32_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<int32_t>::min() - ib;
  return std::llabs(static_cast<int64_t>(ia) - static_cast<int64_t>(ib));
}

inline void put_half(uint8_t* p, float v) {
  const uint16_t h = f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

// Random quantized blocks with small finite scales (offsets of the f16 fields per ggml-common.h).
inline void fill_random_blocks(DType dtype, int64_t blocks, Random& rng, uint8_t* dst) {
  const int64_t bytes = dtype_block_bytes(dtype);
  for (int64_t i = 0; i < blocks * bytes; ++i) dst[i] = static_cast<uint8_t>(rng.next_u32());
  for (int64_t b = 0; b < blocks; ++b) {
    uint8_t* p = dst + b * bytes;
    switch (dtype) {
      case DType::Q8_0:
      case DType::Q4_0:
      case DType::Q5_0: put_half(p, rng.uniform(-0.05f, 0.05f)); break;
      case DType::Q4_1:
      case DType::Q5_1:
      case DType::Q4_K:
      case DType::Q5_K:
        put_half(p, rng.uniform(-0.05f, 0.05f));
        put_half(p + 2, rng.uniform(-0.05f, 0.05f));
        break;
      case DType::Q6_K: put_half(p + 208, rng.uniform(-0.05f, 0.05f)); break;
      default: FAIL() << "not quantized";
    }
  }
}

// One output of a quantized matmul computed from the dequantized weight row and the F32
// activations (in double), with what the int8 activation rounding may add to its error:
// act_err (half a step of each activation block times |w|) and abs_prod (sum |x w|).
struct DequantizedDot {
  double exact = 0.0, act_err = 0.0, abs_prod = 0.0;
};
inline DequantizedDot dequantized_dot(DType dtype, const uint8_t* w_row, const float* x, int64_t k,
                                      const ActBlock32* a32, const ActBlock256* a256, double bias) {
  const bool act256 = a256 != nullptr;
  std::vector<float> wf(static_cast<size_t>(k));
  dequantize_row_reference(dtype, w_row, k, wf.data());
  DequantizedDot r;
  r.exact = bias;
  for (int64_t kk = 0; kk < k; ++kk) {
    const int64_t blk = kk / (act256 ? 256 : 32);
    const double d = act256 ? a256[blk].d : a32[blk].d;
    const double w = wf[static_cast<size_t>(kk)];
    r.exact += static_cast<double>(x[kk]) * w;
    r.act_err += 0.51 * d * std::fabs(w);
    r.abs_prod += std::fabs(static_cast<double>(x[kk]) * w);
  }
  return r;
}

}  // namespace qwenrt::cpu::testing
