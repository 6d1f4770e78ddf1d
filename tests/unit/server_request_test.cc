// Request parsing and validation of the OpenAI server: every bad field is a 400 naming
// the field; defaults come from the checkpoint; forced tool calls are constrained to the
// Hermes form with the tool's parameter schema.
#include <gtest/gtest.h>

#include "sampling/grammar/compiled_grammar.h"
#include "sampling/grammar/grammar_matcher.h"
#include "server/api_error.h"
#include "server/chat_messages.h"
#include "server/generation_settings.h"
#include "server/json_io.h"
#include "server/tool_choice.h"

namespace qwenrt::server {
namespace {

// Runs `f`, expecting an ApiError with `status` whose param is `param`.
template <typename F>
void expect_api_error(F&& f, int status, const std::string& param) {
  try {
    f();
    FAIL() << "expected ApiError " << status << " for param '" << param << "'";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), status) << e.what();
    EXPECT_EQ(e.param(), param) << e.what();
  }
}

GenerationSettings chat_settings(const Json& body, SamplingParams defaults = {}) {
  return parse_generation_settings(body, Endpoint::kChat, defaults, 4096, RequestLimits{});
}

TEST(ServerJson, MalformedAndHostileBodiesAre400) {
  for (const char* body : {"", "{", "{\"a\": }", "[1, 2]", "\"text\"", "{\"a\": 1} trailing", "{\"a\": \"\xff\"}"}) {
    expect_api_error([&] { parse_request_body(body); }, 400, "");
  }
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  expect_api_error([&] { parse_request_body("{\"x\": " + deep + "}"); }, 400, "");
  EXPECT_NO_THROW(parse_request_body("{\"x\": " + std::string(30, '[') + std::string(30, ']') + "}"));
}

TEST(ServerJson, KeepsKeyOrderAndReplacesInvalidUtf8OnOutput) {
  const Json j = parse_request_body(R"({"zeta": 1, "alpha": 2, "mid": 3})");
  EXPECT_EQ(dump_json(j), R"({"zeta":1,"alpha":2,"mid":3})");
  EXPECT_EQ(dump_json(Json("a\xff" "b")), "\"a\xEF\xBF\xBD" "b\"");
}

TEST(ServerSettings, DefaultsComeFromTheCheckpointAndFieldsOverrideThem) {
  SamplingParams defaults;
  defaults.temperature = 0.7f;
  defaults.top_p = 0.8f;
  defaults.top_k = 20;
  const auto g = chat_settings(parse_request_body(R"({"top_p": 0.5, "seed": 7, "min_p": 0.1})"), defaults);
  EXPECT_FLOAT_EQ(g.sequence.sampling.temperature, 0.7f);
  EXPECT_FLOAT_EQ(g.sequence.sampling.top_p, 0.5f);
  EXPECT_EQ(g.sequence.sampling.top_k, 20);
  EXPECT_FLOAT_EQ(g.sequence.sampling.min_p, 0.1f);
  EXPECT_EQ(g.sequence.sampling.seed, 7u);
  EXPECT_EQ(g.sequence.max_tokens, 4096);  // chat: as many as the context leaves
  EXPECT_EQ(g.sequence.top_logprobs, -1);
  // Each choice gets its own seed, so n > 1 samples differ but still repeat.
  EXPECT_EQ(g.for_choice(0).sampling.seed, 7u);
  EXPECT_EQ(g.for_choice(2).sampling.seed, 9u);
}

TEST(ServerSettings, MaxCompletionTokensWinsAndCompletionsDefaultTo16) {
  EXPECT_EQ(chat_settings(parse_request_body(R"({"max_tokens": 5, "max_completion_tokens": 9})")).sequence.max_tokens, 9);
  EXPECT_EQ(chat_settings(parse_request_body(R"({"max_tokens": 5})")).sequence.max_tokens, 5);
  const auto c = parse_generation_settings(Json::object(), Endpoint::kCompletions, {}, 4096, {});
  EXPECT_EQ(c.sequence.max_tokens, 16);
}

