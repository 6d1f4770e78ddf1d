#include "chat/jinja/unicode.h"

namespace qwenrt::jinja {
namespace {

// Code points standing for an undecodable byte (Python's surrogateescape).
constexpr char32_t kEscapeBase = 0xDC00;

bool in(char32_t cp, char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; }

}  // namespace

std::u32string utf8_decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    }
    bool ok = len > 0 && i + len <= n;
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range values are not valid UTF-8.
    if (ok && (cp < min || cp > 0x10FFFF || in(cp, 0xD800, 0xDFFF))) ok = false;
    if (!ok) {
      out.push_back(kEscapeBase + b0);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (in(cp, 0xDC80, 0xDCFF)) {
    out.push_back(static_cast<char>(cp - kEscapeBase));  // an escaped raw byte
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

std::string utf8_encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t cp : text) utf8_append(out, cp);
  return out;
}

size_t utf8_length(std::string_view text) {
  bool ascii = true;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.size() : utf8_decode(text).size();
}

bool py_isspace(char32_t cp) {
  return in(cp, 0x09, 0x0D) || in(cp, 0x1C, 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         in(cp, 0x2000, 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool py_isprintable(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F) return false;
  if (cp < 0x7F) return true;
  if (in(cp, 0x80, 0xA0) || cp == 0xAD) return false;
  if (py_isspace(cp)) return false;  // separators other than ' ' (Zs, Zl, Zp)
  if (in(cp, 0x0600, 0x0605) || cp == 0x061C || cp == 0x06DD || cp == 0x070F || cp == 0x180E)
    return false;
  if (in(cp, 0x200B, 0x200F) || in(cp, 0x202A, 0x202E) || in(cp, 0x2060, 0x206F)) return false;
  if (in(cp, 0xD800, 0xF8FF)) return false;  // surrogates, escaped bytes, private use
  if (cp == 0xFEFF || in(cp, 0xFFF9, 0xFFFB) || cp == 0xFFFE || cp == 0xFFFF) return false;
  if (in(cp, 0xE0000, 0xE0FFF) || cp >= 0xF0000) return false;  // tags, private use planes
  return true;
}

char32_t to_upper(char32_t cp) {
  if (in(cp, 'a', 'z')) return cp - 0x20;
  if (cp < 0x80) return cp;
  if (in(cp, 0xE0, 0xFE) && cp != 0xF7) return cp - 0x20;
  if (cp == 0xFF) return 0x178;
  if (in(cp, 0x100, 0x12F) || in(cp, 0x132, 0x137) || in(cp, 0x14A, 0x177))
    return (cp & 1) ? cp - 1 : cp;
  if (in(cp, 0x139, 0x148) || in(cp, 0x179, 0x17E)) return (cp & 1) ? cp : cp - 1;
  if (in(cp, 0x3B1, 0x3C9) && cp != 0x3C2) return cp - 0x20;
  if (cp == 0x3C2) return 0x3A3;
  if (cp == 0x3AC) return 0x386;
  if (in(cp, 0x3AD, 0x3AF)) return cp - 0x25;
  if (cp == 0x3CC) return 0x38C;
  if (in(cp, 0x3CD, 0x3CE)) return cp - 0x3F;
  if (in(cp, 0x430, 0x44F)) return cp - 0x20;
  if (in(cp, 0x450, 0x45F)) return cp - 0x50;
  if (in(cp, 0x460, 0x481) || in(cp, 0x48A, 0x4BF)) return (cp & 1) ? cp - 1 : cp;
  if (in(cp, 0xFF41, 0xFF5A)) return cp - 0x20;
  return cp;
}

char32_t to_lower(char32_t cp) {
  if (in(cp, 'A', 'Z')) return cp + 0x20;
  if (cp < 0x80) return cp;
  if (in(cp, 0xC0, 0xDE) && cp != 0xD7) return cp + 0x20;
  if (cp == 0x178) return 0xFF;
  if (in(cp, 0x100, 0x12F) || in(cp, 0x132, 0x137) || in(cp, 0x14A, 0x177))
    return (cp & 1) ? cp : cp + 1;
  if (in(cp, 0x139, 0x148) || in(cp, 0x179, 0x17E)) return (cp & 1) ? cp + 1 : cp;
  if (in(cp, 0x391, 0x3A9) && cp != 0x3A2) return cp + 0x20;
  if (cp == 0x386) return 0x3AC;
  if (in(cp, 0x388, 0x38A)) return cp + 0x25;
  if (cp == 0x38C) return 0x3CC;
  if (in(cp, 0x38E, 0x38F)) return cp + 0x3F;
  if (in(cp, 0x410, 0x42F)) return cp + 0x20;
  if (in(cp, 0x400, 0x40F)) return cp + 0x50;
  if (in(cp, 0x460, 0x481) || in(cp, 0x48A, 0x4BF)) return (cp & 1) ? cp : cp + 1;
  if (in(cp, 0xFF21, 0xFF3A)) return cp + 0x20;
  return cp;
}

bool is_upper(char32_t cp) { return to_lower(cp) != cp; }
bool is_lower(char32_t cp) { return to_upper(cp) != cp || cp == 0xDF; }

bool is_alpha(char32_t cp) {
  if (cp < 0x80) return in(cp, 'a', 'z') || in(cp, 'A', 'Z');
  if (cp == 0xAA || cp == 0xB5 || cp == 0xBA) return true;
  if (in(cp, 0xC0, 0x24F)) return cp != 0xD7 && cp != 0xF7;
  return in(cp, 0x370, 0x3FF) || in(cp, 0x400, 0x52F) || in(cp, 0x3040, 0x30FF) ||
         in(cp, 0x3400, 0x4DBF) || in(cp, 0x4E00, 0x9FFF) || in(cp, 0xAC00, 0xD7AF) ||
         in(cp, 0xFF21, 0xFF3A) || in(cp, 0xFF41, 0xFF5A);
}

bool is_digit(char32_t cp) {
  return in(cp, '0', '9') || in(cp, 0x660, 0x669) || in(cp, 0x6F0, 0x6F9) || in(cp, 0x966, 0x96F) ||
         in(cp, 0xFF10, 0xFF19);
}

namespace {
template <typename Map>
std::string map_case(std::string_view text, Map map) {
  std::string out;
  out.reserve(text.size());
  bool ascii = true;
  for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    for (char c : text) out.push_back(static_cast<char>(map(static_cast<char32_t>(c))));
    return out;
  }
  for (char32_t cp : utf8_decode(text)) utf8_append(out, map(cp));
  return out;
}
}  // namespace

std::string str_upper(std::string_view text) { return map_case(text, to_upper); }
std::string str_lower(std::string_view text) { return map_case(text, to_lower); }

std::string py_strip(std::string_view text, const std::string* chars, StripSide side) {
  const std::u32string cps = utf8_decode(text);
  std::u32string set;
  if (chars != nullptr) set = utf8_decode(*chars);
  auto strip_this = [&](char32_t cp) {
    return chars == nullptr ? py_isspace(cp) : set.find(cp) != std::u32string::npos;
  };
  size_t begin = 0, end = cps.size();
  if (side != StripSide::kRight)
    while (begin < end && strip_this(cps[begin])) ++begin;
  if (side != StripSide::kLeft)
    while (end > begin && strip_this(cps[end - 1])) --end;
  return utf8_encode(std::u32string_view(cps).substr(begin, end - begin));
}

}  // namespace qwenrt::jinja
