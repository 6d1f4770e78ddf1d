// Python semantics of operators, attribute/item access and iteration, as jinja2's
// sandboxed environment applies them. Error messages copy CPython's wording.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "chat/jinja/ast.h"
#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class Interpreter;

// Fails with the undefined value's own message (jinja2's UndefinedError).
[[noreturn]] void fail_undefined(const Value& undefined);

Value binary_op(BinaryOp op, const Value& a, const Value& b, Interpreter& in);
Value negate(const Value& v);
Value unary_plus(const Value& v);
bool compare(CompareOp op, const Value& a, const Value& b);
// Python `a < b`; fails for unorderable types.
bool less_than(const Value& a, const Value& b);
// Python `item in container`.
bool contains(const Value& container, const Value& item);

// obj.name: methods first, then keys/attributes; a missing one is Undefined.
Value get_attr(const Value& obj, const std::string& name);
// obj[key]: keys/indexes first, then attributes for string keys.
Value get_item(const Value& obj, const Value& key);
// obj[start:stop:step]; absent parts are Undefined or None.
Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step);

// Items of an iterable as Python iterates them (a dict yields keys, a str its characters,
// Undefined nothing). Fails for non-iterables.
std::vector<Value> iterate(const Value& v);

// The deferred error of a failed generator (empty when it has none).
const std::string& iterator_error(const Value& v);

// Python int(x) conversions used by filters and range(): an int, or nullopt.
std::optional<int64_t> to_index(const Value& v);

}  // namespace qwenrt::jinja
