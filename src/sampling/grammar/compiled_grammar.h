// A grammar ready for matching against one vocabulary: the pushdown automaton plus the
// per-state token mask cache (position_mask.h), filled lazily and shared, read-only
// apart from that cache, by every request using the grammar. Thread-safe.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "sampling/grammar/grammar.h"
#include "sampling/grammar/pda.h"
#include "sampling/grammar/position_mask.h"
#include "sampling/grammar/vocabulary_index.h"

namespace qwenrt::grammar {

class CompiledGrammar {
 public:
  // Throws Error when the grammar is too large, left-recursive or admits no value.
  // `shared` (optional, for the same vocabulary) lends masks of states that other
  // grammars also have; see SharedMaskCache.
  static std::shared_ptr<const CompiledGrammar> compile(const Grammar& grammar,
                                                        std::shared_ptr<const VocabularyIndex> vocab,
                                                        std::shared_ptr<SharedMaskCache> shared = nullptr,
                                                        const PdaLimits& limits = {});
  ~CompiledGrammar();

  const Pda& pda() const { return pda_; }
  const VocabularyIndex& vocab() const { return *vocab_; }
  const std::shared_ptr<const VocabularyIndex>& vocab_ptr() const { return vocab_; }

  // The mask cache entry of `state` (a state with byte edges), computed on first use.
  const PositionMask& position_mask(int32_t state) const;
  // Computes every entry now (e.g. before a latency-sensitive request); returns how
  // many were computed.
  int32_t precompute() const;
  // Bytes held by the automaton and the cache entries computed so far.
  size_t memory_bytes() const;

 private:
  CompiledGrammar(Pda pda, std::shared_ptr<const VocabularyIndex> vocab, std::shared_ptr<SharedMaskCache> shared);
  PositionMask compute(int32_t state) const;

  Pda pda_;
  std::shared_ptr<const VocabularyIndex> vocab_;
  std::shared_ptr<SharedMaskCache> shared_;
  std::vector<bool> leaf_rule_;  // the rule calls no other rule
  // Published pointers (lock-free reads) into owned_, written under mutex_.
  std::unique_ptr<std::atomic<const PositionMask*>[]> slots_;
  mutable std::mutex mutex_;
  mutable std::vector<std::shared_ptr<const PositionMask>> owned_;
};

}  // namespace qwenrt::grammar
