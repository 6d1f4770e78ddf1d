// Parses tokens into a statement tree, following jinja2's grammar and operator
// precedence (parser.py): `is` tests and filters bind tighter than arithmetic,
// `**` is left-associative, `a if b` without else yields Undefined.
#pragma once
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/lexer.h"
#include "chat/jinja/limits.h"

namespace qwenrt::jinja {

// Throws Failure (kSyntax, or kLimit when nested deeper than limits.max_parse_depth).
Body parse(const std::vector<Token>& tokens, const Limits& limits);

}  // namespace qwenrt::jinja
