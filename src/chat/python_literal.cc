#include "chat/python_literal.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace qwenrt {
namespace {

constexpr int kMaxLiteralDepth = 199;  // CPython's tokenizer stops at 200 open brackets

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
int digit_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

std::string_view strip_spaces(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Length of a run of digits (valid in `base`) with single '_' between digits,
// starting at text[0]; 0 if there is none or an underscore is misplaced.
std::size_t digit_run(std::string_view text, int base) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (digit_value(text[i]) < base) {
      ++i;
    } else if (text[i] == '_' && i > 0 && i + 1 < text.size() && digit_value(text[i + 1]) < base) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

std::string without_underscores(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '_') out.push_back(c);
  }
  return out;
}

// Converts digits in `base` (no underscores) to decimal digits, any length.
std::string to_decimal(std::string_view digits, int base) {
  std::vector<std::uint32_t> limbs{0};  // base 1e9, least significant first
  for (char c : digits) {
    std::uint64_t carry = static_cast<std::uint64_t>(digit_value(c));
    for (auto& limb : limbs) {
      const std::uint64_t value = static_cast<std::uint64_t>(limb) * static_cast<std::uint64_t>(base) + carry;
      limb = static_cast<std::uint32_t>(value % 1000000000u);
      carry = value / 1000000000u;
    }
    if (carry > 0) limbs.push_back(static_cast<std::uint32_t>(carry));
  }
  std::string out = std::to_string(limbs.back());
  for (std::size_t i = limbs.size() - 1; i-- > 0;) {
    const std::string part = std::to_string(limbs[i]);
    out.append(9 - part.size(), '0');
    out += part;
  }
  return out;
}

