// The engine's handle on structured output for one request: construct it from a
// compiled grammar (shared across requests through GrammarCache), then each step
// apply() the mask to the logits row, sample, and accept() the chosen token.
//
//   auto grammar = cache.json_schema(schema_text);        // once per schema
//   GrammarConstraint constraint(grammar, eos_ids);        // once per request
//   loop: constraint.apply(logits, n_vocab);
//         token = sampler.sample(logits, ...);
//         constraint.accept(token);
//         if (constraint.is_finished()) break;
//
// Special tokens are never allowed, except the end-of-sequence ids once the output is
// a complete value. With a token budget (max_tokens), apply_within_budget() and
// fits_budget() keep the output completable: at every step some allowed token leaves
// enough room to finish, so a budget of at least min_tokens_to_finish() always ends
// in a complete value.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "sampling/grammar/grammar_matcher.h"

namespace qwenrt::grammar {

class GrammarConstraint {
 public:
  GrammarConstraint(std::shared_ptr<const CompiledGrammar> grammar, std::vector<int32_t> eos_ids);

  // logits[id] = -inf for every id in [0, n) the grammar forbids next.
  void apply(float* logits, int64_t n);
  // As apply(), also forbidding tokens after which the output could not be finished
  // within `tokens_left` tokens in all (this one and a final end-of-sequence token
  // included). Walks the whole vocabulary: use it when the budget is close, i.e.
  // when fits_budget() rejected a sampled token.
  void apply_within_budget(float* logits, int64_t n, int64_t tokens_left);
  // Whether `token`, sampled with `tokens_left` tokens to go (it included), still
  // leaves room to finish.
  bool fits_budget(int32_t token, int64_t tokens_left);
  // Fewest tokens that finish the output from here, end-of-sequence included.
  int64_t min_tokens_to_finish() const;

  // Advances past `token`; throws Error if the grammar forbids it.
  void accept(int32_t token);

  // The output so far is a complete value (end-of-sequence is allowed).
  bool is_complete() const { return matcher_.can_end(); }
  // End-of-sequence was accepted, or the value is complete and nothing may follow.
  bool is_finished() const { return finished_ || matcher_.must_end(); }
  // The mask of the last apply*() call.
  const TokenBitmask& mask() const { return mask_; }
  GrammarMatcher& matcher() { return matcher_; }

 private:
  bool is_eos(int32_t token) const;
  void allow_eos_if_complete();

  GrammarMatcher matcher_;
  std::vector<int32_t> eos_ids_;
  TokenBitmask mask_;
  bool finished_ = false;
};

}  // namespace qwenrt::grammar
