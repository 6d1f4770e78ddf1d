// Log-probabilities for OpenAI's `logprobs` / `top_logprobs`: log_softmax of a row of
// logits, evaluated only where asked (the chosen token, the top n).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace qwenrt {

struct TokenLogprob {
  int32_t token;
  float logprob;
};

// log(sum_i exp(logits[i])), computed around the max so nothing overflows. The max must
// be finite.
double log_sum_exp(std::span<const float> logits);

// The n most likely tokens with logprob = logit - log_normalizer, most likely first, ties
// by lower id. `scratch` holds the selected ids.
std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, double log_normalizer,
                                       size_t n, std::vector<int32_t>& scratch);

}  // namespace qwenrt
