// Threading and tiling of the integer-dot quantized matmul; the arithmetic lives in
// quant_dot_<target>.cc (and its scalar twin, ops_reference.h's quant_dot).
#include "kernels/cpu/quant_matmul.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <new>
#include <string>

#include "base/error.h"
#include "kernels/cpu/dequantize.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/quant_packed.h"

namespace qwenrt::cpu {
namespace {

// Weight rows per tile: their blocks stay in L1/L2 while every x row of the chunk
// passes over them.
constexpr int64_t kRowBlock = 16;
// x rows per chunk: 64 quantized rows of 8960 are ~600 KB, within Zen 4's 1 MB L2.
constexpr int64_t kActChunk = 64;
// Fewer weight rows than this per thread are not worth waking another thread for.
constexpr int64_t kGrainRows = 16;
// Chunks per thread in a quantized matmul's parallel region, claimed as threads finish.
constexpr int64_t kChunksPerThread = 4;
// Below this many x elements quantizing x on one thread beats waking the others.
constexpr int64_t kParallelQuantizeElems = 1 << 16;

struct AlignedFree {
  void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(64)); }
};

QuantType quant_type(DType dtype) {
  switch (dtype) {
    case DType::Q8_0: return QuantType::kQ8_0;
    case DType::Q4_0: return QuantType::kQ4_0;
    case DType::Q4_1: return QuantType::kQ4_1;
    case DType::Q5_0: return QuantType::kQ5_0;
    case DType::Q5_1: return QuantType::kQ5_1;
    case DType::Q4_K: return QuantType::kQ4_K;
    case DType::Q5_K: return QuantType::kQ5_K;
    case DType::Q6_K: return QuantType::kQ6_K;
    default: break;
  }
  throw Error(std::string("quantized matmul: ") + dtype_name(dtype) + " is not a quantized type");
}

bool uses_act256(DType dtype) {
  return dtype == DType::Q4_K || dtype == DType::Q5_K || dtype == DType::Q6_K;
}

// x quantized to one activation format: m rows of `stride` bytes.
struct ActRows {
  std::unique_ptr<uint8_t[], AlignedFree> data;
  int64_t stride = 0;
};

ActRows quantize_rows(ThreadPool& pool, const QuantMatmulKernels& kernels, const float* x,
                      int64_t m, int64_t k, bool act256) {
  ActRows rows;
  rows.stride = act256 ? k / 256 * static_cast<int64_t>(sizeof(ActBlock256))
                       : k / 32 * static_cast<int64_t>(sizeof(ActBlock32));
  rows.data.reset(static_cast<uint8_t*>(
      ::operator new[](static_cast<size_t>(std::max<int64_t>(1, m * rows.stride)), std::align_val_t(64))));
  const auto body = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      uint8_t* dst = rows.data.get() + i * rows.stride;
      if (act256) {
        kernels.quantize_act256(x + i * k, k, reinterpret_cast<ActBlock256*>(dst));
      } else {
        kernels.quantize_act32(x + i * k, k, reinterpret_cast<ActBlock32*>(dst));
      }
    }
  };
  if (m * k >= kParallelQuantizeElems && pool.size() > 1) {
    pool.parallel_for(m, body);
  } else {
    body(0, m);
  }
  return rows;
}

// Outputs [0, m) x [n0, n1) of one target.
void run_rows(const QuantMatmulKernels& kernels, const MatmulTarget& t, const ActRows& act,
              int64_t m, int64_t n0, int64_t n1) {
  const WeightView& w = *t.w;
  const auto dot = kernels.dot[static_cast<int>(quant_type(w.dtype))];
  check(dot != nullptr, std::string("quantized matmul: no kernel for ") + dtype_name(w.dtype));
  const int64_t blocks = w.cols / dtype_block_elements(w.dtype);
  const int64_t row_bytes = static_cast<int64_t>(w.row_bytes());
  const int64_t n = w.rows;
  const auto* wb = static_cast<const uint8_t*>(w.data);
  for (int64_t i0 = 0; i0 < m; i0 += kActChunk) {
    const int64_t i1 = std::min(m, i0 + kActChunk);
    for (int64_t j0 = n0; j0 < n1; j0 += kRowBlock) {
      const int64_t j1 = std::min(n1, j0 + kRowBlock);
      for (int64_t i = i0; i < i1; i += kernels.max_rows) {
        const int rows = static_cast<int>(std::min<int64_t>(kernels.max_rows, i1 - i));
        for (int64_t j = j0; j < j1; ++j)
          dot(wb + j * row_bytes, act.data.get() + i * act.stride, act.stride, rows, blocks,
              t.y + i * n + j, n);
      }
    }
    if (t.bias != nullptr) {
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = n0; j < n1; ++j) t.y[i * n + j] += t.bias[j];
    }
  }
}

