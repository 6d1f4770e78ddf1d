#include "chat/jinja/operators.h"

#include <cmath>
#include <limits>

#include "chat/jinja/error.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/methods.h"
#include "chat/jinja/string_format.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

std::string quoted(const char* s) { return std::string("'") + s + "'"; }

[[noreturn]] void fail_operands(const char* op, const Value& a, const Value& b) {
  fail(std::string("unsupported operand type(s) for ") + op + ": " + quoted(a.type_name()) +
       " and " + quoted(b.type_name()));
}

bool both_ints(const Value& a, const Value& b) {
  return (a.is_int() || a.is_bool()) && (b.is_int() || b.is_bool());
}

Value checked_int(bool overflow, int64_t result) {
  // Python ints never overflow; int64 is enough for any real chat template.
  if (overflow) fail("integer overflow (values beyond 64 bits are not supported)");
  return Value::integer(result);
}

Value repeat(const Value& seq, int64_t count, Interpreter& in) {
  if (count < 0) count = 0;
  if (seq.is_string()) {
    const std::string& s = seq.str();
    size_t n = 0;
    if (__builtin_mul_overflow(s.size(), static_cast<size_t>(count), &n)) n = SIZE_MAX;
    in.check_string_size(n);
    in.charge_bytes(n);
    std::string out;
    out.reserve(n);
    for (int64_t i = 0; i < count; ++i) out += s;
    return Value::string(std::move(out));
  }
  const auto& items = seq.items();
  uint64_t n = 0;
  if (__builtin_mul_overflow(static_cast<uint64_t>(items.size()), static_cast<uint64_t>(count), &n))
    n = UINT64_MAX;
  in.charge_steps(n);  // one step per element, before allocating them
  std::vector<Value> out;
  out.reserve(n);
  for (int64_t i = 0; i < count; ++i) out.insert(out.end(), items.begin(), items.end());
  return seq.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

Value add(const Value& a, const Value& b, Interpreter& in) {
  if (a.is_number() && b.is_number()) {
    if (both_ints(a, b)) {
      int64_t r = 0;
      const bool overflow = __builtin_add_overflow(a.as_int(), b.as_int(), &r);
      return checked_int(overflow, r);
    }
    return Value::number(a.as_float() + b.as_float());
  }
  if (a.is_string()) {
    if (!b.is_string())
      fail(std::string("can only concatenate str (not \"") + b.type_name() + "\") to str");
    const size_t n = a.str().size() + b.str().size();
    in.check_string_size(n);
    in.charge_bytes(n);
    std::string out;
    out.reserve(n);
    out += a.str();
    out += b.str();
    return Value::string(std::move(out));
  }
  if (a.is_plain_list()) {
    if (!b.is_plain_list() || a.is_tuple() != b.is_tuple())
      fail(std::string("can only concatenate ") + a.type_name() + " (not \"" + b.type_name() +
           "\") to " + a.type_name());
    in.charge_steps(a.items().size() + b.items().size());
    std::vector<Value> out = a.items();
    out.insert(out.end(), b.items().begin(), b.items().end());
    return a.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
  }
  fail_operands("+", a, b);
}

double py_fmod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

int order(const Value& a, const Value& b, const char* sym) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (both_ints(a, b)) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    const double x = a.as_float(), y = b.as_float();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    const int c = a.str().compare(b.str());  // byte order is code point order in UTF-8
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_plain_list() && b.is_plain_list() && a.is_tuple() == b.is_tuple()) {
    const auto& x = a.items();
    const auto& y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!values_equal(x[i], y[i])) return order(x[i], y[i], sym);
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  fail(std::string(quoted(sym)) + " not supported between instances of " + quoted(a.type_name()) +
       " and " + quoted(b.type_name()));
}

std::string type_object(const Value& obj) {
  if (obj.is_none()) return "None";
  return std::string(obj.type_name()) + " object";
}

Value no_attribute(const Value& obj, const std::string& name) {
  return Value::undefined("'" + type_object(obj) + "' has no attribute '" + name + "'");
}

Value no_element(const Value& obj, const Value& key) {
  return Value::undefined(type_object(obj) + " has no element " + to_repr(key));
}

}  // namespace

void fail_undefined(const Value& undefined) {
  const std::string& hint = undefined.undefined_hint();
  fail(hint.empty() ? "undefined value" : hint);
}

