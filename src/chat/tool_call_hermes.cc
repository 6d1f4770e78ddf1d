#include "chat/tool_call_hermes.h"

#include <string>

namespace qwenrt {
namespace {

// Bytes that may appear in JSON outside a string: structure, numbers and the
// letters of true/false/null. Anything else (a '<' of a tag, prose) means the
// block is not a JSON call, and we can say so without waiting for its end.
bool may_appear_outside_string(char c) {
  if (is_json_space(c) || (c >= '0' && c <= '9')) return true;
  return std::string_view("{}[]:,-+.eEtrufalsn").find(c) != std::string_view::npos;
}

}  // namespace

void HermesBlockScanner::reset() { *this = HermesBlockScanner(); }

BlockVerdict HermesBlockScanner::reject(std::size_t at) const {
  BlockVerdict verdict;
  verdict.status = BlockVerdict::Status::kRejected;
  verdict.end = at;
  return verdict;
}

bool HermesBlockScanner::json_byte(char c, std::size_t at) {
  if (in_string_) {
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      return false;  // raw control characters are invalid in JSON strings (json.loads strict)
    }
    return true;
  }
  switch (c) {
    case '"':
      in_string_ = true;
      return true;
    case '{':
    case '[':
      if (static_cast<int>(brackets_.size()) >= kMaxJsonDepth) return false;
      brackets_.push_back(c);
      return true;
    case '}':
    case ']':
      if (brackets_.empty() || brackets_.back() != (c == '}' ? '{' : '[')) return false;
      brackets_.pop_back();
      if (brackets_.empty()) {
        json_end_ = at + 1;
        state_ = State::kTrailingSpace;
      }
      return true;
    default:
      return may_appear_outside_string(c);
  }
}

BlockVerdict HermesBlockScanner::scan(std::string_view block) {
  if (pos_ == 0) pos_ = kToolCallOpen.size();
  for (; pos_ < block.size(); ++pos_) {
    const char c = block[pos_];
    switch (state_) {
      case State::kLeadingSpace:
        if (is_json_space(c)) break;
        if (c != '{') return reject(pos_);
        json_begin_ = pos_;
        state_ = State::kJson;
        json_byte(c, pos_);
        break;
      case State::kJson:
        if (!json_byte(c, pos_)) return reject(pos_);
        break;
      case State::kTrailingSpace:
        if (is_json_space(c)) break;
        close_begin_ = pos_;
        state_ = State::kCloseTag;
        [[fallthrough]];
      case State::kCloseTag: {
        const std::size_t matched = pos_ - close_begin_;
        if (c != kToolCallClose[matched]) return reject(close_begin_);
        if (matched + 1 == kToolCallClose.size()) return finish_block(block, pos_ + 1);
        break;
      }
    }
  }
  return {};  // kNeedMore
}

BlockVerdict HermesBlockScanner::finish_block(std::string_view block, std::size_t end) const {
  auto call = hermes_call_from_json(block.substr(json_begin_, json_end_ - json_begin_));
  if (!call) return reject(end);  // well-delimited but not a call: the whole block is text
  BlockVerdict verdict;
  verdict.status = BlockVerdict::Status::kAccepted;
  verdict.end = end;
  verdict.name = std::move(call->name);
  verdict.arguments = std::move(call->arguments);
  return verdict;
}

std::optional<NamedArguments> hermes_call_from_json(std::string_view json_text) {
  const std::optional<Json> parsed = parse_json(json_text);
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const auto name = parsed->find("name");
  if (name == parsed->end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  NamedArguments call;
  call.name = name->get<std::string>();
  const auto arguments = parsed->find("arguments");
  if (arguments == parsed->end() || arguments->is_null()) {
    call.arguments = "{}";
  } else if (arguments->is_object()) {
    call.arguments = python_json_dumps(*arguments);
  } else if (arguments->is_string()) {
    const std::optional<Json> inner = parse_json(arguments->get_ref<const std::string&>());
    if (!inner || !inner->is_object()) return std::nullopt;
    call.arguments = python_json_dumps(*inner);
  } else {
    return std::nullopt;
  }
  return call;
}

}  // namespace qwenrt
