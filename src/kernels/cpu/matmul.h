// The two strategies behind cpu::matmul, exposed so tests and benchmarks can force each.
#pragma once
#include <cstdint>
#include <span>

#include "base/thread_pool.h"
#include "kernels/cpu/ops.h"
#include "tensor/tensor.h"

namespace qwenrt::cpu {

// Below this many x rows matmul streams weight rows (GEMV); from it on it packs weight
// panels and runs the blocked GEMM, whose packing only pays off over enough rows.
// Measured with bench/kernels_bench.cc (BM_MatmulCrossover, 4864x896 BF16, 2 threads):
// on an Intel Xeon GEMM first wins at 12 rows (1.4 vs 1.8 ms; at 8 rows GEMV 1.0 vs
// 1.4 ms); on Zen 4 (a shared, noisy VM) GEMV stayed ahead through 16 and tied at 32.
constexpr int64_t kGemmMinRows = 16;

// Decode path: threads split the weight rows; each weight byte is read once.
void matmul_gemv(ThreadPool& pool, const float* x, int64_t m, const WeightView& w,
                 const float* bias, float* y);

// Prompt path: cache-blocked GEMM, threads split weight panels (and x rows when there are
// few panels). Falls back to matmul_gemv on targets without a GEMM kernel.
// Several weights applied to the same x in one parallel region over their stacked rows
// (decode's q/k/v and gate/up: one synchronisation instead of three or two).
void matmul_gemv_group(ThreadPool& pool, const float* x, int64_t m,
                       std::span<const MatmulTarget> targets);
void matmul_gemm(ThreadPool& pool, const float* x, int64_t m, const WeightView& w,
                 const float* bias, float* y);

// matmul_group whose every output row is a function of its own x row and the weights
// alone, bitwise, whatever m and the thread count: a row computed inside a batch equals
// the same row computed alone (the serving engine's batching invariance rests on it).
// It always takes the blocked GEMM, where each output is one FMA chain over k in order
// (k blocks depend on k only, x panels past m are zero). The GEMV is not row-independent:
// how many accumulators a row gets depends on how many rows share its pass.
void matmul_group_row_independent(ThreadPool& pool, const float* x, int64_t m,
                                  std::span<const MatmulTarget> targets);

}  // namespace qwenrt::cpu
