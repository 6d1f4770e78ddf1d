// The bodies /v1/chat/completions returns: a whole chat.completion, or the
// chat.completion.chunk objects of a stream.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "chat/parsed_output.h"
#include "server/response_common.h"

namespace qwenrt::server {

struct ChatChoice {
  ParsedOutput message;
  std::string finish_reason;
  Json logprobs;  // null, or the list logprobs.content holds
};

// {"role": "assistant", "content", "reasoning_content"?, "tool_calls"?}. content is null
// when the message is only tool calls.
Json chat_message_json(const ParsedOutput& message);

Json chat_completion_json(const ResponseHeader& header, const std::vector<ChatChoice>& choices, const Usage& usage);

// One chunk of choice `index`. `with_role`: the first chunk of a choice announces the
// assistant role. `logprobs`: the entries of the tokens this chunk covers (null: none).
// `with_usage_field`: the request asked for usage, so every chunk carries "usage": null.
Json chat_chunk_json(const ResponseHeader& header, int index, const ChatDelta& delta, bool with_role,
                     const std::optional<std::string>& finish_reason, const Json& logprobs, bool with_usage_field);

// The last chunk when stream_options.include_usage: no choices, the usage of all.
Json usage_chunk_json(const ResponseHeader& header, const Usage& usage);

// finish_reason as OpenAI reports it: a stop that ended in tool calls is "tool_calls".
std::string chat_finish_reason(const std::string& engine_reason, bool made_tool_calls);

}  // namespace qwenrt::server
