// The dynamic value templates compute with. It mirrors the Python objects a Jinja
// template sees under transformers: None, bool, int, float, str, list, tuple, dict
// (insertion ordered), callables (macros, methods, globals), namespace() objects, and
// Jinja's Undefined. Lists, dicts and strings are immutable and shared, as in the
// ImmutableSandboxedEnvironment transformers renders with; only namespaces mutate.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qwenrt::jinja {

class Value;
class Interpreter;
struct CallArgs;

using NativeFn = std::function<Value(Interpreter&, CallArgs&)>;

// Deepest list/dict nesting a value may have: keeps recursive printing, comparison
// and destruction of values within a bounded stack.
inline constexpr int kMaxValueDepth = 200;

// What a list value stands for in Python. Besides lists and tuples, jinja2 filters such
// as map/select/unique return generators (always truthy, no len(), not subscriptable,
// JSON-unserializable) and dict.keys()/values()/items() return views; templates can tell
// the difference, so the engine keeps it.
enum class SeqKind : uint8_t { kList, kTuple, kIterator, kKeys, kValues, kItems };

class Value {
 public:
  enum class Kind : uint8_t {
    kUndefined,
    kNone,
    kBool,
    kInt,
    kFloat,
    kString,
    kList,
    kDict,
    kNamespace,
    kObject,
    kCallable,
  };

  Value() = default;  // undefined, with no explanation
  static Value undefined(std::string hint);
  static Value none();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value number(double d);
  static Value string(std::string s);
  static Value list(std::vector<Value> items);
  static Value tuple(std::vector<Value> items);
  static Value sequence(std::vector<Value> items, SeqKind kind);
  // A generator whose evaluation failed: jinja2 only raises when it is iterated.
  static Value failed_iterator(std::string error);
  static Value dict(class Dict d);
  static Value ns(std::shared_ptr<struct Namespace> n);
  static Value object(std::shared_ptr<const struct Object> o);
  static Value callable(std::string name, NativeFn fn);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::kUndefined; }
  bool is_none() const { return kind_ == Kind::kNone; }
  bool is_bool() const { return kind_ == Kind::kBool; }
  bool is_int() const { return kind_ == Kind::kInt; }
  bool is_float() const { return kind_ == Kind::kFloat; }
  // Python numbers: bool is an int subclass.
  bool is_number() const {
    return kind_ == Kind::kInt || kind_ == Kind::kFloat || kind_ == Kind::kBool;
  }
  bool is_string() const { return kind_ == Kind::kString; }
  bool is_list() const { return kind_ == Kind::kList; }  // any SeqKind
  SeqKind seq_kind() const;
  bool is_tuple() const { return is_list() && seq_kind() == SeqKind::kTuple; }
  // A real list or tuple: indexable, sliceable, has a length, serializable.
  bool is_plain_list() const {
    return is_list() && (seq_kind() == SeqKind::kList || seq_kind() == SeqKind::kTuple);
  }
  bool is_iterator() const { return is_list() && seq_kind() == SeqKind::kIterator; }
  bool is_dict() const { return kind_ == Kind::kDict; }
  bool is_namespace() const { return kind_ == Kind::kNamespace; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_callable() const { return kind_ == Kind::kCallable; }

  bool as_bool() const { return b_; }
  int64_t as_int() const { return kind_ == Kind::kBool ? (b_ ? 1 : 0) : i_; }
  double as_float() const;  // any number
  const std::string& str() const;
  const std::vector<Value>& items() const;
  const struct List& list_data() const;
  const class Dict& dict() const;
  struct Namespace& ns() const;
  const struct Object& object() const;
  const struct Callable& callable() const;
  const std::string& undefined_hint() const;
  const void* identity() const { return ptr_.get(); }

  // Nesting depth of lists/dicts (0 for scalars).
  int depth() const;
  // Python truthiness.
  bool truthy() const;
  // The Python type name used in error messages ('str', 'NoneType', ...).
  const char* type_name() const;

 private:
  Kind kind_ = Kind::kUndefined;
  union {
    bool b_;
    int64_t i_ = 0;
    double f_;
  };
  std::shared_ptr<const void> ptr_;
};

struct List {
  std::vector<Value> items;
  SeqKind kind = SeqKind::kList;
  int depth = 1;
  std::string error;  // for a failed iterator
};

// A dict that keeps insertion order. Keys compare like Python keys (1 == 1.0 == True).
class Dict {
 public:
  const Value* find(const Value& key) const;
  const Value* find(std::string_view key) const;
  // Inserts, or overwrites in place when the key exists (the position is kept).
  void set(Value key, Value value);
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  int depth() const { return depth_; }
  void clear();

 private:
  static constexpr size_t kIndexThreshold = 16;
  std::vector<std::pair<Value, Value>> entries_;
  std::unordered_map<std::string, size_t> string_index_;  // built past kIndexThreshold entries
  int depth_ = 1;
};

// jinja2 namespace(): the one mutable object, shared by reference.
struct Namespace {
  Dict attrs;
};

// A read-only bag of attributes that is not a mapping to templates (the loop object).
struct Object {
  std::string type_name;
  Dict attrs;
  std::string repr;
  NativeFn call;  // set when the object itself is callable (a recursive loop)
};

struct Callable {
  std::string name;
  NativeFn fn;
};

// Arguments of a call: positional then keyword, as written.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

// Python equality (deep for containers, identity for namespaces and callables).
bool values_equal(const Value& a, const Value& b);

}  // namespace qwenrt::jinja
