// What a client of the parsers does with a finished reply: the OpenAI form of each
// parsed tool call (what `qwenrt chat --tools` prints, one JSON line per call), and the
// assistant message that goes back into the conversation history, shaped as the chat
// templates read it (function.arguments as an object; reasoning_content apart).
#pragma once
#include <nlohmann/json.hpp>

#include "chat/parsed_output.h"

namespace qwenrt {

// {"id", "type": "function", "function": {"name", "arguments": <JSON text>}}.
nlohmann::ordered_json openai_tool_call(const ToolCall& call);

// {"role": "assistant", "content", ["reasoning_content"], ["tool_calls"]}. Arguments
// that are not a JSON object (the parsers never produce such, but a caller may build
// a ToolCall by hand) stay text.
nlohmann::ordered_json assistant_message(const ParsedOutput& reply);

}  // namespace qwenrt
