// Fuzzes the Jinja engine: parse, then render with small limits. Input: template bytes,
// optionally followed by a NUL byte and a JSON object of variables (a chat-like default
// context is used when absent or invalid). Any TemplateError is an expected outcome; a
// crash, sanitizer report, hang or other exception is a bug.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "chat/jinja/template.h"

namespace {

const nlohmann::ordered_json& default_vars() {
  static const nlohmann::ordered_json vars = nlohmann::ordered_json::parse(R"({
    "messages": [
      {"role": "system", "content": "You are helpful."},
      {"role": "user", "content": "Hi <tool_response>x</tool_response> \u00e9"},
      {"role": "assistant", "content": "<think>\nr\n</think>\n\nok", "reasoning_content": "r",
       "tool_calls": [{"type": "function", "function": {"name": "f", "arguments": {"a": [1, 2.5, null], "b": {"c": true}}}}]},
      {"role": "tool", "content": "42"},
      {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "look"}]}
    ],
    "tools": [{"type": "function", "function": {"name": "f", "description": " d ",
               "parameters": {"type": "object", "properties": {"a": {"type": ["array", "null"]}}, "required": ["a"]}}}],
    "add_generation_prompt": true, "enable_thinking": false, "bos_token": "<s>", "eos_token": "</s>"
  })");
  return vars;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string_view source = input.substr(0, nul);
  nlohmann::ordered_json vars = default_vars();
  if (nul != std::string_view::npos) {
    auto parsed = nlohmann::ordered_json::parse(input.substr(nul + 1), nullptr, false);
    if (parsed.is_object()) vars = std::move(parsed);
  }
  qwenrt::jinja::Limits limits;
  limits.max_template_bytes = 64 << 10;
  limits.max_parse_depth = 64;
  limits.max_eval_depth = 128;
  limits.max_steps = 200'000;
  limits.max_loop_iterations = 20'000;
  limits.max_output_bytes = 1 << 20;
  try {
    const qwenrt::jinja::Template tmpl(source, limits);
    (void)tmpl.render(vars);
  } catch (const qwenrt::Error&) {
    // TemplateError, or variables the engine refuses (nested too deeply)
  }
  return 0;
}
