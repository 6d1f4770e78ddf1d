#include "sampling/grammar/token_bitmask.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

namespace qwenrt::grammar {

void TokenBitmask::merge(std::span<const uint64_t> other) {
  const size_t n = std::min(other.size(), words_.size());
  for (size_t i = 0; i < n; ++i) words_[i] |= other[i];
}

int64_t TokenBitmask::count() const {
  int64_t n = 0;
  for (uint64_t w : words_) n += std::popcount(w);
  return n;
}

std::vector<int32_t> TokenBitmask::ids() const {
  std::vector<int32_t> out;
  for (size_t i = 0; i < words_.size(); ++i) {
    for (uint64_t w = words_[i]; w; w &= w - 1) {
      out.push_back(static_cast<int32_t>(i * 64 + static_cast<size_t>(std::countr_zero(w))));
    }
  }
  return out;
}

namespace {

constexpr float kMasked = -std::numeric_limits<float>::infinity();

// 64 masked logits: a fully masked word is one memcpy, which libc does with the
// widest stores the CPU has (std::fill is not vectorized at -O2).
struct MaskedBlock {
  float values[64];
  MaskedBlock() { std::fill(values, values + 64, kMasked); }
};
const MaskedBlock kMaskedBlock;

}  // namespace

void TokenBitmask::apply_to_logits(float* logits, int64_t n) const {
  const int64_t covered = std::min<int64_t>(n, size_);
  // Whole words first: an all-ones word (inside a string most are) costs nothing.
  const int64_t full_words = covered / 64;
  for (int64_t w = 0; w < full_words; ++w) {
    uint64_t off = ~words_[static_cast<size_t>(w)];
    if (off == ~uint64_t{0}) {
      std::memcpy(logits + w * 64, kMaskedBlock.values, sizeof kMaskedBlock.values);
      continue;
    }
    for (; off; off &= off - 1) logits[w * 64 + std::countr_zero(off)] = kMasked;
  }
  for (int64_t id = full_words * 64; id < n; ++id) {
    if (id >= covered || !test(static_cast<int32_t>(id))) logits[id] = kMasked;
  }
}

}  // namespace qwenrt::grammar
