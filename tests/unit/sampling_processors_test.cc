// apply_top_p's two code paths (direct sort, histogram) against a plain full-sort top-p
// at Qwen's vocabulary size, and the processors' edge cases. Agreement with transformers
// is sampling_goldens_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "sampling/logits_processors.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// The reference top-p: every token sorted, probabilities in double with std::exp.
std::vector<bool> full_sort_top_p(const std::vector<float>& x, double top_p) {
  std::vector<int32_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](int32_t a, int32_t b) { return x[a] > x[b] || (x[a] == x[b] && a < b); });
  const double max = x[order[0]];
  double total = 0.0;
  for (float v : x) total += std::exp(static_cast<double>(v) - max);
  std::vector<bool> keep(x.size(), false);
  double above = 0.0;
  for (int32_t t : order) {
    if (above >= top_p * total) break;
    keep[t] = true;
    above += std::exp(static_cast<double>(x[t]) - max);
  }
  return keep;
}

std::vector<float> random_logits(size_t vocab, float sigma, uint64_t seed, size_t n_finite) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> x(vocab, -kInf);
  for (size_t i = 0; i < vocab; ++i) x[i] = normal(rng);
  // Mask all but n_finite random tokens, as top-k or a grammar would.
  std::vector<size_t> ids(vocab);
  std::iota(ids.begin(), ids.end(), 0);
  std::shuffle(ids.begin(), ids.end(), rng);
  for (size_t i = n_finite; i < vocab; ++i) x[ids[i]] = -kInf;
  return x;
}

void expect_top_p_matches_full_sort(std::vector<float> x, float top_p) {
  const std::vector<bool> want = full_sort_top_p(x, top_p);
  LogitsScratch scratch;
  apply_top_p(x, top_p, scratch);
  size_t kept = 0, mismatches = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    kept += x[i] != -kInf;
    mismatches += (x[i] != -kInf) != want[i];
  }
  EXPECT_EQ(mismatches, 0u) << "kept " << kept;
}

TEST(SamplingProcessors, TopPMatchesFullSortAtQwenVocab) {
  constexpr size_t kVocab = 151936;
  struct Setting {
    float sigma;
    size_t finite;  // <= 1024 takes the direct path, more the others
    float top_p;
  };
  for (const Setting s :
       {Setting{1.0f, kVocab, 0.9f}, Setting{4.0f, kVocab, 0.95f}, Setting{8.0f, kVocab, 0.5f},
        Setting{0.05f, kVocab, 0.3f}, Setting{2.0f, 5000, 0.8f}, Setting{2.0f, 1025, 0.8f},
        Setting{2.0f, 1024, 0.8f}, Setting{2.0f, 20, 0.7f}, Setting{30.0f, kVocab, 0.999f},
        Setting{1.0f, kVocab, 0.01f}, Setting{1.0f, kVocab, 0.9999f}}) {
    SCOPED_TRACE("sigma " + std::to_string(s.sigma) + " finite " + std::to_string(s.finite) +
                 " top_p " + std::to_string(s.top_p));
    expect_top_p_matches_full_sort(random_logits(kVocab, s.sigma, 7 + s.finite, s.finite), s.top_p);
  }
}

TEST(SamplingProcessors, TopPFindsNucleiTheSubsampleMisses) {
  // 100 heavy tokens at indices the strided subsample skips (i % 8 == 3) over a sea of
  // light ones: the guessed boundary bin is far off, so the exact histogram is built.
  std::vector<float> x = random_logits(151936, 0.3f, 11, 151936);
  for (size_t i = 3; i < 800; i += 8) x[i] += 10.0f;
  for (float top_p : {0.5f, 0.9f, 0.95f}) {
    SCOPED_TRACE(top_p);
    expect_top_p_matches_full_sort(x, top_p);
  }
  // A few dominant tokens: the nucleus is among the top 64.
  std::vector<float> peaked = random_logits(151936, 1.0f, 12, 151936);
  for (size_t i = 5; i < 40; i += 7) peaked[i] += 25.0f - static_cast<float>(i) * 0.1f;
  for (float top_p : {0.3f, 0.9f, 0.99f}) {
    SCOPED_TRACE(top_p);
    expect_top_p_matches_full_sort(peaked, top_p);
  }
}

