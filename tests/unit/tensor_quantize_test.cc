// Quantizers against their own dequantizers: every value comes back within the error its
// format allows, extremes come back exact where the format promises it, and bad input is
// refused. (Bit-exactness against gguf-py and llama.cpp: io_quantize_golden_test.cc.)
#include "tensor/quantize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "base/error.h"
#include "tensor/quant_reference.h"

namespace qwenrt {
namespace {

using ::testing::HasSubstr;

std::vector<float> random_values(int64_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = normal(rng);
  return v;
}

std::vector<float> round_trip(DType t, const std::vector<float>& x) {
  const auto n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(static_cast<size_t>(dtype_row_bytes(t, n)));
  quantize_row(t, x.data(), n, q.data());
  std::vector<float> y(x.size());
  dequantize_row_reference(t, q.data(), n, y.data());
  return y;
}

// Largest |x - y| over each `block` values, relative to that block's largest |x|.
double worst_block_error(const std::vector<float>& x, const std::vector<float>& y, size_t block) {
  double worst = 0;
  for (size_t b = 0; b < x.size(); b += block) {
    double amax = 0, err = 0;
    for (size_t i = b; i < b + block; ++i) {
      amax = std::max(amax, std::fabs(static_cast<double>(x[i])));
      err = std::max(err, std::fabs(static_cast<double>(x[i]) - y[i]));
    }
    if (amax > 0) worst = std::max(worst, err / amax);
  }
  return worst;
}

// rms(x - y) / rms(x) over the whole row.
double relative_rms_error(const std::vector<float>& x, const std::vector<float>& y) {
  double num = 0, den = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    num += (static_cast<double>(x[i]) - y[i]) * (static_cast<double>(x[i]) - y[i]);
    den += static_cast<double>(x[i]) * x[i];
  }
  return std::sqrt(num / den);
}

struct Bound {
  DType type;
  double block_max;  // worst |error| / block amax (half a level plus the f16 scale's rounding)
  double rms;        // rms error / rms, for Gaussian data
};

class QuantizeRoundTrip : public ::testing::TestWithParam<Bound> {};

TEST_P(QuantizeRoundTrip, ErrorWithinTheFormatsResolution) {
  const Bound b = GetParam();
  const std::vector<float> x = random_values(256 * 64, 7);
  const std::vector<float> y = round_trip(b.type, x);
  // Error bounds per 32-element block for the legacy types; for K-quants the scale is per
  // 16/32 elements but the 6-bit scale quantization adds error, so the bound is looser.
  const double block_max = worst_block_error(x, y, 32), rms = relative_rms_error(x, y);
  EXPECT_LE(block_max, b.block_max) << dtype_name(b.type);
  EXPECT_LE(rms, b.rms) << dtype_name(b.type);
  std::printf("%s: worst block error %.5f, rms error %.5f\n", dtype_name(b.type), block_max, rms);
  // A wrong quantizer that is merely close (say, truncating instead of rounding) fails
  // the rms bound; one that ignores the data fails both.
}

// Worst-case bounds from the formats (plus the f16 scale's 2^-11 relative rounding):
// Q8_0 half a step of amax/127; Q4_0 / Q5_0 map -amax to the bottom level, so +amax clips
// one level short: amax/8, amax/16; Q4_1 / Q5_1 half a step of range/15, range/31 with
// range <= 2 amax. K-quants add the 6-bit sub-scale rounding, so their bounds are the
// values measured on this data plus ~8%. The rms bounds are this seed's measured values
// plus ~5%: a quantizer that truncates, or searches scales worse than ggml's, fails them.
INSTANTIATE_TEST_SUITE_P(Types, QuantizeRoundTrip,
                         ::testing::Values(Bound{DType::Q8_0, 0.00443, 0.0056}, Bound{DType::Q4_0, 0.126, 0.090},
                                           Bound{DType::Q4_1, 0.068, 0.082}, Bound{DType::Q5_0, 0.063, 0.045},
                                           Bound{DType::Q5_1, 0.0335, 0.040}, Bound{DType::Q4_K, 0.101, 0.075},
                                           Bound{DType::Q5_K, 0.058, 0.038}, Bound{DType::Q6_K, 0.0176, 0.0186}),
                         [](const auto& info) { return std::string(dtype_name(info.param.type)); });

TEST(Quantize, ZerosStayZeroInEveryType) {
  const std::vector<float> zeros(512, 0.0f);
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q5_K,
                  DType::Q6_K, DType::F16, DType::BF16}) {
    const std::vector<float> y = round_trip(t, zeros);
    for (float v : y) ASSERT_EQ(v, 0.0f) << dtype_name(t);
  }
}

