// OpenAI chat messages -> the form Qwen's chat templates read:
// - content given as a list of {"type": "text", "text": ...} parts is joined with "\n"
//   (the templates print only string content); other part types are refused (400);
// - assistant tool_calls[i].function.arguments, a JSON string on the wire, becomes the
//   object it encodes (templates print it with tojson);
// - "developer" messages are system messages.
// Every message is checked; errors are ApiError 400 naming messages[i].field.
#pragma once
#include "server/json_io.h"

namespace qwenrt::server {

Json template_messages(const Json& messages);

}  // namespace qwenrt::server
