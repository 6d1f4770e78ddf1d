// The decode prefetch trial (kernels/cpu/decode_prefetch.h): the settings alternate in
// ABBA order, the faster one stays, and a settled tuner no longer changes it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "kernels/cpu/decode_prefetch.h"

namespace qwenrt::cpu {
namespace {

// Runs the whole trial with steps that take `slow_ms` under `slow_setting` and 1 ms
// under the other; returns the settings the steps saw.
std::vector<bool> run_trial(bool slow_setting, int slow_ms) {
  DecodePrefetchTuner& tuner = DecodePrefetchTuner::instance();
  tuner.restart();
  std::vector<bool> seen;
  for (int i = 0; i < DecodePrefetchTuner::kTrialSteps; ++i) {
    tuner.step([&] {
      seen.push_back(decode_prefetch_enabled());
      const int ms = decode_prefetch_enabled() == slow_setting ? slow_ms : 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    });
  }
  return seen;
}

TEST(DecodePrefetch, StepsAlternateInAbbaOrder) {
  const std::vector<bool> seen = run_trial(true, 2);
  ASSERT_EQ(seen.size(), static_cast<size_t>(DecodePrefetchTuner::kTrialSteps));
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i], (i + 1) / 2 % 2 == 1) << "step " << i;
  }
}

TEST(DecodePrefetch, TheFasterSettingStays) {
  run_trial(/*slow_setting=*/true, 4);
  EXPECT_FALSE(decode_prefetch_enabled());
  EXPECT_NE(DecodePrefetchTuner::instance().summary().find("off (auto: 24 steps"), std::string::npos)
      << DecodePrefetchTuner::instance().summary();

  run_trial(/*slow_setting=*/false, 4);
  EXPECT_TRUE(decode_prefetch_enabled());
  EXPECT_EQ(DecodePrefetchTuner::instance().summary().rfind("on (auto:", 0), 0u);
}

TEST(DecodePrefetch, SettledStepsNoLongerChangeTheSetting) {
  run_trial(/*slow_setting=*/true, 4);
  DecodePrefetchTuner& tuner = DecodePrefetchTuner::instance();
  for (int i = 0; i < 8; ++i) {
    tuner.step([] { std::this_thread::sleep_for(std::chrono::milliseconds(decode_prefetch_enabled() ? 1 : 5)); });
    EXPECT_FALSE(decode_prefetch_enabled());
  }
}

TEST(DecodePrefetch, TrialInProgressIsReported) {
  DecodePrefetchTuner& tuner = DecodePrefetchTuner::instance();
  tuner.restart();
  tuner.step([] {});
  tuner.step([] {});
  EXPECT_EQ(tuner.summary(), "on trial (2 of 24 steps)");
}

}  // namespace
}  // namespace qwenrt::cpu
