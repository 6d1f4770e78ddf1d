// The vocabulary kernels of every SIMD target this CPU runs (baseline, AVX2) against
// plain scalar loops, over lengths that exercise every tail and block boundary; and
// top-n selection against a full sort.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "sampling/candidates.h"
#include "sampling/vector_kernels.h"
#include "sampling/vector_math.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::vector<const VocabKernels*> all_targets() {
  std::vector<const VocabKernels*> targets = {&baseline_vocab_kernels()};
  if (avx2_vocab_kernels() != nullptr) targets.push_back(avx2_vocab_kernels());
  return targets;
}

std::vector<float> random_values(size_t n, uint64_t seed, bool specials) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> x(n);
  for (float& v : x) v = normal(rng);
  if (specials) {
    for (size_t i = 0; i < n; i += 7) x[i] = -kInf;
    for (size_t i = 3; i < n; i += 11) x[i] = kNaN;
    for (size_t i = 5; i < n; i += 13) x[i] = std::round(x[i]);  // ties
  }
  return x;
}

class SamplingVectorMath : public ::testing::TestWithParam<const VocabKernels*> {
 protected:
  const VocabKernels& k() const { return *GetParam(); }
};

TEST_P(SamplingVectorMath, MaxIgnoresNaN) {
  for (size_t n = 0; n < 70; ++n) {
    for (bool specials : {false, true}) {
      const std::vector<float> x = random_values(n, n, specials);
      float want = -kInf;
      for (float v : x) {
        if (v > want) want = v;
      }
      EXPECT_EQ(k().max_value(x.data(), n), want) << n;
    }
  }
  const std::vector<float> nans(9, kNaN);
  EXPECT_EQ(k().max_value(nans.data(), nans.size()), -kInf);
}

TEST_P(SamplingVectorMath, DivideAndMaskEqualScalarLoops) {
  for (size_t n = 0; n < 70; ++n) {
    std::vector<float> x = random_values(n, 100 + n, false), want = x;
    x.push_back(123.0f);  // a guard past the end must stay untouched
    k().divide_all(x.data(), n, 0.7f);
    for (float& v : want) v = v / 0.7f;
    EXPECT_EQ(std::vector<float>(x.begin(), x.begin() + n), want);
    k().mask_below(x.data(), n, 0.5f);
    for (float& v : want) v = v < 0.5f ? -kInf : v;
    EXPECT_EQ(std::vector<float>(x.begin(), x.begin() + n), want);
    EXPECT_EQ(x[n], 123.0f);
  }
}

TEST_P(SamplingVectorMath, NextAboveFindsFirstHit) {
  for (size_t n = 0; n < 70; ++n) {
    const std::vector<float> x = random_values(n, 200 + n, true);
    for (float t : {-kInf, 0.0f, 2.0f, 5.0f, kInf}) {
      for (size_t begin = 0; begin <= n; ++begin) {
        size_t want = begin;
        while (want < n && !(x[want] > t)) ++want;
        ASSERT_EQ(k().next_above(x.data(), n, begin, t), want) << n << " " << t << " " << begin;
      }
    }
  }
}

TEST_P(SamplingVectorMath, NanOrPositiveInfDetected) {
  for (size_t n = 1; n < 40; ++n) {
    for (size_t bad = 0; bad < n; ++bad) {
      std::vector<float> x = random_values(n, n, false);
      x[bad] = -kInf;
      EXPECT_FALSE(k().has_nan_or_positive_inf(x.data(), n));
      x[bad] = kNaN;
      EXPECT_TRUE(k().has_nan_or_positive_inf(x.data(), n)) << n << " " << bad;
      x[bad] = kInf;
      EXPECT_TRUE(k().has_nan_or_positive_inf(x.data(), n)) << n << " " << bad;
    }
  }
}

float exp_of(const VocabKernels& k, float x) {
  float w;
  k.exp_sum(&x, 1, 0.0f, &w);
  return w;
}

TEST_P(SamplingVectorMath, ExpWithinTwoUlp) {
  for (float x = 0.0f; x > -86.0f; x -= 0.000731f) {
    const double want = std::exp(static_cast<double>(x));
    const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
    ASSERT_LE(std::fabs(exp_of(k(), x) - want), 2 * ulp) << x;
  }
  EXPECT_EQ(exp_of(k(), 0.0f), 1.0f);
  EXPECT_EQ(exp_of(k(), -87.0f), 0.0f);
  EXPECT_EQ(exp_of(k(), -kInf), 0.0f);
}

TEST_P(SamplingVectorMath, ExpSumMatchesScalarTerms) {
  for (size_t n : {0, 1, 7, 15, 16, 17, 31, 32, 33, 63, 1001}) {
    std::vector<float> x = random_values(n, n, false);
    for (size_t i = 1; i < n; i += 5) x[i] = -kInf;  // x[0] stays finite: max must be
    const float max = k().max_value(x.data(), n);
    std::vector<float> w(n + 1, 123.0f);
    const double total = k().exp_sum(x.data(), n, max, w.data());
    double want = 0.0;
    for (size_t i = 0; i < n; ++i) {
      EXPECT_EQ(w[i], exp_of(k(), x[i] - max));  // every lane and tail equals the scalar form
      want += w[i];
    }
    EXPECT_EQ(w[n], 123.0f);
    EXPECT_NEAR(total, want, 1e-6 * want);
    EXPECT_EQ(k().exp_sum(x.data(), n, max, nullptr), total);
  }
}

