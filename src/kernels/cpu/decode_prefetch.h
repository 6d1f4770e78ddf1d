// Whether the packed one-row (decode) kernels request weight lines ahead of the block
// they start (quant_packed_common.h), settled on the machine itself.
//
// Why not a constant: on two Zen 4 VMs of the same kind the same prefetch moved 1.5B
// Q4_K_M decode by +40% on one (reads at ~80 GB/s, where the hardware prefetchers kept
// too few lines in flight) and by -10 to -16% on the other (reads at ~35-60 GB/s, where
// the extra requests only compete). So by default the first decode steps try both, in ABBA
// order so that a drift in the machine's bandwidth hits both alike, and the faster one
// stays. QWENRT_DECODE_PREFETCH=on|off fixes it instead.
//
// Process-wide, like the SIMD target: it describes the machine, not a model.
#pragma once
#include <atomic>
#include <functional>
#include <mutex>
#include <string>

namespace qwenrt::cpu {

namespace detail {
extern std::atomic<bool> decode_prefetch_on;
}

// Read by the kernels once per one-row call.
inline bool decode_prefetch_enabled() { return detail::decode_prefetch_on.load(std::memory_order_relaxed); }

class DecodePrefetchTuner {
 public:
  static constexpr int kTrialSteps = 24;

  // The process's tuner. Throws Error if QWENRT_DECODE_PREFETCH is not on, off or auto.
  static DecodePrefetchTuner& instance();

  // Runs one decode step of a single token (one activation row per matmul); while the
  // setting is on trial, under the setting whose turn it is, timed.
  void step(const std::function<void()>& run);

  // E.g. "on (auto: 24 steps, 31.2 ms per step with it, 35.0 without)", "off (QWENRT_DECODE_PREFETCH)",
  // "on trial (5 of 24 steps)".
  std::string summary() const;

  // Starts a new trial (tests; a tuner fixed by the environment stays fixed).
  void restart();

 private:
  DecodePrefetchTuner();

  mutable std::mutex mutex_;
  bool fixed_by_env_ = false;
  bool settled_ = false;
  int steps_ = 0;
  double seconds_[2] = {0, 0};  // [without, with]
};

}  // namespace qwenrt::cpu
