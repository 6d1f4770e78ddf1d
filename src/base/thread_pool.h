// A fixed set of worker threads that run one parallel region at a time.
// Owned by an explicit context (never global); the calling thread takes part as thread 0.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace qwenrt {

class ThreadPool {
 public:
  // `n_threads` counts the caller; 0 means one per hardware thread.
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(part) once for each part in [0, size()), spread over the threads; returns
  // when all finish. A part is claimed by whichever thread gets to it first, so a worker
  // the OS has descheduled never holds up the call: the caller takes its part.
  void run(const std::function<void(int part)>& fn);

  // Splits [0, n) into size() contiguous ranges whose starts are multiples of `grain`
  // and runs fn(begin, end) on each non-empty range.
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn,
                    int64_t grain = 1);

 private:
  void worker_loop();
  // Claims and runs parts of region `generation` until none are left.
  void work_on(uint64_t generation);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  uint64_t regions_started_ = 0;         // only the calling thread touches it
  std::atomic<uint64_t> generation_{0};  // wakes workers for a new region
  // (generation << 32) | next part to hand out: a claim can only succeed for the region
  // it was meant for, however late a worker arrives.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace qwenrt
