// The hub client's pure parts: model references, cache paths, the hub's file list and
// which files a model needs. Downloads are tested end to end against a fake hub
// (tests/e2e/test_pull.py).
#include "io/hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

#include "base/error.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(ModelReference, ParsesRepoRevisionAndFile) {
  auto r = parse_model_reference("Qwen/Qwen2.5-0.5B-Instruct");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repo, "Qwen/Qwen2.5-0.5B-Instruct");
  EXPECT_EQ(r->revision, "main");
  EXPECT_EQ(r->file, "");
  r = parse_model_reference("Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF@v1.0:q4_k_m");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repo, "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF");
  EXPECT_EQ(r->revision, "v1.0");
  EXPECT_EQ(r->file, "q4_k_m");
  r = parse_model_reference("org/name@refs/pr/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->revision, "refs/pr/1");
  r = parse_model_reference("org/name:sub/model-q8_0.gguf");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->file, "sub/model-q8_0.gguf");
}

TEST(ModelReference, PathsAreNotReferences) {
  for (const char* path : {"/tmp/model", "./model/x", "model.gguf", "a/b/c", "../org/name", "org/na me", "-org/name",
                           "org/.name", "org/na..me", ""}) {
    EXPECT_FALSE(parse_model_reference(path).has_value()) << path;
  }
}

TEST(ModelReference, MalformedPartsAreErrors) {
  EXPECT_THAT(error_of([] { parse_model_reference("org/name@"); }), HasSubstr("revision"));
  EXPECT_THAT(error_of([] { parse_model_reference("org/name@a/../b"); }), HasSubstr("revision"));
  EXPECT_THAT(error_of([] { parse_model_reference("org/name:"); }), HasSubstr("nothing follows ':'"));
  EXPECT_THAT(error_of([] { parse_model_reference("org/name:../x.gguf"); }), HasSubstr("unsafe file name"));
}

TEST(RepoCache, UsesHuggingFaceHubLayout) {
  const fs::path dir = fs::temp_directory_path() / ("qwenrt_hub_cache_" + std::to_string(::getpid()));
  const RepoCache cache(dir, "Qwen/Qwen3-0.6B");
  EXPECT_EQ(cache.root(), dir / "models--Qwen--Qwen3-0.6B");
  const std::string commit(40, 'a');
  EXPECT_FALSE(cache.cached_commit("main"));
  fs::create_directories(cache.blob("x").parent_path());
  std::ofstream(cache.blob("b1")) << "top";
  std::ofstream(cache.blob("b2")) << "nested";
  cache.link(commit, "config.json", "b1");
  cache.link(commit, "sub/dir/model.gguf", "b2");
  EXPECT_EQ(fs::read_symlink(cache.snapshot(commit) / "config.json"), fs::path("../../blobs/b1"));
  EXPECT_EQ(fs::read_symlink(cache.snapshot(commit) / "sub/dir/model.gguf"), fs::path("../../../../blobs/b2"));
  std::ifstream nested(cache.snapshot(commit) / "sub/dir/model.gguf");
  std::string text;
  nested >> text;
  EXPECT_EQ(text, "nested");
  EXPECT_FALSE(cache.cached_commit("main"));
  EXPECT_EQ(cache.cached_commit(commit), commit);  // a commit names itself
  cache.set_ref("main", commit);
  cache.set_ref("refs/pr/1", commit);
  EXPECT_EQ(cache.cached_commit("main"), commit);
  EXPECT_EQ(cache.cached_commit("refs/pr/1"), commit);
  EXPECT_FALSE(cache.cached_commit(std::string(40, 'b')));
  fs::remove_all(dir);
}

TEST(RepoCache, SafePathsStayInside) {
  for (const char* ok : {"config.json", "a/b.safetensors", "x..y.json"}) EXPECT_NO_THROW(check_safe_repo_path(ok, "o/r")) << ok;
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a\\b", "a/"}) {
    EXPECT_THAT(error_of([&] { check_safe_repo_path(bad, "o/r"); }), HasSubstr("unsafe file name")) << bad;
  }
}

const char* kRepoInfo = R"({"id": "o/r", "sha": "0123456789ABCDEF0123456789abcdef01234567", "siblings": [
  {"rfilename": "config.json", "size": 10, "blobId": "1111111111111111111111111111111111111111"},
  {"rfilename": "model.safetensors", "size": 99, "blobId": "2222222222222222222222222222222222222222",
   "lfs": {"sha256": "3333333333333333333333333333333333333333333333333333333333333333", "size": 99}},
  {"rfilename": "tokenizer.json", "size": 5, "blobId": "4444444444444444444444444444444444444444"},
  {"rfilename": "README.md", "size": 5, "blobId": "5555555555555555555555555555555555555555"},
  {"rfilename": "onnx/model.json", "size": 5, "blobId": "6666666666666666666666666666666666666666"},
  {"rfilename": "m-Q4_K_M.gguf", "size": 7, "blobId": "7777777777777777777777777777777777777777",
   "lfs": {"sha256": "8888888888888888888888888888888888888888888888888888888888888888"}},
  {"rfilename": "m-q8_0.gguf", "size": 7, "blobId": "9999999999999999999999999999999999999999", "lfs": null}]})";

