// Internal to json_schema.cc and the schema_*.cc files: the compiler's state and the
// pieces each file implements.
#pragma once
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "sampling/grammar/grammar.h"
#include "sampling/grammar/json_schema_options.h"
#include "sampling/grammar/json_tokens.h"

namespace qwenrt::grammar {

using Json = nlohmann::ordered_json;

class SchemaCompiler {
 public:
  SchemaCompiler(const Json& root, const JsonSchemaOptions& options);
  // Compiles the whole document; its root rule is the root schema.
  Grammar compile();

  // --- schema_compiler.cc
  [[noreturn]] void fail(const std::string& path, const std::string& what) const;
  [[noreturn]] void unsatisfiable(const std::string& path, const std::string& what) const;
  // Values valid under `schema`.
  ExprId value(const Json& schema, const std::string& path, int depth);
  // The rule for the schema a "$ref" names (compiled later, from a queue, so chains of
  // references never deepen the C++ stack).
  RuleId ref_rule(const std::string& ref, const std::string& path);
  const Json& resolve(const std::string& ref, const std::string& path) const;
  // Keeps a derived schema alive for the rest of the compilation.
  const Json& own(Json schema);

  // --- schema_merge.cc
  // The intersection of two schemas as one schema (allOf, $ref with siblings, anyOf
  // with siblings), or fail() when it is not simple enough.
  Json merge(const Json& a, const Json& b, const std::string& path, int depth);

  // --- schema_structures.cc
  ExprId object(const Json& schema, const std::string& path, int depth);
  ExprId array(const Json& schema, const std::string& path, int depth);

  // --- schema_scalars.cc
  ExprId string(const Json& schema, const std::string& path);
  ExprId number(const Json& schema, const std::string& path, bool integer);
  // enum / const: the listed values allowed by the sibling keywords.
  ExprId enumeration(const Json& values, const Json& schema, const std::string& path);

  Grammar& g() { return g_; }
  JsonTokens& json() { return json_; }
  const JsonSchemaOptions& options() const { return options_; }

 private:
  ExprId typed_value(const Json& schema, const std::string& type, const std::string& path, int depth);

  const Json& root_;
  JsonSchemaOptions options_;
  Grammar g_;
  JsonTokens json_;
  std::map<std::string, RuleId> ref_rules_;
  std::vector<std::pair<std::string, RuleId>> pending_refs_;
  std::deque<Json> owned_;
  size_t subschemas_ = 0;
  size_t literal_bytes_ = 0;

 public:
  // Counts serialized enum / const bytes against options().max_literal_bytes.
  void count_literal(size_t bytes, const std::string& path);
};

// A schema no value satisfies (conflicting allOf, empty enum, minimum > maximum). An
// anyOf drops such a branch; anywhere else it is the error reported.
class Unsatisfiable : public Error {
 public:
  using Error::Error;
};

// True when `schema` (an object) has a keyword that constrains values, other than
// those in `except`. Annotations and unknown keywords do not count.
bool has_assertions(const Json& schema, std::initializer_list<const char*> except);
// "#/a/b" + "c" with JSON-pointer escaping.
std::string child_path(const std::string& path, const std::string& key);
std::string child_path(const std::string& path, size_t index);

}  // namespace qwenrt::grammar
