#include "model/paged_kv_cache.h"

#include <string>

#include "base/error.h"

namespace qwenrt {

PagedKVCache::PagedKVCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim, int64_t n_blocks,
                           int64_t block_size)
    : n_layers_(n_layers), n_kv_heads_(n_kv_heads), head_dim_(head_dim), n_blocks_(n_blocks),
      block_size_(block_size) {
  check(n_layers > 0 && n_kv_heads > 0 && head_dim > 0,
        "paged KV cache: the model shape has no layers or heads");
  check(n_blocks > 0 && block_size > 0,
        "paged KV cache: needs at least one block of at least one token (got " +
            std::to_string(n_blocks) + " blocks of " + std::to_string(block_size) + ")");
  const int64_t floats = n_layers * layer_floats();
  k_.reset(new float[static_cast<size_t>(floats)]);
  v_.reset(new float[static_cast<size_t>(floats)]);
}

}  // namespace qwenrt
