// The tokenizer's vocabulary as the grammar engine needs it: each token's raw bytes
// and one byte trie over every token a grammar may ever allow. Built once per
// tokenizer (about 0.1 s for Qwen's 151k tokens) and shared by every compiled grammar.
//
// Added tokens are never in the trie, so a grammar never allows them: special ones
// (<|im_end|>, <|endoftext|>, ...) — the constraint adds the end-of-sequence ids itself
// once the output is complete — and non-special ones too (<tool_call>, <think>, ...):
// inside a JSON string their text would be read by the tool-call and reasoning parsers
// as markup, and no tokenizer would give that id for the text when it is read back. The
// same text can still be spelled with ordinary tokens ("<", "tool", "_call", ">").
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sampling/grammar/byte_trie.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::grammar {

class VocabularyIndex {
 public:
  // `mask_size`: bits in a token mask, the length of a logits row (the model's vocab
  // rows, e.g. 151936 for Qwen, which is more than the tokenizer's 151669 ids); 0 means
  // tokenizer.vocab_size(). Ids at or beyond a smaller mask_size are no candidates.
  // `excluded`: more ids no grammar may produce, beyond the added tokens. `allowed_added`:
  // added tokens that are candidates after all, for grammars whose literal markup is
  // written with them (a forced call's <tool_call>, as the model itself writes it).
  static std::shared_ptr<const VocabularyIndex> build(const Tokenizer& tokenizer, int32_t mask_size = 0,
                                                      std::span<const int32_t> excluded = {},
                                                      std::span<const int32_t> allowed_added = {});
  // For tests and tools: an explicit vocabulary, ids = positions.
  static std::shared_ptr<const VocabularyIndex> from_tokens(std::vector<std::string> tokens,
                                                            int32_t mask_size = 0);

  const ByteTrie& trie() const { return trie_; }
  // Raw bytes of a token in the trie; empty for ids outside it.
  std::string_view bytes(int32_t id) const {
    return id >= 0 && static_cast<size_t>(id) < bytes_.size() ? std::string_view(bytes_[id]) : std::string_view();
  }
  bool in_trie(int32_t id) const { return !bytes(id).empty(); }
  int32_t mask_size() const { return mask_size_; }
  size_t memory_bytes() const;

 private:
  VocabularyIndex(std::vector<std::string> bytes, int32_t mask_size);

  std::vector<std::string> bytes_;  // by id; "" = not a candidate
  ByteTrie trie_;
  int32_t mask_size_;
};

}  // namespace qwenrt::grammar
