#include "chat/assistant_message.h"

namespace qwenrt {

using Json = nlohmann::ordered_json;

Json openai_tool_call(const ToolCall& call) {
  return Json{{"id", call.id}, {"type", "function"},
              {"function", Json{{"name", call.name}, {"arguments", call.arguments}}}};
}

Json assistant_message(const ParsedOutput& reply) {
  Json message = {{"role", "assistant"}, {"content", reply.content}};
  if (!reply.reasoning_content.empty()) message["reasoning_content"] = reply.reasoning_content;
  if (reply.tool_calls.empty()) return message;
  Json calls = Json::array();
  for (const ToolCall& call : reply.tool_calls) {
    Json entry = openai_tool_call(call);
    Json arguments = Json::parse(call.arguments, nullptr, /*allow_exceptions=*/false);
    if (arguments.is_object()) entry["function"]["arguments"] = std::move(arguments);
    calls.push_back(std::move(entry));
  }
  message["tool_calls"] = std::move(calls);
  return message;
}

}  // namespace qwenrt
