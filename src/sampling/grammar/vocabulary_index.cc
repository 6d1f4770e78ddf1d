#include "sampling/grammar/vocabulary_index.h"

#include <algorithm>

#include "base/error.h"

namespace qwenrt::grammar {

VocabularyIndex::VocabularyIndex(std::vector<std::string> bytes, int32_t mask_size)
    : bytes_(std::move(bytes)), mask_size_(mask_size) {
  if (mask_size_ < static_cast<int32_t>(bytes_.size())) {
    throw Error("token mask size " + std::to_string(mask_size_) + " is smaller than the vocabulary (" +
                std::to_string(bytes_.size()) + " ids)");
  }
  std::vector<std::pair<std::string, int32_t>> entries;
  entries.reserve(bytes_.size());
  for (size_t id = 0; id < bytes_.size(); ++id) {
    if (!bytes_[id].empty()) entries.emplace_back(bytes_[id], static_cast<int32_t>(id));
  }
  trie_ = ByteTrie::build(std::move(entries));
}

std::shared_ptr<const VocabularyIndex> VocabularyIndex::build(const Tokenizer& tokenizer, int32_t mask_size,
                                                              std::span<const int32_t> excluded,
                                                              std::span<const int32_t> allowed_added) {
  // A model with fewer logit rows than the tokenizer has ids (a small test model) can
  // never produce the ids beyond its rows: they are no candidates.
  const int32_t n = mask_size > 0 ? std::min(tokenizer.vocab_size(), mask_size) : tokenizer.vocab_size();
  std::vector<std::string> bytes(static_cast<size_t>(n));
  for (int32_t id = 0; id < n; ++id) {
    if (tokenizer.has_token(id) && !tokenizer.is_added(id)) bytes[id] = std::string(tokenizer.token_bytes(id));
  }
  for (int32_t id : allowed_added) {
    if (id >= 0 && id < n && tokenizer.has_token(id)) bytes[id] = std::string(tokenizer.token_bytes(id));
  }
  for (int32_t id : excluded) {
    if (id >= 0 && id < n) bytes[id].clear();
  }
  return std::shared_ptr<const VocabularyIndex>(new VocabularyIndex(std::move(bytes), mask_size > 0 ? mask_size : n));
}

std::shared_ptr<const VocabularyIndex> VocabularyIndex::from_tokens(std::vector<std::string> tokens,
                                                                    int32_t mask_size) {
  const auto n = static_cast<int32_t>(tokens.size());
  return std::shared_ptr<const VocabularyIndex>(new VocabularyIndex(std::move(tokens), mask_size ? mask_size : n));
}

size_t VocabularyIndex::memory_bytes() const {
  size_t n = trie_.memory_bytes() + bytes_.size() * sizeof(std::string);
  for (const auto& b : bytes_) n += b.capacity() > 15 ? b.capacity() : 0;
  return n;
}

}  // namespace qwenrt::grammar
