#include "engine/constrained_step.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace qwenrt {

ConstrainedSampler::ConstrainedSampler(const SamplingParams& params, int32_t vocab_rows,
                                       std::shared_ptr<const grammar::CompiledGrammar> grammar,
                                       std::vector<int32_t> eos_ids, std::vector<int32_t> never_ids)
    : sampler_(params, vocab_rows), vocab_rows_(vocab_rows), never_ids_(std::move(never_ids)) {
  if (grammar) constraint_.emplace(std::move(grammar), std::move(eos_ids));
}

int32_t ConstrainedSampler::draw(float* logits, const std::vector<int32_t>& prompt,
                                 const std::vector<int32_t>& generated, int32_t top_logprobs,
                                 std::optional<SampledToken>* logprobs) {
  if (top_logprobs < 0 || logprobs == nullptr) return sampler_.sample(logits, prompt, generated);
  *logprobs = sampler_.sample_with_logprobs(logits, prompt, generated, top_logprobs);
  return (*logprobs)->token;
}

int32_t ConstrainedSampler::next(float* logits, const std::vector<int32_t>& prompt,
                                 const std::vector<int32_t>& generated, int64_t tokens_left,
                                 int32_t top_logprobs, std::optional<SampledToken>* logprobs) {
  check(tokens_left >= 1, "no token budget left");
  for (int32_t id : never_ids_) logits[id] = -INFINITY;
  if (!constraint_) return draw(logits, prompt, generated, top_logprobs, logprobs);
  if (constraint_->is_finished()) throw Error("grammar: the output is already complete");

  // The cheap cached mask first; the budget-aware walk of the whole vocabulary only
  // when the budget is close enough to reject what was drawn.
  raw_.assign(logits, logits + vocab_rows_);
  constraint_->apply(logits, vocab_rows_);
  int32_t token = draw(logits, prompt, generated, top_logprobs, logprobs);
  if (!constraint_->fits_budget(token, tokens_left)) {
    std::copy(raw_.begin(), raw_.end(), logits);
    constraint_->apply_within_budget(logits, vocab_rows_, tokens_left);
    token = draw(logits, prompt, generated, top_logprobs, logprobs);
  }
  constraint_->accept(token);
  return token;
}

}  // namespace qwenrt
