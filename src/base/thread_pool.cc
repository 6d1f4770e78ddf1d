#include "base/thread_pool.h"

#include <algorithm>

namespace qwenrt {
namespace {

// Decode issues hundreds of short parallel regions per token; waking a sleeping
// thread costs tens of microseconds, so workers spin briefly before sleeping.
constexpr int kSpinIterations = 20000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  n_threads_ = n_threads;
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true);
  generation_.fetch_add(1);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int spin = 0; gen == seen && spin < kSpinIterations; ++spin) {
      cpu_relax();
      gen = generation_.load(std::memory_order_acquire);
    }
    if (gen == seen) {
      generation_.wait(seen, std::memory_order_acquire);
      continue;
    }
    seen = gen;
    if (stop_.load()) return;
    work_on(gen);
  }
}

void ThreadPool::work_on(uint64_t generation) {
  uint64_t claim = claim_.load(std::memory_order_acquire);
  for (;;) {
    if ((claim >> 32) != generation) return;
    const int part = static_cast<int>(claim & 0xffffffffu);
    if (part >= n_threads_) return;
    if (claim_.compare_exchange_weak(claim, claim + 1, std::memory_order_acq_rel)) {
      (*task_)(part);
      done_.fetch_add(1, std::memory_order_release);
      claim = claim_.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::run(const std::function<void(int)>& fn) {
  if (n_threads_ == 1) {
    fn(0);
    return;
  }
  const uint64_t generation = ++regions_started_ & 0xffffffffu;
  task_ = &fn;
  done_.store(0, std::memory_order_relaxed);
  claim_.store(generation << 32, std::memory_order_release);
  generation_.store(generation, std::memory_order_release);
  generation_.notify_all();
  work_on(generation);
  // When the machine is oversubscribed a worker may hold a part while descheduled;
  // yield rather than burn the time slice it needs.
  for (int spin = 0; done_.load(std::memory_order_acquire) != n_threads_; ++spin) {
    if (spin < kSpinIterations) cpu_relax();
    else std::this_thread::yield();
  }
}

void ThreadPool::parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn,
                              int64_t grain) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int64_t blocks = (n + grain - 1) / grain;
  const int64_t used = std::min<int64_t>(n_threads_, blocks);
  if (used == 1) {
    fn(0, n);
    return;
  }
  run([&](int t) {
    if (t >= used) return;
    const int64_t b0 = blocks * t / used, b1 = blocks * (t + 1) / used;
    const int64_t begin = b0 * grain, end = std::min(n, b1 * grain);
    if (begin < end) fn(begin, end);
  });
}

}  // namespace qwenrt
