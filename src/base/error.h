// Errors that cross a boundary (file, request, template) carry their context.
#pragma once
#include <stdexcept>
#include <string>

namespace qwenrt {

// A user-facing error: bad file, bad request, unsupported model. The message names
// what was wrong and where (file, tensor, byte offset, JSON path).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws Error with `message` unless `condition` holds.
inline void check(bool condition, const std::string& message) {
  if (!condition) throw Error(message);
}

}  // namespace qwenrt
