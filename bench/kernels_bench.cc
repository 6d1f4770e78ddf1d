// CPU kernel benchmarks at Qwen2.5-0.5B shapes, reported against the machine's own
// limits, measured first: F32 FMA peak (GFLOP/s) and memory read bandwidth (GB/s).
//
//   build-kern/bench/kernels_bench                       # everything
//   build-kern/bench/kernels_bench --benchmark_filter=Matmul
//   QWENRT_SIMD=avx2 build-kern/bench/kernels_bench      # force a target
//   QWENRT_THREADS=1 build-kern/bench/kernels_bench      # thread count (default: all)
//   QWENRT_GEMV_PREFETCH=0 build-kern/bench/kernels_bench # GEMV prefetch distance (bytes)
//   build-kern/bench/kernels_bench --benchmark_filter=QuantMatmul  # quantized weights
//   QWENRT_BENCH_WEIGHT_MB=4 build-kern/bench/kernels_bench --benchmark_filter=QuantMatmul  # in cache
//
// Matmul counters: GBps = weight bytes / time (the decode limit), GFLOPps = 2mnk / time,
// pct_bw / pct_peak = the same as a percentage of the measured limits. Weights rotate through
// enough copies (>= 512 MB) that every call streams them from DRAM, as in a real
// forward pass where 24 layers of weights do not fit in cache.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "base/thread_pool.h"
#include "kernels/cpu/dispatch.h"
#include "kernels/cpu/fma_peak.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/memory_bandwidth.h"
#include "kernels/cpu/ops.h"
#include "kernels/cpu/quant_packed.h"

namespace qwenrt::cpu {
namespace {

// QWENRT_THREADS=n to compare thread counts; default one per hardware thread.
ThreadPool& pool() {
  static ThreadPool p(std::getenv("QWENRT_THREADS") ? std::atoi(std::getenv("QWENRT_THREADS")) : 0);
  return p;
}

double g_peak_gflops = 0.0;
double g_bandwidth_gbs = 0.0;

uint32_t next_random(uint32_t& state) {
  state = state * 1664525u + 1013904223u;
  return state;
}

float random_float(uint32_t& state) {
  return static_cast<float>(next_random(state) >> 8) * (2.0f / 16777216.0f) - 1.0f;
}

// BF16 weight copies totalling at least `min_total` bytes.
struct WeightSet {
  int64_t rows, cols;
  std::vector<std::vector<uint16_t>> copies;

  WeightSet(int64_t rows_, int64_t cols_, size_t min_total) : rows(rows_), cols(cols_) {
    const size_t bytes = static_cast<size_t>(rows * cols) * 2;
    const size_t n = std::max<size_t>(1, (min_total + bytes - 1) / bytes);
    uint32_t state = 7;
    copies.resize(n);
    for (auto& c : copies) {
      c.resize(static_cast<size_t>(rows * cols));
      for (auto& v : c) v = f32_to_bf16(random_float(state));
    }
  }
  WeightView view(size_t i) const {
    return WeightView{DType::BF16, rows, cols, copies[i % copies.size()].data()};
  }
};

enum Path { kAuto = 0, kGemv = 1, kGemm = 2 };

// Args: n (out features), k (in features), m (rows), path.
void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0), k = state.range(1), m = state.range(2);
  const Path path = static_cast<Path>(state.range(3));
  const WeightSet weights(n, k, size_t{512} << 20);
  std::vector<float> x(static_cast<size_t>(m * k)), y(static_cast<size_t>(m * n));
  uint32_t s = 3;
  for (auto& v : x) v = random_float(s);
  size_t i = 0;
  double seconds = 0.0;
  for (auto _ : state) {
    const WeightView w = weights.view(i++);
    const auto start = std::chrono::steady_clock::now();
    switch (path) {
      case kAuto:
        matmul(pool(), x.data(), m, w, nullptr, y.data());
        break;
      case kGemv:
        matmul_gemv(pool(), x.data(), m, w, nullptr, y.data());
        break;
      case kGemm:
        matmul_gemm(pool(), x.data(), m, w, nullptr, y.data());
        break;
    }
    benchmark::DoNotOptimize(y.data());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double iterations = static_cast<double>(state.iterations());
  const double gbs = static_cast<double>(n * k) * 2 * iterations / seconds / 1e9;
  const double gflops = 2.0 * static_cast<double>(m) * n * k * iterations / seconds / 1e9;
  state.counters["GBps"] = gbs;
  state.counters["GFLOPps"] = gflops;
  state.counters["pct_bw"] = 100.0 * gbs / g_bandwidth_gbs;
  state.counters["pct_peak"] = 100.0 * gflops / g_peak_gflops;
}

void MatmulShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "m", "path"});
  for (auto [n, k] : {std::pair<int64_t, int64_t>{4864, 896}, {896, 4864}, {151936, 896}}) {
    b->Args({n, k, 1, kAuto});
    b->Args({n, k, 512, kAuto});
  }
  b->Args({4864, 896, 64, kAuto});
  b->UseRealTime()->MinTime(1.0);
}
BENCHMARK(BM_Matmul)->Apply(MatmulShapes);

