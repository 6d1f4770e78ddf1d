// Every official Qwen-family chat template, every conversation of the corpus: the C++
// renderer must produce the same bytes as transformers' apply_chat_template, or fail
// where it fails. Goldens: tools/goldens/make_chat_goldens.py.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "chat/chat_template.h"

namespace qwenrt {
namespace {

using json = nlohmann::ordered_json;

const std::string kGoldenDir = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/chat";

json load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing golden file " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

ChatRequest request_for(const json& c) {
  ChatRequest r;
  r.messages = c["messages"];
  r.tools = c["tools"];
  r.add_generation_prompt = c["add_generation_prompt"].get<bool>();
  r.kwargs = c["kwargs"];
  return r;
}

// The part of a Python "Type: message" error string after the type.
std::string python_message(const std::string& error) {
  const size_t colon = error.find(": ");
  return colon == std::string::npos ? error : error.substr(colon + 2);
}

class ChatTemplateGolden : public ::testing::TestWithParam<const char*> {};

TEST_P(ChatTemplateGolden, MatchesTransformers) {
  const std::string id = GetParam();
  const json golden = load(kGoldenDir + "/" + id + ".json");
  const json conversations = load(kGoldenDir + "/conversations.json");
  ASSERT_EQ(golden["format"], 1);
  const ChatTemplate tmpl = ChatTemplate::from_model_dir(kGoldenDir + "/models/" + id);

  // The tokens the template sees must be the tokenizer's (class defaults aside).
  for (const auto& [name, value] : tmpl.special_tokens().items())
    EXPECT_EQ(value, golden["special_tokens"].value(name, json())) << name;

  int rendered = 0, failed = 0;
  for (const json& c : conversations["cases"]) {
    const std::string name = c["name"];
    SCOPED_TRACE(id + " / " + name);
    const json& expected = golden["results"][name];
    ASSERT_FALSE(expected.is_null()) << "no golden result";
    if (expected.contains("text")) {
      std::string got;
      try {
        got = tmpl.render(request_for(c));
      } catch (const std::exception& e) {
        ADD_FAILURE() << "unexpected error: " << e.what();
        ++failed;
        continue;
      }
      EXPECT_EQ(got, expected["text"].get<std::string>());
      if (got != expected["text"].get<std::string>()) ++failed;
      ++rendered;
    } else {
      const std::string want = python_message(expected["error"].get<std::string>());
      try {
        const std::string got = tmpl.render(request_for(c));
        ADD_FAILURE() << "rendered, but transformers fails with: " << want << "\ngot: " << got;
        ++failed;
      } catch (const jinja::TemplateError& e) {
        EXPECT_NE(std::string(e.what()).find(want), std::string::npos)
            << "error differs\n  ours: " << e.what() << "\n  transformers: " << want;
      }
    }
  }
  EXPECT_EQ(failed, 0);
  // Guard against the corpus shrinking: at least 40 real renders per template.
  EXPECT_GE(rendered, 40);
}

INSTANTIATE_TEST_SUITE_P(Qwen, ChatTemplateGolden,
                         ::testing::Values("qwen2.5-instruct", "qwen2.5-vl", "qwen3-4b",
                                           "qwen3-0.6b", "qwen3-coder", "qwq-32b",
                                           "qwen2.5-coder-instruct", "deepseek-r1-distill-qwen",
                                           "inputs-probe"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace qwenrt
