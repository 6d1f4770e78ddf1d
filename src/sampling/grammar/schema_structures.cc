// Objects and arrays. Each gets its own rule, so the expressions around it stay small
// and a schema used many times (via $ref) is compiled once.
#include <algorithm>
#include <functional>
#include <map>

#include "sampling/grammar/schema_compiler.h"

namespace qwenrt::grammar {

namespace {

// Longest property name we exclude from extra keys character by character.
constexpr size_t kMaxExcludedNameLength = 1024;

// Keys (raw string content, no escapes) that differ from every name in `names`: a
// trie of the names, where each node either ends (if no name ends there), follows a
// child, or takes any other character and then anything.
class KeyExcluder {
 public:
  KeyExcluder(SchemaCompiler& c, const std::vector<std::string>& names, const std::string& path) : c_(c) {
    nodes_.emplace_back();
    const CodepointSet raw = JsonTokens::raw_string_codepoints();
    for (const std::string& name : names) {
      std::vector<uint32_t> cps;
      for (size_t i = 0; i < name.size();) cps.push_back(next_codepoint(name, i));
      // A name with characters that need escaping can never equal an unescaped key.
      if (std::any_of(cps.begin(), cps.end(), [&](uint32_t cp) { return !raw.contains(cp); })) continue;
      if (cps.size() > kMaxExcludedNameLength) {
        c.fail(path, "property name longer than " + std::to_string(kMaxExcludedNameLength) + " characters");
      }
      size_t node = 0;
      for (uint32_t cp : cps) {
        auto it = nodes_[node].children.find(cp);
        if (it == nodes_[node].children.end()) {
          nodes_.emplace_back();
          it = nodes_[node].children.emplace(cp, nodes_.size() - 1).first;
        }
        node = it->second;
      }
      nodes_[node].terminal = true;
    }
  }

  ExprId build() {
    any_ = c_.g().star(c_.json().raw_chars(JsonTokens::raw_string_codepoints()));
    return node_expr(0);
  }

 private:
  struct Node {
    std::map<uint32_t, size_t> children;
    bool terminal = false;
  };

  ExprId node_expr(size_t v) {
    Grammar& g = c_.g();
    std::vector<ExprId> options;
    if (!nodes_[v].terminal) options.push_back(g.empty());
    CodepointSet followed;
    for (const auto& [cp, child] : nodes_[v].children) {
      followed.add(cp);
      options.push_back(g.seq({c_.json().raw_chars(CodepointSet::range(cp, cp)), node_expr(child)}));
    }
    const CodepointSet others = JsonTokens::raw_string_codepoints().minus(followed);
    options.push_back(g.seq({c_.json().raw_chars(others), any_}));
    return g.alt(std::move(options));
  }

