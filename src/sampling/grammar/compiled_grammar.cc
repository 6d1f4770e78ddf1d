#include "sampling/grammar/compiled_grammar.h"

#include "base/error.h"

namespace qwenrt::grammar {

CompiledGrammar::CompiledGrammar(Pda pda, std::shared_ptr<const VocabularyIndex> vocab,
                                 std::shared_ptr<SharedMaskCache> shared)
    : pda_(std::move(pda)), vocab_(std::move(vocab)), shared_(std::move(shared)) {
  const auto n = static_cast<size_t>(pda_.state_count());
  leaf_rule_.assign(static_cast<size_t>(pda_.rule_count()), true);
  for (int32_t s = 0; s < pda_.state_count(); ++s) {
    if (pda_.has_calls(s)) leaf_rule_[static_cast<size_t>(pda_.rule_of(s))] = false;
  }
  slots_ = std::make_unique<std::atomic<const PositionMask*>[]>(n);
  for (size_t i = 0; i < n; ++i) slots_[i].store(nullptr, std::memory_order_relaxed);
}

CompiledGrammar::~CompiledGrammar() = default;

std::shared_ptr<const CompiledGrammar> CompiledGrammar::compile(const Grammar& grammar,
                                                                std::shared_ptr<const VocabularyIndex> vocab,
                                                                std::shared_ptr<SharedMaskCache> shared,
                                                                const PdaLimits& limits) {
  if (!vocab) throw Error("grammar compile: no vocabulary");
  if (shared && shared->vocab() != vocab.get()) throw Error("grammar compile: shared mask cache of another vocabulary");
  return std::shared_ptr<const CompiledGrammar>(
      new CompiledGrammar(Pda::compile(grammar, limits), std::move(vocab), std::move(shared)));
}

PositionMask CompiledGrammar::compute(int32_t state) const { return compute_position_mask(pda_, *vocab_, state); }

const PositionMask& CompiledGrammar::position_mask(int32_t state) const {
  if (const PositionMask* m = slots_[static_cast<size_t>(state)].load(std::memory_order_acquire)) return *m;
  std::lock_guard<std::mutex> lock(mutex_);
  if (const PositionMask* m = slots_[static_cast<size_t>(state)].load(std::memory_order_relaxed)) return *m;
  std::string key;
  if (shared_ && leaf_rule_[static_cast<size_t>(pda_.rule_of(state))]) key = leaf_state_key(pda_, state);
  if (!key.empty()) {
    owned_.push_back(shared_->get_or_compute(key, [&] { return compute(state); }));
  } else {
    owned_.push_back(std::make_shared<const PositionMask>(compute(state)));
  }
  slots_[static_cast<size_t>(state)].store(owned_.back().get(), std::memory_order_release);
  return *owned_.back();
}

int32_t CompiledGrammar::precompute() const {
  int32_t computed = 0;
  for (int32_t s = 0; s < pda_.state_count(); ++s) {
    if (!pda_.has_bytes(s) || slots_[static_cast<size_t>(s)].load(std::memory_order_acquire)) continue;
    position_mask(s);
    ++computed;
  }
  return computed;
}

size_t CompiledGrammar::memory_bytes() const {
  const auto n = static_cast<size_t>(pda_.state_count());
  size_t total = n * (static_cast<size_t>(pda_.class_count()) * 4 + 16);
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& m : owned_) total += m->memory_bytes();
  return total;
}

}  // namespace qwenrt::grammar
