// Python's two string formatting mini-languages: `"%s: %d" % args` (also the `format`
// filter) and `"{}: {name}".format(...)`. Templates use them rarely, but when they do
// the output must match CPython's.
#pragma once
#include <string>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Interpreter;

// fmt % args: args is a tuple of values, a dict for %(name)s, or a single value.
std::string percent_format(const std::string& fmt, const Value& args, Interpreter& in);

// fmt.format(*args, **kwargs).
std::string brace_format(const std::string& fmt, const CallArgs& args, Interpreter& in);

}  // namespace qwenrt::jinja
