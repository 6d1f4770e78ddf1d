// The part every <tool_call>-tagged format shares: splitting the stream into
// plain text and candidate call blocks, holding back a partial tag, dropping
// the whitespace after a call, and turning failed or unclosed blocks back into
// text. What is inside a block is read by a format's ToolCallBlockScanner.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "chat/tool_call_parser.h"

namespace qwenrt {

inline constexpr std::string_view kToolCallOpen = "<tool_call>";
inline constexpr std::string_view kToolCallClose = "</tool_call>";

// Verdict on a block that starts with kToolCallOpen.
struct BlockVerdict {
  enum class Status {
    kNeedMore,  // cannot decide yet: wait for more text
    kRejected,  // not a call: block[0, end) is plain text, parsing resumes at `end`
    kAccepted,  // a call: block[0, end) is consumed (end is just past </tool_call>)
  };
  Status status = Status::kNeedMore;
  std::size_t end = 0;  // for kRejected always >= kToolCallOpen.size()
  std::string name;
  std::string arguments;  // JSON text, python_json_dumps style
};

// Reads one block of one format. scan() is called with the same block growing
// at the end (its prefix never changes) and resumes where it stopped, so the
// total work is linear in the block's length.
class ToolCallBlockScanner {
 public:
  virtual ~ToolCallBlockScanner() = default;
  virtual void reset() = 0;  // a new block starts
  virtual BlockVerdict scan(std::string_view block) = 0;
};

class TaggedToolCallParser : public ToolCallParser {
 public:
  TaggedToolCallParser(std::unique_ptr<ToolCallBlockScanner> scanner, ToolCallIdGenerator next_id);

  ChatDelta feed(std::string_view text) override;
  ChatDelta finish() override;

 private:
  ChatDelta drain(bool at_end);
  // In text mode: moves decided text to `out`; returns false to wait for input.
  bool advance_text(bool at_end, ChatDelta& out);
  bool advance_block(bool at_end, ChatDelta& out);
  void start_block();

  std::unique_ptr<ToolCallBlockScanner> scanner_;
  ToolCallIdGenerator next_id_;
  std::string pending_;        // undecided input; in a block it starts with <tool_call>
  bool in_block_ = false;
  bool after_call_ = false;    // whitespace at the start of pending_ follows a call
  int calls_emitted_ = 0;
};

// Length of the longest proper prefix of `tag` that `text` ends with: the
// bytes to hold back because the next piece may complete the tag.
std::size_t partial_tag_suffix(std::string_view text, std::string_view tag);

bool is_json_space(char c);  // ' ', '\t', '\n', '\r': the whitespace around tags

}  // namespace qwenrt
