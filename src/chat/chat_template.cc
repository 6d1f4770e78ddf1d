#include "chat/chat_template.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"

namespace qwenrt {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// The named special tokens transformers exposes to templates (special_tokens_map).
constexpr const char* kSpecialTokenNames[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                              "pad_token", "cls_token", "mask_token"};

// Names apply_chat_template passes itself; a kwarg with one of them is a Python TypeError.
constexpr const char* kReservedNames[] = {"messages", "tools", "documents",
                                          "add_generation_prompt"};

// Message fields holding a message's reasoning; the first is what templates read.
constexpr const char* kReasoningFields[] = {"reasoning_content", "thinking", "reasoning"};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json parse_json(std::string_view text, std::string_view origin) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw Error(std::string(origin) + ": invalid JSON at byte " + std::to_string(e.byte) + ": " +
                e.what());
  }
}

// tokenizer_config.json stores a special token as a string or an AddedToken object.
json special_tokens_from_config(const json& config) {
  json tokens = json::object();
  if (!config.is_object()) return tokens;
  for (const char* name : kSpecialTokenNames) {
    auto it = config.find(name);
    if (it == config.end() || it->is_null()) continue;
    if (it->is_string())
      tokens[name] = *it;
    else if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
      tokens[name] = (*it)["content"];
  }
  return tokens;
}

// The "chat_template" field: a string, or a list of {"name", "template"}.
std::vector<std::pair<std::string, std::string>> templates_from_config(const json& config,
                                                                       std::string_view origin) {
  std::vector<std::pair<std::string, std::string>> out;
  if (!config.is_object() || !config.contains("chat_template") || config["chat_template"].is_null())
    return out;
  const json& field = config["chat_template"];
  if (field.is_string()) {
    out.emplace_back("default", field.get<std::string>());
    return out;
  }
  check(field.is_array(), std::string(origin) + ": \"chat_template\" must be a string or a list");
  for (size_t i = 0; i < field.size(); ++i) {
    const json& t = field[i];
    const std::string where = std::string(origin) + ": chat_template[" + std::to_string(i) + "]";
    check(t.is_object() && t.contains("name") && t["name"].is_string() && t.contains("template") &&
              t["template"].is_string(),
          where + " must be an object with string \"name\" and \"template\"");
    out.emplace_back(t["name"].get<std::string>(), t["template"].get<std::string>());
  }
  return out;
}

// apply_chat_template's input normalisation, see the header.
json prepare_messages(const json& messages) {
  check(messages.is_array(), "messages must be a JSON array");
  check(!messages.empty(),
        "Cannot apply chat template to an empty conversation. Provide at least one message.");
  json out = json::array();
  for (size_t i = 0; i < messages.size(); ++i) {
    const json& m = messages[i];
    check(m.is_object(), "messages[" + std::to_string(i) + "] must be an object");
    json kept = json::object();
    for (const auto& [k, v] : m.items())
      if (!v.is_null()) kept[k] = v;
    const json* reasoning = nullptr;
    for (const char* field : kReasoningFields) {
      if (kept.contains(field)) {
        reasoning = &kept[field];
        break;
      }
    }
    if (reasoning == nullptr) {
      out.push_back(std::move(kept));
      continue;
    }
    // {"thinking": r, **message, "reasoning_content": r}
    json aliased = json::object();
    aliased["thinking"] = *reasoning;
    for (const auto& [k, v] : kept.items()) aliased[k] = v;
    aliased["reasoning_content"] = *reasoning;
    out.push_back(std::move(aliased));
  }
  return out;
}

}  // namespace

ChatTemplate::ChatTemplate(std::vector<std::pair<std::string, std::string>> templates,
                           json special_tokens, const jinja::Limits& limits)
    : special_tokens_(special_tokens.is_object() ? std::move(special_tokens) : json::object()) {
  check(!templates.empty(), "no chat template given");
  for (auto& [name, source] : templates) {
    try {
      auto compiled = std::make_shared<const jinja::Template>(source, limits);
      templates_.push_back(Named{name, std::move(source), std::move(compiled)});
    } catch (const jinja::TemplateError& e) {
      throw Error("chat template '" + name + "': " + e.what());
    }
  }
}

