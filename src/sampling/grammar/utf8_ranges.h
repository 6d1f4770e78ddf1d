// Sets of Unicode code points and their UTF-8 encodings as grammar expressions: how a
// character class ("[^a-z]", "any character but a quote") becomes byte-level rules.
// Surrogates (U+D800..U+DFFF) are never encoded: they are not valid UTF-8.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sampling/grammar/grammar.h"

namespace qwenrt::grammar {

inline constexpr uint32_t kMaxCodepoint = 0x10FFFF;

struct CodepointRange {
  uint32_t lo, hi;  // inclusive
};

// A set of code points as sorted, disjoint, non-adjacent ranges.
class CodepointSet {
 public:
  CodepointSet() = default;
  static CodepointSet range(uint32_t lo, uint32_t hi);
  static CodepointSet all() { return range(0, kMaxCodepoint); }

  void add(uint32_t lo, uint32_t hi);
  void add(uint32_t c) { add(c, c); }
  void add(const CodepointSet& other);
  CodepointSet complement() const;
  CodepointSet minus(const CodepointSet& other) const;
  CodepointSet intersect(const CodepointSet& other) const;
  bool contains(uint32_t c) const;
  bool empty() const { return ranges_.empty(); }
  const std::vector<CodepointRange>& ranges() const { return ranges_; }

 private:
  void normalize();
  std::vector<CodepointRange> ranges_;
};

// The UTF-8 encodings of every code point in `set` as one expression (an alternation
// of byte-range sequences). An empty set gives an expression matching nothing.
ExprId utf8_expr(Grammar& g, const CodepointSet& set);

// Appends the UTF-8 encoding of `c` to `out`.
void append_utf8(std::string& out, uint32_t c);
// Decodes the next code point of valid UTF-8 `s` at `i` (advancing it); invalid
// input yields U+FFFD for one byte.
uint32_t next_codepoint(const std::string& s, size_t& i);

}  // namespace qwenrt::grammar
