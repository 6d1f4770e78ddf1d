// The engine thread and the thread-safe front door: submit() and cancel() hand work to
// the thread through a mutex; the thread runs Scheduler steps and delivers events.
#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/scheduler.h"
#include "engine/sequence.h"

namespace qwenrt {
namespace {

std::vector<int32_t> find_tokenless_ids(const Tokenizer& tokenizer, int64_t vocab) {
  std::vector<int32_t> ids;
  for (int32_t id = 0; id < vocab; ++id) {
    if (!tokenizer.has_token(id)) ids.push_back(id);
  }
  return ids;
}

int64_t physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{8} << 30;
}

// Blocks in the pool: what kv_cache_mb buys, or by default max_batch full contexts
// capped at half the machine's memory (pages are only touched as blocks fill).
int64_t pool_blocks(const EngineOptions& o, const ModelShape& s, int64_t context) {
  const int64_t block_bytes =
      PagedKVCache::block_bytes(s.n_layers, s.n_kv_heads, s.head_dim, o.block_size);
  if (o.kv_cache_mb > 0) {
    const int64_t n = o.kv_cache_mb * (int64_t{1} << 20) / block_bytes;
    check(n > 0, "kv_cache_mb " + std::to_string(o.kv_cache_mb) +
                     " is less than one KV block (" + std::to_string(block_bytes) + " bytes)");
    return n;
  }
  const int64_t per_sequence = (context + o.block_size - 1) / o.block_size;
  const int64_t cap = std::max<int64_t>(1, physical_memory_bytes() / 2 / block_bytes);
  return std::max<int64_t>(1, std::min(per_sequence * o.max_batch, cap));
}

void validate(const EngineOptions& o) {
  check(o.context_size > 1, "context_size must be > 1");
  check(o.block_size > 0 && o.block_size <= 1024, "block_size must be in [1, 1024]");
  check(o.max_batch > 0, "max_batch must be > 0");
  check(o.max_waiting >= 0, "max_waiting must be >= 0");
  check(o.max_step_tokens > 0, "max_step_tokens must be > 0");
  check(o.kv_cache_mb >= 0, "kv_cache_mb must be >= 0");
}

}  // namespace

struct Engine::Impl {
  Impl(LoadedModel& loaded, EngineOptions opts)
      : model(loaded), options(opts),
        context{loaded.tokenizer, loaded.eos_ids,
                find_tokenless_ids(loaded.tokenizer, loaded.model->shape().vocab),
                static_cast<int32_t>(loaded.model->shape().vocab)} {
    validate(options);
    const ModelShape& s = loaded.model->shape();
    context_limit = std::min(options.context_size, s.max_positions);
    const int64_t blocks = pool_blocks(options, s, context_limit);
    // A sequence never needs more than the whole pool.
    context_limit = std::min(context_limit, blocks * options.block_size);
    scheduler = std::make_unique<Scheduler>(*loaded.model, options, blocks);
    publish(scheduler->stats());
    thread = std::thread([this] { run(); });
  }

  void run();
  void publish(const SchedulerStats& st);

  LoadedModel& model;
  EngineOptions options;
  SequenceContext context;
  int64_t context_limit = 0;
  std::unique_ptr<Scheduler> scheduler;  // engine thread only (after construction)

  mutable std::mutex mu;
  std::condition_variable wake;
  std::vector<std::unique_ptr<Sequence>> incoming;
  std::vector<uint64_t> cancels;
  bool stopping = false;
  uint64_t next_id = 1;
  int64_t in_transit = 0;  // taken from incoming, not yet in the scheduler
  EngineMetrics metrics;
  std::thread thread;
};

void Engine::Impl::publish(const SchedulerStats& st) {
  std::lock_guard lock(mu);
  metrics.running = st.running;
  metrics.waiting = st.waiting + static_cast<int64_t>(incoming.size());
  metrics.kv_blocks_total = st.blocks_total;
  metrics.kv_blocks_used = st.blocks_used;
  metrics.kv_blocks_cached = st.blocks_cached;
  metrics.requests_finished = st.finished;
  metrics.requests_aborted = st.aborted;
  metrics.preemptions = st.preemptions;
  metrics.prompt_tokens = st.prompt_tokens;
  metrics.cached_prompt_tokens = st.cached_prompt_tokens;
  metrics.generated_tokens = st.generated_tokens;
  metrics.steps = st.steps;
  metrics.mean_batch_size =
      st.steps > 0 ? static_cast<double>(st.batch_size_sum) / static_cast<double>(st.steps) : 0.0;
  metrics.last_batch_size = st.last_batch_size;
}