ChatTemplate ChatTemplate::from_config_json(std::string_view json_text, std::string_view origin,
                                            const jinja::Limits& limits) {
  const json config = parse_json(json_text, origin);
  auto templates = templates_from_config(config, origin);
  check(!templates.empty(), std::string(origin) + ": no \"chat_template\"");
  return ChatTemplate(std::move(templates), special_tokens_from_config(config), limits);
}

ChatTemplate ChatTemplate::from_file(const std::string& path, const jinja::Limits& limits) {
  const std::string text = read_file(path);
  if (fs::path(path).extension() == ".jinja")
    return ChatTemplate({{"default", text}}, json::object(), limits);
  return from_config_json(text, path, limits);
}

ChatTemplate ChatTemplate::from_model_dir(const std::string& dir, const jinja::Limits& limits) {
  const fs::path root(dir);
  json config = json::object();
  const fs::path config_path = root / "tokenizer_config.json";
  if (fs::exists(config_path)) config = parse_json(read_file(config_path), config_path.string());

  std::vector<std::pair<std::string, std::string>> templates;
  if (fs::exists(root / "chat_template.jinja"))
    templates.emplace_back("default", read_file(root / "chat_template.jinja"));
  const fs::path extra_dir = root / "additional_chat_templates";
  if (fs::is_directory(extra_dir)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(extra_dir))
      if (e.path().extension() == ".jinja") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) templates.emplace_back(f.stem().string(), read_file(f));
  }
  if (templates.empty()) templates = templates_from_config(config, config_path.string());
  if (templates.empty() && fs::exists(root / "chat_template.json")) {
    const fs::path legacy = root / "chat_template.json";
    templates =
        templates_from_config(parse_json(read_file(legacy), legacy.string()), legacy.string());
  }
  check(!templates.empty(), dir + ": the model has no chat template");
  return ChatTemplate(std::move(templates), special_tokens_from_config(config), limits);
}

std::vector<std::string> ChatTemplate::template_names() const {
  std::vector<std::string> names;
  for (const Named& t : templates_) names.push_back(t.name);
  return names;
}

const std::string& ChatTemplate::source(const std::string& name) const {
  for (const Named& t : templates_)
    if (t.name == name) return t.source;
  throw Error("no chat template named '" + name + "'");
}

const ChatTemplate::Named& ChatTemplate::pick(const ChatRequest& request) const {
  auto find = [&](const std::string& name) -> const Named* {
    for (const Named& t : templates_)
      if (t.name == name) return &t;
    return nullptr;
  };
  if (!request.template_name.empty()) {
    const Named* t = find(request.template_name);
    check(t != nullptr, "no chat template named '" + request.template_name + "'");
    return *t;
  }
  if (templates_.size() == 1 && templates_[0].name == "default") return templates_[0];
  if (!request.tools.is_null())
    if (const Named* t = find("tool_use")) return *t;
  if (const Named* t = find("default")) return *t;
  throw Error("This model has multiple chat templates with no default specified!");
}

std::string ChatTemplate::render(const ChatRequest& request) const {
  const Named& chosen = pick(request);
  check(request.kwargs.is_object(), "chat template kwargs must be a JSON object");
  check(request.tools.is_null() || request.tools.is_array(), "tools must be a JSON array or null");
  if (request.tools.is_array())
    for (const json& tool : request.tools)
      check(tool.is_object(), "Tools should either be a JSON schema, or a callable function");
  json vars = special_tokens_;
  for (const auto& [k, v] : request.kwargs.items()) {
    for (const char* reserved : kReservedNames)
      check(k != reserved,
            "chat template kwarg '" + k + "' clashes with an argument of apply_chat_template");
    vars[k] = v;
  }
  vars["messages"] = prepare_messages(request.messages);
  vars["tools"] = request.tools;
  vars["documents"] = nullptr;
  vars["add_generation_prompt"] = request.add_generation_prompt;
  return chosen.compiled->render(vars);
}

}  // namespace qwenrt
