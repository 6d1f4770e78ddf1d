#include "sampling/token_counts.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "base/error.h"

namespace qwenrt {
namespace {

bool same_tokens(const int32_t* a, const int32_t* b, size_t n) {
  return n == 0 || std::memcmp(a, b, n * sizeof(int32_t)) == 0;
}

}  // namespace

TokenCounts::TokenCounts(int32_t vocab_size) {
  check(vocab_size > 0, "TokenCounts: vocab_size must be > 0, got " + std::to_string(vocab_size));
  counts_.assign(static_cast<size_t>(vocab_size), 0);
}

void TokenCounts::assign(std::span<const int32_t> first, std::span<const int32_t> second) {
  if (!extends_counted(first, second)) clear();
  size_t done = sequence_.size();
  // The part of each span not counted yet.
  const std::span<const int32_t> new_first = first.subspan(std::min(done, first.size()));
  done -= std::min(done, first.size());
  const std::span<const int32_t> new_second = second.subspan(done);
  add(new_first);
  add(new_second);
}

bool TokenCounts::extends_counted(std::span<const int32_t> first,
                                  std::span<const int32_t> second) const {
  const size_t n = sequence_.size();
  if (n > first.size() + second.size()) return false;
  const size_t in_first = std::min(n, first.size());
  return same_tokens(sequence_.data(), first.data(), in_first) &&
         same_tokens(sequence_.data() + in_first, second.data(), n - in_first);
}

void TokenCounts::add(std::span<const int32_t> tokens) {
  const int32_t vocab = vocab_size();
  for (int32_t token : tokens) {
    if (token < 0 || token >= vocab) continue;
    if (counts_[token]++ == 0) distinct_.push_back(token);
  }
  sequence_.insert(sequence_.end(), tokens.begin(), tokens.end());
}

void TokenCounts::clear() {
  for (int32_t token : distinct_) counts_[token] = 0;
  distinct_.clear();
  sequence_.clear();
}

}  // namespace qwenrt
