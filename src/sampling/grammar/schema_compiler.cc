// The schema compiler's core: references, composition (allOf, anyOf, oneOf), enum /
// const, and dispatch on type. Objects and arrays are in schema_structures.cc,
// strings and numbers in schema_scalars.cc, allOf merging in schema_merge.cc.
#include "sampling/grammar/schema_compiler.h"

#include <algorithm>
#include <set>

#include "sampling/grammar/json_schema.h"

namespace qwenrt::grammar {

namespace {

// Assertions we cannot enforce with a grammar: rejected, never ignored.
const std::set<std::string>& unsupported_keywords() {
  static const std::set<std::string> k{"not", "if", "then", "else", "patternProperties", "propertyNames",
                                       "contains", "minContains", "maxContains", "multipleOf", "minProperties",
                                       "maxProperties", "dependentRequired", "dependentSchemas", "dependencies",
                                       "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef"};
  return k;
}

// Keywords that constrain values and that this compiler handles.
const std::set<std::string>& assertion_keywords() {
  static const std::set<std::string> k{
      "type", "enum", "const", "properties", "required", "additionalProperties", "items", "prefixItems",
      "additionalItems", "minItems", "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format",
      "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf", "oneOf", "allOf", "$ref"};
  return k;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

Json without(const Json& schema, std::initializer_list<const char*> keys) {
  Json out = schema;
  for (const char* k : keys) out.erase(k);
  return out;
}

}  // namespace

bool has_assertions(const Json& schema, std::initializer_list<const char*> except) {
  if (!schema.is_object()) return !schema.is_boolean() || !schema.get<bool>();
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    if (std::find_if(except.begin(), except.end(), [&](const char* e) { return key == e; }) != except.end()) continue;
    if (assertion_keywords().count(key) || unsupported_keywords().count(key)) return true;
  }
  return false;
}

std::string child_path(const std::string& path, const std::string& key) {
  std::string escaped;
  for (char c : key) {
    if (c == '~') escaped += "~0";
    else if (c == '/') escaped += "~1";
    else escaped += c;
  }
  return path + "/" + escaped;
}

std::string child_path(const std::string& path, size_t index) { return path + "/" + std::to_string(index); }

SchemaCompiler::SchemaCompiler(const Json& root, const JsonSchemaOptions& options)
    : root_(root), options_(options), json_(g_, options_) {}

void SchemaCompiler::fail(const std::string& path, const std::string& what) const {
  throw Error("json schema at " + path + ": " + what);
}

void SchemaCompiler::unsatisfiable(const std::string& path, const std::string& what) const {
  throw Unsatisfiable("json schema at " + path + ": " + what);
}

void SchemaCompiler::count_literal(size_t bytes, const std::string& path) {
  literal_bytes_ += bytes;
  if (literal_bytes_ > options_.max_literal_bytes) {
    fail(path, "enum / const values exceed " + std::to_string(options_.max_literal_bytes) + " bytes in total");
  }
}

const Json& SchemaCompiler::own(Json schema) {
  owned_.push_back(std::move(schema));
  return owned_.back();
}

Grammar SchemaCompiler::compile() {
  g_.set_root(ref_rule("#", "#"));
  while (!pending_refs_.empty()) {
    const auto [ref, rule] = pending_refs_.back();
    pending_refs_.pop_back();
    g_.define(rule, value(resolve(ref, ref), ref, 0));
  }
  return std::move(g_);
}

const Json& SchemaCompiler::resolve(const std::string& ref, const std::string& path) const {
  if (ref == "#") return root_;
  if (ref.rfind("#/", 0) != 0) {
    fail(path, "$ref \"" + ref + "\" is not supported: only JSON pointers into this schema (\"#/...\")");
  }
  const std::string pointer = percent_decode(ref.substr(1));
  const Json* node = &root_;
  size_t start = 1;
  while (start <= pointer.size()) {
    size_t end = pointer.find('/', start);
    if (end == std::string::npos) end = pointer.size();
    std::string token;
    for (size_t i = start; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token += pointer[++i] == '0' ? '~' : '/';
      } else {
        token += pointer[i];
      }
    }
    if (node->is_object() && node->contains(token)) {
      node = &(*node)[token];
    } else if (node->is_array() && !token.empty() && token.size() < 10 &&
               token.find_first_not_of("0123456789") == std::string::npos && std::stoul(token) < node->size()) {
      node = &(*node)[std::stoul(token)];
    } else {
      fail(path, "$ref \"" + ref + "\" points to nothing");
    }
    start = end + 1;
  }
  return *node;
}

