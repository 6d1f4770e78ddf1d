#include "tokenizer/bpe.h"

#include <algorithm>
#include <mutex>

#include "base/error.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

// Words longer than this are merged every time (rare; they would crowd the
// cache).
constexpr size_t kMaxCachedWordBytes = 256;
// Once the cache holds this many words it stops growing, like the reference's.
constexpr size_t kMaxCachedWords = size_t{1} << 16;

uint64_t pair_key(int32_t left, int32_t right) {
  return (uint64_t(uint32_t(left)) << 32) | uint32_t(right);
}

uint64_t mix(uint64_t key) {
  key ^= key >> 31;
  key *= 0x9E3779B97F4A7C15ull;
  return key ^ (key >> 29);
}

// Min-heap order on (rank, position): the lowest rank merges first, and among
// equal ranks the leftmost - the reference's order. (A functor so it inlines.)
struct Later {
  bool operator()(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  }
};
constexpr Later later;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

BpeModel::BpeModel(const std::unordered_map<std::string, int32_t>& vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges,
                   bool ignore_merges, const std::string& where)
    : ignore_merges_(ignore_merges) {
  for (int b = 0; b < 256; ++b) {
    std::string spelling;
    append_utf8(byte_level_char(static_cast<uint8_t>(b)), spelling);
    auto it = vocab.find(spelling);
    byte_ids_[b] = it == vocab.end() ? -1 : it->second;
  }
  size_t capacity = 16;
  while (capacity < merges.size() * 2) capacity *= 2;
  table_.assign(capacity, MergeSlot{kEmptyKey, 0, 0});
  table_mask_ = capacity - 1;
  std::string joined;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const std::string at = where + "/" + std::to_string(rank);
    auto l = vocab.find(left);
    if (l == vocab.end())
      throw Error(at + ": merge names " + quoted(left) + ", not in the vocabulary");
    auto r = vocab.find(right);
    if (r == vocab.end())
      throw Error(at + ": merge names " + quoted(right) + ", not in the vocabulary");
    joined = left + right;
    auto merged = vocab.find(joined);
    if (merged == vocab.end()) {
      throw Error(at + ": merged token " + quoted(joined) + " is not in the vocabulary");
    }
    // A repeated pair keeps its last rank, as the reference's map does.
    insert_merge(pair_key(l->second, r->second), static_cast<uint32_t>(rank), merged->second);
  }
  if (ignore_merges_) {
    for (const auto& [spelling, id] : vocab) {
      if (auto bytes = byte_level_decode(spelling)) whole_words_.emplace(*bytes, id);
    }
  }
}

void BpeModel::insert_merge(uint64_t key, uint32_t rank, int32_t new_id) {
  for (uint64_t i = mix(key) & table_mask_;; i = (i + 1) & table_mask_) {
    MergeSlot& slot = table_[i];
    if (slot.key == kEmptyKey) ++merge_count_;
    if (slot.key == kEmptyKey || slot.key == key) {
      slot = MergeSlot{key, rank, new_id};
      return;
    }
  }
}

const BpeModel::MergeSlot* BpeModel::find_merge(int32_t left, int32_t right) const {
  const uint64_t key = pair_key(left, right);
  for (uint64_t i = mix(key) & table_mask_;; i = (i + 1) & table_mask_) {
    const MergeSlot& slot = table_[i];
    if (slot.key == key) return &slot;
    if (slot.key == kEmptyKey) return nullptr;
  }
}

void BpeModel::encode_word(std::string_view word, BpeScratch& scratch,
                           std::vector<int32_t>& ids) const {
  if (word.size() == 1) {
    const int32_t id = byte_ids_[static_cast<uint8_t>(word[0])];
    if (id >= 0) ids.push_back(id);
    return;
  }
  if (ignore_merges_) {
    auto it = whole_words_.find(word);
    if (it != whole_words_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  const bool cacheable = word.size() <= kMaxCachedWordBytes;
  if (cacheable && cache_lookup(word, ids)) return;
  const size_t first = ids.size();
  merge_word(word, scratch, ids);
  if (cacheable) cache_insert(word, ids.data() + first, ids.size() - first);
}

void BpeModel::merge_word(std::string_view word, BpeScratch& scratch,
                          std::vector<int32_t>& ids) const {
  auto& symbols = scratch.symbols;
  auto& heap = scratch.heap;
  symbols.clear();
  heap.clear();
  for (char c : word) {
    const int32_t id = byte_ids_[static_cast<uint8_t>(c)];
    if (id < 0) continue;
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1, true});
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  auto push_candidate = [&](int32_t pos) {
    const BpeScratch::Symbol& s = symbols[pos];
    if (const MergeSlot* m = find_merge(s.id, symbols[s.next].id)) {
      heap.push_back({m->rank, pos, m->new_id});
      std::push_heap(heap.begin(), heap.end(), later);
    }
  };
  for (int32_t pos = 0; pos + 1 < static_cast<int32_t>(symbols.size()); ++pos) push_candidate(pos);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const BpeScratch::Candidate top = heap.back();
    heap.pop_back();
    BpeScratch::Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    BpeScratch::Symbol& right = symbols[left.next];
    // Stale when either side has changed since the candidate was queued.
    const MergeSlot* m = find_merge(left.id, right.id);
    if (m == nullptr || m->new_id != top.new_id) continue;
    left.id = top.new_id;
    right.alive = false;
    left.next = right.next;
    if (left.next >= 0) symbols[left.next].prev = top.pos;
    if (left.prev >= 0) push_candidate(left.prev);
    if (left.next >= 0) push_candidate(top.pos);
  }
  for (int32_t pos = 0; pos >= 0; pos = symbols[pos].next) ids.push_back(symbols[pos].id);
}

bool BpeModel::cache_lookup(std::string_view word, std::vector<int32_t>& ids) const {
  std::shared_lock lock(cache_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  auto it = cache_.find(word);
  if (it == cache_.end()) return false;
  ids.insert(ids.end(), it->second.begin(), it->second.end());
  return true;
}

void BpeModel::cache_insert(std::string_view word, const int32_t* ids, size_t count) const {
  std::unique_lock lock(cache_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || cache_.size() >= kMaxCachedWords) return;
  cache_.emplace(std::string(word), std::vector<int32_t>(ids, ids + count));
}

}  // namespace qwenrt
