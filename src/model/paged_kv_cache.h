// The serving engine's key/value memory: one pool of fixed-size blocks shared by every
// sequence, F32, laid out [layer][block][kv_head][block_size][head_dim] so that a block
// of one head is contiguous (cpu::PagedKV). Which block holds which positions of which
// sequence is the engine's business (block tables); keys are stored after RoPE.
#pragma once
#include <cstdint>
#include <memory>

namespace qwenrt {

class PagedKVCache {
 public:
  PagedKVCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim, int64_t n_blocks,
               int64_t block_size);

  // The pool of one layer: [n_blocks][n_kv_heads][block_size][head_dim].
  float* keys(int64_t layer) { return k_.get() + layer * layer_floats(); }
  float* values(int64_t layer) { return v_.get() + layer * layer_floats(); }

  int64_t n_layers() const { return n_layers_; }
  int64_t n_kv_heads() const { return n_kv_heads_; }
  int64_t head_dim() const { return head_dim_; }
  int64_t n_blocks() const { return n_blocks_; }
  int64_t block_size() const { return block_size_; }
  // Bytes one block takes over all layers, keys and values.
  static int64_t block_bytes(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim, int64_t block_size) {
    return 2 * n_layers * n_kv_heads * block_size * head_dim * static_cast<int64_t>(sizeof(float));
  }

 private:
  int64_t layer_floats() const { return n_blocks_ * n_kv_heads_ * block_size_ * head_dim_; }

  int64_t n_layers_, n_kv_heads_, head_dim_, n_blocks_, block_size_;
  // Left uninitialised: pages become resident only as blocks are first written.
  std::unique_ptr<float[]> k_, v_;
};

}  // namespace qwenrt