// As run_rows, on w.packed (quant_packed.h): [n0, n1) are whole groups. x rows go in
// chunks that stay in L2 while every weight group of the range passes over them.
void run_packed(const PackedQuantKernels& pk, const MatmulTarget& t, const ActRows& act,
                int64_t m, int64_t n0, int64_t n1) {
  const WeightView& w = *t.w;
  const auto dot = pk.dot[static_cast<int>(quant_type(w.dtype))];
  const int64_t blocks = w.cols / dtype_block_elements(w.dtype);
  const int64_t group_bytes = packed_group_bytes(w.dtype, w.cols);
  const int64_t n = w.rows;
  const auto* packed = static_cast<const uint8_t*>(w.packed);
  const int64_t tile = pk.max_rows;
  const int64_t chunk = std::max<int64_t>(tile, (int64_t{1} << 20) / std::max<int64_t>(1, act.stride) / tile * tile);
  for (int64_t i0 = 0; i0 < m; i0 += chunk) {
    const int64_t i1 = std::min(m, i0 + chunk);
    for (int64_t j = n0; j < n1; j += kPackRows) {
      const uint8_t* g = packed + j / kPackRows * group_bytes;
      for (int64_t i = i0; i < i1; i += tile) {
        const int rows = static_cast<int>(std::min<int64_t>(tile, i1 - i));
        dot(g, act.data.get() + i * act.stride, act.stride, rows, blocks, t.y + i * n + j, n);
      }
    }
    if (t.bias != nullptr) {
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = n0; j < n1; ++j) t.y[i * n + j] += t.bias[j];
    }
  }
}

// Whether t runs on its packed copy: only with the target that packed it.
bool use_packed(const PackedQuantKernels* pk, const MatmulTarget& t) {
  return pk != nullptr && t.w->packed != nullptr &&
         pk->dot[static_cast<int>(quant_type(t.w->dtype))] != nullptr && t.w->rows % kPackRows == 0;
}

static_assert(kGrainRows % kPackRows == 0, "thread ranges must cut whole packed groups");

int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

}  // namespace

void quant_matmul_group(ThreadPool& pool, const float* x, int64_t m,
                        std::span<const MatmulTarget> targets) {
  if (targets.empty() || m <= 0) return;
  const int64_t k = targets[0].w->cols;
  bool need32 = false, need256 = false;
  int64_t total_rows = 0;
  for (const MatmulTarget& t : targets) {
    const WeightView& w = *t.w;
    check(is_quantized(w.dtype), "quantized matmul: weight is not quantized");
    check(w.cols == k, "matmul group: weights disagree on input width");
    check(w.rows >= 0 && w.cols >= 0, "matmul: negative weight shape");
    check(w.data != nullptr || w.rows * w.cols == 0, "matmul: weight has no data");
    check(w.cols % dtype_block_elements(w.dtype) == 0,
          "matmul: weight row length is not a whole number of quantization blocks");
    (uses_act256(w.dtype) ? need256 : need32) = true;
    // Each target starts on a multiple of kGrainRows, so thread ranges cut whole groups.
    total_rows += round_up(w.rows, kGrainRows);
  }
  if (k == 0) {
    for (const MatmulTarget& t : targets)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < t.w->rows; ++j) t.y[i * t.w->rows + j] = t.bias ? t.bias[j] : 0.0f;
    return;
  }
  if (total_rows == 0) return;
  const QuantMatmulKernels& kernels = *active_kernels().quant;
  const ActRows act32 = need32 ? quantize_rows(pool, kernels, x, m, k, false) : ActRows{};
  const ActRows act256 = need256 ? quantize_rows(pool, kernels, x, m, k, true) : ActRows{};
  const PackedQuantKernels* packed = active_packed_kernels();
  // One parallel region over the rows of all the weights, as if they were stacked, in
  // chunks the threads claim as they finish: a thread slowed by the OS or by its share of
  // memory takes fewer, so the region's end does not wait on it.
  const auto body = [&](int64_t begin, int64_t end) {
    int64_t offset = 0;
    for (const MatmulTarget& t : targets) {
      const int64_t n0 = std::max(begin - offset, int64_t{0});
      const int64_t n1 = std::min(end - offset, t.w->rows);
      const ActRows& act = uses_act256(t.w->dtype) ? act256 : act32;
      if (n0 < n1) {
        if (use_packed(packed, t)) {
          run_packed(*packed, t, act, m, n0, n1);
        } else {
          run_rows(kernels, t, act, m, n0, n1);
        }
      }
      offset += round_up(t.w->rows, kGrainRows);
    }
  };
  const int64_t grains = total_rows / kGrainRows;
  const int64_t chunks = std::min<int64_t>(grains, kChunksPerThread * pool.size());
  std::atomic<int64_t> next{0};
  pool.run([&](int) {
    for (int64_t c = next.fetch_add(1); c < chunks; c = next.fetch_add(1)) {
      body(grains * c / chunks * kGrainRows, grains * (c + 1) / chunks * kGrainRows);
    }
  });
}

}  // namespace qwenrt::cpu
