#include "chat/jinja/string_format.h"

#include <cmath>
#include <cstdio>

#include "chat/jinja/error.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Pads to `width` code points: align is '<', '>', '^' or '=' (after the sign).
std::string pad(const std::string& s, size_t width, char align, const std::string& fill) {
  const size_t len = utf8_length(s);
  if (len >= width) return s;
  if (width > 4096) fail("format width too large");
  const size_t n = width - len;
  auto fills = [&](size_t k) {
    std::string out;
    for (size_t i = 0; i < k; ++i) out += fill;
    return out;
  };
  if (align == '<') return s + fills(n);
  if (align == '^') return fills(n / 2) + s + fills(n - n / 2);
  if (align == '=' && !s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' '))
    return s.substr(0, 1) + fills(n) + s.substr(1);
  return fills(n) + s;
}

// printf into a string of the exact size (widths are capped at 4096 by the callers).
template <typename T>
std::string printf_to_string(const std::string& spec, T value) {
  const int n = std::snprintf(nullptr, 0, spec.c_str(), value);
  if (n <= 0) return "";
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), spec.c_str(), value);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string c_format(const std::string& spec, double d) { return printf_to_string(spec, d); }
std::string c_format_int(const std::string& spec, long long i) { return printf_to_string(spec, i); }

// One %-conversion; `flags` are the printf flags written in the template.
std::string percent_one(char conv, const std::string& flags, int width, int precision,
                        const Value& v) {
  const std::string w = width >= 0 ? std::to_string(width) : "";
  const std::string p = precision >= 0 ? "." + std::to_string(precision) : "";
  switch (conv) {
    case 's':
    case 'r':
    case 'a': {
      std::string s = conv == 's' ? to_str(v) : to_repr(v);
      if (precision >= 0) s = utf8_encode(utf8_decode(s).substr(0, precision));
      const bool left = flags.find('-') != std::string::npos;
      return width > 0 ? pad(s, width, left ? '<' : '>', " ") : s;
    }
    case 'd':
    case 'i':
    case 'u': {
      if (!v.is_number())
        fail(std::string("%") + conv + " format: a real number is required, not " + v.type_name());
      const long long i =
          v.is_float() ? static_cast<long long>(std::trunc(v.as_float())) : v.as_int();
      return c_format_int("%" + flags + w + p + "lld", i);
    }
    case 'x':
    case 'X':
    case 'o': {
      if (!v.is_int() && !v.is_bool())
        fail(std::string("%") + conv + " format: an integer is required, not " + v.type_name());
      const long long i = v.as_int();
      if (i >= 0) return c_format_int("%" + flags + w + p + "ll" + conv, i);
      // printf has no signed hex/octal: format the magnitude, then sign and pad.
      const unsigned long long magnitude = 0ull - static_cast<unsigned long long>(i);
      const std::string body = "-" + printf_to_string("%" + p + "ll" + conv, magnitude);
      if (width <= 0) return body;
      return pad(body, static_cast<size_t>(width), flags.find('-') != std::string::npos ? '<' : '>',
                 " ");
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      if (!v.is_number()) fail(std::string("must be real number, not ") + v.type_name());
      return c_format("%" + flags + w + p + conv, v.as_float());
    case 'c':
      if (v.is_int()) {
        if (v.as_int() < 0 || v.as_int() > 0x10FFFF) fail("%c arg not in range(0x110000)");
        return utf8_encode(std::u32string(1, static_cast<char32_t>(v.as_int())));
      }
      if (v.is_string() && utf8_length(v.str()) == 1) return v.str();
      fail("%c requires int or char");
    default:
      fail(std::string("unsupported format character '") + conv + "'");
  }
}

}  // namespace

