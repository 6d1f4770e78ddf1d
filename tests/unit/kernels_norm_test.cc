// rms_norm on every SIMD target against the reference (transformers' F32 formula).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::kEps;
using testing::Random;
using testing::ScopedSimdTarget;

class NormTest : public ::testing::TestWithParam<std::string> {};

// The sum of squares is reordered (vector partial sums): its relative error is about
// eps sqrt(n) on either side, half of which reaches rsqrt; the scaling adds 2-3 roundings.
TEST_P(NormTest, MatchesReference) {
  ScopedSimdTarget target(GetParam());
  Random rng(5);
  std::vector<int64_t> sizes;
  for (int64_t n = 1; n <= 70; ++n) sizes.push_back(n);
  for (int64_t n : {128, 896, 1000, 4096}) sizes.push_back(n);
  for (int64_t n : sizes) {
    for (int64_t rows : {1, 3}) {
      GuardedBuffer x(rows * n * 4, n % 2 ? 4 : 0), w(n * 4, n % 3 ? 4 : 0), y(rows * n * 4);
      rng.fill(x.floats(), rows * n, -3.0f, 3.0f);
      rng.fill(w.floats(), n, 0.5f, 1.5f);
      rms_norm(x.floats(), w.floats(), rows, n, 1e-6f, y.floats());
      std::vector<float> ref(rows * n);
      reference::rms_norm(x.floats(), w.floats(), rows, n, 1e-6f, ref.data());
      const double rel = kEps * (4.0 + std::sqrt(static_cast<double>(n)));
      for (int64_t i = 0; i < rows * n; ++i) {
        ASSERT_NEAR(y.floats()[i], ref[i], rel * std::fabs(ref[i]) + 1e-30)
            << "n=" << n << " i=" << i;
      }
    }
  }
}

TEST_P(NormTest, InPlaceEqualsOutOfPlace) {
  ScopedSimdTarget target(GetParam());
  Random rng(6);
  const int64_t rows = 2, n = 77;
  std::vector<float> x(rows * n), w(n), y(rows * n);
  rng.fill(x.data(), rows * n);
  rng.fill(w.data(), n);
  rms_norm(x.data(), w.data(), rows, n, 1e-5f, y.data());
  rms_norm(x.data(), w.data(), rows, n, 1e-5f, x.data());
  for (int64_t i = 0; i < rows * n; ++i) EXPECT_EQ(x[i], y[i]);
}

// eps matters when the row is (nearly) zero: y = x / sqrt(eps) * w, no NaN.
TEST_P(NormTest, ZeroRowUsesEps) {
  ScopedSimdTarget target(GetParam());
  std::vector<float> x(40, 0.0f), w(40, 1.0f), y(40, 1.0f);
  x[3] = 1e-4f;
  rms_norm(x.data(), w.data(), 1, 40, 1e-6f, y.data());
  const float inv = 1.0f / std::sqrt(1e-8f / 40 + 1e-6f);
  EXPECT_NEAR(y[3], 1e-4f * inv, 1e-6);
  EXPECT_EQ(y[0], 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Targets, NormTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
