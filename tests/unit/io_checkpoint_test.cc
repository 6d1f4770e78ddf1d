// Opening Hugging Face model directories: single files, sharded checkpoints written by
// transformers, and the broken directories strangers will hand us.
#include "io/checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "base/error.h"
#include "io/safetensors_writer.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;

const std::string kGoldens = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens";

// A fresh directory, removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("qwenrt_io_ckpt_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  void write_text(const std::string& name, const std::string& text) const { std::ofstream(file(name)) << text; }

 private:
  fs::path path_;
};

std::string open_error(const std::string& dir) {
  try {
    Checkpoint::open(dir);
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

const float kData[4] = {1.0f, 2.0f, 3.0f, 4.0f};

NamedTensor f32(const std::string& name, int64_t n, const float* data = kData) {
  return {name, TensorView{DType::F32, {n}, data, static_cast<size_t>(n) * 4}};
}

// Two shards and an index assigning a -> shard 1, b and c -> shard 2.
void write_two_shards(const TempDir& dir) {
  write_safetensors(dir.file("s1.safetensors"), {f32("a", 2)});
  write_safetensors(dir.file("s2.safetensors"), {f32("b", 3), f32("c", 1, kData + 3)});
  dir.write_text("model.safetensors.index.json",
                 R"({"metadata":{"total_size":24},"weight_map":{"a":"s1.safetensors","b":"s2.safetensors",)"
                 R"("c":"s2.safetensors"}})");
}

TEST(Checkpoint, OpensShardedCheckpointWrittenByTransformers) {
  const std::string dir = kGoldens + "/io/sharded";
  Checkpoint ckpt = Checkpoint::open(dir);
  EXPECT_EQ(ckpt.num_files(), 6u);
  // Exactly the tensors the index names: embed_tokens, norm, lm_head, 11 per layer.
  std::ifstream index_file(dir + "/model.safetensors.index.json");
  const auto index = nlohmann::json::parse(index_file);
  std::vector<std::string> listed;
  for (const auto& [name, shard] : index.at("weight_map").items()) listed.push_back(name);
  EXPECT_EQ(ckpt.names(), listed);
  EXPECT_EQ(listed.size(), 3u + 2u * 11u);
  const TensorView& embed = ckpt.get("model.embed_tokens.weight");
  EXPECT_EQ(embed.shape, (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(embed.dtype, DType::F32);
  EXPECT_THAT(ckpt.file_of("lm_head.weight"), HasSubstr("model-00006-of-00006.safetensors"));
  EXPECT_THAT(ckpt.file_of("model.embed_tokens.weight"), HasSubstr("model-00001-of-00006.safetensors"));
  EXPECT_GE(ckpt.file_offset_of("lm_head.weight"), 8u);
  EXPECT_EQ(ckpt.get("model.layers.1.self_attn.k_proj.weight").shape, (std::vector<int64_t>{8, 16}));
}

TEST(Checkpoint, OpensEveryGoldenModelDirectory) {
  for (const auto& entry : fs::directory_iterator(kGoldens + "/models")) {
    Checkpoint ckpt = Checkpoint::open(entry.path().string());
    EXPECT_EQ(ckpt.num_files(), 1u);
    ASSERT_NE(ckpt.find("model.embed_tokens.weight"), nullptr) << entry.path();
    EXPECT_EQ(ckpt.get("model.embed_tokens.weight").shape, (std::vector<int64_t>{320, 64}));
    EXPECT_NE(ckpt.find("model.norm.weight"), nullptr);
  }
}

TEST(Checkpoint, MissingTensorNamesTensorAndDirectory) {
  TempDir dir;
  write_safetensors(dir.file("model.safetensors"), {f32("a", 2)});
  Checkpoint ckpt = Checkpoint::open(dir.str());
  EXPECT_EQ(ckpt.find("b"), nullptr);
  try {
    ckpt.get("model.layers.0.mlp.up_proj.weight");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("model.layers.0.mlp.up_proj.weight"), HasSubstr(dir.str())));
  }
  EXPECT_THROW(ckpt.file_of("b"), Error);
}

TEST(Checkpoint, ShardsLoadAndKeepTheirOrigin) {
  TempDir dir;
  write_two_shards(dir);
  Checkpoint ckpt = Checkpoint::open(dir.str());
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(ckpt.file_of("a"), dir.file("s1.safetensors"));
  EXPECT_EQ(ckpt.file_of("c"), dir.file("s2.safetensors"));
  EXPECT_EQ(*static_cast<const float*>(ckpt.get("c").data), 4.0f);
  // A moved checkpoint keeps valid views: the mappings do not move.
  Checkpoint moved = std::move(ckpt);
  EXPECT_EQ(static_cast<const float*>(moved.get("b").data)[2], 3.0f);
}

TEST(Checkpoint, SingleFileWinsOverIndex) {
  TempDir dir;
  write_two_shards(dir);
  write_safetensors(dir.file("model.safetensors"), {f32("only", 1)});
  EXPECT_EQ(Checkpoint::open(dir.str()).names(), (std::vector<std::string>{"only"}));
}

TEST(Checkpoint, RefusesMissingShard) {
  TempDir dir;
  write_two_shards(dir);
  fs::remove(dir.file("s2.safetensors"));
  EXPECT_THAT(open_error(dir.str()),
              AllOf(HasSubstr("model.safetensors.index.json"), HasSubstr("s2.safetensors"),
                    HasSubstr("does not exist")));
}

TEST(Checkpoint, RefusesIndexNamingAbsentTensor) {
  TempDir dir;
  write_two_shards(dir);
  dir.write_text("model.safetensors.index.json",
                 R"({"weight_map":{"a":"s1.safetensors","ghost":"s1.safetensors"}})");
  EXPECT_THAT(open_error(dir.str()), AllOf(HasSubstr("\"ghost\""), HasSubstr("s1.safetensors"),
                                           HasSubstr("does not hold it")));
}

TEST(Checkpoint, RefusesBadIndex) {
  TempDir dir;
  write_two_shards(dir);
  dir.write_text("model.safetensors.index.json", "{\"weight_map\": {");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("not valid JSON"));
  dir.write_text("model.safetensors.index.json", "{\"metadata\": {\"total_size\": 1e400}}");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("not valid JSON"));
  dir.write_text("model.safetensors.index.json", "[]");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("must be a JSON object"));
  dir.write_text("model.safetensors.index.json", "{}");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("missing key \"weight_map\""));
  dir.write_text("model.safetensors.index.json", R"({"weight_map":{}})");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("names no tensors"));
  dir.write_text("model.safetensors.index.json", R"({"weight_map":{"a":3}})");
  EXPECT_THAT(open_error(dir.str()), AllOf(HasSubstr("\"a\""), HasSubstr("must be a shard file name")));
  dir.write_text("model.safetensors.index.json", R"({"weight_map":{"a":"../s1.safetensors"}})");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("not a plain file name"));
  dir.write_text("model.safetensors.index.json", R"({"weight_map":{"a":"/etc/passwd"}})");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("not a plain file name"));
}