  SchemaCompiler& c_;
  std::vector<Node> nodes_;
  ExprId any_ = -1;
};

int64_t count_keyword(SchemaCompiler& c, const Json& schema, const char* key, const std::string& path) {
  if (!schema.contains(key)) return -1;
  const Json& v = schema[key];
  if (!v.is_number() || v.get<double>() < 0 || v.get<double>() != static_cast<double>(static_cast<int64_t>(v.get<double>()))) {
    c.fail(path + "/" + key, std::string(key) + " must be a non-negative integer");
  }
  return static_cast<int64_t>(v.get<double>());
}

}  // namespace

ExprId SchemaCompiler::object(const Json& schema, const std::string& path, int depth) {
  static const Json kEmpty = Json::object();
  static const Json kTrue = true;
  const Json& props = schema.contains("properties") ? schema["properties"] : kEmpty;
  if (!props.is_object()) fail(path + "/properties", "properties must be an object");
  std::vector<std::string> required;
  if (schema.contains("required")) {
    const Json& r = schema["required"];
    if (!r.is_array()) fail(path + "/required", "required must be a list of strings");
    for (const Json& name : r) {
      if (!name.is_string()) fail(path + "/required", "required must be a list of strings");
      if (std::find(required.begin(), required.end(), name.get<std::string>()) == required.end()) {
        required.push_back(name.get<std::string>());
      }
    }
  }
  const Json* extra = schema.contains("additionalProperties") ? &schema["additionalProperties"] : nullptr;
  if (extra && !extra->is_boolean() && !extra->is_object()) {
    fail(path + "/additionalProperties", "additionalProperties must be a schema");
  }
  const bool extra_false = extra && extra->is_boolean() && !extra->get<bool>();
  // Nothing declared and nothing forbidden: any object.
  if (props.empty() && required.empty() && !extra_false && (!extra || extra->is_boolean())) return json_.any_object();

  struct Member {
    std::string name;
    const Json* schema;
    std::string path;
    bool required;
  };
  std::vector<Member> members;
  for (const auto& [name, s] : props.items()) {
    const bool req = std::find(required.begin(), required.end(), name) != required.end();
    members.push_back({name, &s, child_path(path + "/properties", name), req});
  }
  for (const std::string& name : required) {
    if (props.contains(name)) continue;
    if (extra_false) {
      unsatisfiable(path, "required property \"" + name + "\" is not in properties and additionalProperties is false");
    }
    members.push_back({name, extra ? extra : &kTrue, path + "/required", true});
  }
  // Extra keys only when the schema asks for them (see json_schema.h).
  const bool allow_extra = extra && !extra_false;

  const RuleId rule = g_.add_rule(path);
  std::vector<ExprId> member_exprs;
  for (size_t i = 0; i < members.size();) {
    const Member& m = members[i];
    count_literal(m.name.size(), m.path);
    ExprId v = -1;
    try {
      v = value(*m.schema, m.path, depth + 1);
    } catch (const Unsatisfiable&) {
      // No value fits (e.g. the schema false): an optional property is just left out.
      if (m.required) throw;
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    member_exprs.push_back(g_.seq({json_.literal_json(Json(m.name)), json_.colon(), v}));
    ++i;
  }
  ExprId extra_tail = g_.empty();
  ExprId extra_member = -1;
  if (allow_extra) {
    std::vector<std::string> names;
    for (const Member& m : members) names.push_back(m.name);
    const ExprId key = json_.quoted(KeyExcluder(*this, names, path).build());
    const ExprId extra_value = extra->is_object() ? value(*extra, path + "/additionalProperties", depth + 1) : json_.any_value();
    extra_member = g_.seq({key, json_.colon(), extra_value});
    extra_tail = g_.star(g_.seq({json_.comma(), extra_member}));
  }
  // tail[j]: members j.. after at least one member was written (each with its comma);
  // first[j]: the first member written is j or later. With many members the tails are
  // rules, so the alternatives of first[] share them instead of copying.
  const size_t n = members.size();
  const bool tail_rules = n > 6;
  std::vector<ExprId> tail(n + 1);
  tail[n] = extra_tail;
  for (size_t j = n; j-- > 0;) {
    const ExprId item = g_.seq({json_.comma(), member_exprs[j]});
    ExprId t = g_.seq({members[j].required ? item : g_.optional(item), tail[j + 1]});
    if (tail_rules) {
      const RuleId r = g_.add_rule(path + "#tail" + std::to_string(j));
      g_.define(r, t);
      t = g_.call(r);
    }
    tail[j] = t;
  }
  ExprId first = allow_extra ? g_.seq({extra_member, extra_tail}) : g_.alt({});
  bool any_required = false;
  for (size_t j = n; j-- > 0;) {
    const ExprId starting_here = g_.seq({member_exprs[j], tail[j + 1]});
    first = members[j].required ? starting_here : g_.alt({starting_here, first});
    any_required |= members[j].required;
  }
  const ExprId body = any_required ? first : g_.optional(first);
  g_.define(rule, g_.seq({json_.open_object(), body, json_.close_object()}));
  return g_.call(rule);
}

ExprId SchemaCompiler::array(const Json& schema, const std::string& path, int depth) {
  static const Json kTrue = true;
  std::vector<const Json*> prefix;
  const Json* rest = nullptr;  // schema of items after the prefix; nullptr: none
  std::string rest_path = path + "/items";
  const Json* items = schema.contains("items") ? &schema["items"] : nullptr;
  if (items && items->is_array()) {  // draft 4-7 tuple form
    for (const Json& s : *items) prefix.push_back(&s);
    if (schema.contains("additionalItems")) rest = &schema["additionalItems"], rest_path = path + "/additionalItems";
  } else {
    if (schema.contains("prefixItems")) {
      const Json& p = schema["prefixItems"];
      if (!p.is_array()) fail(path + "/prefixItems", "prefixItems must be a list");
      for (const Json& s : p) prefix.push_back(&s);
    }
    if (items) rest = items;
    // No items keyword: further items may be anything. We add none (a subset) unless
    // minItems asks for more than the prefix holds.
    else if (prefix.empty() || count_keyword(*this, schema, "minItems", path) > static_cast<int64_t>(prefix.size())) rest = &kTrue;
  }
  if (rest && rest->is_boolean() && !rest->get<bool>()) rest = nullptr;
  int64_t lo = std::max<int64_t>(0, count_keyword(*this, schema, "minItems", path));
  int64_t hi = count_keyword(*this, schema, "maxItems", path);
  const auto k = static_cast<int64_t>(prefix.size());
  if (!rest) hi = hi < 0 ? k : std::min(hi, k);
  if (hi >= 0 && lo > hi) unsatisfiable(path, "minItems is larger than the number of items allowed");
  if (lo > options_.max_repeat || k > options_.max_repeat) {
    fail(path, "more than " + std::to_string(options_.max_repeat) + " required or prefix items");
  }
  if (hi > options_.max_repeat) hi = options_.max_repeat;  // a subset: see JsonSchemaOptions

  const RuleId rule = g_.add_rule(path);
  std::vector<ExprId> element;
  for (int64_t i = 0; i < k && (hi < 0 || i < hi); ++i) {
    element.push_back(value(*prefix[static_cast<size_t>(i)], child_path(path + "/prefixItems", static_cast<size_t>(i)), depth + 1));
  }
  ExprId item = -1;
  if (rest && (hi < 0 || hi > k)) {
    // Its own rule: repetitions then copy a call, not the whole item expression.
    const RuleId item_rule = g_.add_rule(rest_path);
    g_.define(item_rule, value(*rest, rest_path, depth + 1));
    item = g_.call(item_rule);
  }
  auto element_at = [&](int64_t i) { return i < k ? element[static_cast<size_t>(i)] : item; };
  // After element i-1: elements i.. each preceded by a comma.
  std::function<ExprId(int64_t)> tail = [&](int64_t i) -> ExprId {
    if (hi >= 0 && i >= hi) return g_.empty();
    const ExprId next = g_.seq({json_.comma(), element_at(i)});
    if (i >= k) {
      const int64_t mandatory = std::max<int64_t>(0, lo - i);
      const ExprId optional_part = hi < 0 ? g_.star(next)
                                          : g_.repeat(next, 0, static_cast<int32_t>(hi - std::max(i, lo)));
      return g_.seq({g_.repeat(next, static_cast<int32_t>(mandatory), static_cast<int32_t>(mandatory)), optional_part});
    }
    const ExprId rest_expr = g_.seq({next, tail(i + 1)});
    return i < lo ? rest_expr : g_.optional(rest_expr);
  };
  ExprId body = g_.empty();
  if (hi != 0) {
    const ExprId list = g_.seq({element_at(0), tail(1)});
    body = lo == 0 ? g_.optional(list) : list;
  }
  g_.define(rule, g_.seq({json_.open_array(), body, json_.close_array()}));
  return g_.call(rule);
}

}  // namespace qwenrt::grammar
