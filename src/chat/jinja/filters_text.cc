// Filter registry, and the filters that work on single values: text, numbers, JSON.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/filters_impl.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/methods.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/string_format.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_json.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

Value f_abs(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "abs", {});
  if (v.is_float()) return Value::number(std::fabs(v.as_float()));
  if (v.is_int() || v.is_bool()) return v.as_int() < 0 ? negate(v) : Value::integer(v.as_int());
  fail(std::string("bad operand type for abs(): '") + v.type_name() + "'");
}

Value f_attr(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "attr", {"name"});
  const std::string name = to_str(a.required(0));
  // Python getattr only: dict keys are not attributes.
  if (v.is_namespace() || v.is_object()) return get_attr(v, name);
  if (v.is_undefined()) fail_undefined(v);
  if (auto m = lookup_method(v, name)) return *m;
  return Value::undefined("'" + std::string(v.type_name()) + " object' has no attribute '" + name +
                          "'");
}

Value f_capitalize(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "capitalize", {});
  CallArgs none;
  return in.call(*lookup_method(Value::string(to_str(v)), "capitalize"), none);
}

Value f_center(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "center", {"width"});
  CallArgs call;
  call.positional.push_back(a.value_or(0, Value::integer(80)));
  return in.call(*lookup_method(Value::string(to_str(v)), "center"), call);
}

Value f_default(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "default", {"default_value", "boolean"});
  if (v.is_undefined() || (a.flag(1, false) && !v.truthy()))
    return a.value_or(0, Value::string(""));
  return v;
}

Value f_escape(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "escape", {});
  std::string out;
  for (char c : to_str(v)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return Value::string(std::move(out));
}

// Python float(str): surrounding whitespace, '_' between digits, inf/nan spellings.
std::optional<double> parse_py_float(const std::string& text) {
  std::string s = py_strip(text, nullptr, StripSide::kBoth);
  const std::string lower = str_lower(s);
  const std::string body =
      (!lower.empty() && (lower[0] == '+' || lower[0] == '-')) ? lower.substr(1) : lower;
  const double sign = (!lower.empty() && lower[0] == '-') ? -1.0 : 1.0;
  if (body == "inf" || body == "infinity") return sign * INFINITY;
  if (body == "nan") return NAN;
  std::string clean;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (i == 0 || i + 1 >= s.size() || !isdigit(static_cast<unsigned char>(s[i - 1])) ||
          !isdigit(static_cast<unsigned char>(s[i + 1])))
        return std::nullopt;
      continue;
    }
    if (!isdigit(static_cast<unsigned char>(s[i])) &&
        std::string_view("+-.eE").find(s[i]) == std::string_view::npos)
      return std::nullopt;
    clean += s[i];
  }
  if (clean.empty()) return std::nullopt;
  char* end = nullptr;
  const double d = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return d;
}

// Python int(str, base).
std::optional<int64_t> parse_py_int(const std::string& text, int base) {
  std::string s = py_strip(text, nullptr, StripSide::kBoth);
  bool negative = false;
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i + 1 < s.size() && s[i] == '0') {
    const char p = static_cast<char>(s[i + 1] | 0x20);
    const int prefixed = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    if (prefixed != 0 && (base == 0 || base == prefixed)) {
      base = prefixed;
      i += 2;
      if (i < s.size() && s[i] == '_') ++i;
    }
  }
  if (base == 0) {
    base = 10;
    if (s.size() - i > 1 && s[i] == '0' && s.find_first_not_of("0_", i) != std::string::npos)
      return std::nullopt;  // "010" is not a base-0 literal
  }
  if (base < 2 || base > 36 || i >= s.size()) return std::nullopt;
  int64_t value = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_') {
      if (!prev_digit || i + 1 >= s.size()) return std::nullopt;
      prev_digit = false;
      continue;
    }
    int d = isdigit(static_cast<unsigned char>(c))   ? c - '0'
            : isalpha(static_cast<unsigned char>(c)) ? (c | 0x20) - 'a' + 10
                                                     : 99;
    if (d >= base) return std::nullopt;
    if (__builtin_mul_overflow(value, base, &value) || __builtin_add_overflow(value, d, &value))
      return std::nullopt;
    prev_digit = true;
  }
  if (!prev_digit) return std::nullopt;
  return negative ? -value : value;
}

