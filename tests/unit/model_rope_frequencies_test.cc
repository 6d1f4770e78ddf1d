// RoPE inverse frequencies and YaRN's cos/sin factor against the rotary embedding
// transformers builds for each config golden (tools/goldens/make_config_goldens.py):
// default, linear and yarn, bit for bit.
#include "model/rope_frequencies.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace qwenrt {
namespace {

namespace fs = std::filesystem;

TEST(RopeFrequencies, EqualTransformersRotaryEmbedding) {
  const fs::path dir = fs::path(QWENRT_SOURCE_DIR) / "tests/goldens/io/configs";
  std::set<std::string> types;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!fs::exists(entry.path() / "expected.json")) continue;
    SCOPED_TRACE(entry.path().filename().string());
    const nlohmann::json want = nlohmann::json::parse(std::ifstream(entry.path() / "expected.json"));
    const ModelConfig c = read_model_config(entry.path().string());
    const RopeFrequencies got = rope_frequencies(c.rope, c.head_dim, c.max_position_embeddings, c.source);
    std::vector<float> inv_freq;
    for (double f : want["rope_inv_freq"]) inv_freq.push_back(static_cast<float>(f));
    EXPECT_EQ(got.inv_freq, inv_freq);
    EXPECT_EQ(got.attention_scaling, static_cast<float>(want["rope_attention_scaling"].get<double>()));
    types.insert(c.rope.type);
  }
  EXPECT_EQ(types, (std::set<std::string>{"default", "linear", "yarn"}));
}

}  // namespace
}  // namespace qwenrt
