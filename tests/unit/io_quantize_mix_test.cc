// `qwenrt quantize`'s per-tensor type choice against llama-quantize's own, tensor by tensor,
// for every mix and for dense and MoE models (fixture: tools/goldens/make_mix_goldens.py).
#include "io/quantize_mix.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace qwenrt {
namespace {

using nlohmann::json;

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

TEST(QuantizeMix, EveryTensorGetsLlamaQuantizesType) {
  std::ifstream in(std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/quant/mix_expected.json");
  const json models = json::parse(in);
  int checked = 0;
  for (const auto& [model, m] : models.items()) {
    for (const auto& [mix_name, types] : m["mixes"].items()) {
      const std::optional<QuantMix> mix = parse_quant_mix(mix_name);
      ASSERT_TRUE(mix.has_value()) << mix_name;
      for (const auto& [name, tensor] : m["tensors"].items()) {
        std::vector<int64_t> shape = tensor["dims"];  // GGUF order: ne0 first
        std::reverse(shape.begin(), shape.end());
        const TensorRole role = tensor_role(name, shape, m["n_layers"], m["n_experts"], m["tied"]);
        const DType source = tensor["type"] == "F16" ? DType::F16 : DType::F32;
        EXPECT_EQ(upper(dtype_name(choose_tensor_type(*mix, role, source))), types[name].get<std::string>())
            << model << " " << mix_name << " " << name;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 4000);
}

}  // namespace
}  // namespace qwenrt