Value f_float(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "float", {"default"});
  if (v.is_undefined()) fail_undefined(v);  // float(Undefined) raises in jinja2
  if (v.is_number()) return Value::number(v.as_float());
  if (v.is_string())
    if (auto d = parse_py_float(v.str())) return Value::number(*d);
  return a.value_or(0, Value::number(0.0));
}

Value f_int(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "int", {"default", "base"});
  const Value fallback = a.value_or(0, Value::integer(0));
  if (v.is_undefined()) fail_undefined(v);  // int(Undefined) raises in jinja2
  if (v.is_int() || v.is_bool()) return Value::integer(v.as_int());
  if (v.is_float()) {
    const double d = v.as_float();
    if (std::isnan(d) || std::isinf(d) || std::fabs(d) >= 9.2e18) return fallback;
    return Value::integer(static_cast<int64_t>(std::trunc(d)));
  }
  if (v.is_string()) {
    if (auto i = parse_py_int(v.str(), static_cast<int>(a.int_arg(1).value_or(10))))
      return Value::integer(*i);
    if (auto d = parse_py_float(v.str()); d && std::isfinite(*d) && std::fabs(*d) < 9.2e18)
      return Value::integer(static_cast<int64_t>(std::trunc(*d)));
  }
  return fallback;
}

Value f_format(Interpreter& in, const Value& v, CallArgs& args) {
  if (!args.positional.empty() && !args.keyword.empty())
    fail("can't handle positional and keyword arguments at the same time");
  if (!args.keyword.empty()) {
    Dict d;
    for (const auto& [k, val] : args.keyword) d.set(Value::string(k), val);
    return Value::string(percent_format(to_str(v), Value::dict(std::move(d)), in));
  }
  return Value::string(percent_format(to_str(v), Value::tuple(args.positional), in));
}

Value f_indent(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "indent", {"width", "first", "blank"});
  const Value width = a.value_or(0, Value::integer(4));
  std::string indention;
  if (width.is_string()) {
    indention = width.str();
  } else {
    const int64_t n = to_index(width).value_or(0);
    if (n > 4096) fail_limit("indent width too large");
    indention = std::string(std::max<int64_t>(n, 0), ' ');
  }
  // jinja2 appends a newline first (s += "\n") so that splitlines() keeps a trailing
  // empty line; for anything but a string that statement fails.
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_list())
    fail(std::string("'") + v.type_name() + "' object has no attribute 'splitlines'");
  if (!v.is_string())
    fail(std::string("unsupported operand type(s) for +=: '") + v.type_name() + "' and 'str'");
  const std::vector<std::string> lines = py_splitlines(v.str() + "\n", false);
  std::string rv;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) {
      rv += '\n';
      if (a.flag(2, false) || !lines[i].empty()) rv += indention;
    }
    rv += lines[i];
    in.check_string_size(rv.size());
  }
  if (a.flag(1, false)) rv = indention + rv;
  return Value::string(std::move(rv));
}

Value f_lower(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "lower", {});
  return Value::string(str_lower(to_str(v)));
}

Value f_upper(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "upper", {});
  return Value::string(str_upper(to_str(v)));
}

Value f_replace(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "replace", {"old", "new", "count"});
  const std::string out = py_replace(to_str(v), to_str(a.required(0)), to_str(a.required(1)),
                                     a.int_arg(2).value_or(-1), in.limits().max_output_bytes);
  in.charge_bytes(out.size());
  return Value::string(out);
}