RuleId SchemaCompiler::ref_rule(const std::string& ref, const std::string& path) {
  if (auto it = ref_rules_.find(ref); it != ref_rules_.end()) return it->second;
  resolve(ref, path);  // report a dangling reference where it is written
  const RuleId rule = g_.add_rule(ref);
  ref_rules_.emplace(ref, rule);
  pending_refs_.emplace_back(ref, rule);
  return rule;
}

ExprId SchemaCompiler::value(const Json& schema, const std::string& path, int depth) {
  if (++subschemas_ > options_.max_subschemas) {
    fail(path, "schema too complex (more than " + std::to_string(options_.max_subschemas) + " subschemas)");
  }
  if (depth > options_.max_depth) fail(path, "schema nested deeper than " + std::to_string(options_.max_depth));
  if (schema.is_boolean()) {
    if (schema.get<bool>()) return json_.any_value();
    unsatisfiable(path, "schema false allows no value");
  }
  if (!schema.is_object()) fail(path, "a schema must be an object or a boolean");
  for (const auto& [key, v] : schema.items()) {
    if (unsupported_keywords().count(key)) fail(path, "keyword \"" + key + "\" is not supported");
    if (key == "uniqueItems" && !(v.is_boolean() && !v.get<bool>())) {
      fail(path, "keyword \"uniqueItems\" is not supported");
    }
  }

  if (schema.contains("$ref")) {
    const Json& ref = schema["$ref"];
    if (!ref.is_string()) fail(path, "$ref must be a string");
    if (!has_assertions(schema, {"$ref"})) return g_.call(ref_rule(ref.get<std::string>(), path));
    // Siblings of $ref constrain too: inline the target, intersected with them.
    const Json& target = resolve(ref.get<std::string>(), path);
    return value(own(merge(without(schema, {"$ref"}), target, path, depth)), path, depth + 1);
  }
  if (schema.contains("allOf")) {
    const Json& all = schema["allOf"];
    if (!all.is_array() || all.empty()) fail(path, "allOf must be a non-empty list");
    Json merged = without(schema, {"allOf"});
    for (size_t i = 0; i < all.size(); ++i) merged = merge(merged, all[i], child_path(path + "/allOf", i), depth);
    return value(own(std::move(merged)), path, depth + 1);
  }
  if (schema.contains("anyOf") || schema.contains("oneOf")) {
    if (schema.contains("anyOf") && schema.contains("oneOf")) fail(path, "anyOf together with oneOf is not supported");
    const char* key = schema.contains("anyOf") ? "anyOf" : "oneOf";
    const Json& branches = schema[key];
    if (!branches.is_array() || branches.empty()) fail(path, std::string(key) + " must be a non-empty list");
    const Json rest = without(schema, {"anyOf", "oneOf"});
    const bool constrained = has_assertions(rest, {});
    std::vector<ExprId> options;
    std::string last_reason;
    for (size_t i = 0; i < branches.size(); ++i) {
      const std::string branch_path = child_path(path + "/" + key, i);
      try {
        const Json& branch = constrained ? own(merge(rest, branches[i], branch_path, depth)) : branches[i];
        options.push_back(value(branch, branch_path, depth + 1));
      } catch (const Unsatisfiable& e) {
        last_reason = e.what();  // this branch allows nothing: the others may
      }
    }
    if (options.empty()) unsatisfiable(path, "no " + std::string(key) + " branch allows a value (" + last_reason + ")");
    return g_.alt(std::move(options));
  }
  if (schema.contains("const")) return enumeration(Json::array({schema["const"]}), schema, path);
  if (schema.contains("enum")) {
    if (!schema["enum"].is_array()) fail(path, "enum must be a list");
    return enumeration(schema["enum"], schema, path);
  }

  std::vector<std::string> types;
  if (schema.contains("type")) {
    const Json& t = schema["type"];
    if (t.is_string()) {
      types.push_back(t.get<std::string>());
    } else if (t.is_array() && !t.empty()) {
      for (const Json& x : t) {
        if (!x.is_string()) fail(path + "/type", "type list must hold strings");
        types.push_back(x.get<std::string>());
      }
    } else {
      fail(path + "/type", "type must be a string or a non-empty list of strings");
    }
  } else {
    // No type: the value may be anything, each keyword constraining its own kind. We
    // generate the kinds the keywords talk about, or any value if none.
    auto any_of = [&](std::initializer_list<const char*> keys) {
      return std::any_of(keys.begin(), keys.end(), [&](const char* k) { return schema.contains(k); });
    };
    if (any_of({"properties", "required", "additionalProperties"})) types.push_back("object");
    if (any_of({"items", "prefixItems", "additionalItems", "minItems", "maxItems"})) types.push_back("array");
    if (any_of({"minLength", "maxLength", "pattern", "format"})) types.push_back("string");
    if (any_of({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})) types.push_back("number");
    if (types.empty()) return json_.any_value();
  }
  std::vector<ExprId> options;
  std::string last_reason;
  for (const std::string& type : types) {
    try {
      options.push_back(typed_value(schema, type, path, depth));
    } catch (const Unsatisfiable& e) {
      if (types.size() == 1) throw;
      last_reason = e.what();
    }
  }
  if (options.empty()) unsatisfiable(path, "no listed type allows a value (" + last_reason + ")");
  return g_.alt(std::move(options));
}

