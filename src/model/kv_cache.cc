#include "model/kv_cache.h"

namespace qwenrt {

KVCache::KVCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim, int64_t capacity)
    : n_layers_(n_layers), n_kv_heads_(n_kv_heads), head_dim_(head_dim), capacity_(capacity),
      layer_stride_(n_kv_heads * capacity * head_dim),
      k_(new float[static_cast<size_t>(n_layers * layer_stride_)]),
      v_(new float[static_cast<size_t>(n_layers * layer_stride_)]) {}

}  // namespace qwenrt
