// The lexical pieces of JSON as grammar expressions, shared by every schema: strings
// (UTF-8 validated, escapes), numbers, literals, and the whitespace policy between
// tokens. Rules that many places use (a plain string, any JSON value) are created once
// so their automaton states, and so their cached token masks, are shared.
#pragma once
#include <nlohmann/json.hpp>

#include "sampling/grammar/grammar.h"
#include "sampling/grammar/json_schema_options.h"
#include "sampling/grammar/utf8_ranges.h"

namespace qwenrt::grammar {

// Digits a generated number may have before and after the point (and in its
// exponent): keeps numbers finite in every parser (no 1e999 = inf) and ends them.
inline constexpr int32_t kMaxIntegerDigits = 16;
inline constexpr int32_t kMaxFractionDigits = 16;
inline constexpr int32_t kMaxExponentDigits = 2;

class JsonTokens {
 public:
  JsonTokens(Grammar& g, const JsonSchemaOptions& options);

  // Structure with the whitespace policy applied.
  ExprId open_object();   // '{'
  ExprId close_object();  // '}'
  ExprId open_array();    // '['
  ExprId close_array();   // ']'
  ExprId colon();         // ':' between key and value
  ExprId comma();         // ',' between members / elements

  // One character of a JSON string as written: raw UTF-8 (not '"', '\' or a control
  // character) or an escape. \u escapes of surrogates are not generated, so every
  // generated string is valid Unicode and its length in code points is unambiguous.
  ExprId string_char();
  // One character from `set`, escaped where JSON requires it.
  ExprId chars(const CodepointSet& set);
  // One character from `set` written raw, never escaped ('"', '\' and control
  // characters removed from the set), for keys that must differ from given names.
  ExprId raw_chars(const CodepointSet& set);
  ExprId quoted(ExprId content);  // '"' content '"'

  ExprId string();   // any string
  ExprId integer();  // any integer (kMaxIntegerDigits digits at most)
  ExprId number();   // any number
  ExprId boolean();
  ExprId null();
  ExprId any_value();
  ExprId any_object();
  ExprId any_array();
  // The compact serialization of `value` (what a const / enum member must be).
  ExprId literal_json(const nlohmann::ordered_json& value);

  // Code points JSON lets a string hold raw.
  static CodepointSet raw_string_codepoints();

 private:
  ExprId ws();
  ExprId hex();

  Grammar& g_;
  JsonSchemaOptions options_;
  ExprId string_char_ = -1;
  RuleId ws_rule_ = -1, string_rule_ = -1, value_rule_ = -1, object_rule_ = -1, array_rule_ = -1;
};

}  // namespace qwenrt::grammar
