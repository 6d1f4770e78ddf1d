#include "sampling/grammar/grammar_constraint.h"

#include <algorithm>

#include "base/error.h"

namespace qwenrt::grammar {

GrammarConstraint::GrammarConstraint(std::shared_ptr<const CompiledGrammar> grammar, std::vector<int32_t> eos_ids)
    : matcher_(std::move(grammar)), eos_ids_(std::move(eos_ids)) {
  mask_.resize(matcher_.grammar().vocab().mask_size());
}

bool GrammarConstraint::is_eos(int32_t token) const {
  return std::find(eos_ids_.begin(), eos_ids_.end(), token) != eos_ids_.end();
}

void GrammarConstraint::allow_eos_if_complete() {
  if (!matcher_.can_end()) return;
  for (int32_t id : eos_ids_) {
    if (id >= 0 && id < mask_.size()) mask_.set(id);
  }
}

void GrammarConstraint::apply(float* logits, int64_t n) {
  if (finished_) {
    mask_.clear();
  } else {
    matcher_.fill_mask(mask_);
  }
  allow_eos_if_complete();
  mask_.apply_to_logits(logits, n);
}

void GrammarConstraint::apply_within_budget(float* logits, int64_t n, int64_t tokens_left) {
  // After a non-final token, tokens_left - 1 remain: all but one (the end-of-sequence)
  // may be single bytes completing the value.
  matcher_.fill_mask_within(mask_, tokens_left - 2);
  allow_eos_if_complete();
  mask_.apply_to_logits(logits, n);
}

bool GrammarConstraint::fits_budget(int32_t token, int64_t tokens_left) {
  if (is_eos(token)) return matcher_.can_end();
  const int32_t d = matcher_.min_bytes_to_end_after(token);
  return d >= 0 && d <= tokens_left - 2;
}

int64_t GrammarConstraint::min_tokens_to_finish() const { return int64_t{matcher_.min_bytes_to_end()} + 1; }

void GrammarConstraint::accept(int32_t token) {
  if (finished_) throw Error("grammar: token " + std::to_string(token) + " after the end of the output");
  if (is_eos(token)) {
    if (!matcher_.can_end()) throw Error("grammar: end of sequence before the output is complete");
    finished_ = true;
    return;
  }
  if (!matcher_.accept_token(token)) throw Error("grammar: token " + std::to_string(token) + " is not allowed here");
}

}  // namespace qwenrt::grammar
