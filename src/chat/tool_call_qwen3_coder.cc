#include "chat/tool_call_qwen3_coder.h"

#include "chat/qwen3_coder_values.h"

namespace qwenrt {
namespace {

constexpr std::string_view kFunctionOpen = "<function=";
constexpr std::string_view kFunctionClose = "</function>";
constexpr std::string_view kParameterOpen = "<parameter=";
constexpr std::string_view kParameterClose = "</parameter>";
// Names longer than this are prose that happens to follow a tag, not a call;
// rejecting early keeps a stray "<function=" from buffering the whole output.
constexpr std::size_t kMaxNameLength = 256;

// vLLM rejects function names holding template syntax, quotes or spaces: they
// come from unrendered templates or pseudo-XML in prose, not from calls.
bool allowed_in_function_name(char c) {
  return std::string_view("{}<\"' \t\n\r").find(c) == std::string_view::npos;
}

}  // namespace

void Qwen3CoderBlockScanner::reset() {
  Json tools = std::move(tools_);
  *this = Qwen3CoderBlockScanner(std::move(tools));
}

BlockVerdict Qwen3CoderBlockScanner::reject(std::size_t at) const {
  BlockVerdict verdict;
  verdict.status = BlockVerdict::Status::kRejected;
  verdict.end = at;
  return verdict;
}

BlockVerdict Qwen3CoderBlockScanner::accept(std::size_t end) const {
  BlockVerdict verdict;
  verdict.status = BlockVerdict::Status::kAccepted;
  verdict.end = end;
  verdict.name = function_name_;
  verdict.arguments = python_json_dumps(arguments_);
  return verdict;
}

void Qwen3CoderBlockScanner::commit_parameter(std::string_view block) {
  std::string_view value = block.substr(value_begin_, value_end_ - value_begin_);
  if (value.starts_with('\n')) value.remove_prefix(1);
  if (value.ends_with('\n')) value.remove_suffix(1);
  // A repeated name keeps its first position and takes the last value, as a
  // Python dict assignment does.
  arguments_[parameter_name_] = convert_qwen3_coder_value(std::string(value), parameter_name_, properties_);
  value_pending_ = false;
}

bool Qwen3CoderBlockScanner::body_byte(std::string_view block, char c) {
  if (tag_begin_ == 0) {  // between tags
    if (is_json_space(c)) return true;
    tag_begin_ = pos_;
  }
  const std::size_t k = pos_ - tag_begin_;
  const bool parameter = block.substr(tag_begin_, k + 1) == kParameterOpen.substr(0, k + 1);
  const bool function_end = block.substr(tag_begin_, k + 1) == kFunctionClose.substr(0, k + 1);
  if (!parameter && !function_end) {
    if (value_pending_) {
      // That "</parameter>" was text inside the value: keep scanning the value
      // after it (the loop's ++pos_ moves past its first byte).
      state_ = State::kParameterValue;
      pos_ = value_end_;
      value_pending_ = false;
      tag_begin_ = 0;
      return true;
    }
    reject_at_ = tag_begin_;
    return false;
  }
  if (parameter && k + 1 == kParameterOpen.size()) {
    if (value_pending_) commit_parameter(block);
    state_ = State::kParameterName;
    name_begin_ = pos_ + 1;
    tag_begin_ = 0;
  } else if (function_end && k + 1 == kFunctionClose.size()) {
    if (value_pending_) commit_parameter(block);
    state_ = State::kTrailingSpace;
    tag_begin_ = 0;
  }
  return true;
}

BlockVerdict Qwen3CoderBlockScanner::scan(std::string_view block) {
  if (pos_ == 0) pos_ = kToolCallOpen.size();
  for (; pos_ < block.size(); ++pos_) {
    const char c = block[pos_];
    switch (state_) {
      case State::kLeadingSpace:
        if (is_json_space(c)) break;
        tag_begin_ = pos_;
        state_ = State::kFunctionOpen;
        [[fallthrough]];
      case State::kFunctionOpen: {
        const std::size_t k = pos_ - tag_begin_;
        if (c != kFunctionOpen[k]) return reject(tag_begin_);
        if (k + 1 == kFunctionOpen.size()) {
          state_ = State::kFunctionName;
          name_begin_ = pos_ + 1;
          tag_begin_ = 0;
        }
        break;
      }
      case State::kFunctionName:
        if (c == '>') {
          if (pos_ == name_begin_) return reject(pos_);
          function_name_ = std::string(block.substr(name_begin_, pos_ - name_begin_));
          properties_ = find_tool_properties(tools_, function_name_);
          state_ = State::kBody;
        } else if (!allowed_in_function_name(c) || pos_ - name_begin_ >= kMaxNameLength) {
          return reject(pos_);
        }
        break;
      case State::kBody:
        if (!body_byte(block, c)) return reject(reject_at_);
        break;
      case State::kParameterName:
        if (c == '>') {
          if (pos_ == name_begin_) return reject(pos_);
          parameter_name_ = std::string(block.substr(name_begin_, pos_ - name_begin_));
          value_begin_ = pos_ + 1;
          state_ = State::kParameterValue;
        } else if (c == '\n' || c == '<' || pos_ - name_begin_ >= kMaxNameLength) {
          return reject(pos_);
        }
        break;
      case State::kParameterValue: {
        const std::size_t close = block.find(kParameterClose, pos_);
        if (close == std::string_view::npos) {
          // Resume later where a closing tag could still begin.
          const std::size_t keep = kParameterClose.size() - 1;
          if (block.size() > pos_ + keep) pos_ = block.size() - keep;
          return {};
        }
        value_end_ = close;
        value_pending_ = true;
        state_ = State::kBody;
        pos_ = close + kParameterClose.size() - 1;  // the loop's ++pos_ steps past the tag
        break;
      }
      case State::kTrailingSpace:
        if (is_json_space(c)) break;
        tag_begin_ = pos_;
        state_ = State::kCloseTag;
        [[fallthrough]];
      case State::kCloseTag: {
        const std::size_t k = pos_ - tag_begin_;
        if (c != kToolCallClose[k]) return reject(tag_begin_);
        if (k + 1 == kToolCallClose.size()) return accept(pos_ + 1);
        break;
      }
    }
  }
  return {};  // kNeedMore
}

}  // namespace qwenrt
