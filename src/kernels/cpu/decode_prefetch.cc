#include "kernels/cpu/decode_prefetch.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "base/error.h"

namespace qwenrt::cpu {

namespace detail {
std::atomic<bool> decode_prefetch_on{true};
}

DecodePrefetchTuner::DecodePrefetchTuner() {
  const char* env = std::getenv("QWENRT_DECODE_PREFETCH");
  const std::string mode = env ? env : "auto";
  check(mode == "on" || mode == "off" || mode == "auto",
        "QWENRT_DECODE_PREFETCH must be on, off or auto, not \"" + mode + "\"");
  if (mode != "auto") {
    fixed_by_env_ = settled_ = true;
    detail::decode_prefetch_on.store(mode == "on");
  }
}

DecodePrefetchTuner& DecodePrefetchTuner::instance() {
  static DecodePrefetchTuner tuner;
  return tuner;
}

void DecodePrefetchTuner::step(const std::function<void()>& run) {
  int with = -1;  // the setting on trial in this step; -1 once settled
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!settled_) {
      with = (steps_ + 1) / 2 % 2;  // 0 1 1 0 0 1 1 0 ...
      detail::decode_prefetch_on.store(with == 1);
    }
  }
  if (with < 0) {
    run();
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  run();
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::lock_guard<std::mutex> lock(mutex_);
  if (settled_) return;  // another decoder finished the trial meanwhile
  seconds_[with] += dt;
  if (++steps_ == kTrialSteps) {
    settled_ = true;
    detail::decode_prefetch_on.store(seconds_[1] < seconds_[0]);
  }
}

std::string DecodePrefetchTuner::summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const char* state = detail::decode_prefetch_on.load() ? "on" : "off";
  if (fixed_by_env_) return std::string(state) + " (QWENRT_DECODE_PREFETCH)";
  char buf[160];
  if (!settled_) {
    std::snprintf(buf, sizeof buf, "on trial (%d of %d steps)", steps_, kTrialSteps);
  } else {
    const double per_setting = kTrialSteps / 2.0;
    std::snprintf(buf, sizeof buf, "%s (auto: %d steps, %.1f ms per step with it, %.1f without)", state, kTrialSteps,
                  1e3 * seconds_[1] / per_setting, 1e3 * seconds_[0] / per_setting);
  }
  return buf;
}

void DecodePrefetchTuner::restart() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (fixed_by_env_) return;
  settled_ = false;
  steps_ = 0;
  seconds_[0] = seconds_[1] = 0;
}

}  // namespace qwenrt::cpu
