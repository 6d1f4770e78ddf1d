// The vector exp behind silu_mul and softmax (within 1 ulp of the exact value over the
// whole F32 range), and silu_mul against the reference, on every SIMD target.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels/cpu/ops.h"
#include "kernels/cpu/ops_reference.h"
#include "kernels_test_util.h"

namespace qwenrt::cpu {
namespace {

using testing::GuardedBuffer;
using testing::Random;
using testing::ScopedSimdTarget;
using testing::ulp_distance;

float from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

bool same_value(float a, float b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

class ActivationTest : public ::testing::TestWithParam<std::string> {};

// Sweeps ~2 million floats spread over every binade where exp is neither 0 nor inf
// (results include subnormals), comparing with exp computed in double then rounded.
TEST_P(ActivationTest, ExpWithinOneUlpEverywhere) {
  ScopedSimdTarget target(GetParam());
  const auto& kernels = *active_kernels().elementwise;
  std::vector<float> x, y;
  for (uint32_t bits = 0; bits <= 0x42b20000u; bits += 997) x.push_back(from_bits(bits));
  for (uint32_t bits = 0x80000000u; bits <= 0xc2d00000u; bits += 997) x.push_back(from_bits(bits));
  y.resize(x.size());
  kernels.exp(x.data(), static_cast<int64_t>(x.size()), y.data());
  int64_t worst = 0;
  float worst_x = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x[i])));
    const int64_t d = ulp_distance(y[i], want);
    if (d > worst) {
      worst = d;
      worst_x = x[i];
    }
  }
  EXPECT_LE(worst, 1) << "at x = " << worst_x;
}

TEST_P(ActivationTest, ExpSpecialValues) {
  ScopedSimdTarget target(GetParam());
  const auto& kernels = *active_kernels().elementwise;
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {0.0f,          -0.0f,     1.0f,     -inf,   inf,
                                std::nanf(""), 88.72283f, 88.7229f, 200.0f, -87.3365f,
                                -103.97f,      -104.0f,   -1000.0f, 1e-30f, -1e-30f};
  std::vector<float> y(x.size());
  kernels.exp(x.data(), static_cast<int64_t>(x.size()), y.data());
  for (size_t i = 0; i < x.size(); ++i) {
    const float want = static_cast<float>(std::exp(static_cast<double>(x[i])));
    if (std::isnan(want) || std::isinf(want) || want == 0.0f) {
      EXPECT_TRUE(same_value(y[i], want)) << "exp(" << x[i] << ") = " << y[i];
    } else {
      EXPECT_LE(ulp_distance(y[i], want), 1) << "exp(" << x[i] << ") = " << y[i];
    }
  }
}

// silu(g) * up = g / (1 + exp(-g)) * up: exp's 1 ulp plus three roundings, so 4 ulps
// relative (subnormal results: 4 ulps of the smallest normal).
TEST_P(ActivationTest, SiluMulMatchesReference) {
  ScopedSimdTarget target(GetParam());
  Random rng(42);
  for (int64_t n = 0; n <= 70; ++n) {
    for (float range : {4.0f, 30.0f, 120.0f}) {
      GuardedBuffer g(n * 4, n % 2 ? 4 : 0), u(n * 4, n % 3 ? 4 : 0), out(n * 4);
      rng.fill(g.floats(), n, -range, range);
      rng.fill(u.floats(), n, -2.0f, 2.0f);
      silu_mul(g.floats(), u.floats(), n, out.floats());
      std::vector<float> ref(n);
      reference::silu_mul(g.floats(), u.floats(), n, ref.data());
      for (int64_t i = 0; i < n; ++i) {
        const double tol = 4 * testing::kEps * std::max<double>(std::fabs(ref[i]), 1.2e-38);
        EXPECT_NEAR(out.floats()[i], ref[i], tol) << "n=" << n << " g=" << g.floats()[i];
      }
    }
  }
}

TEST_P(ActivationTest, SiluMulSpecialValuesAndAliasing) {
  ScopedSimdTarget target(GetParam());
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> g = {0.0f,   -0.0f, inf,    -inf,   std::nanf(""), 1e30f,
                          -1e30f, 88.0f, -88.0f, -90.0f, 1e-40f};
  std::vector<float> u(g.size(), 1.5f);
  std::vector<float> ref(g.size());
  reference::silu_mul(g.data(), u.data(), static_cast<int64_t>(g.size()), ref.data());
  std::vector<float> out = g;  // out aliases gate
  silu_mul(out.data(), u.data(), static_cast<int64_t>(g.size()), out.data());
  for (size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(ref[i]) || std::isinf(ref[i]) || ref[i] == 0.0f) {
      EXPECT_TRUE(same_value(out[i], ref[i])) << "g=" << g[i] << " got " << out[i];
    } else {
      EXPECT_NEAR(out[i], ref[i], 4 * testing::kEps * std::max<double>(std::fabs(ref[i]), 1.2e-38))
          << "g=" << g[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, ActivationTest, ::testing::ValuesIn(supported_simd_targets()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace qwenrt::cpu
