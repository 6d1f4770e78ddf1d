// Measures the machine's sustained memory read bandwidth, the ceiling for decode speed.
#pragma once
#include "base/thread_pool.h"

namespace qwenrt::cpu {

// Reads a buffer much larger than the last-level cache with every thread of `pool`
// and returns the best of a few passes in GB/s (1e9 bytes per second).
double measure_read_bandwidth_gbs(ThreadPool& pool);

}  // namespace qwenrt::cpu
