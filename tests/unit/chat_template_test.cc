// ChatTemplate loading (files, precedence, named templates, special tokens) and the
// errors it reports. Rendering itself is checked against transformers in
// chat_template_golden_test.cc.
#include "chat/chat_template.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const std::string kModels = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/chat/models";

class TempDir {
 public:
  TempDir() {
    path_ =
        fs::temp_directory_path() /
        ("chat_template_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  void write(const std::string& name, const std::string& text) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << text;
  }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

ChatRequest user(const std::string& text) {
  ChatRequest r;
  r.messages = json::array({{{"role", "user"}, {"content", text}}});
  return r;
}

TEST(ChatTemplate, LegacyChatTemplateJsonHoldsTheSameTemplate) {
  const ChatTemplate from_dir = ChatTemplate::from_model_dir(kModels + "/qwen2.5-vl");
  const ChatTemplate from_json =
      ChatTemplate::from_file(kModels + "/qwen2.5-vl/chat_template.json");
  EXPECT_EQ(from_dir.source(), from_json.source());
  EXPECT_EQ(from_dir.render(user("hi")), from_json.render(user("hi")));
}

TEST(ChatTemplate, JinjaFileOverridesTokenizerConfig) {
  TempDir dir;
  dir.write("tokenizer_config.json", R"({"chat_template": "config", "eos_token": "<e>"})");
  dir.write("chat_template.json", R"({"chat_template": "legacy"})");
  EXPECT_EQ(ChatTemplate::from_model_dir(dir.str()).source(), "config");
  dir.write("chat_template.jinja", "jinja {{ eos_token }}\n");
  const ChatTemplate t = ChatTemplate::from_model_dir(dir.str());
  EXPECT_EQ(t.source(), "jinja {{ eos_token }}\n");
  EXPECT_EQ(t.render(user("x")), "jinja <e>");  // special tokens still come from the config
}

TEST(ChatTemplate, LegacyFileIsTheLastResort) {
  TempDir dir;
  dir.write("chat_template.json", R"({"chat_template": "legacy"})");
  EXPECT_EQ(ChatTemplate::from_model_dir(dir.str()).source(), "legacy");
}

TEST(ChatTemplate, NamedTemplatesPickToolUseWhenToolsAreGiven) {
  const ChatTemplate t = ChatTemplate::from_config_json(
      R"({"chat_template": [{"name": "default", "template": "plain"},
                            {"name": "tool_use", "template": "tools={{ tools | length }}"},
                            {"name": "rag", "template": "rag"}]})",
      "test config");
  EXPECT_EQ(t.template_names(), (std::vector<std::string>{"default", "tool_use", "rag"}));
  ChatRequest r = user("x");
  EXPECT_EQ(t.render(r), "plain");
  r.tools = json::array({{{"type", "function"}}});
  EXPECT_EQ(t.render(r), "tools=1");
  r.tools = json::array();  // an empty list is still "tools given", as in transformers
  EXPECT_EQ(t.render(r), "tools=0");
  r.template_name = "rag";
  EXPECT_EQ(t.render(r), "rag");
  r.template_name = "nope";
  EXPECT_THROW(t.render(r), Error);
}

TEST(ChatTemplate, AdditionalTemplatesDirectory) {
  TempDir dir;
  dir.write("chat_template.jinja", "main");
  dir.write("additional_chat_templates/tool_use.jinja", "with tools");
  const ChatTemplate t = ChatTemplate::from_model_dir(dir.str());
  ChatRequest r = user("x");
  EXPECT_EQ(t.render(r), "main");
  r.tools = json::array();
  EXPECT_EQ(t.render(r), "with tools");
}

TEST(ChatTemplate, NoDefaultAmongNamedTemplates) {
  const ChatTemplate t = ChatTemplate::from_config_json(
      R"({"chat_template": [{"name": "a", "template": "A"}]})", "cfg");
  EXPECT_THROW(t.render(user("x")), Error);
}

TEST(ChatTemplate, SpecialTokensFromAddedTokenObjects) {
  const ChatTemplate t = ChatTemplate::from_model_dir(kModels + "/deepseek-r1-distill-qwen");
  EXPECT_EQ(t.special_tokens()["bos_token"], "<｜begin▁of▁sentence｜>");
  EXPECT_FALSE(t.special_tokens().contains("unk_token"));  // null in the config
  ChatRequest r = user("hi");
  r.kwargs = {{"bos_token", "<BOS>"}};  // kwargs win over special tokens
  EXPECT_EQ(t.render(r).substr(0, 5), "<BOS>");
}

TEST(ChatTemplate, ModelWithoutTemplate) {
  TempDir dir;  // Qwen-7B-Chat's tokenizer_config.json has no chat_template
  dir.write("tokenizer_config.json", R"({"tokenizer_class": "QWenTokenizer", "auto_map": {}})");
  try {
    ChatTemplate::from_model_dir(dir.str());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no chat template"), std::string::npos) << e.what();
  }
}

TEST(ChatTemplate, BadFilesAreClearErrors) {
  TempDir dir;
  dir.write("tokenizer_config.json", R"({"chat_template": "x", )");
  try {
    ChatTemplate::from_model_dir(dir.str());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer_config.json: invalid JSON at byte"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(ChatTemplate::from_config_json(R"({"chat_template": 5})", "cfg"), Error);
  EXPECT_THROW(ChatTemplate::from_config_json(R"({"chat_template": [{"name": 1}]})", "cfg"), Error);
  EXPECT_THROW(ChatTemplate::from_file(dir.str() + "/missing.jinja"), Error);
  try {
    ChatTemplate::from_config_json(R"({"chat_template": "a\n{% if %}"})", "cfg");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2, column 7"), std::string::npos) << e.what();
  }
}

TEST(ChatTemplate, BadRequestsAreClearErrors) {
  const ChatTemplate t({{"default", "{{ messages | length }}"}}, json::object());
  ChatRequest r;
  EXPECT_THROW(t.render(r), Error);  // empty conversation
  r.messages = json::array({"not an object"});
  EXPECT_THROW(t.render(r), Error);
  r = user("x");
  r.kwargs = {{"messages", 1}};
  EXPECT_THROW(t.render(r), Error);
  r = user("x");
  r.tools = json::object();
  EXPECT_THROW(t.render(r), Error);
  r.tools = json::array({"not a schema"});
  EXPECT_THROW(t.render(r), Error);
}

TEST(ChatTemplate, TemplateFailuresKeepTheirKind) {
  const ChatTemplate t(
      {{"default",
        "{% if messages[0].role != 'system' %}{{ raise_exception('System first!') }}{% endif %}"}},
      json::object());
  try {
    t.render(user("x"));
    FAIL() << "expected an error";
  } catch (const jinja::TemplateError& e) {
    EXPECT_EQ(e.kind(), jinja::ErrorKind::kRaised);
    EXPECT_EQ(e.detail(), "System first!");
  }
}

}  // namespace
}  // namespace qwenrt
