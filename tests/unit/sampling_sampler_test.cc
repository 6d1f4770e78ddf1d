// Sampler behaviour that needs no reference implementation: greedy choice and ties,
// seeding, raw logprobs, parameter validation and bad logits. The match with
// transformers (processed logits and the distribution of draws) is sampling_goldens_test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "sampling/sampler.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
const std::vector<int32_t> kNoTokens;

std::vector<float> random_logits(size_t vocab, float sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, sigma);
  std::vector<float> x(vocab);
  for (float& v : x) v = normal(rng);
  return x;
}

SamplingParams greedy_params() {
  SamplingParams p;
  p.temperature = 0.0f;
  return p;
}

std::vector<int32_t> draw_many(Sampler& sampler, const std::vector<float>& logits, int n) {
  std::vector<int32_t> tokens;
  for (int i = 0; i < n; ++i) {
    std::vector<float> row = logits;
    tokens.push_back(sampler.sample(row.data(), kNoTokens, tokens));
  }
  return tokens;
}

TEST(Sampler, GreedyTakesArgmaxAndLowestIdOnTies) {
  Sampler sampler(greedy_params(), 6);
  std::vector<float> x = {1.0f, 3.0f, -2.0f, 3.0f, 0.5f, 3.0f};
  EXPECT_EQ(sampler.sample(x.data(), kNoTokens, kNoTokens), 1);
  std::vector<float> masked = {-kInf, -kInf, -kInf, -kInf, -1.0f, -kInf};
  EXPECT_EQ(sampler.sample(masked.data(), kNoTokens, kNoTokens), 4);
  // Large vocab: the winner sits past the vectorised blocks' boundaries.
  std::vector<float> big = random_logits(151936, 1.0f, 1);
  big[151935] = big[100003] = 50.0f;
  Sampler big_sampler(greedy_params(), 151936);
  EXPECT_EQ(big_sampler.sample(big.data(), kNoTokens, kNoTokens), 100003);
}

TEST(Sampler, GreedyAppliesPenaltiesButNotWarpers) {
  SamplingParams p = greedy_params();
  p.repetition_penalty = 1.1f;
  p.top_k = 1;  // would not change the argmax anyway; greedy skips it
  Sampler sampler(p, 3);
  std::vector<float> x = {5.0f, 4.9f, 1.0f};
  EXPECT_EQ(sampler.sample(x.data(), {0}, kNoTokens), 1);  // 5 / 1.1 < 4.9
  SamplingParams q = greedy_params();
  q.frequency_penalty = 0.2f;
  Sampler frequency(q, 3);
  std::vector<float> y = {5.0f, 4.9f, 1.0f};
  EXPECT_EQ(frequency.sample(y.data(), {0}, kNoTokens), 0);  // the prompt does not count
  std::vector<float> z = {5.0f, 4.9f, 1.0f};
  EXPECT_EQ(frequency.sample(z.data(), kNoTokens, {2, 0}), 1);  // generated tokens do
}

TEST(Sampler, TinyTemperatureIsGreedy) {
  SamplingParams p;
  p.temperature = 1e-6f;
  p.seed = 3;
  Sampler sampler(p, 1000);
  const std::vector<float> x = random_logits(1000, 1.0f, 2);
  const int32_t best = static_cast<int32_t>(std::max_element(x.begin(), x.end()) - x.begin());
  for (int32_t token : draw_many(sampler, x, 20)) EXPECT_EQ(token, best);
}

TEST(Sampler, SameSeedSameTokensOtherSeedOthers) {
  SamplingParams p;
  p.temperature = 1.5f;
  p.top_p = 0.99f;
  p.seed = 42;
  const std::vector<float> x = random_logits(151936, 1.0f, 3);
  Sampler a(p, 151936), b(p, 151936);
  const std::vector<int32_t> first = draw_many(a, x, 50);
  EXPECT_EQ(draw_many(b, x, 50), first);
  p.seed = 43;
  Sampler c(p, 151936);
  EXPECT_NE(draw_many(c, x, 50), first);
  p.seed.reset();  // from std::random_device: two samplers almost surely differ
  Sampler d(p, 151936), e(p, 151936);
  EXPECT_NE(draw_many(d, x, 50), draw_many(e, x, 50));
  EXPECT_GT(std::set<int32_t>(first.begin(), first.end()).size(), 40u);  // it does sample
}

TEST(Sampler, NeverDrawsFilteredTokens) {
  SamplingParams p;
  p.temperature = 2.0f;
  p.top_k = 5;
  p.seed = 9;
  const std::vector<float> x = random_logits(151936, 1.0f, 4);
  std::vector<float> sorted = x;
  std::nth_element(sorted.begin(), sorted.begin() + 4, sorted.end(), std::greater<float>());
  const float fifth = sorted[4];
  Sampler sampler(p, 151936);
  std::set<int32_t> seen;
  for (int32_t token : draw_many(sampler, x, 400)) {
    EXPECT_GE(x[token], fifth);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 5u);  // at temperature 2 all five turn up in 400 draws
}

// log_softmax in double, the reference for raw logprobs.
std::vector<double> log_softmax(const std::vector<float>& x) {
  const double max = *std::max_element(x.begin(), x.end());
  double total = 0.0;
  for (float v : x) total += std::exp(v - max);
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[i] - max - std::log(total);
  return out;
}

