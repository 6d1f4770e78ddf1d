#include "chat/jinja/lexer.h"

#include <cmath>
#include <cstdlib>

#include "chat/jinja/error.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

[[noreturn]] void syntax_error(uint32_t pos, const std::string& message) {
  throw Failure{ErrorKind::kSyntax, message, pos};
}

// Decodes the code point starting at byte `pos` (invalid bytes count as one unit).
char32_t decode_at(std::string_view s, size_t pos, size_t* len) {
  const size_t max = std::min<size_t>(4, s.size() - pos);
  const std::u32string one = utf8_decode(s.substr(pos, max));
  const std::string back = utf8_encode(one.substr(0, 1));
  *len = back.size();
  return one[0];
}

bool is_ws_at(std::string_view s, size_t pos, size_t* len) {
  const auto b = static_cast<unsigned char>(s[pos]);
  if (b < 0x80) {
    *len = 1;
    return py_isspace(b);
  }
  return py_isspace(decode_at(s, pos, len));
}

// Index after the whitespace run starting at `pos` (Python's \s, Unicode aware).
size_t skip_ws(std::string_view s, size_t pos) {
  size_t len = 0;
  while (pos < s.size() && is_ws_at(s, pos, &len)) pos += len;
  return pos;
}

// Length of `text` after Python's str.rstrip().
size_t rstrip_len(std::string_view text) {
  size_t end = text.size();
  while (end > 0) {
    const auto last = static_cast<unsigned char>(text[end - 1]);
    if (last < 0x80) {
      if (!py_isspace(last)) break;
      --end;
      continue;
    }
    size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
      --start;
    const std::u32string cps = utf8_decode(text.substr(start, end - start));
    if (cps.size() != 1 || !py_isspace(cps[0])) break;  // invalid bytes are not whitespace
    end = start;
  }
  return end;
}

bool all_ws(std::string_view s) { return skip_ws(s, 0) == s.size(); }

bool starts_with(std::string_view s, size_t pos, std::string_view prefix) {
  return s.substr(pos, prefix.size()) == prefix;
}

bool is_digit_ascii(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) { return is_name_start(c) || is_digit_ascii(c); }

// Matches (\d+_)*\d+ at pos; returns the end or npos.
size_t scan_digits(std::string_view s, size_t pos) {
  if (pos >= s.size() || !is_digit_ascii(s[pos])) return std::string_view::npos;
  size_t i = pos;
  while (true) {
    while (i < s.size() && is_digit_ascii(s[i])) ++i;
    if (i + 1 < s.size() && s[i] == '_' && is_digit_ascii(s[i + 1])) {
      ++i;
      continue;
    }
    return i;
  }
}

// jinja2's float_re: digits, then a fraction and/or an exponent (not after a '.').
size_t scan_float(std::string_view s, size_t pos) {
  if (pos > 0 && s[pos - 1] == '.') return std::string_view::npos;
  size_t i = scan_digits(s, pos);
  if (i == std::string_view::npos) return i;
  size_t frac_end = std::string_view::npos;
  if (i < s.size() && s[i] == '.') frac_end = scan_digits(s, i + 1);
  const size_t after = frac_end != std::string_view::npos ? frac_end : i;
  if (after < s.size() && (s[after] == 'e' || s[after] == 'E')) {
    size_t j = after + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    const size_t exp_end = scan_digits(s, j);
    if (exp_end != std::string_view::npos) return exp_end;
  }
  return frac_end;
}

std::string without_underscores(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '_') out += c;
  return out;
}

