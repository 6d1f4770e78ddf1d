// Threading and dispatch for paged attention; the per-head arithmetic is in
// paged_attention_<target>.cc.
#include "kernels/cpu/paged_attention.h"

#include <algorithm>
#include <atomic>
#include <vector>

#include "base/error.h"
#include "kernels/cpu/dispatch.h"

namespace qwenrt::cpu {
namespace {

// Queries per work item, as cpu::attention: long prompt chunks split into blocks of
// queries so they spread over threads; a decode row is one item per head group.
constexpr int64_t kQueryBlock = 16;

void validate(std::span<const PagedQuery> queries, const PagedKV& kv, int64_t n_heads) {
  check(kv.n_kv_heads > 0 && n_heads > 0 && n_heads % kv.n_kv_heads == 0,
        "paged_attention: n_heads (" + std::to_string(n_heads) +
            ") is not a multiple of n_kv_heads (" + std::to_string(kv.n_kv_heads) + ")");
  check(kv.block_size > 0 && kv.head_dim > 0, "paged_attention: empty blocks");
  for (const PagedQuery& s : queries) {
    check(s.n_past >= 0 && s.n_tokens >= 0, "paged_attention: negative position or length");
    check(s.n_tokens == 0 || s.block_table != nullptr, "paged_attention: no block table");
  }
}

}  // namespace

void paged_attention(ThreadPool& pool, std::span<const PagedQuery> queries, const PagedKV& kv,
                     int64_t n_heads, float scale) {
  validate(queries, kv, n_heads);
  const PagedAttentionKernels& kernels = *active_kernels().attention;
  const int64_t group = n_heads / kv.n_kv_heads;
  // Work items: (sequence, query block, some query heads of one GQA group). Whole groups
  // share every K/V row load; halves of groups only when that would leave threads idle.
  int64_t query_blocks = 0, longest = 0;
  for (const PagedQuery& s : queries) {
    query_blocks += (s.n_tokens + kQueryBlock - 1) / kQueryBlock;
    longest = std::max(longest, s.n_past + s.n_tokens);
  }
  if (query_blocks == 0) return;
  int64_t per_item = group;
  const auto subgroups = [&] { return (group + per_item - 1) / per_item; };
  while (per_item > 1 && kv.n_kv_heads * subgroups() * query_blocks < pool.size()) {
    per_item = (per_item + 1) / 2;
  }
  const int64_t units = kv.n_kv_heads * subgroups();
  // first_block[i]: index of sequence i's first query block in the flat list.
  std::vector<int64_t> first_block(queries.size() + 1, 0);
  for (size_t i = 0; i < queries.size(); ++i) {
    first_block[i + 1] = first_block[i] + (queries[i].n_tokens + kQueryBlock - 1) / kQueryBlock;
  }
  const int64_t items = units * query_blocks;
  std::atomic<int64_t> next{0};
  pool.run([&](int) {
    std::vector<float> scratch(static_cast<size_t>(per_item * longest));
    for (;;) {
      const int64_t item = next.fetch_add(1, std::memory_order_relaxed);
      if (item >= items) break;
      const int64_t flat_block = item / units, unit = item % units;
      const size_t seq = static_cast<size_t>(
          std::upper_bound(first_block.begin(), first_block.end(), flat_block) - first_block.begin() - 1);
      const PagedQuery& s = queries[seq];
      const int64_t block = flat_block - first_block[seq];
      const int64_t kv_head = unit / subgroups(), sub = unit % subgroups();
      const int64_t h0 = kv_head * group + sub * per_item;
      const int64_t h1 = std::min(h0 + per_item, (kv_head + 1) * group);
      const int64_t t0 = block * kQueryBlock, t1 = std::min(s.n_tokens, t0 + kQueryBlock);
      kernels.rows(s.q, s.out, s.n_past, s.block_table, kv.k, kv.v, kv.block_size, n_heads,
                   kv.n_kv_heads, kv.head_dim, scale, h0, h1, t0, t1, scratch.data());
    }
  });
}

void paged_attention_reference(std::span<const PagedQuery> queries, const PagedKV& kv,
                               int64_t n_heads, float scale) {
  validate(queries, kv, n_heads);
  const int64_t group = n_heads / kv.n_kv_heads;
  for (const PagedQuery& s : queries) {
    std::vector<float> scratch(static_cast<size_t>(s.n_past + s.n_tokens));
    for (int64_t kv_head = 0; kv_head < kv.n_kv_heads; ++kv_head) {
      kPagedAttentionScalar.rows(s.q, s.out, s.n_past, s.block_table, kv.k, kv.v, kv.block_size,
                                 n_heads, kv.n_kv_heads, kv.head_dim, scale, kv_head * group,
                                 (kv_head + 1) * group, 0, s.n_tokens, scratch.data());
    }
  }
}

}  // namespace qwenrt::cpu