TEST(ServerSettings, InvalidFieldsAre400NamingTheField) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"({"max_tokens": 0})", "max_tokens"},
      {R"({"max_tokens": 5000})", "max_tokens"},
      {R"({"max_completion_tokens": -3})", "max_completion_tokens"},
      {R"({"max_tokens": "10"})", "max_tokens"},
      {R"({"temperature": 2.5})", "temperature"},
      {R"({"temperature": "hot"})", "temperature"},
      {R"({"presence_penalty": 3})", "presence_penalty"},
      {R"({"frequency_penalty": -2.5})", "frequency_penalty"},
      {R"({"top_k": -2})", "top_k"},
      {R"({"n": 0})", "n"},
      {R"({"n": 100})", "n"},
      {R"({"stop": 5})", "stop"},
      {R"({"stop": [""]})", "stop"},
      {R"({"stop": ["a", 1]})", "stop"},
      {R"({"top_logprobs": 2})", "top_logprobs"},
      {R"({"logprobs": true, "top_logprobs": 21})", "top_logprobs"},
      {R"({"stream_options": {"include_usage": true}})", "stream_options"},
      {R"({"stream": "yes"})", "stream"},
      {R"({"seed": 1.5})", "seed"},
  };
  for (const auto& [body, param] : cases) {
    SCOPED_TRACE(body);
    expect_api_error([&] { chat_settings(parse_request_body(body)); }, 400, param);
  }
  // SamplingParams::validate's own checks (top_p in (0, 1]) are 400s too.
  expect_api_error([] { chat_settings(parse_request_body(R"({"top_p": 0})")); }, 400, "");
}

TEST(ServerSettings, StopLogprobsAndStreamOptions) {
  const auto g = chat_settings(parse_request_body(
      R"({"stop": ["END", "\n\n"], "logprobs": true, "top_logprobs": 3, "n": 2, "stream": true,
          "stream_options": {"include_usage": true}})"));
  EXPECT_EQ(g.sequence.stop, (std::vector<std::string>{"END", "\n\n"}));
  EXPECT_TRUE(g.logprobs);
  EXPECT_EQ(g.sequence.top_logprobs, 3);
  EXPECT_EQ(g.n, 2);
  EXPECT_TRUE(g.stream && g.include_usage);
  EXPECT_EQ(chat_settings(parse_request_body(R"({"stop": "x"})")).sequence.stop, std::vector<std::string>{"x"});
  // logprobs alone: the chosen token's only.
  EXPECT_EQ(chat_settings(parse_request_body(R"({"logprobs": true})")).sequence.top_logprobs, 0);
  // Completions: logprobs is the number of alternatives.
  const auto c = parse_generation_settings(parse_request_body(R"({"logprobs": 2})"), Endpoint::kCompletions, {},
                                           4096, {});
  EXPECT_TRUE(c.logprobs);
  EXPECT_EQ(c.sequence.top_logprobs, 2);
}

TEST(ServerToolChoice, ReadsEveryForm) {
  const char* tools = R"([{"type": "function", "function": {"name": "get_weather",
      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
      {"type": "function", "function": {"name": "get_time"}}])";
  auto with = [&](const std::string& extra) {
    return parse_tool_choice(parse_request_body(std::string("{\"tools\": ") + tools + extra + "}"));
  };
  EXPECT_EQ(with("").kind, ToolChoice::Kind::kAuto);
  EXPECT_EQ(with(R"(, "tool_choice": "none")").kind, ToolChoice::Kind::kNone);
  EXPECT_EQ(with(R"(, "tool_choice": "required")").kind, ToolChoice::Kind::kRequired);
  const ToolChoice named = with(R"(, "tool_choice": {"type": "function", "function": {"name": "get_time"}})");
  EXPECT_EQ(named.kind, ToolChoice::Kind::kNamed);
  EXPECT_EQ(named.name, "get_time");
  EXPECT_FALSE(with(R"(, "parallel_tool_calls": false)").parallel);
  EXPECT_EQ(parse_tool_choice(Json::object()).kind, ToolChoice::Kind::kNone);

  expect_api_error([&] { with(R"(, "tool_choice": {"type": "function", "function": {"name": "nope"}})"); }, 400,
                   "tool_choice");
  expect_api_error([&] { with(R"(, "tool_choice": "sometimes")"); }, 400, "tool_choice");
  expect_api_error([] { parse_tool_choice(parse_request_body(R"({"tool_choice": "required"})")); }, 400, "tool_choice");
  expect_api_error([] { parse_tool_choice(parse_request_body(R"({"tools": [{"type": "function"}]})")); }, 400,
                   "tools[0]");
  expect_api_error([] { parse_tool_choice(parse_request_body(R"({"tools": {"a": 1}})")); }, 400, "tools");
  // Discriminators of the wrong type are 400s too, not type errors escaping as 500s.
  expect_api_error([] { parse_tool_choice(parse_request_body(R"({"tools": [{"type": 5}]})")); }, 400, "tools[0]");
  expect_api_error([&] { with(R"(, "tool_choice": {"type": [], "function": {"name": "get_time"}})"); }, 400,
                   "tool_choice");
}

