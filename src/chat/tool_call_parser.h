// Incremental extraction of tool calls from the text a Qwen model generates.
//
// Two output formats exist in the Qwen family, both wrapped in <tool_call> tags:
//   hermes       Qwen2.5, Qwen3, QwQ:   <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>
//   qwen3_coder  Qwen3-Coder, Qwen3.5:  <tool_call>\n<function=NAME>\n<parameter=P>\nVALUE\n</parameter>\n
//                                        </function>\n</tool_call>
//
// Behaviour (the same for both formats; vLLM's hermes and qwen3_coder parsers
// are the reference for what counts as a call and how arguments are written):
// - Text before, between and after calls is content, verbatim. A whitespace-only
//   run that follows a call (up to the next call or the end) is formatting and
//   is dropped; vLLM drops all text after the first call, we drop only that.
// - A block that does not parse (bad JSON, missing "name", stray text inside
//   the tags) is content, verbatim, up to the byte where it went wrong; parsing
//   resumes there. A block still open when generation ends (truncated output)
//   is content too. Nothing the model wrote is lost.
// - arguments are re-serialized as vLLM does, json.dumps(args, ensure_ascii=False):
//   ", " / ": " separators, UTF-8 unescaped, key order kept (python_json.h).
// - A call is emitted whole, in one ToolCallDelta with id, name and arguments,
//   once its closing </tool_call> has arrived. Streaming argument fragments
//   earlier would commit to a call that truncation could still turn into
//   content, and the concatenation of streamed deltas must equal the one-shot
//   parse. Plain text streams with at most one partial tag held back.
// - Ids are "call_" + 24 alphanumerics from an injectable generator.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chat/parsed_output.h"
#include "chat/python_json.h"

namespace qwenrt {

enum class ToolCallFormat { kHermes, kQwen3Coder };

// "hermes" or "qwen3_coder" (vLLM's --tool-call-parser names; "qwen3_xml" is
// accepted as an alias of the latter). nullopt for anything else.
std::optional<ToolCallFormat> tool_call_format_from_name(std::string_view name);

// Returns the id of the next call on each invocation.
using ToolCallIdGenerator = std::function<std::string()>;

// "call_" + 24 characters of [A-Za-z0-9]. The random generator seeds itself
// from std::random_device; the seeded one repeats its sequence (for tests).
ToolCallIdGenerator random_tool_call_ids();
ToolCallIdGenerator seeded_tool_call_ids(std::uint64_t seed);

struct ToolCallParserOptions {
  // The request's "tools" array in OpenAI form ([{"type": "function",
  // "function": {"name", "parameters"}}]). Qwen3-Coder writes every parameter
  // value as bare text; the parameter's JSON-schema type decides how the text
  // is read back (qwen3_coder_values.h). Hermes ignores it.
  Json tools = Json::array();
  // Empty: random_tool_call_ids().
  ToolCallIdGenerator next_id;
};

class ToolCallParser {
 public:
  virtual ~ToolCallParser() = default;
  // Consumes the next piece of generated text (any split, even inside a tag or
  // a UTF-8 sequence) and returns what can be decided so far.
  virtual ChatDelta feed(std::string_view text) = 0;
  // Ends the generation: flushes held-back text and turns an unclosed call
  // into content. The parser is then ready for a new generation.
  virtual ChatDelta finish() = 0;
};

std::unique_ptr<ToolCallParser> make_tool_call_parser(ToolCallFormat format,
                                                      ToolCallParserOptions options = {});

// One-shot parse of a complete generation: exactly feed(text) then finish().
ParsedOutput parse_tool_calls(ToolCallFormat format, std::string_view text,
                              ToolCallParserOptions options = {});

}  // namespace qwenrt
