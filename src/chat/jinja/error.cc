#include "chat/jinja/error.h"

namespace qwenrt::jinja {
namespace {

std::string describe(ErrorKind kind, int line, int column, const std::string& detail) {
  const char* what = "template error";
  switch (kind) {
    case ErrorKind::kSyntax:
      what = "template syntax error";
      break;
    case ErrorKind::kRuntime:
      what = "template error";
      break;
    case ErrorKind::kRaised:
      what = "template raised an exception";
      break;
    case ErrorKind::kLimit:
      what = "template limit exceeded";
      break;
  }
  return std::string(what) + " at line " + std::to_string(line) + ", column " +
         std::to_string(column) + ": " + detail;
}

}  // namespace

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kSyntax:
      return "syntax";
    case ErrorKind::kRuntime:
      return "runtime";
    case ErrorKind::kRaised:
      return "raised";
    case ErrorKind::kLimit:
      return "limit";
  }
  return "unknown";
}

TemplateError::TemplateError(ErrorKind kind, int line, int column, const std::string& detail)
    : qwenrt::Error(describe(kind, line, column, detail)),
      kind_(kind),
      line_(line),
      column_(column),
      detail_(detail) {}

}  // namespace qwenrt::jinja
