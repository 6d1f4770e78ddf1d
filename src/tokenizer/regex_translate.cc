#include "tokenizer/regex_translate.h"

#include <cstdio>

#include "tokenizer/unicode_tables.h"

namespace qwenrt {
namespace {

void append_ranges(std::span<const CodePointRange> ranges, std::string& out) {
  char buf[48];
  for (const CodePointRange& r : ranges) {
    if (r.first == r.last) {
      std::snprintf(buf, sizeof buf, "\\x{%X}", unsigned(r.first));
    } else {
      std::snprintf(buf, sizeof buf, "\\x{%X}-\\x{%X}", unsigned(r.first), unsigned(r.last));
    }
    out += buf;
  }
}

// Class members (without brackets) standing for a property with the reference's
// data.
std::string letter_members() {
  std::string s = "\\p{L}";
  append_ranges(reference_extra_letters(), s);
  return s;
}

std::string number_members() {
  std::string s = "\\p{N}";
  append_ranges(reference_extra_numbers(), s);
  return s;
}

std::string space_members() {
  std::string s;
  append_ranges(reference_whitespace(), s);
  return s;
}

// Property name in "\p{Name}" / "\pL" at p[pos] (pos at the 'p'); sets `length`
// to the bytes of the escape after the backslash.
std::string_view property_name(std::string_view p, size_t pos, size_t& length) {
  if (pos + 1 >= p.size()) return {};
  if (p[pos + 1] != '{') {
    length = 2;
    return p.substr(pos + 1, 1);
  }
  const size_t close = p.find('}', pos + 2);
  if (close == std::string_view::npos) return {};
  length = close + 1 - pos;
  return p.substr(pos + 2, close - pos - 2);
}

}  // namespace

std::string translate_onig_pattern(std::string_view p) {
  std::string out;
  out.reserve(p.size() * 2);
  bool in_class = false;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (e == 'p' || e == 'P') {
        size_t length = 0;
        const std::string_view name = property_name(p, i + 1, length);
        std::string members;
        if (name == "L" || name == "Letter") members = letter_members();
        if (name == "N" || name == "Number") members = number_members();
        const bool negated = e == 'P';
        if (!members.empty() && !(in_class && negated)) {
          out += in_class ? members : (negated ? "[^" : "[") + members + "]";
          i += 1 + length;
          continue;
        }
      } else if (e == 's' || (e == 'S' && !in_class)) {
        out += in_class ? space_members() : (e == 'S' ? "[^" : "[") + space_members() + "]";
        i += 2;
        continue;
      }
      out += c;  // any other escape: copy it whole (two bytes; \x{...} follows
                 // as text)
      out += e;
      i += 2;
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      if (c == '[' && i + 1 < p.size() && p[i + 1] == ':') {  // POSIX [:name:]
        const size_t close = p.find(":]", i + 2);
        if (close != std::string_view::npos) {
          out.append(p.substr(i, close + 2 - i));
          i = close + 2;
          continue;
        }
      }
      out += c;
      ++i;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      ++i;
      if (i < p.size() && p[i] == '^') out += p[i++];
      if (i < p.size() && p[i] == ']') out += p[i++];  // a leading ']' is literal
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace qwenrt
