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

  // Runs fn(thread_index) once on each of the size() threads; returns when all finish.
  void run(const std::function<void(int thread_index)>& fn);

  // Splits [0, n) into size() contiguous ranges whose starts are multiples of `grain`
  // and runs fn(begin, end) on each non-empty range.
  void parallel_for(int64_t n, const std::function<void(int64_t begin, int64_t end)>& fn,
                    int64_t grain = 1);

 private:
  void worker_loop(int thread_index);

  int n_threads_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* task_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace qwenrt
