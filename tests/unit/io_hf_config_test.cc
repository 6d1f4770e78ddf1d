// config.json and generation_config.json read as transformers reads them: every case in
// tests/goldens/io/configs/ compared with what transformers resolved from the same file
// (tools/goldens/make_config_goldens.py), and bad values refused naming file and key.
#include "io/hf_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <unistd.h>

#include "base/error.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kConfigs = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/io/configs";

json read_json(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

template <class T>
json opt(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

std::string config_error(const std::string& text) {
  try {
    parse_model_config(text, "dir/config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string generation_error(const std::string& text) {
  try {
    parse_generation_config(text, "dir/generation_config.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

// Small valid Qwen2 config text with `extra` keys added or overriding.
std::string qwen2(const json& extra = json::object()) {
  json c = {{"model_type", "qwen2"}, {"hidden_size", 64},      {"intermediate_size", 96},
            {"num_hidden_layers", 2}, {"num_attention_heads", 4}, {"num_key_value_heads", 2},
            {"vocab_size", 320}};
  c.update(extra);
  return c.dump();
}

TEST(ModelConfig, MatchesTransformersOnEveryGoldenCase) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (!fs::exists(entry.path() / "expected.json")) continue;
    ++cases;
    SCOPED_TRACE(entry.path().filename().string());
    const json want = read_json(entry.path() / "expected.json");
    const ModelConfig c = read_model_config(entry.path().string());
    EXPECT_EQ(c.source, (entry.path() / "config.json").string());
    EXPECT_EQ(c.architecture, want["architecture"]);
    EXPECT_EQ(c.model_type, want["model_type"]);
    EXPECT_EQ(c.vocab_size, want["vocab_size"]);
    EXPECT_EQ(c.hidden_size, want["hidden_size"]);
    EXPECT_EQ(c.intermediate_size, want["intermediate_size"]);
    EXPECT_EQ(c.num_hidden_layers, want["num_hidden_layers"]);
    EXPECT_EQ(c.num_attention_heads, want["num_attention_heads"]);
    EXPECT_EQ(c.num_key_value_heads, want["num_key_value_heads"]);
    EXPECT_EQ(c.head_dim, want["head_dim"]);
    EXPECT_EQ(c.max_position_embeddings, want["max_position_embeddings"]);
    EXPECT_EQ(c.hidden_act, want["hidden_act"]);
    EXPECT_EQ(c.rms_norm_eps, want["rms_norm_eps"].get<double>());
    EXPECT_EQ(c.tie_word_embeddings, want["tie_word_embeddings"]);
    EXPECT_EQ(c.qkv_bias, want["qkv_bias"]);
    EXPECT_EQ(c.qkv_bias, want["k_bias"]);
    EXPECT_EQ(c.qkv_bias, want["v_bias"]);
    EXPECT_EQ(c.o_bias, want["o_bias"]);
    EXPECT_EQ(c.torch_dtype, want["dtype"]);
    EXPECT_EQ(c.rope.type, want["rope_type"]);
    EXPECT_EQ(c.rope.theta, want["rope_theta"].get<double>());
    EXPECT_EQ(opt(c.rope.factor), want["rope_factor"]);
    EXPECT_EQ(opt(c.rope.original_max_position_embeddings), want["rope_original_max_position_embeddings"]);
    json windows = json::array();
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      windows.push_back(c.is_sliding_layer(i) ? json(*c.sliding_window) : json(nullptr));
    }
    EXPECT_EQ(windows, want["layer_sliding_window"]);
    EXPECT_EQ(opt(c.bos_token_id), want["bos_token_id"]);
    EXPECT_EQ(opt(c.pad_token_id), want["pad_token_id"]);
    EXPECT_EQ(json(c.eos_token_ids), want["eos_token_ids"]);
    EXPECT_EQ(c.num_experts, want["num_experts"]);
    EXPECT_EQ(c.num_experts_per_tok, want["num_experts_per_tok"]);
    EXPECT_EQ(c.moe_intermediate_size, want["moe_intermediate_size"]);
    EXPECT_EQ(c.shared_expert_intermediate_size, want["shared_expert_intermediate_size"]);
    EXPECT_EQ(c.norm_topk_prob, want["norm_topk_prob"]);
    std::vector<bool> moe_layers;
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) moe_layers.push_back(c.is_moe_layer(i));
    EXPECT_EQ(json(moe_layers), want["moe_layers"]);
  }
  EXPECT_GE(cases, 10);
}

TEST(GenerationConfig, MatchesTransformersOnEveryGoldenCase) {
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (!fs::exists(entry.path() / "expected_generation.json")) continue;
    ++cases;
    SCOPED_TRACE(entry.path().filename().string());
    const json want = read_json(entry.path() / "expected_generation.json");
    const GenerationConfig g = read_generation_config(entry.path().string());
    EXPECT_EQ(json(g.eos_token_ids), want["eos_token_ids"]);
    EXPECT_EQ(opt(g.bos_token_id), want["bos_token_id"]);
    EXPECT_EQ(opt(g.pad_token_id), want["pad_token_id"]);
    EXPECT_EQ(opt(g.do_sample), want["do_sample"]);
    EXPECT_EQ(opt(g.temperature), want["temperature"]);
    EXPECT_EQ(opt(g.top_p), want["top_p"]);
    EXPECT_EQ(opt(g.top_k), want["top_k"]);
    EXPECT_EQ(opt(g.min_p), want["min_p"]);
    EXPECT_EQ(opt(g.repetition_penalty), want["repetition_penalty"]);
  }
  EXPECT_GE(cases, 3);
}

TEST(ModelConfig, ReadsTheModelGoldensConfigs) {
  const fs::path models = fs::path(QWENRT_SOURCE_DIR) / "tests/goldens/models";
  for (const auto& entry : fs::directory_iterator(models)) {
    const json raw = read_json(entry.path() / "config.json");
    const ModelConfig c = read_model_config(entry.path().string());
    EXPECT_EQ(c.architecture, raw["architectures"][0]);
    EXPECT_EQ(c.num_key_value_heads, raw["num_key_value_heads"]);
    EXPECT_EQ(c.rope.theta, raw["rope_parameters"]["rope_theta"].get<double>());
    EXPECT_EQ(c.qkv_bias, c.model_type.starts_with("qwen2"));
    EXPECT_FALSE(c.o_bias);
    EXPECT_EQ(c.head_dim, raw.value("head_dim", c.hidden_size / c.num_attention_heads));
  }
}

TEST(GenerationConfig, AbsentFileLeavesEverythingUnset) {
  const fs::path dir = fs::temp_directory_path() / ("qwenrt_io_gen_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const GenerationConfig g = read_generation_config(dir.string());
  EXPECT_TRUE(g.eos_token_ids.empty());
  EXPECT_FALSE(g.temperature.has_value());
  EXPECT_FALSE(g.do_sample.has_value());
  try {
    read_model_config(dir.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(dir.string()), HasSubstr("no config.json")));
  }
  fs::remove_all(dir);
}

TEST(ModelConfig, RefusesMalformedFiles) {
  EXPECT_THAT(config_error("{\"model_type\": "), AllOf(HasSubstr("dir/config.json"), HasSubstr("not valid JSON")));
  EXPECT_THAT(config_error("[1]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(config_error("{\"model_type\": \"qwen2\", \"hidden_size\": 1e999}"), HasSubstr("not valid JSON"));
  EXPECT_THAT(config_error("{}"), AllOf(HasSubstr("\"model_type\""), HasSubstr("required")));
  EXPECT_THAT(config_error("{\"model_type\": 2}"), HasSubstr("\"model_type\" must be a string"));
  EXPECT_THAT(config_error(qwen2({{"architectures", "Qwen2ForCausalLM"}})), HasSubstr("\"architectures\""));
}

TEST(ModelConfig, RefusesBadValuesNamingTheKey) {
  struct Case {
    json extra;
    std::vector<std::string> expect;
  };
  const std::vector<Case> cases = {
      {{{"hidden_size", "64"}}, {"\"hidden_size\"", "must be an integer", "\"64\""}},
      {{{"hidden_size", 64.0}}, {"\"hidden_size\"", "must be an integer"}},
      {{{"hidden_size", nullptr}}, {"\"hidden_size\"", "null"}},
      {{{"hidden_size", -1}}, {"\"hidden_size\"", "positive"}},
      {{{"vocab_size", 0}}, {"\"vocab_size\"", "positive"}},
      {{{"intermediate_size", 18446744073709551615ull}}, {"\"intermediate_size\"", "too large"}},
      {{{"num_hidden_layers", 1e20}}, {"\"num_hidden_layers\"", "must be an integer"}},
      {{{"num_key_value_heads", 3}}, {"\"num_key_value_heads\"", "must divide num_attention_heads (4)"}},
      {{{"num_key_value_heads", 0}}, {"\"num_key_value_heads\"", "positive"}},
      {{{"head_dim", 15}}, {"\"head_dim\"", "even"}},
      {{{"rms_norm_eps", 0}}, {"\"rms_norm_eps\"", "positive"}},
      {{{"rms_norm_eps", "1e-6"}}, {"\"rms_norm_eps\"", "must be a number"}},
      {{{"tie_word_embeddings", "yes"}}, {"\"tie_word_embeddings\"", "true or false"}},
      {{{"tie_word_embeddings", 1}}, {"\"tie_word_embeddings\"", "true or false"}},
      {{{"rope_theta", -5.0}}, {"\"rope_theta\"", "positive"}},
      {{{"rope_parameters", {{"rope_theta", 0}}}}, {"\"rope_parameters.rope_theta\"", "positive"}},
      {{{"rope_scaling", "yarn"}}, {"\"rope_scaling\"", "must be an object"}},
      {{{"rope_scaling", {{"type", "yarn"}, {"factor", -4.0}}}}, {"\"rope_scaling.factor\"", "positive"}},
      {{{"rope_scaling", {{"rope_type", 3}}}}, {"\"rope_scaling.rope_type\"", "must be a string"}},
      {{{"rope_parameters", {{"full_attention", {{"rope_theta", 1.0}}}}}}, {"\"rope_parameters\"", "per-layer"}},
      {{{"use_sliding_window", true}, {"sliding_window", 0}}, {"\"sliding_window\"", "positive"}},
      {{{"max_window_layers", -1}}, {"\"max_window_layers\"", "negative"}},
      {{{"layer_types", {"full_attention"}}}, {"\"layer_types\"", "num_hidden_layers (2)"}},
      {{{"layer_types", {"full_attention", "chunked_attention"}}}, {"\"layer_types\"", "\"chunked_attention\""}},
      {{{"eos_token_id", -1}}, {"\"eos_token_id\"", "non-negative"}},
      {{{"eos_token_id", {1, "2"}}}, {"\"eos_token_id\"", "must be an integer"}},
      {{{"bos_token_id", 1.5}}, {"\"bos_token_id\"", "must be an integer"}},
      {{{"dtype", 16}}, {"\"dtype\"", "must be a string"}},
  };
  for (const Case& c : cases) {
    const std::string message = config_error(qwen2(c.extra));
    for (const std::string& part : c.expect) EXPECT_THAT(message, HasSubstr(part)) << c.extra.dump();
    EXPECT_THAT(message, HasSubstr("dir/config.json")) << c.extra.dump();
  }
  // Absent num_key_value_heads means transformers' 32, which 4 heads cannot share.
  json no_kv = json::parse(qwen2());
  no_kv.erase("num_key_value_heads");
  EXPECT_THAT(config_error(no_kv.dump()), AllOf(HasSubstr("\"num_key_value_heads\" is absent, so transformers uses 32"),
                                                 HasSubstr("does not divide num_attention_heads (4)")));
}

TEST(ModelConfig, SlidingWindowAndRopeDetails) {
  ModelConfig c = parse_model_config(
      qwen2({{"num_hidden_layers", 3}, {"use_sliding_window", true}, {"sliding_window", 16},
             {"layer_types", {"sliding_attention", "full_attention", "sliding_attention"}},
             {"rope_scaling", {{"type", "mrope"}, {"mrope_section", {16, 24, 24}}}}}),
      "x");
  EXPECT_EQ(c.sliding_window, 16);
  EXPECT_TRUE(c.is_sliding_layer(0));
  EXPECT_FALSE(c.is_sliding_layer(1));
  EXPECT_TRUE(c.is_sliding_layer(2));
  EXPECT_FALSE(c.is_sliding_layer(3));
  EXPECT_EQ(c.rope.type, "mrope");
  EXPECT_EQ(c.rope.mrope_section, (std::vector<int64_t>{16, 24, 24}));
  EXPECT_FALSE(c.rope.original_max_position_embeddings.has_value());

  c = parse_model_config(qwen2({{"max_position_embeddings", 4096},
                                {"original_max_position_embeddings", 1024},
                                {"rope_scaling", {{"rope_type", "yarn"}, {"factor", 4.0},
                                                  {"original_max_position_embeddings", 2048},
                                                  {"beta_fast", 32.0}}}}),
                         "x");
  EXPECT_EQ(c.rope.original_max_position_embeddings, 1024);  // a top-level key wins, as in transformers
  EXPECT_EQ(c.rope.beta_fast, 32.0);
  EXPECT_EQ(c.rope.factor, 4.0);
}

TEST(GenerationConfig, RefusesBadValuesNamingTheKey) {
  EXPECT_THAT(generation_error("{"), AllOf(HasSubstr("dir/generation_config.json"), HasSubstr("not valid JSON")));
  EXPECT_THAT(generation_error("{\"temperature\": \"hot\"}"),
              AllOf(HasSubstr("\"temperature\""), HasSubstr("must be a number")));
  EXPECT_THAT(generation_error("{\"temperature\": -1}"), HasSubstr("\"temperature\""));
  EXPECT_THAT(generation_error("{\"top_p\": 1.5}"), AllOf(HasSubstr("\"top_p\""), HasSubstr("[0, 1]")));
  EXPECT_THAT(generation_error("{\"min_p\": -0.1}"), HasSubstr("\"min_p\""));
  EXPECT_THAT(generation_error("{\"top_k\": -1}"), HasSubstr("\"top_k\""));
  EXPECT_THAT(generation_error("{\"top_k\": 2.5}"), HasSubstr("\"top_k\" must be an integer"));
  EXPECT_THAT(generation_error("{\"repetition_penalty\": 0}"), HasSubstr("\"repetition_penalty\""));
  EXPECT_THAT(generation_error("{\"do_sample\": 1}"), HasSubstr("\"do_sample\" must be true or false"));
  EXPECT_THAT(generation_error("{\"eos_token_id\": [\"a\"]}"), HasSubstr("\"eos_token_id\""));
  EXPECT_THAT(generation_error("{\"eos_token_id\": {}}"), HasSubstr("\"eos_token_id\""));
  EXPECT_EQ(generation_error("{\"temperature\": null, \"eos_token_id\": null}"), "<no error>");
}

}  // namespace
}  // namespace qwenrt
