// Internals shared by the filter files (filters_text.cc, filters_seq.cc).
#pragma once
#include <span>
#include <string>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Interpreter;

using FilterFn = Value (*)(Interpreter&, const Value& input, CallArgs& args);

struct FilterEntry {
  const char* name;
  FilterFn fn;
};

std::span<const FilterEntry> text_filters();
std::span<const FilterEntry> sequence_filters();

// jinja2's make_attrgetter: "a.b.0" looks up a, then b, then index 0, with getitem
// rules; `fallback` (if not undefined) replaces an undefined result at any step.
Value get_attribute_path(const Value& item, const Value& attribute, const Value& fallback);

// Lower-cases strings (jinja2's ignore_case), leaves other values alone.
Value ignore_case(const Value& v);

}  // namespace qwenrt::jinja
