// One decode step of one sequence — mask, sample, accept — shared by the single-sequence
// Generator and the serving engine, so structured output behaves the same in both.
//
//   ConstrainedSampler step(params, vocab_rows, grammar, eos_ids, never_ids);
//   check(budget >= step.min_tokens_to_finish(), ...);   // else the grammar cannot finish
//   loop: token = step.next(logits, prompt, generated, budget - generated.size());
//         ... if (step.finished()) stop with finish_reason "stop"
//
// Without a grammar it is the plain sampler (plus the never-sampled ids). With one, the
// grammar's mask is applied before sampling and the chosen token accepted after; a token
// that would leave too few tokens to complete the value within the budget is redrawn
// among those that fit, so a budget >= min_tokens_to_finish() always ends in a complete
// value (grammar_constraint.h explains the bound).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sampling/grammar/grammar_constraint.h"
#include "sampling/sampler.h"

namespace qwenrt {

class ConstrainedSampler {
 public:
  // `vocab_rows`: the length of a logits row. `grammar` may be null (unconstrained).
  // `eos_ids` end a constrained output once the value is complete. `never_ids` are
  // masked every step (logit rows the tokenizer has no token for).
  ConstrainedSampler(const SamplingParams& params, int32_t vocab_rows,
                     std::shared_ptr<const grammar::CompiledGrammar> grammar, std::vector<int32_t> eos_ids,
                     std::vector<int32_t> never_ids = {});

  // Chooses the next token from `logits` (vocab_rows floats, overwritten) with
  // `tokens_left` >= 1 tokens of budget, this one included; a grammar accepts it.
  // With `top_logprobs` >= 0 also fills `logprobs` (of the masked distribution).
  int32_t next(float* logits, const std::vector<int32_t>& prompt, const std::vector<int32_t>& generated,
               int64_t tokens_left, int32_t top_logprobs = -1, std::optional<SampledToken>* logprobs = nullptr);

  // The grammar's output is over: its end-of-sequence was accepted, or the value is
  // complete and nothing may follow. Always false without a grammar.
  bool finished() const { return constraint_ && constraint_->is_finished(); }
  // The output so far is a complete value (true without a grammar).
  bool complete() const { return !constraint_ || constraint_->is_complete(); }
  // Fewest tokens that finish the grammar's value from here, end-of-sequence included;
  // 0 without a grammar.
  int64_t min_tokens_to_finish() const { return constraint_ ? constraint_->min_tokens_to_finish() : 0; }
  bool constrained() const { return constraint_.has_value(); }

 private:
  int32_t draw(float* logits, const std::vector<int32_t>& prompt, const std::vector<int32_t>& generated,
               int32_t top_logprobs, std::optional<SampledToken>* logprobs);

  Sampler sampler_;
  int32_t vocab_rows_;
  std::optional<grammar::GrammarConstraint> constraint_;
  std::vector<int32_t> never_ids_;
  std::vector<float> raw_;  // the step's logits before masking, for a redraw within budget
};

}  // namespace qwenrt
