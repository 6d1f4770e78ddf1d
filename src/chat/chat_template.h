// Renders a conversation with the checkpoint's own chat template, byte-identically to
// Hugging Face transformers' tokenizer.apply_chat_template(..., tokenize=False).
//
// Besides running the Jinja template, this mirrors what apply_chat_template does to its
// inputs first: message keys whose value is null are dropped, a message's reasoning
// (reasoning_content / thinking / reasoning) is copied under both "thinking" and
// "reasoning_content", and the tokenizer's named special tokens (bos_token, eos_token...)
// become template variables that request kwargs may override.
//
// JSON must keep object key order (nlohmann::ordered_json): templates print tool schemas
// and tool-call arguments with `tojson`, whose output follows insertion order.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/jinja/limits.h"
#include "chat/jinja/template.h"

namespace qwenrt {

struct ChatRequest {
  // OpenAI-style messages: role, content (string or list of {type: text|image|video...}
  // parts), tool_calls (with function.arguments as an object), reasoning_content, ...
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  // Tool schemas, or null for none (templates see None, not an empty list).
  nlohmann::ordered_json tools;
  bool add_generation_prompt = false;
  // Extra template variables, e.g. {"enable_thinking": false}; they override special tokens.
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::object();
  // A named template ("tool_use"...); empty picks like transformers: "tool_use" when tools
  // are given and such a template exists, else "default".
  std::string template_name;
};

class ChatTemplate {
 public:
  // Loads a model directory with transformers' precedence: chat_template.jinja and
  // additional_chat_templates/*.jinja, else tokenizer_config.json's "chat_template", else
  // the processor's legacy chat_template.json. Special tokens come from tokenizer_config.json.
  static ChatTemplate from_model_dir(const std::string& dir, const jinja::Limits& limits = {});
  // Loads one file: *.jinja (the template itself), or tokenizer_config.json / chat_template.json.
  static ChatTemplate from_file(const std::string& path, const jinja::Limits& limits = {});
  // Parses the text of a tokenizer_config.json or chat_template.json. `origin` names it in errors.
  static ChatTemplate from_config_json(std::string_view json_text, std::string_view origin,
                                       const jinja::Limits& limits = {});

  // `templates` maps names to sources ("default" for a single template); `special_tokens`
  // is an object like {"bos_token": "...", "eos_token": "..."}.
  ChatTemplate(std::vector<std::pair<std::string, std::string>> templates,
               nlohmann::ordered_json special_tokens, const jinja::Limits& limits = {});

  // Throws qwenrt::Error for bad input, jinja::TemplateError when the template fails
  // (including raise_exception, whose message is TemplateError::detail()).
  std::string render(const ChatRequest& request) const;

  std::vector<std::string> template_names() const;
  // The source of a named template; throws if there is none.
  const std::string& source(const std::string& name = "default") const;
  const nlohmann::ordered_json& special_tokens() const { return special_tokens_; }

 private:
  struct Named {
    std::string name;
    std::string source;
    std::shared_ptr<const jinja::Template> compiled;
  };
  const Named& pick(const ChatRequest& request) const;

  std::vector<Named> templates_;
  nlohmann::ordered_json special_tokens_ = nlohmann::ordered_json::object();
};

}  // namespace qwenrt
