// Measures the machine's peak F32 FMA throughput, the ceiling for prompt processing.
#pragma once
#include "base/thread_pool.h"

namespace qwenrt::cpu {

// Runs independent FMA chains of the active SIMD target on every thread of `pool` and
// returns the best of a few runs in GFLOP/s (an FMA counts as 2 FLOPs).
double measure_fma_peak_gflops(ThreadPool& pool);

}  // namespace qwenrt::cpu
