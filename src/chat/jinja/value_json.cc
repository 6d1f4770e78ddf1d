#include "chat/jinja/value_json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "chat/jinja/error.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

void append_u_escape(std::string& out, unsigned unit) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit);
  out += buf;
}

void append_json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  auto escape_simple = [&](char32_t cp) {
    switch (cp) {
      case '"':
        out += "\\\"";
        return true;
      case '\\':
        out += "\\\\";
        return true;
      case '\n':
        out += "\\n";
        return true;
      case '\r':
        out += "\\r";
        return true;
      case '\t':
        out += "\\t";
        return true;
      case '\b':
        out += "\\b";
        return true;
      case '\f':
        out += "\\f";
        return true;
      default:
        return false;
    }
  };
  if (!ensure_ascii) {
    // Byte-wise: only ASCII needs escaping, everything else is copied as is.
    for (char c : s) {
      const auto b = static_cast<unsigned char>(c);
      if (escape_simple(b)) continue;
      if (b < 0x20)
        append_u_escape(out, b);
      else
        out += c;
    }
  } else {
    for (char32_t cp : utf8_decode(s)) {
      if (escape_simple(cp)) continue;
      if (cp >= 0x20 && cp < 0x7F) {
        out += static_cast<char>(cp);
      } else if (cp < 0x10000) {
        append_u_escape(out, cp);
      } else {
        const char32_t v = cp - 0x10000;
        append_u_escape(out, 0xD800 + (v >> 10));
        append_u_escape(out, 0xDC00 + (v & 0x3FF));
      }
    }
  }
  out += '"';
}

std::string json_float(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return float_repr(d);
}

// Python's json module turns these key types into strings; anything else is an error.
std::string json_key(const Value& key) {
  switch (key.kind()) {
    case Value::Kind::kString:
      return key.str();
    case Value::Kind::kFloat:
      return json_float(key.as_float());
    case Value::Kind::kBool:
      return key.as_bool() ? "true" : "false";
    case Value::Kind::kInt:
      return std::to_string(key.as_int());
    case Value::Kind::kNone:
      return "null";
    default:
      fail(std::string("keys must be str, int, float, bool or None, not ") + key.type_name());
  }
}

struct Dumper {
  const JsonDumpOptions& opt;
  std::string item_sep;
  std::string key_sep;
  std::string out;

  void newline(int level) {
    out += '\n';
    for (int i = 0; i < level; ++i) out += *opt.indent;
  }

  void dump(const Value& v, int level) {
    switch (v.kind()) {
      case Value::Kind::kNone:
        out += "null";
        return;
      case Value::Kind::kBool:
        out += v.as_bool() ? "true" : "false";
        return;
      case Value::Kind::kInt:
        out += std::to_string(v.as_int());
        return;
      case Value::Kind::kFloat:
        out += json_float(v.as_float());
        return;
      case Value::Kind::kString:
        append_json_string(out, v.str(), opt.ensure_ascii);
        return;
      case Value::Kind::kList: {
        if (!v.is_plain_list())
          fail(std::string("Object of type ") + v.type_name() + " is not JSON serializable");
        const auto& items = v.items();
        if (items.empty()) {
          out += "[]";
          return;
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out += item_sep;
          if (opt.indent) newline(level + 1);
          dump(items[i], level + 1);
        }
        if (opt.indent) newline(level);
        out += ']';
        return;
      }
      case Value::Kind::kDict: {
        const Dict& d = v.dict();
        if (d.empty()) {
          out += "{}";
          return;
        }
        std::vector<const std::pair<Value, Value>*> entries;
        for (const auto& e : d.entries()) entries.push_back(&e);
        if (opt.sort_keys) {
          for (const auto* e : entries)
            if (!e->first.is_string())
              fail("'<' not supported between dict keys that are not all strings");
          std::stable_sort(entries.begin(), entries.end(),
                           [](auto* a, auto* b) { return a->first.str() < b->first.str(); });
        }
        out += '{';
        bool first = true;
        for (const auto* e : entries) {
          if (!first) out += item_sep;
          first = false;
          if (opt.indent) newline(level + 1);
          append_json_string(out, json_key(e->first), opt.ensure_ascii);
          out += key_sep;
          dump(e->second, level + 1);
        }
        if (opt.indent) newline(level);
        out += '}';
        return;
      }
      default:
        fail(std::string("Object of type ") + v.type_name() + " is not JSON serializable");
    }
  }
};

Value from_json_at(const nlohmann::ordered_json& j, int depth) {
  if (depth > kMaxValueDepth)
    fail_limit("JSON input nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::none();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const auto u = j.get<uint64_t>();
      // Python ints are unbounded; past int64 we keep the magnitude as a float.
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Value::number(static_cast<double>(u));
      return Value::integer(static_cast<int64_t>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::number(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) items.push_back(from_json_at(e, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (const auto& [k, e] : j.items()) d.set(Value::string(k), from_json_at(e, depth + 1));
      return Value::dict(std::move(d));
    }
    default:
      return Value::none();
  }
}

}  // namespace

std::string dump_json(const Value& value, const JsonDumpOptions& options) {
  Dumper d{options,
           options.item_separator.value_or(options.indent ? "," : ", "),
           options.key_separator.value_or(": "),
           {}};
  d.dump(value, 0);
  return std::move(d.out);
}

Value from_json(const nlohmann::ordered_json& json) { return from_json_at(json, 0); }

}  // namespace qwenrt::jinja
