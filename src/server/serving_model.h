// The model as the API serves it: its public id, tokenizer, chat template, output
// formats (tool calls, reasoning) and the compiled-grammar caches structured output uses.
// Built once at start-up; read-only afterwards apart from the thread-safe caches.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "chat/tool_call_parser.h"
#include "tokenizer/tokenizer.h"
#include "sampling/grammar/grammar_cache.h"
#include "sampling/sampling_params.h"

namespace qwenrt::server {

struct ServingModel {
  std::string id;                       // what clients put in "model"
  const Tokenizer* tokenizer = nullptr;
  int64_t vocab_rows = 0;               // the model's logit rows (may exceed the tokenizer's ids)
  std::optional<ChatTemplate> chat_template;  // none: /v1/chat/completions answers 400
  ToolCallFormat tool_call_format = ToolCallFormat::kHermes;
  bool has_reasoning = false;           // the template knows <think> (Qwen3, QwQ)
  SamplingParams default_sampling;      // from generation_config, as `qwenrt run`
  int64_t context_size = 0;
  int64_t created = 0;                  // unix time the server started
  // Null when the model's logit rows are fewer than the tokenizer's ids (tiny test
  // models): structured output is then refused with 400.
  std::shared_ptr<grammar::GrammarCache> grammars;       // response_format schemas
  std::shared_ptr<const grammar::VocabularyIndex> tool_vocab;  // forced tool calls: also <tool_call> tokens
  std::shared_ptr<grammar::SharedMaskCache> tool_masks;  // shared by forced tool-call grammars

  // Throws ApiError 400 naming `param` when an id is outside the model's logit rows.
  void check_prompt_ids(const std::vector<int32_t>& ids, const std::string& param) const;
};

// `model_path` locates the chat template (a checkpoint directory's files, else the GGUF's
// tokenizer.chat_template); `served_name` empty: the path's last component.
ServingModel make_serving_model(const Tokenizer& tokenizer, int64_t vocab_rows, const std::string& model_path,
                                std::string served_name, SamplingParams default_sampling,
                                int64_t context_size);

// "qwen" from "/models/qwen/" or "/models/qwen.gguf" -> "qwen.gguf".
std::string model_id_from_path(const std::string& path);

}  // namespace qwenrt::server
