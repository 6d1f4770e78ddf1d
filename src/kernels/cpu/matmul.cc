// Threading and cache blocking for matmul; the arithmetic lives in matmul_<target>.cc.
#include "kernels/cpu/matmul.h"

#include <algorithm>
#include <memory>
#include <new>

#include "base/error.h"
#include "kernels/cpu/dequantize.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/input_order.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/quant_matmul.h"

namespace qwenrt::cpu {
namespace {

// GEMM blocking. A packed weight block (kc x kNc F32) must stay in L2 (1 MB on Zen 4)
// while every x row panel passes over it: 384 x 256 x 4 B = 384 KB. Each x panel
// (mr x kc, 9 KB) is reused from L1 across the block's weight panels. Measured on an
// Intel Xeon, 896x4864 BF16, m = 512: kc 256 -> 384 gave 184 -> 197 GFLOP/s; kNc 512
// was slower (178).
constexpr int64_t kKc = 384;
constexpr int64_t kNc = 256;

// Fewer weight rows than this per thread are not worth waking another thread for.
constexpr int64_t kGemvGrainRows = 16;

struct AlignedFree {
  void operator()(float* p) const { ::operator delete[](p, std::align_val_t(64)); }
};
using AlignedFloats = std::unique_ptr<float[], AlignedFree>;

AlignedFloats alloc_aligned(int64_t n) {
  return AlignedFloats(static_cast<float*>(
      ::operator new[](static_cast<size_t>(n) * sizeof(float), std::align_val_t(64))));
}

void check_weight(const WeightView& w) {
  check(w.rows >= 0 && w.cols >= 0, "matmul: negative weight shape");
  check(w.data != nullptr || w.rows * w.cols == 0, "matmul: weight has no data");
  check(w.cols % dtype_block_elements(w.dtype) == 0,
        "matmul: weight row length is not a whole number of quantization blocks");
}

// y = bias (or 0) for an empty reduction.
void fill_bias(int64_t m, int64_t n, const float* bias, float* y) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) y[i * n + j] = bias != nullptr ? bias[j] : 0.0f;
}

// Copies x rows into panels of mr rows laid out [k][mr] (zero rows past m), the order
// in which the microkernel broadcasts them.
void pack_x_panel(const float* x, int64_t m, int64_t k, int mr, int64_t panel, float* dst) {
  const int64_t row0 = panel * mr;
  for (int r = 0; r < mr; ++r) {
    const int64_t row = row0 + r;
    if (row < m) {
      const float* src = x + row * k;
      for (int64_t kk = 0; kk < k; ++kk) dst[kk * mr + r] = src[kk];
    } else {
      for (int64_t kk = 0; kk < k; ++kk) dst[kk * mr + r] = 0.0f;
    }
  }
}

// Range `part` of `parts` near-equal pieces of [0, n).
std::pair<int64_t, int64_t> split_range(int64_t n, int64_t parts, int64_t part) {
  return {n * part / parts, n * (part + 1) / parts};
}

}  // namespace

// GEMV over weight rows [n0, n1) on the calling thread.
void gemv_rows(const float* x, int64_t m, const WeightView& w, const float* bias, float* y,
               int64_t n0, int64_t n1) {
  const MatmulKernels& kernels = *active_kernels().matmul;
  const int64_t row_bytes = static_cast<int64_t>(w.row_bytes());
  kernels.gemv(x, m, w.cols, weight_type_of(w.dtype), w.data, row_bytes, n0, n1, bias, y, w.rows,
               cpu_tuning().gemv_prefetch_bytes);
}

void matmul_gemv(ThreadPool& pool, const float* x, int64_t m, const WeightView& w,
                 const float* bias, float* y) {
  const MatmulTarget target{&w, bias, y};
  matmul_gemv_group(pool, x, m, std::span(&target, 1));
}

namespace {

// Quantized weights take the integer-dot kernels (quant_matmul.h) at every m. Returns
// false, doing nothing, when no target is quantized.
bool route_quantized(ThreadPool& pool, const float* x, int64_t m,
                     std::span<const MatmulTarget> targets) {
  // Every entry point passes through here, so this is where permuted-column weights
  // (GPTQ act-order) get their gathered x; the recursion sees no order left.
  if (run_with_input_orders(x, m, targets, [&](const float* xo, std::span<const MatmulTarget> t) {
        if (!route_quantized(pool, xo, m, t)) matmul_group_row_independent(pool, xo, m, t);
      })) {
    return true;
  }
  const auto quantized = [](const MatmulTarget& t) { return is_quantized(t.w->dtype); };
  if (std::none_of(targets.begin(), targets.end(), quantized)) return false;
  if (std::all_of(targets.begin(), targets.end(), quantized)) {
    quant_matmul_group(pool, x, m, targets);
    return true;
  }
  for (const MatmulTarget& t : targets) {
    if (quantized(t)) {
      quant_matmul_group(pool, x, m, std::span(&t, 1));
    } else {
      matmul(pool, x, m, *t.w, t.bias, t.y);
    }
  }
  return true;
}

}  // namespace

