#include "chat/tool_call_stream.h"

#include <utility>

namespace qwenrt {

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t partial_tag_suffix(std::string_view text, std::string_view tag) {
  const std::size_t longest = tag.size() - 1 < text.size() ? tag.size() - 1 : text.size();
  for (std::size_t length = longest; length > 0; --length) {
    if (text.substr(text.size() - length) == tag.substr(0, length)) return length;
  }
  return 0;
}

TaggedToolCallParser::TaggedToolCallParser(std::unique_ptr<ToolCallBlockScanner> scanner,
                                           ToolCallIdGenerator next_id)
    : scanner_(std::move(scanner)), next_id_(std::move(next_id)) {}

ChatDelta TaggedToolCallParser::feed(std::string_view text) {
  pending_.append(text);
  return drain(/*at_end=*/false);
}

ChatDelta TaggedToolCallParser::finish() {
  ChatDelta out = drain(/*at_end=*/true);
  pending_.clear();
  in_block_ = false;
  after_call_ = false;
  calls_emitted_ = 0;
  return out;
}

ChatDelta TaggedToolCallParser::drain(bool at_end) {
  ChatDelta out;
  while (in_block_ ? advance_block(at_end, out) : advance_text(at_end, out)) {
  }
  return out;
}

void TaggedToolCallParser::start_block() {
  in_block_ = true;
  after_call_ = false;
  scanner_->reset();
}

bool TaggedToolCallParser::advance_text(bool at_end, ChatDelta& out) {
  if (after_call_) {
    // Whitespace right after a call is formatting if only another call or the
    // end follows it; if text follows, it belongs to that text.
    std::size_t spaces = 0;
    while (spaces < pending_.size() && is_json_space(pending_[spaces])) ++spaces;
    if (spaces == pending_.size()) {
      if (at_end) pending_.clear();
      return false;
    }
    const std::string_view rest = std::string_view(pending_).substr(spaces);
    if (rest.starts_with(kToolCallOpen)) {
      pending_.erase(0, spaces);
      start_block();
      return true;
    }
    if (!at_end && kToolCallOpen.starts_with(rest)) return false;  // maybe a tag: wait
    after_call_ = false;  // text follows: the whitespace is part of it
  }
  const std::size_t open = pending_.find(kToolCallOpen);
  if (open != std::string::npos) {
    out.content.append(pending_, 0, open);
    pending_.erase(0, open);
    start_block();
    return true;
  }
  const std::size_t hold = at_end ? 0 : partial_tag_suffix(pending_, kToolCallOpen);
  out.content.append(pending_, 0, pending_.size() - hold);
  pending_.erase(0, pending_.size() - hold);
  return false;
}

bool TaggedToolCallParser::advance_block(bool at_end, ChatDelta& out) {
  BlockVerdict verdict = scanner_->scan(pending_);
  switch (verdict.status) {
    case BlockVerdict::Status::kNeedMore:
      if (!at_end) return false;
      // Generation ended inside a call (truncated output): it is text.
      out.content += pending_;
      pending_.clear();
      in_block_ = false;
      return false;
    case BlockVerdict::Status::kRejected: {
      // Guard the loop: a verdict must consume at least the opening tag.
      const std::size_t end = verdict.end < kToolCallOpen.size() ? kToolCallOpen.size() : verdict.end;
      out.content.append(pending_, 0, end);
      pending_.erase(0, end);
      in_block_ = false;
      return true;
    }
    case BlockVerdict::Status::kAccepted: {
      ToolCallDelta call;
      call.index = calls_emitted_++;
      call.id = next_id_();
      call.name = std::move(verdict.name);
      call.arguments = std::move(verdict.arguments);
      out.tool_calls.push_back(std::move(call));
      pending_.erase(0, verdict.end);
      in_block_ = false;
      after_call_ = true;
      return true;
    }
  }
  return false;
}

}  // namespace qwenrt
