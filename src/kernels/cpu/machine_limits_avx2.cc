// Probes of the machine's limits with 256-bit vectors: peak F32 FMA throughput
// (independent FMA chains, nothing else) and streaming read speed.
#include <immintrin.h>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

double fma_loop(int64_t iterations) {
  // 12 chains cover 4-5 cycles latency x 2 FMA pipes; the chains converge (no overflow).
  constexpr int kChains = 12;
  __m256 a[kChains];
#pragma GCC unroll 16
  for (int j = 0; j < kChains; ++j) a[j] = _mm256_set1_ps(1.0f + 0.01f * j);
  const __m256 b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-6f);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int j = 0; j < kChains; ++j) a[j] = _mm256_fmadd_ps(a[j], b, c);
  }
  __m256 sum = a[0];
#pragma GCC unroll 16
  for (int j = 1; j < kChains; ++j) sum = _mm256_add_ps(sum, a[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  volatile float sink = lanes[0] + lanes[7];
  (void)sink;
  return static_cast<double>(iterations) * kChains * 8 * 2;
}

uint64_t read_sum(const uint8_t* p, int64_t bytes, int64_t prefetch_distance) {
  __m256i a[8];
#pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) a[j] = _mm256_setzero_si256();
  for (int64_t i = 0; i + 256 <= bytes; i += 256) {
    if (prefetch_distance != 0) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(p + i + prefetch_distance + 64 * j),
                     _MM_HINT_T0);
    }
#pragma GCC unroll 8
    for (int j = 0; j < 8; ++j) {
      a[j] = _mm256_add_epi64(a[j],
                              _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32 * j)));
    }
  }
#pragma GCC unroll 8
  for (int j = 1; j < 8; ++j) a[0] = _mm256_add_epi64(a[0], a[j]);
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), a[0]);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

}  // namespace

extern const MachineKernels kMachineAvx2;
const MachineKernels kMachineAvx2{fma_loop, read_sum};

}  // namespace qwenrt::cpu
