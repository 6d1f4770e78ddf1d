// Structured output costs over the real Qwen vocabulary (151,643 tokens in the trie,
// masks of 151,936 bits = the logits row):
//   - building the vocabulary index (once per tokenizer),
//   - compiling a schema (once per schema; cached across requests),
//   - the token mask at each step of a generation: median / p90 / max over the steps,
//     cold (first request with the schema: per-state masks computed on first visit)
//     and warm (later requests: the per-state cache is filled),
//   - applying a mask to a logits row.
//
//   build-*/bench/grammar_bench --benchmark_filter=Grammar
//
// Mask times are taken per step with steady_clock and reported as counters
// (mask_median_us etc.), since the benchmark's own statistics are over iterations.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "sampling/grammar/grammar_constraint.h"
#include "sampling/grammar/json_schema.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::grammar {
namespace {

constexpr int32_t kModelRows = 151936;

const char* kToolCallSchema =
    R"({"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object","properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},"required":["location"]}},"required":["name","arguments"]})";
const char* kToolCallText =
    R"({"name": "get_weather", "arguments": {"location": "San Francisco, CA, in the bay area near the Golden Gate bridge", "unit": "celsius"}})";

const char* kNestedSchema = R"({"type":"object","properties":{
  "id":{"type":"string","format":"uuid"},"created":{"type":"string","format":"date-time"},
  "tags":{"type":"array","items":{"type":"string","maxLength":16},"maxItems":8},
  "score":{"type":"number","minimum":0,"maximum":100},"count":{"type":"integer","minimum":1,"maximum":500},
  "owner":{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","format":"email"}},"required":["name"]},
  "children":{"type":"array","items":{"$ref":"#"}}},"required":["id","created","tags","score"]})";
const char* kNestedText =
    R"({"id": "123e4567-e89b-12d3-a456-426614174000", "created": "2024-05-06T07:08:09Z", "tags": ["alpha", "beta", "gamma"], "score": 42.5, "count": 17, "owner": {"name": "Ada Lovelace", "email": "ada@example.com"}, "children": []})";

const Tokenizer& qwen3() {
  static const Tokenizer t = Tokenizer::from_directory(QWENRT_SOURCE_DIR "/../shared/data/qwen3-tokenizer");
  return t;
}

std::shared_ptr<const VocabularyIndex> vocab() {
  static const auto v = VocabularyIndex::build(qwen3(), kModelRows);
  return v;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

// Times fill_mask at every step of `tokens` (and the final one), in microseconds.
std::vector<double> mask_times(const std::shared_ptr<const CompiledGrammar>& grammar, const std::vector<int32_t>& tokens) {
  GrammarMatcher m(grammar);
  TokenBitmask mask(kModelRows);
  std::vector<double> us;
  for (size_t i = 0; i <= tokens.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    m.fill_mask(mask);
    const auto t1 = std::chrono::steady_clock::now();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    benchmark::DoNotOptimize(mask.words().data());
    if (i < tokens.size() && !m.accept_token(tokens[i])) throw std::runtime_error("bench text not accepted");
  }
  return us;
}

// A generation of random allowed tokens (what the random-weight model produces):
// many string-content tokens, every structural state visited.
std::vector<int32_t> random_generation(const std::shared_ptr<const CompiledGrammar>& grammar, int steps, uint32_t seed) {
  GrammarMatcher m(grammar);
  TokenBitmask mask;
  std::mt19937 rng(seed);
  std::vector<int32_t> out;
  while (static_cast<int>(out.size()) < steps && !m.must_end()) {
    m.fill_mask(mask);
    const auto ids = mask.ids();
    if (ids.empty()) break;
    out.push_back(ids[std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng)]);
    m.accept_token(out.back());
  }
  return out;
}

void report(benchmark::State& state, const std::vector<double>& us, const char* prefix) {
  state.counters[std::string(prefix) + "median_us"] = median(us);
  state.counters[std::string(prefix) + "p90_us"] = percentile(us, 0.9);
  state.counters[std::string(prefix) + "p99_us"] = percentile(us, 0.99);
  state.counters[std::string(prefix) + "max_us"] = *std::max_element(us.begin(), us.end());
}

void BM_GrammarVocabularyIndex(benchmark::State& state) {
  qwen3();
  for (auto _ : state) benchmark::DoNotOptimize(VocabularyIndex::build(qwen3(), kModelRows));
}
BENCHMARK(BM_GrammarVocabularyIndex)->Unit(benchmark::kMillisecond);

