// The per-state token mask cache (XGrammar's "adaptive token mask"). For an automaton
// state S on top of a stack, most tokens are decided by S's own rule alone:
//  - accepted: the token's bytes are consumed without S's frame ever returning, so
//    whatever lies below S on the stack, the token is allowed;
//  - rejected: every path dies before S's frame returns;
//  - left over: some path returns from S's rule partway through the token; whether
//    the rest (the "tail") is allowed depends on the caller, so it is checked at run
//    time against the actual stack. Tails are stored as a small trie, so the run-time
//    check is one pruned walk over distinct tails, not one per token.
// Computing this takes one walk over the whole vocabulary trie; it is done lazily,
// once per state, and shared by every matcher of a compiled grammar.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "sampling/grammar/byte_trie.h"
#include "sampling/grammar/pda.h"
#include "sampling/grammar/token_bitmask.h"
#include "sampling/grammar/vocabulary_index.h"

namespace qwenrt::grammar {

struct PositionMask {
  std::vector<uint64_t> accepted_words;  // dense bitmask when many tokens are accepted
  std::vector<int32_t> accepted_ids;     // otherwise the ids
  ByteTrie tails;                        // left-over tokens by tail; root = empty tail
  int64_t accepted_count = 0;

  void add_accepted_to(TokenBitmask& mask) const {
    if (!accepted_words.empty()) mask.merge(accepted_words);
    else mask.set_ids(accepted_ids);
  }
  size_t memory_bytes() const {
    return accepted_words.size() * 8 + accepted_ids.size() * 4 + tails.memory_bytes();
  }
};

// Walks the vocabulary from `state` (which must have byte edges) with an empty stack
// below it; see the header comment for what is recorded.
PositionMask compute_position_mask(const Pda& pda, const VocabularyIndex& vocab, int32_t state);

// The mask of a state whose rule calls no other rule depends only on the automaton
// from that state on, not on the grammar around it. Such states recur in every schema
// (the inside of a plain string is the costly one: a walk of the whole vocabulary), so
// grammars compiled against one vocabulary share them through this cache, keyed by
// the automaton's canonical form (leaf_state_key). Thread-safe; holds at most
// `capacity` masks.
class SharedMaskCache {
 public:
  explicit SharedMaskCache(std::shared_ptr<const VocabularyIndex> vocab, size_t capacity = 512)
      : vocab_(std::move(vocab)), capacity_(capacity) {}

  std::shared_ptr<const PositionMask> get_or_compute(const std::string& key,
                                                     const std::function<PositionMask()>& compute);
  const VocabularyIndex* vocab() const { return vocab_.get(); }
  size_t size() const;

 private:
  std::shared_ptr<const VocabularyIndex> vocab_;
  size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const PositionMask>> masks_;
};

// The canonical form of the automaton reachable from `state` by bytes (states
// renumbered in breadth-first order over bytes 0..255), or "" when it is larger than
// is worth sharing. Only meaningful for states of rules without calls.
std::string leaf_state_key(const Pda& pda, int32_t state);

}  // namespace qwenrt::grammar
