// Threading for causal GQA attention; the per-head arithmetic is in attention_<target>.cc.
#include <algorithm>
#include <atomic>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/ops.h"

namespace qwenrt::cpu {
namespace {

// Queries per work item: long prompts split into blocks so both heads and query ranges
// spread over threads; short ones (decode) are one block per head.
constexpr int64_t kQueryBlock = 16;

}  // namespace

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
  const AttentionKernels& kernels = *active_kernels().attention;
  const int64_t group = n_heads / n_kv_heads;
  const int64_t blocks = (n_tokens + kQueryBlock - 1) / kQueryBlock;
  // A work item is some query heads of one GQA group (they share every K/V row load)
  // over one query block. Whole groups unless that leaves threads idle (decode with few
  // KV heads), then halves of groups, and so on.
  int64_t per_item = group;
  const auto subgroups = [&] { return (group + per_item - 1) / per_item; };
  while (per_item > 1 && n_kv_heads * subgroups() * blocks < pool.size()) {
    per_item = (per_item + 1) / 2;
  }
  const int64_t units = n_kv_heads * subgroups();
  const int64_t items = units * blocks;
  // Causal: later query blocks attend to more keys. Hand items out dynamically, the
  // costliest (last) blocks first, so threads finish together.
  std::atomic<int64_t> next{0};
  pool.run([&](int) {
    std::vector<float> scratch(static_cast<size_t>(per_item * (n_past + n_tokens)));
    for (;;) {
      const int64_t item = next.fetch_add(1, std::memory_order_relaxed);
      if (item >= items) break;
      const int64_t block = blocks - 1 - item / units;
      const int64_t unit = item % units;
      const int64_t kv_head = unit / subgroups(), sub = unit % subgroups();
      const int64_t h0 = kv_head * group + sub * per_item;
      const int64_t h1 = std::min(h0 + per_item, (kv_head + 1) * group);
      const int64_t t0 = block * kQueryBlock, t1 = std::min(n_tokens, t0 + kQueryBlock);
      kernels.rows(q, n_past, k, v, kv_capacity, n_heads, n_kv_heads, head_dim, scale, h0, h1, t0,
                   t1, out, scratch.data());
    }
  });
}

}  // namespace qwenrt::cpu
