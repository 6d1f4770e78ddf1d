#include "chat/qwen3_coder_values.h"

#include <cmath>
#include <initializer_list>
#include <optional>

#include "chat/python_literal.h"

namespace qwenrt {
namespace {

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  return out;
}

std::string_view strip(std::string_view text) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

bool starts_with_any(std::string_view text, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view prefix : prefixes) {
    if (text.starts_with(prefix)) return true;
  }
  return false;
}

bool is_one_of(std::string_view text, std::initializer_list<std::string_view> names) {
  for (std::string_view name : names) {
    if (text == name) return true;
  }
  return false;
}

// str(value).strip().lower() for a schema "type"; only strings can match a
// known type name, so other JSON values map to a name that matches nothing.
std::string type_name(const Json& type) {
  if (type.is_string()) return ascii_lower(strip(type.get_ref<const std::string&>()));
  return "?";
}

struct ParameterType {
  std::string name = "string";
  bool nullable = false;
};

ParameterType parameter_type(const Json& schema) {
  ParameterType result;
  if (!schema.is_object()) return result;
  if (const auto type = schema.find("type"); type != schema.end()) {
    if (type->is_array()) {  // ["number", "null"]: read like anyOf (a documented deviation)
      bool picked = false;
      for (const Json& option : *type) {
        const std::string name = type_name(option);
        if (name == "null") {
          result.nullable = true;
        } else if (!picked) {
          result.name = name;
          picked = true;
        }
      }
      if (!picked && result.nullable) result.name = "null";
      return result;
    }
    result.name = type_name(*type);
    result.nullable = result.name == "null";
    return result;
  }
  if (const auto any_of = schema.find("anyOf"); any_of != schema.end() && any_of->is_array()) {
    bool picked = false;
    for (const Json& option : *any_of) {
      if (!option.is_object() || !option.contains("type")) continue;
      const std::string name = type_name(option["type"]);
      if (name == "null") {
        result.nullable = true;
      } else if (!picked) {
        result.name = name;
        picked = true;
      }
    }
  }
  return result;
}

Json number_value(const std::string& text) {
  const std::optional<double> value = python_float(text);
  if (!value || !std::isfinite(*value)) return Json(text);
  // vLLM returns int(value) when the float has no fractional part: 4.0 -> 4.
  if (*value == std::trunc(*value)) return json_integer_from_digits(exact_integer_digits(*value));
  return Json(*value);
}

// A parsed literal that is itself a string may be a double-encoded repr
// ("{'k': 'v'}" written as a JSON string): vLLM evaluates it once more.
Json unwrap_string(Json value) {
  if (!value.is_string()) return value;
  std::optional<Json> inner = python_literal_eval(value.get_ref<const std::string&>());
  return inner ? std::move(*inner) : value;
}

}  // namespace

const Json* find_tool_properties(const Json& tools, std::string_view name) {
  if (!tools.is_array()) return nullptr;
  for (const Json& tool : tools) {
    if (!tool.is_object()) continue;
    const auto function = tool.find("function");
    if (function == tool.end() || !function->is_object()) continue;
    const auto tool_name = function->find("name");
    if (tool_name == function->end() || !tool_name->is_string() || *tool_name != name) continue;
    const auto parameters = function->find("parameters");
    if (parameters == function->end() || !parameters->is_object()) return nullptr;
    const auto properties = parameters->find("properties");
    if (properties == parameters->end() || !properties->is_object()) return nullptr;
    return &*properties;
  }
  return nullptr;
}

Json convert_qwen3_coder_value(const std::string& text, const std::string& parameter_name,
                               const Json* properties) {
  if (properties == nullptr) return Json(text);
  const auto schema = properties->find(parameter_name);
  if (schema == properties->end()) return Json(text);
  const ParameterType type = parameter_type(*schema);
  const std::string lower = ascii_lower(text);
  const bool null_text = lower == "null" || lower == "none";
  if (type.nullable && null_text) return Json(nullptr);
  if (is_one_of(type.name, {"string", "str", "text", "varchar", "char", "enum"})) return Json(text);
  if (null_text) return Json(nullptr);
  if (starts_with_any(type.name, {"int", "uint", "long", "short", "unsigned"})) {
    std::optional<Json> value = python_int(text);
    return value ? std::move(*value) : Json(text);
  }
  if (starts_with_any(type.name, {"num", "float"})) return number_value(text);
  if (is_one_of(type.name, {"boolean", "bool", "binary"})) return Json(lower == "true");
  const bool container =
      is_one_of(type.name, {"object", "array", "arr"}) || starts_with_any(type.name, {"dict", "list"});
  if (container) {
    if (std::optional<Json> value = parse_json(text)) return unwrap_string(std::move(*value));
  }
  std::optional<Json> value = python_literal_eval(text);
  if (!value) return Json(text);
  return container ? unwrap_string(std::move(*value)) : std::move(*value);
}

}  // namespace qwenrt