// Copies of random block-quantized weights (small finite f16 scales) totalling at least
// `min_total` bytes.
struct QuantWeightSet {
  DType dtype;
  int64_t rows, cols;
  std::vector<std::vector<uint8_t>> copies;

  // The interleaved copies (quant_packed.h) when packed and the target has kernels for it.
  std::vector<std::vector<uint8_t>> packed;

  QuantWeightSet(DType dtype_, int64_t rows_, int64_t cols_, size_t min_total, bool pack)
      : dtype(dtype_), rows(rows_), cols(cols_) {
    const int64_t block_bytes = dtype_block_bytes(dtype);
    const int64_t blocks = rows * (cols / dtype_block_elements(dtype));
    const size_t bytes = static_cast<size_t>(blocks * block_bytes);
    const size_t n = std::max<size_t>(1, (min_total + bytes - 1) / bytes);
    // The f16 scale fields of each block (byte offsets per ggml-common.h).
    const int d_offset = dtype == DType::Q6_K ? 208 : 0;
    const bool has_min = dtype == DType::Q4_1 || dtype == DType::Q5_1 || dtype == DType::Q4_K ||
                         dtype == DType::Q5_K;
    uint32_t state = 7;
    copies.resize(n);
    for (auto& c : copies) {
      c.resize(bytes);
      for (auto& v : c) v = static_cast<uint8_t>(next_random(state) >> 24);
      for (int64_t b = 0; b < blocks; ++b) {
        uint8_t* p = c.data() + b * block_bytes;
        const uint16_t d = f32_to_f16(0.01f * random_float(state));
        std::memcpy(p + d_offset, &d, 2);
        if (has_min) std::memcpy(p + 2, &d, 2);
      }
    }
    if (!pack || !can_pack(view(0))) return;
    for (const auto& c : copies) {
      const WeightView w{dtype, rows, cols, c.data()};
      packed.emplace_back(packed_weight_bytes(w));
      pack_weight(pool(), w, 0, rows / kPackRows, packed.back().data());
    }
  }
  WeightView view(size_t i) const {
    WeightView w{dtype, rows, cols, copies[i % copies.size()].data()};
    if (!packed.empty()) w.packed = packed[i % packed.size()].data();
    return w;
  }
};

// Bytes of weight copies a quantized benchmark rotates through: 256 MB streams them from
// DRAM (decode); QWENRT_BENCH_WEIGHT_MB=4 keeps them in cache, the kernels' compute rate.
size_t weight_bytes() {
  const char* mb = std::getenv("QWENRT_BENCH_WEIGHT_MB");
  return (mb ? std::strtoull(mb, nullptr, 10) : 256) << 20;
}

// Args: n, k, m, dtype (DType value), packed (0: the row kernels; 1: the interleaved
// copy, where the target packs the type). GBps counts the quantized weight bytes.
void BM_QuantMatmul(benchmark::State& state) {
  const int64_t n = state.range(0), k = state.range(1), m = state.range(2);
  const auto dtype = static_cast<DType>(state.range(3));
  const QuantWeightSet weights(dtype, n, k, weight_bytes(), state.range(4) != 0);
  if (state.range(4) != 0 && weights.packed.empty()) {
    state.SkipWithError("no packed kernel for this type on this target");
    return;
  }
  std::vector<float> x(static_cast<size_t>(m * k)), y(static_cast<size_t>(m * n));
  uint32_t s = 3;
  for (auto& v : x) v = random_float(s);
  size_t i = 0;
  double seconds = 0.0;
  for (auto _ : state) {
    const WeightView w = weights.view(i++);
    const auto start = std::chrono::steady_clock::now();
    matmul(pool(), x.data(), m, w, nullptr, y.data());
    benchmark::DoNotOptimize(y.data());
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  const double iterations = static_cast<double>(state.iterations());
  const double gbs = static_cast<double>(dtype_row_bytes(dtype, k) * n) * iterations / seconds / 1e9;
  state.counters["GBps"] = gbs;
  state.counters["pct_bw"] = 100.0 * gbs / g_bandwidth_gbs;
  state.counters["GOPps"] = 2.0 * static_cast<double>(m) * n * k * iterations / seconds / 1e9;
  state.SetLabel(dtype_name(dtype));
}

// Qwen2.5-1.5B's MLP shapes (gate/up 8960x1536, down 1536x8960), decode and prompt.
void QuantShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "m", "dtype", "packed"});
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q4_K, DType::Q5_K,
                  DType::Q6_K}) {
    for (int64_t m : {1, 512}) {
      for (int64_t packed : {0, 1}) {
        b->Args({8960, 1536, m, static_cast<int64_t>(t), packed});
        b->Args({1536, 8960, m, static_cast<int64_t>(t), packed});
      }
    }
  }
  b->UseRealTime()->MinTime(0.5);
}
BENCHMARK(BM_QuantMatmul)->Apply(QuantShapes);

