// jinja2's built-in filters, plus `tojson` as transformers redefines it. Unknown filter
// names are rejected when the template is parsed, as jinja2 does.
#pragma once
#include <string>
#include <string_view>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Interpreter;

bool filter_exists(std::string_view name);
Value call_filter(Interpreter& in, const std::string& name, const Value& input, CallArgs& args);

}  // namespace qwenrt::jinja
