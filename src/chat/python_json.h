// JSON as Python's json module reads and writes it. Tool-call arguments leave the
// server as the string vLLM produces, json.dumps(value, ensure_ascii=False), so
// clients see the same bytes from qwenrt as from the reference server.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace qwenrt {

// Objects keep their key order (Python dicts do); a repeated key keeps its first
// position and its last value, as json.loads does.
using Json = nlohmann::ordered_json;

// An integer too large for int64/uint64 (Python ints are unbounded). It is kept
// as its decimal digits in a binary value, a type that JSON text can never
// produce, so python_json_dumps can write it back exactly.
Json json_big_integer(const std::string& decimal_digits);

// Parses one JSON text (surrounding whitespace allowed). Returns nullopt on any
// syntax error, invalid UTF-8 or nesting deeper than kMaxJsonDepth; never throws.
std::optional<Json> parse_json(std::string_view text);

inline constexpr int kMaxJsonDepth = 512;

// json.dumps(value, ensure_ascii=False): ", " and ": " separators, non-ASCII
// written as is, floats as Python's repr (NaN/Infinity spelled as Python does).
std::string python_json_dumps(const Json& value);

// repr(float(value)): shortest digits that round-trip, fixed notation for
// exponents in [-4, 16), otherwise "d.ddde+XX".
std::string python_float_repr(double value);

// Decimal digits of an integral, finite double (Python's int(value)), exact
// for any magnitude: 1e20 -> "100000000000000000000".
std::string exact_integer_digits(double integral_value);

// An integer value from decimal digits with an optional leading '-': int64 or
// uint64 when it fits, json_big_integer otherwise. "-0" becomes 0.
Json json_integer_from_digits(std::string_view digits);

}  // namespace qwenrt
