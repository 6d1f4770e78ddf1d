// One bit per token id: set = the grammar allows the token next.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace qwenrt::grammar {

class TokenBitmask {
 public:
  TokenBitmask() = default;
  explicit TokenBitmask(int32_t size) { resize(size); }

  void resize(int32_t size) {
    size_ = size;
    words_.assign((static_cast<size_t>(size) + 63) / 64, 0);
  }
  int32_t size() const { return size_; }
  void clear() { std::fill(words_.begin(), words_.end(), 0); }
  void set(int32_t id) { words_[static_cast<size_t>(id) >> 6] |= uint64_t{1} << (id & 63); }
  void reset(int32_t id) { words_[static_cast<size_t>(id) >> 6] &= ~(uint64_t{1} << (id & 63)); }
  bool test(int32_t id) const {
    return id >= 0 && id < size_ && ((words_[static_cast<size_t>(id) >> 6] >> (id & 63)) & 1);
  }
  void set_ids(std::span<const int32_t> ids) {
    for (int32_t id : ids) set(id);
  }
  // ORs in `other`, which may be shorter (missing words count as zero).
  void merge(std::span<const uint64_t> other);
  int64_t count() const;
  std::vector<int32_t> ids() const;

  std::span<uint64_t> words() { return words_; }
  std::span<const uint64_t> words() const { return words_; }

  // Sets logits[id] = -inf for every id < n whose bit is clear (ids >= size() included).
  void apply_to_logits(float* logits, int64_t n) const;

 private:
  int32_t size_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace qwenrt::grammar
