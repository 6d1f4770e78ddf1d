#include "chat/python_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

namespace qwenrt {
namespace {

// Builds a Json tree from nlohmann's SAX events. We need our own handler for
// two things the DOM parser cannot do: keep integers wider than 64 bits exact
// (the SAX event carries the number's text) and stop at a nesting limit, so
// hostile input cannot make later recursive code (the dumper) overflow the stack.
class TreeBuilder : public nlohmann::json_sax<Json> {
 public:
  explicit TreeBuilder(Json& root) : root_(root) {}

  bool null() override { return place(Json(nullptr)); }
  bool boolean(bool value) override { return place(Json(value)); }
  bool number_integer(number_integer_t value) override { return place(Json(value)); }
  bool number_unsigned(number_unsigned_t value) override { return place(Json(value)); }
  bool number_float(number_float_t value, const string_t& text) override {
    // nlohmann reports an integer that overflows 64 bits as a float; its text
    // has no '.', 'e' or 'E'. Keep it exact, as Python's json.loads does.
    if (text.find_first_of(".eE") == string_t::npos) return place(json_integer_from_digits(text));
    return place(Json(value));
  }
  bool string(string_t& value) override { return place(Json(std::move(value))); }
  bool binary(binary_t& value) override { return place(Json::binary(std::move(value))); }
  bool start_object(std::size_t) override { return open(Json::object()); }
  bool key(string_t& value) override {
    key_ = std::move(value);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // Stores `value` where the parse currently is; returns the stored slot.
  Json* store(Json&& value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    // operator[] keeps a repeated key at its first position; assigning gives it
    // the last value: json.loads semantics.
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }
  bool place(Json&& value) {
    store(std::move(value));
    return true;
  }
  bool open(Json&& container) {
    if (static_cast<int>(stack_.size()) >= kMaxJsonDepth) return false;
    // Pointers to ancestors stay valid: only the innermost container grows.
    stack_.push_back(store(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  Json& root_;
  std::vector<Json*> stack_;
  std::string key_;
};

void append_escaped_string(std::string& out, const std::string& text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xF]);
        } else {
          out.push_back(c);  // ensure_ascii=False: UTF-8 passes through
        }
    }
  }
  out.push_back('"');
}

void append_float(std::string& out, double value) {
  // json.dumps spells non-finite floats as JavaScript does (allow_nan=True).
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    out += python_float_repr(value);
  }
}

void append_value(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: out += "null"; break;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; break;
    case Json::value_t::number_integer: out += std::to_string(value.get<std::int64_t>()); break;
    case Json::value_t::number_unsigned: out += std::to_string(value.get<std::uint64_t>()); break;
    case Json::value_t::number_float: append_float(out, value.get<double>()); break;
    case Json::value_t::string: append_escaped_string(out, value.get_ref<const std::string&>()); break;
    case Json::value_t::binary: {  // a big integer's digits, see json_big_integer
      const auto& digits = value.get_binary();
      out.append(digits.begin(), digits.end());
      break;
    }
    case Json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const Json& item : value) {
        if (!first) out += ", ";
        first = false;
        append_value(out, item);
      }
      out.push_back(']');
      break;
    }
    case Json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : value.items()) {
        if (!first) out += ", ";
        first = false;
        append_escaped_string(out, key);
        out += ": ";
        append_value(out, item);
      }
      out.push_back('}');
      break;
    }
    case Json::value_t::discarded: out += "null"; break;
  }
}

}  // namespace

Json json_big_integer(const std::string& decimal_digits) {
  return Json::binary(Json::binary_t::container_type(decimal_digits.begin(), decimal_digits.end()));
}

std::optional<Json> parse_json(std::string_view text) {
  Json root;
  TreeBuilder builder(root);
  try {
    const bool ok = Json::sax_parse(text.begin(), text.end(), &builder,
                                    nlohmann::detail::input_format_t::json, /*strict=*/true);
    if (!ok) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return root;
}

std::string python_json_dumps(const Json& value) {
  std::string out;
  append_value(out, value);
  return out;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  // Shortest round-trip digits, as Python's repr uses (David Gay's mode 0).
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  std::string_view sci(buffer, result.ptr - buffer);
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+'), sci.data() + sci.size(), exponent);
  // Python's float_repr_style 'short': the decimal point sits after `decpt`
  // digits; exponent notation when decpt is outside (-4, 16].
  const int decpt = exponent + 1;
  const int n = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out.push_back(digits[0]);
    if (n > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    const int e = decpt - 1;
    out.push_back('e');
    out.push_back(e < 0 ? '-' : '+');
    const std::string magnitude = std::to_string(std::abs(e));
    if (magnitude.size() < 2) out.push_back('0');
    out += magnitude;
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= n) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - n), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<std::size_t>(decpt));
    out.push_back('.');
    out.append(digits, static_cast<std::size_t>(decpt));
  }
  return out;
}

std::string exact_integer_digits(double integral_value) {
  if (std::fabs(integral_value) < 9.2e18) return std::to_string(static_cast<std::int64_t>(integral_value));
  // value = mantissa * 2^exponent with a 53-bit integer mantissa and exponent > 0:
  // multiply out in base 1e9 limbs (least significant first).
  int exponent = 0;
  const double fraction = std::frexp(std::fabs(integral_value), &exponent);
  auto mantissa = static_cast<std::uint64_t>(std::ldexp(fraction, 53));
  exponent -= 53;
  std::vector<std::uint32_t> limbs;
  while (mantissa > 0) {
    limbs.push_back(static_cast<std::uint32_t>(mantissa % 1000000000u));
    mantissa /= 1000000000u;
  }
  while (exponent > 0) {
    const int step = exponent < 30 ? exponent : 30;
    exponent -= step;
    std::uint64_t carry = 0;
    for (auto& limb : limbs) {
      const std::uint64_t product = (static_cast<std::uint64_t>(limb) << step) + carry;
      limb = static_cast<std::uint32_t>(product % 1000000000u);
      carry = product / 1000000000u;
    }
    while (carry > 0) {
      limbs.push_back(static_cast<std::uint32_t>(carry % 1000000000u));
      carry /= 1000000000u;
    }
  }
  std::string out = integral_value < 0 ? "-" : "";
  out += std::to_string(limbs.back());
  for (std::size_t i = limbs.size() - 1; i-- > 0;) {
    const std::string part = std::to_string(limbs[i]);
    out.append(9 - part.size(), '0');
    out += part;
  }
  return out;
}

Json json_integer_from_digits(std::string_view digits) {
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
  if (digits.empty() || digits == "0") return Json(0);
  std::uint64_t magnitude = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (error == std::errc() && end == digits.data() + digits.size()) {
    if (!negative) return Json(magnitude);
    if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
      return Json(static_cast<std::int64_t>(0 - magnitude));
    }
  }
  return json_big_integer((negative ? "-" : "") + std::string(digits));
}

}  // namespace qwenrt
