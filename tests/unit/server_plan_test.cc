// From request body to what the engine runs, with Qwen3's real tokenizer and chat
// template: prompts rendered by the template (kwargs, tools), parsers configured for
// reasoning and tool calls, grammars for forced calls and response_format, FIM prompts.
#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/chat_request.h"
#include "server/completion_request.h"

namespace qwenrt::server {
namespace {

const std::string kTokenizerDir = std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer";
constexpr int64_t kQwenRows = 151936;

class ServerPlan : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tokenizer_ = new Tokenizer(Tokenizer::from_directory(kTokenizerDir));
    model_ = new ServingModel(make_serving_model(*tokenizer_, kQwenRows, kTokenizerDir, "qwen3", {}, 4096));
  }
  static void TearDownTestSuite() {
    delete model_;
    delete tokenizer_;
  }
  static ChatPlan plan(const std::string& body) { return plan_chat(parse_request_body(body), *model_, {}); }
  static std::string prompt_text(const ChatPlan& p) { return tokenizer_->decode(p.settings.sequence.prompt); }

  static inline Tokenizer* tokenizer_ = nullptr;
  static inline ServingModel* model_ = nullptr;
};

constexpr const char* kTools = R"("tools": [{"type": "function", "function": {"name": "get_weather",
    "description": "Weather of a city", "parameters": {"type": "object",
    "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])";

TEST_F(ServerPlan, ModelKnowsItsFormats) {
  EXPECT_EQ(model_->id, "qwen3");
  EXPECT_TRUE(model_->has_reasoning);  // Qwen3's template renders <think>
  EXPECT_EQ(model_->tool_call_format, ToolCallFormat::kHermes);
  EXPECT_NE(model_->grammars, nullptr);
  EXPECT_EQ(model_id_from_path("/models/Qwen3-0.6B/"), "Qwen3-0.6B");
  EXPECT_EQ(model_id_from_path("/m/q.gguf"), "q.gguf");
}

TEST_F(ServerPlan, RendersTheConversationWithTheTemplate) {
  const ChatPlan p = plan(R"({"model": "qwen3", "messages": [{"role": "user", "content": "Hi"}]})");
  EXPECT_EQ(prompt_text(p), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
  ASSERT_TRUE(p.output.reasoning.has_value());
  EXPECT_FALSE(p.output.reasoning->starts_in_reasoning);
  EXPECT_FALSE(p.output.tool_call_format.has_value());
  EXPECT_EQ(p.settings.sequence.grammar, nullptr);
  // Special tokens are tokens, not text.
  EXPECT_EQ(p.settings.sequence.prompt.front(), *tokenizer_->token_to_id("<|im_start|>"));
}

TEST_F(ServerPlan, ChatTemplateKwargsReachTheTemplate) {
  const ChatPlan p = plan(R"({"messages": [{"role": "user", "content": "Hi"}],
                              "chat_template_kwargs": {"enable_thinking": false}})");
  EXPECT_EQ(prompt_text(p), "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
}

TEST_F(ServerPlan, AutoToolsAreShownAndParsedNoneHidesThem) {
  const ChatPlan p = plan(std::string(R"({"messages": [{"role": "user", "content": "Weather?"}], )") + kTools + "}");
  EXPECT_NE(prompt_text(p).find("<tools>"), std::string::npos);
  EXPECT_NE(prompt_text(p).find("\"get_weather\""), std::string::npos);
  EXPECT_EQ(p.output.tool_call_format, ToolCallFormat::kHermes);
  EXPECT_EQ(p.settings.sequence.grammar, nullptr);  // auto: the model decides

  const ChatPlan none = plan(std::string(R"({"messages": [{"role": "user", "content": "Weather?"}], "tool_choice": "none", )") +
                             kTools + "}");
  EXPECT_EQ(prompt_text(none).find("<tools>"), std::string::npos);
  EXPECT_FALSE(none.output.tool_call_format.has_value());
}

TEST_F(ServerPlan, ForcedCallsAndResponseFormatGetGrammars) {
  const ChatPlan named = plan(std::string(R"({"messages": [{"role": "user", "content": "x"}],
      "tool_choice": {"type": "function", "function": {"name": "get_weather"}}, )") + kTools + "}");
  EXPECT_NE(named.settings.sequence.grammar, nullptr);
  EXPECT_FALSE(named.output.reasoning.has_value());  // grammar output is never thought
  EXPECT_EQ(named.output.tool_call_format, ToolCallFormat::kHermes);

  const ChatPlan json = plan(R"({"messages": [{"role": "user", "content": "x"}],
      "response_format": {"type": "json_schema", "json_schema": {"name": "p", "schema": {"type": "object",
        "properties": {"n": {"type": "integer"}}, "required": ["n"]}}}})");
  EXPECT_NE(json.settings.sequence.grammar, nullptr);
  EXPECT_NE(plan(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}})")
                .settings.sequence.grammar,
            nullptr);
  EXPECT_EQ(plan(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "text"}})")
                .settings.sequence.grammar,
            nullptr);
}

