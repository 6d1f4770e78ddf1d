// Chooses the next token of one request from its logits: the processors of
// logits_processors.h in Hugging Face generate()'s order, then argmax (greedy) or one
// draw from the softmax of what is left.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "sampling/logits_processors.h"
#include "sampling/logprobs.h"
#include "sampling/sampling_params.h"
#include "sampling/token_counts.h"

namespace qwenrt {

struct SampledToken {
  int32_t token = -1;
  // log P(token) and the most likely alternatives under the *raw* model distribution,
  // log_softmax of the logits as passed in, before any penalty, temperature or filter.
  // This is vLLM's default (logprobs_mode "raw_logprobs"): the numbers describe the
  // model, independent of the request's sampling knobs.
  float logprob = 0.0f;
  std::vector<TokenLogprob> top_logprobs;  // most likely first, ties by lower id
};

// One per request: it owns the request's random stream and reusable scratch, so it is
// not shared between threads. The stream advances by exactly one 64-bit draw per
// non-greedy token, so a seeded request's tokens do not depend on batching or on how
// many threads run the engine.
class Sampler {
 public:
  // Validates params (qwenrt::Error naming the bad parameter); vocab_size > 0 is the
  // length of every logits row.
  Sampler(const SamplingParams& params, int32_t vocab_size);

  // Processes `logits` (vocab_size floats, overwritten) and returns the chosen token.
  // prompt_tokens + generated_tokens feed the repetition penalty; generated_tokens alone
  // the presence/frequency penalties. Greedy ties go to the lowest id. Throws Error if
  // the logits hold NaN or +inf, or if every token is masked (-inf).
  int32_t sample(float* logits, const std::vector<int32_t>& prompt_tokens,
                 const std::vector<int32_t>& generated_tokens);

  // As sample(), also reporting raw log-probabilities: the chosen token's and the
  // `num_top_logprobs` (>= 0) most likely tokens'.
  SampledToken sample_with_logprobs(float* logits, const std::vector<int32_t>& prompt_tokens,
                                    const std::vector<int32_t>& generated_tokens,
                                    int32_t num_top_logprobs);

  // Only the processing step of sample(): penalties, then (unless greedy) temperature,
  // top-k, top-p, min-p, in place. sample() draws from the softmax of the result.
  // Unlike sample() it does not check the logits for NaN / +inf.
  void process_logits(float* logits, const std::vector<int32_t>& prompt_tokens,
                      const std::vector<int32_t>& generated_tokens);

  const SamplingParams& params() const { return params_; }
  int32_t vocab_size() const { return vocab_size_; }

 private:
  void check_logits(std::span<const float> logits) const;
  int32_t argmax(std::span<const float> logits) const;
  int32_t draw(std::span<const float> logits);
  // Uniform in [0, 1) from the top 53 bits of one draw (std::uniform_real_distribution
  // is implementation-defined; this is the same on every platform).
  double next_uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  SamplingParams params_;
  int32_t vocab_size_;
  std::mt19937_64 rng_;    // its output sequence is fixed by the C++ standard
  TokenCounts seen_;       // prompt + output, for the repetition penalty
  TokenCounts generated_;  // output only, for presence/frequency
  LogitsScratch scratch_;
  std::vector<float> raw_logits_;  // copy kept for logprobs
};

}  // namespace qwenrt
