#include "kernels/cpu/fma_peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "kernels/cpu/dispatch.h"

namespace qwenrt::cpu {

double measure_fma_peak_gflops(ThreadPool& pool) {
  const MachineKernels& kernels = *active_kernels().machine;
  // 10-20 ms per run; a first unmeasured run lets the clock settle, the best of the
  // rest skips interruptions.
  constexpr int64_t kIterations = 4'000'000;
  constexpr int kRuns = 10;
  pool.run([&](int) { kernels.fma_loop(kIterations); });
  double best = 0.0;
  for (int run = 0; run < kRuns; ++run) {
    std::atomic<double> flops{0.0};
    const auto start = std::chrono::steady_clock::now();
    pool.run([&](int) {
      const double f = kernels.fma_loop(kIterations);
      double cur = flops.load();
      while (!flops.compare_exchange_weak(cur, cur + f)) {
      }
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, flops.load() / seconds / 1e9);
  }
  return best;
}

}  // namespace qwenrt::cpu
