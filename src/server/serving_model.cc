#include "server/serving_model.h"

#include <chrono>
#include <filesystem>

#include "sampling/grammar/vocabulary_index.h"
#include "server/api_error.h"

namespace qwenrt::server {
namespace {

std::optional<ChatTemplate> load_chat_template(const Tokenizer& tokenizer, const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    try {
      return ChatTemplate::from_model_dir(path);
    } catch (const Error&) {
      // No template files: fall through to what the tokenizer carries.
    }
  }
  const TokenizerConfig& config = tokenizer.config();
  if (config.chat_template.empty()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> templates{{"default", config.chat_template}};
  for (const auto& [name, source] : config.named_chat_templates) templates.emplace_back(name, source);
  nlohmann::ordered_json special = nlohmann::ordered_json::object();
  if (config.bos_token) special["bos_token"] = *config.bos_token;
  if (config.eos_token) special["eos_token"] = *config.eos_token;
  if (config.pad_token) special["pad_token"] = *config.pad_token;
  if (config.unk_token) special["unk_token"] = *config.unk_token;
  return ChatTemplate(std::move(templates), std::move(special));
}

bool template_mentions(const ChatTemplate& t, const std::string& needle) {
  for (const std::string& name : t.template_names()) {
    if (t.source(name).find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void ServingModel::check_prompt_ids(const std::vector<int32_t>& ids, const std::string& param) const {
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_rows) {
      throw invalid_request("token id " + std::to_string(id) + " is outside the model's vocabulary of " +
                                std::to_string(vocab_rows) + " ids",
                            param);
    }
  }
}

std::string model_id_from_path(const std::string& path) {
  std::filesystem::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // trailing '/'
  return p.filename().string().empty() ? path : p.filename().string();
}

ServingModel make_serving_model(const Tokenizer& tokenizer, int64_t vocab_rows, const std::string& model_path,
                                std::string served_name, SamplingParams default_sampling,
                                int64_t context_size) {
  ServingModel m;
  m.id = served_name.empty() ? model_id_from_path(model_path) : std::move(served_name);
  m.tokenizer = &tokenizer;
  m.vocab_rows = vocab_rows;
  m.chat_template = load_chat_template(tokenizer, model_path);
  if (m.chat_template) {
    // Qwen3-Coder's template writes calls as <function=NAME>; the others as Hermes JSON.
    if (template_mentions(*m.chat_template, "<function=")) m.tool_call_format = ToolCallFormat::kQwen3Coder;
    m.has_reasoning = template_mentions(*m.chat_template, "<think>");
  }
  m.default_sampling = default_sampling;
  m.context_size = context_size;
  m.created = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
  const auto rows = static_cast<int32_t>(vocab_rows);
  if (rows < tokenizer.vocab_size()) return m;  // a test model: masks cannot cover the tokenizer
  // No grammar produces added tokens (they would read as markup inside JSON strings),
  // except that forced calls write <tool_call> and </tool_call> with the model's own
  // tokens, as it does unconstrained.
  std::vector<int32_t> call_tags;
  for (const char* tag : {"<tool_call>", "</tool_call>"}) {
    if (auto id = tokenizer.token_to_id(tag)) call_tags.push_back(*id);
  }
  m.grammars = std::make_shared<grammar::GrammarCache>(grammar::VocabularyIndex::build(tokenizer, rows));
  m.tool_vocab = grammar::VocabularyIndex::build(tokenizer, rows, {}, call_tags);
  m.tool_masks = std::make_shared<grammar::SharedMaskCache>(m.tool_vocab);
  return m;
}

}  // namespace qwenrt::server