ModelReference reference(const std::string& repo, const std::string& file = "") {
  ModelReference r;
  r.repo = repo;
  r.file = file;
  return r;
}

std::vector<std::string> names(const std::vector<RepoFile>& files) {
  std::vector<std::string> out;
  for (const RepoFile& f : files) out.push_back(f.name);
  return out;
}

TEST(RepoInfo, ParsesTheHubFileList) {
  const RepoInfo info = parse_repo_info(kRepoInfo, "o/r");
  EXPECT_EQ(info.commit, "0123456789abcdef0123456789abcdef01234567");
  ASSERT_EQ(info.files.size(), 7u);
  EXPECT_EQ(info.files[1].name, "model.safetensors");
  EXPECT_EQ(info.files[1].size, 99u);
  EXPECT_EQ(info.files[1].cache_id(), std::string(64, '3'));  // LFS: by content hash
  EXPECT_EQ(info.files[0].cache_id(), std::string(40, '1'));  // regular: by git blob id
  EXPECT_EQ(info.files[6].cache_id(), std::string(40, '9'));  // "lfs": null is no LFS entry
}

TEST(RepoInfo, RejectsMalformedLists) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not a JSON object"},
      {R"({"siblings": []})", "commit"},
      {R"({"sha": "abc", "siblings": []})", "commit"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567"})", "siblings"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"size": 1}]})", "rfilename"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"rfilename": "../x", "size": 1,
          "blobId": "1111111111111111111111111111111111111111"}]})", "unsafe file name"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"rfilename": "a", "size": -1,
          "blobId": "1111111111111111111111111111111111111111"}]})", "no size"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"rfilename": "a", "size": 1}]})", "blobId"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [{"rfilename": "a", "size": 1,
          "blobId": "1111111111111111111111111111111111111111", "lfs": {"sha256": "12"}}]})", "sha256"},
      {R"({"sha": "0123456789abcdef0123456789abcdef01234567", "siblings": [
          {"rfilename": "a", "size": 1, "blobId": "1111111111111111111111111111111111111111"},
          {"rfilename": "a", "size": 1, "blobId": "1111111111111111111111111111111111111111"}]})", "listed twice"},
  };
  for (const auto& [json, message] : cases) {
    EXPECT_THAT(error_of([&] { parse_repo_info(json, "o/r"); }), HasSubstr(message)) << json;
  }
}

TEST(SelectModelFiles, DefaultsToTopLevelConfigTokenizerAndSafetensors) {
  const RepoInfo info = parse_repo_info(kRepoInfo, "o/r");
  EXPECT_THAT(names(select_model_files(info, reference("o/r"), {})),
              ::testing::ElementsAre("config.json", "model.safetensors", "tokenizer.json"));
  EXPECT_THAT(names(select_model_files(info, reference("o/r"), {"*.md", "onnx/*"})),
              ::testing::ElementsAre("README.md", "onnx/model.json"));
  EXPECT_THAT(error_of([&] { select_model_files(info, reference("o/r"), {"*.bin"}); }), HasSubstr("--include"));
}

TEST(SelectModelFiles, PicksOneGgufByNameOrQuantTag) {
  const RepoInfo info = parse_repo_info(kRepoInfo, "o/r");
  EXPECT_THAT(names(select_model_files(info, reference("o/r", "m-q8_0.gguf"), {})), ::testing::ElementsAre("m-q8_0.gguf"));
  EXPECT_THAT(names(select_model_files(info, reference("o/r", "q4_k_m"), {})), ::testing::ElementsAre("m-Q4_K_M.gguf"));
  EXPECT_THAT(error_of([&] { select_model_files(info, reference("o/r", "q5_k"), {}); }),
              HasSubstr("no GGUF file matching \"q5_k\"; its GGUF files: m-Q4_K_M.gguf, m-q8_0.gguf"));
  EXPECT_THAT(error_of([&] { select_model_files(info, reference("o/r", "m-"), {}); }), HasSubstr("matches several"));
}

TEST(SelectModelFiles, AGgufOnlyRepoAsksWhichFile) {
  RepoInfo info = parse_repo_info(kRepoInfo, "o/r");
  std::erase_if(info.files, [](const RepoFile& f) { return f.name == "model.safetensors"; });
  EXPECT_THAT(error_of([&] { select_model_files(info, reference("o/r"), {}); }),
              HasSubstr("o/r has no safetensors weights; pick one of its GGUF files with o/r:FILE"));
  std::erase_if(info.files, [](const RepoFile& f) { return f.name.ends_with(".gguf"); });
  EXPECT_THAT(error_of([&] { select_model_files(info, reference("o/r"), {}); }), HasSubstr("no safetensors or GGUF weights"));
}

}  // namespace
}  // namespace qwenrt