void BM_GrammarCompile(benchmark::State& state, const char* schema) {
  vocab();
  for (auto _ : state) benchmark::DoNotOptimize(compile_json_schema(schema, vocab()));
}
BENCHMARK_CAPTURE(BM_GrammarCompile, tool_call, kToolCallSchema)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GrammarCompile, nested, kNestedSchema)->Unit(benchmark::kMillisecond);

// Compile plus the per-state mask of every state: the cost of a fully warm grammar.
void BM_GrammarCompileAndPrecompute(benchmark::State& state, const char* schema) {
  vocab();
  int64_t states = 0;
  for (auto _ : state) {
    auto g = compile_json_schema(schema, vocab());
    states = g->precompute();
    benchmark::DoNotOptimize(g);
  }
  state.counters["states"] = static_cast<double>(states);
}
BENCHMARK_CAPTURE(BM_GrammarCompileAndPrecompute, tool_call, kToolCallSchema)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GrammarCompileAndPrecompute, nested, kNestedSchema)->Unit(benchmark::kMillisecond);

// A shared mask cache that has seen another schema with strings in it, as in a server
// that has served a few requests (GrammarCache shares one per vocabulary).
std::shared_ptr<SharedMaskCache> served_shared_masks() {
  static const auto cache = [] {
    auto c = std::make_shared<SharedMaskCache>(vocab());
    compile_json_schema(R"({"type":"array","items":{"type":"string"}})", vocab(), {}, c)->precompute();
    return c;
  }();
  return cache;
}

// Per-step mask over the tokenization of a realistic output. Each iteration runs the
// whole generation three times: on a fresh compiled grammar with nothing cached
// (cold: the first schema a server ever sees), on a fresh one sharing the masks of
// states other schemas have too (new_schema: a schema new to a running server), and
// again on the first (warm: a schema seen before).
void BM_GrammarMaskText(benchmark::State& state, const char* schema, const char* text) {
  const std::vector<int32_t> tokens = qwen3().encode(text);
  served_shared_masks();
  std::vector<double> cold, fresh, warm;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = compile_json_schema(schema, vocab());
    auto s = compile_json_schema(schema, vocab(), {}, served_shared_masks());
    state.ResumeTiming();
    auto c = mask_times(g, tokens);
    auto f = mask_times(s, tokens);
    auto w = mask_times(g, tokens);
    cold.insert(cold.end(), c.begin(), c.end());
    fresh.insert(fresh.end(), f.begin(), f.end());
    warm.insert(warm.end(), w.begin(), w.end());
  }
  report(state, cold, "cold_");
  report(state, fresh, "new_schema_");
  report(state, warm, "warm_");
  state.counters["steps"] = static_cast<double>(tokens.size() + 1);
}
BENCHMARK_CAPTURE(BM_GrammarMaskText, tool_call, kToolCallSchema, kToolCallText)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GrammarMaskText, nested, kNestedSchema, kNestedText)->Unit(benchmark::kMillisecond);

// Per-step mask along random allowed tokens (as the random-weight checkpoint samples).
void BM_GrammarMaskRandom(benchmark::State& state, const char* schema) {
  std::vector<double> cold, warm;
  uint32_t seed = 1;
  for (auto _ : state) {
    state.PauseTiming();
    auto g = compile_json_schema(schema, vocab());
    auto probe = compile_json_schema(schema, vocab());
    const auto tokens = random_generation(probe, 200, seed++);
    state.ResumeTiming();
    auto c = mask_times(g, tokens);
    auto w = mask_times(g, tokens);
    cold.insert(cold.end(), c.begin(), c.end());
    warm.insert(warm.end(), w.begin(), w.end());
  }
  report(state, cold, "cold_");
  report(state, warm, "warm_");
}
BENCHMARK_CAPTURE(BM_GrammarMaskRandom, tool_call, kToolCallSchema)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_GrammarMaskRandom, any_json, "{}")->Unit(benchmark::kMillisecond);

void BM_GrammarApplyToLogits(benchmark::State& state) {
  auto g = compile_json_schema(kToolCallSchema, vocab());
  GrammarMatcher m(g);
  m.accept_bytes(state.range(0) ? R"({"name":"get_weather","arguments":{"location":"Par)" : R"({"name":"get_weather")");
  TokenBitmask mask;
  m.fill_mask(mask);
  std::vector<float> logits(kModelRows, 0.5f);
  for (auto _ : state) {
    mask.apply_to_logits(logits.data(), kModelRows);
    benchmark::DoNotOptimize(logits.data());
  }
  state.counters["allowed"] = static_cast<double>(mask.count());
}
BENCHMARK(BM_GrammarApplyToLogits)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace qwenrt::grammar
BENCHMARK_MAIN();
