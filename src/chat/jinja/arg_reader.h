// Binds call arguments to named parameters, Python style, for the engine's built-in
// filters, tests, methods and globals.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "chat/jinja/error.h"
#include "chat/jinja/value.h"

namespace qwenrt::jinja {

class ArgReader {
 public:
  // `names` lists the parameters in positional order. Fails on extra positional
  // arguments, unknown keywords, or a parameter given twice.
  ArgReader(const CallArgs& args, const std::string& fn, std::initializer_list<const char*> names)
      : fn_(fn), names_(names), values_(names.size(), nullptr) {
    if (args.positional.size() > names_.size()) {
      fail(fn + "() takes at most " + std::to_string(names_.size()) + " argument(s) (" +
           std::to_string(args.positional.size()) + " given)");
    }
    for (size_t i = 0; i < args.positional.size(); ++i) values_[i] = &args.positional[i];
    for (const auto& [key, value] : args.keyword) {
      size_t i = 0;
      while (i < names_.size() && key != names_[i]) ++i;
      if (i == names_.size()) fail(fn + "() got an unexpected keyword argument '" + key + "'");
      if (values_[i] != nullptr) fail(fn + "() got multiple values for argument '" + key + "'");
      values_[i] = &value;
    }
  }

  // The argument, or null when it was not given.
  const Value* get(size_t i) const { return values_[i]; }
  bool has(size_t i) const { return values_[i] != nullptr; }
  // The argument or `fallback`.
  Value value_or(size_t i, Value fallback) const { return values_[i] ? *values_[i] : fallback; }
  const Value& required(size_t i) const {
    if (values_[i] == nullptr) fail(fn_ + "() missing required argument '" + names_[i] + "'");
    return *values_[i];
  }
  // Python truthiness of an optional flag.
  bool flag(size_t i, bool fallback) const { return values_[i] ? values_[i]->truthy() : fallback; }
  std::optional<int64_t> int_arg(size_t i) const {
    if (values_[i] == nullptr || values_[i]->is_none()) return std::nullopt;
    if (!values_[i]->is_int() && !values_[i]->is_bool())
      fail(std::string("'") + values_[i]->type_name() +
           "' object cannot be interpreted as an integer");
    return values_[i]->as_int();
  }
  // A string argument, or null when absent/None.
  const std::string* str_arg(size_t i) const {
    if (values_[i] == nullptr || values_[i]->is_none()) return nullptr;
    if (!values_[i]->is_string())
      fail(fn_ + "() argument must be str, not " + values_[i]->type_name());
    return &values_[i]->str();
  }

 private:
  std::string fn_;
  std::vector<const char*> names_;
  std::vector<const Value*> values_;
};

}  // namespace qwenrt::jinja
