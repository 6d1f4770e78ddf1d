#include "tensor/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace qwenrt {
namespace {

// Reference conversions through wider arithmetic, independent of the bit tricks.
float round_to_bf16_reference(float f) {
  double d = f;
  int e;
  std::frexp(d, &e);
  const double ulp = std::ldexp(1.0, e - 8);  // 8 significant bits
  double q = std::nearbyint(d / ulp) * ulp;     // ties to even
  return static_cast<float>(q);
}

TEST(DType, Bf16RoundsToNearestEven) {
  uint32_t state = 12345;
  for (int i = 0; i < 100000; ++i) {
    state = state * 1664525u + 1013904223u;
    float f;
    uint32_t bits = (state & 0x3fffffffu) | ((state & 1u) << 31);  // finite, not huge
    std::memcpy(&f, &bits, 4);
    if (!std::isnormal(f)) continue;
    ASSERT_EQ(bf16_to_f32(f32_to_bf16(f)), round_to_bf16_reference(f)) << f;
  }
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(NAN))));
}

TEST(DType, F16RoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = f16_to_f32(static_cast<uint16_t>(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f))));
      continue;
    }
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
  EXPECT_EQ(f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
  EXPECT_EQ(f32_to_f16(1e6f), 0x7c00);
}

TEST(DType, RowBytesFollowBlockLayouts) {
  EXPECT_EQ(dtype_row_bytes(DType::BF16, 896), 1792);
  EXPECT_EQ(dtype_row_bytes(DType::Q8_0, 64), 68);
  EXPECT_EQ(dtype_row_bytes(DType::Q4_K, 256), 144);
  EXPECT_EQ(dtype_row_bytes(DType::Q6_K, 256), 210);
  EXPECT_EQ(dtype_row_bytes(DType::Q5_0, 64), 44);  // ggml's block_q5_0: d, qh[4], qs[16]
  EXPECT_EQ(dtype_row_bytes(DType::Q5_1, 64), 48);  // block_q5_1: d, m, qh[4], qs[16]
  EXPECT_STREQ(dtype_name(DType::Q5_1), "Q5_1");
}

}  // namespace
}  // namespace qwenrt
