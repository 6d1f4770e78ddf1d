// Run-time SIMD target choice, and sanity of the measured machine limits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/fma_peak.h"
#include "kernels/cpu/memory_bandwidth.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {
namespace {

TEST(Dispatch, BestTargetIsTheDefault) {
  const auto targets = supported_simd_targets();
  ASSERT_FALSE(targets.empty());
  EXPECT_EQ(targets.back(), "scalar");
  EXPECT_EQ(std::string(simd_target()), targets.front());
}

TEST(Dispatch, ForcesEachSupportedTarget) {
  for (const std::string& t : supported_simd_targets()) {
    ASSERT_TRUE(set_simd_target_for_testing(t));
    EXPECT_EQ(std::string(simd_target()), t);
    EXPECT_EQ(std::string(active_kernels().name), t);
  }
  set_simd_target_for_testing(supported_simd_targets().front());
}

TEST(Dispatch, RefusesUnknownTargets) {
  const std::string before = simd_target();
  EXPECT_FALSE(set_simd_target_for_testing("avx1024"));
  EXPECT_FALSE(set_simd_target_for_testing(""));
  EXPECT_EQ(std::string(simd_target()), before);
}

// Only plausibility: the numbers themselves are for benchmarks, never asserted.
TEST(MachineLimits, ArePositiveAndFinite) {
  ThreadPool pool(2);
  const double gflops = measure_fma_peak_gflops(pool);
  EXPECT_TRUE(std::isfinite(gflops));
  EXPECT_GT(gflops, 0.1);
  const double gbs = measure_read_bandwidth_gbs(pool);
  EXPECT_TRUE(std::isfinite(gbs));
  EXPECT_GT(gbs, 0.1);
}

}  // namespace
}  // namespace qwenrt::cpu
