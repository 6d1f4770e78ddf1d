// Code-point helpers for the Jinja engine. Templates see strings the way Python does:
// indexing, slicing, len() and strip() work on code points, not bytes. Invalid UTF-8
// bytes decode to U+DC80..U+DCFF (Python's "surrogateescape") and encode back to the
// same byte, so any byte string survives a decode/encode round trip unchanged.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace qwenrt::jinja {

// Decodes UTF-8 into code points (lossless, see above).
std::u32string utf8_decode(std::string_view text);
// Encodes code points as UTF-8; U+DC80..U+DCFF become the raw byte they stand for.
std::string utf8_encode(std::u32string_view text);
void utf8_append(std::string& out, char32_t cp);
// Number of code points in `text`.
size_t utf8_length(std::string_view text);

// Python's str.isspace() for one code point.
bool py_isspace(char32_t cp);
// Python's str.isprintable() approximated for repr(): control, format, separator and
// private-use characters are escaped; unassigned code points are not known here.
bool py_isprintable(char32_t cp);
// Python-like case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
// Other scripts have no case or keep their code point.
char32_t to_upper(char32_t cp);
char32_t to_lower(char32_t cp);
bool is_upper(char32_t cp);
bool is_lower(char32_t cp);
// Python's str.isalpha()/isdigit()/isalnum() for the scripts above plus CJK letters.
bool is_alpha(char32_t cp);
bool is_digit(char32_t cp);

std::string str_upper(std::string_view text);
std::string str_lower(std::string_view text);

// Python's str.strip/lstrip/rstrip: `chars` null means whitespace.
enum class StripSide { kLeft, kRight, kBoth };
std::string py_strip(std::string_view text, const std::string* chars, StripSide side);

}  // namespace qwenrt::jinja