TEST(Quantize, SymmetricTypesKeepTheExtremeExactly) {
  // The largest magnitude maps to the end level: exactly representable after the f16
  // scale, when that scale is exact (a power of two over the level count).
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  x[5] = -8.0f;
  EXPECT_EQ(round_trip(DType::Q4_0, x)[5], -8.0f);
  x[5] = -16.0f;
  EXPECT_EQ(round_trip(DType::Q5_0, x)[5], -16.0f);
  x[5] = 127.0f;
  EXPECT_EQ(round_trip(DType::Q8_0, x)[5], 127.0f);
}

TEST(Quantize, IntegerValuesSurviveQ8_0) {
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<float>((i * 37) % 255 - 127);
  EXPECT_EQ(round_trip(DType::Q8_0, x), x);
}

TEST(Quantize, F16AndBf16RoundToNearest) {
  const std::vector<float> x = random_values(64, 3);
  const std::vector<float> h = round_trip(DType::F16, x), b = round_trip(DType::BF16, x);
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_EQ(h[i], f16_to_f32(f32_to_f16(x[i])));
    EXPECT_EQ(b[i], bf16_to_f32(f32_to_bf16(x[i])));
  }
  EXPECT_EQ(round_trip(DType::F32, x), x);
}

TEST(Quantize, KQuantsAdaptToEachSubBlock) {
  // Sub-blocks of different magnitude in one super-block: each keeps its own scale, so the
  // small one is not quantized with the large ones' step (which would leave ~100% error).
  // (At 1/100 of the others, ggml's 6-bit sub-scales do round a sub-block to zero.)
  std::vector<float> x = random_values(256, 11);
  for (int i = 0; i < 32; ++i) x[i] *= 0.1f;
  for (DType t : {DType::Q4_K, DType::Q5_K, DType::Q6_K}) {
    const std::vector<float> y = round_trip(t, x);
    double small_err = 0, small_rms = 0;
    for (int i = 0; i < 32; ++i) {
      small_err += (x[i] - y[i]) * (x[i] - y[i]);
      small_rms += x[i] * x[i];
    }
    EXPECT_LT(std::sqrt(small_err / small_rms), 0.25) << dtype_name(t);
  }
}

TEST(Quantize, RefusesBadInput) {
  std::vector<uint8_t> out(1024);
  std::vector<float> x(64, 1.0f);
  EXPECT_THAT([&] { quantize_row(DType::Q4_K, x.data(), 64, out.data()); },
              ::testing::ThrowsMessage<Error>(HasSubstr("not a whole number of 256-element Q4_K blocks")));
  EXPECT_THAT([&] { quantize_row(DType::I32, x.data(), 64, out.data()); },
              ::testing::ThrowsMessage<Error>(HasSubstr("cannot write I32")));
  x[40] = NAN;
  EXPECT_THAT([&] { quantize_row(DType::Q8_0, x.data(), 64, out.data()); },
              ::testing::ThrowsMessage<Error>(HasSubstr("element 40")));
  x[40] = INFINITY;
  EXPECT_THROW(quantize_row(DType::F16, x.data(), 64, out.data()), Error);
  EXPECT_FALSE(can_quantize_to(DType::U8));
  EXPECT_TRUE(can_quantize_to(DType::Q5_1));
}

}  // namespace
}  // namespace qwenrt
