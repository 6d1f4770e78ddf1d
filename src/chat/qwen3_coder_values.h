// Qwen3-Coder writes every parameter value as bare text between tags; the
// parameter's JSON-schema type in the request's tools decides what JSON value
// the text becomes. The decision table is vLLM's (qwen3coder_tool_parser.py,
// _convert_param_value), built on Python's own int(), float(), json.loads and
// ast.literal_eval semantics (python_literal.h):
//   parameter not in the schema, or no tools given   -> the text as a string
//   "string", "str", "text", "varchar", "char", "enum" -> the text
//   "null"/"none" (any case), non-string type          -> null
//   "int*", "uint*", "long*", "short*", "unsigned*"    -> int(text), else the text
//   "num*", "float*"  -> float(text); integral values become integers; else the text
//   "boolean", "bool", "binary"                         -> text.lower() == "true"
//   "object", "array", "arr", "dict*", "list*"          -> json.loads, then literal_eval
//   any other type                                      -> literal_eval, else the text
// A schema without "type" uses the first non-null "anyOf" type; a nullable
// schema turns "null"/"None" into null even for strings.
// Deviations, each keeping the text rather than failing the whole call as vLLM
// would (it raises): a type given as a list (["number", "null"]) is read like
// anyOf; a non-finite number and a value json.dumps cannot write (a Python
// set) stay text.
#pragma once
#include <string>
#include <string_view>

#include "chat/python_json.h"

namespace qwenrt {

// The "properties" object of the function `name` in an OpenAI tools array, or
// nullptr when the tool or its properties are not there.
const Json* find_tool_properties(const Json& tools, std::string_view name);

// The JSON value of one parameter. `properties` may be nullptr (no schema).
Json convert_qwen3_coder_value(const std::string& text, const std::string& parameter_name,
                               const Json* properties);

}  // namespace qwenrt
