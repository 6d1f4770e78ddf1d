#include "tokenizer/added_tokens.h"

#include <utf8proc.h>

#include <algorithm>

#include "tokenizer/unicode_tables.h"
#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

bool is_space(char32_t cp) { return in_ranges(reference_whitespace(), cp); }

// The reference tests single_word tokens with the Rust regex \w: Alphabetic,
// marks, decimal digits, connector punctuation, and the two joiners.
bool is_word_char(char32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_';
  }
  if (cp == 0x200C || cp == 0x200D) return true;
  // Other_Alphabetic symbols: circled and squared Latin letters.
  if ((cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F130 && cp <= 0x1F149) ||
      (cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189)) {
    return true;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_PC:
      return true;
    default:
      return false;
  }
}

// The code point ending just before `end` (text is valid UTF-8, end > 0).
char32_t code_point_before(std::string_view text, size_t& end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
  size_t pos = start;
  const char32_t cp = next_code_point(text, pos);
  end = start;
  return cp;
}

// Start of the whitespace run ending at `end` (the reference's \s*$).
size_t whitespace_start_before(std::string_view text, size_t end) {
  while (end > 0) {
    size_t at = end;
    if (!is_space(code_point_before(text, at))) break;
    end = at;
  }
  return end;
}

// End of the whitespace run starting at `begin` (the reference's ^\s*).
size_t whitespace_end_after(std::string_view text, size_t begin) {
  while (begin < text.size()) {
    size_t pos = begin;
    if (!is_space(next_code_point(text, pos))) break;
    begin = pos;
  }
  return begin;
}

}  // namespace

void AddedTokenMatcher::add(std::string_view pattern, const AddedToken& token) {
  if (pattern.empty()) return;  // the reference ignores empty tokens too
  uint32_t node = 0;
  for (char c : pattern) {
    const auto byte = static_cast<uint8_t>(c);
    auto& children = nodes_[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [&](const auto& child) { return child.first == byte; });
    if (it != children.end()) {
      node = it->second;
    } else {
      const auto next = static_cast<uint32_t>(nodes_.size());
      children.emplace_back(byte, next);
      nodes_.emplace_back();
      node = next;
    }
  }
  first_byte_[static_cast<uint8_t>(pattern[0])] = true;
  // A pattern given twice: the later token wins, as in the reference's map.
  if (nodes_[node].token >= 0) {
    tokens_[nodes_[node].token] = token;
  } else {
    nodes_[node].token = static_cast<int32_t>(tokens_.size());
    tokens_.push_back(token);
  }
}

int32_t AddedTokenMatcher::longest_match(std::string_view text, size_t pos, size_t& end) const {
  int32_t found = -1;
  uint32_t node = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const auto byte = static_cast<uint8_t>(text[i]);
    const auto& children = nodes_[node].children;
    auto it = std::find_if(children.begin(), children.end(),
                           [&](const auto& child) { return child.first == byte; });
    if (it == children.end()) break;
    node = it->second;
    if (nodes_[node].token >= 0) {
      found = nodes_[node].token;
      end = i + 1;
    }
  }
  return found;
}

void AddedTokenMatcher::split(std::string_view text, bool parse_special,
                              std::vector<Segment>& out) const {
  size_t text_start = 0;  // where the pending text segment begins
  size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<uint8_t>(text[pos])]) {
      ++pos;
      continue;
    }
    size_t stop = 0;
    const int32_t index = longest_match(text, pos, stop);
    if (index < 0) {
      ++pos;
      continue;
    }
    size_t start = pos;
    // The search goes on after the match whether or not the flags keep it.
    pos = stop;
    const AddedToken& token = tokens_[index];
    if (!parse_special && token.special) continue;
    if (token.single_word) {
      size_t before = start;
      const bool word_before = start > 0 && is_word_char(code_point_before(text, before));
      size_t after = stop;
      const bool word_after = stop < text.size() && is_word_char(next_code_point(text, after));
      if (word_before || word_after) continue;
    }
    if (token.lstrip) start = std::max(whitespace_start_before(text, start), text_start);
    if (token.rstrip) stop = whitespace_end_after(text, stop);
    if (text_start < start) out.push_back({text_start, start, -1});
    out.push_back({start, stop, token.id});
    text_start = stop;
  }
  if (text_start < text.size()) out.push_back({text_start, text.size(), -1});
}

}  // namespace qwenrt
