// Incremental split of Qwen output into reasoning_content (<think>...</think>)
// and content, for Qwen3, QwQ and the Qwen3 -Thinking / Qwen3.5 templates.
//
// Where reasoning starts:
//  (a) the output itself opens with "<think>" (Qwen3 hybrid template): leading
//      whitespace then "<think>" starts reasoning. A "<think>" later in the
//      output is plain content: only an opening tag counts.
//  (b) the prompt already opened "<think>" (QwQ, Qwen3-*-Thinking-2507 and
//      Qwen3.5 templates; see prompt_ends_in_reasoning): the output begins
//      inside reasoning and normally contains only "</think>". A re-emitted
//      "<think>" at its very start is dropped, as vLLM's Qwen3 parser does.
// Where it ends: at the first "</think>"; everything after is content, even
// another "<think>". With no "</think>" (c), everything after the opening is
// reasoning: the generation was cut off while thinking, which is vLLM's Qwen3
// reading when thinking is enabled. (vLLM reads it as content when the request
// set enable_thinking=false; we do not, because deciding would mean holding
// the whole output back until it ends, and the model did write it as thought.)
// (d) enable_thinking=false: the template puts "<think>\n\n</think>\n\n" in the
// prompt; if the model writes that empty block anyway, it parses as empty
// reasoning (never emitted) and the content after it.
//
// Newlines around the tags are formatting, stripped the way the Qwen3 chat
// template strips them when it renders reasoning_content back into a prompt
// (reasoning.strip('\n'), content.lstrip('\n') after "</think>"), so that
// parse and render round-trip. vLLM keeps them; clients showing the text do
// not care, and a template re-render then reproduces the model's bytes.
#pragma once
#include <string>
#include <string_view>

#include "chat/parsed_output.h"

namespace qwenrt {

inline constexpr std::string_view kThinkOpen = "<think>";
inline constexpr std::string_view kThinkClose = "</think>";

// True when the rendered prompt leaves a "<think>" open in the final
// (assistant) turn, so the model's output starts inside reasoning.
bool prompt_ends_in_reasoning(std::string_view rendered_prompt);

struct ReasoningParserOptions {
  bool starts_in_reasoning = false;  // case (b); usually prompt_ends_in_reasoning(prompt)
};

class ReasoningParser {
 public:
  explicit ReasoningParser(ReasoningParserOptions options = {});

  // Returns the content and reasoning_content decided so far (tool_calls stay
  // empty: content goes on to a ToolCallParser).
  ChatDelta feed(std::string_view text);
  // Flushes held-back text; ready for a new generation afterwards.
  ChatDelta finish();

 private:
  enum class State {
    kStart,           // before any text: is there an opening "<think>"?
    kReasoningStart,  // just inside reasoning: newlines are formatting
    kReasoning,
    kContentStart,    // just after "</think>": newlines are formatting
    kContent,
  };
  ChatDelta drain(bool at_end);
  bool advance(bool at_end, ChatDelta& out);  // false: wait for more input

  ReasoningParserOptions options_;
  State state_;
  std::string pending_;
  bool may_reopen_ = false;  // case (b): a leading "<think>" is still droppable
};

// One-shot: feed(text) then finish().
ParsedOutput parse_reasoning(std::string_view text, ReasoningParserOptions options = {});

}  // namespace qwenrt