ExprId SchemaCompiler::typed_value(const Json& schema, const std::string& type, const std::string& path, int depth) {
  if (type == "null") return json_.null();
  if (type == "boolean") return json_.boolean();
  if (type == "string") return string(schema, path);
  if (type == "integer") return number(schema, path, true);
  if (type == "number") return number(schema, path, false);
  if (type == "object") return object(schema, path, depth);
  if (type == "array") return array(schema, path, depth);
  fail(path + "/type", "unknown type \"" + type + "\"");
}

// JSON nesting of the whole document, checked without recursion before anything
// recursive (copies, comparisons, serialization) touches it.
void check_json_depth(const Json& doc, int32_t limit) {
  std::vector<std::pair<const Json*, int32_t>> work{{&doc, 1}};
  while (!work.empty()) {
    const auto [node, depth] = work.back();
    work.pop_back();
    if (depth > limit) throw Error("json schema: JSON nested deeper than " + std::to_string(limit) + " levels");
    if (node->is_structured()) {
      for (const Json& child : *node) work.emplace_back(&child, depth + 1);
    }
  }
}

Grammar json_schema_grammar_from_value(const nlohmann::ordered_json& schema, const JsonSchemaOptions& options) {
  check_json_depth(schema, options.max_json_depth);
  return SchemaCompiler(schema, options).compile();
}

Grammar json_schema_grammar(std::string_view schema_text, const JsonSchemaOptions& options) {
  if (schema_text.size() > options.max_schema_bytes) {
    throw Error("json schema: " + std::to_string(schema_text.size()) + " bytes is more than the limit of " +
                std::to_string(options.max_schema_bytes));
  }
  Json schema;
  try {
    schema = Json::parse(schema_text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("json schema: invalid JSON: ") + e.what());
  }
  return json_schema_grammar_from_value(schema, options);
}

Grammar any_json_object_grammar(const JsonSchemaOptions& options) {
  Grammar g;
  JsonTokens json(g, options);
  const RuleId root = g.add_rule("root");
  g.define(root, json.any_object());
  g.set_root(root);
  return g;
}

std::shared_ptr<const CompiledGrammar> compile_json_schema(std::string_view schema_text,
                                                           std::shared_ptr<const VocabularyIndex> vocab,
                                                           const JsonSchemaOptions& options,
                                                           std::shared_ptr<SharedMaskCache> shared) {
  return CompiledGrammar::compile(json_schema_grammar(schema_text, options), std::move(vocab), std::move(shared));
}

std::shared_ptr<const CompiledGrammar> compile_any_json_object(std::shared_ptr<const VocabularyIndex> vocab,
                                                               const JsonSchemaOptions& options,
                                                               std::shared_ptr<SharedMaskCache> shared) {
  return CompiledGrammar::compile(any_json_object_grammar(options), std::move(vocab), std::move(shared));
}

}  // namespace qwenrt::grammar