TEST_F(ServerPlan, RefusalsNameTheirCause) {
  try {
    plan(R"({"model": "gpt-4", "messages": [{"role": "user", "content": "x"}]})");
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.code(), "model_not_found");
  }
  auto param_of = [](const std::string& body) {
    try {
      plan(body);
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400) << e.what();
      return e.param();
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(param_of(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_schema",
      "json_schema": {"schema": {"not": {"type": "string"}}}}})"), "response_format");
  EXPECT_EQ(param_of(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "xml"}})"),
            "response_format");
  EXPECT_EQ(param_of(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": 1}})"),
            "response_format");
  EXPECT_EQ(param_of(std::string(R"({"messages": [{"role": "user", "content": "x"}], "tool_choice": "required",
      "response_format": {"type": "json_object"}, )") + kTools + "}"), "response_format");
  EXPECT_EQ(param_of(R"({"messages": [{"role": "user", "content": "x"}], "chat_template_kwargs": [1]})"),
            "chat_template_kwargs");
}

TEST_F(ServerPlan, SmallTestModelsRefuseOutOfVocabularyPromptsAndGrammars) {
  const ServingModel tiny = make_serving_model(*tokenizer_, 320, kTokenizerDir, "", {}, 256);
  EXPECT_EQ(tiny.grammars, nullptr);
  try {
    plan_chat(parse_request_body(R"({"messages": [{"role": "user", "content": "1"}]})"), tiny, {});
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(std::string(e.what()).find("outside the model's vocabulary"), std::string::npos);
  }
  const CompletionPlan ok = plan_completion(parse_request_body(R"({"prompt": "31415"})"), tiny, {});
  EXPECT_EQ(ok.prompts[0].tokens.size(), 5u);  // digits: one token each, all below 320
}

TEST_F(ServerPlan, CompletionPromptsTokensFimAndEcho) {
  const CompletionPlan fim = plan_completion(
      parse_request_body(R"({"prompt": "def add(a, b):\n", "suffix": "\n    return c\n"})"), *model_, {});
  EXPECT_EQ(tokenizer_->decode(fim.prompts[0].tokens),
            "<|fim_prefix|>def add(a, b):\n<|fim_suffix|>\n    return c\n<|fim_middle|>");
  EXPECT_EQ(fim.prompts[0].tokens.front(), *tokenizer_->token_to_id("<|fim_prefix|>"));

  const CompletionPlan tokens = plan_completion(parse_request_body(R"({"prompt": [18, 19, 20], "echo": true})"),
                                                *model_, {});
  EXPECT_EQ(tokens.prompts[0].tokens, (std::vector<int32_t>{18, 19, 20}));
  EXPECT_EQ(tokens.prompts[0].echo_text, "345");
  EXPECT_TRUE(tokens.echo);

  const CompletionPlan batch = plan_completion(parse_request_body(R"({"prompt": ["a", [18]], "n": 2})"), *model_, {});
  EXPECT_EQ(batch.prompts.size(), 2u);
  EXPECT_EQ(batch.settings.n, 2);

  auto param_of = [&](const std::string& body) {
    try {
      plan_completion(parse_request_body(body), *model_, {});
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400) << e.what();
      return e.param();
    }
    return std::string("<no error>");
  };
  EXPECT_EQ(param_of(R"({})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": ""})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": 5})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": [1, -2]})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": [1, 999999]})"), "prompt");
  EXPECT_EQ(param_of(R"({"prompt": [18], "suffix": "x"})"), "suffix");
  EXPECT_EQ(param_of(R"({"prompt": "x", "echo": true, "logprobs": 1})"), "echo");
}

}  // namespace
}  // namespace qwenrt::server