Value binary_op(BinaryOp op, const Value& a, const Value& b, Interpreter& in) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  switch (op) {
    case BinaryOp::kAdd:
      return add(a, b, in);
    case BinaryOp::kSub:
      if (!a.is_number() || !b.is_number()) fail_operands("-", a, b);
      if (both_ints(a, b)) {
        int64_t r = 0;
        const bool overflow = __builtin_sub_overflow(a.as_int(), b.as_int(), &r);
        return checked_int(overflow, r);
      }
      return Value::number(a.as_float() - b.as_float());
    case BinaryOp::kMul:
      if (a.is_number() && b.is_number()) {
        if (both_ints(a, b)) {
          int64_t r = 0;
          const bool overflow = __builtin_mul_overflow(a.as_int(), b.as_int(), &r);
          return checked_int(overflow, r);
        }
        return Value::number(a.as_float() * b.as_float());
      }
      if ((a.is_string() || a.is_plain_list()) && (b.is_int() || b.is_bool()))
        return repeat(a, b.as_int(), in);
      if ((b.is_string() || b.is_plain_list()) && (a.is_int() || a.is_bool()))
        return repeat(b, a.as_int(), in);
      if (a.is_string() || a.is_plain_list())
        fail(std::string("can't multiply sequence by non-int of type ") + quoted(b.type_name()));
      if (b.is_string() || b.is_plain_list())
        fail(std::string("can't multiply sequence by non-int of type ") + quoted(a.type_name()));
      fail_operands("*", a, b);
    case BinaryOp::kDiv:
      if (!a.is_number() || !b.is_number()) fail_operands("/", a, b);
      if (b.as_float() == 0) fail(both_ints(a, b) ? "division by zero" : "float division by zero");
      return Value::number(a.as_float() / b.as_float());
    case BinaryOp::kFloorDiv:
      if (!a.is_number() || !b.is_number()) fail_operands("//", a, b);
      if (both_ints(a, b)) {
        const int64_t x = a.as_int(), y = b.as_int();
        if (y == 0) fail("integer division or modulo by zero");
        if (x == std::numeric_limits<int64_t>::min() && y == -1) checked_int(true, 0);
        int64_t q = x / y;
        if ((x % y != 0) && ((x < 0) != (y < 0))) --q;
        return Value::integer(q);
      }
      if (b.as_float() == 0) fail("float floor division by zero");
      return Value::number(std::floor(a.as_float() / b.as_float()));
    case BinaryOp::kMod:
      if (a.is_string()) return Value::string(percent_format(a.str(), b, in));
      if (!a.is_number() || !b.is_number()) fail_operands("%", a, b);
      if (both_ints(a, b)) {
        const int64_t x = a.as_int(), y = b.as_int();
        if (y == 0) fail("integer modulo by zero");
        if (y == -1) return Value::integer(0);
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) m += y;
        return Value::integer(m);
      }
      if (b.as_float() == 0) fail("float modulo");
      return Value::number(py_fmod(a.as_float(), b.as_float()));
    case BinaryOp::kPow:
      if (!a.is_number() || !b.is_number()) fail_operands("** or pow()", a, b);
      if (both_ints(a, b) && b.as_int() >= 0) {
        int64_t result = 1, base = a.as_int();
        for (int64_t e = b.as_int(); e > 0; e >>= 1) {
          in.tick();
          if (e & 1) checked_int(__builtin_mul_overflow(result, base, &result), 0);
          if (e > 1) checked_int(__builtin_mul_overflow(base, base, &base), 0);
        }
        return Value::integer(result);
      }
      if (a.as_float() == 0 && b.as_float() < 0) fail("0.0 cannot be raised to a negative power");
      return Value::number(std::pow(a.as_float(), b.as_float()));
  }
  fail("unknown operator");
}

Value negate(const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_float()) return Value::number(-v.as_float());
  if (v.is_int() || v.is_bool()) {
    int64_t r = 0;
    const bool overflow = __builtin_sub_overflow(int64_t{0}, v.as_int(), &r);
    return checked_int(overflow, r);
  }
  fail(std::string("bad operand type for unary -: ") + quoted(v.type_name()));
}

Value unary_plus(const Value& v) {
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_float()) return v;
  if (v.is_int() || v.is_bool()) return Value::integer(v.as_int());
  fail(std::string("bad operand type for unary +: ") + quoted(v.type_name()));
}

bool less_than(const Value& a, const Value& b) { return order(a, b, "<") < 0; }

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::kString:
      if (!item.is_string())
        fail(std::string("'in <string>' requires string as left operand, not ") + item.type_name());
      return container.str().find(item.str()) != std::string::npos;
    case Value::Kind::kList:
      for (const Value& v : iterate(container))
        if (values_equal(v, item)) return true;
      return false;
    case Value::Kind::kDict:
      if (item.is_dict() || (item.is_list() && !item.is_tuple()))
        fail(std::string("unhashable type: '") + item.type_name() + "'");
      return container.dict().find(item) != nullptr;
    case Value::Kind::kUndefined:
      return false;  // jinja2's Undefined iterates as empty
    default:
      fail(std::string("argument of type ") + quoted(container.type_name()) + " is not iterable");
  }
}