// The forced-call grammar over a byte vocabulary: which texts it accepts.
class ForcedToolGrammar : public ::testing::Test {
 protected:
  static std::shared_ptr<const grammar::VocabularyIndex> bytes_vocab() {
    std::vector<std::string> tokens;
    for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
    return grammar::VocabularyIndex::from_tokens(std::move(tokens));
  }
  bool accepts(const ToolChoice& choice, const std::string& text) {
    const Json tools = parse_request_body(R"({"t": [
      {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}, "required": ["city", "days"],
        "additionalProperties": false}}},
      {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object",
        "properties": {"zone": {"enum": ["UTC", "CET"]}}, "required": ["zone"], "additionalProperties": false}}}]})")["t"];
    auto compiled = grammar::CompiledGrammar::compile(forced_tool_call_grammar(tools, choice), bytes_vocab());
    grammar::GrammarMatcher m(compiled);
    return m.accept_bytes(text) && m.can_end();
  }
};

TEST_F(ForcedToolGrammar, NamedAllowsExactlyOneCallOfThatTool) {
  ToolChoice named{ToolChoice::Kind::kNamed, "get_weather", true};
  EXPECT_TRUE(accepts(named, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool_call>"));
  EXPECT_FALSE(accepts(named, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"UTC\"}}\n</tool_call>"));
  EXPECT_FALSE(accepts(named, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>"));
  EXPECT_FALSE(accepts(named, "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\", \"days\": 3}}"));
  EXPECT_FALSE(accepts(named, "Sure! <tool_call>"));
  const std::string one = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"A\", \"days\": 1}}\n</tool_call>";
  EXPECT_FALSE(accepts(named, one + "\n" + one));
}

TEST_F(ForcedToolGrammar, RequiredAllowsAnyToolAndParallelCallsUnlessDisabled) {
  const std::string weather = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"A\", \"days\": 1}}\n</tool_call>";
  const std::string time = "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"CET\"}}\n</tool_call>";
  ToolChoice required{ToolChoice::Kind::kRequired, "", true};
  EXPECT_TRUE(accepts(required, weather));
  EXPECT_TRUE(accepts(required, time));
  EXPECT_TRUE(accepts(required, weather + "\n" + time));
  EXPECT_FALSE(accepts(required, ""));
  EXPECT_FALSE(accepts(required, "<tool_call>\n{\"name\": \"get_time\", \"arguments\": {\"zone\": \"PST\"}}\n</tool_call>"));
  required.parallel = false;
  EXPECT_TRUE(accepts(required, time));
  EXPECT_FALSE(accepts(required, weather + "\n" + time));
}

TEST(ServerMessages, NormalizesForTheTemplate) {
  const Json out = template_messages(parse_request_body(R"({"m": [
    {"role": "developer", "content": "be brief"},
    {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
      "function": {"name": "f", "arguments": "{\"z\": 1, \"a\": [2]}"}}]},
    {"role": "tool", "tool_call_id": "call_1", "content": "42"}]})")["m"]);
  EXPECT_EQ(out[0]["role"], "system");
  EXPECT_EQ(out[1]["content"], "a\nb");
  EXPECT_EQ(out[2]["content"], "");
  // Arguments become the object they encode, keys in their order (templates tojson them).
  EXPECT_EQ(dump_json(out[2]["tool_calls"][0]["function"]["arguments"]), R"({"z":1,"a":[2]})");
  EXPECT_EQ(out[3]["content"], "42");
}

TEST(ServerMessages, InvalidMessagesAre400NamingTheMessage) {
  const std::vector<std::pair<const char*, const char*>> cases = {
      {R"([])", "messages"},
      {R"("hi")", "messages"},
      {R"([1])", "messages[0]"},
      {R"([{"content": "x"}])", "messages[0].role"},
      {R"([{"role": "wizard", "content": "x"}])", "messages[0].role"},
      {R"([{"role": "user"}])", "messages[0].content"},
      {R"([{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}])",
       "messages[0].content[0]"},
      {R"([{"role": "user", "content": 5}])", "messages[0].content"},
      {R"([{"role": "user", "content": [{"type": {"x": 1}, "text": "a"}]}])", "messages[0].content[0]"},
      {R"([{"role": "assistant", "tool_calls": [{"function": {"name": "f", "arguments": "{bad"}}]}])",
       "messages[0].tool_calls[0]"},
      {R"([{"role": "assistant", "tool_calls": [{"function": {}}]}])", "messages[0].tool_calls[0]"},
  };
  for (const auto& [messages, param] : cases) {
    SCOPED_TRACE(messages);
    expect_api_error([&] { template_messages(parse_request_body(std::string("{\"m\": ") + messages + "}")["m"]); },
                     400, param);
  }
}

}  // namespace
}  // namespace qwenrt::server
