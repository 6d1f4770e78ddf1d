// Probes of the machine's limits with 512-bit vectors: peak F32 FMA throughput
// (independent FMA chains, nothing else) and streaming read speed.
// GCC 12's AVX-512 headers warn about their own _mm512_undefined_* values (GCC bug
// 105593, fixed in GCC 13); the warnings point into the header, not at this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

double fma_loop(int64_t iterations) {
  // 16 chains cover latency x throughput on every current core (4 x 2 on Intel,
  // 4 x 1 zmm on Zen 4). a = a * b + c converges, so no overflow or denormals.
  constexpr int kChains = 16;
  __m512 a[kChains];
#pragma GCC unroll 16
  for (int j = 0; j < kChains; ++j) a[j] = _mm512_set1_ps(1.0f + 0.01f * j);
  const __m512 b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-6f);
  for (int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 16
    for (int j = 0; j < kChains; ++j) a[j] = _mm512_fmadd_ps(a[j], b, c);
  }
  __m512 sum = a[0];
#pragma GCC unroll 16
  for (int j = 1; j < kChains; ++j) sum = _mm512_add_ps(sum, a[j]);
  volatile float sink = _mm512_reduce_add_ps(sum);
  (void)sink;
  return static_cast<double>(iterations) * kChains * 16 * 2;
}

uint64_t read_sum(const uint8_t* p, int64_t bytes, int64_t prefetch_distance) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (int64_t i = 0; i + 256 <= bytes; i += 256) {
    if (prefetch_distance != 0) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(p + i + prefetch_distance + 64 * j),
                     _MM_HINT_T0);
    }
    a0 = _mm512_add_epi64(a0, _mm512_load_si512(p + i));
    a1 = _mm512_add_epi64(a1, _mm512_load_si512(p + i + 64));
    a2 = _mm512_add_epi64(a2, _mm512_load_si512(p + i + 128));
    a3 = _mm512_add_epi64(a3, _mm512_load_si512(p + i + 192));
  }
  return static_cast<uint64_t>(_mm512_reduce_add_epi64(
      _mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3))));
}

}  // namespace

extern const MachineKernels kMachineAvx512;
const MachineKernels kMachineAvx512{fma_loop, read_sum};

}  // namespace qwenrt::cpu