TEST(Checkpoint, RefusesCorruptShardNamingIt) {
  TempDir dir;
  write_two_shards(dir);
  dir.write_text("s2.safetensors", "garbage, not a safetensors file at all");
  EXPECT_THAT(open_error(dir.str()), HasSubstr(dir.file("s2.safetensors")));
}

TEST(Checkpoint, KeepsUnlistedTensorsUnlessAmbiguous) {
  TempDir dir;
  write_safetensors(dir.file("s1.safetensors"), {f32("a", 2), f32("extra", 1)});
  write_safetensors(dir.file("s2.safetensors"), {f32("b", 2), f32("a", 1)});
  dir.write_text("model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","b":"s2.safetensors"}})");
  Checkpoint ckpt = Checkpoint::open(dir.str());
  EXPECT_EQ(ckpt.names(), (std::vector<std::string>{"a", "b", "extra"}));
  EXPECT_EQ(ckpt.get("a").shape, (std::vector<int64_t>{2}));  // the index decides which copy
  EXPECT_EQ(ckpt.file_of("extra"), dir.file("s1.safetensors"));

  write_safetensors(dir.file("s2.safetensors"), {f32("b", 2), f32("extra", 1)});
  EXPECT_THAT(open_error(dir.str()), AllOf(HasSubstr("\"extra\""), HasSubstr("in both")));
}

TEST(Checkpoint, RefusesDirectoriesWithoutWeights) {
  TempDir dir;
  EXPECT_THAT(open_error(dir.str()), AllOf(HasSubstr(dir.str()), HasSubstr("neither model.safetensors")));
  dir.write_text("pytorch_model.bin", "pickle");
  EXPECT_THAT(open_error(dir.str()), HasSubstr("only safetensors"));
  EXPECT_THAT(open_error(dir.file("no-such-dir")), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace qwenrt
