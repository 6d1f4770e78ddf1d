// Splits a template into text and tag tokens, applying Jinja's whitespace rules the way
// transformers configures them: trim_blocks=True (drop the first newline after a block
// or comment tag), lstrip_blocks=True (drop spaces and tabs between a line start and a
// block or comment tag), "-" on a tag strips all whitespace on that side, "+" keeps it,
// and keep_trailing_newline=False (one final newline of the source is dropped).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qwenrt::jinja {

enum class TokenType {
  kText,           // literal template text
  kVariableBegin,  // {{
  kVariableEnd,    // }}
  kBlockBegin,     // {%
  kBlockEnd,       // %}
  kName,
  kString,
  kInteger,
  kFloat,
  kOperator,  // text holds the operator, e.g. "//"
  kEnd,       // end of the template
};

struct Token {
  TokenType type;
  std::string text;  // text, name, unescaped string, or operator
  int64_t int_value = 0;
  double float_value = 0;
  uint32_t pos = 0;  // byte offset in the normalized source
};

// Newlines become "\n" and one trailing newline is removed, as jinja2 does before lexing.
std::string normalize_source(std::string_view source);

// Tokenizes a normalized source. Throws Failure (kSyntax) with the offending offset.
std::vector<Token> tokenize(std::string_view source);

// 1-based line and column (in code points) of a byte offset.
void offset_to_line_col(std::string_view source, uint32_t offset, int* line, int* column);

}  // namespace qwenrt::jinja