TEST_P(SamplingVectorMath, FindCumulativeSkipsZeroWeights) {
  for (size_t n : {1, 5, 16, 33, 100}) {
    std::vector<float> w(n, 0.0f);
    for (size_t i = 1; i < n; i += 3) w[i] = 0.25f * static_cast<float>(1 + i % 4);
    double total = 0.0;
    for (float v : w) total += v;
    for (double target = 0.0; target < total; target += 0.0625) {
      double acc = 0.0;
      size_t want = n;
      for (size_t i = 0; i < n; ++i) {
        acc += w[i];
        if (acc > target && w[i] > 0.0f) {
          want = i;
          break;
        }
      }
      ASSERT_EQ(k().find_cumulative(w.data(), n, target), want) << n << " " << target;
    }
    EXPECT_EQ(k().find_cumulative(w.data(), n, total + 1.0), n);
  }
}

TEST_P(SamplingVectorMath, DistanceBinsEqualScalarLoop) {
  for (size_t n : {0, 1, 7, 9, 100}) {
    std::vector<float> x = random_values(n, 300 + n, true);
    const float max = k().max_value(x.data(), n);
    std::vector<uint16_t> bins(n + 1, 7777);
    k().distance_bins(x.data(), n, max, 64.0f, 4096, bins.data());
    for (size_t i = 0; i < n; ++i) {
      const float scaled = (max - x[i]) * 64.0f;
      const int want = scaled < 4095.0f ? static_cast<int>(scaled) : 4095;
      EXPECT_EQ(bins[i], want) << x[i];
    }
    EXPECT_EQ(bins[n], 7777);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, SamplingVectorMath, ::testing::ValuesIn(all_targets()),
                         [](const auto& info) { return std::string(info.param->name); });

TEST(SamplingVectorMathTargets, ExpAgreesAcrossTargetsWithinTwoUlp) {
  const VocabKernels* avx2 = avx2_vocab_kernels();
  if (avx2 == nullptr) GTEST_SKIP() << "no AVX2 on this CPU";
  for (float x = 0.0f; x > -86.0f; x -= 0.00117f) {
    const float a = exp_of(baseline_vocab_kernels(), x), b = exp_of(*avx2, x);
    ASSERT_LE(std::fabs(a - b), 2 * std::ldexp(1.0f, std::ilogb(a) - 23)) << x;
  }
}

// Reference ranking: value descending (NaN as -inf), then index ascending.
std::vector<int32_t> sorted_ranking(const std::vector<float>& x) {
  std::vector<int32_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](int32_t i) { return std::isnan(x[i]) ? -kInf : x[i]; };
  std::stable_sort(order.begin(), order.end(),
                   [&](int32_t a, int32_t b) { return key(a) > key(b); });
  return order;
}

TEST(SamplingCandidates, SelectTopMatchesFullSort) {
  std::vector<int32_t> got;
  for (size_t n : {1, 7, 100, 5000, 151936}) {
    for (int kind = 0; kind < 3; ++kind) {
      std::vector<float> x = random_values(n, n * 3 + kind, kind == 1);
      if (kind == 2) std::sort(x.begin(), x.end());  // ascending: every entry raises the bar
      const std::vector<int32_t> order = sorted_ranking(x);
      for (size_t k :
           {size_t{0}, size_t{1}, size_t{5}, size_t{20}, size_t{1024}, n / 2, n, n + 3}) {
        select_top(x, k, got);
        ASSERT_EQ(got, std::vector<int32_t>(order.begin(), order.begin() + std::min(k, n)))
            << n << " " << k;
      }
    }
  }
}

TEST(SamplingCandidates, SelectTopTiesGoToLowerIndex) {
  std::vector<int32_t> got;
  const std::vector<float> x(5000, 1.0f);
  select_top(x, 3, got);
  EXPECT_EQ(got, (std::vector<int32_t>{0, 1, 2}));
  const std::vector<float> masked = {-kInf, kNaN, 2.0f, -kInf};
  select_top(masked, 3, got);
  EXPECT_EQ(got, (std::vector<int32_t>{2, 0, 1}));
}

TEST(SamplingCandidates, GatherFiniteStopsAtLimit) {
  std::vector<float> x(1000, -kInf);
  for (size_t i = 3; i < 1000; i += 100) x[i] = 1.0f;
  x[50] = kNaN;
  std::vector<int32_t> got;
  EXPECT_TRUE(gather_finite(x, 10, got));
  EXPECT_EQ(got, (std::vector<int32_t>{3, 103, 203, 303, 403, 503, 603, 703, 803, 903}));
  EXPECT_FALSE(gather_finite(x, 9, got));
}

}  // namespace
}  // namespace qwenrt
