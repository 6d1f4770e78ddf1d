#include "sampling/sampler.h"

#include <cmath>
#include <limits>
#include <string>

#include "base/error.h"
#include "sampling/candidates.h"
#include "sampling/vector_math.h"

namespace qwenrt {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Below this many unmasked tokens the draw gathers them instead of weighing the vocabulary.
constexpr size_t kGatherLimit = 1024;

uint64_t initial_seed(const SamplingParams& params) {
  if (params.seed) return *params.seed;
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device();
}

int32_t checked_vocab_size(int32_t vocab_size) {
  check(vocab_size > 0, "Sampler: vocab_size must be > 0, got " + std::to_string(vocab_size));
  return vocab_size;
}

}  // namespace

Sampler::Sampler(const SamplingParams& params, int32_t vocab_size)
    : params_(params),
      vocab_size_(checked_vocab_size(vocab_size)),
      rng_(initial_seed(params)),
      seen_(vocab_size),
      generated_(vocab_size) {
  params_.validate();
}

int32_t Sampler::sample(float* logits, const std::vector<int32_t>& prompt_tokens,
                        const std::vector<int32_t>& generated_tokens) {
  const std::span<float> row(logits, static_cast<size_t>(vocab_size_));
  check_logits(row);
  process_logits(logits, prompt_tokens, generated_tokens);
  return params_.greedy() ? argmax(row) : draw(row);
}

SampledToken Sampler::sample_with_logprobs(float* logits, const std::vector<int32_t>& prompt_tokens,
                                           const std::vector<int32_t>& generated_tokens,
                                           int32_t num_top_logprobs) {
  check(num_top_logprobs >= 0,
        "sampling parameter top_logprobs = " + std::to_string(num_top_logprobs) + " must be >= 0");
  const std::span<float> row(logits, static_cast<size_t>(vocab_size_));
  check_logits(row);
  raw_logits_.assign(row.begin(), row.end());
  SampledToken result;
  const double log_normalizer = log_sum_exp(raw_logits_);
  result.top_logprobs = top_logprobs(raw_logits_, log_normalizer,
                                     static_cast<size_t>(num_top_logprobs), scratch_.indices);
  process_logits(logits, prompt_tokens, generated_tokens);
  result.token = params_.greedy() ? argmax(row) : draw(row);
  result.logprob =
      static_cast<float>(static_cast<double>(raw_logits_[result.token]) - log_normalizer);
  return result;
}

void Sampler::check_logits(std::span<const float> logits) const {
  // A NaN would poison every sum; +inf has no probability. Either is an upstream bug,
  // reported rather than turned into an arbitrary token.
  check(!has_nan_or_positive_inf(logits), "Sampler: logits contain NaN or +inf");
}

void Sampler::process_logits(float* row, const std::vector<int32_t>& prompt_tokens,
                             const std::vector<int32_t>& generated_tokens) {
  const std::span<float> logits(row, static_cast<size_t>(vocab_size_));
  scratch_.weights_max = std::numeric_limits<float>::quiet_NaN();  // weights are for older logits
  if (params_.repetition_penalty != 1.0f) {
    seen_.assign(prompt_tokens, generated_tokens);
    apply_repetition_penalty(logits, params_.repetition_penalty, seen_);
  }
  if (params_.presence_penalty != 0.0f || params_.frequency_penalty != 0.0f) {
    generated_.assign(generated_tokens);
    apply_presence_frequency_penalty(logits, params_.presence_penalty, params_.frequency_penalty,
                                     generated_);
  }
  // The warpers change which token is sampled, never which is the argmax (HF applies
  // them only when do_sample).
  if (params_.greedy()) return;
  apply_temperature(logits, params_.temperature);
  apply_top_k(logits, params_.top_k, scratch_);
  apply_top_p(logits, params_.top_p, scratch_);
  apply_min_p(logits, params_.min_p);
}

int32_t Sampler::argmax(std::span<const float> logits) const {
  const float max = max_value(logits);
  check(max > -kInf, "Sampler: every token is masked (all logits are -inf)");
  // x > the float just below max  <=>  x == max; next_above returns the lowest such id.
  return static_cast<int32_t>(next_above(logits, 0, std::nextafter(max, -kInf)));
}

int32_t Sampler::draw(std::span<const float> logits) {
  const float max = max_value(logits);
  check(max > -kInf, "Sampler: every token is masked (all logits are -inf)");
  // A tiny temperature can overflow a logit to +inf: that token is then certain.
  if (max == kInf) return argmax(logits);
  const double u = next_uniform();
  std::vector<float>& weights = scratch_.weights;
  std::vector<int32_t>& candidates = scratch_.indices;
  // After top-k or a small nucleus only a few tokens are left: weigh just those.
  const bool few = gather_finite(logits, kGatherLimit, candidates);
  std::span<const float> values = logits;
  if (few) {
    scratch_.values.resize(candidates.size());
    for (size_t j = 0; j < candidates.size(); ++j) scratch_.values[j] = logits[candidates[j]];
    values = scratch_.values;
  }
  double total;
  if (!few && scratch_.weights_max == max && weights.size() == values.size()) {
    total = keep_unmasked(values, weights);  // top-p already weighed every token
  } else {
    weights.resize(values.size());
    total = exp_sum(values, max, weights.data());
  }
  size_t chosen = find_cumulative(std::span<const float>(weights.data(), values.size()), u * total);
  if (chosen == values.size()) {
    // Rounding put the target at the very end: take the last token with any weight (the
    // max has weight 1, so there is one).
    do --chosen;
    while (!(weights[chosen] > 0.0f));
  }
  return few ? candidates[chosen] : static_cast<int32_t>(chosen);
}

}  // namespace qwenrt
