// Property test of structured output end to end: a random-weight Qwen3 checkpoint with
// the real vocabulary (151,936 logit rows, hidden 32, one layer) samples at temperature
// 1.5 under the grammar of each schema below, with a token budget the grammar is
// forced to finish within. Every output must be complete JSON; the independent check
// against the schema (Python jsonschema) is tests/e2e/test_grammar_outputs.py, which
// runs this binary with QWENRT_GRAMMAR_OUTPUTS=<file> and validates what it writes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "io/safetensors_writer.h"
#include "model/causal_lm.h"
#include "sampling/grammar/grammar_constraint.h"
#include "sampling/grammar/json_schema.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace qwenrt::grammar {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kVocabRows = 151936;
constexpr int64_t kHidden = 32, kIntermediate = 64, kHeads = 2, kKvHeads = 1, kHeadDim = 16;
constexpr int64_t kTokenBudget = 200;  // end-of-sequence included

// The schemas: JSON-Schema-Test-Suite-style edge cases and everyday shapes.
const char* const kSchemas[] = {
    // 0: the tool call of the benchmark
    R"({"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object","properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},"required":["location"]}},"required":["name","arguments"]})",
    "{}",
    "true",
    R"({"type":"object"})",
    R"({"type":"array"})",
    R"({"type":"string"})",
    R"({"type":"integer"})",
    R"({"type":"number"})",
    R"({"type":"boolean"})",
    R"({"type":"null"})",
    // 10
    R"({"type":["string","integer","null"]})",
    R"({"enum":[1,"two",null,true,{"x":[1]},[2.5],-0.125]})",
    R"({"const":{"a":[1,{"b":null}],"c":"\u00e9\n\"q\""}})",
    R"({"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},"kids":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":3}},"required":["v"]}},"$ref":"#/$defs/node"})",
    R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/c"},"c":{"type":"integer","minimum":7,"maximum":9}},"$ref":"#/$defs/a"})",
    R"({"anyOf":[{"type":"string","maxLength":5},{"type":"integer","minimum":0},{"type":"array","items":{"type":"boolean"},"maxItems":3}]})",
    R"({"oneOf":[{"type":"string","pattern":"^x"},{"type":"number"},{"type":"object","properties":{"k":{"type":"null"}},"required":["k"],"additionalProperties":false}]})",
    R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},{"properties":{"b":{"type":"string","maxLength":3}},"required":["b"]},{"properties":{"a":{"minimum":10,"maximum":20}}}]})",
    R"({"type":"array","items":{"type":"integer"},"minItems":3,"maxItems":3})",
    R"({"type":"object","additionalProperties":false})",
    // 20
    R"({"type":"object","required":["a","b"]})",
    R"({"type":"string","minLength":3,"maxLength":6})",
    R"({"type":"integer","minimum":-10,"maximum":10})",
    R"({"type":"number","minimum":0,"maximum":1})",
    R"({"type":"number","exclusiveMinimum":-5,"exclusiveMaximum":5})",
    R"({"$schema":"http://json-schema.org/draft-04/schema#","type":"integer","minimum":0,"exclusiveMinimum":true,"maximum":3})",
    R"({"type":"string","pattern":"^\\+?[0-9]{1,3}-[0-9]{3}-[0-9]{4}$"})",
    R"({"type":"string","pattern":"abc"})",
    R"({"type":"string","pattern":"^[^aeiou\"]{2,5}$"})",
    R"({"type":"string","format":"date"})",
    // 30
    R"({"type":"string","format":"time"})",
    R"({"type":"string","format":"date-time"})",
    R"({"type":"string","format":"email"})",
    R"({"type":"string","format":"uuid"})",
    R"({"type":"string","format":"uri"})",
    R"({"type":"string","format":"ipv4"})",
    R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"},{"type":"boolean"}],"items":false})",
    R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"array","items":[{"type":"null"},{"type":"boolean"}],"additionalItems":{"type":"integer","minimum":0,"maximum":9},"maxItems":5})",
    R"({"type":"object","properties":{"id":{"type":"integer"}},"required":["id"],"additionalProperties":{"type":"string","maxLength":4}})",
    R"({"type":"object","properties":{"id":{"type":"integer"}},"additionalProperties":true})",
    // 40
    R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"},"d":{"type":"integer"},"e":{"type":"integer"},"f":{"type":"integer"},"g":{"type":"integer"},"h":{"type":"integer"},"i":{"type":"integer"},"j":{"type":"integer"}}})",
    R"({"type":"object","properties":{"l1":{"type":"object","properties":{"l2":{"type":"object","properties":{"l3":{"type":"array","items":{"type":"number"}}},"required":["l3"]}},"required":["l2"]}},"required":["l1"]})",
    R"({"type":"array","items":{"type":"object","properties":{"name":{"type":"string","maxLength":10},"age":{"type":"integer","minimum":0,"maximum":150}},"required":["name","age"]},"maxItems":4})",
    R"({"$defs":{"list":{"anyOf":[{"type":"null"},{"type":"object","properties":{"value":{"type":"integer"},"next":{"$ref":"#/$defs/list"}},"required":["value","next"]}]}},"$ref":"#/$defs/list"})",
    R"({"enum":["a\"b","tab\t","\u00e9","\ud83d\ude00","back\\slash",""]})",
    R"({"const":"hello world"})",
    R"({"type":"string","maxLength":0})",
    R"({"type":"array","maxItems":0})",
    R"({"type":"object","properties":{"we\"ird":{"type":"integer"},"new\nline":{"type":"boolean"},"\u00fcber":{"type":"null"}},"required":["we\"ird","new\nline","\u00fcber"]})",
    R"({"type":"integer","minimum":1000000000000})",
    // 50
    R"({"anyOf":[{"type":"object","properties":{"kind":{"const":"circle"},"r":{"type":"number","minimum":0}},"required":["kind","r"]},{"type":"object","properties":{"kind":{"const":"rect"},"w":{"type":"integer"},"h":{"type":"integer"}},"required":["kind","w","h"]}]})",
    R"({"type":["object","array"],"properties":{"a":{"type":"integer"}},"items":{"type":"string","maxLength":3},"maxItems":2})",
    R"({"enum":[1,1.5,-2,1000.0,0]})",
    R"({"type":["object","null"],"properties":{"x":{"type":"number"}},"required":["x"]})",
    R"({"$defs":{"n":{"type":"integer","minimum":0}},"$ref":"#/$defs/n","maximum":5})",
    R"({"title":"T","description":"annotations only","examples":[1],"default":null,"type":"boolean"})",
    R"({"type":"object","properties":{"a":{"type":"string","maxLength":8}},"anyOf":[{"required":["a"]},{"properties":{"a":{"minLength":2}}}]})",
    R"({"type":"string","pattern":"^[\"\\\\/]{1,4}$"})",
    R"({"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$"},"minItems":1,"maxItems":3},"count":{"type":"integer","exclusiveMinimum":0}},"required":["tags","count"]})",
    R"({"type":"array","items":{"anyOf":[{"type":"integer"},{"type":"string","format":"date"}]},"minItems":2,"maxItems":4})",
};
constexpr size_t kSchemaCount = sizeof(kSchemas) / sizeof(kSchemas[0]);
// These also run with flexible whitespace (pretty-printed output allowed).
const size_t kFlexibleSchemas[] = {0, 3, 13, 41, 50};

