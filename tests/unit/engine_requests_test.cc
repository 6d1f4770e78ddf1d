// What the engine promises each request: prefix-cache reuse with identical tokens,
// cancellation that frees blocks, a bounded queue, context limits, stop strings,
// logprobs equal to the sampler's on the same logits, and clear errors for bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <future>

#include "engine/generator.h"
#include "engine_test_util.h"
#include "sampling/sampler.h"

namespace qwenrt {
namespace {

using namespace testing_engine;

class EngineRequests : public ::testing::Test {
 protected:
  ThreadPool pool_{2};
  LoadedModel model_ = load_fixture("qwen3_gqa2_hd32_f32", pool_);
  int32_t vocab() const { return static_cast<int32_t>(model_.model->shape().vocab); }
  EngineOptions options() {
    EngineOptions o;
    o.context_size = 256;
    return o;
  }
};

TEST_F(EngineRequests, SharedPrefixIsServedFromTheCacheWithIdenticalTokens) {
  std::mt19937 rng(1);
  const std::vector<int32_t> system = random_prompt(rng, 80, vocab());  // 5 full blocks of 16
  std::vector<int32_t> first = system, second = system;
  for (int32_t t : random_prompt(rng, 9, vocab())) first.push_back(t);
  for (int32_t t : random_prompt(rng, 13, vocab())) second.push_back(t);

  EngineOptions no_cache = options();
  no_cache.prefix_cache = false;
  Engine cold(model_, pool_, no_cache);
  const Outcome expected = run_one(cold, greedy(second, 30));
  EXPECT_EQ(expected.cached_prompt_tokens, 0);

  Engine engine(model_, pool_, options());
  const Outcome a = run_one(engine, greedy(first, 30));
  EXPECT_EQ(a.cached_prompt_tokens, 0);
  const Outcome b = run_one(engine, greedy(second, 30));
  EXPECT_EQ(b.cached_prompt_tokens, 80);
  EXPECT_EQ(b.events.front().cached_prompt_tokens, 80);
  EXPECT_EQ(b.tokens, expected.tokens);
  const EngineMetrics m = wait_for_metrics(engine, [](const EngineMetrics& m) { return m.requests_finished == 2; });
  EXPECT_EQ(m.cached_prompt_tokens, 80);
  EXPECT_EQ(m.prompt_tokens, static_cast<int64_t>(first.size() + second.size()));
  EXPECT_EQ(m.kv_blocks_used, 0);
  EXPECT_GT(m.kv_blocks_cached, 5);

  // The whole prompt cached: its last token is still computed (the next sample needs it).
  const Outcome c = run_one(engine, greedy(second, 30));
  EXPECT_EQ(c.cached_prompt_tokens, 80);  // 93 tokens: blocks 0..4 full, the rest recomputed
  EXPECT_EQ(c.tokens, expected.tokens);
}

TEST_F(EngineRequests, CachedBlocksAreEvictedWhenThePoolNeedsThem) {
  EngineOptions o = options();
  o.kv_cache_mb = 1;  // 64 blocks of 16 KB for this fixture
  Engine engine(model_, pool_, o);
  const int64_t total = engine.metrics().kv_blocks_total;
  std::mt19937 rng(2);
  // Many distinct prompts: far more blocks over time than the pool has.
  for (int i = 0; i < 12; ++i) {
    const Outcome out = run_one(engine, greedy(random_prompt(rng, 150, vocab()), 20));
    EXPECT_EQ(out.finish_reason, "length");
    EXPECT_EQ(out.tokens.size(), 20u);
  }
  const EngineMetrics m = wait_for_metrics(engine, [](const EngineMetrics& m) { return m.requests_finished == 12; });
  EXPECT_LE(m.kv_blocks_cached, total);
  EXPECT_EQ(m.kv_blocks_used, 0);
}

TEST_F(EngineRequests, CancelEndsTheStreamAndFreesItsBlocks) {
  Engine engine(model_, pool_, options());
  std::mt19937 rng(4);
  // The second event holds the engine thread until the cancel is in, so the sequence
  // cannot finish first however the threads are scheduled.
  std::promise<void> first_token, cancelled;
  std::shared_future<void> cancel_sent = cancelled.get_future().share();
  int events = 0;
  Collector c;
  auto collect = c.callback(0);
  const uint64_t id = engine.submit(greedy(random_prompt(rng, 100, vocab()), 150), [&](const SequenceEvent& e) {
    collect(e);
    if (++events == 1) first_token.set_value();
    if (events == 2) cancel_sent.wait();
  });
  first_token.get_future().wait();
  EXPECT_GT(wait_for_metrics(engine, [](const EngineMetrics& m) { return m.kv_blocks_used > 0; }).kv_blocks_used, 0);
  engine.cancel(id);
  cancelled.set_value();
  const Outcome out = c.wait()[0];
  EXPECT_EQ(out.finish_reason, "abort");
  EXPECT_EQ(out.finished_events, 1);
  EXPECT_LT(out.tokens.size(), 150u);
  const EngineMetrics m = wait_for_metrics(engine, [](const EngineMetrics& m) { return m.requests_aborted == 1; });
  EXPECT_EQ(m.requests_aborted, 1);
  EXPECT_EQ(m.kv_blocks_used, 0);
  EXPECT_EQ(m.running, 0);
  engine.cancel(id);  // finished: ignored
  engine.cancel(9999);
}

TEST_F(EngineRequests, FullQueueRejectsAndEveryAcceptedRequestFinishes) {
  EngineOptions o = options();
  o.max_batch = 1;
  o.max_waiting = 3;
  Engine engine(model_, pool_, o);
  std::mt19937 rng(6);
  // The first request's first event holds the engine thread until the queue is filled.
  std::promise<void> release, holding;
  std::shared_future<void> released = release.get_future().share();
  Collector c;
  auto first = c.callback(0);
  bool held = false;
  engine.submit(greedy(random_prompt(rng, 10, vocab()), 5), [&, released](const SequenceEvent& e) {
    if (!held) {
      held = true;
      holding.set_value();
      released.wait();
    }
    first(e);
  });
  holding.get_future().wait();  // the first request runs; the next ones can only wait
  for (size_t i = 1; i <= 3; ++i) engine.submit(greedy(random_prompt(rng, 10, vocab()), 5), c.callback(i));
  EXPECT_THROW(engine.submit(greedy(random_prompt(rng, 10, vocab()), 5), nullptr), QueueFullError);
  release.set_value();
  const std::vector<Outcome> out = c.wait();
  for (const Outcome& o : out) {
    EXPECT_EQ(o.finished_events, 1);
    EXPECT_EQ(o.tokens.size(), 5u);
  }
}

TEST_F(EngineRequests, ContextLimits) {
  Engine engine(model_, pool_, options());  // 256 positions
  std::mt19937 rng(7);
  EXPECT_THROW(engine.submit(greedy(random_prompt(rng, 256, vocab()), 5), nullptr), ContextLengthError);
  const Outcome out = run_one(engine, greedy(random_prompt(rng, 250, vocab()), 50));
  EXPECT_EQ(out.tokens.size(), 6u);  // clipped to what the context leaves
  EXPECT_EQ(out.finish_reason, "length");
  const Outcome zero = run_one(engine, greedy(random_prompt(rng, 10, vocab()), 0));
  EXPECT_TRUE(zero.tokens.empty());
  EXPECT_EQ(zero.finish_reason, "length");
}

TEST_F(EngineRequests, StopStringCutsTheTextLikeTheGenerator) {
  std::mt19937 rng(8);
  const std::vector<int32_t> prompt = random_prompt(rng, 20, vocab());
  Generator generator(*model_.model, model_.tokenizer, {}, 256);
  GenerationRequest plain;
  plain.prompt = prompt;
  plain.sampling.temperature = 0;
  plain.max_tokens = 40;
  const std::string full = generator.generate(plain).text;
  ASSERT_GT(full.size(), 12u);
  plain.stop = {full.substr(7, 3)};
  const GenerationResult expected = generator.generate(plain);

  Engine engine(model_, pool_, options());
  SequenceParams p = greedy(prompt, 40);
  p.stop = plain.stop;
  const Outcome out = run_one(engine, p);
  EXPECT_EQ(out.finish_reason, "stop");
  EXPECT_EQ(out.text, expected.text);
  EXPECT_EQ(out.text, full.substr(0, full.find(plain.stop[0])));
  EXPECT_EQ(out.tokens, expected.tokens);
}

TEST_F(EngineRequests, EosEndsWithStop) {
  std::mt19937 rng(9);
  const std::vector<int32_t> prompt = random_prompt(rng, 20, vocab());
  Engine probe(model_, pool_, options());
  const Outcome free_run = run_one(probe, greedy(prompt, 20));
  LoadedModel with_eos = load_fixture("qwen3_gqa2_hd32_f32", pool_);
  with_eos.eos_ids = {free_run.tokens[5]};
  Engine engine(with_eos, pool_, options());
  const Outcome out = run_one(engine, greedy(prompt, 20));
  const auto first = std::find(free_run.tokens.begin(), free_run.tokens.end(), free_run.tokens[5]);
  EXPECT_EQ(out.tokens, std::vector<int32_t>(free_run.tokens.begin(), first + 1));
  EXPECT_EQ(out.finish_reason, "stop");
  SequenceParams ignore = greedy(prompt, 20);
  ignore.ignore_eos = true;
  EXPECT_EQ(run_one(engine, ignore).tokens, free_run.tokens);
}

TEST_F(EngineRequests, LogprobsEqualTheSamplersOnTheSameLogits) {
  std::mt19937 rng(10);
  const std::vector<int32_t> prompt = random_prompt(rng, 30, vocab());
  Engine engine(model_, pool_, options());
  SequenceParams p = greedy(prompt, 4);
  p.top_logprobs = 5;
  const Outcome out = run_one(engine, p);
  ASSERT_EQ(out.events.size(), 4u);

  // The same positions through the single-sequence forward and a fresh sampler.
  KVCache cache = model_.model->make_cache(64);
  std::vector<float> logits(static_cast<size_t>(vocab()));
  model_.model->forward(prompt.data(), static_cast<int64_t>(prompt.size()), cache, logits.data(), false);
  Sampler sampler(p.sampling, vocab());
  std::vector<int32_t> generated;
  for (const SequenceEvent& e : out.events) {
    ASSERT_TRUE(e.logprobs.has_value());
    const SampledToken s = sampler.sample_with_logprobs(logits.data(), prompt, generated, 5);
    EXPECT_EQ(e.token, s.token);
    EXPECT_EQ(e.logprobs->token, s.token);
    EXPECT_NEAR(e.logprobs->logprob, s.logprob, 1e-4);
    ASSERT_EQ(e.logprobs->top_logprobs.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(e.logprobs->top_logprobs[i].token, s.top_logprobs[i].token);
      EXPECT_NEAR(e.logprobs->top_logprobs[i].logprob, s.top_logprobs[i].logprob, 1e-4);
    }
    EXPECT_LE(e.logprobs->logprob, 0.0f);
    generated.push_back(s.token);
    model_.model->forward(&s.token, 1, cache, logits.data(), false);
  }
  SequenceParams none = greedy(prompt, 2);
  EXPECT_FALSE(run_one(engine, none).events[0].logprobs.has_value());
}

TEST_F(EngineRequests, BadRequestsGetClearErrors) {
  Engine engine(model_, pool_, options());
  EXPECT_THROW(engine.submit(greedy({}, 5), nullptr), Error);
  try {
    engine.submit(greedy({1, 2, 320}, 5), nullptr);
    ADD_FAILURE() << "out-of-vocabulary id accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("320"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine.submit(greedy({1, -1}, 5), nullptr), Error);
  EXPECT_THROW(engine.submit(greedy({1, 2}, -1), nullptr), Error);
  SequenceParams bad_top_p = greedy({1, 2}, 5);
  bad_top_p.sampling.top_p = 2.0f;
  EXPECT_THROW(engine.submit(bad_top_p, nullptr), Error);
  SequenceParams empty_stop = greedy({1, 2}, 5);
  empty_stop.stop = {""};
  EXPECT_THROW(engine.submit(empty_stop, nullptr), Error);
  EngineOptions bad = options();
  bad.block_size = 0;
  EXPECT_THROW(Engine(model_, pool_, bad), Error);
  // The engine still serves after all of that.
  EXPECT_EQ(run_one(engine, greedy({1, 2, 3}, 3)).tokens.size(), 3u);
}

}  // namespace
}  // namespace qwenrt
