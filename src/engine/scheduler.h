// Decides, step by step, which tokens of which sequences go through the model together,
// and owns the key/value memory they live in. Runs on the engine thread only.
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "engine/block_allocator.h"
#include "engine/engine.h"
#include "engine/sequence.h"
#include "model/causal_lm.h"
#include "model/paged_kv_cache.h"

namespace qwenrt {

struct SchedulerStats {
  int64_t running = 0, waiting = 0;
  int64_t blocks_total = 0, blocks_used = 0, blocks_cached = 0;
  int64_t finished = 0, aborted = 0, preemptions = 0;
  int64_t prompt_tokens = 0, cached_prompt_tokens = 0, generated_tokens = 0;
  int64_t steps = 0, batch_size_sum = 0, last_batch_size = 0;
};

class Scheduler {
 public:
  Scheduler(CausalLM& model, const EngineOptions& options, int64_t n_blocks);

  void add(std::unique_ptr<Sequence> sequence);
  // Finishes the sequence with "abort" and frees its blocks; false if it is not here.
  bool cancel(uint64_t id);
  // Finishes every sequence with `reason` (engine shutdown).
  void abort_all(const std::string& reason);

  bool has_work() const { return !running_.empty() || !waiting_.empty(); }
  // One model step: admits, preempts, runs the batch, samples, retires finished ones.
  void step();

  SchedulerStats stats() const;
  // Sequences waiting for admission; the one member safe to read from other threads.
  int64_t waiting_now() const { return waiting_count_.load(std::memory_order_relaxed); }
  int64_t block_size() const { return options_.block_size; }
  int64_t total_blocks() const { return allocator_.total(); }

 private:
  struct Planned {
    Sequence* sequence;
    int64_t n;  // tokens of it computed this step
  };

  // Moves waiting sequences into the batch while sequences, tokens and blocks allow.
  void admit(int64_t& tokens_left, std::vector<Planned>& plan);
  // Reuses the longest chain of cached full blocks of the sequence's tokens.
  void attach_cached_prefix(Sequence& s);
  // Blocks so that positions [0, upto) of `s` have a home; false when the pool is dry.
  bool reserve(Sequence& s, int64_t upto);
  // Gives back the blocks of the newest running sequence (not `keep`) and requeues it.
  bool preempt_newest(const Sequence* keep);
  // Requeues running_[index] itself (it is the newest and blocks ran out).
  void preempt_self(size_t index);
  void release(Sequence& s);
  // Publishes the full blocks of `s` whose tokens are all computed to the prefix cache.
  void publish_full_blocks(Sequence& s);
  void retire_finished();
  void fail(Sequence& s, const std::string& message);
  void sync_waiting() { waiting_count_.store(static_cast<int64_t>(waiting_.size()), std::memory_order_relaxed); }

  CausalLM& model_;
  EngineOptions options_;
  BlockAllocator allocator_;
  PagedKVCache cache_;
  std::deque<std::unique_ptr<Sequence>> waiting_;
  std::vector<std::unique_ptr<Sequence>> running_;  // admission order: newest last
  std::vector<float> logits_;
  SchedulerStats stats_;
  std::atomic<int64_t> waiting_count_{0};
};

}  // namespace qwenrt
