// Chat output assembly from engine events, streamed and whole: reasoning_content and
// tool_calls deltas (index, id, name, arguments), finish_reason, usage, logprobs riding
// on their chunk, errors. The streamed deltas must add up to the whole message.
#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/chat_choices.h"

namespace qwenrt::server {
namespace {

const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::from_directory(std::string(QWENRT_SOURCE_DIR) + "/../shared/data/qwen3-tokenizer");
  return t;
}

ChatOutputOptions qwen3_with_tools() {
  ChatOutputOptions o;
  o.reasoning = ReasoningParserOptions{};
  o.tool_call_format = ToolCallFormat::kHermes;
  o.tool_calls.next_id = seeded_tool_call_ids(1);
  return o;
}

SequenceEvent token(const std::string& text) {
  SequenceEvent e;
  e.token = 1;
  e.text = text;
  return e;
}

SequenceEvent last(const std::string& text, const std::string& reason, int64_t completion = 7) {
  SequenceEvent e = token(text);
  e.finished = true;
  e.finish_reason = reason;
  e.prompt_tokens = 20;
  e.cached_prompt_tokens = 16;
  e.completion_tokens = completion;
  return e;
}

// The JSON of each "data: {...}" event in `sse`; "[DONE]" as a string.
std::vector<Json> events(const std::string& sse) {
  std::vector<Json> out;
  size_t pos = 0;
  while ((pos = sse.find("data: ", pos)) != std::string::npos) {
    const size_t end = sse.find("\n\n", pos);
    const std::string payload = sse.substr(pos + 6, end - pos - 6);
    out.push_back(payload == "[DONE]" ? Json("[DONE]") : Json::parse(payload));
    pos = end + 2;
  }
  return out;
}

const std::vector<std::string> kPieces = {"<think>\nplan", " it\n</think>\n\nCalling", " now.\n<tool_call>\n{\"name\": \"f\",",
                                          " \"arguments\": {\"x\": 1}}\n</tool_call>\n<tool_call>\n{\"name\": \"g\", ",
                                          "\"arguments\": {}}\n</tool_call>"};

TEST(ServerChatChoices, StreamedDeltasAddUpToTheWholeMessage) {
  ChatChoices stream({"chatcmpl-x", "", 1, "m"}, 1, qwen3_with_tools(), false, true, tokenizer());
  std::vector<Json> chunks = events(stream.start_stream());
  for (size_t i = 0; i < kPieces.size(); ++i) {
    const SequenceEvent e = i + 1 < kPieces.size() ? token(kPieces[i]) : last(kPieces[i], "stop");
    for (Json& c : events(stream.stream_event(0, e))) chunks.push_back(std::move(c));
  }
  for (Json& c : events(stream.end_stream())) chunks.push_back(std::move(c));

  ASSERT_GE(chunks.size(), 4u);
  EXPECT_EQ(chunks.front()["object"], "chat.completion.chunk");
  EXPECT_EQ(chunks.front()["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(chunks.back(), Json("[DONE]"));
  const Json& usage = chunks[chunks.size() - 2];
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 7);
  EXPECT_EQ(usage["usage"]["prompt_tokens_details"]["cached_tokens"], 16);

  // Accumulate the deltas as a client does.
  ParsedOutput streamed;
  std::vector<std::string> finish_reasons;
  for (size_t i = 1; i + 2 < chunks.size(); ++i) {
    const Json& choice = chunks[i]["choices"][0];
    EXPECT_TRUE(chunks[i]["usage"].is_null());
    const Json& d = choice["delta"];
    ChatDelta delta;
    delta.content = d.value("content", "");
    delta.reasoning_content = d.value("reasoning_content", "");
    for (const Json& t : d.value("tool_calls", Json::array())) {
      EXPECT_EQ(t["type"], "function");
      delta.tool_calls.push_back({t["index"].get<int>(), t["id"], t["function"]["name"], t["function"]["arguments"]});
    }
    streamed.append(delta);
    if (!choice["finish_reason"].is_null()) finish_reasons.push_back(choice["finish_reason"]);
  }
  EXPECT_EQ(finish_reasons, std::vector<std::string>{"tool_calls"});
  EXPECT_EQ(streamed.reasoning_content, "plan it");
  EXPECT_EQ(streamed.content, "Calling now.\n");
  ASSERT_EQ(streamed.tool_calls.size(), 2u);
  EXPECT_EQ(streamed.tool_calls[0].name, "f");
  EXPECT_EQ(streamed.tool_calls[0].arguments, "{\"x\": 1}");
  EXPECT_EQ(streamed.tool_calls[1].name, "g");
  EXPECT_NE(streamed.tool_calls[0].id, streamed.tool_calls[1].id);

  // The same events, not streamed: the same message.
  ChatChoices whole({"chatcmpl-x", "", 1, "m"}, 1, qwen3_with_tools(), false, false, tokenizer());
  for (size_t i = 0; i < kPieces.size(); ++i) {
    whole.add_event(0, i + 1 < kPieces.size() ? token(kPieces[i]) : last(kPieces[i], "stop"));
  }
  const Json r = whole.response();
  EXPECT_EQ(r["object"], "chat.completion");
  const Json& m = r["choices"][0]["message"];
  EXPECT_EQ(m["reasoning_content"], streamed.reasoning_content);
  EXPECT_EQ(m["content"], streamed.content);
  EXPECT_EQ(m["tool_calls"].size(), 2u);
  EXPECT_EQ(m["tool_calls"][1]["function"]["name"], "g");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "tool_calls");
}

TEST(ServerChatChoices, ChoicesAreIndependentAndUsageCountsThePromptOnce) {
  ChatChoices whole({"id", "", 1, "m"}, 2, ChatOutputOptions{}, false, false, tokenizer());
  whole.add_event(1, token("b"));
  whole.add_event(0, token("a"));
  whole.add_event(0, last("!", "length", 2));
  whole.add_event(1, last("?", "stop", 3));
  const Json r = whole.response();
  EXPECT_EQ(r["choices"][0]["message"]["content"], "a!");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(r["choices"][1]["message"]["content"], "b?");
  EXPECT_EQ(r["choices"][1]["finish_reason"], "stop");
  EXPECT_EQ(r["usage"]["prompt_tokens"], 20);
  EXPECT_EQ(r["usage"]["completion_tokens"], 5);
}

TEST(ServerChatChoices, LogprobsRideOnTheChunkOfTheirToken) {
  ChatChoices stream({"id", "", 1, "m"}, 1, qwen3_with_tools(), true, false, tokenizer());
  stream.start_stream();
  const int32_t hello = tokenizer().encode("Hello")[0];
  SequenceEvent e = token("<tool");  // held back by the parser: no text in this chunk
  e.logprobs = SampledToken{hello, -0.5f, {{hello, -0.5f}}};
  const std::vector<Json> chunks = events(stream.stream_event(0, e));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_FALSE(chunks[0]["choices"][0]["delta"].contains("content"));
  const Json& entry = chunks[0]["choices"][0]["logprobs"]["content"][0];
  EXPECT_EQ(entry["token"], "Hello");
  EXPECT_EQ(entry["logprob"], -0.5);
  EXPECT_EQ(entry["bytes"], Json::array({72, 101, 108, 108, 111}));
  EXPECT_EQ(entry["top_logprobs"][0]["token"], "Hello");
}

TEST(ServerChatChoices, AFailedChoiceEndsTheStreamWithAnErrorObject) {
  ChatChoices stream({"id", "", 1, "m"}, 1, ChatOutputOptions{}, false, true, tokenizer());
  stream.start_stream();
  SequenceEvent e = last("", "error");
  e.error = "logits hold NaN";
  std::string sse = stream.stream_event(0, e);
  sse += stream.end_stream();
  const std::vector<Json> chunks = events(sse);
  ASSERT_EQ(chunks.size(), 2u);  // no usage after a failure
  EXPECT_EQ(chunks[0]["error"]["type"], "server_error");
  EXPECT_NE(chunks[0]["error"]["message"].get<std::string>().find("logits hold NaN"), std::string::npos);
  EXPECT_EQ(chunks[1], Json("[DONE]"));

  ChatChoices whole({"id", "", 1, "m"}, 1, ChatOutputOptions{}, false, false, tokenizer());
  try {
    whole.add_event(0, e);
    FAIL();
  } catch (const ApiError& error) {
    EXPECT_EQ(error.status(), 500);
  }
}

}  // namespace
}  // namespace qwenrt::server
