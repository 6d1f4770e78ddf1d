// Python literals (ast.literal_eval) as JSON values. vLLM's Qwen3-Coder parser
// falls back to ast.literal_eval when a parameter value is not JSON, which
// catches the common model habit of writing Python reprs: {'k': True, 'n': None}.
#pragma once
#include <optional>
#include <string_view>

#include "chat/python_json.h"

namespace qwenrt {

// Evaluates `text` as ast.literal_eval would and returns the value as
// json.dumps would see it: tuples become arrays; dict keys that are ints,
// floats, True/False/None become their JSON spelling. Returns nullopt for
// anything literal_eval rejects (names, calls, operators) and for values
// json.dumps rejects (sets, bytes, complex numbers, tuple keys). Never throws.
std::optional<Json> python_literal_eval(std::string_view text);

// Parses text as Python's int(text) does (surrounding whitespace, a sign,
// '_' between digits, leading zeros allowed). nullopt when int() would raise.
std::optional<Json> python_int(std::string_view text);

// Parses text as Python's float(text) does, including "inf" and "nan" in any
// case and '_' between digits. nullopt when float() would raise.
std::optional<double> python_float(std::string_view text);

}  // namespace qwenrt
