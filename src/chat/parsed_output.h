// What the output parsers make of a model's text: the fields of an OpenAI
// assistant message, whole (ParsedOutput) or as streaming pieces (ChatDelta,
// shaped like a chat.completion.chunk's `delta`).
#pragma once
#include <string>
#include <vector>

namespace qwenrt {

// One function call, as OpenAI's message.tool_calls[i] carries it.
struct ToolCall {
  std::string id;         // "call_" + 24 alphanumerics
  std::string name;       // function.name
  std::string arguments;  // function.arguments: a JSON object, as text

  bool operator==(const ToolCall&) const = default;
};

// One entry of a chunk's delta.tool_calls. The first delta of a call carries
// its id and name; later deltas of the same index only add argument text.
// (qwenrt's parsers emit each call whole, in one delta: see tool_call_parser.h.)
struct ToolCallDelta {
  int index = 0;          // position of the call in the message's tool_calls
  std::string id;         // set on the first delta of a call, else empty
  std::string name;       // set on the first delta of a call, else empty
  std::string arguments;  // a fragment; the fragments of one index concatenate

  bool operator==(const ToolCallDelta&) const = default;
};

// The increment produced by one feed()/finish() call. Empty strings mean "no
// new text" (the server omits the field).
struct ChatDelta {
  std::string content;
  std::string reasoning_content;
  std::vector<ToolCallDelta> tool_calls;

  bool empty() const { return content.empty() && reasoning_content.empty() && tool_calls.empty(); }

  // Appends a later delta (used to merge the deltas of one step).
  void append(ChatDelta&& later) {
    content += later.content;
    reasoning_content += later.reasoning_content;
    for (auto& call : later.tool_calls) tool_calls.push_back(std::move(call));
  }
};

// A whole assistant message: what a non-streaming response returns, and what
// the concatenation of all streamed deltas amounts to.
struct ParsedOutput {
  std::string content;
  std::string reasoning_content;
  std::vector<ToolCall> tool_calls;

  bool operator==(const ParsedOutput&) const = default;

  // Accumulates a streamed delta, the way an OpenAI client does.
  void append(const ChatDelta& delta) {
    content += delta.content;
    reasoning_content += delta.reasoning_content;
    for (const ToolCallDelta& piece : delta.tool_calls) {
      if (piece.index < 0) continue;  // not produced by our parsers; never index with it
      const auto index = static_cast<std::size_t>(piece.index);
      if (index >= tool_calls.size()) tool_calls.resize(index + 1);
      ToolCall& call = tool_calls[index];
      if (!piece.id.empty()) call.id = piece.id;
      if (!piece.name.empty()) call.name = piece.name;
      call.arguments += piece.arguments;
    }
  }
};

}  // namespace qwenrt