void matmul_gemv_group(ThreadPool& pool, const float* x, int64_t m,
                       std::span<const MatmulTarget> targets) {
  if (route_quantized(pool, x, m, targets)) return;
  int64_t total_rows = 0;
  for (const MatmulTarget& t : targets) {
    check_weight(*t.w);
    check(t.w->cols == targets[0].w->cols, "matmul group: weights disagree on input width");
    if (t.w->cols == 0) fill_bias(m, t.w->rows, t.bias, t.y);
    total_rows += t.w->rows;
  }
  if (m <= 0 || total_rows == 0 || targets[0].w->cols == 0) return;
  // One parallel region over the rows of all the weights, as if they were stacked.
  pool.parallel_for(
      total_rows,
      [&](int64_t begin, int64_t end) {
        int64_t offset = 0;
        for (const MatmulTarget& t : targets) {
          const int64_t n0 = std::max(begin - offset, int64_t{0});
          const int64_t n1 = std::min(end - offset, t.w->rows);
          if (n0 < n1) gemv_rows(x, m, *t.w, t.bias, t.y, n0, n1);
          offset += t.w->rows;
        }
      },
      kGemvGrainRows);
}

void matmul_gemm(ThreadPool& pool, const float* x, int64_t m, const WeightView& w,
                 const float* bias, float* y) {
  const MatmulTarget target{&w, bias, y};
  if (route_quantized(pool, x, m, std::span(&target, 1))) return;
  check_weight(w);
  const MatmulKernels& kernels = *active_kernels().matmul;
  if (kernels.nr == 0) return matmul_gemv(pool, x, m, w, bias, y);
  const int64_t n = w.rows, k = w.cols;
  if (m <= 0 || n == 0) return;
  if (k == 0) return fill_bias(m, n, bias, y);
  const WeightType type = weight_type_of(w.dtype);
  const int64_t row_bytes = static_cast<int64_t>(w.row_bytes());
  const int mr = kernels.mr, nr = kernels.nr;

  // x is packed once for the whole call; every weight block reuses it.
  const int64_t x_panels = (m + mr - 1) / mr;
  const int64_t x_panel_stride = k * mr;
  AlignedFloats x_packed = alloc_aligned(x_panels * x_panel_stride);
  pool.parallel_for(x_panels, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p)
      pack_x_panel(x, m, k, mr, p, x_packed.get() + p * x_panel_stride);
  });

  // Threads split weight panels; when there are fewer panels than threads they also
  // split x panels (each such thread packs its weight blocks itself).
  const int64_t w_panels = (n + nr - 1) / nr;
  const int64_t threads = pool.size();
  const int64_t tn = std::min<int64_t>(threads, w_panels);
  const int64_t tm = std::max<int64_t>(1, std::min<int64_t>(threads / tn, x_panels));

  // Near-equal k blocks (896 -> 4 x 224 rather than 3 x 256 + 128).
  const int64_t k_blocks = std::min(k, (k + kKc - 1) / kKc);
  const int64_t kc_max = (k + k_blocks - 1) / k_blocks;
  const int64_t nc_max = std::max<int64_t>(nr, kNc / nr * nr);

  pool.run([&](int thread) {
    if (thread >= tn * tm) return;
    const auto [pb, pe] = split_range(w_panels, tn, thread % tn);
    const auto [qb, qe] = split_range(x_panels, tm, thread / tn);
    if (pb >= pe || qb >= qe) return;
    const int64_t n_begin = pb * nr, n_end = std::min(pe * nr, n);
    const int64_t m_begin = qb * mr, m_rows = std::min(qe * mr, m) - m_begin;
    AlignedFloats w_packed = alloc_aligned(kc_max * nc_max);
    for (int64_t jc = n_begin; jc < n_end; jc += nc_max) {
      const int64_t nc = std::min(nc_max, n_end - jc);
      for (int64_t kb = 0; kb < k_blocks; ++kb) {
        const int64_t k0 = k * kb / k_blocks;
        const int64_t kc = k * (kb + 1) / k_blocks - k0;
        kernels.pack_b(type, w.data, row_bytes, jc, nc, k0, kc, w_packed.get());
        const bool last = kb + 1 == k_blocks;
        kernels.gemm_block(x_packed.get() + qb * x_panel_stride + k0 * mr, x_panel_stride, m_rows,
                           kc, w_packed.get(), nc, last && bias != nullptr ? bias + jc : nullptr,
                           kb > 0, y + m_begin * n + jc, n);
      }
    }
  });
}

void matmul_group(ThreadPool& pool, const float* x, int64_t m,
                  std::span<const MatmulTarget> targets) {
  if (route_quantized(pool, x, m, targets)) return;
  if (m >= kGemmMinRows && active_kernels().matmul->nr != 0) {
    for (const MatmulTarget& t : targets) matmul_gemm(pool, x, m, *t.w, t.bias, t.y);
  } else {
    matmul_gemv_group(pool, x, m, targets);
  }
}

void matmul_group_row_independent(ThreadPool& pool, const float* x, int64_t m,
                                  std::span<const MatmulTarget> targets) {
  // Without a GEMM kernel (scalar target) matmul_gemm runs the scalar GEMV, which sums
  // each row in one chain of its own: row-independent too.
  for (const MatmulTarget& t : targets) matmul_gemm(pool, x, m, *t.w, t.bias, t.y);
}

void matmul(ThreadPool& pool, const float* x, int64_t m, const WeightView& w, const float* bias,
            float* y) {
  if (m >= kGemmMinRows && active_kernels().matmul->nr != 0) {
    matmul_gemm(pool, x, m, w, bias, y);
  } else {
    matmul_gemv(pool, x, m, w, bias, y);
  }
}

}  // namespace qwenrt::cpu
