// Read bandwidth: every thread sums its share of a buffer far larger than the last-level
// cache with the widest loads the CPU has, with and without software prefetch (some
// cores, e.g. Intel server parts, need it to reach full bandwidth with few threads);
// the best pass is the machine's sustained read rate, the ceiling decode is judged by.
#include "kernels/cpu/memory_bandwidth.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <new>

#include "kernels/cpu/dispatch.h"

namespace qwenrt::cpu {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t buffer_bytes() {
  // At least 1 GiB, or 8x the last-level cache on machines with huge caches.
  const long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
  const size_t llc = l3 > 0 ? static_cast<size_t>(l3) : size_t{32} << 20;
  return (std::max<size_t>(size_t{1} << 30, 8 * llc) + kHugePage - 1) / kHugePage * kHugePage;
}

}  // namespace

double read_seconds(ThreadPool& pool, const uint8_t* data, size_t bytes, int64_t prefetch) {
  const MachineKernels& kernels = *active_kernels().machine;
  const int threads = pool.size();
  // Per-thread slices, each a multiple of 256 bytes.
  const size_t slice = bytes / static_cast<size_t>(threads) / 256 * 256;
  std::atomic<uint64_t> sum{0};
  const auto start = std::chrono::steady_clock::now();
  pool.run([&](int t) {
    sum.fetch_add(kernels.read_sum(data + t * slice, static_cast<int64_t>(slice), prefetch));
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  volatile uint64_t sink = sum.load();  // keep the reads observable
  (void)sink;
  return seconds * static_cast<double>(bytes) / static_cast<double>(slice * threads);
}

double measure_read_bandwidth_gbs(ThreadPool& pool) {
  const size_t bytes = buffer_bytes();
  const size_t slice = bytes / static_cast<size_t>(pool.size());
  struct Free {
    void operator()(uint8_t* p) const { ::operator delete[](p, std::align_val_t(kHugePage)); }
  };
  std::unique_ptr<uint8_t[], Free> buffer(
      static_cast<uint8_t*>(::operator new[](bytes, std::align_val_t(kHugePage))));
  // On huge pages where the kernel allows them, as the repacked weights are
  // (model/weight_packing.cc): 4 KB pages cost TLB misses that weight reads do not pay.
  (void)::madvise(buffer.get(), bytes, MADV_HUGEPAGE);
  // Each thread touches its own slice first, so pages sit near the thread that reads them.
  pool.run([&](int t) { std::memset(buffer.get() + t * slice, 1, slice); });
  double best = 0.0;
  for (int64_t prefetch : {int64_t{0}, int64_t{4096}}) {
    for (int pass = 0; pass < 4; ++pass) {
      best = std::max(best, static_cast<double>(bytes) / read_seconds(pool, buffer.get(), bytes, prefetch) / 1e9);
    }
  }
  return best;
}

}  // namespace qwenrt::cpu
