// Errors raised by the Jinja engine. Every error that leaves the engine is a
// TemplateError naming the line and column of the template where it happened.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"

namespace qwenrt::jinja {

enum class ErrorKind {
  kSyntax,   // the template does not parse
  kRuntime,  // a type error, an undefined value used, a bad argument...
  kRaised,   // the template called raise_exception(message)
  kLimit,    // a safety limit was hit (steps, output size, recursion, loop iterations)
};

const char* error_kind_name(ErrorKind kind);

class TemplateError : public qwenrt::Error {
 public:
  TemplateError(ErrorKind kind, int line, int column, const std::string& detail);
  ErrorKind kind() const { return kind_; }
  int line() const { return line_; }
  int column() const { return column_; }
  // The message without the location prefix (for raise_exception: the template's own text).
  const std::string& detail() const { return detail_; }

 private:
  ErrorKind kind_;
  int line_;
  int column_;
  std::string detail_;
};

// Thrown inside the engine. `offset` is a byte offset into the template source when the
// thrower knows it; otherwise the interpreter fills in the node it was evaluating.
struct Failure {
  ErrorKind kind;
  std::string message;
  std::optional<uint32_t> offset;
};

[[noreturn]] inline void fail(const std::string& message) {
  throw Failure{ErrorKind::kRuntime, message, std::nullopt};
}
[[noreturn]] inline void fail_limit(const std::string& message) {
  throw Failure{ErrorKind::kLimit, message, std::nullopt};
}

}  // namespace qwenrt::jinja