Json negate(const Json& number) {
  if (number.is_number_float()) return Json(-number.get<double>());
  if (number.is_binary()) {  // big integer digits
    const auto& bytes = number.get_binary();
    std::string digits(bytes.begin(), bytes.end());
    return json_integer_from_digits(digits.front() == '-' ? digits.substr(1) : "-" + digits);
  }
  const std::string digits = python_json_dumps(number);
  return json_integer_from_digits(digits.front() == '-' ? digits.substr(1) : "-" + digits);
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Recursive descent over the subset of Python expressions literal_eval
// accepts. Every failure returns nullopt; the caller keeps the raw text.
class LiteralParser {
 public:
  explicit LiteralParser(std::string_view text) : text_(text) {}

  std::optional<Json> parse_all() {
    auto value = parse_top();
    skip_space();
    if (!value || pos_ != text_.size()) return std::nullopt;
    return value;
  }

 private:
  // A bare "1, 2" at the top level is a tuple in eval mode.
  std::optional<Json> parse_top() {
    auto first = parse_value(0);
    if (!first) return std::nullopt;
    skip_space();
    if (peek() != ',') return first;
    Json tuple = Json::array({*first});
    while (consume(',')) {
      skip_space();
      if (at_end()) break;
      auto item = parse_value(0);
      if (!item) return std::nullopt;
      tuple.push_back(std::move(*item));
      skip_space();
    }
    return tuple;
  }

  std::optional<Json> parse_value(int depth) {
    if (depth > kMaxLiteralDepth) return std::nullopt;
    skip_space();
    if (at_end()) return std::nullopt;
    const char c = peek();
    if (c == '[') return parse_sequence(depth, '[', ']');
    if (c == '(') return parse_sequence(depth, '(', ')');
    if (c == '{') return parse_braces(depth);
    if (c == '-' || c == '+') {
      ++pos_;
      skip_space();
      // literal_eval allows one sign on a number constant; parentheses vanish
      // in the AST, so "-(1)" is -1 but "--1" and "-True" are rejected.
      auto number = parse_parenthesized_number(depth + 1);
      if (!number) return std::nullopt;
      return c == '-' ? negate(*number) : *number;
    }
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return parse_number();
    if (c == '\'' || c == '"' || is_ident(c)) return parse_word_or_string();
    return std::nullopt;
  }

  std::optional<Json> parse_parenthesized_number(int depth) {
    if (depth > kMaxLiteralDepth) return std::nullopt;
    skip_space();
    if (consume('(')) {
      auto inner = parse_parenthesized_number(depth + 1);
      skip_space();
      if (!inner || !consume(')')) return std::nullopt;
      return inner;
    }
    if (at_end() || !(is_digit(peek()) || peek() == '.')) return std::nullopt;
    return parse_number();
  }

  // [a, b] and (a, b): both become JSON arrays. "(x)" without a comma is x.
  std::optional<Json> parse_sequence(int depth, char open, char close) {
    consume(open);
    Json items = Json::array();
    bool saw_comma = false;
    skip_space();
    while (!consume(close)) {
      auto item = parse_value(depth + 1);
      if (!item) return std::nullopt;
      items.push_back(std::move(*item));
      skip_space();
      if (consume(',')) {
        saw_comma = true;
        skip_space();
      } else if (peek() != close) {
        return std::nullopt;
      }
    }
    if (open == '(' && items.size() == 1 && !saw_comma) return items[0];
    return items;
  }

  // {k: v, ...} is a dict; {a, b} is a set, which JSON cannot hold.
  std::optional<Json> parse_braces(int depth) {
    consume('{');
    Json object = Json::object();
    skip_space();
    while (!consume('}')) {
      auto key = parse_value(depth + 1);
      if (!key) return std::nullopt;
      skip_space();
      if (!consume(':')) return std::nullopt;  // a set, or garbage
      auto value = parse_value(depth + 1);
      if (!value) return std::nullopt;
      auto key_text = json_key(*key);
      if (!key_text) return std::nullopt;
      object[*key_text] = std::move(*value);
      skip_space();
      if (consume(',')) {
        skip_space();
      } else if (peek() != '}') {
        return std::nullopt;
      }
    }
    return object;
  }

  // The key json.dumps writes for a dict key (it converts scalars to strings).
  static std::optional<std::string> json_key(const Json& key) {
    if (key.is_string()) return key.get<std::string>();
    if (key.is_boolean() || key.is_null() || key.is_number() || key.is_binary()) return python_json_dumps(key);
    return std::nullopt;  // tuples cannot be JSON keys
  }

  std::optional<Json> parse_number() {
    const std::string_view rest = text_.substr(pos_);
    std::size_t length = 0;
    std::optional<Json> value;
    if (rest.size() > 1 && rest[0] == '0' && std::string_view("xXoObB").find(rest[1]) != std::string_view::npos) {
      const int base = (rest[1] == 'x' || rest[1] == 'X') ? 16 : (rest[1] == 'o' || rest[1] == 'O') ? 8 : 2;
      std::size_t start = 2;
      if (start < rest.size() && rest[start] == '_') ++start;  // 0x_1F is valid
      const std::size_t run = digit_run(rest.substr(start), base);
      if (run == 0) return std::nullopt;
      length = start + run;
      value = json_integer_from_digits(to_decimal(without_underscores(rest.substr(start, run)), base));
    } else {
      const std::size_t int_run = digit_run(rest, 10);
      length = int_run;
      bool is_float = false;
      if (length < rest.size() && rest[length] == '.') {
        is_float = true;
        ++length;
        length += digit_run(rest.substr(length), 10);
      }
      if (length < rest.size() && (rest[length] == 'e' || rest[length] == 'E')) {
        std::size_t exp = length + 1;
        if (exp < rest.size() && (rest[exp] == '+' || rest[exp] == '-')) ++exp;
        const std::size_t exp_run = digit_run(rest.substr(exp), 10);
        if (exp_run == 0) return std::nullopt;
        is_float = true;
        length = exp + exp_run;
      }
      const std::string clean = without_underscores(rest.substr(0, length));
      if (is_float) {
        value = Json(std::strtod(clean.c_str(), nullptr));
      } else {
        // Python 3 rejects leading zeros in decimal integers ("007"), but "00" is 0.
        if (clean.size() > 1 && clean[0] == '0' && clean.find_first_not_of('0') != std::string::npos) {
          return std::nullopt;
        }
        value = json_integer_from_digits(clean);
      }
    }
    // "1j" is complex (not JSON); "1abc" is a syntax error.
    if (length < rest.size() && is_ident(rest[length])) return std::nullopt;
    pos_ += length;
    return value;
  }

  std::optional<Json> parse_word_or_string() {
    const std::size_t start = pos_;
    while (!at_end() && is_ident(peek())) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (!at_end() && (peek() == '\'' || peek() == '"')) {
      // A string prefix: r/u in any case. b (bytes) and f (f-strings) are not JSON values.
      std::string prefix;
      for (char c : word) prefix.push_back(static_cast<char>(c | 0x20));
      if (prefix != "" && prefix != "r" && prefix != "u") return std::nullopt;
      return parse_strings(prefix == "r");
    }
    if (word == "True") return Json(true);
    if (word == "False") return Json(false);
    if (word == "None") return Json(nullptr);
    return std::nullopt;
  }

  // One or more adjacent string literals, concatenated as Python does.
  std::optional<Json> parse_strings(bool raw) {
    std::string out;
    while (true) {
      if (!parse_one_string(raw, out)) return std::nullopt;
      const std::size_t save = pos_;
      skip_space();
      const std::size_t word_start = pos_;
      while (!at_end() && (peek() == 'r' || peek() == 'R' || peek() == 'u' || peek() == 'U')) ++pos_;
      if (at_end() || (peek() != '\'' && peek() != '"') || pos_ - word_start > 1) {
        pos_ = save;
        return Json(std::move(out));
      }
      raw = pos_ > word_start && (text_[word_start] | 0x20) == 'r';
    }
  }

  bool parse_one_string(bool raw, std::string& out) {
    const char quote = peek();
    const bool triple = text_.substr(pos_, 3) == std::string(3, quote);
    pos_ += triple ? 3 : 1;
    while (true) {
      if (at_end()) return false;
      const char c = text_[pos_];
      if (c == quote) {
        if (!triple) {
          ++pos_;
          return true;
        }
        if (text_.substr(pos_, 3) == std::string(3, quote)) {
          pos_ += 3;
          return true;
        }
      }
      if (c == '\n' && !triple) return false;
      if (c != '\\') {
        out.push_back(c);
        ++pos_;
        continue;
      }
      if (pos_ + 1 >= text_.size()) return false;
      if (raw) {  // the backslash stays, but still protects the next character
        out.push_back('\\');
        out.push_back(text_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      if (!parse_escape(out)) return false;
    }
  }

  bool parse_escape(std::string& out) {
    const char e = text_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '\n': return true;  // line continuation
      case '\\': out.push_back('\\'); return true;
      case '\'': out.push_back('\''); return true;
      case '"': out.push_back('"'); return true;
      case 'a': out.push_back('\a'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'v': out.push_back('\v'); return true;
      case 'x': return parse_hex_escape(2, out);
      case 'u': return parse_hex_escape(4, out);
      case 'U': return parse_hex_escape(8, out);
      case 'N': return false;  // \N{NAME} needs the Unicode name table
      default:
        if (e >= '0' && e <= '7') {
          std::uint32_t value = static_cast<std::uint32_t>(e - '0');
          for (int i = 0; i < 2 && !at_end() && peek() >= '0' && peek() <= '7'; ++i, ++pos_) {
            value = value * 8 + static_cast<std::uint32_t>(peek() - '0');
          }
          append_utf8(out, value);
          return true;
        }
        out.push_back('\\');  // unknown escapes are kept verbatim
        out.push_back(e);
        return true;
    }
  }

  bool parse_hex_escape(int count, std::string& out) {
    if (pos_ + static_cast<std::size_t>(count) > text_.size()) return false;
    std::uint32_t value = 0;
    for (int i = 0; i < count; ++i) {
      const int d = digit_value(text_[pos_ + static_cast<std::size_t>(i)]);
      if (d > 15) return false;
      value = value * 16 + static_cast<std::uint32_t>(d);
    }
    pos_ += static_cast<std::size_t>(count);
    // Surrogates cannot be written as UTF-8; beyond U+10FFFF Python raises.
    if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return false;
    append_utf8(out, value);
    return true;
  }

  void skip_space() {
    while (!at_end() && is_space(peek())) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (peek() != c || at_end()) return false;
    ++pos_;
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<Json> python_literal_eval(std::string_view text) {
  try {
    return LiteralParser(text).parse_all();
  } catch (const std::exception&) {  // e.g. bad_alloc on absurd input: keep the text
    return std::nullopt;
  }
}

std::optional<Json> python_int(std::string_view text) {
  text = strip_spaces(text);
  bool negative = false;
  if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || digit_run(text, 10) != text.size()) return std::nullopt;
  const std::string digits = without_underscores(text);
  return json_integer_from_digits((negative ? "-" : "") + digits);
}

std::optional<double> python_float(std::string_view text) {
  text = strip_spaces(text);
  std::string_view body = text;
  bool negative = false;
  if (!body.empty() && (body.front() == '+' || body.front() == '-')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  std::string lower;
  for (char c : body) lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c);
  if (lower == "inf" || lower == "infinity") return negative ? -HUGE_VAL : HUGE_VAL;
  if (lower == "nan") return std::nan("");
  // digitpart ["." [digitpart]] [exponent] | "." digitpart [exponent]
  std::size_t i = digit_run(body, 10);
  const bool has_int = i > 0;
  bool has_frac = false;
  if (i < body.size() && body[i] == '.') {
    ++i;
    const std::size_t frac = digit_run(body.substr(i), 10);
    has_frac = frac > 0;
    i += frac;
  }
  if (!has_int && !has_frac) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    std::size_t exp = i + 1;
    if (exp < body.size() && (body[exp] == '+' || body[exp] == '-')) ++exp;
    const std::size_t run = digit_run(body.substr(exp), 10);
    if (run == 0) return std::nullopt;
    i = exp + run;
  }
  if (i != body.size()) return std::nullopt;
  const double magnitude = std::strtod(without_underscores(body).c_str(), nullptr);
  return negative ? -magnitude : magnitude;
}

}  // namespace qwenrt
