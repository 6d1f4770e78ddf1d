// Methods templates call on values: Python's str methods (startswith, split, strip...),
// dict.get/items/keys/values and list.index/count. Methods that would mutate a list or
// dict are refused, as transformers' ImmutableSandboxedEnvironment refuses them.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

// The method `name` bound to `obj`; nullopt when the type has no such method; an
// Undefined carrying a security message when the method exists but is unsafe.
std::optional<Value> lookup_method(const Value& obj, const std::string& name);

// Python str.split / str.rsplit (sep null: runs of whitespace).
std::vector<std::string> py_split(const std::string& s, const std::string* sep, int64_t maxsplit,
                                  bool from_right);
// Python str.splitlines.
std::vector<std::string> py_splitlines(const std::string& s, bool keepends);
// Python str.replace; fails (kLimit) before the result grows past max_bytes.
std::string py_replace(const std::string& s, const std::string& old, const std::string& repl,
                       int64_t count, size_t max_bytes);

}  // namespace qwenrt::jinja
