// allOf as one schema: the intersection of two schemas, keyword by keyword, for the
// combinations that have a simple intersection. Anything else fails with the keyword
// named, rather than generating values one of the schemas forbids.
#include <algorithm>

#include "sampling/grammar/schema_compiler.h"

namespace qwenrt::grammar {

namespace {

std::vector<std::string> type_list(const Json& t) {
  std::vector<std::string> out;
  if (t.is_string()) out.push_back(t.get<std::string>());
  if (t.is_array()) {
    for (const Json& x : t) {
      if (x.is_string()) out.push_back(x.get<std::string>());
    }
  }
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Json all_of(const Json& a, const Json& b) {
  if (a == b) return a;
  return Json{{"allOf", Json::array({a, b})}};
}

bool is_false(const Json& s) { return s.is_boolean() && !s.get<bool>(); }

}  // namespace

Json SchemaCompiler::merge(const Json& a_in, const Json& b_in, const std::string& path, int depth) {
  if (depth > options_.max_depth) fail(path, "allOf / $ref nested deeper than " + std::to_string(options_.max_depth));
  if (++subschemas_ > options_.max_subschemas) fail(path, "schema too complex");
  // Each side as a plain object schema: booleans, $ref and nested allOf resolved.
  auto normalize = [&](const Json& x) -> Json {
    if (x.is_boolean()) {
      if (!x.get<bool>()) unsatisfiable(path, "allOf contains false");
      return Json::object();
    }
    if (!x.is_object()) fail(path, "a schema must be an object or a boolean");
    Json s = x;
    if (s.contains("$ref")) {
      if (!s["$ref"].is_string()) fail(path, "$ref must be a string");
      const Json& target = resolve(s["$ref"].get<std::string>(), path);
      s.erase("$ref");
      s = merge(s, target, path, depth + 1);
    }
    if (s.contains("allOf")) {
      const Json all = s["allOf"];
      if (!all.is_array()) fail(path, "allOf must be a list");
      s.erase("allOf");
      for (const Json& part : all) s = merge(s, part, path, depth + 1);
    }
    return s;
  };
  const Json a = normalize(a_in);
  const Json b = normalize(b_in);
  Json out = a;
  for (const auto& [key, vb] : b.items()) {
    if (key == "properties" || key == "additionalProperties") continue;  // below
    if (!out.contains(key)) {
      out[key] = vb;
      continue;
    }
    const Json va = out[key];
    if (va == vb) continue;
    if (key == "type") {
      const auto ta = type_list(va), tb = type_list(vb);
      Json both = Json::array();
      for (const std::string& t : ta) {
        if (contains(tb, t) || (t == "integer" && contains(tb, "number"))) both.push_back(t);
        else if (t == "number" && contains(tb, "integer")) both.push_back("integer");
      }
      if (both.empty()) unsatisfiable(path, "allOf requires types " + va.dump() + " and " + vb.dump() + " at once");
      out[key] = both.size() == 1 ? both[0] : both;
    } else if (key == "required") {
      if (!va.is_array() || !vb.is_array()) fail(path, "required must be a list");
      Json r = va;
      for (const Json& name : vb) {
        if (std::find(r.begin(), r.end(), name) == r.end()) r.push_back(name);
      }
      out[key] = r;
    } else if (key == "minLength" || key == "minItems" || key == "minimum" ||
               (key == "exclusiveMinimum" && va.is_number() && vb.is_number())) {
      if (!va.is_number() || !vb.is_number()) fail(path, key + " must be a number");
      out[key] = va.get<double>() >= vb.get<double>() ? va : vb;
    } else if (key == "maxLength" || key == "maxItems" || key == "maximum" ||
               (key == "exclusiveMaximum" && va.is_number() && vb.is_number())) {
      if (!va.is_number() || !vb.is_number()) fail(path, key + " must be a number");
      out[key] = va.get<double>() <= vb.get<double>() ? va : vb;
    } else if (key == "items" && !va.is_array() && !vb.is_array()) {
      out[key] = is_false(va) || is_false(vb) ? Json(false) : all_of(va, vb);
    } else if (key == "enum") {
      if (!va.is_array() || !vb.is_array()) fail(path, "enum must be a list");
      Json both = Json::array();
      for (const Json& v : va) {
        if (std::find(vb.begin(), vb.end(), v) != vb.end()) both.push_back(v);
      }
      if (both.empty()) unsatisfiable(path, "allOf enums have no value in common");
      out[key] = both;
    } else if (key == "const") {
      unsatisfiable(path, "allOf requires two different const values");
    } else {
      fail(path, "cannot combine two different \"" + key + "\" in allOf");
    }
  }

  // Properties: under each side, a key it does not declare falls under its
  // additionalProperties; false there forbids the key.
  const bool objects = a.contains("properties") || b.contains("properties") || a.contains("additionalProperties") ||
                       b.contains("additionalProperties");
  if (objects) {
    const Json empty = Json::object();
    const Json& pa = a.contains("properties") ? a["properties"] : empty;
    const Json& pb = b.contains("properties") ? b["properties"] : empty;
    if (!pa.is_object() || !pb.is_object()) fail(path, "properties must be an object");
    const Json* ada = a.contains("additionalProperties") ? &a["additionalProperties"] : nullptr;
    const Json* adb = b.contains("additionalProperties") ? &b["additionalProperties"] : nullptr;
    Json required = out.contains("required") ? out["required"] : Json::array();
    Json props = Json::object();
    std::vector<std::string> names;
    for (const auto& [k, unused] : pa.items()) names.push_back(k);
    for (const auto& [k, unused] : pb.items()) {
      if (!pa.contains(k)) names.push_back(k);
    }
    for (const std::string& name : names) {
      const Json* sa = pa.contains(name) ? &pa[name] : ada;
      const Json* sb = pb.contains(name) ? &pb[name] : adb;
      if ((sa && is_false(*sa)) || (sb && is_false(*sb))) {
        if (std::find(required.begin(), required.end(), name) != required.end()) {
          unsatisfiable(path, "allOf requires property \"" + name + "\" that additionalProperties: false forbids");
        }
        continue;
      }
      props[name] = sa && sb ? all_of(*sa, *sb) : sa ? *sa : *sb;
    }
    out.erase("properties");
    if (!props.empty() || a.contains("properties") || b.contains("properties")) out["properties"] = props;
    out.erase("additionalProperties");
    if (ada && adb) {
      out["additionalProperties"] = is_false(*ada) || is_false(*adb) ? Json(false) : all_of(*ada, *adb);
    } else if (ada || adb) {
      out["additionalProperties"] = ada ? *ada : *adb;
    }
  }
  return out;
}

}  // namespace qwenrt::grammar