// jinja2's integer_re: 0b/0o/0x prefixed, decimal, or zeros. Fills *value.
size_t scan_integer(std::string_view s, size_t pos, int64_t* value, uint32_t at) {
  auto digit_ok = [](char c, int base) {
    if (base == 2) return c == '0' || c == '1';
    if (base == 8) return c >= '0' && c <= '7';
    if (base == 16) return is_digit_ascii(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    return is_digit_ascii(c);
  };
  int base = 10;
  size_t i = pos;
  size_t digits_start = pos;
  if (s[pos] == '0' && pos + 1 < s.size()) {
    const char p = static_cast<char>(s[pos + 1] | 0x20);
    base = p == 'b' ? 2 : p == 'o' ? 8 : p == 'x' ? 16 : 10;
  }
  if (base != 10) {
    // (_?digit)+ after the prefix
    i = pos + 2;
    digits_start = i;
    size_t end = i;
    while (true) {
      size_t j = end;
      if (j < s.size() && s[j] == '_') ++j;
      if (j < s.size() && digit_ok(s[j], base)) {
        end = j + 1;
      } else {
        break;
      }
    }
    if (end == i)
      base = 10;  // "0x" alone: fall back to the decimal zero rule
    else
      i = end;
  }
  if (base == 10) {
    if (s[pos] == '0') {  // 0(_?0)*
      i = pos + 1;
      while (true) {
        size_t j = i;
        if (j < s.size() && s[j] == '_') ++j;
        if (j < s.size() && s[j] == '0')
          i = j + 1;
        else
          break;
      }
    } else {
      i = pos;
      while (true) {
        size_t j = i;
        if (j > pos && j < s.size() && s[j] == '_') ++j;
        if (j < s.size() && is_digit_ascii(s[j]))
          i = j + 1;
        else
          break;
      }
    }
    digits_start = pos;
  }
  const std::string digits = without_underscores(s.substr(digits_start, i - digits_start));
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(digits.c_str(), &end, base);
  if (errno == ERANGE) syntax_error(at, "integer literal too large");
  *value = v;
  return i;
}

int hex_value(char c) {
  if (is_digit_ascii(c)) return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Python's unicode-escape decoding, which jinja2 applies to string literals.
std::string unescape(std::string_view raw, uint32_t at) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\' || i + 1 >= raw.size()) {
      out += c;
      continue;
    }
    const char e = raw[++i];
    switch (e) {
      case '\n':
        break;  // line continuation
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
      case 'u':
      case 'U': {
        const int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        char32_t cp = 0;
        for (int k = 0; k < n; ++k) {
          const int h = i + 1 + k < raw.size() ? hex_value(raw[i + 1 + k]) : -1;
          if (h < 0)
            syntax_error(at, std::string("truncated \\") + e + std::string(n, 'X') + " escape");
          cp = cp * 16 + h;
        }
        if (cp > 0x10FFFF) syntax_error(at, "illegal Unicode character");
        i += n;
        utf8_append(out, cp);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          char32_t cp = e - '0';
          for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7';
               ++k)
            cp = cp * 8 + (raw[++i] - '0');
          utf8_append(out, cp);
        } else {
          out += '\\';  // unknown escapes stay as written
          out += e;
        }
    }
  }
  return out;
}

