// Causal grouped-query attention over a paged key/value pool: each sequence's keys and
// values live in fixed-size blocks anywhere in the pool, found through its block table.
// One call covers every sequence of a batch step, so the threads share one region.
#pragma once
#include <cstdint>
#include <span>

#include "base/thread_pool.h"

namespace qwenrt::cpu {

// The pool of one layer: block b, KV head h, slot s (position b_index * block_size + s)
// holds head_dim floats at base + ((b * n_kv_heads + h) * block_size + s) * head_dim.
struct PagedKV {
  const float* k;
  const float* v;
  int64_t block_size;
  int64_t n_kv_heads;
  int64_t head_dim;
};

// One sequence's queries: n_tokens rows at positions n_past .. n_past + n_tokens - 1,
// attending to positions 0 .. their own. Positions p < n_past + n_tokens are in block
// block_table[p / block_size].
struct PagedQuery {
  const float* q;  // [n_tokens, n_heads, head_dim]
  float* out;      // [n_tokens, n_heads, head_dim]
  int64_t n_tokens;
  int64_t n_past;
  const int32_t* block_table;
};

// Softmax in F32 with max subtraction, as cpu::attention. A query's result depends only
// on its own position, its q row and the keys/values it reads, never on which other
// queries or sequences share the call (the engine's batching invariance rests on it).
void paged_attention(ThreadPool& pool, std::span<const PagedQuery> queries, const PagedKV& kv,
                     int64_t n_heads, float scale);

// The scalar twin, single-threaded: the reference the fast paths are tested against.
void paged_attention_reference(std::span<const PagedQuery> queries, const PagedKV& kv,
                               int64_t n_heads, float scale);

}  // namespace qwenrt::cpu
