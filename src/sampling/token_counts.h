// How often each token id occurs in a sequence (prompt + output for the repetition
// penalty, output alone for presence/frequency). Counting a long prompt costs more than
// the rest of sampling, so the counts are updated incrementally: each step's sequence
// usually extends the previous one by a token.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace qwenrt {

class TokenCounts {
 public:
  explicit TokenCounts(int32_t vocab_size);

  // Makes the counts those of `first` followed by `second`. When the sequence counted
  // last time is a prefix of this one (checked, with a memcmp), only the new tokens are
  // counted; otherwise everything is recounted. Ids outside [0, vocab_size) are ignored:
  // a token the LM head cannot produce has no logit to penalise (transformers drops them
  // the same way).
  void assign(std::span<const int32_t> first, std::span<const int32_t> second = {});

  int32_t count(int32_t token) const { return counts_[token]; }
  // The distinct ids counted, in order of first appearance.
  const std::vector<int32_t>& distinct() const { return distinct_; }
  int32_t vocab_size() const { return static_cast<int32_t>(counts_.size()); }

 private:
  void add(std::span<const int32_t> tokens);
  void clear();
  // Whether sequence_ equals the first sequence_.size() tokens of first ++ second.
  bool extends_counted(std::span<const int32_t> first, std::span<const int32_t> second) const;

  std::vector<int32_t> counts_;
  std::vector<int32_t> distinct_;
  std::vector<int32_t> sequence_;  // the tokens counted, in order
};

}  // namespace qwenrt