// Where GEMV stops beating GEMM (matmul.h kGemmMinRows).
void CrossoverShapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "k", "m", "path"});
  for (int64_t m : {1, 2, 3, 4, 5, 6, 8, 12, 16, 32}) {
    b->Args({4864, 896, m, kGemv});
    b->Args({4864, 896, m, kGemm});
  }
  b->UseRealTime()->MinTime(0.3);
}
BENCHMARK(BM_Matmul)->Name("BM_MatmulCrossover")->Apply(CrossoverShapes);

// Decode attention over a long cache and a prompt's causal attention (14 heads, 2 KV heads).
void BM_Attention(benchmark::State& state) {
  const int64_t n_tokens = state.range(0), n_past = state.range(1);
  const int64_t heads = 14, kv_heads = 2, dim = 64, cap = n_past + n_tokens;
  std::vector<float> q(n_tokens * heads * dim), k(kv_heads * cap * dim), v(k.size()), out(q.size());
  uint32_t s = 5;
  for (auto* vec : {&q, &k, &v})
    for (auto& e : *vec) e = random_float(s);
  for (auto _ : state) {
    attention(pool(), q.data(), n_tokens, n_past, k.data(), v.data(), cap, heads, kv_heads, dim,
              0.125f, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  // q.k and p.v: 2 FMAs per (head, query, key, dim).
  double pairs = 0;
  for (int64_t t = 0; t < n_tokens; ++t) pairs += static_cast<double>(n_past + t + 1);
  state.counters["GFLOPps"] = benchmark::Counter(4.0 * pairs * heads * dim / 1e9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Attention)->Args({1, 1024})->Args({1, 8192})->Args({512, 0})->UseRealTime();

void BM_SiluMul(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::vector<float> g(n), u(n), o(n);
  uint32_t s = 9;
  for (int64_t i = 0; i < n; ++i) {
    g[i] = 8 * random_float(s);
    u[i] = random_float(s);
  }
  for (auto _ : state) {
    silu_mul(g.data(), u.data(), n, o.data());
    benchmark::DoNotOptimize(o.data());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_SiluMul)->Arg(4864)->Arg(512 * 4864);

void BM_RmsNorm(benchmark::State& state) {
  const int64_t rows = state.range(0), n = 896;
  std::vector<float> x(rows * n), w(n), y(rows * n);
  uint32_t s = 11;
  for (auto& e : x) e = random_float(s);
  for (auto& e : w) e = random_float(s);
  for (auto _ : state) {
    rms_norm(x.data(), w.data(), rows, n, 1e-6f, y.data());
    benchmark::DoNotOptimize(y.data());
  }
  state.SetItemsProcessed(state.iterations() * rows * n);
}
BENCHMARK(BM_RmsNorm)->Arg(1)->Arg(512);

}  // namespace
}  // namespace qwenrt::cpu

int main(int argc, char** argv) {
  using namespace qwenrt::cpu;
  if (const char* forced = std::getenv("QWENRT_SIMD")) {
    if (!set_simd_target_for_testing(forced)) {
      std::fprintf(stderr, "QWENRT_SIMD=%s: not supported on this CPU\n", forced);
      return 1;
    }
  }
  if (const char* prefetch = std::getenv("QWENRT_GEMV_PREFETCH")) {
    set_cpu_tuning_for_testing(CpuTuning{std::atoll(prefetch)});
  }
  g_peak_gflops = measure_fma_peak_gflops(pool());
  g_bandwidth_gbs = measure_read_bandwidth_gbs(pool());
  char buf[64];
  benchmark::AddCustomContext("simd_target", simd_target());
  benchmark::AddCustomContext("threads", std::to_string(pool().size()));
  benchmark::AddCustomContext("gemv_prefetch_bytes",
                              std::to_string(cpu_tuning().gemv_prefetch_bytes));
  std::snprintf(buf, sizeof buf, "%.1f", g_peak_gflops);
  benchmark::AddCustomContext("fma_peak_gflops", buf);
  std::snprintf(buf, sizeof buf, "%.1f", g_bandwidth_gbs);
  benchmark::AddCustomContext("read_bandwidth_gbs", buf);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  // Shared or virtual machines drift: measure again so a reader can see how stable the
  // limits (and so the pct_ columns) were over the run.
  std::printf("limits after the run: fma_peak_gflops %.1f, read_bandwidth_gbs %.1f\n",
              measure_fma_peak_gflops(pool()), measure_read_bandwidth_gbs(pool()));
  benchmark::Shutdown();
  return 0;
}
