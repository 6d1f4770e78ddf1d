// Mixture-of-experts layers in the batched (serving) pass: a row's result must not depend
// on what else shares the step. A prompt in one chunk sends many rows through each expert
// together (gathered rows); token by token, each expert sees one row. Both must give the
// same bits.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "io/quantize_model.h"
#include "model/causal_lm.h"

namespace qwenrt {
namespace {

const std::string kGoldens = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/";
const std::vector<int32_t> kTokens = {1, 17, 42, 5, 33, 3, 60, 12, 9, 50, 2, 7, 31};

std::vector<float> last_logits(CausalLM& model, bool one_chunk) {
  const auto n = static_cast<int64_t>(kTokens.size());
  const int64_t block_size = 4, n_blocks = (n + block_size - 1) / block_size;
  auto cache = model.make_paged_cache(n_blocks, block_size);
  std::vector<int32_t> table(static_cast<size_t>(n_blocks));
  for (int64_t b = 0; b < n_blocks; ++b) table[static_cast<size_t>(b)] = static_cast<int32_t>(b);
  std::vector<float> logits(static_cast<size_t>(model.shape().vocab));
  for (int64_t t = 0; t < n; t += one_chunk ? n : 1) {
    const SequenceChunk chunk{kTokens.data() + t, one_chunk ? n : 1, t, table.data(), n_blocks, true};
    model.forward_batch(std::span(&chunk, 1), cache, logits.data());
  }
  return logits;
}

std::vector<std::string> models() {
  std::vector<std::string> out = {kGoldens + "models/qwen3_moe_top3_norm_f32", kGoldens + "models/qwen2_moe_top2_shared_bf16"};
  // The same through the packed integer kernels: tiny MoE GGUFs quantized by qwenrt.
  const auto dir = std::filesystem::temp_directory_path() / ("qwenrt_moe_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const char* model : {"qwen2moe_tiny", "qwen3moe_tiny"}) {
    for (QuantMix mix : {QuantMix::Q8_0, QuantMix::Q4_0}) {
      const std::string path = (dir / (std::string(model) + "-" + quant_mix_name(mix) + ".gguf")).string();
      QuantizeOptions o;
      o.mix = mix;
      quantize_model(kGoldens + "gguf/" + model + "/model.gguf", path, o);
      out.push_back(path);
    }
  }
  return out;
}

TEST(ModelMoe, OneRowStepsGiveTheBitsOfTheBatchedExperts) {
  ThreadPool pool(2);
  for (const std::string& path : models()) {
    SCOPED_TRACE(path);
    auto model = CausalLM::load(path, pool);
    ASSERT_GT(model->shape().n_experts, 0);
    EXPECT_EQ(last_logits(*model, true), last_logits(*model, false));
  }
}

}  // namespace
}  // namespace qwenrt
