// Incremental matching of generated tokens against a compiled grammar: accept a token,
// ask what may come next (a token mask over the whole vocabulary), ask whether the
// output may end here. One matcher per request; not thread-safe (the compiled grammar
// it points to is).
//
// Masks come from the per-state cache (position_mask.h): the union of the cached
// accepted tokens of each live stack's top state, plus the left-over tokens whose tail
// the actual stack below accepts (a pruned walk over a small trie of tails).
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sampling/grammar/compiled_grammar.h"
#include "sampling/grammar/stack_pool.h"
#include "sampling/grammar/token_bitmask.h"

namespace qwenrt::grammar {

class GrammarMatcher {
 public:
  explicit GrammarMatcher(std::shared_ptr<const CompiledGrammar> grammar);
  // The stepper points into the pool: copies would share it. Make a new matcher instead.
  GrammarMatcher(const GrammarMatcher&) = delete;
  GrammarMatcher& operator=(const GrammarMatcher&) = delete;

  // Consumes a token's bytes. Returns false, changing nothing, when the grammar forbids
  // it; tokens outside the vocabulary index (special tokens) are always forbidden.
  bool accept_token(int32_t token);
  // Consumes raw bytes (tests, forced prefixes); same contract.
  bool accept_bytes(std::string_view bytes);

  // The bytes so far form a complete value: the output may end here.
  bool can_end() const { return can_end_; }
  // Complete, and nothing may follow.
  bool must_end() const { return can_end_ && stacks_.empty(); }

  // Sets exactly the tokens that may come next (end-of-sequence is the caller's: allow
  // it when can_end()). `mask` is resized to the vocabulary's mask size.
  void fill_mask(TokenBitmask& mask);
  // The same set computed by walking the whole vocabulary from the live stacks, with no
  // cache: the slow twin fill_mask is tested against.
  void fill_mask_uncached(TokenBitmask& mask);

  // Fewest bytes that complete the value from here; 0 when can_end().
  int32_t min_bytes_to_end() const;
  // Fewest bytes that complete the value after `token`, or -1 if it is not allowed.
  int32_t min_bytes_to_end_after(int32_t token);
  // The tokens allowed next after which the value can still be completed within
  // `max_bytes` more bytes (every byte is a token in a byte-level vocabulary, so this
  // is how a token budget is honoured exactly). Walks the whole vocabulary: use it
  // only when the budget is close.
  void fill_mask_within(TokenBitmask& mask, int64_t max_bytes);

  void reset();
  const CompiledGrammar& grammar() const { return *grammar_; }
  size_t live_stacks() const { return stacks_.size(); }

 private:
  // Walks `trie` from `start`, calling on_token(id, stacks, completed) for every token
  // whose bytes are all accepted.
  template <typename OnToken>
  void walk(const ByteTrie& trie, const StackSet& start, OnToken&& on_token);
  // Advances `in` by `byte` into `out`; returns whether some stack completed.
  bool step(const StackSet& in, uint8_t byte, StackSet& out);
  int32_t distance(const StackSet& set, bool completed) const;
  // Steps through `bytes` from the live stacks into `out` (scratch nodes; the caller
  // rolls back). Returns false if some byte is rejected.
  bool simulate(std::string_view bytes, StackSet& out, bool& completed);

  std::shared_ptr<const CompiledGrammar> grammar_;
  const Pda& pda_;
  StackPool pool_;
  Stepper stepper_;
  StackSet stacks_;
  bool can_end_ = false;
  // Scratch, kept to avoid allocation per step.
  std::vector<StackSet> levels_;
  StackSet scratch_a_, scratch_b_;
  std::vector<int32_t> seen_states_;
};

}  // namespace qwenrt::grammar
