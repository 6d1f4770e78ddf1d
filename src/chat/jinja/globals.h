// Global functions every chat template can call: jinja2's range, dict, namespace,
// joiner, plus the two transformers adds, raise_exception and strftime_now.
#pragma once
#include <optional>
#include <string>

#include "chat/jinja/value.h"

namespace qwenrt::jinja {

// Sandboxed jinja2 refuses ranges longer than this (MAX_RANGE).
inline constexpr int64_t kMaxRange = 100000;

std::optional<Value> lookup_global(const std::string& name);

}  // namespace qwenrt::jinja
