#include "chat/reasoning_parser.h"

#include "chat/tool_call_stream.h"  // partial_tag_suffix, is_json_space

namespace qwenrt {
namespace {

std::size_t count_leading(std::string_view text, char c) {
  std::size_t n = 0;
  while (n < text.size() && text[n] == c) ++n;
  return n;
}

}  // namespace

bool prompt_ends_in_reasoning(std::string_view rendered_prompt) {
  // Only the last turn matters: earlier turns may hold closed think blocks.
  const std::size_t turn = rendered_prompt.rfind("<|im_start|>");
  const std::string_view last_turn = turn == std::string_view::npos ? rendered_prompt : rendered_prompt.substr(turn);
  const std::size_t open = last_turn.rfind(kThinkOpen);
  if (open == std::string_view::npos) return false;
  const std::size_t close = last_turn.rfind(kThinkClose);
  return close == std::string_view::npos || close < open;
}

ReasoningParser::ReasoningParser(ReasoningParserOptions options)
    : options_(options),
      state_(options.starts_in_reasoning ? State::kReasoningStart : State::kStart),
      may_reopen_(options.starts_in_reasoning) {}

ChatDelta ReasoningParser::feed(std::string_view text) {
  pending_.append(text);
  return drain(/*at_end=*/false);
}

ChatDelta ReasoningParser::finish() {
  ChatDelta out = drain(/*at_end=*/true);
  pending_.clear();
  state_ = options_.starts_in_reasoning ? State::kReasoningStart : State::kStart;
  may_reopen_ = options_.starts_in_reasoning;
  return out;
}

ChatDelta ReasoningParser::drain(bool at_end) {
  ChatDelta out;
  while (!pending_.empty() && advance(at_end, out)) {
  }
  return out;
}

bool ReasoningParser::advance(bool at_end, ChatDelta& out) {
  const std::string_view text = pending_;
  switch (state_) {
    case State::kStart: {
      std::size_t spaces = 0;
      while (spaces < text.size() && is_json_space(text[spaces])) ++spaces;
      const std::string_view rest = text.substr(spaces);
      if (rest.starts_with(kThinkOpen)) {
        pending_.erase(0, spaces + kThinkOpen.size());
        state_ = State::kReasoningStart;
        return true;
      }
      if (!at_end && kThinkOpen.starts_with(rest)) return false;  // maybe the tag: wait
      state_ = State::kContent;
      return true;
    }
    case State::kReasoningStart: {
      const std::size_t newlines = count_leading(text, '\n');
      const std::string_view rest = text.substr(newlines);
      if (may_reopen_ && rest.starts_with(kThinkOpen)) {
        pending_.erase(0, newlines + kThinkOpen.size());
        may_reopen_ = false;
        return true;
      }
      if (rest.empty() || (!at_end && may_reopen_ && kThinkOpen.starts_with(rest))) {
        if (at_end) pending_.clear();  // only formatting newlines were left
        return false;
      }
      pending_.erase(0, newlines);
      may_reopen_ = false;
      state_ = State::kReasoning;
      return true;
    }
    case State::kReasoning: {
      const std::size_t close = text.find(kThinkClose);
      if (close != std::string_view::npos) {
        std::size_t end = close;
        while (end > 0 && text[end - 1] == '\n') --end;  // newlines before </think> are formatting
        out.reasoning_content.append(text.substr(0, end));
        pending_.erase(0, close + kThinkClose.size());
        state_ = State::kContentStart;
        return true;
      }
      std::size_t end = text.size();
      if (!at_end) {
        // Hold a possible partial "</think>" and the newlines before it, which
        // are dropped if the tag completes.
        end -= partial_tag_suffix(text, kThinkClose);
        while (end > 0 && text[end - 1] == '\n') --end;
      }
      out.reasoning_content.append(text.substr(0, end));
      pending_.erase(0, end);
      return false;
    }
    case State::kContentStart: {
      const std::size_t newlines = count_leading(text, '\n');
      pending_.erase(0, newlines);
      if (pending_.empty()) return false;
      state_ = State::kContent;
      return true;
    }
    case State::kContent:
      out.content += pending_;
      pending_.clear();
      return false;
  }
  return false;
}

ParsedOutput parse_reasoning(std::string_view text, ReasoningParserOptions options) {
  ReasoningParser parser(options);
  ParsedOutput result;
  result.append(parser.feed(text));
  result.append(parser.finish());
  return result;
}

}  // namespace qwenrt