TEST(SamplingProcessors, TopKKeepsTiesAndAtLeastK) {
  std::vector<float> x = {1.0f, 3.0f, 2.0f, 3.0f, 2.0f, -1.0f, 2.0f};
  LogitsScratch scratch;
  apply_top_k(x, 3, scratch);  // 3rd largest is 2.0: every 2.0 stays, as in HF
  EXPECT_EQ(x, (std::vector<float>{-kInf, 3.0f, 2.0f, 3.0f, 2.0f, -kInf, 2.0f}));
  std::vector<float> same(10, 0.5f);
  apply_top_k(same, 1, scratch);
  EXPECT_EQ(std::count(same.begin(), same.end(), 0.5f), 10);
}

TEST(SamplingProcessors, OffValuesChangeNothing) {
  std::vector<float> x = random_logits(1000, 2.0f, 3, 1000);
  const std::vector<float> before = x;
  LogitsScratch scratch;
  TokenCounts seen(1000);
  seen.assign(std::vector<int32_t>{1, 2, 3});
  apply_repetition_penalty(x, 1.0f, seen);
  apply_presence_frequency_penalty(x, 0.0f, 0.0f, seen);
  apply_temperature(x, 1.0f);
  apply_top_k(x, 0, scratch);
  apply_top_k(x, 1000, scratch);
  apply_top_p(x, 1.0f, scratch);
  apply_min_p(x, 0.0f);
  EXPECT_EQ(x, before);
}

TEST(SamplingProcessors, PenaltiesIgnoreIdsOutsideVocab) {
  std::vector<float> x = {1.0f, -1.0f, 2.0f};
  TokenCounts seen(3);
  seen.assign(std::vector<int32_t>{-1, 3, 1000000, 1, 1});
  EXPECT_EQ(seen.distinct(), std::vector<int32_t>{1});
  EXPECT_EQ(seen.count(1), 2);
  apply_repetition_penalty(x, 2.0f, seen);
  EXPECT_EQ(x, (std::vector<float>{1.0f, -2.0f, 2.0f}));
  apply_presence_frequency_penalty(x, 0.5f, 0.25f, seen);
  EXPECT_EQ(x, (std::vector<float>{1.0f, -3.0f, 2.0f}));
}

// Counts after any sequence of assign() calls equal a fresh count, whether each call
// extends the previous sequence (counted incrementally) or not (recounted).
TEST(SamplingProcessors, TokenCountsFollowEveryChangeOfSequence) {
  constexpr int32_t kVocab = 50;
  std::mt19937 rng(5);
  TokenCounts counts(kVocab);
  std::vector<int32_t> prompt = {1, 2, 3, 2, 60, -4}, generated;
  auto check_fresh = [&] {
    std::vector<int32_t> want(kVocab, 0);
    for (const auto* seq : {&prompt, &generated}) {
      for (int32_t t : *seq) {
        if (t >= 0 && t < kVocab) ++want[t];
      }
    }
    size_t distinct = 0;
    for (int32_t t = 0; t < kVocab; ++t) {
      ASSERT_EQ(counts.count(t), want[t]) << t;
      distinct += want[t] > 0;
    }
    ASSERT_EQ(counts.distinct().size(), distinct);
  };
  for (int step = 0; step < 300; ++step) {
    switch (rng() % 6) {
      case 0:  // rollback, as speculative decoding rejects tokens
        generated.resize(generated.size() / 2);
        break;
      case 1:  // a token rewritten in place
        if (!generated.empty())
          generated[rng() % generated.size()] = static_cast<int32_t>(rng() % kVocab);
        break;
      case 2:  // another prompt
        prompt.push_back(static_cast<int32_t>(rng() % kVocab));
        break;
      default:
        generated.push_back(static_cast<int32_t>(rng() % kVocab));
    }
    counts.assign(prompt, generated);
    check_fresh();
  }
  counts.assign({}, {});
  EXPECT_TRUE(counts.distinct().empty());
  EXPECT_EQ(counts.count(1), 0);
}

}  // namespace
}  // namespace qwenrt
