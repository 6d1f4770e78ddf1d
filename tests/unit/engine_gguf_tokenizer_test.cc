// The tokenizer embedded in the real Qwen2.5-Coder GGUF, built as llama.cpp reads it,
// gives the ids Hugging Face `tokenizers` gives (tests/goldens/tokenizer, same base
// vocabulary) on every golden text whose added tokens both files define alike.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "base64_test_util.h"
#include "engine/model_loader.h"
#include "io/gguf.h"

namespace qwenrt {
namespace {

std::string real_gguf_path() {
  if (const char* p = std::getenv("QWENRT_REAL_GGUF")) return p;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.cache/qwenrt/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf";
}

TEST(GgufTokenizer, RealFileMatchesHuggingFaceIds) {
  const std::string path = real_gguf_path();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << path << " (scripts/fetch-real-model.sh fetches it)";
  const GgufFile gguf = GgufFile::open(path);
  const Tokenizer tokenizer = tokenizer_from_gguf(read_gguf_tokenizer(gguf.contents()), path);
  std::ifstream lines(std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/tokenizer/qwen3_encode.jsonl");
  std::string line;
  std::getline(lines, line);  // header
  int compared = 0;
  while (std::getline(lines, line)) {
    const auto c = nlohmann::json::parse(line);
    if (!c.contains("text") || !c.contains("ids")) continue;
    const std::string text = base64_decode(c["text"].get<std::string>());
    bool qwen3_only = false;
    for (const char* t : {"<think>", "</think>", "<tool_response>", "</tool_response>"})
      qwen3_only |= text.find(t) != std::string::npos;
    // The GGUF marks FIM and repo tokens CONTROL (special), where the Qwen3 tokenizer.json
    // has them as non-special added tokens; they differ only when special parsing is off.
    const bool parse_special = c.value("parse_special", true);
    for (const char* t : {"<|fim_", "<|repo_name|>", "<|file_sep|>"})
      qwen3_only |= !parse_special && text.find(t) != std::string::npos;
    if (qwen3_only) continue;
    EXPECT_EQ(tokenizer.encode(text, parse_special), c["ids"].get<std::vector<int32_t>>())
        << c["name"];
    ++compared;
  }
  EXPECT_GT(compared, 300);
}

}  // namespace
}  // namespace qwenrt
