#include "tokenizer/utf8.h"

namespace qwenrt {
namespace {

// Length of a sequence led by `b0`, and the allowed range of its second byte
// (Unicode Table 3-7); later bytes are always 80..BF. Length 0: not a lead
// byte.
struct LeadInfo {
  uint8_t length;
  uint8_t second_lo;
  uint8_t second_hi;
};

constexpr LeadInfo lead_info(uint8_t b0) {
  if (b0 < 0x80) return {1, 0, 0};
  if (b0 >= 0xC2 && b0 <= 0xDF) return {2, 0x80, 0xBF};
  if (b0 == 0xE0) return {3, 0xA0, 0xBF};  // no overlongs
  if (b0 == 0xED) return {3, 0x80, 0x9F};  // no surrogates
  if (b0 >= 0xE1 && b0 <= 0xEF) return {3, 0x80, 0xBF};
  if (b0 == 0xF0) return {4, 0x90, 0xBF};  // no overlongs
  if (b0 == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
  if (b0 >= 0xF1 && b0 <= 0xF3) return {4, 0x80, 0xBF};
  return {0, 0, 0};
}

// How the bytes at `pos` start: `valid` bytes form a prefix of a well-formed
// sequence of `need` bytes (valid == need: complete). valid == 0: a stray byte.
struct Probe {
  size_t need;
  size_t valid;
};

Probe probe(std::string_view s, size_t pos) {
  const auto b0 = static_cast<uint8_t>(s[pos]);
  const LeadInfo info = lead_info(b0);
  if (info.length == 0) return {1, 0};
  if (info.length == 1) return {1, 1};
  size_t valid = 1;
  for (size_t k = 1; k < info.length; ++k) {
    if (pos + k >= s.size()) break;
    const auto b = static_cast<uint8_t>(s[pos + k]);
    const uint8_t lo = k == 1 ? info.second_lo : 0x80;
    const uint8_t hi = k == 1 ? info.second_hi : 0xBF;
    if (b < lo || b > hi) break;
    ++valid;
  }
  return {info.length, valid};
}

}  // namespace

size_t utf8_sequence_length(std::string_view text, size_t pos) {
  if (pos >= text.size()) return 0;
  const Probe p = probe(text, pos);
  return p.valid == p.need ? p.need : 0;
}

bool is_valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    // ASCII runs are the common case; skip them eight bytes at a time.
    while (pos + 8 <= text.size()) {
      uint64_t word = 0;
      for (int i = 0; i < 8; ++i) word |= uint64_t(uint8_t(text[pos + i])) << (8 * i);
      if (word & 0x8080808080808080ull) break;
      pos += 8;
    }
    if (pos >= text.size()) break;
    const size_t n = utf8_sequence_length(text, pos);
    if (n == 0) return false;
    pos += n;
  }
  return true;
}

size_t append_utf8_lossy(std::string_view bytes, bool final, std::string& out) {
  size_t pos = 0;
  size_t run_start = 0;  // start of the pending stretch of valid bytes
  while (pos < bytes.size()) {
    if (static_cast<uint8_t>(bytes[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const Probe p = probe(bytes, pos);
    if (p.valid == p.need) {
      pos += p.need;
      continue;
    }
    const bool cut_short = p.valid > 0 && pos + p.valid == bytes.size();
    if (cut_short && !final) break;  // wait for the rest of the sequence
    out.append(bytes.substr(run_start, pos - run_start));
    out.append(kReplacementCharacter);
    pos += p.valid > 0 ? p.valid : 1;  // one U+FFFD per maximal subpart
    run_start = pos;
  }
  out.append(bytes.substr(run_start, pos - run_start));
  return pos;
}

std::string utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_utf8_lossy(bytes, /*final=*/true, out);
  return out;
}

char32_t next_code_point(std::string_view text, size_t& pos) {
  const auto b0 = static_cast<uint8_t>(text[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  const size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  char32_t cp = b0 & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(text[pos + k]) & 0x3F);
  pos += n;
  return cp;
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace qwenrt
