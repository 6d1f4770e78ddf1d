// Translates a pre-tokenizer pattern from tokenizer.json (Oniguruma syntax, as
// the reference runs it) into a PCRE2 pattern that matches the same way.
//
// The syntax is the same for what tokenizer.json files use; the meaning differs
// in two places, which the translation fixes:
//  - \p{L}, \p{N}: Oniguruma's tables are newer than PCRE2 10.42's, so the
//  letters
//    and numbers assigned since are added to the class explicitly.
//  - \s, \S: PCRE2 counts U+180E as a space, Oniguruma (Unicode White_Space)
//  does
//    not, so \s becomes the explicit White_Space set.
// (Case-insensitive groups agree: both fold "'s" to match "'ſ", checked by
// tests/goldens/tokenizer/qwen3_pretokenize.jsonl.) Everything else is copied.
#pragma once
#include <string>
#include <string_view>

namespace qwenrt {

std::string translate_onig_pattern(std::string_view onig_pattern);

}  // namespace qwenrt
