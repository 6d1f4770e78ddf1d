#include "chat/jinja/template.h"

#include <stdexcept>

#include "chat/jinja/interpreter.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/parser.h"
#include "chat/jinja/value_json.h"

namespace qwenrt::jinja {

Template::Template(std::string_view source, const Limits& limits) : limits_(limits) {
  if (source.size() > limits.max_template_bytes) {
    throw TemplateError(ErrorKind::kLimit, 1, 1,
                        "template is " + std::to_string(source.size()) +
                            " bytes, more than the limit of " +
                            std::to_string(limits.max_template_bytes));
  }
  source_ = normalize_source(source);
  try {
    body_ = parse(tokenize(source_), limits_);
  } catch (const Failure& f) {
    rethrow(f, 0);
  }
}

void Template::rethrow(const Failure& f, uint32_t fallback_pos) const {
  int line = 1, column = 1;
  offset_to_line_col(source_, f.offset.value_or(fallback_pos), &line, &column);
  throw TemplateError(f.kind, line, column, f.message);
}

std::string Template::render(const Dict& variables) const {
  Interpreter interpreter(limits_);
  try {
    return interpreter.render(body_, variables);
  } catch (const Failure& f) {
    rethrow(f, interpreter.current_pos());
  } catch (const std::length_error& e) {
    rethrow(Failure{ErrorKind::kLimit, std::string("value too large: ") + e.what(), std::nullopt},
            interpreter.current_pos());
  }
}

std::string Template::render(const nlohmann::ordered_json& variables) const {
  if (!variables.is_object()) throw qwenrt::Error("template variables must be a JSON object");
  Dict d;
  try {
    for (const auto& [k, v] : variables.items()) d.set(Value::string(k), from_json(v));
  } catch (const Failure& f) {
    throw qwenrt::Error("template variables: " + f.message);
  }
  return render(d);
}

}  // namespace qwenrt::jinja
