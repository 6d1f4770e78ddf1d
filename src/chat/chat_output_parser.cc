#include "chat/chat_output_parser.h"

#include <utility>

namespace qwenrt {

ChatOutputParser::ChatOutputParser(ChatOutputOptions options) {
  if (options.reasoning) reasoning_.emplace(*options.reasoning);
  if (options.tool_call_format) {
    tool_calls_ = make_tool_call_parser(*options.tool_call_format, std::move(options.tool_calls));
  }
}

ChatDelta ChatOutputParser::route(ChatDelta&& from_reasoning, bool at_end) {
  if (!tool_calls_) {
    return std::move(from_reasoning);
  }
  ChatDelta out;
  out.reasoning_content = std::move(from_reasoning.reasoning_content);
  out.append(tool_calls_->feed(from_reasoning.content));
  if (at_end) out.append(tool_calls_->finish());
  return out;
}

ChatDelta ChatOutputParser::feed(std::string_view text) {
  ChatDelta step;
  if (reasoning_) {
    step = reasoning_->feed(text);
  } else {
    step.content = std::string(text);
  }
  return route(std::move(step), /*at_end=*/false);
}

ChatDelta ChatOutputParser::finish() {
  ChatDelta step = reasoning_ ? reasoning_->finish() : ChatDelta{};
  if (!tool_calls_) return step;
  return route(std::move(step), /*at_end=*/true);
}

ParsedOutput parse_chat_output(std::string_view text, ChatOutputOptions options) {
  ChatOutputParser parser(std::move(options));
  ParsedOutput result;
  result.append(parser.feed(text));
  result.append(parser.finish());
  return result;
}

}  // namespace qwenrt
