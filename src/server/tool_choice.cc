#include "server/tool_choice.h"

#include "sampling/grammar/json_schema.h"
#include "server/api_error.h"

namespace qwenrt::server {
namespace {

void check_tools(const Json& tools) {
  if (!tools.is_array()) throw invalid_request("'tools' must be a list", "tools");
  for (size_t i = 0; i < tools.size(); ++i) {
    const std::string where = "tools[" + std::to_string(i) + "]";
    const Json& tool = tools[i];
    if (!tool.is_object() || string_field(tool, "type") != "function") {
      throw invalid_request(where + " must be {\"type\": \"function\", \"function\": {...}}", where);
    }
    const Json* function = get_field(tool, "function");
    if (!function || !function->is_object()) throw invalid_request(where + ".function must be an object", where);
    const Json* name = get_field(*function, "name");
    if (!name || !name->is_string() || name->get<std::string>().empty()) {
      throw invalid_request(where + ".function.name must be a non-empty string", where);
    }
    const Json* params = get_field(*function, "parameters");
    if (params && !params->is_object() && !params->is_boolean()) {
      throw invalid_request(where + ".function.parameters must be a JSON schema object", where);
    }
  }
}

bool has_tool(const Json& tools, const std::string& name) {
  for (const Json& tool : tools) {
    if (tool["function"]["name"] == name) return true;
  }
  return false;
}

// {"name": NAME, "arguments": PARAMETERS}, keys in the order Hermes writes them.
Json call_schema(const Json& function) {
  Json params = function.contains("parameters") && !function["parameters"].is_null()
                    ? function["parameters"]
                    : Json{{"type", "object"}};
  Json properties = Json::object();
  properties["name"] = Json{{"const", function["name"]}};
  properties["arguments"] = std::move(params);
  Json schema = Json::object();
  schema["type"] = "object";
  schema["properties"] = std::move(properties);
  schema["required"] = Json::array({"name", "arguments"});
  schema["additionalProperties"] = false;
  return schema;
}

}  // namespace

ToolChoice parse_tool_choice(const Json& body) {
  const Json* tools = get_field(body, "tools");
  if (tools) check_tools(*tools);
  const bool have_tools = tools && !tools->empty();
  ToolChoice choice;
  choice.kind = have_tools ? ToolChoice::Kind::kAuto : ToolChoice::Kind::kNone;
  choice.parallel = get_bool(body, "parallel_tool_calls").value_or(true);
  const Json* tc = get_field(body, "tool_choice");
  if (!tc) return choice;
  if (tc->is_string()) {
    const std::string s = tc->get<std::string>();
    if (s == "none") {
      choice.kind = ToolChoice::Kind::kNone;
    } else if (s == "auto" || s == "required") {
      if (!have_tools) throw invalid_request("'tool_choice' \"" + s + "\" needs 'tools'", "tool_choice");
      choice.kind = s == "auto" ? ToolChoice::Kind::kAuto : ToolChoice::Kind::kRequired;
    } else {
      throw invalid_request("'tool_choice' must be \"none\", \"auto\", \"required\" or a named function",
                            "tool_choice");
    }
    return choice;
  }
  const Json* function = tc->is_object() ? get_field(*tc, "function") : nullptr;
  const Json* name = function && function->is_object() ? get_field(*function, "name") : nullptr;
  if (!name || !name->is_string() || string_field(*tc, "type") != "function") {
    throw invalid_request("'tool_choice' object must be {\"type\": \"function\", \"function\": {\"name\": ...}}",
                          "tool_choice");
  }
  choice.kind = ToolChoice::Kind::kNamed;
  choice.name = name->get<std::string>();
  if (!have_tools || !has_tool(*tools, choice.name)) {
    throw invalid_request("'tool_choice' names function '" + choice.name + "', which is not in 'tools'",
                          "tool_choice");
  }
  return choice;
}

grammar::Grammar forced_tool_call_grammar(const Json& tools, const ToolChoice& choice) {
  Json options = Json::array();
  for (const Json& tool : tools) {
    if (choice.kind == ToolChoice::Kind::kNamed && tool["function"]["name"] != choice.name) continue;
    options.push_back(call_schema(tool["function"]));
  }
  const Json schema = options.size() == 1 ? options[0] : Json{{"anyOf", options}};
  grammar::Grammar g;
  try {
    g = grammar::json_schema_grammar_from_value(schema);
  } catch (const Error& e) {
    throw invalid_request(std::string("a tool's parameters cannot be enforced: ") + e.what(), "tools");
  }
  const grammar::RuleId object = g.root();
  const grammar::RuleId call = g.add_rule("tool_call");
  g.define(call, g.seq({g.literal("<tool_call>\n"), g.call(object), g.literal("\n</tool_call>")}));
  const grammar::RuleId calls = g.add_rule("tool_calls");
  if (choice.kind == ToolChoice::Kind::kRequired && choice.parallel) {
    g.define(calls, g.seq({g.call(call), g.star(g.seq({g.literal("\n"), g.call(call)}))}));
  } else {
    g.define(calls, g.call(call));
  }
  g.set_root(calls);
  return g;
}

}  // namespace qwenrt::server