std::string percent_format(const std::string& fmt, const Value& args, Interpreter& in) {
  std::vector<Value> positional;
  const Dict* mapping = nullptr;
  if (args.is_tuple())
    positional = args.items();
  else if (args.is_dict())
    mapping = &args.dict();
  else
    positional.push_back(args);
  size_t next = 0;
  auto take = [&]() -> const Value& {
    if (next >= positional.size()) fail("not enough arguments for format string");
    return positional[next++];
  };
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      out += fmt[i];
      continue;
    }
    if (++i >= fmt.size()) fail("incomplete format");
    Value keyed;
    bool has_key = false;
    if (fmt[i] == '(') {
      const size_t close = fmt.find(')', i);
      if (close == std::string::npos) fail("incomplete format key");
      if (mapping == nullptr) fail("format requires a mapping");
      const Value* v = mapping->find(std::string_view(fmt).substr(i + 1, close - i - 1));
      if (v == nullptr) fail("'" + fmt.substr(i + 1, close - i - 1) + "'");
      keyed = *v;
      has_key = true;
      i = close + 1;
    }
    std::string flags;
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos)
      flags += fmt[i++];
    int width = -1, precision = -1;
    auto star = [&]() {
      const int64_t v = to_index(take()).value_or(0);
      if (v > 4096 || v < -4096) fail("format width or precision too large");
      return static_cast<int>(v);
    };
    auto digits = [&](int* out) {
      *out = 0;
      while (i < fmt.size() && is_digit(fmt[i])) {
        *out = *out * 10 + (fmt[i++] - '0');
        if (*out > 4096) fail("format width or precision too large");
      }
    };
    if (i < fmt.size() && fmt[i] == '*') {
      width = star(), ++i;
      if (width < 0) flags += '-', width = -width;  // Python: a negative * width left-justifies
    } else if (i < fmt.size() && is_digit(fmt[i])) {
      digits(&width);
    }
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      precision = 0;
      if (i < fmt.size() && fmt[i] == '*')
        precision = std::max(star(), 0), ++i;
      else
        digits(&precision);
    }
    while (i < fmt.size() && (fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'L')) ++i;
    if (i >= fmt.size()) fail("incomplete format");
    const char conv = fmt[i];
    if (conv == '%') {
      out += '%';
      continue;
    }
    if (width > 4096 || precision > 4096) fail("format width or precision too large");
    out += percent_one(conv, flags, width, precision, has_key ? keyed : take());
    in.check_string_size(out.size());
  }
  // CPython treats any non-tuple, non-str argument with __getitem__ (a list too) as a
  // mapping, which is never reported as "not all arguments converted".
  const bool mapping_like = mapping != nullptr || (args.is_list() && !args.is_tuple());
  if (!mapping_like && next < positional.size())
    fail("not all arguments converted during string formatting");
  return out;
}

