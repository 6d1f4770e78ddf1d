// A compiled Jinja template, configured like transformers' chat-template environment
// (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson with
// ensure_ascii=False, raise_exception and strftime_now). Parse once, render many times,
// from any number of threads: render() is const and keeps no state between calls.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "chat/jinja/ast.h"
#include "chat/jinja/error.h"
#include "chat/jinja/limits.h"
#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Template {
 public:
  // Throws TemplateError (kSyntax with line and column, or kLimit).
  explicit Template(std::string_view source, const Limits& limits = {});

  // Renders with `variables` (name -> value). Throws TemplateError.
  std::string render(const Dict& variables) const;
  // Same, from a JSON object (keys keep their order).
  std::string render(const nlohmann::ordered_json& variables) const;

  const Limits& limits() const { return limits_; }

 private:
  [[noreturn]] void rethrow(const Failure& f, uint32_t fallback_pos) const;

  Limits limits_;
  std::string source_;  // normalized newlines, without the final newline
  Body body_;
};

}  // namespace qwenrt::jinja
