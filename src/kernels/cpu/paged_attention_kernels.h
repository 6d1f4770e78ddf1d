// The per-SIMD-target kernels behind cpu::paged_attention. Like kernel_tables.h this is
// included by ISA-specific files: plain types and function pointers only.
#pragma once
#include <cstdint>

namespace qwenrt::cpu {

struct PagedAttentionKernels {
  // Query heads [h0, h1) (one GQA group: they read the same KV head) of tokens [t0, t1)
  // of one sequence. k, v: the layer's pool (PagedKV layout). scratch holds
  // (h1 - h0) * (n_past + t1) floats.
  void (*rows)(const float* q, float* out, int64_t n_past, const int32_t* block_table,
               const float* k, const float* v, int64_t block_size, int64_t n_heads,
               int64_t n_kv_heads, int64_t head_dim, float scale, int64_t h0, int64_t h1,
               int64_t t0, int64_t t1, float* scratch);
};

extern const PagedAttentionKernels kPagedAttentionScalar, kPagedAttentionAvx2,
    kPagedAttentionAvx512;

}  // namespace qwenrt::cpu
