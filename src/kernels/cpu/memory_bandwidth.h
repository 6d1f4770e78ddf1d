// Measures the machine's sustained memory read bandwidth, the ceiling for decode speed.
#pragma once
#include <cstddef>
#include <cstdint>

#include "base/thread_pool.h"

namespace qwenrt::cpu {

// Reads a buffer much larger than the last-level cache with every thread of `pool`
// and returns the best of a few passes in GB/s (1e9 bytes per second).
double measure_read_bandwidth_gbs(ThreadPool& pool);

// Seconds for `pool` to read `bytes` at `data` once, each thread its own slice (prefetch:
// software prefetch distance in bytes, 0 for none).
double read_seconds(ThreadPool& pool, const uint8_t* data, size_t bytes, int64_t prefetch = 0);

}  // namespace qwenrt::cpu
