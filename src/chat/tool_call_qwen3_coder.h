// The Qwen3-Coder XML-like format (also Qwen3.5):
//   <tool_call>
//   <function=get_weather>
//   <parameter=city>
//   Paris
//   </parameter>
//   </function>
//   </tool_call>
// Values are raw text, never escaped, so a value may itself contain tag text.
// As in vLLM, a "</parameter>" only closes a value when the next non-space
// text is "<parameter=" or "</function>"; any other "</parameter>" is part of
// the value. One newline after "<parameter=NAME>" and one before the closing
// tag are formatting (the chat template writes them) and are removed. The
// value's text becomes JSON by the tool's schema (qwen3_coder_values.h).
#pragma once
#include <string>
#include <string_view>

#include "chat/python_json.h"
#include "chat/tool_call_stream.h"

namespace qwenrt {

class Qwen3CoderBlockScanner : public ToolCallBlockScanner {
 public:
  explicit Qwen3CoderBlockScanner(Json tools) : tools_(std::move(tools)) {}

  void reset() override;
  BlockVerdict scan(std::string_view block) override;

 private:
  enum class State {
    kLeadingSpace,    // after <tool_call>
    kFunctionOpen,    // matching "<function="
    kFunctionName,    // up to '>'
    kBody,            // spaces, then "<parameter=" or "</function>"
    kParameterName,   // up to '>'
    kParameterValue,  // up to a "</parameter>"
    kTrailingSpace,   // after </function>
    kCloseTag,        // matching "</tool_call>"
  };
  BlockVerdict reject(std::size_t at) const;
  BlockVerdict accept(std::size_t end) const;
  // One byte in kBody. Returns false when the block is rejected at `reject_at_`.
  bool body_byte(std::string_view block, char c);
  void commit_parameter(std::string_view block);

  Json tools_;
  const Json* properties_ = nullptr;  // the called function's schema properties
  State state_ = State::kLeadingSpace;
  std::size_t pos_ = 0;
  std::size_t tag_begin_ = 0;    // first byte of the tag being matched
  std::size_t name_begin_ = 0;   // first byte of a function or parameter name
  std::size_t value_begin_ = 0;  // first byte after "<parameter=NAME>"
  std::size_t value_end_ = 0;    // a "</parameter>" awaiting confirmation
  bool value_pending_ = false;   // kBody is confirming the "</parameter>" at value_end_
  std::size_t reject_at_ = 0;
  std::string function_name_;
  std::string parameter_name_;
  Json arguments_ = Json::object();
};

}  // namespace qwenrt