namespace {

// Python's format-spec mini-language for one value.
std::string format_spec(const Value& v, const std::string& spec) {
  size_t i = 0;
  std::string fill = " ";
  char align = 0;
  const std::u32string cps = utf8_decode(spec);
  auto is_align = [](char32_t c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (cps.size() >= 2 && is_align(cps[1])) {
    fill = utf8_encode(cps.substr(0, 1));
    align = static_cast<char>(cps[1]);
    i = utf8_encode(cps.substr(0, 2)).size();
  } else if (!spec.empty() && is_align(static_cast<unsigned char>(spec[0]))) {
    align = spec[0];
    i = 1;
  }
  char sign = '-';
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  bool alt = false;
  if (i < spec.size() && spec[i] == '#') alt = true, ++i;
  if (i < spec.size() && spec[i] == '0') {
    if (align == 0) fill = "0", align = '=';
    ++i;
  }
  size_t width = 0;
  while (i < spec.size() && is_digit(spec[i])) {
    width = width * 10 + (spec[i++] - '0');
    if (width > 4096) fail("Too many decimal digits in format string");
  }
  char grouping = 0;
  if (i < spec.size() && (spec[i] == ',' || spec[i] == '_')) grouping = spec[i++];
  int precision = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    precision = 0;
    while (i < spec.size() && is_digit(spec[i])) {
      precision = precision * 10 + (spec[i++] - '0');
      if (precision > 4096) fail("Too many decimal digits in format string");
    }
  }
  char type = 0;
  if (i < spec.size()) type = spec[i++];
  if (i != spec.size() || width > 4096 || precision > 4096) fail("Invalid format specifier");

  std::string body;
  bool numeric = v.is_number();
  if (v.is_string() || (!numeric && (type == 0 || type == 's'))) {
    body = to_str(v);
    if (precision >= 0) body = utf8_encode(utf8_decode(body).substr(0, precision));
    numeric = false;
  } else if (!numeric) {
    fail(std::string("Unknown format code '") + type + "' for object of type '" + v.type_name() +
         "'");
  } else if ((v.is_int() || v.is_bool()) &&
             (type == 0 || type == 'd' || type == 'x' || type == 'X' || type == 'o' ||
              type == 'b' || type == 'n')) {
    const long long x = v.as_int();
    const unsigned long long mag = x < 0 ? 0ull - static_cast<unsigned long long>(x) : x;
    if (type == 'b') {
      for (unsigned long long m = mag; m > 0; m >>= 1)
        body.insert(body.begin(), static_cast<char>('0' + (m & 1)));
      if (body.empty()) body = "0";
      if (alt) body = "0b" + body;
    } else if (type == 'x' || type == 'X' || type == 'o') {
      body = printf_to_string(std::string("%ll") + type, mag);
      if (alt) body = (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") + body;
    } else {
      body = std::to_string(mag);
    }
    if (x < 0) body = "-" + body;
  } else {
    const double d = v.as_float();
    if (type == 0 && precision < 0) {
      body = v.is_float() ? float_repr(d) : std::to_string(v.as_int());
    } else {
      const char t = type == 0 ? 'g' : type == 'n' ? 'g' : type == '%' ? 'f' : type;
      if (std::string_view("eEfFgG").find(t) == std::string_view::npos)
        fail(std::string("Unknown format code '") + type + "' for object of type 'float'");
      const double x = type == '%' ? d * 100 : d;
      body = c_format("%" + std::string(alt ? "#" : "") + "." +
                          std::to_string(precision < 0 ? 6 : precision) + t,
                      x);
      if (type == '%') body += '%';
    }
  }
  if (numeric) {
    if (grouping) {
      const size_t start = (body[0] == '-') ? 1 : 0;
      size_t end = body.find_first_not_of("0123456789", start);
      if (end == std::string::npos) end = body.size();
      for (ptrdiff_t k = static_cast<ptrdiff_t>(end) - 3; k > static_cast<ptrdiff_t>(start); k -= 3)
        body.insert(static_cast<size_t>(k), 1, grouping);
    }
    if (body[0] != '-' && sign != '-') body = std::string(1, sign) + body;
  }
  return pad(body, width, align != 0 ? align : numeric ? '>' : '<', fill);
}

}  // namespace

std::string brace_format(const std::string& fmt, const CallArgs& args, Interpreter& in) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      fail("Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const size_t close = fmt.find('}', i);
    if (close == std::string::npos) fail("Single '{' encountered in format string");
    std::string field = fmt.substr(i + 1, close - i - 1);
    i = close;
    std::string spec;
    char conversion = 0;
    if (size_t colon = field.find(':'); colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field.resize(colon);
    }
    if (size_t bang = field.find('!'); bang != std::string::npos) {
      if (bang + 2 != field.size()) fail("expected ':' after conversion specifier");
      conversion = field[bang + 1];
      field.resize(bang);
    }
    size_t name_end = field.find_first_of(".[");
    if (name_end == std::string::npos) name_end = field.size();
    const std::string name = field.substr(0, name_end);
    Value v;
    if (name.empty() || is_digit(name[0])) {
      const size_t index = name.empty() ? auto_index++ : std::stoul(name.substr(0, 9));
      if (index >= args.positional.size()) fail("tuple index out of range");
      v = args.positional[index];
    } else {
      bool found = false;
      for (const auto& [k, kv] : args.keyword)
        if (k == name) v = kv, found = true;
      if (!found) fail("'" + name + "'");
    }
    for (size_t k = name_end; k < field.size();) {  // .attr and [key] accessors
      if (field[k] == '.') {
        size_t e = field.find_first_of(".[", k + 1);
        if (e == std::string::npos) e = field.size();
        v = get_attr(v, field.substr(k + 1, e - k - 1));
        k = e;
      } else {
        const size_t e = field.find(']', k);
        if (e == std::string::npos) fail("Missing ']' in format string");
        const std::string key = field.substr(k + 1, e - k - 1);
        const bool number =
            !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        v = get_item(v,
                     number ? Value::integer(std::stoll(key.substr(0, 18))) : Value::string(key));
        k = e + 1;
      }
    }
    if (v.is_undefined()) fail_undefined(v);
    if (conversion == 'r' || conversion == 'a')
      v = Value::string(to_repr(v));
    else if (conversion == 's')
      v = Value::string(to_str(v));
    else if (conversion != 0)
      fail(std::string("Unknown conversion specifier ") + conversion);
    out += format_spec(v, spec);
    in.check_string_size(out.size());
  }
  return out;
}

}  // namespace qwenrt::jinja
