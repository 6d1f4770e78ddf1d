// UTF-8 decoding as the reference does it: well-formed sequences per Unicode
// Table 3-7, and every ill-formed "maximal subpart" replaced by one U+FFFD.
// This is exactly what Python's bytes.decode("utf-8", "replace") and Rust's
// String::from_utf8_lossy do, so text we are handed as bytes is seen by the
// tokenizer the way Hugging Face sees the lossily decoded Python string, and
// decoded token bytes come out the way `tokenizers` decode() returns them.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace qwenrt {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed sequence starting at `text[pos]`, or 0 if the bytes
// there are not one (ill-formed or cut short by the end of `text`).
size_t utf8_sequence_length(std::string_view text, size_t pos);

// True when every byte of `text` belongs to a well-formed UTF-8 sequence.
bool is_valid_utf8(std::string_view text);

// Appends the lossy decoding of `bytes` to `out` and returns how many bytes
// were consumed. With `final` false, an incomplete but so far valid sequence at
// the end is left unconsumed (a later chunk may complete it); with `final` true
// it becomes one U+FFFD like any other maximal subpart.
size_t append_utf8_lossy(std::string_view bytes, bool final, std::string& out);

// The whole of `bytes`, lossily decoded.
std::string utf8_lossy(std::string_view bytes);

// Decodes the well-formed sequence at `text[pos]` (which must be valid) and
// advances `pos` past it.
char32_t next_code_point(std::string_view text, size_t& pos);

// Appends the UTF-8 encoding of `cp` (a Unicode scalar value) to `out`.
void append_utf8(char32_t cp, std::string& out);

}  // namespace qwenrt
