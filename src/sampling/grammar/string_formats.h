// JSON Schema "format" values as anchored patterns (regex_to_grammar.h syntax). Each
// generates a subset of the valid strings, so any validator accepts the output:
//   date       YYYY-MM-DD, year 1000-9999, day within the month (February: 01-28)
//   time       HH:MM:SS[.ffffff](Z|+HH:MM|-HH:MM), RFC 3339 full-time, no leap second
//   date-time  date "T" time
//   email      dot-atom local part @ dotted domain labels (RFC 5321-style, ASCII)
//   uuid       8-4-4-4-12 hex digits
//   uri        scheme ":" ["//" authority] path ["?" query] ["#" fragment], RFC 3986
//              characters and %XX escapes (structure approximate: no IPv6 hosts)
//   ipv4       dotted quad, no leading zeros
// Any other format is rejected (nullopt): the caller reports it rather than ignore it.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace qwenrt::grammar {

std::optional<std::string> format_pattern(std::string_view format);

}  // namespace qwenrt::grammar
