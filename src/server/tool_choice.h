// "tools" and "tool_choice" of a chat request, and the grammar that forces a call.
//
// auto (the default with tools): the model may call; calls are parsed from its text.
// none: tools are not shown to the model and nothing is parsed.
// required / named {"type": "function", "function": {"name": N}}: the output is
// constrained to Hermes calls, the form Qwen2.5 and Qwen3 are trained to write:
//   <tool_call>\n{"name": "N", "arguments": {...}}\n</tool_call>
// with the arguments following the tool's parameters schema. required allows several
// calls (separated by "\n") unless parallel_tool_calls is false; named allows one.
#pragma once
#include <memory>
#include <string>

#include "sampling/grammar/compiled_grammar.h"
#include "sampling/grammar/grammar.h"
#include "server/json_io.h"

namespace qwenrt::server {

struct ToolChoice {
  enum class Kind { kNone, kAuto, kRequired, kNamed };
  Kind kind = Kind::kNone;
  std::string name;  // kNamed
  bool parallel = true;

  bool forced() const { return kind == Kind::kRequired || kind == Kind::kNamed; }
};

// Checks "tools" (null or a list of {"type": "function", "function": {"name", ...}}) and
// reads tool_choice / parallel_tool_calls. Throws ApiError 400 naming the field.
ToolChoice parse_tool_choice(const Json& body);

// The grammar of a forced call (choice.forced()); `tools` is the request's list.
// Throws ApiError 400 (param "tools") when a parameters schema cannot be compiled.
grammar::Grammar forced_tool_call_grammar(const Json& tools, const ToolChoice& choice);

}  // namespace qwenrt::server
