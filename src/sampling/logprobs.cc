#include "sampling/logprobs.h"

#include <cmath>

#include "sampling/candidates.h"
#include "sampling/vector_math.h"

namespace qwenrt {

double log_sum_exp(std::span<const float> logits) {
  const float max = max_value(logits);
  return static_cast<double>(max) + std::log(exp_sum(logits, max, nullptr));
}

std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, double log_normalizer,
                                       size_t n, std::vector<int32_t>& scratch) {
  select_top(logits, n, scratch);
  std::vector<TokenLogprob> out;
  out.reserve(scratch.size());
  for (int32_t token : scratch) {
    out.push_back({token, static_cast<float>(static_cast<double>(logits[token]) - log_normalizer)});
  }
  return out;
}

}  // namespace qwenrt
