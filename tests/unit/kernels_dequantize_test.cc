// dequantize_row on every SIMD target: exact for every BF16 and F16 bit pattern.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::Random;
using testing::ScopedSimdTarget;

class DequantizeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DequantizeTest, EveryHalfPrecisionPattern) {
  ScopedSimdTarget target(GetParam());
  std::vector<uint16_t> all(65536);
  for (uint32_t i = 0; i < 65536; ++i) all[i] = static_cast<uint16_t>(i);
  for (DType dtype : {DType::BF16, DType::F16}) {
    std::vector<float> got(65536), want(65536);
    dequantize_row(dtype, all.data(), 65536, got.data());
    reference::dequantize_row(dtype, all.data(), 65536, want.data());
    for (uint32_t i = 0; i < 65536; ++i) {
      if (std::isnan(want[i])) {
        ASSERT_TRUE(std::isnan(got[i])) << dtype_name(dtype) << " " << i;  // payload may quiet
      } else {
        uint32_t a, b;
        std::memcpy(&a, &got[i], 4);
        std::memcpy(&b, &want[i], 4);
        ASSERT_EQ(a, b) << dtype_name(dtype) << " pattern " << i;
      }
    }
  }
}

TEST_P(DequantizeTest, AllLengthsAndAlignments) {
  ScopedSimdTarget target(GetParam());
  Random rng(9);
  for (DType dtype : {DType::F32, DType::BF16, DType::F16}) {
    for (int64_t n = 0; n <= 70; ++n) {
      const int64_t bytes = n * dtype_block_bytes(dtype);
      GuardedBuffer src(bytes, n % 2 ? 2 : 0), dst(n * 4, n % 3 ? 4 : 0);
      for (int64_t i = 0; i < bytes; ++i)
        src.bytes()[i] = static_cast<uint8_t>(rng.next_u32() & 0x3f);
      dequantize_row(dtype, src.bytes(), n, dst.floats());
      std::vector<float> want(n);
      reference::dequantize_row(dtype, src.bytes(), n, want.data());
      for (int64_t i = 0; i < n; ++i)
        ASSERT_EQ(dst.floats()[i], want[i]) << dtype_name(dtype) << " n=" << n;
    }
  }
}

TEST_P(DequantizeTest, RejectsQuantizedTypes) {
  ScopedSimdTarget target(GetParam());
  std::vector<uint8_t> src(64);
  std::vector<float> dst(32);
  EXPECT_THROW(dequantize_row(DType::I32, src.data(), 32, dst.data()), Error);
}

INSTANTIATE_TEST_SUITE_P(Targets, DequantizeTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
