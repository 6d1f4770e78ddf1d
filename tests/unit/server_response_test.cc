// Response bodies of the OpenAI server: the shapes the official SDK parses, logprobs in
// both the chat and the legacy completions form, error objects and the metrics text.
#include <gtest/gtest.h>

#include <regex>

#include "server/api_error.h"
#include "server/chat_response.h"
#include "server/completion_response.h"
#include "server/metrics.h"
#include "server/response_common.h"

namespace qwenrt::server {
namespace {

const ResponseHeader kHeader{"chatcmpl-abc", "chat.completion", 1700000000, "qwen"};

TEST(ServerResponse, ErrorBodyHasOpenAIsShape) {
  const Json e = error_body(ApiError(404, "invalid_request_error", "no model x", "model", "model_not_found"));
  EXPECT_EQ(dump_json(e),
            R"({"error":{"message":"no model x","type":"invalid_request_error","param":"model","code":"model_not_found"}})");
  const Json plain = error_body(invalid_request("bad"));
  EXPECT_TRUE(plain["error"]["param"].is_null());
  EXPECT_TRUE(plain["error"]["code"].is_null());
}

TEST(ServerResponse, ChatCompletionWithToolCallsAndReasoning) {
  ParsedOutput m;
  m.reasoning_content = "think";
  m.tool_calls.push_back({"call_1", "get_time", R"({"zone": "UTC"})"});
  const Json j = chat_completion_json(kHeader, {{m, "tool_calls", Json()}}, Usage{10, 4, 2});
  EXPECT_EQ(j["object"], "chat.completion");
  const Json& msg = j["choices"][0]["message"];
  EXPECT_EQ(msg["role"], "assistant");
  EXPECT_TRUE(msg["content"].is_null());  // only calls: content is null, as OpenAI sends it
  EXPECT_EQ(msg["reasoning_content"], "think");
  EXPECT_EQ(dump_json(msg["tool_calls"]),
            R"([{"id":"call_1","type":"function","function":{"name":"get_time","arguments":"{\"zone\": \"UTC\"}"}}])");
  EXPECT_EQ(j["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_TRUE(j["choices"][0]["logprobs"].is_null());
  EXPECT_EQ(dump_json(j["usage"]),
            R"({"prompt_tokens":10,"completion_tokens":4,"total_tokens":14,"prompt_tokens_details":{"cached_tokens":2}})");
  // Plain text: content is the string, no tool_calls key.
  ParsedOutput text;
  text.content = "hi";
  const Json t = chat_completion_json(kHeader, {{text, "stop", Json::array()}}, {});
  EXPECT_EQ(t["choices"][0]["message"]["content"], "hi");
  EXPECT_FALSE(t["choices"][0]["message"].contains("tool_calls"));
  EXPECT_EQ(dump_json(t["choices"][0]["logprobs"]), R"({"content":[]})");
}

TEST(ServerResponse, ChunksCarryRoleFirstThenDeltas) {
  const ResponseHeader h{"chatcmpl-abc", "chat.completion.chunk", 1, "qwen"};
  const Json first = chat_chunk_json(h, 0, {}, true, std::nullopt, Json(), true);
  EXPECT_EQ(dump_json(first["choices"][0]["delta"]), R"({"role":"assistant","content":""})");
  EXPECT_TRUE(first["choices"][0]["finish_reason"].is_null());
  EXPECT_TRUE(first.contains("usage") && first["usage"].is_null());

  ChatDelta d;
  d.reasoning_content = "r";
  d.tool_calls.push_back({1, "call_9", "f", "{}"});
  const Json c = chat_chunk_json(h, 2, d, false, std::string("tool_calls"), Json(), false);
  EXPECT_EQ(c["choices"][0]["index"], 2);
  EXPECT_EQ(dump_json(c["choices"][0]["delta"]),
            R"({"reasoning_content":"r","tool_calls":[{"index":1,"id":"call_9","type":"function","function":{"name":"f","arguments":"{}"}}]})");
  EXPECT_EQ(c["choices"][0]["finish_reason"], "tool_calls");
  EXPECT_FALSE(c.contains("usage"));

  const Json u = usage_chunk_json(h, Usage{3, 5, 0});
  EXPECT_TRUE(u["choices"].empty());
  EXPECT_EQ(u["usage"]["total_tokens"], 8);
  EXPECT_EQ(sse_event(Json{{"a", 1}}), "data: {\"a\":1}\n\n");
}

TEST(ServerResponse, FinishReasonBecomesToolCallsOnlyAfterAStopWithCalls) {
  EXPECT_EQ(chat_finish_reason("stop", true), "tool_calls");
  EXPECT_EQ(chat_finish_reason("stop", false), "stop");
  EXPECT_EQ(chat_finish_reason("length", true), "length");  // cut off: not a finished call
}

TEST(ServerResponse, CompletionLogprobsOffsetsFollowTheText) {
  // A tokenizer-free check of the legacy shape: offsets advance by each token's text.
  CompletionLogprobs lp(5);
  EXPECT_TRUE(lp.empty());
  const Json j0 = lp.json();
  EXPECT_EQ(dump_json(j0), R"({"tokens":[],"token_logprobs":[],"top_logprobs":[],"text_offset":[]})");
  const Json c = completion_json({"cmpl-1", "text_completion", 1, "m"}, {{"abc", "length", Json()}}, Usage{2, 3, 0});
  EXPECT_EQ(c["choices"][0]["text"], "abc");
  EXPECT_EQ(c["choices"][0]["finish_reason"], "length");
  const Json chunk = completion_chunk_json({"cmpl-1", "text_completion", 1, "m"}, 1, "x", std::nullopt, Json(), true);
  EXPECT_EQ(chunk["choices"][0]["index"], 1);
  EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
}

TEST(ServerResponse, IdsAreRandomAndWellFormed) {
  const std::string a = random_id("chatcmpl-"), b = random_id("chatcmpl-");
  EXPECT_NE(a, b);
  EXPECT_TRUE(std::regex_match(a, std::regex("chatcmpl-[A-Za-z0-9]{24}"))) << a;
}

TEST(ServerMetrics, PrometheusTextWithCumulativeHistograms) {
  ServerMetrics m;
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/chat/completions", 200);
  m.count_request("/v1/chat/completions", 429);
  m.add_tokens(10, 4, 7);
  m.observe_time_to_first_token(0.003);
  m.observe_time_to_first_token(0.3);
  m.observe_inter_token_latency(100.0);  // beyond every bucket: only +Inf counts it
  EngineMetrics e;
  e.kv_blocks_total = 100;
  e.kv_blocks_used = 25;
  e.waiting = 3;
  const std::string text = m.render(e);
  auto has = [&](const std::string& line) { return text.find(line + "\n") != std::string::npos; };
  EXPECT_TRUE(has(R"(qwenrt_requests_total{endpoint="/v1/chat/completions",status="200"} 2)")) << text;
  EXPECT_TRUE(has(R"(qwenrt_requests_total{endpoint="/v1/chat/completions",status="429"} 1)"));
  EXPECT_TRUE(has("qwenrt_prompt_tokens_total 10"));
  EXPECT_TRUE(has("qwenrt_cached_prompt_tokens_total 4"));
  EXPECT_TRUE(has("qwenrt_generation_tokens_total 7"));
  EXPECT_TRUE(has("qwenrt_requests_waiting 3"));
  EXPECT_TRUE(has("qwenrt_kv_blocks_used 25"));
  EXPECT_TRUE(has("qwenrt_kv_cache_usage_ratio 0.25"));
  EXPECT_TRUE(has(R"(qwenrt_time_to_first_token_seconds_bucket{le="0.001"} 0)"));
  EXPECT_TRUE(has(R"(qwenrt_time_to_first_token_seconds_bucket{le="0.005"} 1)"));
  EXPECT_TRUE(has(R"(qwenrt_time_to_first_token_seconds_bucket{le="0.5"} 2)"));
  EXPECT_TRUE(has(R"(qwenrt_time_to_first_token_seconds_bucket{le="+Inf"} 2)"));
  EXPECT_TRUE(has("qwenrt_time_to_first_token_seconds_count 2"));
  EXPECT_TRUE(has(R"(qwenrt_inter_token_latency_seconds_bucket{le="2.5"} 0)"));
  EXPECT_TRUE(has(R"(qwenrt_inter_token_latency_seconds_bucket{le="+Inf"} 1)"));
  EXPECT_TRUE(has("# TYPE qwenrt_time_to_first_token_seconds histogram"));
}

}  // namespace
}  // namespace qwenrt::server
