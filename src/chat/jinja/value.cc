#include "chat/jinja/value.h"

#include <algorithm>

#include "chat/jinja/error.h"

namespace qwenrt::jinja {
namespace {

void check_depth(int depth) {
  if (depth > kMaxValueDepth)
    fail_limit("value nested deeper than " + std::to_string(kMaxValueDepth) + " levels");
}

}  // namespace

// Factories. Each payload lives behind ptr_ so copying a Value never copies a string or
// container.
Value Value::undefined(std::string hint) {
  Value v;
  if (!hint.empty()) v.ptr_ = std::make_shared<const std::string>(std::move(hint));
  return v;
}

Value Value::none() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}

Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::integer(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.i_ = i;
  return v;
}

Value Value::number(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.f_ = d;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.ptr_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

namespace {
std::shared_ptr<const List> build_list(std::vector<Value> items, SeqKind kind) {
  auto data = std::make_shared<List>();
  int depth = 0;
  for (const Value& v : items) depth = std::max(depth, v.depth());
  check_depth(depth + 1);
  data->items = std::move(items);
  data->kind = kind;
  data->depth = depth + 1;
  return data;
}
}  // namespace

Value Value::list(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.ptr_ = build_list(std::move(items), SeqKind::kList);
  return v;
}

Value Value::tuple(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.ptr_ = build_list(std::move(items), SeqKind::kTuple);
  return v;
}

Value Value::sequence(std::vector<Value> items, SeqKind kind) {
  Value v;
  v.kind_ = Kind::kList;
  v.ptr_ = build_list(std::move(items), kind);
  return v;
}

Value Value::failed_iterator(std::string error) {
  auto data = std::make_shared<List>();
  data->kind = SeqKind::kIterator;
  data->error = std::move(error);
  Value v;
  v.kind_ = Kind::kList;
  v.ptr_ = std::move(data);
  return v;
}

Value Value::dict(Dict d) {
  Value v;
  v.kind_ = Kind::kDict;
  v.ptr_ = std::make_shared<const Dict>(std::move(d));
  return v;
}

Value Value::ns(std::shared_ptr<Namespace> n) {
  Value v;
  v.kind_ = Kind::kNamespace;
  v.ptr_ = std::move(n);
  return v;
}

Value Value::object(std::shared_ptr<const Object> o) {
  Value v;
  v.kind_ = Kind::kObject;
  v.ptr_ = std::move(o);
  return v;
}

Value Value::callable(std::string name, NativeFn fn) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.ptr_ = std::make_shared<const Callable>(Callable{std::move(name), std::move(fn)});
  return v;
}

SeqKind Value::seq_kind() const { return static_cast<const List*>(ptr_.get())->kind; }

double Value::as_float() const {
  switch (kind_) {
    case Kind::kFloat:
      return f_;
    case Kind::kInt:
      return static_cast<double>(i_);
    case Kind::kBool:
      return b_ ? 1.0 : 0.0;
    default:
      return 0.0;
  }
}

const std::string& Value::str() const { return *static_cast<const std::string*>(ptr_.get()); }

const std::vector<Value>& Value::items() const {
  return static_cast<const List*>(ptr_.get())->items;
}

const List& Value::list_data() const { return *static_cast<const List*>(ptr_.get()); }

const Dict& Value::dict() const { return *static_cast<const Dict*>(ptr_.get()); }

Namespace& Value::ns() const {
  return *const_cast<Namespace*>(static_cast<const Namespace*>(ptr_.get()));
}

const Object& Value::object() const { return *static_cast<const Object*>(ptr_.get()); }

const Callable& Value::callable() const { return *static_cast<const Callable*>(ptr_.get()); }

const std::string& Value::undefined_hint() const {
  static const std::string kEmpty;
  return ptr_ ? *static_cast<const std::string*>(ptr_.get()) : kEmpty;
}

