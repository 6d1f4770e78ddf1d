// The Hermes format (Qwen2.5, Qwen3, QwQ): a JSON object between tags,
//   <tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>
// The scanner follows JSON string and escape state, so a "</tool_call>" inside
// an argument string does not end the block, and it rejects a block at the
// first byte that cannot belong to JSON (outside strings only structural
// characters, numbers and true/false/null may appear), so a stray tag in prose
// costs no more than the bytes read so far.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/tool_call_stream.h"

namespace qwenrt {

class HermesBlockScanner : public ToolCallBlockScanner {
 public:
  void reset() override;
  BlockVerdict scan(std::string_view block) override;

 private:
  enum class State { kLeadingSpace, kJson, kTrailingSpace, kCloseTag };
  BlockVerdict reject(std::size_t at) const;
  BlockVerdict finish_block(std::string_view block, std::size_t end) const;
  // Processes one byte of the JSON value; returns false if it cannot be JSON.
  bool json_byte(char c, std::size_t at);

  State state_ = State::kLeadingSpace;
  std::size_t pos_ = 0;
  std::size_t json_begin_ = 0;
  std::size_t json_end_ = 0;
  std::size_t close_begin_ = 0;
  std::vector<char> brackets_;  // open '{' / '[' outside strings
  bool in_string_ = false;
  bool escaped_ = false;
};

// {"name": "...", "arguments": {...}} -> (name, arguments as python_json_dumps).
// "arguments" may be absent or null ({}), an object, or a string holding a JSON
// object (some fine-tunes double-encode it). Anything else: nullopt.
struct NamedArguments {
  std::string name;
  std::string arguments;
};
std::optional<NamedArguments> hermes_call_from_json(std::string_view json_text);

}  // namespace qwenrt
