#include "chat/jinja/tests.h"

#include "chat/jinja/arg_reader.h"
#include "chat/jinja/filters.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/operators.h"
#include "chat/jinja/unicode.h"
#include "chat/jinja/value_text.h"

namespace qwenrt::jinja {
namespace {

using TestFn = bool (*)(Interpreter&, const Value&, CallArgs&);

// Tests taking no argument beyond the value.
template <bool (*Pred)(const Value&)>
bool unary(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "test", {});
  return Pred(v);
}

bool is_defined(const Value& v) { return !v.is_undefined(); }
bool is_undefined(const Value& v) { return v.is_undefined(); }
bool is_none(const Value& v) { return v.is_none(); }
bool is_boolean(const Value& v) { return v.is_bool(); }
bool is_false(const Value& v) { return v.is_bool() && !v.as_bool(); }
bool is_true(const Value& v) { return v.is_bool() && v.as_bool(); }
bool is_integer(const Value& v) { return v.is_int(); }
bool is_float(const Value& v) { return v.is_float(); }
bool is_number(const Value& v) { return v.is_number(); }
bool is_string(const Value& v) { return v.is_string(); }
bool is_mapping(const Value& v) { return v.is_dict(); }
// Undefined is iterable and a sequence in jinja2 (it defines __iter__, __len__, __getitem__).
bool is_iterable(const Value& v) {
  return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
}
// Needs len() and indexing: not generators or dict views.
bool is_sequence(const Value& v) {
  return v.is_string() || v.is_plain_list() || v.is_dict() || v.is_undefined();
}
bool is_callable(const Value& v) { return v.is_callable() || v.is_undefined() || v.is_object(); }
bool is_escaped(const Value&) { return false; }  // nothing is Markup without autoescaping

// Python str.islower()/isupper(): some cased character, none of the other case.
bool all_cased(const Value& v, bool lower) {
  bool any = false;
  for (char32_t c : utf8_decode(to_str(v))) {
    if (lower ? is_upper(c) : is_lower(c)) return false;
    any |= is_upper(c) || is_lower(c);
  }
  return any;
}
bool is_lower_str(const Value& v) { return all_cased(v, true); }
bool is_upper_str(const Value& v) { return all_cased(v, false); }

// value % 2 == remainder, with Python's % (so 3.0 is odd and strings fail).
bool mod2_is(Interpreter& in, const Value& v, int64_t remainder) {
  return values_equal(binary_op(BinaryOp::kMod, v, Value::integer(2), in),
                      Value::integer(remainder));
}

bool t_odd(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "odd", {});
  return mod2_is(in, v, 1);
}

bool t_even(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "even", {});
  return mod2_is(in, v, 0);
}

bool t_divisibleby(Interpreter& in, const Value& v, CallArgs& args) {
  ArgReader a(args, "divisibleby", {"num"});
  const Value r = binary_op(BinaryOp::kMod, v, a.required(0), in);
  return r.as_float() == 0;
}

bool t_sameas(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "sameas", {"other"});
  const Value& o = a.required(0);
  if (v.kind() != o.kind()) return false;
  switch (v.kind()) {
    case Value::Kind::kNone:
    case Value::Kind::kUndefined:
      return true;
    case Value::Kind::kBool:
      return v.as_bool() == o.as_bool();
    case Value::Kind::kInt:
      return v.as_int() == o.as_int();
    default:
      return v.identity() == o.identity();
  }
}

bool t_in(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "in", {"seq"});
  return contains(a.required(0), v);
}

template <CompareOp Op>
bool t_compare(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "compare", {"other"});
  return compare(Op, v, a.required(0));
}

bool t_filter(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "filter", {});
  return v.is_string() && filter_exists(v.str());
}

bool t_test(Interpreter&, const Value& v, CallArgs& args) {
  ArgReader a(args, "test", {});
  return v.is_string() && test_exists(v.str());
}

struct TestEntry {
  const char* name;
  TestFn fn;
};

constexpr TestEntry kTests[] = {
    {"defined", unary<is_defined>},
    {"undefined", unary<is_undefined>},
    {"none", unary<is_none>},
    {"boolean", unary<is_boolean>},
    {"false", unary<is_false>},
    {"true", unary<is_true>},
    {"integer", unary<is_integer>},
    {"float", unary<is_float>},
    {"number", unary<is_number>},
    {"string", unary<is_string>},
    {"mapping", unary<is_mapping>},
    {"iterable", unary<is_iterable>},
    {"sequence", unary<is_sequence>},
    {"callable", unary<is_callable>},
    {"escaped", unary<is_escaped>},
    {"lower", unary<is_lower_str>},
    {"upper", unary<is_upper_str>},
    {"odd", t_odd},
    {"even", t_even},
    {"divisibleby", t_divisibleby},
    {"sameas", t_sameas},
    {"in", t_in},
    {"filter", t_filter},
    {"test", t_test},
    {"==", t_compare<CompareOp::kEq>},
    {"eq", t_compare<CompareOp::kEq>},
    {"equalto", t_compare<CompareOp::kEq>},
    {"!=", t_compare<CompareOp::kNe>},
    {"ne", t_compare<CompareOp::kNe>},
    {">", t_compare<CompareOp::kGt>},
    {"gt", t_compare<CompareOp::kGt>},
    {"greaterthan", t_compare<CompareOp::kGt>},
    {">=", t_compare<CompareOp::kGe>},
    {"ge", t_compare<CompareOp::kGe>},
    {"<", t_compare<CompareOp::kLt>},
    {"lt", t_compare<CompareOp::kLt>},
    {"lessthan", t_compare<CompareOp::kLt>},
    {"<=", t_compare<CompareOp::kLe>},
    {"le", t_compare<CompareOp::kLe>},
};

const TestEntry* find_test(std::string_view name) {
  for (const TestEntry& e : kTests)
    if (name == e.name) return &e;
  return nullptr;
}

}  // namespace

bool test_exists(std::string_view name) { return find_test(name) != nullptr; }

bool call_test(Interpreter& in, const std::string& name, const Value& input, CallArgs& args) {
  const TestEntry* e = find_test(name);
  if (e == nullptr) fail("No test named '" + name + "' found.");
  return e->fn(in, input, args);
}

}  // namespace qwenrt::jinja
