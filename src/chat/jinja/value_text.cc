#include "chat/jinja/value_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "chat/jinja/unicode.h"

namespace qwenrt::jinja {
namespace {

void append_repr(std::string& out, const Value& v, std::vector<const void*>& open_namespaces);

void append_hex_escape(std::string& out, char32_t cp) {
  char buf[16];
  if (cp <= 0xFF)
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
  else if (cp <= 0xFFFF)
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  else
    std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
  out += buf;
}

void append_dict_repr(std::string& out, const Dict& d, std::vector<const void*>& open) {
  out += '{';
  bool first = true;
  for (const auto& [k, val] : d.entries()) {
    if (!first) out += ", ";
    first = false;
    append_repr(out, k, open);
    out += ": ";
    append_repr(out, val, open);
  }
  out += '}';
}

void append_repr(std::string& out, const Value& v, std::vector<const void*>& open) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      out += "Undefined";
      return;
    case Value::Kind::kString:
      out += string_repr(v.str());
      return;
    case Value::Kind::kList: {
      if (v.is_iterator()) {
        out += "<generator object>";  // CPython adds an address; no template prints this on purpose
        return;
      }
      const SeqKind kind = v.seq_kind();
      const char* view = kind == SeqKind::kKeys     ? "dict_keys("
                         : kind == SeqKind::kValues ? "dict_values("
                         : kind == SeqKind::kItems  ? "dict_items("
                                                    : nullptr;
      if (view != nullptr) out += view;
      const bool tuple = v.is_tuple();
      out += tuple ? '(' : '[';
      const auto& items = v.items();
      for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        append_repr(out, items[i], open);
      }
      if (tuple && items.size() == 1) out += ',';
      out += tuple ? ')' : ']';
      if (view != nullptr) out += ')';
      return;
    }
    case Value::Kind::kDict:
      append_dict_repr(out, v.dict(), open);
      return;
    case Value::Kind::kNamespace: {
      // A namespace may (indirectly) hold itself; Python prints the inner one as {...}.
      for (const void* p : open) {
        if (p == v.identity()) {
          out += "<Namespace {...}>";
          return;
        }
      }
      if (open.size() >= static_cast<size_t>(kMaxValueDepth)) {
        out += "<Namespace {...}>";
        return;
      }
      open.push_back(v.identity());
      out += "<Namespace ";
      append_dict_repr(out, v.ns().attrs, open);
      out += '>';
      open.pop_back();
      return;
    }
    case Value::Kind::kObject:
      out += v.object().repr;
      return;
    case Value::Kind::kCallable:
      out += "<Macro '" + v.callable().name + "'>";
      return;
    default:
      out += to_str(v);
      return;
  }
}

}  // namespace

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  // Shortest round-trip digits in scientific form, then laid out by CPython's rule:
  // fixed notation when -4 <= exponent < 16, else d.ddde+XX.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  std::string out;
  size_t pos = 0;
  if (sci[0] == '-') {
    out += '-';
    pos = 1;
  }
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (size_t i = pos; i < e_pos; ++i)
    if (sci[i] != '.') digits += sci[i];
  const int exponent = std::stoi(sci.substr(e_pos + 1));
  const int n = static_cast<int>(digits.size());
  const int decpt = exponent + 1;
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) out += '.' + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  } else if (decpt <= 0) {
    out += "0." + std::string(-decpt, '0') + digits;
  } else if (decpt >= n) {
    out += digits + std::string(decpt - n, '0') + ".0";
  } else {
    out += digits.substr(0, decpt) + '.' + digits.substr(decpt);
  }
  return out;
}

std::string string_repr(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  std::string out;
  out.reserve(s.size() + 2);
  out += quote;
  for (char32_t cp : utf8_decode(s)) {
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (!py_isprintable(cp)) {
      append_hex_escape(out, cp);
    } else {
      utf8_append(out, cp);
    }
  }
  out += quote;
  return out;
}

void append_str(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return;
    case Value::Kind::kNone:
      out += "None";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "True" : "False";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kFloat:
      out += float_repr(v.as_float());
      return;
    case Value::Kind::kString:
      out += v.str();
      return;
    default: {
      std::vector<const void*> open;
      append_repr(out, v, open);
      return;
    }
  }
}

std::string to_str(const Value& v) {
  if (v.is_string()) return v.str();
  std::string out;
  append_str(out, v);
  return out;
}

std::string to_repr(const Value& v) {
  std::string out;
  std::vector<const void*> open;
  append_repr(out, v, open);
  return out;
}

}  // namespace qwenrt::jinja
