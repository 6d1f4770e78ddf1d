// Shared helpers of the engine tests: a golden fixture loaded as a LoadedModel, and a
// synchronous way to run requests through an Engine and collect their events.
#pragma once
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <chrono>
#include <vector>

#include "engine/engine.h"

namespace qwenrt::testing_engine {

inline std::string fixture(const std::string& name) {
  return std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/models/" + name;
}

inline LoadedModel load_fixture(const std::string& name, ThreadPool& pool) {
  // The fixtures' ids are the real vocabulary's first ones, so the real tokenizer decodes them.
  return LoadedModel{CausalLM::load(fixture(name), pool),
                     Tokenizer::from_directory(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer"),
                     GenerationConfig{}, {}};
}

// Everything one sequence received.
struct Outcome {
  std::vector<int32_t> tokens;
  std::string text;
  std::vector<SequenceEvent> events;
  std::string finish_reason;
  int finished_events = 0;
  int64_t cached_prompt_tokens = -1;
};

// Collects events of many sequences; wait() returns when all submitted ones finished.
class Collector {
 public:
  Engine::Callback callback(size_t index) {
    {
      std::lock_guard lock(mu_);
      if (outcomes_.size() <= index) outcomes_.resize(index + 1);
      ++pending_;
    }
    return [this, index](const SequenceEvent& e) {
      std::lock_guard lock(mu_);
      Outcome& o = outcomes_[index];
      if (e.token >= 0) o.tokens.push_back(e.token);
      o.text += e.text;
      o.events.push_back(e);
      if (e.finished) {
        ++o.finished_events;
        o.finish_reason = e.finish_reason;
        o.cached_prompt_tokens = e.cached_prompt_tokens;
        if (--pending_ == 0) done_.notify_all();
      }
    };
  }
  std::vector<Outcome> wait() {
    std::unique_lock lock(mu_);
    done_.wait(lock, [&] { return pending_ == 0; });
    return outcomes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable done_;
  std::vector<Outcome> outcomes_;
  int pending_ = 0;
};

// Metrics are published after the step that delivered the last events: poll briefly.
template <typename Predicate>
EngineMetrics wait_for_metrics(const Engine& engine, Predicate ok) {
  EngineMetrics m = engine.metrics();
  for (int i = 0; i < 500 && !ok(m); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    m = engine.metrics();
  }
  return m;
}

inline Outcome run_one(Engine& engine, SequenceParams params) {
  Collector c;
  engine.submit(std::move(params), c.callback(0));
  return c.wait()[0];
}

inline std::vector<int32_t> random_prompt(std::mt19937& rng, int64_t n, int32_t vocab) {
  std::uniform_int_distribution<int32_t> id(0, vocab - 1);
  std::vector<int32_t> p(static_cast<size_t>(n));
  for (int32_t& t : p) t = id(rng);
  return p;
}

inline SequenceParams greedy(std::vector<int32_t> prompt, int64_t max_tokens) {
  SequenceParams p;
  p.prompt = std::move(prompt);
  p.sampling.temperature = 0;
  p.max_tokens = max_tokens;
  return p;
}

}  // namespace qwenrt::testing_engine