void Engine::Impl::run() {
  for (;;) {
    std::vector<std::unique_ptr<Sequence>> arrived;
    std::vector<uint64_t> cancelled;
    bool stop = false;
    {
      std::unique_lock lock(mu);
      wake.wait(lock, [&] {
        return stopping || !incoming.empty() || !cancels.empty() || scheduler->has_work();
      });
      arrived.swap(incoming);
      in_transit = static_cast<int64_t>(arrived.size());
      cancelled.swap(cancels);
      stop = stopping;
    }
    try {
      for (auto& s : arrived) scheduler->add(std::move(s));
      {
        std::lock_guard lock(mu);
        in_transit = 0;
      }
      for (uint64_t id : cancelled) scheduler->cancel(id);
      if (stop) {
        scheduler->abort_all("abort");
        publish(scheduler->stats());
        return;
      }
      scheduler->step();
    } catch (const std::exception&) {
      // Not one sequence's fault (e.g. out of memory): end them all, keep serving.
      scheduler->abort_all("error");
    }
    publish(scheduler->stats());
  }
}

Engine::Engine(LoadedModel& model, ThreadPool& pool, EngineOptions options)
    : impl_(std::make_unique<Impl>(model, options)) {
  (void)pool;  // the model runs on the pool it was loaded with
}

Engine::~Engine() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->thread.join();
}

uint64_t Engine::submit(SequenceParams params, Callback on_event) {
  Impl& m = *impl_;
  const int64_t n = static_cast<int64_t>(params.prompt.size());
  check(n > 0, "the prompt is empty");
  if (n + 1 > m.context_limit) {
    throw ContextLengthError("the prompt has " + std::to_string(n) +
                             " tokens; with at least one generated token it exceeds the context of " +
                             std::to_string(m.context_limit) + " tokens");
  }
  for (size_t i = 0; i < params.prompt.size(); ++i) {
    check(params.prompt[i] >= 0 && params.prompt[i] < m.context.vocab,
          "prompt token " + std::to_string(i) + " (id " + std::to_string(params.prompt[i]) +
              ") is outside the vocabulary of " + std::to_string(m.context.vocab));
  }
  check(params.max_tokens >= 0, "max_tokens must be >= 0, got " + std::to_string(params.max_tokens));
  check(params.top_logprobs >= -1 && params.top_logprobs <= m.context.vocab,
        "top_logprobs must be in [-1, vocabulary size], got " + std::to_string(params.top_logprobs));
  const int64_t budget = std::min(params.max_tokens, m.context_limit - n);
  std::unique_lock lock(m.mu);
  const int64_t waiting =
      m.scheduler->waiting_now() + m.in_transit + static_cast<int64_t>(m.incoming.size());
  if (waiting >= m.options.max_waiting) {
    throw QueueFullError("the waiting queue is full (" + std::to_string(waiting) + " requests)");
  }
  const uint64_t id = m.next_id++;
  lock.unlock();
  // Validates sampling parameters, stop strings and the grammar (throws Error).
  auto sequence = std::make_unique<Sequence>(id, std::move(params), std::move(on_event), m.context, budget);
  lock.lock();
  m.incoming.push_back(std::move(sequence));
  m.metrics.waiting += 1;
  lock.unlock();
  m.wake.notify_one();
  return id;
}

void Engine::cancel(uint64_t id) {
  {
    std::lock_guard lock(impl_->mu);
    impl_->cancels.push_back(id);
  }
  impl_->wake.notify_one();
}

EngineMetrics Engine::metrics() const {
  std::lock_guard lock(impl_->mu);
  return impl_->metrics;
}

const EngineOptions& Engine::options() const { return impl_->options; }

const LoadedModel& Engine::model() const { return impl_->model; }

}  // namespace qwenrt
