// The BPE model: turns one pre-tokenized word (raw bytes) into token ids by
// applying merges in rank order, as the reference's BPE::merge_word does.
#pragma once
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qwenrt {

// Work buffers for merging, reused across the words of one encode() call.
struct BpeScratch {
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  struct Candidate {  // a pair that may merge: (rank, left position) orders them
    uint32_t rank;
    int32_t pos;
    int32_t new_id;
  };
  std::vector<Symbol> symbols;
  std::vector<Candidate> heap;
};

class BpeModel {
 public:
  // `vocab` maps byte-level spellings to ids; `merges` are in rank order. A
  // merge naming a spelling missing from `vocab`, or whose concatenation is
  // missing, throws Error "<where>/<rank>: ...".
  BpeModel(const std::unordered_map<std::string, int32_t>& vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges,
           const std::string& where);
  BpeModel(const BpeModel&) = delete;
  BpeModel& operator=(const BpeModel&) = delete;

  // Appends the ids of `word` (raw bytes). Bytes whose character is not in the
  // vocabulary are dropped, as the reference does without an unk token.
  void encode_word(std::string_view word, BpeScratch& scratch, std::vector<int32_t>& ids) const;

  size_t merge_count() const { return merge_count_; }

 private:
  struct MergeSlot {
    uint64_t key;  // (left id << 32) | right id; kEmptyKey when free
    uint32_t rank;
    int32_t new_id;
  };
  static constexpr uint64_t kEmptyKey = ~uint64_t{0};

  // Open-addressing table of merges keyed by the pair of ids: the hot lookup.
  void insert_merge(uint64_t key, uint32_t rank, int32_t new_id);
  const MergeSlot* find_merge(int32_t left, int32_t right) const;
  void merge_word(std::string_view word, BpeScratch& scratch, std::vector<int32_t>& ids) const;

  // Cache of merged words. Lookups and inserts only try the lock, so threads
  // encoding at once never wait on each other (they just miss the cache).
  bool cache_lookup(std::string_view word, std::vector<int32_t>& ids) const;
  void cache_insert(std::string_view word, const int32_t* ids, size_t count) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  int32_t byte_ids_[256];
  std::vector<MergeSlot> table_;
  uint64_t table_mask_ = 0;
  size_t merge_count_ = 0;
  bool ignore_merges_ = false;
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>
      whole_words_;  // ignore_merges

  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace qwenrt
