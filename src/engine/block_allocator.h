// Key/value blocks of the paged pool: who holds them (reference counts) and which hold a
// reusable prefix. A full block whose tokens are all computed can be published under
// the hash of its token ids chained with its predecessor's; a later sequence starting
// with the same tokens takes a reference instead of recomputing. Freed published blocks
// stay reusable until the pool needs them (least recently freed first).
#pragma once
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace qwenrt {

// Hash of one full block's token ids chained with its predecessor's hash (0 for the
// first block): equal chains mean equal prefixes (the token ids are compared too).
uint64_t block_hash(uint64_t parent, std::span<const int32_t> tokens);

class BlockAllocator {
 public:
  explicit BlockAllocator(int64_t n_blocks);

  // A block with reference count 1: a never-published free block if any, else the least
  // recently freed published one (forgetting its prefix). Nothing when all are held.
  std::optional<int32_t> allocate();
  // One more holder of `block` (a published block found by lookup()).
  void retain(int32_t block);
  // One holder less; at zero the block is free (and, if published, still reusable).
  void release(int32_t block);

  // The published block with this hash and these tokens, if any.
  std::optional<int32_t> lookup(uint64_t hash, std::span<const int32_t> tokens) const;
  // Makes a held full block reusable under `hash`. No effect if another block already
  // holds that prefix or this one is already published.
  void publish(int32_t block, uint64_t hash, std::span<const int32_t> tokens);

  int64_t total() const { return static_cast<int64_t>(blocks_.size()); }
  int64_t used() const { return used_; }                              // held by a sequence
  int64_t cached() const { return static_cast<int64_t>(lru_.size()); }  // free, still reusable
  int64_t available() const { return total() - used_; }               // allocate() succeeds
  int32_t ref_count(int32_t block) const { return blocks_[static_cast<size_t>(block)].refs; }

 private:
  struct Block {
    int32_t refs = 0;
    bool published = false;
    uint64_t hash = 0;
    std::vector<int32_t> tokens;           // of a published block, to rule out collisions
    std::list<int32_t>::iterator lru_pos;  // in lru_ while free and published
  };

  void forget(int32_t block);

  std::vector<Block> blocks_;
  std::vector<int32_t> free_plain_;  // free, never published (or forgotten)
  std::list<int32_t> lru_;           // free and published, least recently freed first
  std::unordered_map<uint64_t, int32_t> by_hash_;
  int64_t used_ = 0;
};

}  // namespace qwenrt
