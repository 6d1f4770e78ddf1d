// Prefix cache: time to first token for a request whose 2,000-token system prompt the
// engine has already seen, against the first request that had to prefill it (issue 5:
// second <= 20% of first). A plain program (not a Google Benchmark loop): each
// measurement is one request on a fresh cache state, which a repeated loop would spoil.
//
//   prefix_cache_bench [MODEL_DIR] [SYSTEM_TOKENS] [THREADS]
//   default: /root/models/qwen2.5-0.5b-bf16 (tools/make_random_checkpoint.py qwen2.5-0.5b DIR)
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "engine/engine.h"
#include "kernels/cpu/ops.h"

namespace {

using qwenrt::Engine;
using qwenrt::SequenceEvent;
using qwenrt::SequenceParams;

struct Timing {
  double first_token_seconds = 0;
  int64_t cached_prompt_tokens = 0;
};

// Submits one greedy request and waits for its first token (then lets it finish).
Timing time_to_first_token(Engine& engine, std::vector<int32_t> prompt) {
  std::mutex mu;
  std::condition_variable cv;
  bool first = false, done = false;
  Timing t;
  SequenceParams p;
  p.prompt = std::move(prompt);
  p.sampling.temperature = 0;
  p.max_tokens = 4;
  const auto start = std::chrono::steady_clock::now();
  engine.submit(p, [&](const SequenceEvent& e) {
    std::lock_guard lock(mu);
    if (!first) {
      first = true;
      t.first_token_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      t.cached_prompt_tokens = e.cached_prompt_tokens;
    }
    if (e.finished) {
      done = true;
      cv.notify_all();
    }
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string model_dir = argc > 1 ? argv[1] : "/root/models/qwen2.5-0.5b-bf16";
  const int64_t system_tokens = argc > 2 ? std::atoll(argv[2]) : 2000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
  try {
    qwenrt::ThreadPool pool(threads);
    qwenrt::LoadedModel model = qwenrt::load_model(model_dir, pool);
    qwenrt::EngineOptions options;
    options.context_size = 4096;
    options.max_batch = 4;
    Engine engine(model, pool, options);
    std::printf("model %s, %s, %d threads, block %lld, step %lld tokens\n", model_dir.c_str(),
                qwenrt::cpu::simd_target(), pool.size(), static_cast<long long>(options.block_size),
                static_cast<long long>(options.max_step_tokens));

    // A random system prompt (ids of real tokens), then a different question per request.
    std::mt19937 rng(1);
    std::uniform_int_distribution<int32_t> id(0, 150000);
    auto random_tokens = [&](int64_t n) {
      std::vector<int32_t> v;
      while (static_cast<int64_t>(v.size()) < n) {
        const int32_t t = id(rng);
        if (model.tokenizer.has_token(t)) v.push_back(t);
      }
      return v;
    };
    const std::vector<int32_t> system = random_tokens(system_tokens);
    std::vector<int32_t> first = system, second = system;
    for (int32_t t : random_tokens(20)) first.push_back(t);
    for (int32_t t : random_tokens(24)) second.push_back(t);

    const Timing a = time_to_first_token(engine, first);
    const Timing b = time_to_first_token(engine, second);
    std::printf("first request:  %zu prompt tokens, %lld cached, time to first token %.3f s\n",
                first.size(), static_cast<long long>(a.cached_prompt_tokens), a.first_token_seconds);
    std::printf("second request: %zu prompt tokens, %lld cached, time to first token %.3f s\n",
                second.size(), static_cast<long long>(b.cached_prompt_tokens), b.first_token_seconds);
    std::printf("ratio second/first: %.3f (issue 5 target <= 0.20)\n", b.first_token_seconds / a.first_token_seconds);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "prefix_cache_bench: %s\n", e.what());
    return 1;
  }
}
