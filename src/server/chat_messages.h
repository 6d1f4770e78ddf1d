// OpenAI chat messages -> the form Qwen's chat templates read:
// - content given as a list of {"type": "text", "text": ...} parts is joined with "\n"
//   (the templates print only string content); other part types are refused (400);
// - assistant tool_calls[i].function.arguments, a JSON string on the wire, becomes the
//   object it encodes (templates print it with tojson);
// - "developer" messages are system messages.
// Every message is checked; errors are ApiError 400 naming messages[i].field.
#pragma once
#include <string>

#include "server/json_io.h"
#include "server/serving_model.h"

namespace qwenrt::server {

Json template_messages(const Json& messages);

// body["messages"] (with `tools` and body["chat_template_kwargs"]) rendered by the model's
// chat template, which must exist; a template failure is a 400 naming "messages".
std::string render_chat_prompt(const ServingModel& model, const Json& body, const Json& tools,
                               bool add_generation_prompt);

}  // namespace qwenrt::server