TEST(Sampler, LogprobsDescribeTheRawDistribution) {
  SamplingParams p;
  p.temperature = 0.5f;
  p.top_k = 3;
  p.repetition_penalty = 1.3f;
  p.presence_penalty = 1.0f;
  p.seed = 5;
  const std::vector<float> raw = random_logits(151936, 2.0f, 6);
  const std::vector<double> want = log_softmax(raw);
  Sampler sampler(p, 151936);
  std::vector<int32_t> generated;
  for (int step = 0; step < 10; ++step) {
    std::vector<float> row = raw;
    const SampledToken result = sampler.sample_with_logprobs(row.data(), {7, 8}, generated, 5);
    EXPECT_NEAR(result.logprob, want[result.token], 1e-5);
    ASSERT_EQ(result.top_logprobs.size(), 5u);
    std::vector<int32_t> order(raw.size());
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                      [&](int32_t a, int32_t b) { return raw[a] > raw[b]; });
    for (size_t j = 0; j < 5; ++j) {
      EXPECT_EQ(result.top_logprobs[j].token, order[j]);
      EXPECT_NEAR(result.top_logprobs[j].logprob, want[order[j]], 1e-5);
    }
    generated.push_back(result.token);
  }
  std::vector<float> row = raw;
  EXPECT_TRUE(
      sampler.sample_with_logprobs(row.data(), kNoTokens, kNoTokens, 0).top_logprobs.empty());
  std::vector<float> small = {0.0f, 1.0f};
  Sampler two(p, 2);
  EXPECT_EQ(two.sample_with_logprobs(small.data(), kNoTokens, kNoTokens, 20).top_logprobs.size(),
            2u);
  EXPECT_THROW(sampler.sample_with_logprobs(row.data(), kNoTokens, kNoTokens, -1), Error);
}

TEST(Sampler, LogprobsDoNotChangeTheTokens) {
  SamplingParams p;
  p.temperature = 0.9f;
  p.top_p = 0.9f;
  p.seed = 77;
  const std::vector<float> raw = random_logits(5000, 1.0f, 8);
  Sampler plain(p, 5000), with_logprobs(p, 5000);
  for (int step = 0; step < 30; ++step) {
    std::vector<float> a = raw, b = raw;
    EXPECT_EQ(plain.sample(a.data(), kNoTokens, kNoTokens),
              with_logprobs.sample_with_logprobs(b.data(), kNoTokens, kNoTokens, 3).token);
  }
}

TEST(Sampler, RejectsBadLogits) {
  SamplingParams p;
  p.seed = 1;
  Sampler sampler(p, 4);
  std::vector<float> nan = {0.0f, std::nanf(""), 1.0f, 2.0f};
  EXPECT_THROW(sampler.sample(nan.data(), kNoTokens, kNoTokens), Error);
  std::vector<float> inf = {0.0f, kInf, 1.0f, 2.0f};
  EXPECT_THROW(sampler.sample(inf.data(), kNoTokens, kNoTokens), Error);
  std::vector<float> masked(4, -kInf);
  EXPECT_THROW(sampler.sample(masked.data(), kNoTokens, kNoTokens), Error);
  Sampler greedy(greedy_params(), 4);
  std::vector<float> masked_again(4, -kInf);
  EXPECT_THROW(greedy.sample(masked_again.data(), kNoTokens, kNoTokens), Error);
}

TEST(Sampler, RejectsBadVocabSize) {
  EXPECT_THROW(Sampler(SamplingParams{}, 0), Error);
  EXPECT_THROW(Sampler(SamplingParams{}, -5), Error);
}

// Each invalid parameter is rejected with a message that names it.
TEST(SamplingParams, ValidationNamesTheParameter) {
  struct Bad {
    const char* name;
    void (*set)(SamplingParams&);
  };
  const Bad cases[] = {
      {"temperature", [](SamplingParams& p) { p.temperature = -0.1f; }},
      {"temperature", [](SamplingParams& p) { p.temperature = std::nanf(""); }},
      {"temperature", [](SamplingParams& p) { p.temperature = kInf; }},
      {"top_k", [](SamplingParams& p) { p.top_k = -2; }},
      {"top_p", [](SamplingParams& p) { p.top_p = 0.0f; }},
      {"top_p", [](SamplingParams& p) { p.top_p = 1.01f; }},
      {"top_p", [](SamplingParams& p) { p.top_p = std::nanf(""); }},
      {"min_p", [](SamplingParams& p) { p.min_p = -0.01f; }},
      {"min_p", [](SamplingParams& p) { p.min_p = 1.5f; }},
      {"repetition_penalty", [](SamplingParams& p) { p.repetition_penalty = 0.0f; }},
      {"repetition_penalty", [](SamplingParams& p) { p.repetition_penalty = -1.0f; }},
      {"presence_penalty", [](SamplingParams& p) { p.presence_penalty = 2.5f; }},
      {"frequency_penalty", [](SamplingParams& p) { p.frequency_penalty = -2.01f; }},
  };
  for (const Bad& bad : cases) {
    SamplingParams p;
    bad.set(p);
    try {
      p.validate();
      ADD_FAILURE() << bad.name << " accepted";
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr(bad.name));
    }
    EXPECT_THROW(Sampler(p, 10), Error) << bad.name;
  }
  SamplingParams edges;
  edges.temperature = 0.0f;
  edges.top_k = -1;
  edges.top_p = 1.0f;
  edges.min_p = 1.0f;
  edges.repetition_penalty = 0.01f;
  edges.presence_penalty = -2.0f;
  edges.frequency_penalty = 2.0f;
  EXPECT_NO_THROW(edges.validate());
}

}  // namespace
}  // namespace qwenrt
