#include "server/chat_response.h"

namespace qwenrt::server {
namespace {

Json tool_call_json(const std::string& id, const std::string& name, const std::string& arguments) {
  Json j = Json::object();
  j["id"] = id;
  j["type"] = "function";
  j["function"] = Json{{"name", name}, {"arguments", arguments}};
  return j;
}

}  // namespace

Json chat_message_json(const ParsedOutput& m) {
  Json j = Json::object();
  j["role"] = "assistant";
  j["content"] = m.content.empty() && !m.tool_calls.empty() ? Json() : Json(m.content);
  if (!m.reasoning_content.empty()) j["reasoning_content"] = m.reasoning_content;
  if (!m.tool_calls.empty()) {
    Json calls = Json::array();
    for (const ToolCall& c : m.tool_calls) calls.push_back(tool_call_json(c.id, c.name, c.arguments));
    j["tool_calls"] = std::move(calls);
  }
  return j;
}

Json chat_completion_json(const ResponseHeader& header, const std::vector<ChatChoice>& choices, const Usage& usage) {
  Json j = header_json(header);
  Json list = Json::array();
  for (size_t i = 0; i < choices.size(); ++i) {
    Json c = Json::object();
    c["index"] = i;
    c["message"] = chat_message_json(choices[i].message);
    c["logprobs"] = choices[i].logprobs.is_null() ? Json() : Json{{"content", choices[i].logprobs}};
    c["finish_reason"] = choices[i].finish_reason;
    list.push_back(std::move(c));
  }
  j["choices"] = std::move(list);
  j["usage"] = usage_json(usage);
  return j;
}

Json chat_chunk_json(const ResponseHeader& header, int index, const ChatDelta& delta, bool with_role,
                     const std::optional<std::string>& finish_reason, const Json& logprobs, bool with_usage_field) {
  Json d = Json::object();
  if (with_role) d["role"] = "assistant";
  if (!delta.content.empty() || (with_role && delta.tool_calls.empty())) d["content"] = delta.content;
  if (!delta.reasoning_content.empty()) d["reasoning_content"] = delta.reasoning_content;
  if (!delta.tool_calls.empty()) {
    Json calls = Json::array();
    for (const ToolCallDelta& t : delta.tool_calls) {
      Json c = Json::object();
      c["index"] = t.index;
      if (!t.id.empty()) c["id"] = t.id;
      if (!t.id.empty()) c["type"] = "function";
      Json f = Json::object();
      if (!t.name.empty()) f["name"] = t.name;
      f["arguments"] = t.arguments;
      c["function"] = std::move(f);
      calls.push_back(std::move(c));
    }
    d["tool_calls"] = std::move(calls);
  }
  Json choice = Json::object();
  choice["index"] = index;
  choice["delta"] = std::move(d);
  choice["logprobs"] = logprobs.is_null() ? Json() : Json{{"content", logprobs}};
  choice["finish_reason"] = finish_reason ? Json(*finish_reason) : Json();
  Json j = header_json(header);
  j["choices"] = Json::array({std::move(choice)});
  if (with_usage_field) j["usage"] = nullptr;
  return j;
}

Json usage_chunk_json(const ResponseHeader& header, const Usage& usage) {
  Json j = header_json(header);
  j["choices"] = Json::array();
  j["usage"] = usage_json(usage);
  return j;
}

std::string chat_finish_reason(const std::string& engine_reason, bool made_tool_calls) {
  if (engine_reason == "stop" && made_tool_calls) return "tool_calls";
  return engine_reason;
}

}  // namespace qwenrt::server
