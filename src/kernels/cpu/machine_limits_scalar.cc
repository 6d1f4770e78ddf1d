// Probes of the machine's limits without AVX: scalar multiply-add throughput and SSE2
// (baseline x86-64) streaming reads.
#include <emmintrin.h>
#include <xmmintrin.h>

#include "kernels/cpu/kernel_tables.h"

namespace qwenrt::cpu {
namespace {

double fma_loop(int64_t iterations) {
  // Eight independent chains hide the multiply/add latency.
  float a[8] = {1.0f, 1.1f, 1.2f, 1.3f, 1.4f, 1.5f, 1.6f, 1.7f};
  const float b = 0.999999f, c = 1e-6f;
  for (int64_t it = 0; it < iterations; ++it) {
    for (float& v : a) v = v * b + c;
  }
  volatile float sink = 0.0f;
  for (float v : a) sink = sink + v;
  return static_cast<double>(iterations) * 8 * 2;
}

uint64_t read_sum(const uint8_t* p, int64_t bytes, int64_t prefetch_distance) {
  __m128i acc[8];
  for (auto& a : acc) a = _mm_setzero_si128();
  for (int64_t i = 0; i + 256 <= bytes; i += 256) {
    if (prefetch_distance != 0) {
      for (int j = 0; j < 4; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(p + i + prefetch_distance + 64 * j),
                     _MM_HINT_T0);
    }
    for (int j = 0; j < 16; ++j) {
      acc[j % 8] = _mm_add_epi64(acc[j % 8],
                                 _mm_load_si128(reinterpret_cast<const __m128i*>(p + i + 16 * j)));
    }
  }
  __m128i s = acc[0];
  for (int j = 1; j < 8; ++j) s = _mm_add_epi64(s, acc[j]);
  alignas(16) uint64_t out[2];
  _mm_store_si128(reinterpret_cast<__m128i*>(out), s);
  return out[0] + out[1];
}

}  // namespace

extern const MachineKernels kMachineScalar;
const MachineKernels kMachineScalar{fma_loop, read_sum};

}  // namespace qwenrt::cpu
