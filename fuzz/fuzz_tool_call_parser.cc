// Arbitrary bytes through the output parsers (reasoning + tool calls, both
// formats), fed in pieces at pseudo-random split points. Beyond not crashing,
// the streamed result must equal the one-shot parse; a difference traps.
//
// Input layout: byte 0 picks the configuration, byte 1 seeds the split
// points, the rest is the model output. With bit 4 of byte 0 set, the text
// also goes straight through the Python-compatible JSON and literal readers,
// and json.dumps output must read back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/chat_output_parser.h"
#include "chat/python_json.h"
#include "chat/python_literal.h"

namespace {

qwenrt::ChatOutputOptions options_from(std::uint8_t flags) {
  qwenrt::ChatOutputOptions options;
  options.tool_call_format = (flags & 1) ? qwenrt::ToolCallFormat::kQwen3Coder : qwenrt::ToolCallFormat::kHermes;
  if (flags & 2) options.reasoning = qwenrt::ReasoningParserOptions{.starts_in_reasoning = (flags & 4) != 0};
  if (flags & 8) {
    // A schema with every type family, so typed value conversion runs too.
    options.tool_calls.tools = qwenrt::Json::parse(R"([{"type": "function", "function": {"name": "f",
        "parameters": {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "object"},
        "c": {"type": "boolean"}, "d": {"type": "number"}, "e": {"type": "string"}, "g": {"type": "array"},
        "h": {"anyOf": [{"type": "string"}, {"type": "null"}]}, "i": {"type": "custom"}}}}}])");
  }
  options.tool_calls.next_id = qwenrt::seeded_tool_call_ids(flags);
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t flags = data[0];
  std::uint32_t state = data[1] * 2654435761u + 1;
  const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

  if (flags & 16) {
    qwenrt::python_literal_eval(text);
    if (const auto value = qwenrt::parse_json(text)) {
      const std::string dumped = qwenrt::python_json_dumps(*value);
      const auto again = qwenrt::parse_json(dumped);
      if (!again || qwenrt::python_json_dumps(*again) != dumped) __builtin_trap();
    }
  }

  const qwenrt::ParsedOutput whole = qwenrt::parse_chat_output(text, options_from(flags));

  qwenrt::ChatOutputParser parser(options_from(flags));
  qwenrt::ParsedOutput streamed;
  std::size_t at = 0;
  while (at < text.size()) {
    state = state * 1664525u + 1013904223u;  // LCG: cheap, deterministic split lengths 0..31
    const std::size_t length = (state >> 24) % 32;
    streamed.append(parser.feed(text.substr(at, length)));
    at += length;
  }
  streamed.append(parser.finish());
  if (!(streamed == whole)) __builtin_trap();
  return 0;
}
