// A checkpoint that disagrees with its config, or asks for something the decoder does
// not implement, is refused with an error naming the problem, never run wrongly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "io/safetensors.h"
#include "io/safetensors_writer.h"
#include "model/causal_lm.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ModelLoadErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("qwenrt_model_errors_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    use_fixture("qwen2_tied_gqa2_f32");
  }
  void use_fixture(const std::string& name) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const fs::path src = fs::path(QWENRT_SOURCE_DIR) / "tests/goldens/models" / name;
    for (const char* f : {"config.json", "model.safetensors"}) fs::copy_file(src / f, dir_ / f);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void edit_config(const std::function<void(json&)>& edit) {
    json config = json::parse(std::ifstream(dir_ / "config.json"));
    edit(config);
    std::ofstream(dir_ / "config.json") << config.dump(2);
  }

  // Rewrites model.safetensors keeping the tensors `keep` accepts.
  void filter_tensors(const std::function<bool(const std::string&)>& keep) {
    std::vector<uint8_t> copy;
    {
      auto file = SafetensorsFile::open((dir_ / "model.safetensors").string());
      std::vector<NamedTensor> tensors;
      for (const auto& [name, view] : file.tensors())
        if (keep(name)) tensors.push_back({name, view});
      copy = serialize_safetensors(tensors);
    }
    std::ofstream(dir_ / "model.safetensors", std::ios::binary)
        .write(reinterpret_cast<const char*>(copy.data()), static_cast<std::streamsize>(copy.size()));
  }

  std::string load_error() {
    ThreadPool pool(1);
    try {
      CausalLM::load(dir_.string(), pool);
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "load succeeded";
    return "";
  }

  fs::path dir_;
};

TEST_F(ModelLoadErrors, LoadsUnmodifiedCopy) {
  ThreadPool pool(1);
  EXPECT_NO_THROW(CausalLM::load(dir_.string(), pool));
}

TEST_F(ModelLoadErrors, UnsupportedArchitecture) {
  edit_config([](json& c) { c["architectures"] = {"LlamaForCausalLM"}; });
  EXPECT_NE(load_error().find("LlamaForCausalLM"), std::string::npos);
}

TEST_F(ModelLoadErrors, MixtureOfExpertsWithAnExpertMissing) {
  use_fixture("qwen3_moe_top3_norm_f32");
  filter_tensors([](const std::string& name) { return name != "model.layers.1.mlp.experts.3.up_proj.weight"; });
  EXPECT_NE(load_error().find("has no tensor model.layers.1.mlp.experts.3.up_proj.weight"), std::string::npos);
}

TEST_F(ModelLoadErrors, MixtureOfExpertsWithMoreExpertsThanStored) {
  use_fixture("qwen2_moe_top2_shared_f32");
  edit_config([](json& c) { c["num_experts"] = 9; });
  EXPECT_NE(load_error().find("model.layers.0.mlp.gate.weight"), std::string::npos);
}

TEST_F(ModelLoadErrors, MixtureOfExpertsChoosingMoreExpertsThanThereAre) {
  use_fixture("qwen3_moe_top3_norm_f32");
  edit_config([](json& c) { c["num_experts_per_tok"] = 9; });
  EXPECT_NE(load_error().find("num_experts_per_tok"), std::string::npos);
}

TEST_F(ModelLoadErrors, UnsupportedRopeScaling) {
  edit_config([](json& c) {
    c["rope_scaling"] = {{"rope_type", "longrope"}, {"factor", 4.0}, {"original_max_position_embeddings", 32768},
                         {"short_factor", json::array()}, {"long_factor", json::array()}};
  });
  EXPECT_NE(load_error().find("rope type 'longrope' is not supported (default, linear and yarn are)"), std::string::npos);
}

TEST_F(ModelLoadErrors, ShapeDisagreesWithConfig) {
  edit_config([](json& c) { c["intermediate_size"] = 128; });
  const std::string error = load_error();
  EXPECT_NE(error.find("mlp.gate_proj.weight"), std::string::npos) << error;
  EXPECT_NE(error.find("[128, 64]"), std::string::npos) << error;
}

TEST_F(ModelLoadErrors, MissingTensor) {
  filter_tensors([](const std::string& n) { return n != "model.layers.1.self_attn.k_proj.bias"; });
  EXPECT_NE(load_error().find("model.layers.1.self_attn.k_proj.bias"), std::string::npos);
}

TEST_F(ModelLoadErrors, MissingConfig) {
  fs::remove(dir_ / "config.json");
  EXPECT_NE(load_error().find("config.json"), std::string::npos);
}

TEST_F(ModelLoadErrors, MissingWeights) {
  fs::remove(dir_ / "model.safetensors");
  EXPECT_NE(load_error().find("model.safetensors"), std::string::npos);
}

TEST_F(ModelLoadErrors, TokenOutsideVocabulary) {
  ThreadPool pool(1);
  auto model = CausalLM::load(dir_.string(), pool);
  auto cache = model->make_cache(4);
  std::vector<float> logits(static_cast<size_t>(model->shape().vocab));
  const int32_t bad = static_cast<int32_t>(model->shape().vocab);
  EXPECT_THROW(model->forward(&bad, 1, cache, logits.data(), false), Error);
}

TEST_F(ModelLoadErrors, ContextBeyondCacheCapacity) {
  ThreadPool pool(1);
  auto model = CausalLM::load(dir_.string(), pool);
  auto cache = model->make_cache(2);
  std::vector<int32_t> tokens = {5, 6, 7};
  std::vector<float> logits(static_cast<size_t>(model->shape().vocab));
  EXPECT_THROW(model->forward(tokens.data(), 3, cache, logits.data(), false), Error);
}

}  // namespace
}  // namespace qwenrt