const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/",
                                  "*",  "%",  "~",  "[",  "]",  "(",  ")", "{", "}",
                                  ">",  "<",  "=",  ".",  ":",  "|",  ",", ";"};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {}

  std::vector<Token> run() {
    while (pos_ < s_.size()) root();
    tokens_.push_back(Token{TokenType::kEnd, "", 0, 0, static_cast<uint32_t>(s_.size())});
    return std::move(tokens_);
  }

 private:
  void emit(TokenType type, std::string text, uint32_t pos) {
    tokens_.push_back(Token{type, std::move(text), 0, 0, pos});
  }

  void emit_text(std::string_view text, size_t pos) {
    if (!text.empty()) emit(TokenType::kText, std::string(text), static_cast<uint32_t>(pos));
  }

  // Applies "-" / lstrip_blocks to the text before a tag opening.
  std::string_view strip_before(std::string_view text, char sign, bool is_variable) {
    if (sign == '-') return text.substr(0, rstrip_len(text));
    if (sign == '+' || is_variable) return text;
    const size_t nl = text.rfind('\n');
    const size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
    if ((l_pos > 0 || line_starting_) && l_pos < text.size() && all_ws(text.substr(l_pos)))
      return text.substr(0, l_pos);
    return text;
  }

  // Is there `{% raw %}` (any sign/spacing) at `at`? Sets *end past its closing tag.
  bool raw_begin(size_t at, size_t* end) {
    size_t i = at + 2;
    if (i < s_.size() && (s_[i] == '-' || s_[i] == '+')) ++i;
    i = skip_ws(s_, i);
    if (!starts_with(s_, i, "raw")) return false;
    i = skip_ws(s_, i + 3);
    if (starts_with(s_, i, "-%}")) {
      *end = skip_ws(s_, i + 3);
      return true;
    }
    if (starts_with(s_, i, "%}")) {
      *end = i + 2;  // the raw opening tag takes no trim_blocks newline
      return true;
    }
    return false;
  }

  void root() {
    size_t i = pos_;
    while (true) {
      i = s_.find('{', i);
      if (i == std::string_view::npos || i + 1 >= s_.size()) {
        emit_text(s_.substr(pos_), pos_);
        pos_ = s_.size();
        return;
      }
      const char k = s_[i + 1];
      if (k == '{' || k == '%' || k == '#') break;
      ++i;
    }
    const char kind = s_[i + 1];
    const char sign = i + 2 < s_.size() && (s_[i + 2] == '-' || s_[i + 2] == '+') ? s_[i + 2] : 0;
    size_t raw_end = 0;
    const bool raw = kind == '%' && raw_begin(i, &raw_end);
    emit_text(strip_before(s_.substr(pos_, i - pos_), sign, kind == '{'), pos_);
    line_starting_ = false;
    const size_t open_end = i + 2 + (sign ? 1 : 0);
    if (raw) return raw_block(i, raw_end);
    if (kind == '#') return comment(i, open_end);
    tag(kind == '{', i, open_end);
  }

  void comment(size_t start, size_t from) {
    for (size_t k = from; k < s_.size(); ++k) {
      if (starts_with(s_, k, "+#}")) return finish(k + 3);
      if (starts_with(s_, k, "-#}")) return finish(skip_ws(s_, k + 3));
      if (starts_with(s_, k, "#}")) return finish(k + 2 + (starts_with(s_, k + 2, "\n") ? 1 : 0));
    }
    syntax_error(static_cast<uint32_t>(start), "Missing end of comment tag");
  }

  void raw_block(size_t start, size_t body) {
    for (size_t k = body; k < s_.size(); ++k) {
      if (!starts_with(s_, k, "{%")) continue;
      size_t j = k + 2;
      const char sign = j < s_.size() && (s_[j] == '-' || s_[j] == '+') ? s_[j] : 0;
      if (sign) ++j;
      j = skip_ws(s_, j);
      if (!starts_with(s_, j, "endraw")) continue;
      j = skip_ws(s_, j + 6);
      size_t end;
      if (starts_with(s_, j, "+%}"))
        end = j + 3;
      else if (starts_with(s_, j, "-%}"))
        end = skip_ws(s_, j + 3);
      else if (starts_with(s_, j, "%}"))
        end = j + 2 + (starts_with(s_, j + 2, "\n") ? 1 : 0);
      else
        continue;
      line_starting_ = s_[body - 1] == '\n';
      emit_text(strip_before(s_.substr(body, k - body), sign, false), body);
      return finish(end);
    }
    syntax_error(static_cast<uint32_t>(start), "Missing end of raw directive");
  }

  void finish(size_t end) {
    line_starting_ = end > 0 && s_[end - 1] == '\n';
    pos_ = end;
  }

  void tag(bool variable, size_t start, size_t i) {
    emit(variable ? TokenType::kVariableBegin : TokenType::kBlockBegin, "",
         static_cast<uint32_t>(start));
    std::vector<char> balance;
    while (true) {
      i = skip_ws(s_, i);
      if (i >= s_.size()) {
        pos_ = s_.size();
        return;  // the parser reports the unexpected end
      }
      if (balance.empty()) {
        size_t end = 0;
        if (variable) {
          if (starts_with(s_, i, "-}}"))
            end = skip_ws(s_, i + 3);
          else if (starts_with(s_, i, "}}"))
            end = i + 2;
        } else {
          if (starts_with(s_, i, "+%}"))
            end = i + 3;
          else if (starts_with(s_, i, "-%}"))
            end = skip_ws(s_, i + 3);
          else if (starts_with(s_, i, "%}"))
            end = i + 2 + (starts_with(s_, i + 2, "\n") ? 1 : 0);
        }
        if (end != 0) {
          emit(variable ? TokenType::kVariableEnd : TokenType::kBlockEnd, "",
               static_cast<uint32_t>(i));
          return finish(end);
        }
      }
      i = tag_token(i, balance);
    }
  }

  size_t tag_token(size_t i, std::vector<char>& balance) {
    const auto at = static_cast<uint32_t>(i);
    const char c = s_[i];
    if (size_t end = scan_float(s_, i); is_digit_ascii(c) && end != std::string_view::npos) {
      Token t{TokenType::kFloat, std::string(s_.substr(i, end - i)), 0, 0, at};
      t.float_value = std::strtod(without_underscores(t.text).c_str(), nullptr);
      tokens_.push_back(std::move(t));
      return end;
    }
    if (is_digit_ascii(c)) {
      Token t{TokenType::kInteger, "", 0, 0, at};
      const size_t end = scan_integer(s_, i, &t.int_value, at);
      t.text = std::string(s_.substr(i, end - i));
      tokens_.push_back(std::move(t));
      return end;
    }
    if (is_name_start(c)) {
      size_t end = i;
      while (end < s_.size() && is_name_char(s_[end])) ++end;
      emit(TokenType::kName, std::string(s_.substr(i, end - i)), at);
      return end;
    }
    if (c == '\'' || c == '"') {
      for (size_t k = i + 1; k < s_.size(); ++k) {
        if (s_[k] == '\\') {
          ++k;
        } else if (s_[k] == c) {
          emit(TokenType::kString, unescape(s_.substr(i + 1, k - i - 1), at), at);
          return k + 1;
        }
      }
      unexpected_char(i);
    }
    for (const char* op : kOperators) {
      const std::string_view o(op);
      if (!starts_with(s_, i, o)) continue;
      if (o == "{" || o == "(" || o == "[") {
        balance.push_back(o == "{" ? '}' : o == "(" ? ')' : ']');
      } else if (o == "}" || o == ")" || o == "]") {
        if (balance.empty()) syntax_error(at, "unexpected '" + std::string(o) + "'");
        if (balance.back() != o[0])
          syntax_error(at,
                       "unexpected '" + std::string(o) + "', expected '" + balance.back() + "'");
        balance.pop_back();
      }
      emit(TokenType::kOperator, std::string(o), at);
      return i + o.size();
    }
    unexpected_char(i);
  }

  // jinja2's wording: unexpected char 'x' at <code-point offset>.
  [[noreturn]] void unexpected_char(size_t i) {
    size_t len = 1;
    const std::u32string cp(1, decode_at(s_, i, &len));
    syntax_error(static_cast<uint32_t>(i), "unexpected char " + string_repr(utf8_encode(cp)) +
                                               " at " +
                                               std::to_string(utf8_length(s_.substr(0, i))));
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::string normalize_source(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

void offset_to_line_col(std::string_view source, uint32_t offset, int* line, int* column) {
  const size_t end = std::min<size_t>(offset, source.size());
  int l = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < end; ++i) {
    if (source[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  *line = l;
  *column = static_cast<int>(utf8_length(source.substr(line_start, end - line_start))) + 1;
}

}  // namespace qwenrt::jinja
