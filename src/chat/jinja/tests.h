// jinja2's built-in tests (`x is defined`, `x is string`, `x is divisibleby 3`...).
// Unknown test names are rejected when the template is parsed.
#pragma once
#include <string>
#include <string_view>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Interpreter;

bool test_exists(std::string_view name);
bool call_test(Interpreter& in, const std::string& name, const Value& input, CallArgs& args);

}  // namespace qwenrt::jinja
