#include "engine/block_allocator.h"

#include <algorithm>
#include <string>

#include "base/error.h"

namespace qwenrt {

uint64_t block_hash(uint64_t parent, std::span<const int32_t> tokens) {
  // FNV-1a over the parent hash and the ids, then a splitmix64 finaliser to spread it.
  uint64_t h = 0xcbf29ce484222325ull ^ parent;
  auto mix = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ull;
    }
  };
  mix(parent);
  for (int32_t t : tokens) mix(static_cast<uint32_t>(t));
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

BlockAllocator::BlockAllocator(int64_t n_blocks) : blocks_(static_cast<size_t>(n_blocks)) {
  check(n_blocks > 0, "block allocator: the KV pool has no blocks");
  // Handed out lowest id first.
  for (int64_t b = n_blocks - 1; b >= 0; --b) free_plain_.push_back(static_cast<int32_t>(b));
}

std::optional<int32_t> BlockAllocator::allocate() {
  int32_t block;
  if (!free_plain_.empty()) {
    block = free_plain_.back();
    free_plain_.pop_back();
  } else if (!lru_.empty()) {
    block = lru_.front();
    lru_.pop_front();
    forget(block);
  } else {
    return std::nullopt;
  }
  blocks_[static_cast<size_t>(block)].refs = 1;
  ++used_;
  return block;
}

void BlockAllocator::retain(int32_t block) {
  Block& b = blocks_.at(static_cast<size_t>(block));
  if (b.refs == 0) {
    // Only published blocks are found while free.
    check(b.published, "block allocator: retain of free unpublished block " + std::to_string(block));
    lru_.erase(b.lru_pos);
    ++used_;
  }
  ++b.refs;
}

void BlockAllocator::release(int32_t block) {
  Block& b = blocks_.at(static_cast<size_t>(block));
  check(b.refs > 0, "block allocator: release of free block " + std::to_string(block));
  if (--b.refs > 0) return;
  --used_;
  if (b.published) {
    b.lru_pos = lru_.insert(lru_.end(), block);
  } else {
    free_plain_.push_back(block);
  }
}

std::optional<int32_t> BlockAllocator::lookup(uint64_t hash, std::span<const int32_t> tokens) const {
  const auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::nullopt;
  const Block& b = blocks_[static_cast<size_t>(it->second)];
  if (!std::equal(b.tokens.begin(), b.tokens.end(), tokens.begin(), tokens.end())) return std::nullopt;
  return it->second;
}

void BlockAllocator::publish(int32_t block, uint64_t hash, std::span<const int32_t> tokens) {
  Block& b = blocks_.at(static_cast<size_t>(block));
  if (b.published || by_hash_.count(hash) != 0) return;
  b.published = true;
  b.hash = hash;
  b.tokens.assign(tokens.begin(), tokens.end());
  by_hash_.emplace(hash, block);
}

void BlockAllocator::forget(int32_t block) {
  Block& b = blocks_[static_cast<size_t>(block)];
  by_hash_.erase(b.hash);
  b.published = false;
  b.tokens.clear();
}

}  // namespace qwenrt
