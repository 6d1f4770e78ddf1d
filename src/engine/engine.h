// The serving engine: many concurrent sequences on one model. Requests join and leave
// the running batch at every step (continuous batching); prompts are prefilled in
// chunks so long ones do not stall running streams; key/value memory is a pool of
// fixed-size blocks shared through a prefix cache. One engine thread runs the model;
// callers submit from any thread and receive their tokens through a callback.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "engine/model_loader.h"
#include "sampling/sampler.h"
#include "sampling/sampling_params.h"

namespace qwenrt {
namespace grammar {
class CompiledGrammar;
}

// The waiting queue is full: the server answers 429 with Retry-After.
class QueueFullError : public Error {
 public:
  using Error::Error;
};

// Prompt (plus at least one generated token) does not fit the context: answered 400
// with code context_length_exceeded.
class ContextLengthError : public Error {
 public:
  using Error::Error;
};

struct SequenceParams {
  std::vector<int32_t> prompt;
  SamplingParams sampling;
  int64_t max_tokens = 256;              // clipped to what the context leaves
  std::vector<std::string> stop;         // stop strings; the matched text is not returned
  bool ignore_eos = false;
  int32_t top_logprobs = -1;             // -1: no logprobs; n >= 0: chosen token's + n best
  // Structured output: every generated token is masked by this grammar, and the output
  // ends (finish_reason "stop") when the value is complete. Null: unconstrained.
  std::shared_ptr<const grammar::CompiledGrammar> grammar;
};

// One generated token of one sequence, delivered in order on the engine thread: the
// callback must not block (queue the event and return).
struct SequenceEvent {
  int32_t token = -1;             // -1 on an event that carries no token (error, abort)
  std::string text;               // text now safe to show (whole UTF-8, never part of a stop string)
  std::optional<SampledToken> logprobs;  // when top_logprobs >= 0
  bool finished = false;
  std::string finish_reason;      // when finished: "stop", "length", "abort" or "error"
  std::string error;              // when finish_reason == "error"
  int64_t prompt_tokens = 0;
  int64_t cached_prompt_tokens = 0;  // prompt tokens served from the prefix cache
  int64_t completion_tokens = 0;     // generated so far, this token included
};

struct EngineOptions {
  int64_t context_size = 4096;     // per sequence: prompt + output
  int64_t kv_cache_mb = 0;         // key/value pool; 0: enough for max_batch full contexts, capped by memory
  int64_t block_size = 16;         // tokens per key/value block
  int32_t max_batch = 64;          // sequences running at once
  int64_t max_waiting = 256;       // queued beyond that: QueueFullError
  int64_t max_step_tokens = 512;   // tokens (prefill chunks + decodes) per model step
  bool prefix_cache = true;
};

struct EngineMetrics {
  int64_t running = 0, waiting = 0;
  int64_t kv_blocks_total = 0, kv_blocks_used = 0;  // used: held by running sequences
  int64_t kv_blocks_cached = 0;                     // free but holding reusable prefixes
  int64_t requests_finished = 0, requests_aborted = 0, preemptions = 0;
  int64_t prompt_tokens = 0, cached_prompt_tokens = 0, generated_tokens = 0;
  int64_t steps = 0;
  double mean_batch_size = 0;                       // sequences per step, over all steps
  int64_t last_batch_size = 0;
};

class Engine {
 public:
  using Callback = std::function<void(const SequenceEvent&)>;

  // Starts the engine thread. `model` must outlive the engine.
  Engine(LoadedModel& model, ThreadPool& pool, EngineOptions options);
  ~Engine();  // aborts what is left and joins the thread
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a sequence; returns its id. Throws QueueFullError, ContextLengthError, or Error
  // for invalid parameters. Every accepted sequence gets exactly one finished event.
  uint64_t submit(SequenceParams params, Callback on_event);
  // Stops a sequence (client gone): its blocks are released before the next step and it
  // gets a finished event with reason "abort". Unknown or finished ids are ignored.
  void cancel(uint64_t id);

  EngineMetrics metrics() const;
  const EngineOptions& options() const;
  const LoadedModel& model() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace qwenrt
