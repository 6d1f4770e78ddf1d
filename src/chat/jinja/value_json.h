// JSON in and out of the engine. Output follows Python's json.dumps because the
// `tojson` filter transformers installs is json.dumps(x, ensure_ascii=False, indent=None,
// separators=None, sort_keys=False): ", " and ": " separators, non-ASCII kept, key order
// kept, floats written by repr(). Input keeps object key order (ordered_json), since the
// order of tool parameters shows in the rendered prompt.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;          // nullopt: one line
  std::optional<std::string> item_separator;  // default ", " (or "," with indent)
  std::optional<std::string> key_separator;   // default ": "
  bool sort_keys = false;
};

// json.dumps(value, ...). Fails on values JSON cannot hold (Undefined, namespaces...).
std::string dump_json(const Value& value, const JsonDumpOptions& options);

// Converts parsed JSON to a value; fails if nested deeper than kMaxValueDepth.
Value from_json(const nlohmann::ordered_json& json);

}  // namespace qwenrt::jinja