std::string tokenizer_dir() { return std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer"; }

// Writes a Qwen3 checkpoint of random weights (as tools/make_random_checkpoint.py
// does, smaller) with the real vocabulary size.
std::string make_random_checkpoint() {
  const fs::path dir = fs::temp_directory_path() / ("qwenrt_grammar_property_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  nlohmann::json config = {
      {"architectures", {"Qwen3ForCausalLM"}}, {"model_type", "qwen3"}, {"hidden_size", kHidden},
      {"intermediate_size", kIntermediate}, {"num_hidden_layers", 1}, {"num_attention_heads", kHeads},
      {"num_key_value_heads", kKvHeads}, {"head_dim", kHeadDim}, {"vocab_size", kVocabRows},
      {"tie_word_embeddings", true}, {"max_position_embeddings", 4096}, {"rms_norm_eps", 1e-6},
      {"rope_theta", 1000000.0}, {"hidden_act", "silu"}, {"bos_token_id", 151643}, {"eos_token_id", 151645},
      {"torch_dtype", "float32"}};
  std::ofstream(dir / "config.json") << config.dump(2);
  const std::vector<std::pair<std::string, std::vector<int64_t>>> shapes = {
      {"model.embed_tokens.weight", {kVocabRows, kHidden}},
      {"model.layers.0.input_layernorm.weight", {kHidden}},
      {"model.layers.0.post_attention_layernorm.weight", {kHidden}},
      {"model.layers.0.self_attn.q_proj.weight", {kHeads * kHeadDim, kHidden}},
      {"model.layers.0.self_attn.k_proj.weight", {kKvHeads * kHeadDim, kHidden}},
      {"model.layers.0.self_attn.v_proj.weight", {kKvHeads * kHeadDim, kHidden}},
      {"model.layers.0.self_attn.o_proj.weight", {kHidden, kHeads * kHeadDim}},
      {"model.layers.0.self_attn.q_norm.weight", {kHeadDim}},
      {"model.layers.0.self_attn.k_norm.weight", {kHeadDim}},
      {"model.layers.0.mlp.gate_proj.weight", {kIntermediate, kHidden}},
      {"model.layers.0.mlp.up_proj.weight", {kIntermediate, kHidden}},
      {"model.layers.0.mlp.down_proj.weight", {kHidden, kIntermediate}},
      {"model.norm.weight", {kHidden}},
  };
  std::mt19937 rng(0);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<std::vector<float>> data;
  std::vector<NamedTensor> tensors;
  for (const auto& [name, shape] : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    const bool norm = name.find("norm.weight") != std::string::npos;
    for (float& v : values) v = norm ? 1.0f : normal(rng);
    data.push_back(std::move(values));
    tensors.push_back({name, TensorView{DType::F32, shape, data.back().data(), data.back().size() * sizeof(float)}});
  }
  write_safetensors((dir / "model.safetensors").string(), tensors);
  return dir.string();
}

class Environment {
 public:
  static Environment& get() {
    static Environment env;
    return env;
  }
  ThreadPool pool{2};
  Tokenizer tokenizer = Tokenizer::from_directory(tokenizer_dir());
  std::string model_dir = make_random_checkpoint();
  std::unique_ptr<CausalLM> model = CausalLM::load(model_dir, pool);
  std::shared_ptr<const VocabularyIndex> vocab = VocabularyIndex::build(tokenizer, static_cast<int32_t>(kVocabRows));

  ~Environment() {
    std::error_code ignored;
    fs::remove_all(model_dir, ignored);
  }
};

struct Sample {
  std::string text;
  bool complete = false;
  int64_t tokens = 0;
};

Sample generate(const std::string& schema, uint64_t seed, const JsonSchemaOptions& options) {
  Environment& env = Environment::get();
  const auto grammar = compile_json_schema(schema, env.vocab, options);
  const int32_t eos = *env.tokenizer.eos_id();
  GrammarConstraint constraint(grammar, {eos, 151643});
  EXPECT_LE(constraint.min_tokens_to_finish(), kTokenBudget) << "budget too small for this schema";
  SamplingParams params;
  params.temperature = 1.5f;
  params.seed = seed;
  Sampler sampler(params, static_cast<int32_t>(kVocabRows));
  const std::vector<int32_t> prompt = env.tokenizer.encode("Answer in JSON:");
  KVCache cache = env.model->make_cache(static_cast<int64_t>(prompt.size()) + kTokenBudget + 1);
  std::vector<float> logits(kVocabRows), raw(kVocabRows);
  env.model->forward(prompt.data(), static_cast<int64_t>(prompt.size()), cache, logits.data(), false);
  std::vector<int32_t> generated;
  Sample out;
  for (int64_t left = kTokenBudget; left > 0; --left) {
    raw = logits;
    constraint.apply(logits.data(), kVocabRows);
    int32_t token = sampler.sample(logits.data(), prompt, generated);
    if (!constraint.fits_budget(token, left)) {
      // Too close to the budget for this token: draw again among those that fit.
      logits = raw;
      constraint.apply_within_budget(logits.data(), kVocabRows, left);
      token = sampler.sample(logits.data(), prompt, generated);
    }
    constraint.accept(token);
    ++out.tokens;
    if (token == eos || token == 151643) break;
    generated.push_back(token);
    if (constraint.is_finished()) break;
    env.model->forward(&token, 1, cache, logits.data(), false);
  }
  out.text = env.tokenizer.decode(generated);
  out.complete = constraint.is_complete();
  return out;
}

void record(const std::string& schema, const Sample& s, bool flexible) {
  const char* path = std::getenv("QWENRT_GRAMMAR_OUTPUTS");
  if (!path) return;
  nlohmann::json line = {{"schema", schema}, {"output", s.text}, {"complete", s.complete},
                         {"tokens", s.tokens}, {"flexible_whitespace", flexible}};
  std::ofstream(path, std::ios::app) << line.dump() << "\n";
}

void check(const std::string& schema, size_t index, const JsonSchemaOptions& options, bool flexible) {
  for (uint64_t seed = 0; seed < 2; ++seed) {
    const Sample s = generate(schema, index * 1000 + seed + (flexible ? 500 : 0), options);
    EXPECT_TRUE(s.complete) << s.text;
    EXPECT_LE(s.tokens, kTokenBudget);
    EXPECT_TRUE(nlohmann::json::accept(s.text)) << s.text;
    record(schema, s, flexible);
  }
}

class GrammarProperty : public ::testing::TestWithParam<size_t> {};

TEST_P(GrammarProperty, SampledOutputIsCompleteJson) { check(kSchemas[GetParam()], GetParam(), {}, false); }

INSTANTIATE_TEST_SUITE_P(Schemas, GrammarProperty, ::testing::Range<size_t>(0, kSchemaCount));

class GrammarPropertyFlexible : public ::testing::TestWithParam<size_t> {};

TEST_P(GrammarPropertyFlexible, SampledOutputIsCompleteJson) {
  JsonSchemaOptions options;
  options.whitespace = JsonSchemaOptions::Whitespace::kFlexible;
  check(kSchemas[GetParam()], GetParam(), options, true);
}

INSTANTIATE_TEST_SUITE_P(Schemas, GrammarPropertyFlexible, ::testing::ValuesIn(kFlexibleSchemas));

TEST(GrammarProperty, EnoughSchemas) { EXPECT_GE(kSchemaCount, 50u); }

}  // namespace
}  // namespace qwenrt::grammar
