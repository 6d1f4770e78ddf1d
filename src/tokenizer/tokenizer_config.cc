// tokenizer_config.json -> TokenizerConfig (transformers' tokenizer settings).
#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/mapped_file.h"
#include "tokenizer/tokenizer_files.h"

namespace qwenrt {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& what) {
  throw Error(source + ": " + path + ": " + what);
}

// A special token is written as "text", as {"content": "text", ...} (an
// AddedToken), or null.
std::optional<std::string> token_name(const json& doc, const char* key, const std::string& source) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  const std::string path = std::string("/") + key;
  if (it->is_object()) {
    auto content = it->find("content");
    if (content != it->end() && content->is_string()) return content->get<std::string>();
    fail(source, path + "/content", "expected a string");
  }
  fail(source, path, "expected a string, an object with \"content\", or null");
}

bool flag(const json& doc, const char* key, const std::string& source) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return false;
  if (!it->is_boolean()) fail(source, std::string("/") + key, "expected true or false");
  return it->get<bool>();
}

// chat_template is one string, or a list of {"name", "template"} where the one
// named "default" is the default (transformers' convention).
void read_chat_templates(const json& doc, const std::string& source, TokenizerConfig& config) {
  auto it = doc.find("chat_template");
  if (it == doc.end() || it->is_null()) return;
  if (it->is_string()) {
    config.chat_template = it->get<std::string>();
    return;
  }
  if (!it->is_array()) fail(source, "/chat_template", "expected a string or a list of templates");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string path = "/chat_template/" + std::to_string(i);
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
        !entry.contains("template") || !entry["template"].is_string()) {
      fail(source, path, "expected {\"name\": string, \"template\": string}");
    }
    const std::string name = entry["name"].get<std::string>();
    const std::string text = entry["template"].get<std::string>();
    if (name == "default") {
      config.chat_template = text;
    } else {
      config.named_chat_templates[name] = text;
    }
  }
}

}  // namespace

TokenizerConfig parse_tokenizer_config(std::string_view text, const std::string& source) {
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(source + ": invalid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    throw Error(source + ": invalid JSON: " + e.what());
  }
  if (!doc.is_object()) fail(source, "/", "expected a JSON object");
  TokenizerConfig config;
  config.bos_token = token_name(doc, "bos_token", source);
  config.eos_token = token_name(doc, "eos_token", source);
  config.pad_token = token_name(doc, "pad_token", source);
  config.unk_token = token_name(doc, "unk_token", source);
  config.add_bos_token = flag(doc, "add_bos_token", source);
  config.add_eos_token = flag(doc, "add_eos_token", source);
  read_chat_templates(doc, source, config);
  return config;
}

TokenizerConfig load_tokenizer_config(const std::string& path) {
  MappedFile file(path);
  return parse_tokenizer_config(
      std::string_view(reinterpret_cast<const char*>(file.data()), file.size()), path);
}

}  // namespace qwenrt