int Value::depth() const {
  if (kind_ == Kind::kList) return static_cast<const List*>(ptr_.get())->depth;
  if (kind_ == Kind::kDict) return static_cast<const Dict*>(ptr_.get())->depth();
  return 0;
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
      return b_;
    case Kind::kInt:
      return i_ != 0;
    case Kind::kFloat:
      return f_ != 0.0;
    case Kind::kString:
      return !str().empty();
    case Kind::kList:
      return is_iterator() || !items().empty();  // a generator is always true
    case Kind::kDict:
      return !dict().empty();
    default:
      return true;
  }
}

const char* Value::type_name() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      switch (seq_kind()) {
        case SeqKind::kList:
          return "list";
        case SeqKind::kTuple:
          return "tuple";
        case SeqKind::kIterator:
          return "generator";
        case SeqKind::kKeys:
          return "dict_keys";
        case SeqKind::kValues:
          return "dict_values";
        case SeqKind::kItems:
          return "dict_items";
      }
      return "list";
    case Kind::kDict:
      return "dict";
    case Kind::kNamespace:
      return "TemplateNamespace";
    case Kind::kObject:
      return object().type_name.c_str();
    case Kind::kCallable:
      return "function";
  }
  return "object";
}

// Dict ------------------------------------------------------------------------------

const Value* Dict::find(std::string_view key) const {
  if (string_index_.empty()) {
    for (const auto& [k, v] : entries_)
      if (k.is_string() && k.str() == key) return &v;
    return nullptr;
  }
  auto it = string_index_.find(std::string(key));
  return it == string_index_.end() ? nullptr : &entries_[it->second].second;
}

const Value* Dict::find(const Value& key) const {
  if (key.is_string()) return find(key.str());
  for (const auto& [k, v] : entries_)
    if (!k.is_string() && values_equal(k, key)) return &v;
  return nullptr;
}

void Dict::set(Value key, Value value) {
  depth_ = std::max(depth_, value.depth() + 1);
  depth_ = std::max(depth_, key.depth() + 1);
  check_depth(depth_);
  if (key.is_string()) {
    if (Value* existing = const_cast<Value*>(find(key.str()))) {
      *existing = std::move(value);
      return;
    }
    if (!string_index_.empty()) {
      string_index_.emplace(key.str(), entries_.size());
    } else if (entries_.size() >= kIndexThreshold) {
      // Large dicts get a hash index; small ones (messages, loop objects) scan.
      for (size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].first.is_string()) string_index_.emplace(entries_[i].first.str(), i);
      string_index_.emplace(key.str(), entries_.size());
    }
    entries_.emplace_back(std::move(key), std::move(value));
    return;
  }
  for (auto& [k, v] : entries_) {
    if (!k.is_string() && values_equal(k, key)) {
      v = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

void Dict::clear() {
  entries_.clear();
  string_index_.clear();
  depth_ = 1;
}

// Equality ---------------------------------------------------------------------------

bool values_equal(const Value& a, const Value& b) {
  using K = Value::Kind;
  if (a.is_number() && b.is_number()) {
    if (a.is_float() || b.is_float()) return a.as_float() == b.as_float();
    return a.as_int() == b.as_int();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case K::kUndefined:
    case K::kNone:
      return true;
    case K::kString:
      return a.str() == b.str();
    case K::kList: {
      if (a.seq_kind() != b.seq_kind()) return false;
      if (a.is_iterator()) return a.identity() == b.identity();
      const auto& x = a.items();
      const auto& y = b.items();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i)
        if (!values_equal(x[i], y[i])) return false;
      return true;
    }
    case K::kDict: {
      const Dict& x = a.dict();
      const Dict& y = b.dict();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries()) {
        const Value* other = y.find(k);
        if (other == nullptr || !values_equal(v, *other)) return false;
      }
      return true;
    }
    default:
      return a.identity() == b.identity();
  }
}

}  // namespace qwenrt::jinja