Value f_round(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "round", {"precision", "method"});
  const int64_t precision = a.int_arg(0).value_or(0);
  const std::string method = a.has(1) ? to_str(*a.get(1)) : "common";
  if (method != "common" && method != "ceil" && method != "floor")
    fail("method must be common, ceil or floor");
  if (!v.is_number())
    fail(std::string("type ") + v.type_name() + " doesn't define __round__ method");
  if (method == "common" && !v.is_float())
    return Value::integer(v.as_int());  // round(int) is an int
  const double x = v.as_float();
  if (method != "common") {
    const double scale = std::pow(10.0, static_cast<double>(precision));
    return Value::number((method == "ceil" ? std::ceil(x * scale) : std::floor(x * scale)) / scale);
  }
  if (!std::isfinite(x)) return Value::number(x);
  if (precision >= 0 && precision <= 300) {
    // printf rounds the exact binary value half-to-even, as Python's round() does.
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(precision), x);
    return Value::number(std::strtod(buf, nullptr));
  }
  const double scale = std::pow(10.0, static_cast<double>(-precision));
  return Value::number(std::nearbyint(x / scale) * scale);
}

Value f_safe(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "safe", {});
  // Markup(value) is str(value). Without autoescaping, printing or joining it with ~
  // behaves like a plain string, which is all chat templates do with it.
  return Value::string(to_str(v));
}

Value f_string(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "string", {});
  return Value::string(to_str(v));
}

Value f_title(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "title", {});
  // jinja2 splits on runs of [-\s({[<] (kept) and capitalizes every piece.
  const std::u32string s = utf8_decode(to_str(v));
  auto separator = [](char32_t c) {
    return py_isspace(c) || c == '-' || c == '(' || c == '{' || c == '[' || c == '<';
  };
  std::u32string out;
  size_t i = 0;
  while (i < s.size()) {
    const bool sep = separator(s[i]);
    size_t j = i;
    while (j < s.size() && separator(s[j]) == sep) ++j;
    for (size_t k = i; k < j; ++k) out += k == i ? to_upper(s[k]) : to_lower(s[k]);
    i = j;
  }
  return Value::string(utf8_encode(out));
}

Value f_tojson(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "tojson", {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonDumpOptions opt;
  opt.ensure_ascii = a.flag(0, false);
  if (const Value* indent = a.get(1); indent != nullptr && !indent->is_none()) {
    if (indent->is_string()) {
      opt.indent = indent->str();
    } else {
      const int64_t n = to_index(*indent).value_or(0);
      if (n > 4096) fail_limit("tojson indent too large");
      opt.indent = std::string(std::max<int64_t>(n, 0), ' ');
    }
  }
  if (const Value* sep = a.get(2); sep != nullptr && !sep->is_none()) {
    if (!sep->is_list() || sep->items().size() != 2 || !sep->items()[0].is_string() ||
        !sep->items()[1].is_string())
      fail("separators must be a pair of strings");
    opt.item_separator = sep->items()[0].str();
    opt.key_separator = sep->items()[1].str();
  }
  opt.sort_keys = a.flag(3, false);
  std::string out = dump_json(v, opt);
  in.check_string_size(out.size());
  in.charge_bytes(out.size());
  return Value::string(std::move(out));
}

Value f_trim(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "trim", {"chars"});
  return Value::string(py_strip(to_str(v), a.str_arg(0), StripSide::kBoth));
}

Value f_truncate(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "truncate", {"length", "killwords", "end", "leeway"});
  const int64_t length = a.int_arg(0).value_or(255);
  const std::string end = a.has(2) ? to_str(*a.get(2)) : "...";
  const int64_t leeway = a.int_arg(3).value_or(5);
  if (v.is_undefined()) return Value::string("");
  if (!v.is_string()) {
    // jinja2 only measures other values; short enough ones come back unchanged.
    const int64_t len = v.is_plain_list() ? static_cast<int64_t>(v.items().size())
                        : v.is_dict()     ? static_cast<int64_t>(v.dict().size())
                                          : -1;
    if (len < 0) fail(std::string("object of type '") + v.type_name() + "' has no len()");
    if (len <= length + leeway) return v;
    fail(std::string("can only concatenate ") + v.type_name() + " (not \"str\") to " +
         v.type_name());
  }
  const std::u32string s = utf8_decode(v.str());
  const auto end_len = static_cast<int64_t>(utf8_length(end));
  if (length < end_len) fail("expected length >= " + std::to_string(end_len));
  if (static_cast<int64_t>(s.size()) <= length + leeway) return Value::string(utf8_encode(s));
  std::string head = utf8_encode(s.substr(0, length - end_len));
  if (!a.flag(1, false)) {
    const size_t space = head.rfind(' ');
    if (space != std::string::npos) head.resize(space);
  }
  return Value::string(head + end);
}

