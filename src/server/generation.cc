#include "server/generation.h"

namespace qwenrt::server {

Generation::Generation(Engine& engine, ServerMetrics& metrics, std::vector<SequenceParams> sequences,
                       Clock::time_point arrived)
    : engine_(engine), metrics_(metrics), arrived_(arrived), queue_(std::make_shared<Queue>()),
      finished_flags_(sequences.size(), false), last_token_at_(sequences.size()) {
  try {
    for (size_t i = 0; i < sequences.size(); ++i) {
      ids_.push_back(engine.submit(std::move(sequences[i]), [q = queue_, i](const SequenceEvent& e) {
        ChoiceEvent ce{i, e, Clock::now()};
        {
          std::lock_guard lock(q->mutex);
          q->events.push_back(std::move(ce));
        }
        q->ready.notify_one();
      }));
    }
  } catch (...) {
    for (uint64_t id : ids_) engine.cancel(id);
    throw;
  }
}

Generation::~Generation() {
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (!finished_flags_[i]) engine_.cancel(ids_[i]);
  }
}

std::optional<ChoiceEvent> Generation::next(std::chrono::milliseconds timeout) {
  if (done()) return std::nullopt;
  std::unique_lock lock(queue_->mutex);
  if (!queue_->ready.wait_for(lock, timeout, [&] { return !queue_->events.empty(); })) return std::nullopt;
  ChoiceEvent e = std::move(queue_->events.front());
  queue_->events.pop_front();
  lock.unlock();
  record(e);
  return e;
}

void Generation::record(const ChoiceEvent& e) {
  if (e.event.token >= 0) {
    auto& last = last_token_at_[e.choice];
    const auto since = e.at - (last ? *last : arrived_);
    const double seconds = std::chrono::duration<double>(since).count();
    if (last) {
      metrics_.observe_inter_token_latency(seconds);
    } else {
      metrics_.observe_time_to_first_token(seconds);
    }
    last = e.at;
  }
  if (e.event.finished && !finished_flags_[e.choice]) {
    finished_flags_[e.choice] = true;
    ++finished_;
    metrics_.add_tokens(e.event.prompt_tokens, e.event.cached_prompt_tokens, e.event.completion_tokens);
  }
}

}  // namespace qwenrt::server
