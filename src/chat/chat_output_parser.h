// The whole output pipeline of one generation, as the server uses it:
// generated text -> ReasoningParser -> its content -> ToolCallParser.
// Reasoning is split off first, so tags inside reasoning never become calls
// (Qwen3 writes its calls after "</think>").
#pragma once
#include <memory>
#include <optional>
#include <string_view>

#include "chat/parsed_output.h"
#include "chat/reasoning_parser.h"
#include "chat/tool_call_parser.h"

namespace qwenrt {

struct ChatOutputOptions {
  // nullopt: no <think> handling; all text goes on as content.
  std::optional<ReasoningParserOptions> reasoning;
  // nullopt: no tool-call extraction (no tools in the request).
  std::optional<ToolCallFormat> tool_call_format;
  ToolCallParserOptions tool_calls;
};

class ChatOutputParser {
 public:
  explicit ChatOutputParser(ChatOutputOptions options);

  ChatDelta feed(std::string_view text);
  ChatDelta finish();  // ready for a new generation afterwards

 private:
  ChatDelta route(ChatDelta&& from_reasoning, bool at_end);

  std::optional<ReasoningParser> reasoning_;
  std::unique_ptr<ToolCallParser> tool_calls_;
};

// One-shot: feed(text) then finish().
ParsedOutput parse_chat_output(std::string_view text, ChatOutputOptions options);

}  // namespace qwenrt
