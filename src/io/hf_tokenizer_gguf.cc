#include "io/hf_tokenizer_gguf.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "base/error.h"
#include "io/gguf_tokenizer.h"

namespace qwenrt {
namespace {

using nlohmann::json;

json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  check(in.good(), "cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return json::parse(text.str());
  } catch (const json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
}

// A tokenizer_config.json special token: a string, {"content": ...}, or null/absent.
std::optional<std::string> token_text(const json& config, const char* key, const std::string& source) {
  if (!config.contains(key) || config[key].is_null()) return std::nullopt;
  const json& v = config[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
  throw Error(source + ": \"" + key + "\" must be a string or an object with \"content\"");
}

// convert_hf_to_gguf.py's does_token_look_special.
bool looks_special(const std::string& t) {
  auto wrapped = [&](const std::string& open, const std::string& close) {
    return t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
           t.compare(t.size() - close.size(), close.size(), close) == 0;
  };
  return t == "<pad>" || t == "<mask>" || t == "<2mass>" || t == "[@BOS@]" || wrapped("<|", "|>") ||
         wrapped("<\uff5c", "\uff5c>") || wrapped("<unused", ">");
}

std::string chat_template_of(const json& config, const std::string& source) {
  if (!config.contains("chat_template") || config["chat_template"].is_null()) return "";
  const json& t = config["chat_template"];
  if (t.is_string()) return t.get<std::string>();
  check(t.is_array(), source + ": \"chat_template\" must be a string or a list of {name, template}");
  for (const json& named : t) {
    if (named.is_object() && named.value("name", "") == "default" && named.contains("template") &&
        named["template"].is_string()) {
      return named["template"].get<std::string>();
    }
  }
  return "";
}

}  // namespace

std::vector<GgufKeyValue> hf_tokenizer_gguf_metadata(const std::string& dir, int64_t vocab_size,
                                                     int64_t fallback_bos_id, int64_t fallback_eos_id,
                                                     int64_t fallback_pad_id) {
  const std::string tok_path = dir + "/tokenizer.json";
  check(std::filesystem::exists(tok_path), dir + ": no tokenizer.json (a GGUF file embeds the tokenizer, so " +
                                               "quantizing a checkpoint needs one)");
  check(vocab_size > 0 && vocab_size <= (int64_t{1} << 24), dir + ": vocab_size " + std::to_string(vocab_size) +
                                                                 " is out of range");
  const json tok = read_json(tok_path);
  check(tok.contains("model") && tok["model"].is_object() && tok["model"].value("type", "") == "BPE" &&
            tok["model"].contains("vocab") && tok["model"]["vocab"].is_object(),
        tok_path + ": /model must be a BPE model with a vocab object (qwenrt quantizes byte-level BPE tokenizers)");

  const auto n = static_cast<size_t>(vocab_size);
  std::vector<std::string> tokens(n);
  std::vector<int32_t> types(n, static_cast<int32_t>(GgufTokenType::UNUSED));
  std::vector<bool> filled(n, false);
  std::unordered_map<std::string, int64_t> id_of;
  auto place = [&](const std::string& text, int64_t id, GgufTokenType type, const std::string& where) {
    check(id >= 0, tok_path + ": " + where + " has negative id " + std::to_string(id));
    id_of[text] = id;
    if (id >= vocab_size) return;  // beyond the model's embedding: cut
    tokens[static_cast<size_t>(id)] = text;
    types[static_cast<size_t>(id)] = static_cast<int32_t>(type);
    filled[static_cast<size_t>(id)] = true;
  };
  for (const auto& [text, id] : tok["model"]["vocab"].items()) {
    check(id.is_number_integer(), tok_path + ": /model/vocab/" + text + " must be an integer id");
    place(text, id.get<int64_t>(), GgufTokenType::NORMAL, "/model/vocab/" + text);
  }
  if (tok.contains("added_tokens") && tok["added_tokens"].is_array()) {
    for (const json& a : tok["added_tokens"]) {
      check(a.is_object() && a.contains("id") && a["id"].is_number_integer() && a.contains("content") &&
                a["content"].is_string(),
            tok_path + ": /added_tokens entries need an integer \"id\" and a string \"content\"");
      const std::string content = a["content"].get<std::string>();
      const bool special = a.value("special", false) || looks_special(content);
      place(content, a["id"].get<int64_t>(), special ? GgufTokenType::CONTROL : GgufTokenType::USER_DEFINED,
            "/added_tokens/" + content);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (!filled[i]) tokens[i] = "[PAD" + std::to_string(i) + "]";
  }

  std::vector<std::string> merges;
  if (tok["model"].contains("merges") && tok["model"]["merges"].is_array()) {
    for (const json& m : tok["model"]["merges"]) {
      std::string left, right;
      if (m.is_string()) {
        const std::string s = m.get<std::string>();
        const size_t space = s.find(' ', 1);
        check(space != std::string::npos, tok_path + ": merge \"" + s + "\" is not two tokens");
        left = s.substr(0, space);
        right = s.substr(space + 1);
      } else {
        check(m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string(),
              tok_path + ": /model/merges entries must be \"a b\" or [\"a\", \"b\"]");
        left = m[0].get<std::string>();
        right = m[1].get<std::string>();
      }
      // Keep a merge only when both parts and the result are tokens of the (cut) vocabulary.
      auto inside = [&](const std::string& t) {
        auto it = id_of.find(t);
        return it != id_of.end() && it->second < vocab_size;
      };
      if (inside(left) && inside(right) && inside(left + right)) merges.push_back(left + " " + right);
    }
  }

  const std::string config_path = dir + "/tokenizer_config.json";
  const json config = std::filesystem::exists(config_path) ? read_json(config_path) : json::object();
  auto special_id = [&](const char* key, int64_t fallback) -> int64_t {
    if (const std::optional<std::string> text = token_text(config, key, config_path)) {
      auto it = id_of.find(*text);
      check(it != id_of.end(), config_path + ": \"" + key + "\" " + *text + " is not a token of the vocabulary");
      return it->second;
    }
    return fallback;
  };
  const int64_t eos = special_id("eos_token", fallback_eos_id);
  const int64_t pad = special_id("pad_token", fallback_pad_id);
  const int64_t bos = special_id("bos_token", fallback_bos_id);

  std::vector<GgufKeyValue> kv;
  kv.push_back({"tokenizer.ggml.model", GgufValue::str("gpt2")});
  kv.push_back({"tokenizer.ggml.pre", GgufValue::str("qwen2")});
  kv.push_back({"tokenizer.ggml.tokens", GgufValue::string_array(std::move(tokens))});
  kv.push_back({"tokenizer.ggml.token_type", GgufValue::i32_array(types)});
  kv.push_back({"tokenizer.ggml.merges", GgufValue::string_array(std::move(merges))});
  for (const auto& [key, id] : {std::pair<const char*, int64_t>{"tokenizer.ggml.eos_token_id", eos},
                                {"tokenizer.ggml.padding_token_id", pad},
                                {"tokenizer.ggml.bos_token_id", bos}}) {
    if (id >= 0 && id < vocab_size) kv.push_back({key, GgufValue::u32(static_cast<uint32_t>(id))});
  }
  const bool add_bos = config.contains("add_bos_token") && config["add_bos_token"].is_boolean() &&
                       config["add_bos_token"].get<bool>();
  kv.push_back({"tokenizer.ggml.add_bos_token", GgufValue::boolean(add_bos)});
  const std::string chat_template = chat_template_of(config, config_path);
  if (!chat_template.empty()) kv.push_back({"tokenizer.chat_template", GgufValue::str(chat_template)});
  return kv;
}

}  // namespace qwenrt
