#include "sampling/grammar/utf8_ranges.h"

#include <algorithm>

namespace qwenrt::grammar {

CodepointSet CodepointSet::range(uint32_t lo, uint32_t hi) {
  CodepointSet s;
  s.add(lo, hi);
  return s;
}

void CodepointSet::add(uint32_t lo, uint32_t hi) {
  if (lo > hi) return;
  ranges_.push_back({lo, std::min(hi, kMaxCodepoint)});
  normalize();
}

void CodepointSet::add(const CodepointSet& other) {
  ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
  normalize();
}

void CodepointSet::normalize() {
  std::sort(ranges_.begin(), ranges_.end(), [](const auto& a, const auto& b) { return a.lo < b.lo; });
  std::vector<CodepointRange> merged;
  for (const auto& r : ranges_) {
    if (!merged.empty() && r.lo <= merged.back().hi + 1) merged.back().hi = std::max(merged.back().hi, r.hi);
    else merged.push_back(r);
  }
  ranges_ = std::move(merged);
}

CodepointSet CodepointSet::complement() const {
  CodepointSet out;
  uint32_t next = 0;
  for (const auto& r : ranges_) {
    if (r.lo > next) out.ranges_.push_back({next, r.lo - 1});
    next = r.hi + 1;
  }
  if (next <= kMaxCodepoint) out.ranges_.push_back({next, kMaxCodepoint});
  return out;
}

CodepointSet CodepointSet::intersect(const CodepointSet& other) const {
  CodepointSet out;
  for (const auto& a : ranges_) {
    for (const auto& b : other.ranges_) {
      const uint32_t lo = std::max(a.lo, b.lo), hi = std::min(a.hi, b.hi);
      if (lo <= hi) out.ranges_.push_back({lo, hi});
    }
  }
  out.normalize();
  return out;
}

CodepointSet CodepointSet::minus(const CodepointSet& other) const { return intersect(other.complement()); }

bool CodepointSet::contains(uint32_t c) const {
  for (const auto& r : ranges_) {
    if (c >= r.lo && c <= r.hi) return true;
  }
  return false;
}

void append_utf8(std::string& out, uint32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

uint32_t next_codepoint(const std::string& s, size_t& i) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  const int len = b0 < 0x80 ? 1 : b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return 0xFFFD;
  }
  uint32_t c = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (int k = 1; k < len; ++k) c = (c << 6) | (static_cast<uint8_t>(s[i + static_cast<size_t>(k)]) & 0x3F);
  i += static_cast<size_t>(len);
  return c;
}

namespace {

// Splits [lo, hi] (same encoded length) until every piece encodes as a sequence of
// byte ranges, one per position (the classic construction used by RE2 and Rust's
// regex-syntax), and adds each piece as an option.
void add_sequences(Grammar& g, uint32_t lo, uint32_t hi, std::vector<ExprId>& options) {
  std::string a, b;
  append_utf8(a, lo);
  append_utf8(b, hi);
  const size_t n = a.size();
  for (size_t i = 1; i < n; ++i) {
    const uint32_t m = (uint32_t{1} << (6 * i)) - 1;  // the low continuation bytes
    if ((lo & ~m) != (hi & ~m)) {
      if ((lo & m) != 0) {
        add_sequences(g, lo, lo | m, options);
        add_sequences(g, (lo | m) + 1, hi, options);
        return;
      }
      if ((hi & m) != m) {
        add_sequences(g, lo, (hi & ~m) - 1, options);
        add_sequences(g, hi & ~m, hi, options);
        return;
      }
    }
  }
  std::vector<ExprId> parts;
  for (size_t k = 0; k < n; ++k) parts.push_back(g.byte_range(static_cast<uint8_t>(a[k]), static_cast<uint8_t>(b[k])));
  options.push_back(g.seq(std::move(parts)));
}

}  // namespace

ExprId utf8_expr(Grammar& g, const CodepointSet& set) {
  // Split at encoded-length boundaries and around the surrogates.
  static constexpr CodepointRange kPieces[] = {
      {0, 0x7F}, {0x80, 0x7FF}, {0x800, 0xD7FF}, {0xE000, 0xFFFF}, {0x10000, kMaxCodepoint}};
  std::vector<ExprId> options;
  ByteSet ascii;
  for (const auto& r : set.ranges()) {
    for (const auto& piece : kPieces) {
      const uint32_t lo = std::max(r.lo, piece.lo), hi = std::min(r.hi, piece.hi);
      if (lo > hi) continue;
      if (hi < 0x80) {
        for (uint32_t c = lo; c <= hi; ++c) ascii.set(c);
      } else {
        add_sequences(g, lo, hi, options);
      }
    }
  }
  if (ascii.any()) options.insert(options.begin(), g.bytes(ascii));
  return g.alt(std::move(options));
}

}  // namespace qwenrt::grammar
