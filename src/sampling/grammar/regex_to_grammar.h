// JSON Schema "pattern" (ECMA-262 syntax) as a grammar over the content of a JSON
// string. Supported: literals and escapes, '.', classes [...] / [^...] with ranges,
// \d \w \s \D \W \S, groups (...) (?:...) (?<name>...), alternation, quantifiers
// * + ? {n} {n,} {n,m} (lazy forms too: same language), and ^ / $ at the start / end
// of the pattern or of a top-level alternative. A side without an anchor is
// unanchored, as JSON Schema's search semantics say (any text may precede / follow).
//
// Not supported, rejected with Error: backreferences, lookaround, \b \B, Unicode
// property escapes, anchors elsewhere.
//
// Validators disagree on what \d, \w, \s and '.' match beyond ASCII (ECMA-262 vs
// Python's re), so the generated strings stay inside what both accept: \d \w \s are
// their ASCII sets, \D \W \S are ASCII too, '.' excludes every line terminator, and a
// negated class containing a shorthand escape is limited to ASCII.
#pragma once
#include <string_view>

#include "sampling/grammar/json_tokens.h"

namespace qwenrt::grammar {

// Throws Error("pattern ...: <what> at offset N").
ExprId regex_to_grammar(Grammar& g, JsonTokens& json, std::string_view pattern);

}  // namespace qwenrt::grammar
