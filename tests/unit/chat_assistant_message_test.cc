// A parsed reply goes out as OpenAI tool calls (what `qwenrt chat --tools` prints) and
// back into the history as an assistant message the template renders as the model wrote
// it: the calls of a Hermes (Qwen3) or XML (Qwen3-Coder) reply survive the round trip.
#include "chat/assistant_message.h"

#include <gtest/gtest.h>

#include "chat/chat_output_parser.h"
#include "chat/chat_template.h"

namespace qwenrt {
namespace {

using Json = nlohmann::ordered_json;

const std::string kModels = std::string(QWENRT_SOURCE_DIR) + "/tests/goldens/chat/models/";

const Json kWeather = Json::parse(R"({"type": "function", "function": {"name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}}}}})");

const char* const kCallParis = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
const char* const kCallTokyo =
    "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"東京\", \"days\": 3}}\n</tool_call>";

ChatOutputOptions hermes_with_reasoning() {
  ChatOutputOptions options;
  options.reasoning = ReasoningParserOptions{};
  options.tool_call_format = ToolCallFormat::kHermes;
  options.tool_calls.tools = Json::array({kWeather});
  options.tool_calls.next_id = seeded_tool_call_ids(1);
  return options;
}

TEST(AssistantMessage, HermesCallsPrintAsOpenAiJsonLines) {
  const std::string text = std::string("<think>\nTwo cities.\n</think>\n\nChecking both.\n") + kCallParis + "\n" + kCallTokyo;
  const ParsedOutput reply = parse_chat_output(text, hermes_with_reasoning());
  ASSERT_EQ(reply.tool_calls.size(), 2u);
  EXPECT_EQ(reply.reasoning_content, "Two cities.");
  const Json first = openai_tool_call(reply.tool_calls[0]);
  EXPECT_EQ(first.dump(), R"({"id":")" + reply.tool_calls[0].id +
                              R"(","type":"function","function":{"name":"get_weather","arguments":"{\"city\": \"Paris\"}"}})");
  EXPECT_EQ(reply.tool_calls[0].id.rfind("call_", 0), 0u);
  EXPECT_NE(reply.tool_calls[0].id, reply.tool_calls[1].id);
  const Json second = openai_tool_call(reply.tool_calls[1]);
  EXPECT_EQ(Json::parse(second["function"]["arguments"].get<std::string>()), Json::parse(R"({"city":"東京","days":3})"));
}

TEST(AssistantMessage, Qwen3RendersTheCallsBackAsTheModelWroteThem) {
  const std::string text = std::string("<think>\nTwo cities.\n</think>\n\nChecking both.\n") + kCallParis + "\n" + kCallTokyo;
  const ParsedOutput reply = parse_chat_output(text, hermes_with_reasoning());
  const Json message = assistant_message(reply);
  EXPECT_EQ(message["role"], "assistant");
  EXPECT_EQ(message["content"], reply.content);
  EXPECT_EQ(message["reasoning_content"], "Two cities.");
  ASSERT_EQ(message["tool_calls"].size(), 2u);
  EXPECT_TRUE(message["tool_calls"][1]["function"]["arguments"].is_object());  // as templates read it
  EXPECT_EQ(message["tool_calls"][1]["function"]["arguments"]["days"], 3);

  ChatRequest request;
  request.tools = Json::array({kWeather});
  request.messages = Json::array({{{"role", "user"}, {"content", "Weather in Paris and 東京?"}}, message,
                                  {{"role", "tool"}, {"content", "21"}}, {{"role", "tool"}, {"content", "25"}}});
  request.add_generation_prompt = true;
  const std::string rendered = ChatTemplate::from_model_dir(kModels + "qwen3-4b").render(request);
  EXPECT_NE(rendered.find(std::string(kCallParis) + "\n" + kCallTokyo + "<|im_end|>"), std::string::npos) << rendered;
  // The last assistant turn before the tool results keeps its reasoning.
  EXPECT_NE(rendered.find("<think>\nTwo cities.\n</think>"), std::string::npos) << rendered;
}

TEST(AssistantMessage, Qwen3CoderXmlCallsRoundTrip) {
  const std::string call =
      "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n2\n"
      "</parameter>\n</function>\n</tool_call>";
  ChatOutputOptions options;
  options.tool_call_format = ToolCallFormat::kQwen3Coder;
  options.tool_calls.tools = Json::array({kWeather});
  const ParsedOutput reply = parse_chat_output(call, options);
  ASSERT_EQ(reply.tool_calls.size(), 1u);
  EXPECT_EQ(Json::parse(reply.tool_calls[0].arguments), Json::parse(R"({"city":"Paris","days":2})"));
  ChatRequest request;
  request.tools = Json::array({kWeather});
  request.messages = Json::array({{{"role", "user"}, {"content", "Paris?"}}, assistant_message(reply)});
  const std::string rendered = ChatTemplate::from_model_dir(kModels + "qwen3-coder").render(request);
  EXPECT_NE(rendered.find(call), std::string::npos) << rendered;
}

TEST(AssistantMessage, PlainReplyHasNoToolFields) {
  const Json message = assistant_message(ParsedOutput{"Hello.", "", {}});
  EXPECT_EQ(message.dump(), R"({"role":"assistant","content":"Hello."})");
}

TEST(AssistantMessage, ArgumentsThatAreNoObjectStayText) {
  const Json message = assistant_message(ParsedOutput{"", "", {ToolCall{"call_1", "f", "[1, 2]"}}});
  EXPECT_EQ(message["tool_calls"][0]["function"]["arguments"], "[1, 2]");
}

}  // namespace
}  // namespace qwenrt
