// Strings, numbers and enum / const values.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "sampling/grammar/number_ranges.h"
#include "sampling/grammar/regex_to_grammar.h"
#include "sampling/grammar/schema_compiler.h"
#include "sampling/grammar/string_formats.h"

namespace qwenrt::grammar {

namespace {

std::optional<int64_t> length_keyword(SchemaCompiler& c, const Json& schema, const char* key, const std::string& path) {
  if (!schema.contains(key)) return std::nullopt;
  const Json& v = schema[key];
  if (!v.is_number() || v.get<double>() < 0 || std::floor(v.get<double>()) != v.get<double>()) {
    c.fail(path + "/" + key, std::string(key) + " must be a non-negative integer");
  }
  return static_cast<int64_t>(std::min(v.get<double>(), 1e15));
}

// minimum / maximum / exclusiveMinimum / exclusiveMaximum, in either draft's form.
NumberBounds bounds_of(SchemaCompiler& c, const Json& schema, const std::string& path) {
  NumberBounds b;
  auto number = [&](const char* key) -> std::optional<double> {
    if (!schema.contains(key)) return std::nullopt;
    const Json& v = schema[key];
    if (v.is_boolean()) return std::nullopt;
    if (!v.is_number()) c.fail(path + "/" + key, std::string(key) + " must be a number");
    return v.get<double>();
  };
  auto flag = [&](const char* key) { return schema.contains(key) && schema[key].is_boolean() && schema[key].get<bool>(); };
  b.minimum = number("minimum");
  b.exclusive_minimum = flag("exclusiveMinimum");  // draft 4
  if (auto e = number("exclusiveMinimum"); e && (!b.minimum || *e >= *b.minimum)) {
    b.minimum = e;
    b.exclusive_minimum = true;
  }
  b.maximum = number("maximum");
  b.exclusive_maximum = flag("exclusiveMaximum");
  if (auto e = number("exclusiveMaximum"); e && (!b.maximum || *e <= *b.maximum)) {
    b.maximum = e;
    b.exclusive_maximum = true;
  }
  return b;
}

bool within(const NumberBounds& b, double v) {
  if (b.minimum && (b.exclusive_minimum ? v <= *b.minimum : v < *b.minimum)) return false;
  if (b.maximum && (b.exclusive_maximum ? v >= *b.maximum : v > *b.maximum)) return false;
  return true;
}

size_t codepoint_count(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<uint8_t>(c) & 0xC0) != 0x80; }));
}

bool has_type(const Json& value, const std::string& type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "string") return value.is_string();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    return value.is_number_integer() || (value.is_number_float() && std::floor(value.get<double>()) == value.get<double>());
  }
  return false;
}

}  // namespace

ExprId SchemaCompiler::string(const Json& schema, const std::string& path) {
  const auto min = length_keyword(*this, schema, "minLength", path);
  const auto max = length_keyword(*this, schema, "maxLength", path);
  const bool lengths = min || max;
  if (schema.contains("pattern")) {
    if (!schema["pattern"].is_string()) fail(path + "/pattern", "pattern must be a string");
    if (lengths || schema.contains("format")) {
      fail(path, "pattern together with format, minLength or maxLength is not supported");
    }
    try {
      return json_.quoted(regex_to_grammar(g_, json_, schema["pattern"].get<std::string>()));
    } catch (const Error& e) {
      fail(path + "/pattern", e.what());
    }
  }
  if (schema.contains("format")) {
    if (!schema["format"].is_string()) fail(path + "/format", "format must be a string");
    const std::string format = schema["format"].get<std::string>();
    if (lengths) fail(path, "format together with minLength or maxLength is not supported");
    const auto pattern = format_pattern(format);
    if (!pattern) fail(path + "/format", "format \"" + format + "\" is not supported");
    return json_.quoted(regex_to_grammar(g_, json_, *pattern));
  }
  if (!lengths) return json_.string();
  const int64_t lo = min.value_or(0);
  int64_t hi = max.value_or(-1);
  if (hi >= 0 && lo > hi) unsatisfiable(path, "minLength is larger than maxLength");
  if (lo > options_.max_repeat) fail(path + "/minLength", "minLength above the limit of " + std::to_string(options_.max_repeat));
  if (hi > options_.max_repeat) hi = options_.max_repeat;  // a subset: see JsonSchemaOptions
  return json_.quoted(g_.repeat(json_.string_char(), static_cast<int32_t>(lo), hi < 0 ? kUnbounded : static_cast<int32_t>(hi)));
}

ExprId SchemaCompiler::number(const Json& schema, const std::string& path, bool integer) {
  const NumberBounds b = bounds_of(*this, schema, path);
  if (!b.minimum && !b.maximum) return integer ? json_.integer() : json_.number();
  if (integer) {
    const auto range = integer_bounds(b);
    if (!range) unsatisfiable(path, "no integer lies within minimum / maximum");
    return integer_range(g_, range->first, range->second);
  }
  const auto e = number_in_bounds(g_, b);
  if (!e) unsatisfiable(path, "no number lies within minimum / maximum");
  return *e;
}

ExprId SchemaCompiler::enumeration(const Json& values, const Json& schema, const std::string& path) {
  static const char* const kChecked[] = {"type", "enum", "const", "minLength", "maxLength", "minimum", "maximum",
                                         "exclusiveMinimum", "exclusiveMaximum"};
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    if (std::find_if(std::begin(kChecked), std::end(kChecked), [&](const char* k) { return key == k; }) != std::end(kChecked)) {
      continue;
    }
    if (has_assertions(Json{{key, nullptr}}, {})) fail(path, "enum / const together with \"" + key + "\" is not supported");
  }
  std::vector<std::string> types;
  if (schema.contains("type")) {
    const Json& t = schema["type"];
    if (t.is_string()) types.push_back(t.get<std::string>());
    else if (t.is_array()) for (const Json& x : t) if (x.is_string()) types.push_back(x.get<std::string>());
  }
  const auto min_length = length_keyword(*this, schema, "minLength", path);
  const auto max_length = length_keyword(*this, schema, "maxLength", path);
  const NumberBounds bounds = bounds_of(*this, schema, path);
  std::vector<std::string> literals;
  std::unordered_set<std::string> seen;
  for (const Json& v : values) {
    if (!types.empty() && std::none_of(types.begin(), types.end(), [&](const std::string& t) { return has_type(v, t); })) continue;
    if (schema.contains("const") && schema.contains("enum") && schema["enum"].is_array() &&
        std::find(schema["enum"].begin(), schema["enum"].end(), v) == schema["enum"].end()) {
      continue;
    }
    if (v.is_string()) {
      const size_t n = codepoint_count(v.get<std::string>());
      if ((min_length && static_cast<int64_t>(n) < *min_length) || (max_length && static_cast<int64_t>(n) > *max_length)) continue;
    }
    if (v.is_number() && !within(bounds, v.get<double>())) continue;
    std::string text = v.dump();
    if (seen.insert(text).second) {
      count_literal(text.size(), path);
      literals.push_back(std::move(text));
    }
  }
  if (literals.empty()) unsatisfiable(path, "no enum / const value satisfies the rest of the schema");
  std::vector<ExprId> options;
  for (const std::string& text : literals) options.push_back(g_.literal(text));
  return g_.alt(std::move(options));
}

}  // namespace qwenrt::grammar
