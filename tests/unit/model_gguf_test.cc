// A GGUF file (as llama.cpp's converter writes it) runs the same model as the
// safetensors checkpoint it came from: same config from metadata, same weights by name.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "model/causal_lm.h"

namespace qwenrt {
namespace {

std::vector<float> all_logits(const std::string& path, const std::vector<int32_t>& tokens) {
  ThreadPool pool(2);
  auto model = CausalLM::load(path, pool);
  auto cache = model->make_cache(static_cast<int64_t>(tokens.size()));
  std::vector<float> logits(tokens.size() * static_cast<size_t>(model->shape().vocab));
  model->forward(tokens.data(), static_cast<int64_t>(tokens.size()), cache, logits.data(), true);
  return logits;
}

TEST(ModelGguf, GgufRunsExactlyLikeItsSafetensorsSource) {
  const std::vector<int32_t> tokens = {1, 17, 42, 5, 33, 3, 60, 12};
  for (const char* name : {"qwen2_tiny", "qwen3_tiny", "qwen2moe_tiny", "qwen3moe_tiny"}) {
    const std::string dir = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/gguf/" + name;
    EXPECT_EQ(all_logits(dir + "/model.gguf", tokens), all_logits(dir, tokens)) << name;
  }
}

}  // namespace
}  // namespace qwenrt