// Python's \w for the scripts unicode.h knows; other non-ASCII symbols count as letters
// except general punctuation and CJK/fullwidth punctuation.
bool is_word_char(char32_t c) {
  if (c < 0x80) return is_alpha(c) || is_digit(c) || c == '_';
  if (py_isspace(c) || !py_isprintable(c)) return false;
  if (c == 0xD7 || c == 0xF7 || (c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB5 && c != 0xBA))
    return false;
  return !(c >= 0x2000 && c <= 0x2BFF) && !(c >= 0x3000 && c <= 0x303F) &&
         !(c >= 0xFF00 && c <= 0xFF0F);
}

Value f_wordcount(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "wordcount", {});
  int64_t words = 0;
  bool in_word = false;
  for (char32_t c : utf8_decode(to_str(v))) {
    const bool w = is_word_char(c);
    if (w && !in_word) ++words;
    in_word = w;
  }
  return Value::integer(words);
}

Value f_striptags(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "striptags", {});
  // Drop <...> tags, then collapse whitespace like " ".join(text.split()).
  std::string text;
  bool in_tag = false;
  for (char c : to_str(v)) {
    if (c == '<')
      in_tag = true;
    else if (c == '>' && in_tag)
      in_tag = false;
    else if (!in_tag)
      text += c;
  }
  std::string out;
  for (const std::string& word : py_split(text, nullptr, -1, false)) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return Value::string(std::move(out));
}

constexpr FilterEntry kTextFilters[] = {
    {"abs", f_abs},
    {"attr", f_attr},
    {"capitalize", f_capitalize},
    {"center", f_center},
    {"default", f_default},
    {"d", f_default},
    {"escape", f_escape},
    {"e", f_escape},
    {"forceescape", f_escape},
    {"float", f_float},
    {"format", f_format},
    {"indent", f_indent},
    {"int", f_int},
    {"lower", f_lower},
    {"upper", f_upper},
    {"replace", f_replace},
    {"round", f_round},
    {"safe", f_safe},
    {"string", f_string},
    {"title", f_title},
    {"tojson", f_tojson},
    {"trim", f_trim},
    {"truncate", f_truncate},
    {"wordcount", f_wordcount},
    {"striptags", f_striptags},
};

const FilterEntry* find_filter(std::string_view name) {
  for (const FilterEntry& e : text_filters())
    if (name == e.name) return &e;
  for (const FilterEntry& e : sequence_filters())
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace

std::span<const FilterEntry> text_filters() { return kTextFilters; }

bool filter_exists(std::string_view name) { return find_filter(name) != nullptr; }

Value call_filter(Interpreter& in, const std::string& name, const Value& input, CallArgs& args) {
  const FilterEntry* e = find_filter(name);
  if (e == nullptr) fail("No filter named '" + name + "'.");
  return e->fn(in, input, args);
}

Value ignore_case(const Value& v) { return v.is_string() ? Value::string(str_lower(v.str())) : v; }

Value get_attribute_path(const Value& item, const Value& attribute, const Value& fallback) {
  std::vector<Value> parts;
  if (attribute.is_string()) {
    const std::string sep = ".";
    for (const std::string& p : py_split(attribute.str(), &sep, -1, false)) {
      const bool digits =
          !p.empty() && p.size() < 18 && p.find_first_not_of("0123456789") == std::string::npos;
      parts.push_back(digits ? Value::integer(std::stoll(p)) : Value::string(p));
    }
  } else if (!attribute.is_none() && !attribute.is_undefined()) {
    parts.push_back(attribute);
  }
  Value v = item;
  for (const Value& part : parts) {
    v = get_item(v, part);
    if (!fallback.is_undefined() && v.is_undefined()) v = fallback;
  }
  return v;
}

}  // namespace qwenrt::jinja
