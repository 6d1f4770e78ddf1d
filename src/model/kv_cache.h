// Per-sequence key/value cache, contiguous in F32: the simple layout the single-stream
// generator uses. Keys are stored after RoPE, so a cached position is never recomputed.
#pragma once
#include <cstdint>
#include <memory>

namespace qwenrt {

class KVCache {
 public:
  KVCache(int64_t n_layers, int64_t n_kv_heads, int64_t head_dim, int64_t capacity);

  // [n_kv_heads, capacity, head_dim] for one layer.
  float* keys(int64_t layer) { return k_.get() + layer * layer_stride_; }
  float* values(int64_t layer) { return v_.get() + layer * layer_stride_; }

  int64_t capacity() const { return capacity_; }
  int64_t n_kv_heads() const { return n_kv_heads_; }
  int64_t head_dim() const { return head_dim_; }
  // Positions already holding keys and values.
  int64_t size() const { return size_; }
  void set_size(int64_t n) { size_ = n; }
  size_t bytes() const { return 2 * static_cast<size_t>(n_layers_ * layer_stride_) * sizeof(float); }

 private:
  int64_t n_layers_, n_kv_heads_, head_dim_, capacity_;
  int64_t layer_stride_;
  int64_t size_ = 0;
  // Left uninitialised: pages are touched (and resident) only as positions fill.
  std::unique_ptr<float[]> k_, v_;
};

}  // namespace qwenrt
