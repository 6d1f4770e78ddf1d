// Causal GQA attention over a contiguous KV cache: the paged kernel with one block that
// spans the whole cache, since [n_kv_heads][capacity][head_dim] is exactly block 0's
// layout when block_size = capacity.
#include "base/error.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/paged_attention.h"

namespace qwenrt::cpu {

void attention(ThreadPool& pool, const float* q, int64_t n_tokens, int64_t n_past, const float* k,
               const float* v, int64_t kv_capacity, int64_t n_heads, int64_t n_kv_heads,
               int64_t head_dim, float scale, float* out) {
  if (n_tokens <= 0 || n_heads <= 0 || head_dim <= 0) return;
  check(n_past >= 0, "attention: negative n_past");
  check(n_kv_heads > 0 && n_heads % n_kv_heads == 0,
        "attention: n_heads (" + std::to_string(n_heads) + ") is not a multiple of n_kv_heads (" +
            std::to_string(n_kv_heads) + ")");
  check(n_past + n_tokens <= kv_capacity, "attention: KV cache capacity " +
                                              std::to_string(kv_capacity) + " < " +
                                              std::to_string(n_past + n_tokens) + " positions");
  const int32_t only_block = 0;
  const PagedKV kv{k, v, kv_capacity, n_kv_heads, head_dim};
  const PagedQuery query{q, out, n_tokens, n_past, &only_block};
  paged_attention(pool, std::span(&query, 1), kv, n_heads, scale);
}

}  // namespace qwenrt::cpu