bool compare(CompareOp op, const Value& a, const Value& b) {
  switch (op) {
    case CompareOp::kEq:
      return values_equal(a, b);
    case CompareOp::kNe:
      return !values_equal(a, b);
    case CompareOp::kLt:
      return order(a, b, "<") < 0;
    case CompareOp::kLe:
      return order(a, b, "<=") <= 0;
    case CompareOp::kGt:
      return order(a, b, ">") > 0;
    case CompareOp::kGe:
      return order(a, b, ">=") >= 0;
    case CompareOp::kIn:
      return contains(b, a);
    case CompareOp::kNotIn:
      return !contains(b, a);
  }
  return false;
}

Value get_attr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::kUndefined:
      fail_undefined(obj);
    case Value::Kind::kDict: {
      if (auto m = lookup_method(obj, name)) return *m;
      if (const Value* v = obj.dict().find(name)) return *v;
      return no_attribute(obj, name);
    }
    case Value::Kind::kNamespace: {
      if (const Value* v = obj.ns().attrs.find(name)) return *v;
      return no_attribute(obj, name);
    }
    case Value::Kind::kObject: {
      if (const Value* v = obj.object().attrs.find(name)) return *v;
      return no_attribute(obj, name);
    }
    default:
      if (auto m = lookup_method(obj, name)) return *m;
      return no_attribute(obj, name);
  }
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_dict()) {
    if (const Value* v = obj.dict().find(key)) return *v;
  } else if (obj.is_plain_list() || obj.is_string()) {
    if (auto index = to_index(key)) {
      int64_t i = *index;
      if (obj.is_list()) {
        const auto n = static_cast<int64_t>(obj.items().size());
        if (i < 0) i += n;
        if (i >= 0 && i < n) return obj.items()[i];
      } else {
        const std::u32string cps = utf8_decode(obj.str());
        const auto n = static_cast<int64_t>(cps.size());
        if (i < 0) i += n;
        if (i >= 0 && i < n) return Value::string(utf8_encode(cps.substr(i, 1)));
      }
      return no_element(obj, key);
    }
  }
  if (key.is_string()) return get_attr(obj, key.str());
  return no_element(obj, key);
}

Value get_slice(const Value& obj, const Value& start_v, const Value& stop_v, const Value& step_v) {
  // jinja2 compiles slices to plain Python subscripts (no sandbox getitem), so a bad
  // receiver is an error here rather than Undefined.
  if (obj.is_undefined()) fail_undefined(obj);
  if (obj.is_dict()) fail("unhashable type: 'slice'");
  if (!obj.is_plain_list() && !obj.is_string())
    fail(std::string("'") + obj.type_name() + "' object is not subscriptable");
  auto part = [](const Value& v) -> std::optional<int64_t> {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    if (auto i = to_index(v)) return i;
    fail("slice indices must be integers or None or have an __index__ method");
  };
  const int64_t step = part(step_v).value_or(1);
  if (step == 0) fail("slice step cannot be zero");
  std::u32string cps;
  if (obj.is_string()) cps = utf8_decode(obj.str());
  const int64_t n =
      obj.is_string() ? static_cast<int64_t>(cps.size()) : static_cast<int64_t>(obj.items().size());
  // CPython's PySlice_AdjustIndices.
  auto adjust = [&](std::optional<int64_t> v, int64_t dflt) {
    if (!v) return dflt;
    int64_t i = *v;
    if (i < 0) {
      i += n;
      if (i < 0) i = step < 0 ? -1 : 0;
    } else if (i >= n) {
      i = step < 0 ? n - 1 : n;
    }
    return i;
  };
  const int64_t start = adjust(part(start_v), step < 0 ? n - 1 : 0);
  const int64_t stop = adjust(part(stop_v), step < 0 ? -1 : n);
  std::vector<int64_t> picks;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) picks.push_back(i);
  if (obj.is_string()) {
    std::u32string out;
    for (int64_t i : picks) out += cps[i];
    return Value::string(utf8_encode(out));
  }
  std::vector<Value> out;
  for (int64_t i : picks) out.push_back(obj.items()[i]);
  return obj.is_tuple() ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

std::vector<Value> iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return {};
    case Value::Kind::kList:
      if (v.is_iterator() && !iterator_error(v).empty()) fail(iterator_error(v));
      return v.items();
    case Value::Kind::kDict: {
      std::vector<Value> keys;
      keys.reserve(v.dict().size());
      for (const auto& [k, _] : v.dict().entries()) keys.push_back(k);
      return keys;
    }
    case Value::Kind::kString: {
      std::vector<Value> chars;
      for (char32_t cp : utf8_decode(v.str()))
        chars.push_back(Value::string(utf8_encode(std::u32string(1, cp))));
      return chars;
    }
    default:
      fail(std::string("'") + v.type_name() + "' object is not iterable");
  }
}

const std::string& iterator_error(const Value& v) { return v.list_data().error; }

std::optional<int64_t> to_index(const Value& v) {
  if (v.is_int() || v.is_bool()) return v.as_int();
  return std::nullopt;
}

}  // namespace qwenrt::jinja
