// Turning values into text the way Python does: str() for {{ }} and the `string`
// filter, repr() for items inside printed containers. Templates print these (e.g.
// Qwen3-Coder renders a parameter's type list with `| string`), so the bytes must match.
#pragma once
#include <string>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

// Python str(value); Undefined prints as the empty string.
std::string to_str(const Value& value);
void append_str(std::string& out, const Value& value);
// Python repr(value).
std::string to_repr(const Value& value);
// Python repr(float): shortest round-trip digits, e.g. 1.0, 0.1, 1e+16, 1e-05.
std::string float_repr(double d);
// Python repr(str): quotes and escapes chosen like CPython.
std::string string_repr(const std::string& s);

}  // namespace qwenrt::jinja
