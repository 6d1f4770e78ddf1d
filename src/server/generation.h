// The sequences of one HTTP request running in the engine (n choices, or one per prompt
// of a batched completion). Engine events arrive on the engine thread and are queued
// here for the request's HTTP thread. Destroying a Generation cancels what has not
// finished: a client that goes away frees its key/value blocks at the next step.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "server/metrics.h"

namespace qwenrt::server {

using Clock = std::chrono::steady_clock;

// Where a request came from: when it arrived, and a check for whether its client has
// left (null: never asked), which non-streaming answers poll while they wait.
struct RequestOrigin {
  Clock::time_point arrived;
  std::function<bool()> client_gone;
  bool gone() const { return client_gone && client_gone(); }
};

// How long a non-streaming answer waits for engine events between client checks.
inline constexpr std::chrono::milliseconds kClientCheckInterval{250};

struct ChoiceEvent {
  size_t choice = 0;  // index into the submitted sequences
  SequenceEvent event;
  Clock::time_point at;  // when the engine delivered it
};

class Generation {
 public:
  // Submits every sequence. If the engine refuses one (QueueFullError,
  // ContextLengthError, Error), those already accepted are cancelled and it rethrows.
  Generation(Engine& engine, ServerMetrics& metrics, std::vector<SequenceParams> sequences,
             Clock::time_point arrived);
  ~Generation();
  Generation(const Generation&) = delete;
  Generation& operator=(const Generation&) = delete;

  // The next event, waiting at most `timeout`; nullopt on timeout or when all are done.
  std::optional<ChoiceEvent> next(std::chrono::milliseconds timeout);
  bool done() const { return finished_ == ids_.size(); }
  size_t size() const { return ids_.size(); }

 private:
  struct Queue {
    std::mutex mutex;
    std::condition_variable ready;
    std::deque<ChoiceEvent> events;
  };
  void record(const ChoiceEvent& e);

  Engine& engine_;
  ServerMetrics& metrics_;
  Clock::time_point arrived_;
  std::shared_ptr<Queue> queue_;  // shared with the engine's callbacks, which may outlive us
  std::vector<uint64_t> ids_;
  std::vector<bool> finished_flags_;
  std::vector<std::optional<Clock::time_point>> last_token_at_;
  size_t finished_ = 0;
};

}  // namespace qwenrt::server
