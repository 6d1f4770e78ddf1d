// rope_neox against the reference (bit-identical: same F32 angle, libm cos/sin, same
// multiply/add order) and against an independent double-precision rotation.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::kEps;
using testing::Random;

std::vector<float> inv_freq(int64_t head_dim, double theta) {
  std::vector<float> f(head_dim / 2);
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    f[i] = static_cast<float>(1.0 / std::pow(theta, 2.0 * static_cast<double>(i) / head_dim));
  }
  return f;
}

TEST(Rope, MatchesReferenceExactly) {
  Random rng(3);
  const std::vector<int32_t> positions = {0, 1, 2, 17, 1000, 32767, 131071};
  for (int64_t head_dim : {2, 8, 64, 128}) {
    for (int64_t heads : {1, 3, 14}) {
      const int64_t n = static_cast<int64_t>(positions.size()) * heads * head_dim;
      std::vector<float> x(n), ref;
      rng.fill(x.data(), n);
      ref = x;
      const auto freq = inv_freq(head_dim, 1000000.0);
      rope_neox(x.data(), static_cast<int64_t>(positions.size()), heads, head_dim, positions.data(),
                freq.data());
      reference::rope_neox(ref.data(), static_cast<int64_t>(positions.size()), heads, head_dim,
                           positions.data(), freq.data());
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(x[i], ref[i]) << "dim=" << head_dim << " i=" << i;
    }
  }
}

// The angle is the F32 product position * inv_freq (as transformers computes it); the
// rotation itself checked in double: two F32 products and a sum, cos/sin within 1 ulp.
TEST(Rope, RotatesByF32Angle) {
  Random rng(4);
  const int64_t head_dim = 64, heads = 2;
  const std::vector<int32_t> positions = {0, 5, 4095, 100000};
  const auto freq = inv_freq(head_dim, 10000.0);
  const int64_t n = static_cast<int64_t>(positions.size()) * heads * head_dim;
  std::vector<float> x(n);
  rng.fill(x.data(), n);
  const std::vector<float> in = x;
  rope_neox(x.data(), static_cast<int64_t>(positions.size()), heads, head_dim, positions.data(),
            freq.data());
  const int64_t half = head_dim / 2;
  for (size_t t = 0; t < positions.size(); ++t) {
    for (int64_t h = 0; h < heads; ++h) {
      const int64_t base = (static_cast<int64_t>(t) * heads + h) * head_dim;
      for (int64_t i = 0; i < half; ++i) {
        const double angle = static_cast<float>(positions[t]) * freq[i];  // F32 product
        const double c = std::cos(angle), s = std::sin(angle);
        const double x1 = in[base + i], x2 = in[base + i + half];
        const double tol = 4 * kEps * (std::fabs(x1) + std::fabs(x2));
        EXPECT_NEAR(x[base + i], x1 * c - x2 * s, tol);
        EXPECT_NEAR(x[base + i + half], x2 * c + x1 * s, tol);
      }
    }
  }
}

}  // namespace
}  // namespace qwenrt::cpu
